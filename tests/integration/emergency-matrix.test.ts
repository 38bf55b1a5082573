/**
 * The gateway's emergency branch against its pure form, on real rows: a generated matrix of
 * patients (a disaster declaration's state × the patient's withdrawal from sharing × how the
 * disclosing clinic D1 shares) read by staff of an EMS-allowed hospital, a core hospital and a
 * facility that is neither, each holding an emergency grant of some state and ground (written as
 * rows, or opened through openEmergencyGrant), with the privilege held, never held or revoked
 * since, at one instant, through every read path of the patient and its contents. Each path must
 * answer as the oracle (lib/access/oracle.ts, the rule and its emergency branch): allowed or
 * "not found"; exactly the grant's window of contents; every row of a read a grant serves marked
 * emergency with the grant's id, none where the rule itself serves the read; each refusal one
 * DENIED row. Both answers must occur often, and a rule changed in the database must be caught
 * (the mutants at the end).
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmergencyBasis, StaffRole } from "@/generated/prisma/enums";
import {
  canAdministerPatient,
  canSeeContent,
  canSeeContentInEmergency,
  canSeePatient,
  emergencyLookup,
  emergencyOpening,
  grantOpensMore,
  kindOfCategory,
  type TDatedContentFacts,
  type TDisasterFacts,
  type TEmergencyPatientFacts,
  type TEmergencyViewerFacts,
  type TEmergencyWorld,
  type TFacilityFacts,
  type TGrantFacts,
} from "@/lib/access/oracle";
import type { TViewer } from "@/lib/auth/viewer-type";
import { CALENDAR_CATEGORIES, categoriesOfRow, categoriesOfTab, RECORD_TAB_IDS, type TCalendarRowId } from "@/lib/clinical/calendar";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent, getContentFile, getLabTrend, listCalendarCell, listRecordTab } from "@/lib/clinical/queries";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { openEmergencyGrant, windowFromOf } from "@/lib/ems/mutations";
import { ZOpenGrant } from "@/lib/ems/schema";
import { postNote } from "@/lib/notes/mutations";
import { ZPostNote } from "@/lib/notes/schema";
import { registerPatient, setPublication } from "@/lib/patients/mutations";
import { getPatientPage } from "@/lib/patients/queries";
import { ZPublication, ZRegisterPatient } from "@/lib/patients/schema";
import { factsOf } from "@/tests/fixtures/access-oracle";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/* ---- the instant, the window ---- */

/** Noon in Japan: every read of the matrix is decided at this instant. */
const NOW = new Date("2026-06-15T03:00:00Z");
/** EMS_WINDOW_MONTHS (3) before NOW: the first care date a grant opened then shows. */
const WINDOW_FROM = "2026-03-15";
/** When the grants opened through openEmergencyGrant were opened (their ground decided then). */
const OPENED_AT = new Date(NOW.getTime() - 3600_000);
const hoursFromNow = (h: number) => new Date(NOW.getTime() + h * 3600_000);
const daysFromNow = (d: number) => hoursFromNow(24 * d);

/* ---- the facilities ---- */

let E: string; // a hospital the network allows EMS
let H: string; // a core hospital
let N: string; // a clinic that is neither
let D1: string; // the clinic whose patient ID is named with #EMS: the grants' disclosing facility
let D2: string; // a core hospital that also holds the patient (its own data, and the rule's sharing)
let D3: string; // a disclosing facility that does not hold the patient
let S: string; // the secretariat
let registrar: TViewer;
/** A declaration in force over an area where no patient of the matrix lives. */
let FAR: string;

/* ---- the matrix of patients ---- */

type TDisasterCase = { name: string; area?: "own" | "other"; names?: "all" | "N and H" | "D3"; state?: "in force" | "ended" | "closed" };
const DISASTERS: TDisasterCase[] = [
  { name: "no declaration" },
  { name: "declared, every facility", area: "own", names: "all", state: "in force" },
  { name: "declared, naming N and H", area: "own", names: "N and H", state: "in force" },
  { name: "declared, naming another facility", area: "own", names: "D3", state: "in force" },
  { name: "declared for another area", area: "other", names: "all", state: "in force" },
  { name: "declaration ended", area: "own", names: "all", state: "ended" },
  { name: "declaration closed early", area: "own", names: "all", state: "closed" },
];

type TWithdrawalCase = "not withdrawn" | "withdrawn, consented again" | "withdrawn, the declaration overrides" | "withdrawn";
const WITHDRAWALS: TWithdrawalCase[] = ["not withdrawn", "withdrawn, consented again", "withdrawn, the declaration overrides", "withdrawn"];

/** How D1 shares the patient: EMS needs 診療情報 shared under the consent in force; a core hospital and a declaration do not. */
type TSharingCase = { name: string; consentsD1: boolean; shareClinical: boolean };
const SHARINGS: TSharingCase[] = [
  { name: "D1 公開 基本+診療", consentsD1: true, shareClinical: true },
  { name: "D1 公開 基本のみ", consentsD1: true, shareClinical: false },
  { name: "D1 未同意", consentsD1: false, shareClinical: true },
];

const FORM = { method: "WRITTEN", signer: "SELF", responsibleName: "連携 太郎", explainedByName: "説明 花子" };
const GRANTED = "2025-01-10";
const WITHDRAWN = "2026-01-15";
const REGRANTED = "2026-02-15";
const consentOf = (s: TSharingCase, day: string) =>
  s.consentsD1 ? { ...FORM, action: "GRANT", scope: "COMPREHENSIVE", consentDate: day } : { ...FORM, action: "GRANT", scope: "FACILITIES", facilityIds: [D2], consentDate: day };

/**
 * The patient's contents: D1's of every kind the branch treats differently (any date, the window
 * and its edges, restricted, deleted, discharge summaries old, new and restricted, documents that
 * are not one, images), and D2's few, which a grant for D1 never opens.
 */
