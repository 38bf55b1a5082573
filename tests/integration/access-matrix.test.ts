/**
 * The rule in the database against the rule's pure form, on real rows, through every path the
 * gateway offers: a generated matrix of patients (the viewer's link × the owner's link and scope ×
 * consent) with contents of both kinds and both restrictions, read by staff of every role at
 * three facilities at two instants. Each path must answer exactly as the oracle
 * (lib/access/oracle.ts) for every case; both answers must occur often; and a rule changed in the
 * database must be caught (the mutants at the end).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PublicationState, StaffRole } from "@/generated/prisma/enums";
import { canAdministerPatient, canSeeContent, canSeePatient, kindOfCategory, type TPatientFacts } from "@/lib/access/oracle";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent, getContentFile, getLabTrend, listCalendarCell, listRecordTab } from "@/lib/clinical/queries";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { db } from "@/lib/db/client";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { AppError } from "@/lib/errors";
import { registerPatient, setPublication, unlinkFacilityPatient } from "@/lib/patients/mutations";
import { getPatientPage, searchPatients } from "@/lib/patients/queries";
import { ZPublication, ZRegisterPatient, ZUnlink } from "@/lib/patients/schema";
import { factsOf } from "@/tests/fixtures/access-oracle";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/* ---- the matrix ---- */

type TLinkCase = { name: string; linked: boolean; state?: PublicationState; shareBasic?: boolean; shareClinical?: boolean; unlinked?: boolean };

/** The viewer's facility's (V's) link for the patient. */
const V_LINKS: TLinkCase[] = [
  { name: "none", linked: false },
  { name: "公開", linked: true, state: "PUBLISHED" },
  { name: "閲覧のみ", linked: true, state: "VIEW_ONLY" },
  { name: "非公開", linked: true, state: "UNPUBLISHED" },
  { name: "unlinked", linked: true, state: "PUBLISHED", unlinked: true },
];

/** The owner's (D's) link: publication and its scope 基本情報 / 診療情報. */
const D_LINKS: TLinkCase[] = [
  { name: "公開 基本+診療", linked: true, state: "PUBLISHED", shareBasic: true, shareClinical: true },
  { name: "公開 基本のみ", linked: true, state: "PUBLISHED", shareBasic: true, shareClinical: false },
  { name: "公開 診療のみ", linked: true, state: "PUBLISHED", shareBasic: false, shareClinical: true },
  { name: "閲覧のみ", linked: true, state: "VIEW_ONLY", shareBasic: true, shareClinical: true },
  { name: "非公開", linked: true, state: "UNPUBLISHED", shareBasic: true, shareClinical: true },
  { name: "unlinked", linked: true, state: "PUBLISHED", shareBasic: true, shareClinical: true, unlinked: true },
];

type TForm = Record<string, unknown>;
const FORM = { method: "WRITTEN", signer: "SELF", responsibleName: "連携 太郎", explainedByName: "説明 花子" };
const GRANTED = "2025-01-10";
const WITHDRAWN = "2025-06-01";
/** between the grant and the withdrawal; and now, after both */
const MID = new Date("2025-03-01T03:00:00Z");

const grantAll = (day = GRANTED): TForm => ({ ...FORM, action: "GRANT", scope: "COMPREHENSIVE", consentDate: day });
const grantFor = (ids: string[]): TForm => ({ ...FORM, action: "GRANT", scope: "FACILITIES", facilityIds: ids, consentDate: GRANTED });
const withdrawAll = (): TForm => ({ ...FORM, action: "WITHDRAW", scope: "COMPREHENSIVE", consentDate: WITHDRAWN, reason: "本人の申し出" });
const withdrawFor = (ids: string[]): TForm => ({ ...FORM, action: "WITHDRAW", scope: "FACILITIES", facilityIds: ids, consentDate: WITHDRAWN, reason: "本人の申し出" });

type TConsentCase = { name: string; first: () => TForm | null; then: () => TForm[] };

let V: string; // the viewing facility
let D: string; // the disclosing facility, owner of the contents
let C: string; // a third facility, always sharing: it must never lend V or D anything
let S: string; // the secretariat