type TItem = { key: string; owner: "D1" | "D2"; category: TContentDraft["category"]; day: string; title?: string; restricted?: boolean; deleted?: boolean; file?: boolean };
const ITEMS: TItem[] = [
  { key: "PI", owner: "D1", category: "PATIENT_INFO", day: "2019-05-01" },
  { key: "ALG", owner: "D1", category: "ALLERGY", day: "2018-03-01", title: "ペニシリン" },
  { key: "ALGX", owner: "D1", category: "ALLERGY", day: "2018-04-01", title: "取り消されたアレルギー", deleted: true },
  { key: "DX", owner: "D1", category: "DIAGNOSIS", day: "2015-09-01", title: "高血圧症" },
  { key: "DXR", owner: "D1", category: "DIAGNOSIS", day: "2016-01-01", title: "院内限りの病名", restricted: true },
  { key: "RX", owner: "D1", category: "PRESCRIPTION_ORDER", day: "2026-05-20", title: "アムロジピン錠", file: true },
  { key: "RXF", owner: "D1", category: "PRESCRIPTION_DISPENSED", day: WINDOW_FROM, title: "窓の初日の調剤" },
  { key: "RXB", owner: "D1", category: "PRESCRIPTION_ORDER", day: "2026-03-14", title: "窓の前日の処方" },
  { key: "RXO", owner: "D1", category: "PRESCRIPTION_ORDER", day: "2025-12-01", title: "古い処方", file: true },
  { key: "INJ", owner: "D1", category: "INJECTION_ADMINISTERED", day: "2026-04-10", title: "注射" },
  { key: "INJO", owner: "D1", category: "INJECTION_ORDER", day: "2025-10-01", title: "古い注射指示" },
  { key: "LAB", owner: "D1", category: "LAB", day: "2026-06-01", title: "検査" },
  { key: "LABO", owner: "D1", category: "LAB", day: "2025-09-01", title: "古い検査" },
  { key: "LABR", owner: "D1", category: "LAB", day: "2026-05-01", title: "院内限りの検査", restricted: true },
  { key: "DS1", owner: "D1", category: "DOCUMENT", day: "2026-02-01", title: "退院時サマリ", file: true },
  { key: "DS0", owner: "D1", category: "DOCUMENT", day: "2025-08-01", title: "退院時サマリ" },
  { key: "DSR", owner: "D1", category: "DOCUMENT", day: "2026-04-01", title: "退院時サマリ（院内）", restricted: true },
  { key: "REF", owner: "D1", category: "DOCUMENT", day: "2026-05-01", title: "診療情報提供書" },
  { key: "IMG", owner: "D1", category: "IMAGING", day: "2026-05-15", title: "胸部X線" },
  { key: "D2LAB", owner: "D2", category: "LAB", day: "2026-05-25", title: "D2の検査", file: true },
  { key: "D2ALG", owner: "D2", category: "ALLERGY", day: "2019-01-01", title: "D2のアレルギー" },
  { key: "D2DS", owner: "D2", category: "DOCUMENT", day: "2026-01-01", title: "退院時サマリ" },
];
const LAB_CODE = "EM1";
const PNG = Uint8Array.from(Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"));

type TContentRef = { id: string; key: string; fileId: string | null };
type TPatient = { index: number; /** its place on each dimension: disaster, withdrawal, sharing */ dims: [number, number, number]; label: string; id: string; fpid: string; disasterId: string | null; contents: TContentRef[] };

const patients: TPatient[] = [];

/** One patient of the matrix, written through the same mutations as the screens (the declaration as a row). */
async function makePatient(index: number, d: TDisasterCase, w: TWithdrawalCase, s: TSharingCase): Promise<TPatient> {
  const dims: TPatient["dims"] = [DISASTERS.indexOf(d), WITHDRAWALS.indexOf(w), SHARINGS.indexOf(s)];
  const n = String(index).padStart(3, "0");
  const area = `第${n}地区`;
  const p = await registerPatient(
    registrar,
    ZRegisterPatient.parse({
      patient: { nameKanji: `救急 行列${n}`, nameKana: "キュウキュウ ギョウレツ", sex: index % 2 ? "MALE" : "FEMALE", birthDate: "1945/06/01", address: `長野県飯田市${area}1-2-3` },
      links: [
        { facilityId: D1, facilityPatientId: `A${n}` },
        { facilityId: D2, facilityPatientId: `B${n}` },
      ],
      consent: consentOf(s, GRANTED),
      confirmDuplicate: "on",
    }),
  );
  const draft = (it: TItem): TContentDraft => ({
    facilityPatientId: `${it.owner === "D1" ? "A" : "B"}${n}`,
    category: it.category,
    occurredAt: new Date(`${it.day}T10:00:00+09:00`),
    title: it.title ?? it.category,
    payload: it.category === "LAB" ? { items: [{ code: LAB_CODE, name: "救急検査", value: String(4 + (index % 5)), unit: "mg/dL" }] } : { note: it.key },
    sourceKey: `${it.key}-${n}`,
    sourceVersion: "1",
    isDeleted: false,
    ...(it.file ? { files: [{ fileName: `${it.key}.png`, contentType: "image/png", bytes: PNG }] } : {}),
  });
  for (const [owner, facilityId] of [["D1", D1], ["D2", D2]] as const) {
    await importParsedMessage(facilityId, { kind: "SSMIX2", dataType: "OMP-01", patient: null, contents: ITEMS.filter((it) => it.owner === owner).map(draft) });
  }
  const keys = (f: (it: TItem) => boolean | undefined) => ITEMS.filter(f).map((it) => `${it.key}-${n}`);
  await db().clinicalContent.updateMany({ where: { patientId: p.id, sourceKey: { in: keys((it) => it.restricted) } }, data: { restriction: "OWN_FACILITY" } });
  await db().clinicalContent.updateMany({ where: { patientId: p.id, sourceKey: { in: keys((it) => it.deleted) } }, data: { isDeleted: true } });
  const links = await db().facilityPatientLink.findMany({ where: { patientId: p.id }, select: { id: true, facilityId: true } });
  const linkOf = (f: string) => links.find((l) => l.facilityId === f)!.id;
  await setPublication(registrar, ZPublication.parse({ linkId: linkOf(D2), publicationState: "PUBLISHED", shareBasic: "on", shareClinical: "on" }));
  await setPublication(registrar, ZPublication.parse({ linkId: linkOf(D1), publicationState: "PUBLISHED", shareBasic: "on", ...(s.shareClinical ? { shareClinical: "on" } : {}) }));
  if (w !== "not withdrawn") {
    await recordConsent(registrar, p.id, ZConsentInput.parse({ ...FORM, action: "WITHDRAW", scope: "COMPREHENSIVE", consentDate: WITHDRAWN, reason: "本人の申し出" }));
    if (w === "withdrawn, consented again") await recordConsent(registrar, p.id, ZConsentInput.parse(consentOf(s, REGRANTED)));
  }
  let disasterId: string | null = null;
  if (d.area) {
    const when =
      d.state === "ended"
        ? { startsAt: daysFromNow(-40), endsAt: daysFromNow(-5), closedAt: null }
        : { startsAt: daysFromNow(-10), endsAt: daysFromNow(20), closedAt: d.state === "closed" ? hoursFromNow(-2) : null };
    disasterId = (
      await db().disasterDeclaration.create({
        data: {
          name: `災害 ${n}`,
          areas: [d.area === "own" ? area : `${area}の隣`],
          viewerFacilityIds: d.names === "N and H" ? [N, H] : d.names === "D3" ? [D3] : [],
          ...when,
          overridesWithdrawal: w === "withdrawn, the declaration overrides",
          declaredById: registrar.userId,
        },
        select: { id: true },
      })
    ).id;
  }
  const rows = await db().clinicalContent.findMany({ where: { patientId: p.id }, select: { id: true, sourceKey: true, payload: true }, orderBy: { sourceKey: "asc" } });
  return {
    index,
    dims,
    label: `${d.name} / ${w} / ${s.name}`,
    id: p.id,
    fpid: `A${n}`,
    disasterId,
    contents: rows.map((r) => ({ id: r.id, key: r.sourceKey.replace(/-\d+$/, ""), fileId: (r.payload as { files?: { id: string }[] }).files?.[0]?.id ?? null })),
  };
}

/* ---- the viewers and their grants ---- */

type TGrantState = "in force" | "expired" | "ended early";
type TGrantSpec = { state: TGrantState; basis: EmergencyBasis; facility: "D1" | "D2" | "D3"; startedHoursAgo?: number };

type TViewerCase = {
  label: string;
  viewer: TViewer;
  /** every patient of the matrix, or a seventh of them (SEVENTH) */
  over: "all" | "seventh";
  /** grants written as rows */
  grants?: (p: TPatient) => TGrantSpec[];
  /** a grant opened through openEmergencyGrant at OPENED_AT, for D1 */
  opens?: boolean;
  /** the privilege taken away after the grants were opened */
  revoke?: boolean;
};

/**
 * Every seventh patient of the matrix (its index in disaster × withdrawal × sharing order): one of
 * each withdrawal × sharing case, the declaration cases spread among them.
 */
const isSeventh = (p: TPatient) => p.index % 7 === 0;

const NATURAL: Record<"E" | "H" | "N", EmergencyBasis> = { E: "EMS", H: "CORE_HOSPITAL", N: "DISASTER" };
const viewerCases: TViewerCase[] = [];

type TCase = { n: number; p: TPatient; vc: TViewerCase };
const cases: TCase[] = [];

/** What openEmergencyGrant answered for a case, compared with the oracle's lookup. */
type TOpened = { n: number; result: { ok: true; grantId: string; basis: EmergencyBasis } | { ok: false; message: string }; requestId: string };
const opened: TOpened[] = [];

/* ---- the facts the oracle reads, from the rows ---- */

let facilities: Map<string, TFacilityFacts>;
let disasters: TDisasterFacts[];
const patientFacts = new Map<string, TEmergencyPatientFacts>();
const grantsOf = new Map<string, TGrantFacts[]>();
const contentsOf = new Map<string, TDatedContentFacts[]>();
const viewerFacts = new Map<string, TEmergencyViewerFacts>();

async function loadFacts() {
  facilities = new Map(
    (await db().facility.findMany({ select: { id: true, isActive: true, isDisclosing: true, emsAllowed: true, isCoreHospital: true } })).map((f) => [f.id, f]),
  );
  disasters = (await db().disasterDeclaration.findMany()).map((d) => ({
    id: d.id,
    areas: d.areas,
    viewerFacilityIds: d.viewerFacilityIds,
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    closedAt: d.closedAt,
    overridesWithdrawal: d.overridesWithdrawal,
  }));
  for (const p of patients) {
    const address = (await db().patient.findUniqueOrThrow({ where: { id: p.id }, select: { address: true } })).address;
    patientFacts.set(p.id, { ...(await factsOf(p.id)), address });
  }
  for (const g of await db().emergencyGrant.findMany()) {
    const list = grantsOf.get(g.patientId) ?? (grantsOf.set(g.patientId, []), grantsOf.get(g.patientId)!);
    list.push({ ...g, windowFrom: g.windowFrom.toISOString().slice(0, 10) });
  }
  const rows = await db().clinicalContent.findMany({
    where: { patientId: { in: patients.map((p) => p.id) } },
    select: { id: true, patientId: true, ownerFacilityId: true, category: true, restriction: true, isDeleted: true, occurredDate: true, occurredAt: true, title: true },
  });
  for (const r of rows) {
    const list = contentsOf.get(r.patientId!) ?? (contentsOf.set(r.patientId!, []), contentsOf.get(r.patientId!)!);
    list.push({ ...r, kind: kindOfCategory(r.category), occurredDate: r.occurredDate.toISOString().slice(0, 10) });
  }
  for (const vc of viewerCases) {
    const u = await db().staffUser.findUniqueOrThrow({ where: { id: vc.viewer.userId }, select: { hasEmsPrivilege: true, isRetired: true, roles: true, facilityId: true } });
    viewerFacts.set(vc.viewer.userId, { userId: vc.viewer.userId, facilityId: u.facilityId, roles: u.roles, hasEmsPrivilege: u.hasEmsPrivilege, isRetired: u.isRetired });
  }
}

/** What the oracle says of one case. */
function expectationOf(c: TCase) {
  const viewer = viewerFacts.get(c.vc.viewer.userId)!;
  const patient = patientFacts.get(c.p.id)!;
  const world: TEmergencyWorld = { facilities, disasters, grants: grantsOf.get(c.p.id) ?? [], contents: contentsOf.get(c.p.id)! };
  const opening = emergencyOpening(viewer, patient, world, NOW);
  const sees = canSeePatient(viewer, patient, NOW);
  const flagged = grantOpensMore(viewer, patient, opening, NOW);
  const allowed = sees || flagged;
  const byRule = (x: TDatedContentFacts) => canSeeContent(viewer, patient, x, NOW);
  const inEmergency = (x: TDatedContentFacts) => canSeeContentInEmergency(opening, x);
  const contents = world.contents;
  return {
    opening,
    sees,
    flagged,
    allowed,
    administers: canAdministerPatient(viewer, patient),
    /** what a list of the patient shows */
    listed: new Set(contents.filter((x) => allowed && (byRule(x) || (flagged && inEmergency(x)))).map((x) => x.id)),
    /** one content by its id: seen, and whether under the grant */
    byId: (x: TDatedContentFacts) => ({ seen: byRule(x) || inEmergency(x), flagged: !byRule(x) && inEmergency(x) }),
    /** the facilities whose records the read lists */
    facilities: new Set(
      [...facilities.keys()].filter((f) => {
        const link = patient.links.find((l) => l.isActive && l.facilityId === f);
        if (!allowed || !link) return false;
        if (f === viewer.facilityId) return viewer.roles.includes("CLINICIAN") || viewer.roles.includes("LIAISON");
        return (sees && canSeeContent(viewer, patient, { ownerFacilityId: f, kind: "CLINICAL", restriction: "NONE" }, NOW)) || (flagged && opening!.facilityIds.has(f));
      }),
    ),
    contents,
  };
}

/* ---- comparing ---- */

type TTally = { cases: number; yes: number; no: number; wrong: string[] };
const tallies = new Map<string, TTally>();
const tally = (path: string) => tallies.get(path) ?? (tallies.set(path, { cases: 0, yes: 0, no: 0, wrong: [] }), tallies.get(path)!);

function check(path: string, label: string, expected: unknown, actual: unknown, yes = Boolean(expected)) {
  const t = tally(path);
  t.cases++;
  if (yes) t.yes++;
  else t.no++;
  const same = JSON.stringify(expected) === JSON.stringify(actual);
  if (!same) t.wrong.push(`${label}: oracle ${JSON.stringify(expected)}, database ${JSON.stringify(actual)}`);
}

/** Runs a read; "not found" is an answer (refused), anything else is a failure. */
async function attempt<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (e) {
    if (e instanceof AppError && e.code === "NOT_FOUND") return null;
    throw e;
  }
}

/** A few at a time: the pool has ten connections, the machine two cores. */
async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

/** Each read's request id, with what its log rows must say: served or refused, and under which grant. */
type TLogged = { requestId: string; label: string; served: boolean; grantId: string | null };
const logged: TLogged[] = [];

let requests = 0;
const asRequest = (v: TViewer, label: string, served: boolean, grantId: string | null) => {
  const requestId = `em-${++requests}`;
  logged.push({ requestId, label, served, grantId });
  return { ...v, requestId };
};

const CELL_ROWS: TCalendarRowId[] = ["rxOrder", "rxDone", "injOrder", "injDone", "lab", "image", "report"];
const sorted = (xs: Iterable<string>) => [...xs].sort();
const keyOf = (p: TPatient, id: string) => p.contents.find((c) => c.id === id)?.key ?? id;

/** The calendar of one case (the path the mutants are tested on: every dated category but the any-date ones). */
async function compareCalendar(c: TCase, x: ReturnType<typeof expectationOf>, who: string, log = true) {
  const grant = x.flagged ? x.opening!.grantId : null;
  const viewer = log ? asRequest(c.vc.viewer, `${who} | calendar`, x.allowed, grant) : c.vc.viewer;
  const cal = await attempt(getCalendar(viewer, c.p.id, { zoom: "month" }, NOW));
  check("calendar", who, x.allowed, cal !== null);
  if (!cal || !x.allowed) return;
  const counts: Record<string, number> = {};
  for (const row of Object.values(cal.grid)) for (const cell of row) for (const [f, k] of Object.entries(cell?.byFacility ?? {})) counts[f] = (counts[f] ?? 0) + k;
  const expected: Record<string, number> = {};
  for (const it of x.contents) {
    if (x.listed.has(it.id) && CALENDAR_CATEGORIES.includes(it.category as never) && it.occurredDate >= cal.window.from && it.occurredDate <= cal.window.to) {
      expected[it.ownerFacilityId] = (expected[it.ownerFacilityId] ?? 0) + 1;
    }
  }
  const named = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([f, k]) => [f === D1 ? "D1" : f === D2 ? "D2" : f, k]).sort());
  check("calendar: items", who, named(expected), named(counts), Object.keys(expected).length > 0);
  check("calendar: facilities", who, sorted(x.facilities), sorted(cal.facilities.map((f) => f.id)), x.facilities.size > 0);
}