const CONSENTS: TConsentCase[] = [
  { name: "包括", first: () => grantAll(), then: () => [] },
  { name: "V and D named", first: () => grantFor([V, D, C]), then: () => [] },
  { name: "D (and C) named, not V", first: () => grantFor([D, C]), then: () => [] },
  { name: "V (and C) named, not D", first: () => grantFor([V, C]), then: () => [] },
  { name: "包括, withdrawn for D", first: () => grantAll(), then: () => [withdrawFor([D])] },
  { name: "包括, withdrawn for V", first: () => grantAll(), then: () => [withdrawFor([V])] },
  { name: "包括, withdrawn whole", first: () => grantAll(), then: () => [withdrawAll()] },
  { name: "包括 dated ahead", first: () => grantAll(formatSeireki(new Date(todayInJapan().getTime() + 20 * 86_400_000))), then: () => [] },
  { name: "未同意", first: () => null, then: () => [] },
];

type TScenario = { label: string; patientId: string; regionalId: string; contents: { id: string; fileId: string; owner: string; category: string }[] };

type TViewerCase = { label: string; viewer: TViewer };

const CONTENT_DAY = "2025-02-15";
const at = new Date(`${CONTENT_DAY}T10:00:00+09:00`);
const PNG = Uint8Array.from(Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010806000000", "hex"));

let registrar: TViewer;
let viewers: TViewerCase[];
const scenarios: TScenario[] = [];
const facts = new Map<string, TPatientFacts>();

let seq = 0;

/** One patient of the matrix, written through the same mutations as the screens. */
async function scenario(v: TLinkCase, d: TLinkCase, c: TConsentCase): Promise<TScenario> {
  const n = ++seq;
  const fpid = (f: string) => `${f}${String(n).padStart(5, "0")}`;
  const links = [{ facilityId: D, facilityPatientId: fpid("D") }, { facilityId: C, facilityPatientId: fpid("C") }, ...(v.linked ? [{ facilityId: V, facilityPatientId: fpid("V") }] : [])];
  const first = c.first();
  const p = await registerPatient(
    registrar,
    ZRegisterPatient.parse({
      patient: { nameKanji: `行列 ${n}`, nameKana: `ギョウレツ タロウ`, sex: n % 2 ? "MALE" : "FEMALE", birthDate: "1950/04/01" },
      links,
      consent: first,
      confirmDuplicate: "on",
    }),
  );
  // each facility's items: D's of both kinds and both restrictions, V's and C's own
  const item = (owner: string, key: string, category: "LAB" | "PATIENT_INFO"): TContentDraft => ({
    facilityPatientId: fpid(owner === D ? "D" : owner === C ? "C" : "V"),
    category,
    occurredAt: at,
    title: `${category} ${key}`,
    payload: category === "LAB" ? { items: [{ code: "MX1", name: "行列検査", value: String(5 + (n % 3)), unit: "%", referenceRange: "4.6-6.2" }] } : { nameKanji: `行列 ${n}` },
    sourceKey: `${key}-${n}`,
    sourceVersion: "1",
    isDeleted: false,
    files: [{ fileName: `${key}.png`, contentType: "image/png", bytes: PNG }],
  });
  await importParsedMessage(D, { kind: "SSMIX2", dataType: "OUL-01", patient: null, contents: [item(D, "DL", "LAB"), item(D, "DLR", "LAB"), item(D, "DB", "PATIENT_INFO"), item(D, "DBR", "PATIENT_INFO")] });
  await importParsedMessage(C, { kind: "SSMIX2", dataType: "OUL-01", patient: null, contents: [item(C, "CL", "LAB")] });
  if (v.linked) await importParsedMessage(V, { kind: "SSMIX2", dataType: "OUL-01", patient: null, contents: [item(V, "VL", "LAB")] });
  await db().clinicalContent.updateMany({ where: { ownerFacilityId: D, sourceKey: { in: [`DLR-${n}`, `DBR-${n}`] } }, data: { restriction: "OWN_FACILITY" } });
  for (const f of c.then()) await recordConsent(registrar, p.id, ZConsentInput.parse(f));
  const linkOf = (facilityId: string) => db().facilityPatientLink.findFirstOrThrow({ where: { patientId: p.id, facilityId }, select: { id: true } });
  const publish = async (facilityId: string, l: TLinkCase) => {
    const published = l.state === "PUBLISHED";
    const shareBasic = l.shareBasic ?? published;
    const shareClinical = l.shareClinical ?? published;
    await setPublication(registrar, ZPublication.parse({ linkId: (await linkOf(facilityId)).id, publicationState: l.state, ...(shareBasic ? { shareBasic: "on" } : {}), ...(shareClinical ? { shareClinical: "on" } : {}) }));
  };
  await publish(D, d);
  if (v.linked) await publish(V, v);
  // unlinking detaches the facility's items from the patient (they stay, seen by nobody)
  if (d.unlinked) await unlinkFacilityPatient(registrar, ZUnlink.parse({ linkId: (await linkOf(D)).id, reason: "マトリクス" }));
  if (v.unlinked) await unlinkFacilityPatient(registrar, ZUnlink.parse({ linkId: (await linkOf(V)).id, reason: "マトリクス" }));
  const rows = await db().clinicalContent.findMany({
    where: { sourceKey: { endsWith: `-${n}` }, ownerFacilityId: { in: [D, C, V] } },
    select: { id: true, ownerFacilityId: true, category: true, sourceKey: true, payload: true },
    orderBy: { sourceKey: "asc" },
  });
  const regionalId = (await db().patient.findUniqueOrThrow({ where: { id: p.id }, select: { regionalId: true } })).regionalId;
  return {
    label: `V ${v.name} / D ${d.name} / ${c.name}`,
    patientId: p.id,
    regionalId,
    contents: rows.filter((r) => r.sourceKey.endsWith(`-${n}`)).map((r) => ({ id: r.id, owner: r.ownerFacilityId, category: r.category, fileId: (r.payload as { files: { id: string }[] }).files[0]!.id })),
  };
}

/* ---- comparing ---- */

type TTally = { cases: number; yes: number; no: number; wrong: string[] };
const tallies = new Map<string, TTally>();
const tally = (path: string) => tallies.get(path) ?? (tallies.set(path, { cases: 0, yes: 0, no: 0, wrong: [] }), tallies.get(path)!);

function check(path: string, label: string, expected: boolean, actual: boolean) {
  const t = tally(path);
  t.cases++;
  if (expected) t.yes++;
  else t.no++;
  if (expected !== actual) t.wrong.push(`${label}: oracle ${expected}, database ${actual}`);
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

/** The list paths (calendar, tab, cell, trend) and the patient paths (search, page) for one viewer, patient and instant. */
async function compareLists(s: TScenario, vc: TViewerCase, now: Date) {
  const f = facts.get(s.patientId)!;
  const who = `${s.label} | ${vc.label} | ${now === MID ? "mid" : "now"}`;
  const sees = canSeePatient(vc.viewer, f, now);
  const administers = canAdministerPatient(vc.viewer, f);
  const visible = (c: TScenario["contents"][number]) =>
    canSeeContent(vc.viewer, f, { ownerFacilityId: c.owner, kind: kindOfCategory(c.category), restriction: restrictionOf.get(c.id)!, isDeleted: false }, now);
  const labs = s.contents.filter((c) => c.category === "LAB");

  const found = await searchPatients(vc.viewer, { regionalId: s.regionalId }, now);
  check("patient: search", who, sees, found.rows.some((r) => r.id === s.patientId));
  const page = await attempt(getPatientPage(vc.viewer, s.patientId, now));
  check("patient: page", who, sees || administers, page !== null);
  if (page) {
    check("patient: page records", who, sees, page.canSeeRecords);
    check("patient: page registration", who, administers, page.canAdminister);
  }

  const tab = await attempt(listRecordTab(vc.viewer, s.patientId, { tab: "labs" }, now));
  const cell = await attempt(listCalendarCell(vc.viewer, s.patientId, { rowId: "lab", from: CONTENT_DAY, to: CONTENT_DAY }, now));
  const trend = await attempt(getLabTrend(vc.viewer, s.patientId, { keys: ["MX1"] }, now));
  const calendar = await attempt(getCalendar(vc.viewer, s.patientId, { zoom: "month", start: "2025-01-01" }, now));
  for (const [path, answer] of [["records: tab", tab], ["records: cell", cell], ["records: trend", trend], ["records: calendar", calendar]] as const) {
    check(`${path} (patient)`, who, sees, answer !== null);
  }
  const tabIds = new Set(tab?.items.map((i) => i.id));
  const cellIds = new Set(cell?.items.map((i) => i.id));
  const trendIds = new Set(trend?.series.flatMap((x) => x.points.map((p) => p.contentId)));
  const calendarByOwner = calendar?.grid.lab.find(Boolean)?.byFacility ?? {};
  for (const c of labs) {
    // a list shows an item when the viewer sees the patient and the item
    const expected = sees && visible(c) && isAttached.get(c.id)!;
    const item = `${who} | ${c.owner === D ? "D" : c.owner === C ? "C" : "V"} ${restrictionOf.get(c.id)}`;
    check("records: tab", item, expected, tabIds.has(c.id));
    check("records: cell", item, expected, cellIds.has(c.id));
    check("records: trend", item, expected, trendIds.has(c.id));
  }
  for (const owner of [D, C, V]) {
    const expected = sees ? labs.filter((c) => c.owner === owner && visible(c) && isAttached.get(c.id)).length : 0;
    const t = tally("records: calendar");
    t.cases++;
    if (expected > 0) t.yes++;
    else t.no++;
    const actual = calendarByOwner[owner] ?? 0;
    if (expected !== actual) t.wrong.push(`${who} | owner ${owner === D ? "D" : owner === C ? "C" : "V"}: oracle ${expected} items, database ${actual}`);
  }
}

/** The content paths (one content by id, one file of it) for one viewer and every content of the patient. */
async function compareContents(s: TScenario, vc: TViewerCase, now: Date) {
  const f = facts.get(s.patientId)!;
  for (const c of s.contents) {
    const expected = isAttached.get(c.id)! && canSeeContent(vc.viewer, f, { ownerFacilityId: c.owner, kind: kindOfCategory(c.category), restriction: restrictionOf.get(c.id)!, isDeleted: false }, now);
    const item = `${s.label} | ${vc.label} | ${c.owner === D ? "D" : c.owner === C ? "C" : "V"} ${c.category} ${restrictionOf.get(c.id)}`;
    check("content", item, expected, (await attempt(getContent(vc.viewer, c.id, { now }))) !== null);
    check("file", item, expected, (await attempt(getContentFile(vc.viewer, c.id, c.fileId, { now }))) !== null);
  }
}

const restrictionOf = new Map<string, "NONE" | "OWN_FACILITY">();
/** Items of an unlinked owner leave the patient (patient_id null): the oracle sees them through their facts, the gateway through their row. */
const isAttached = new Map<string, boolean>();

async function loadFacts() {
  for (const s of scenarios) {
    facts.set(s.patientId, await factsOf(s.patientId));
    const rows = await db().clinicalContent.findMany({ where: { id: { in: s.contents.map((c) => c.id) } }, select: { id: true, restriction: true, patientId: true } });
    for (const r of rows) {
      restrictionOf.set(r.id, r.restriction);
      isAttached.set(r.id, r.patientId !== null);
    }
  }
}

beforeAll(async () => {
  V = (await createFacility({ type: "CLINIC", nameKanji: "行列診療所" })).id;
  D = (await createFacility({ nameKanji: "行列病院" })).id;
  C = (await createFacility({ type: "PHARMACY", nameKanji: "行列薬局" })).id;
  S = (await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "行列事務局" })).id;
  registrar = await viewerFor((await createStaff({ facilityId: S, roles: ["SECRETARIAT"] })).user);
  const staff = async (label: string, facilityId: string, roles: StaffRole[]): Promise<TViewerCase> => ({ label, viewer: await viewerFor((await createStaff({ facilityId, roles })).user) });
  viewers = [
    await staff("V clinician", V, ["CLINICIAN"]),
    await staff("V liaison", V, ["LIAISON"]),
    await staff("V admin", V, ["FACILITY_ADMIN"]),
    await staff("D clinician", D, ["CLINICIAN"]),
    await staff("D admin+liaison", D, ["FACILITY_ADMIN", "LIAISON"]),
    await staff("C clinician", C, ["CLINICIAN"]),
    await staff("secretariat", S, ["SECRETARIAT"]),
  ];
  const combos = V_LINKS.flatMap((v) => D_LINKS.flatMap((d) => CONSENTS.map((c) => [v, d, c] as const)));
  await inBatches([...combos.entries()], 3, async ([i, [v, d, c]]) => {
    scenarios[i] = await scenario(v, d, c);
  });
  await loadFacts();
}, 600_000);