/** Every read path of one case: the patient page, the calendar, a cell, a tab, the lab trend, contents and a file by id. */
async function compareCase(c: TCase) {
  const x = expectationOf(c);
  const who = `${c.p.label} | ${c.vc.label}`;
  const grant = x.flagged ? x.opening!.grantId : null;
  const listed = (ids: Iterable<string>) => sorted([...ids].map((id) => keyOf(c.p, id)));

  const pageServed = x.allowed || x.administers;
  const page = await attempt(getPatientPage(asRequest(c.vc.viewer, `${who} | page`, pageServed, grant), c.p.id, NOW));
  check("page", who, pageServed, page !== null);
  if (page) check("page: records", who, x.allowed, page.canSeeRecords);

  await compareCalendar(c, x, who);

  const row = CELL_ROWS[c.n % CELL_ROWS.length]!;
  const cell = await attempt(listCalendarCell(asRequest(c.vc.viewer, `${who} | cell`, x.allowed, grant), c.p.id, { rowId: row, from: "2025-06-01", to: "2026-06-30" }, NOW));
  check("cell", who, x.allowed, cell !== null);
  if (cell && x.allowed) {
    const want = x.contents.filter((it) => x.listed.has(it.id) && categoriesOfRow(row).includes(it.category as never)).map((it) => it.id);
    check("cell: items", `${who} | ${row}`, listed(want), listed(cell.items.map((i) => i.id)), want.length > 0);
  }

  const tab = RECORD_TAB_IDS[c.n % RECORD_TAB_IDS.length]!;
  const tabbed = await attempt(listRecordTab(asRequest(c.vc.viewer, `${who} | tab`, x.allowed, grant), c.p.id, { tab }, NOW));
  check("tab", who, x.allowed, tabbed !== null);
  if (tabbed && x.allowed) {
    const want = x.contents.filter((it) => x.listed.has(it.id) && categoriesOfTab(tab).includes(it.category as never)).map((it) => it.id);
    check("tab: items", `${who} | ${tab}`, listed(want), listed(tabbed.items.map((i) => i.id)), want.length > 0);
  }

  const trend = await attempt(getLabTrend(asRequest(c.vc.viewer, `${who} | trend`, x.allowed, grant), c.p.id, { keys: [LAB_CODE] }, NOW));
  check("trend", who, x.allowed, trend !== null);
  if (trend && x.allowed) {
    const want = x.contents.filter((it) => x.listed.has(it.id) && it.category === "LAB").map((it) => it.id);
    check("trend: points", who, listed(want), listed(trend.series.flatMap((s) => s.points.map((p) => p.contentId))), want.length > 0);
  }

  // three contents by id and one file, in turn over the cases (every content is read many times over the matrix)
  const all = c.p.contents;
  for (let j = 0; j < 3; j++) {
    const ref = all[(3 * c.n + j) % all.length]!;
    const facts = x.contents.find((it) => it.id === ref.id)!;
    const e = x.byId(facts);
    const got = await attempt(getContent(asRequest(c.vc.viewer, `${who} | content ${ref.key}`, e.seen, e.flagged ? x.opening!.grantId : null), ref.id, { now: NOW }));
    check("content", `${who} | ${ref.key}`, e.seen, got !== null);
  }
  const withFiles = all.filter((r) => r.fileId);
  const ref = withFiles[c.n % withFiles.length]!;
  const e = x.byId(x.contents.find((it) => it.id === ref.id)!);
  const file = await attempt(getContentFile(asRequest(c.vc.viewer, `${who} | file ${ref.key}`, e.seen, e.flagged ? x.opening!.grantId : null), ref.id, ref.fileId!, { now: NOW }));
  check("file", `${who} | ${ref.key}`, e.seen, file !== null);
}