describe("the database agrees with the oracle on every path", () => {
  it("the patient, the records lists (link-resolved: calendar, cell, tab, trend), at two instants", async () => {
    const jobs = scenarios.flatMap((s) => viewers.flatMap((vc) => [MID, new Date()].map((now) => [s, vc, now] as const)));
    await inBatches(jobs, 8, ([s, vc, now]) => compareLists(s, vc, now));
    for (const path of ["patient: search", "patient: page", "records: tab", "records: cell", "records: trend", "records: calendar"]) {
      expect(tally(path).wrong.slice(0, 20), path).toEqual([]);
    }
  }, 900_000);

  it("one content and one file by id, for every content", async () => {
    const now = new Date();
    const jobs = scenarios.flatMap((s) => viewers.filter((vc) => vc.label !== "V liaison").map((vc) => [s, vc] as const));
    await inBatches(jobs, 8, ([s, vc]) => compareContents(s, vc, now));
    for (const path of ["content", "file"]) expect(tally(path).wrong.slice(0, 20), path).toEqual([]);
  }, 900_000);

  it("covered enough ground: thousands of cases per path, both answers often", () => {
    const summary = Object.fromEntries([...tallies].map(([path, t]) => [path, { cases: t.cases, yes: t.yes, no: t.no }]));
    console.log(`access matrix: ${scenarios.length} patients, ${viewers.length} viewers; cases per path ${JSON.stringify(summary)}`);
    for (const path of ["patient: search", "records: tab", "records: cell", "records: trend", "content", "file"]) {
      const t = tally(path);
      expect(t.cases, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThanOrEqual(2000);
      expect(t.yes / t.cases, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThan(0.1);
      expect(t.no / t.cases, `${path} ${JSON.stringify(summary[path])}`).toBeGreaterThan(0.1);
    }
    expect(scenarios.length).toBe(V_LINKS.length * D_LINKS.length * CONSENTS.length);
  });
});

/*
 * Mutants: the rule changed in the database (each undone at once) must make the matrix disagree
 * with the oracle — proof that the comparison above would catch a change to the rule.
 */
describe("a change to the rule in the database is caught", () => {
  const MUTANTS: { name: string; fn: string; body: string }[] = [
    {
      name: "restricted items shown to others",
      fn: `"chiikilink_content_visible"(owner_link UUID, restriction "ContentRestriction", category "ContentCategory", is_deleted BOOLEAN, own UUID[], basic UUID[], clinical UUID[]) RETURNS BOOLEAN`,
      body: `SELECT NOT is_deleted AND (owner_link = ANY (own) OR owner_link = ANY (CASE WHEN category = 'PATIENT_INFO' THEN basic ELSE clinical END))`,
    },
    {
      name: "閲覧のみ shares its data",
      fn: `"chiikilink_sharing_links"(t TIMESTAMPTZ) RETURNS TABLE (link_id UUID, patient_id UUID, facility_id UUID, shares_basic BOOLEAN, shares_clinical BOOLEAN)`,
      body: `SELECT l.id, l.patient_id, l.facility_id, l.share_basic, l.share_clinical FROM "facility_patient_links" l
              WHERE l.unlinked_at IS NULL AND l.publication_state IN ('PUBLISHED', 'VIEW_ONLY')
                AND EXISTS (SELECT 1 FROM "chiikilink_consented_links"(t) c WHERE c.link_id = l.id)`,
    },
    {
      name: "withdrawals ignored",
      fn: `"chiikilink_consented_links"(t TIMESTAMPTZ) RETURNS TABLE (link_id UUID, valid_from TIMESTAMPTZ)`,
      body: `SELECT c.link_id, c.valid_from FROM "link_consent_periods" c WHERE c.valid_from <= t`,
    },
    {
      name: "administrators read records",
      fn: `"chiikilink_reads_records"(roles TEXT[]) RETURNS BOOLEAN`,
      body: `SELECT roles && ARRAY['CLINICIAN', 'LIAISON', 'FACILITY_ADMIN']::TEXT[]`,
    },
  ];

  let originals: Map<string, string>;
  beforeAll(async () => {
    originals = new Map();
    for (const m of MUTANTS) {
      const name = m.fn.slice(1, m.fn.indexOf('"', 1));
      const [row] = await db().$queryRaw<{ def: string }[]>`SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.proname = ${name}`;
      originals.set(m.name, row!.def);
    }
  });
  afterAll(async () => {
    for (const def of originals.values()) await db().$executeRawUnsafe(def);
  });

  it.each(MUTANTS.map((m) => [m.name, m] as const))("%s", async (_name, m) => {
    const before = [...tallies.values()].reduce((n, t) => n + t.wrong.length, 0);
    await db().$executeRawUnsafe(`CREATE OR REPLACE FUNCTION ${m.fn} LANGUAGE sql STABLE AS $$ ${m.body} $$`);
    try {
      // every fifth patient of the matrix (5 is prime to the consent and link cases, so all of them occur), now
      const sample = scenarios.filter((_, i) => i % 5 === 0);
      await inBatches(
        sample.flatMap((s) => viewers.map((vc) => [s, vc] as const)),
        8,
        ([s, vc]) => compareLists(s, vc, new Date()),
      );
    } finally {
      await db().$executeRawUnsafe(originals.get(m.name)!);
    }
    const after = [...tallies.values()].reduce((n, t) => n + t.wrong.length, 0);
    expect(after - before, `the matrix did not notice "${m.name}"`).toBeGreaterThan(0);
  }, 600_000);
});