/* ---- the fixture ---- */

const ORAL = { reason: "EMERGENCY_TRANSPORT", reasonText: "救急搬送（マトリクス）", consent: "ORAL_FAMILY", consentConfirmedBy: "家族", acknowledged: "on" };
const SPAN: Record<TGrantState, { startsAt: Date; endsAt: Date; endedAt: Date | null }> = {
  "in force": { startsAt: hoursFromNow(-2), endsAt: hoursFromNow(22), endedAt: null },
  expired: { startsAt: hoursFromNow(-30), endsAt: hoursFromNow(-6), endedAt: null },
  "ended early": { startsAt: hoursFromNow(-2), endsAt: hoursFromNow(22), endedAt: hoursFromNow(-1) },
};

beforeAll(async () => {
  E = (await createFacility({ nameKanji: "救急指定病院", emsAllowed: true })).id;
  H = (await createFacility({ nameKanji: "中核病院", isCoreHospital: true })).id;
  N = (await createFacility({ type: "CLINIC", nameKanji: "一般診療所" })).id;
  D1 = (await createFacility({ type: "CLINIC", nameKanji: "かかりつけ診療所" })).id;
  D2 = (await createFacility({ nameKanji: "地域中核病院", isCoreHospital: true })).id;
  D3 = (await createFacility({ type: "CLINIC", nameKanji: "別の診療所" })).id;
  S = (await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "事務局" })).id;
  registrar = await viewerFor((await createStaff({ facilityId: S, roles: ["SECRETARIAT"] })).user);
  await createStaff({ facilityId: D1, roles: ["LIAISON"] }); // D1's desk, who receives the grants' notices
  FAR = (
    await db().disasterDeclaration.create({
      data: { name: "遠方の災害", areas: ["遠方県"], viewerFacilityIds: [], startsAt: daysFromNow(-3), endsAt: daysFromNow(30), declaredById: registrar.userId },
      select: { id: true },
    })
  ).id;

  const combos = DISASTERS.flatMap((d) => WITHDRAWALS.flatMap((w) => SHARINGS.map((s) => [d, w, s] as const)));
  await inBatches([...combos.entries()], 6, async ([i, [d, w, s]]) => {
    patients[i] = await makePatient(i, d, w, s);
  });

  const staff = async (facilityId: string, roles: StaffRole[], hasEmsPrivilege: boolean) => viewerFor((await createStaff({ facilityId, roles, hasEmsPrivilege })).user);
  const facilityOf = { E, H, N } as const;
  for (const [name, f] of Object.entries(facilityOf) as ["E" | "H" | "N", string][]) {
    // the ground of the grant against the facility: its own, and a declaration's, over every patient; another's (never
    // allowed: the ground is read again at each read) over a seventh
    const natural = NATURAL[name];
    for (const basis of ["EMS", "CORE_HOSPITAL", "DISASTER"] as const) {
      const over = basis === natural || basis === "DISASTER" ? "all" : "seventh";
      viewerCases.push({ label: `${name} privileged, ${basis} grant for D1`, viewer: await staff(f, ["CLINICIAN"], true), over, grants: () => [{ state: "in force", basis, facility: "D1" }] });
    }
    // the grant's state
    for (const state of ["expired", "ended early"] as const) {
      viewerCases.push({ label: `${name} privileged, ${natural} grant ${state}`, viewer: await staff(f, ["CLINICIAN"], true), over: "seventh", grants: () => [{ state, basis: natural, facility: "D1" }] });
    }
    viewerCases.push({ label: `${name} privileged, ${natural} grant for D2`, viewer: await staff(f, ["CLINICIAN"], true), over: "seventh", grants: () => [{ state: "in force", basis: natural, facility: "D2" }] });
    viewerCases.push({ label: `${name} privileged, ${natural} grant for D3`, viewer: await staff(f, ["CLINICIAN"], true), over: "seventh", grants: () => [{ state: "in force", basis: natural, facility: "D3" }] });
    viewerCases.push({ label: `${name} privileged, no grant`, viewer: await staff(f, ["CLINICIAN"], true), over: "seventh" });
    // a later grant that opens nothing does not hide the one that does
    viewerCases.push({
      label: `${name} privileged, ${natural} grants for D1 and (later) D3`,
      viewer: await staff(f, ["CLINICIAN"], true),
      over: "seventh",
      grants: () => [
        { state: "in force", basis: natural, facility: "D1", startedHoursAgo: 3 },
        { state: "in force", basis: natural, facility: "D3", startedHoursAgo: 1 },
      ],
    });
    // the privilege
    viewerCases.push({ label: `${name} without the privilege, ${natural} grant for D1`, viewer: await staff(f, ["CLINICIAN"], false), over: "seventh", grants: () => [{ state: "in force", basis: natural, facility: "D1" }] });
    viewerCases.push({ label: `${name} privilege revoked after openEmergencyGrant`, viewer: await staff(f, ["CLINICIAN"], true), over: "seventh", opens: true, revoke: true });
    // the way in of the screens
    viewerCases.push({ label: `${name} privileged, openEmergencyGrant for D1`, viewer: await staff(f, ["CLINICIAN"], true), over: "all", opens: true });
  }
  // a user retired since the grant (signing in is refused too; the rule does not count on it)
  viewerCases.push({
    label: "E retired, EMS grant for D1",
    viewer: await viewerFor((await createStaff({ facilityId: E, roles: ["CLINICIAN"], hasEmsPrivilege: true, isRetired: true })).user),
    over: "seventh",
    grants: () => [{ state: "in force", basis: "EMS", facility: "D1" }],
  });
  // the roles: liaison staff read records, an administrator does not
  viewerCases.push({ label: "E liaison privileged, EMS grant for D1", viewer: await staff(E, ["LIAISON"], true), over: "seventh", grants: () => [{ state: "in force", basis: "EMS", facility: "D1" }] });
  viewerCases.push({ label: "E administrator privileged, EMS grant for D1", viewer: await staff(E, ["FACILITY_ADMIN"], true), over: "seventh", grants: () => [{ state: "in force", basis: "EMS", facility: "D1" }] });
  // the patient's own facilities: D1's own staff as ever; D2's doctor, who sees by the rule, with a core hospital's grant for D1
  viewerCases.push({ label: "D1 clinician (own facility)", viewer: await staff(D1, ["CLINICIAN"], false), over: "seventh" });
  viewerCases.push({ label: "D2 doctor privileged, CORE_HOSPITAL grant for D1", viewer: await staff(D2, ["CLINICIAN"], true), over: "all", grants: () => [{ state: "in force", basis: "CORE_HOSPITAL", facility: "D1" }] });

  for (const vc of viewerCases) for (const p of patients) if (vc.over === "all" || isSeventh(p)) cases.push({ n: cases.length, p, vc });

  // grants as rows: the ground at opening is openEmergencyGrant's to decide; the matrix tests the rule's re-check at read time
  const facilityIds = { D1, D2, D3 };
  const rows = cases.flatMap((c) =>
    (c.vc.grants?.(c.p) ?? []).map((g) => ({
      id: crypto.randomUUID(),
      viewerId: c.vc.viewer.userId,
      viewerFacilityId: c.vc.viewer.facilityId,
      patientId: c.p.id,
      disclosingFacilityId: facilityIds[g.facility],
      facilityPatientId: c.p.fpid,
      basis: g.basis,
      disasterId: g.basis === "DISASTER" ? (c.p.disasterId ?? FAR) : null,
      reason: "EMERGENCY_TRANSPORT" as const,
      reasonText: "救急搬送（マトリクス）",
      consent: "ORAL_FAMILY" as const,
      consentConfirmedBy: "家族",
      ...SPAN[g.state],
      ...(g.startedHoursAgo ? { startsAt: hoursFromNow(-g.startedHoursAgo) } : {}),
      windowFrom: new Date(`${WINDOW_FROM}T00:00:00Z`),
      reviewDueAt: daysFromNow(7),
    })),
  );
  await db().emergencyGrant.createMany({ data: rows });

  // grants through the screens' way in, decided at OPENED_AT
  const opening = cases.filter((c) => c.vc.opens);
  await inBatches(opening, 4, async (c) => {
    const requestId = `open-${c.n}`;
    try {
      const g = await openEmergencyGrant({ ...c.vc.viewer, requestId }, ZOpenGrant.parse({ facilityId: D1, facilityPatientId: c.p.fpid, ...ORAL }), OPENED_AT);
      const basis = (await db().emergencyGrant.findUniqueOrThrow({ where: { id: g.grantId }, select: { basis: true } })).basis;
      opened.push({ n: c.n, result: { ok: true, grantId: g.grantId, basis }, requestId });
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      opened.push({ n: c.n, result: { ok: false, message: e.message }, requestId });
    }
  });
  await db().staffUser.updateMany({ where: { id: { in: viewerCases.filter((vc) => vc.revoke).map((vc) => vc.viewer.userId) } }, data: { hasEmsPrivilege: false } });

  await loadFacts();
}, 600_000);

describe("the emergency branch agrees with the oracle on every read path", () => {
  it("the grants openEmergencyGrant opened (or refused) are the oracle's, each logged once", async () => {
    expect(windowFromOf(NOW)).toBe(WINDOW_FROM);
    const wrong: string[] = [];
    const rows = await db().accessLog.findMany({ where: { requestId: { in: opened.map((o) => o.requestId) } }, select: { requestId: true, accessType: true, isEmergency: true, emergencyGrantId: true, detail: true } });
    for (const o of opened) {
      const c = cases[o.n]!;
      // the privilege as it was at the opening (a revoked one was held then)
      const viewer = { ...viewerFacts.get(c.vc.viewer.userId)!, hasEmsPrivilege: true };
      const expected = emergencyLookup(viewer, patientFacts.get(c.p.id)!, { facilities, disasters }, D1, OPENED_AT);
      const actual = o.result.ok ? { ok: true, basis: o.result.basis } : { ok: false, refusal: o.result.message.replace("ems.refused.", "") };
      const want = expected.ok ? { ok: true, basis: expected.basis } : expected;
      if (JSON.stringify(want) !== JSON.stringify(actual)) wrong.push(`${c.p.label} | ${c.vc.label}: oracle ${JSON.stringify(want)}, openEmergencyGrant ${JSON.stringify(actual)}`);
      const its = rows.filter((r) => r.requestId === o.requestId);
      const shape = o.result.ok
        ? its.length === 1 && its[0]!.accessType === "EMERGENCY_GRANT" && its[0]!.isEmergency && its[0]!.emergencyGrantId === o.result.grantId
        : its.length === 1 && its[0]!.accessType === "DENIED" && !its[0]!.isEmergency && its[0]!.emergencyGrantId === null && its[0]!.detail!.endsWith(o.result.message.replace("ems.refused.", ""));
      if (!shape) wrong.push(`${c.p.label} | ${c.vc.label}: logged ${JSON.stringify(its)}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(opened.filter((o) => o.result.ok).length).toBeGreaterThan(opened.length / 4);
    expect(opened.filter((o) => !o.result.ok).length).toBeGreaterThan(opened.length / 4);
  });

  it("every case, every path: allowed exactly when the oracle says, exactly the window's contents", async () => {
    await inBatches(cases, 8, compareCase);
    for (const [path, t] of tallies) expect(t.wrong.slice(0, 20), path).toEqual([]);
  }, 600_000);

  it("every row a served read wrote is marked emergency with the grant's id exactly when a grant served it; each refusal one DENIED row", async () => {
    const rows = await db().accessLog.findMany({
      where: { requestId: { startsWith: "em-" } },
      select: { requestId: true, accessType: true, isEmergency: true, emergencyGrantId: true, patientId: true },
    });
    const byRequest = new Map<string, typeof rows>();
    for (const r of rows) byRequest.set(r.requestId!, [...(byRequest.get(r.requestId!) ?? []), r]);
    const wrong: string[] = [];
    let emergencyRows = 0;
    for (const l of logged) {
      const its = byRequest.get(l.requestId) ?? [];
      const ok = l.served
        ? its.length > 0 && its.every((r) => r.accessType !== "DENIED" && r.isEmergency === (l.grantId !== null) && r.emergencyGrantId === l.grantId)
        : its.length === 1 && its[0]!.accessType === "DENIED" && !its[0]!.isEmergency && its[0]!.emergencyGrantId === null;
      if (!ok) wrong.push(`${l.label}: expected ${l.served ? (l.grantId ? `served under ${l.grantId}` : "served by the rule") : "one DENIED row"}, logged ${JSON.stringify(its)}`);
      emergencyRows += its.filter((r) => r.isEmergency).length;
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(emergencyRows).toBeGreaterThan(1000);
  });

  it("a grant never serves a write: a post under it is refused, logged, and writes nothing", async () => {
    // (a comment goes to a note, which no grant opens: the post is the write a grant could reach)
    const served = cases.filter((c) => expectationOf(c).flagged && !expectationOf(c).sees).filter((_, i) => i % 15 === 0);
    expect(served.length).toBeGreaterThanOrEqual(15);
    const requestIds: string[] = [];
    for (const c of served) {
      const before = await db().clinicalContent.count({ where: { patientId: c.p.id } });
      const note = ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: "2026-06-15T09:00", title: "", body: "救急で記載", icon: "QUALIFICATION" });
      const viewer = asRequest(c.vc.viewer, `${c.p.label} | ${c.vc.label} | post`, false, null);
      requestIds.push(viewer.requestId);
      await expect(postNote(viewer, c.p.id, note, [], NOW)).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await db().clinicalContent.count({ where: { patientId: c.p.id } })).toBe(before);
    }
    const rows = await db().accessLog.findMany({ where: { requestId: { in: requestIds } }, select: { accessType: true, isEmergency: true, emergencyGrantId: true } });
    expect(rows).toEqual(requestIds.map(() => ({ accessType: "DENIED", isEmergency: false, emergencyGrantId: null })));
  });

  it("covered enough ground: at least 500 cases, both answers often on every path", () => {
    const summary = Object.fromEntries([...tallies].map(([path, t]) => [path, { cases: t.cases, yes: t.yes, no: t.no }]));
    console.log(`emergency matrix: ${patients.length} patients, ${viewerCases.length} viewer cases, ${cases.length} cases; per path ${JSON.stringify(summary)}`);
    expect(patients.length).toBe(DISASTERS.length * WITHDRAWALS.length * SHARINGS.length);
    const all = viewerCases.filter((vc) => vc.over === "all").length;
    expect(cases.length).toBe(all * patients.length + (viewerCases.length - all) * patients.filter(isSeventh).length);
    expect(new Set(patients.filter(isSeventh).map((p) => `${p.dims[1]} ${p.dims[2]}`)).size).toBe(WITHDRAWALS.length * SHARINGS.length);
    expect(cases.length).toBeGreaterThanOrEqual(500);
    for (const path of ["page", "calendar", "cell", "tab", "trend", "content", "file"]) {
      const t = tally(path);
      expect(t.cases, path).toBe(path === "content" ? 3 * cases.length : cases.length);
      // (most contents of a case are outside the window or another facility's: fewer of those reads are allowed)
      expect(t.yes, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThanOrEqual(100);
      expect(t.yes / t.cases, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThan(path === "content" || path === "file" ? 0.08 : 0.15);
      expect(t.no / t.cases, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThan(0.15);
    }
    // a grant served a good share of the reads; and some reads the rule served itself, though a grant was in force
    const xs = cases.map(expectationOf);
    expect(xs.filter((x) => x.flagged).length / cases.length).toBeGreaterThan(0.1);
    expect(xs.filter((x) => x.opening && !x.flagged && x.allowed).length).toBeGreaterThanOrEqual(10);
  });
});

/*
 * Mutants: the emergency branch changed in the database (each undone at once) must make the
 * matrix disagree with the oracle — proof that the comparison above would catch such a change.
 * Each is the migration's function with one clause taken out or loosened.
 */
describe("a change to the emergency branch in the database is caught", () => {
  const MUTANTS: { name: string; fn: string; from: string; to: string }[] = [
    { name: "withdrawal ignored", fn: "chiikilink_emergency_grounds", from: "NOT w.withdrawn", to: "true" },
    { name: "EMS without the patient's consent", fn: "chiikilink_emergency_grounds", from: 'AND EXISTS (SELECT 1 FROM "chiikilink_sharing_links"(t) s WHERE s.link_id = c.id AND s.shares_clinical)', to: "" },
    { name: "a declaration's facilities ignored", fn: "chiikilink_disasters", from: "f = ANY (d.viewer_facility_ids)", to: "true" },
    { name: "a closed declaration still in force", fn: "chiikilink_disasters", from: "AND (d.closed_at IS NULL OR d.closed_at > t)", to: "" },
    { name: "the privilege not read again", fn: "chiikilink_emergency_access", from: "AND su.has_ems_privilege", to: "" },
    { name: "a retired user's grant still in force", fn: "chiikilink_emergency_access", from: "AND NOT su.is_retired", to: "" },
    { name: "a grant ended early still in force", fn: "chiikilink_emergency_access", from: "AND (g.ended_at IS NULL OR g.ended_at > t)", to: "" },
    { name: "an expired grant still in force", fn: "chiikilink_emergency_access", from: "AND g.ends_at > t", to: "" },
    { name: "the grant's ground not read again", fn: "chiikilink_emergency_access", from: "gr.basis = g.basis::text AND gr.disaster_id IS NOT DISTINCT FROM g.disaster_id", to: "true" },
    { name: "the grant's facility ignored", fn: "chiikilink_emergency_access", from: "AND (g.disclosing_facility_id IS NULL OR gr.facility_id = g.disclosing_facility_id)", to: "" },
    { name: "a grant that opens nothing chosen", fn: "chiikilink_emergency_access", from: "AND cardinality(x.links) > 0", to: "" },
    { name: "every discharge summary", fn: "chiikilink_emergency_access", from: "SELECT DISTINCT ON (c.owner_link_id) c.id", to: "SELECT c.id" },
    { name: "no window", fn: "chiikilink_emergency_visible", from: "occurred_date >= window_from", to: "true" },
    { name: "restricted items opened", fn: "chiikilink_emergency_visible", from: "AND restriction = 'NONE'", to: "" },
  ];

  const originals = new Map<string, string>();
  beforeAll(async () => {
    for (const fn of new Set(MUTANTS.map((m) => m.fn))) {
      const [row] = await db().$queryRaw<{ def: string }[]>`SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.proname = ${fn}`;
      originals.set(fn, row!.def);
    }
  });
  afterAll(async () => {
    for (const def of originals.values()) await db().$executeRawUnsafe(def);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))("%s", async (_name, m) => {
    const original = originals.get(m.fn)!;
    expect(original, `${m.fn} no longer says ${m.from}`).toContain(m.from);
    const wrong = () => tally("calendar").wrong.length + tally("calendar: items").wrong.length + tally("calendar: facilities").wrong.length;
    const before = wrong();
    await db().$executeRawUnsafe(original.split(m.from).join(m.to));
    try {
      // every viewer case on the seventh of the patients, until the first disagreement
      const sample = cases.filter((c) => isSeventh(c.p));
      for (let i = 0; i < sample.length && wrong() === before; i += 8) {
        await Promise.all(sample.slice(i, i + 8).map((c) => compareCalendar(c, expectationOf(c), `${c.p.label} | ${c.vc.label}`, false)));
      }
    } finally {
      await db().$executeRawUnsafe(original);
    }
    expect(wrong() - before, `the matrix did not notice "${m.name}"`).toBeGreaterThan(0);
  }, 300_000);
});
