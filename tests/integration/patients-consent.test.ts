import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccessType, PublicationState, StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { recordConsent, type TScanUpload } from "@/lib/consent/mutations";
import { getConsentHistory, getConsentScan } from "@/lib/consent/queries";
import { ZConsentInput } from "@/lib/consent/schema";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { AppError } from "@/lib/errors";
import {
  DuplicateWarning,
  linkFacilityPatient,
  registerPatient,
  setBookmark,
  setPublication,
  unlinkFacilityPatient,
  updatePatientInfo,
} from "@/lib/patients/mutations";
import {
  findDuplicates,
  getPatientPage,
  listBookmarks,
  listOwnFacilityPatients,
  listPatientRevisions,
  listRecentPatients,
  searchForRegistration,
  searchPatients,
} from "@/lib/patients/queries";
import { isValidRegionalId } from "@/lib/patients/regional-id";
import {
  ZAddLink,
  ZDuplicateCheck,
  ZOwnPatientFilter,
  ZPatientSearch,
  ZPublication,
  ZRegisterPatient,
  ZUnlink,
  ZUpdatePatient,
} from "@/lib/patients/schema";
import { getFacility } from "@/lib/facilities/queries";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/* ---- errors and the access log ---- */

/** Runs a data function and returns the AppError it must throw. */
async function appError(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}

const logCount = (viewer: TViewer, accessType: AccessType, patientId?: string | null) =>
  db().accessLog.count({ where: { userId: viewer.userId, accessType, ...(patientId === undefined ? {} : { patientId }) } });

/** Runs a read and checks it wrote exactly one access-log row of the given type. */
async function logged<T>(viewer: TViewer, accessType: AccessType, patientId: string | null | undefined, run: () => Promise<T>): Promise<T> {
  const before = await logCount(viewer, accessType, patientId);
  const result = await run();
  expect(await logCount(viewer, accessType, patientId), `one ${accessType} row`).toBe(before + 1);
  return result;
}

/** A refusal: "not found", and one DENIED row in the access log. */
async function refused(viewer: TViewer, run: () => Promise<unknown>, patientId?: string | null): Promise<AppError> {
  const before = await logCount(viewer, "DENIED", patientId);
  const error = await appError(run());
  expect(error.code).toBe("NOT_FOUND");
  expect(await logCount(viewer, "DENIED", patientId), "one DENIED row").toBe(before + 1);
  return error;
}

/* ---- people, names and facility patient IDs ---- */

let seq = 0;
const DIGIT_KANA = "アイウエオカキクケコ";
const DIGIT_KANJI = "〇一二三四五六七八九";
const HALF_WIDTH: Record<string, string> = {
  ア: "ｱ", イ: "ｲ", ウ: "ｳ", エ: "ｴ", オ: "ｵ", カ: "ｶ", キ: "ｷ", ク: "ｸ", ケ: "ｹ", コ: "ｺ", ヤ: "ﾔ", マ: "ﾏ", ハ: "ﾊ", ナ: "ﾅ",
};
const toHiragana = (s: string) => s.replace(/[\u30A1-\u30F6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
const toHalfWidth = (s: string) => [...s].map((c) => HALF_WIDTH[c] ?? c).join("");
const toFullWidthDigits = (s: string) => s.replace(/\d/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

const DAY = 24 * 3600_000;

type TPerson = { family: string; given: string; nameKana: string; nameKanji: string; kanjiTag: string; birthDate: string };

/** A person nobody else in this file shares a kana name, a kanji name or (by default) a birth date with. */
function person(birthDate?: string): TPerson {
  const n = ++seq;
  const digits = String(n).padStart(3, "0");
  const tag = [...digits].map((d) => DIGIT_KANA.charAt(Number(d))).join("");
  const kanjiTag = [...digits].map((d) => DIGIT_KANJI.charAt(Number(d))).join("");
  const family = `ヤマ${tag}`;
  const given = `ハナ${tag}`;
  return {
    family,
    given,
    nameKana: `${family} ${given}`,
    nameKanji: `山田${kanjiTag} 花子`,
    kanjiTag,
    birthDate: birthDate ?? formatSeireki(new Date(Date.UTC(1930, 0, 1) + n * DAY)),
  };
}

/** A facility patient ID (MRN) nobody else uses. */
const mrn = (prefix = "P") => `${prefix}${String(++seq).padStart(5, "0")}`;

const patientForm = (p: TPerson) => ({
  nameKanji: p.nameKanji,
  nameKana: p.nameKana,
  sex: "FEMALE",
  birthDate: p.birthDate,
  postalCode: "1000001",
  address: "東京都千代田区千代田1-1",
  phone: "03-1234-5678",
});

/* ---- consent forms (as the form posts them) ---- */

type TForm = Record<string, unknown>;

const form6 = { method: "WRITTEN", signer: "SELF", responsibleName: "連携 太郎", explainedByName: "説明 花子" };
const grantAll = (consentDate: string): TForm => ({ ...form6, action: "GRANT", scope: "COMPREHENSIVE", consentDate });
const grantFor = (facilityIds: string[], consentDate: string): TForm => ({ ...form6, action: "GRANT", scope: "FACILITIES", facilityIds, consentDate });
const withdrawAll = (consentDate: string): TForm => ({ ...form6, action: "WITHDRAW", scope: "COMPREHENSIVE", consentDate, reason: "患者の申し出" });
const withdrawFor = (facilityIds: string[], consentDate: string): TForm => ({
  ...form6,
  action: "WITHDRAW",
  scope: "FACILITIES",
  facilityIds,
  consentDate,
  reason: "転院のため",
});

/** A date some days ahead in Japan, as typed on a form. */
const daysAhead = (days: number) => formatSeireki(new Date(todayInJapan().getTime() + days * DAY));

/* ---- files ---- */

const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
const TEXT = new TextEncoder().encode("同意書（スキャンではない）\n");
const pdfScan = (): TScanUpload => ({ bytes: PDF, fileName: "consent.pdf" });

const fileStoreDir = () => process.env.FILE_STORE_DIR!;
const storedFiles = () =>
  fs
    .readdirSync(fileStoreDir(), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));

const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

/* ---- the region: facilities A (registers), B (linked), C (not linked) ---- */

let A: string;
let B: string;
let C: string;
let liaisonA: TViewer;
let clinicianA: TViewer;
let clinicianB: TViewer;
let adminB: TViewer;
let clinicianC: TViewer;
let liaisonC: TViewer;
let adminC: TViewer;

const staffAt = async (facilityId: string, roles: StaffRole[]) => viewerFor((await createStaff({ facilityId, roles })).user);

beforeAll(async () => {
  [A, B, C] = await Promise.all([
    createFacility({ nameKanji: "施設A総合病院" }).then((f) => f.id),
    createFacility({ nameKanji: "施設B診療所", type: "CLINIC" }).then((f) => f.id),
    createFacility({ nameKanji: "施設C薬局", type: "PHARMACY" }).then((f) => f.id),
  ]);
  [liaisonA, clinicianA, clinicianB, adminB, clinicianC, liaisonC, adminC] = await Promise.all([
    staffAt(A, ["LIAISON"]),
    staffAt(A, ["CLINICIAN"]),
    staffAt(B, ["CLINICIAN"]),
    staffAt(B, ["FACILITY_ADMIN"]),
    staffAt(C, ["CLINICIAN"]),
    staffAt(C, ["LIAISON"]),
    staffAt(C, ["FACILITY_ADMIN"]),
  ]);
});

/* ---- registration and the other mutations, through the schemas ---- */

type TRegistered = { id: string; regionalId: string; person: TPerson; mrns: Record<string, string> };

type TRegisterOptions = {
  person?: TPerson;
  /** facilities to link (default A and B), each with a fresh MRN unless given */
  links?: (string | { facilityId: string; facilityPatientId: string })[];
  consent?: TForm;
  confirmDuplicate?: boolean;
  scan?: TScanUpload;
  by?: TViewer;
};

function registrationInput(o: TRegisterOptions, p: TPerson) {
  const links = (o.links ?? [A, B]).map((l) => (typeof l === "string" ? { facilityId: l, facilityPatientId: mrn() } : l));
  return ZRegisterPatient.parse({
    patient: patientForm(p),
    links,
    consent: o.consent ?? grantAll("2025-01-10"),
    confirmDuplicate: o.confirmDuplicate ? "on" : undefined,
  });
}

async function register(o: TRegisterOptions = {}): Promise<TRegistered> {
  const p = o.person ?? person();
  const input = registrationInput(o, p);
  const { id, regionalId } = await registerPatient(o.by ?? liaisonA, input, o.scan ?? null);
  return { id, regionalId, person: p, mrns: Object.fromEntries(input.links.map((l) => [l.facilityId, l.facilityPatientId])) };
}

const consent = (patientId: string, f: TForm, scan: TScanUpload = null, by: TViewer = liaisonA) =>
  recordConsent(by, patientId, ZConsentInput.parse(f), scan);

const activeLink = (patientId: string, facilityId: string) =>
  db().facilityPatientLink.findFirstOrThrow({ where: { patientId, facilityId, unlinkedAt: null } });

const publish = (by: TViewer, linkId: string, publicationState: PublicationState, shareBasic = true, shareClinical = true) =>
  setPublication(
    by,
    ZPublication.parse({ linkId, publicationState, shareBasic: shareBasic ? "on" : undefined, shareClinical: shareClinical ? "on" : undefined }),
  );

const unlink = (by: TViewer, linkId: string, reason = "重複登録のため") => unlinkFacilityPatient(by, ZUnlink.parse({ linkId, reason }));

const link = (by: TViewer, patientId: string, facilityId: string, facilityPatientId: string) =>
  linkFacilityPatient(by, ZAddLink.parse({ patientId, facilityId, facilityPatientId }));

const search = (viewer: TViewer, query: TForm) => searchPatients(viewer, ZPatientSearch.parse(query));
const foundIds = async (viewer: TViewer, query: TForm) => (await search(viewer, query)).rows.map((r) => r.id);

/** The viewer sees the patient: in the search and on the patient page, with records. */
async function expectSees(viewer: TViewer, p: TRegistered) {
  expect(await foundIds(viewer, { regionalId: p.regionalId })).toEqual([p.id]);
  const page = await logged(viewer, "PATIENT_VIEW", p.id, () => getPatientPage(viewer, p.id));
  expect(page.canSeeRecords).toBe(true);
}

/** The viewer sees nothing of the patient: no search result; the page is "not found", logged as refused. */
async function expectBlind(viewer: TViewer, p: TRegistered) {
  const result = await logged(viewer, "PATIENT_SEARCH", undefined, () => search(viewer, { regionalId: p.regionalId }));
  expect(result.rows).toEqual([]);
  expect(result.total).toBe(0);
  await refused(viewer, () => getPatientPage(viewer, p.id), p.id);
}

/* ============================================================================================= */

describe("registration", () => {
  it("gives a checked regional ID and saves the patient, version 1, links, consent and its periods", async () => {
    const p = await register();
    expect(p.regionalId).toMatch(/^\d{10}$/);
    expect(isValidRegionalId(p.regionalId)).toBe(true);

    const row = await db().patient.findUniqueOrThrow({
      where: { id: p.id },
      include: {
        revisions: true,
        links: { include: { consentPeriods: true }, orderBy: { linkedAt: "asc" } },
        consentEvents: true,
      },
    });
    expect(row).toMatchObject({
      regionalId: p.regionalId,
      nameKana: p.person.nameKana,
      kanaKey: p.person.nameKana.replace(" ", ""),
      kanaGivenKey: p.person.given,
      postalCode: "100-0001",
      version: 1,
      createdByFacilityId: A,
      createdById: liaisonA.userId,
    });
    expect(row.revisions).toHaveLength(1);
    expect(row.revisions[0]).toMatchObject({ version: 1, changedById: liaisonA.userId, data: expect.objectContaining({ nameKana: p.person.nameKana }) });

    expect(row.links.map((l) => [l.facilityId, l.facilityPatientId, l.publicationState, l.unlinkedAt])).toEqual(
      expect.arrayContaining([
        [A, p.mrns[A], "PUBLISHED", null],
        [B, p.mrns[B], "PUBLISHED", null],
      ]),
    );
    expect(row.consentEvents).toHaveLength(1);
    const grant = row.consentEvents[0]!;
    expect(grant).toMatchObject({ action: "GRANT", scope: "COMPREHENSIVE", recordedById: liaisonA.userId, recordedByFacilityId: A });
    // Dated 2025-01-10: in force from 00:00 JST that day.
    expect(grant.effectiveAt.toISOString()).toBe("2025-01-09T15:00:00.000Z");
    for (const l of row.links) {
      expect(l.consentPeriods.map((c) => ({ validFrom: c.validFrom.toISOString(), validTo: c.validTo }))).toEqual([
        { validFrom: "2025-01-09T15:00:00.000Z", validTo: null },
      ]);
    }
  });

  it("regional IDs are unique and each one passes its check digit", async () => {
    const ids = await Promise.all([register(), register(), register()]);
    const regional = ids.map((p) => p.regionalId);
    expect(new Set(regional).size).toBe(3);
    expect(regional.every(isValidRegionalId)).toBe(true);
  });

  it("refuses a facility patient ID already taken and writes nothing, not even the scan", async () => {
    const first = await register({ links: [A] });
    const clash = person();
    const count = async () => ({
      patients: await db().patient.count(),
      events: await db().consentEvent.count(),
      links: await db().facilityPatientLink.count(),
      files: await db().storedFile.count(),
      onDisk: storedFiles().length,
    });
    const before = await count();

    const error = await appError(
      register({
        person: clash,
        links: [B, { facilityId: A, facilityPatientId: first.mrns[A]! }],
        confirmDuplicate: true,
        scan: pdfScan(),
      }),
    );
    expect(error.code).toBe("VALIDATION");
    expect(error.fieldErrors).toEqual({ "links.1.facilityPatientId": ["v.link.taken"] });
    expect(await count()).toEqual(before);
    expect(await db().patient.count({ where: { kanaKey: clash.nameKana.replace(" ", "") } })).toBe(0);
  });

  it("is for liaison staff and the secretariat, not clinicians", async () => {
    const error = await appError(registerPatient(clinicianA, registrationInput({}, person())));
    expect(error.code).toBe("FORBIDDEN");
  });

  it("the schema: the first consent must be a grant; one facility once", () => {
    const p = person();
    const parsed = ZRegisterPatient.safeParse({
      patient: patientForm(p),
      links: [
        { facilityId: A, facilityPatientId: "１２３" },
        { facilityId: A, facilityPatientId: "124" },
      ],
      consent: withdrawAll("2025-01-10"),
    });
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => `${i.path.join(".")}:${i.message}`);
    expect(paths).toEqual(expect.arrayContaining(["links.1.facilityId:v.link.facilityTwice", "consent.action:v.consent.action.grantFirst"]));
  });
});

describe("duplicate detection", () => {
  it("finds the same kana name and birth date, typed in hiragana or half-width katakana", async () => {
    const p = await register();
    for (const nameKana of [toHiragana(p.person.nameKana), toHalfWidth(p.person.nameKana), `${p.person.family}　${p.person.given}`]) {
      const check = ZDuplicateCheck.parse({ patient: { ...patientForm(p.person), nameKanji: "別人 表記", nameKana } });
      const found = await findDuplicates(liaisonC, check);
      expect(found.map((d) => [d.id, d.reasons]), nameKana).toEqual([[p.id, ["NAME_BIRTH"]]]);
      // Identifying fields only; the liaison at C does not manage this registration.
      expect(found[0]).toMatchObject({ regionalId: p.regionalId, canAdminister: false });
      expect(found[0]).not.toHaveProperty("address");
    }
    // Another birth date is another person.
    const other = ZDuplicateCheck.parse({ patient: { ...patientForm(p.person), birthDate: "1999/01/01" } });
    expect(await findDuplicates(liaisonA, other)).toEqual([]);
  });

  it("finds the same facility patient ID at the same facility only", async () => {
    const p = await register();
    const fresh = person();
    const sameId = ZDuplicateCheck.parse({ patient: patientForm(fresh), links: [{ facilityId: B, facilityPatientId: p.mrns[B] }] });
    const found = await findDuplicates(liaisonA, sameId);
    expect(found.map((d) => [d.id, d.reasons])).toEqual([[p.id, ["FACILITY_ID"]]]);
    expect(found[0]).toMatchObject({ matchedFacilityName: "施設B診療所", canAdminister: true });

    const otherFacility = ZDuplicateCheck.parse({ patient: patientForm(fresh), links: [{ facilityId: C, facilityPatientId: p.mrns[B] }] });
    expect(await findDuplicates(liaisonA, otherFacility)).toEqual([]);

    // Both reasons on one entry.
    const both = ZDuplicateCheck.parse({ patient: patientForm(p.person), links: [{ facilityId: A, facilityPatientId: p.mrns[A] }] });
    expect((await findDuplicates(liaisonA, both)).map((d) => [d.id, [...d.reasons].sort()])).toEqual([[p.id, ["FACILITY_ID", "NAME_BIRTH"]]]);
  });

  it("stops a registration with a warning until the liaison confirms", async () => {
    const p = await register();
    const before = await db().patient.count();
    const again = { person: { ...p.person, nameKanji: "山田 はな子", nameKana: toHalfWidth(p.person.nameKana) }, links: [C] };

    const warning = await appError(register(again));
    expect(warning).toBeInstanceOf(DuplicateWarning);
    expect(warning.code).toBe("CONFLICT");
    expect(warning.fieldErrors).toEqual({ _form: ["v.patient.duplicate"] });
    expect((warning as DuplicateWarning).duplicates.map((d) => d.id)).toEqual([p.id]);
    expect(await db().patient.count()).toBe(before);

    const confirmed = await register({ ...again, confirmDuplicate: true });
    expect(confirmed.id).not.toBe(p.id);
    expect(confirmed.regionalId).not.toBe(p.regionalId);
    expect(await db().patient.count()).toBe(before + 1);
  });
});

describe("PIX: facility patient IDs", () => {
  it("one facility ID names one patient, and a facility links a patient once", async () => {
    const p = await register({ links: [A] });
    const other = await register({ links: [B] });

    const taken = await appError(link(liaisonA, other.id, A, p.mrns[A]!));
    expect(taken.fieldErrors).toEqual({ "link.facilityPatientId": ["v.link.taken"] });

    const second = await appError(link(liaisonA, p.id, A, mrn()));
    expect(second.fieldErrors).toEqual({ "link.facilityId": ["v.link.facilityLinked"] });

    expect(await db().facilityPatientLink.count({ where: { patientId: { in: [p.id, other.id] }, facilityId: A } })).toBe(1);
  });

  it("an unlink needs a reason, keeps the history, and frees the ID for the same or another patient", async () => {
    const p = await register({ links: [A, B] });
    const other = await register({ links: [B] });
    const aLink = await activeLink(p.id, A);

    const noReason = ZUnlink.safeParse({ linkId: aLink.id, reason: "  " });
    expect(noReason.success).toBe(false);
    expect(noReason.error!.issues.map((i) => [i.path.join("."), i.message])).toEqual([["reason", "v.link.unlinkReason.required"]]);

    await unlink(liaisonA, aLink.id, "別患者のIDを誤って登録");
    expect(await db().facilityPatientLink.findUniqueOrThrow({ where: { id: aLink.id } })).toMatchObject({
      facilityPatientId: p.mrns[A],
      unlinkedById: liaisonA.userId,
      unlinkReason: "別患者のIDを誤って登録",
      unlinkedAt: expect.any(Date),
    });
    // Unlinking twice: the active link is gone.
    expect((await appError(unlink(liaisonA, aLink.id))).code).toBe("NOT_FOUND");

    // The same ID to another patient…
    const moved = await link(liaisonA, other.id, A, p.mrns[A]!);
    // …and, once unlinked there too, back to the first.
    await unlink(liaisonA, moved.id);
    const back = await link(liaisonA, p.id, A, p.mrns[A]!);

    const page = await getPatientPage(liaisonA, p.id);
    expect(page.links.map((l) => l.id)).toContain(back.id);
    expect(page.pastLinks.map((l) => [l.id, l.unlinkReason])).toEqual([[aLink.id, "別患者のIDを誤って登録"]]);
    expect(await db().facilityPatientLink.count({ where: { facilityId: A, facilityPatientId: p.mrns[A] } })).toBe(3);
    expect(await db().facilityPatientLink.count({ where: { facilityId: A, facilityPatientId: p.mrns[A], unlinkedAt: null } })).toBe(1);
  });

  it("a clinician cannot link or unlink", async () => {
    const p = await register({ links: [A] });
    expect((await appError(link(clinicianA, p.id, A, mrn()))).code).toBe("FORBIDDEN");
    const aLink = await activeLink(p.id, A);
    expect((await appError(unlink(clinicianA, aLink.id))).code).toBe("NOT_FOUND");
    expect((await db().facilityPatientLink.findUniqueOrThrow({ where: { id: aLink.id } })).unlinkedAt).toBeNull();
  });

  it("two liaisons linking the same facility ID at once: one wins, the other is told the ID is taken", async () => {
    const [first, second] = await Promise.all([register({ links: [B] }), register({ links: [B] })]);
    const fpid = mrn("R");
    const results = await Promise.allSettled([first, second].map((p) => link(liaisonA, p.id, A, fpid)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const loser = (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
    expect(loser).toBeInstanceOf(AppError);
    expect((loser as AppError).fieldErrors).toEqual({ "link.facilityPatientId": ["v.link.taken"] });
    expect(await db().facilityPatientLink.count({ where: { facilityId: A, facilityPatientId: fpid } })).toBe(1);

    // Two IDs of one facility for one patient at once: the patient lock lets only one through.
    const third = await register({ links: [B] });
    const both = await Promise.allSettled([mrn("S"), mrn("S")].map((id) => link(liaisonA, third.id, A, id)));
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(((both.find((r) => r.status === "rejected") as PromiseRejectedResult).reason as AppError).fieldErrors).toEqual({
      "link.facilityId": ["v.link.facilityLinked"],
    });
  });

  it("the database is the last word: its partial unique indexes refuse a second active link", async () => {
    const p = await register({ links: [A] });
    const other = await register({ links: [B] });
    const fpid = p.mrns[A]!;
    const insert = (patientId: string, facilityPatientId: string, unlinked: boolean) => db().$executeRaw`
      INSERT INTO facility_patient_links (id, patient_id, facility_id, facility_patient_id, unlinked_at)
      VALUES (gen_random_uuid(), ${patientId}::uuid, ${A}::uuid, ${facilityPatientId}, ${unlinked ? new Date() : null})`;

    // The same facility ID for another patient.
    await expect(insert(other.id, fpid, false)).rejects.toThrow(/facility_patient_links_active_fpid_key|unique/i);
    // A second ID of the same facility for the same patient.
    await expect(insert(p.id, mrn(), false)).rejects.toThrow(/facility_patient_links_active_patient_key|unique/i);
    // History rows do not count.
    await expect(insert(other.id, fpid, true)).resolves.toBe(1);
    expect(await db().facilityPatientLink.count({ where: { facilityId: A, facilityPatientId: fpid, unlinkedAt: null } })).toBe(1);
  });
});

describe("consent history", () => {
  it("grant, withdrawal, re-consent: the state at any past moment", async () => {
    const p = await register({ links: [A, B] });
    await consent(p.id, withdrawAll("2025-06-01"));
    await consent(p.id, grantAll("R7/09/01"));

    const history = await logged(liaisonA, "PATIENT_ADMIN_VIEW", p.id, () => getConsentHistory(liaisonA, p.id));
    expect(history.events.map((e) => [e.action, e.scope, e.effectiveAt.toISOString(), e.isPending])).toEqual([
      ["GRANT", "COMPREHENSIVE", "2025-01-09T15:00:00.000Z", false],
      ["WITHDRAW", "COMPREHENSIVE", "2025-05-31T15:00:00.000Z", false],
      ["GRANT", "COMPREHENSIVE", "2025-08-31T15:00:00.000Z", false],
    ]);
    expect(history.events[1]).toMatchObject({ reason: "患者の申し出", recordedByFacilityName: "施設A総合病院", obtainedAtFacilityName: "施設A総合病院" });

    const at = async (iso: string) => (await getConsentHistory(liaisonA, p.id, new Date(iso))).summary;
    expect(await at("2025-01-09T14:59:59.999Z")).toMatchObject({ isComprehensive: false, coversViewer: false });
    expect(await at("2025-01-09T15:00:00.000Z")).toMatchObject({ isComprehensive: true, coversViewer: true });
    expect(await at("2025-03-01T00:00:00.000Z")).toMatchObject({ isComprehensive: true, coversViewer: true });
    expect(await at("2025-05-31T14:59:59.999Z")).toMatchObject({ isComprehensive: true });
    expect(await at("2025-05-31T15:00:00.000Z")).toMatchObject({ isComprehensive: false, coversViewer: false });
    expect(await at("2025-07-15T00:00:00.000Z")).toMatchObject({ isComprehensive: false });
    expect(await at("2025-10-01T00:00:00.000Z")).toMatchObject({ isComprehensive: true, coversViewer: true });
    expect((await at("2025-07-15T00:00:00.000Z")).included).toEqual([]);

    // Every link carries the same derived periods.
    const periods = await db().linkConsentPeriod.findMany({ where: { link: { patientId: p.id, facilityId: B } }, orderBy: { validFrom: "asc" } });
    expect(periods.map((r) => [r.validFrom.toISOString(), r.validTo?.toISOString() ?? null])).toEqual([
      ["2025-01-09T15:00:00.000Z", "2025-05-31T15:00:00.000Z"],
      ["2025-08-31T15:00:00.000Z", null],
    ]);

    // The rule follows the history: B's clinician saw the patient in March, not in July.
    expect((await getPatientPage(clinicianB, p.id, new Date("2025-03-01T00:00:00Z"))).canSeeRecords).toBe(true);
    await refused(clinicianB, () => getPatientPage(clinicianB, p.id, new Date("2025-07-15T00:00:00Z")), p.id);
    expect((await getPatientPage(clinicianB, p.id)).canSeeRecords).toBe(true);
  });

  it("a withdrawal for one facility under a comprehensive consent, and its re-consent", async () => {
    const p = await register({ links: [A, B] });
    await consent(p.id, withdrawFor([B], "2025-06-01"));

    const now = await getConsentHistory(liaisonA, p.id);
    expect(now.summary).toMatchObject({ isComprehensive: true, coversViewer: true, included: [], excluded: [{ id: B, name: "施設B診療所" }] });
    expect(now.events[1]).toMatchObject({ action: "WITHDRAW", scope: "FACILITIES", facilities: [{ id: B, name: "施設B診療所" }] });
    expect((await getConsentHistory(liaisonA, p.id, new Date("2025-03-01T00:00:00Z"))).summary.excluded).toEqual([]);

    const inForce = async () => Object.fromEntries((await getPatientPage(liaisonA, p.id)).links.map((l) => [l.facilityId, l.isConsentInForce]));
    expect(await inForce()).toEqual({ [A]: true, [B]: false });

    await consent(p.id, grantFor([B], "2025-09-01"));
    expect((await getConsentHistory(liaisonA, p.id)).summary).toMatchObject({ isComprehensive: true, excluded: [] });
    expect(await inForce()).toEqual({ [A]: true, [B]: true });
  });

  it("a consent dated ahead is recorded but pending", async () => {
    const ahead = daysAhead(30);
    const p = await register({ links: [A, B], consent: grantAll(ahead) });
    const history = await getConsentHistory(liaisonA, p.id);
    expect(history.events.map((e) => e.isPending)).toEqual([true]);
    expect(history.summary).toMatchObject({ isComprehensive: false, coversViewer: false });
    expect((await getConsentHistory(liaisonA, p.id, new Date(Date.now() + 31 * DAY))).summary.isComprehensive).toBe(true);

    await expectBlind(clinicianB, p);
    const page = await logged(liaisonA, "PATIENT_ADMIN_VIEW", p.id, () => getPatientPage(liaisonA, p.id));
    expect(page).toMatchObject({ canSeeRecords: false, canAdminister: true });
    expect(page.links.every((l) => !l.isConsentInForce)).toBe(true);
  });

  it("a consent dated today takes effect from the moment it is recorded", async () => {
    const p = await register({ links: [A, B], consent: grantAll(formatSeireki(todayInJapan())) });
    const [event] = (await getConsentHistory(liaisonA, p.id)).events;
    expect(event!.effectiveAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - event!.effectiveAt.getTime()).toBeLessThan(60_000);
    await expectSees(clinicianB, p);
  });

  it("consent events are append-only: the database refuses UPDATE and DELETE", async () => {
    const p = await register({ links: [A] });
    const [event] = await db().consentEvent.findMany({ where: { patientId: p.id } });
    await expect(db().$executeRaw`UPDATE consent_events SET note = 'changed' WHERE id = ${event!.id}::uuid`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM consent_events WHERE id = ${event!.id}::uuid`).rejects.toThrow(/append-only/);
    const named = await register({ links: [A], consent: grantFor([A, B], "2025-01-10") });
    await expect(db().$executeRaw`DELETE FROM consent_event_facilities WHERE facility_id = ${B}::uuid`).rejects.toThrow(/append-only/);
    expect(await db().consentEvent.findUniqueOrThrow({ where: { id: event!.id } })).toMatchObject({ note: null });
    expect(await db().consentEventFacility.count({ where: { event: { patientId: named.id } } })).toBe(2);
  });

  it("the access log is append-only too", async () => {
    await search(clinicianA, { regionalId: "1000000010" });
    await expect(db().$executeRaw`UPDATE access_logs SET detail = 'x' WHERE user_id = ${clinicianA.userId}::uuid`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM access_logs WHERE user_id = ${clinicianA.userId}::uuid`).rejects.toThrow(/append-only/);
  });

  it("a withdrawal needs a reason, a per-facility form needs facilities, a proxy needs name and relation", () => {
    const errors = (f: TForm) => {
      const r = ZConsentInput.safeParse(f);
      return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
    };
    expect(errors({ ...withdrawAll("2025-01-10"), reason: "" })).toEqual({ reason: "v.consent.reason.required" });
    expect(errors(grantFor([], "2025-01-10"))).toEqual({ facilityIds: "v.consent.facilityIds.required" });
    expect(errors({ ...grantAll("2025-01-10"), signer: "PROXY" })).toEqual({
      signerName: "v.consent.signerName.required",
      proxyRelationship: "v.consent.proxyRelationship.required",
    });
    expect(errors(grantAll("2025-02-30"))).toEqual({ consentDate: "v.date.format" });
  });
});

describe("the visibility rule through the real queries", () => {
  let shared: TRegistered;

  beforeAll(async () => {
    shared = await register({ person: person("1966/06/06"), links: [A, B], scan: pdfScan() });
  });

  it("B's clinician finds the patient by kana, kanji, regional ID and birth date", async () => {
    const { person: p } = shared;
    const queries: TForm[] = [
      { name: toHiragana(p.nameKana) },
      { name: toHiragana(p.family.slice(0, -1)) },
      { name: toHiragana(p.given.slice(0, -1)) },
      { name: toHalfWidth(p.nameKana) },
      { name: toHalfWidth(p.family) },
      { name: `田${p.kanjiTag}` },
      { name: `山田${p.kanjiTag} 花子` },
      { regionalId: shared.regionalId },
      { regionalId: toFullWidthDigits(`${shared.regionalId.slice(0, 5)}-${shared.regionalId.slice(5)}`) },
      { birthDate: "S41/06/06" },
      { birthDate: "昭和41年6月6日", sex: "FEMALE" },
      { facilityPatientId: shared.mrns[B] },
      { facilityId: A, facilityPatientId: shared.mrns[A] },
    ];
    const searchesBefore = await logCount(clinicianB, "PATIENT_SEARCH");
    for (const q of queries) {
      const result = await search(clinicianB, q);
      expect(result.rows.map((r) => r.id), JSON.stringify(q)).toContain(shared.id);
    }
    expect(await logCount(clinicianB, "PATIENT_SEARCH")).toBe(searchesBefore + queries.length);

    const [row] = (await search(clinicianB, { regionalId: shared.regionalId })).rows;
    expect(row).toMatchObject({
      regionalId: shared.regionalId,
      nameKanji: p.nameKanji,
      nameKana: p.nameKana,
      facilityPatientId: shared.mrns[B],
      postalCode: "100-0001",
      birth: { iso: "1966-06-06", wareki: "S41/06/06", seireki: "1966/06/06" },
    });
    // A birth date and sex that do not match find nothing.
    expect(await foundIds(clinicianB, { regionalId: shared.regionalId, sex: "MALE" })).toEqual([]);
    expect(await foundIds(clinicianB, { name: toHiragana(p.family), birthDate: "S41/06/07" })).toEqual([]);
  });

  it("B's clinician opens the page; A's liaison and clinician too", async () => {
    const page = await logged(clinicianB, "PATIENT_VIEW", shared.id, () => getPatientPage(clinicianB, shared.id));
    expect(page).toMatchObject({ canSeeRecords: true, canAdminister: false, pastLinks: [] });
    expect(page.header).toMatchObject({ regionalId: shared.regionalId, address: "東京都千代田区千代田1-1", version: 1 });
    expect(page.links.map((l) => l.facilityId).sort()).toEqual([A, B].sort());
    expect(page.links.find((l) => l.facilityId === B)).toMatchObject({ canPublish: false, canUnlink: false, isConsentInForce: true });

    const forLiaison = await logged(liaisonA, "PATIENT_VIEW", shared.id, () => getPatientPage(liaisonA, shared.id));
    expect(forLiaison).toMatchObject({ canSeeRecords: true, canAdminister: true });
    await expectSees(clinicianA, shared);

    const history = await getConsentHistory(clinicianB, shared.id);
    expect(history.summary).toMatchObject({ isComprehensive: true, coversViewer: true });
  });

  it("C (not linked) sees nothing: no results, 'not found' for every way of asking, each refusal logged", async () => {
    const { person: p } = shared;
    for (const q of [{ name: toHiragana(p.nameKana) }, { regionalId: shared.regionalId }, { birthDate: "S41/06/06" }, { name: `田${p.kanjiTag}` }]) {
      const result = await logged(clinicianC, "PATIENT_SEARCH", undefined, () => search(clinicianC, q));
      expect(result.rows.map((r) => r.id), JSON.stringify(q)).not.toContain(shared.id);
    }
    expect((await search(clinicianC, { regionalId: shared.regionalId })).total).toBe(0);

    const real = await refused(clinicianC, () => getPatientPage(clinicianC, shared.id), shared.id);
    const random = await refused(clinicianC, () => getPatientPage(clinicianC, crypto.randomUUID()), null);
    const garbage = await refused(clinicianC, () => getPatientPage(clinicianC, "../../etc/passwd"), null);
    // The three refusals say the same thing: nothing tells whether the patient exists.
    expect(new Set([real.message, random.message, garbage.message]).size).toBe(1);

    await refused(clinicianC, () => getConsentHistory(clinicianC, shared.id), undefined);
    await refused(clinicianC, () => getConsentHistory(clinicianC, "nope"), undefined);
    const [event] = await db().consentEvent.findMany({ where: { patientId: shared.id } });
    expect(event!.scanFileId).not.toBeNull();
    await refused(clinicianC, () => getConsentScan(clinicianC, event!.id), shared.id);
    await refused(clinicianC, () => getConsentScan(clinicianC, crypto.randomUUID()), null);
    await refused(liaisonC, () => getConsentScan(liaisonC, event!.id), shared.id);
    await refused(adminC, () => getPatientPage(adminC, shared.id), shared.id);
  });

  it("an administrator without a clinical role at B cannot see the patient", async () => {
    expect((await search(adminB, { regionalId: shared.regionalId })).rows).toEqual([]);
    await refused(adminB, () => getPatientPage(adminB, shared.id), shared.id);
    await refused(adminB, () => getConsentHistory(adminB, shared.id), undefined);
  });

  it("after a withdrawal of the whole consent B sees nothing; A's liaison still manages the registration", async () => {
    const p = await register({ links: [A, B] });
    await expectSees(clinicianB, p);
    await consent(p.id, withdrawAll("2025-06-01"));
    await expectBlind(clinicianB, p);
    await expectBlind(clinicianA, p);
    await refused(clinicianB, () => getConsentHistory(clinicianB, p.id), undefined);

    const page = await logged(liaisonA, "PATIENT_ADMIN_VIEW", p.id, () => getPatientPage(liaisonA, p.id));
    expect(page).toMatchObject({ canSeeRecords: false, canAdminister: true, isBookmarked: false });
    expect(page.links).toHaveLength(2);
    expect(page.links.every((l) => !l.isConsentInForce)).toBe(true);
  });

  it("after a withdrawal for B only, B sees nothing and A still does", async () => {
    const p = await register({ links: [A, B] });
    await consent(p.id, withdrawFor([B], "2025-06-01"));
    await expectBlind(clinicianB, p);
    await expectSees(clinicianA, p);
    // A's clinician is no longer shown B's link (its consent is not in force), only its own.
    expect((await getPatientPage(clinicianA, p.id)).links.map((l) => l.facilityId)).toEqual([A]);
  });

  it("UNPUBLISHED on B's link hides the patient from B; VIEW_ONLY still lets B see", async () => {
    const p = await register({ links: [A, B] });
    const bLink = await activeLink(p.id, B);
    await publish(adminB, bLink.id, "UNPUBLISHED", false, false);
    await expectBlind(clinicianB, p);
    await expectSees(clinicianA, p);
    await publish(adminB, bLink.id, "VIEW_ONLY", false, false);
    await expectSees(clinicianB, p);
    await publish(adminB, bLink.id, "PUBLISHED");
    await expectSees(clinicianB, p);
  });

  it("a per-facility consent covers only the facilities it names", async () => {
    const p = await register({ links: [A, B, C], consent: grantFor([A, C], "2025-01-10") });
    await expectSees(clinicianA, p);
    await expectSees(clinicianC, p);
    await expectBlind(clinicianB, p);
    await consent(p.id, grantFor([B], "2025-02-01"));
    await expectSees(clinicianB, p);
  });

  it("an unlinked facility loses sight of the patient at once", async () => {
    const p = await register({ links: [A, B] });
    await expectSees(clinicianB, p);
    await unlink(liaisonA, (await activeLink(p.id, B)).id);
    await expectBlind(clinicianB, p);
    await expectSees(clinicianA, p);
  });
});

describe("registration search and adding a facility later", () => {
  it("a liaison anywhere finds a registered patient by identifying fields only; a clinician may not", async () => {
    const p = await register({ links: [A, B] });
    const result = await logged(liaisonC, "REGISTRATION_SEARCH", undefined, () =>
      searchForRegistration(liaisonC, ZPatientSearch.parse({ name: toHiragana(p.person.nameKana), birthDate: p.person.birthDate, mode: "registration" })),
    );
    expect(result.rows).toHaveLength(1);
    const [row] = result.rows;
    expect(Object.keys(row!).sort()).toEqual(["birth", "canAdminister", "id", "nameKana", "nameKanji", "ownFacilityPatientId", "regionalId", "sex"]);
    expect(row).toMatchObject({ id: p.id, regionalId: p.regionalId, ownFacilityPatientId: null, canAdminister: false });

    expect((await appError(searchForRegistration(clinicianA, ZPatientSearch.parse({ regionalId: p.regionalId })))).code).toBe("FORBIDDEN");
    expect((await appError(searchForRegistration(adminB, ZPatientSearch.parse({ regionalId: p.regionalId })))).code).toBe("FORBIDDEN");
  });

  it("C's liaison links C's own ID; the standing comprehensive consent covers C at once", async () => {
    const p = await register({ links: [A, B] });
    await expectBlind(clinicianC, p);

    const cId = mrn("C");
    const { id: linkId } = await link(liaisonC, p.id, C, cId);
    expect(await db().facilityPatientLink.findUniqueOrThrow({ where: { id: linkId }, include: { consentPeriods: true } })).toMatchObject({
      facilityId: C,
      facilityPatientId: cId,
      linkedById: liaisonC.userId,
      linkedByFacilityId: C,
      consentPeriods: [{ validFrom: new Date("2025-01-09T15:00:00.000Z"), validTo: null }],
    });
    await expectSees(clinicianC, p);
    expect((await search(clinicianC, { facilityPatientId: cId })).rows.map((r) => [r.id, r.facilityPatientId])).toEqual([[p.id, cId]]);

    const [row] = (await searchForRegistration(liaisonC, ZPatientSearch.parse({ regionalId: p.regionalId }))).rows;
    expect(row).toMatchObject({ ownFacilityPatientId: cId, canAdminister: true });
  });

  it("a liaison who does not manage the patient cannot link another facility's ID", async () => {
    const p = await register({ links: [A] });
    const before = await db().facilityPatientLink.count({ where: { patientId: p.id } });
    expect((await appError(link(liaisonC, p.id, B, mrn()))).code).toBe("NOT_FOUND");
    expect((await appError(link(liaisonC, crypto.randomUUID(), C, mrn()))).code).toBe("NOT_FOUND");
    expect(await db().facilityPatientLink.count({ where: { patientId: p.id } })).toBe(before);
    // A's liaison (who registered the patient) may.
    await link(liaisonA, p.id, B, mrn());
    expect(await db().facilityPatientLink.count({ where: { patientId: p.id } })).toBe(before + 1);
  });

  it("consent is recorded only by those who manage the registration", async () => {
    const p = await register({ links: [A, B] });
    expect((await appError(consent(p.id, withdrawAll("2025-06-01"), null, liaisonC))).code).toBe("NOT_FOUND");
    expect((await appError(consent(p.id, withdrawAll("2025-06-01"), null, clinicianA))).code).toBe("NOT_FOUND");
    expect((await appError(consent("not-a-uuid", withdrawAll("2025-06-01")))).code).toBe("NOT_FOUND");
    expect(await db().consentEvent.count({ where: { patientId: p.id } })).toBe(1);
  });
});

describe("publication and the own-facility list", () => {
  it("B's administrator sets B's link; C's administrator cannot", async () => {
    const p = await register({ links: [A, B] });
    const bLink = await activeLink(p.id, B);
    await publish(adminB, bLink.id, "PUBLISHED", true, false);
    expect(await db().facilityPatientLink.findUniqueOrThrow({ where: { id: bLink.id } })).toMatchObject({
      publicationState: "PUBLISHED",
      shareBasic: true,
      shareClinical: false,
      publicationChangedById: adminB.userId,
      publicationChangedAt: expect.any(Date),
    });

    expect((await appError(publish(adminC, bLink.id, "UNPUBLISHED", false, false))).code).toBe("NOT_FOUND");
    expect((await appError(publish(clinicianB, bLink.id, "UNPUBLISHED", false, false))).code).toBe("NOT_FOUND");
    expect((await appError(publish(adminB, crypto.randomUUID(), "UNPUBLISHED", false, false))).code).toBe("NOT_FOUND");
    expect((await db().facilityPatientLink.findUniqueOrThrow({ where: { id: bLink.id } })).publicationState).toBe("PUBLISHED");

    const noScope = ZPublication.safeParse({ linkId: bLink.id, publicationState: "PUBLISHED" });
    expect(noScope.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["shareBasic", "v.link.scope.required"]]);
  });

  it("A's list shows its patients with whether consent is in force, and filters by it", async () => {
    const consented = await register({ links: [A, B] });
    const notYet = await register({ links: [A, B], consent: grantFor([B], "2025-01-10") });
    const list = (patch: TForm, viewer: TViewer = clinicianA) => listOwnFacilityPatients(viewer, ZOwnPatientFilter.parse(patch));

    const all = await logged(clinicianA, "OWN_PATIENT_LIST", undefined, () => list({ name: "やま" + consented.person.family.slice(2) }));
    expect(all.facilityId).toBe(A);
    expect(all.rows.map((r) => [r.patientId, r.facilityPatientId, r.isConsentInForce])).toEqual([[consented.id, consented.mrns[A], true]]);
    expect(all.rows[0]).toMatchObject({ regionalId: consented.regionalId, publicationState: "PUBLISHED", address: "〒100-0001 東京都千代田区千代田1-1" });

    expect((await list({ name: notYet.person.nameKana })).rows.map((r) => [r.patientId, r.isConsentInForce])).toEqual([[notYet.id, false]]);
    expect((await list({ name: notYet.person.nameKana, consent: "none" })).rows.map((r) => r.patientId)).toEqual([notYet.id]);
    expect((await list({ name: notYet.person.nameKana, consent: "consented" })).rows).toEqual([]);
    expect((await list({ name: consented.person.nameKana, consent: "none" })).rows).toEqual([]);
    expect((await list({ facilityPatientId: consented.mrns[A] })).rows.map((r) => r.patientId)).toContain(consented.id);

    // Only the viewer's own facility: B's administrator sees B's IDs, never A's list.
    const forB = await list({ name: consented.person.nameKana, facilityId: A }, adminB);
    expect(forB.facilityId).toBe(B);
    expect(forB.rows.map((r) => r.facilityPatientId)).toEqual([consented.mrns[B]]);
  });
});

describe("bookmarks and recently viewed patients", () => {
  it("a bookmark shows while the patient is visible and hides after a withdrawal", async () => {
    const p = await register({ links: [A, B] });
    await setBookmark(clinicianB, p.id, true);
    await setBookmark(clinicianB, p.id, true);
    expect((await listBookmarks(clinicianB)).map((b) => b.id)).toContain(p.id);
    expect((await getPatientPage(clinicianB, p.id)).isBookmarked).toBe(true);

    await consent(p.id, withdrawAll("2025-06-01"));
    expect((await listBookmarks(clinicianB)).map((b) => b.id)).not.toContain(p.id);
    // The row stays; a re-consent shows it again.
    await consent(p.id, grantAll("2025-09-01"));
    expect((await listBookmarks(clinicianB)).map((b) => b.id)).toContain(p.id);

    await setBookmark(clinicianB, p.id, false);
    expect((await listBookmarks(clinicianB)).map((b) => b.id)).not.toContain(p.id);
  });

  it("a patient the viewer cannot see cannot be bookmarked", async () => {
    const p = await register({ links: [A, B] });
    expect((await appError(setBookmark(clinicianC, p.id, true))).code).toBe("NOT_FOUND");
    expect((await appError(setBookmark(adminB, p.id, true))).code).toBe("NOT_FOUND");
    expect((await appError(setBookmark(clinicianC, "nope", true))).code).toBe("NOT_FOUND");
    expect(await db().patientBookmark.count({ where: { patientId: p.id } })).toBe(0);
  });

  it("lists recently viewed patients, newest first, still visible only", async () => {
    const reader = await staffAt(B, ["CLINICIAN"]);
    const first = await register({ links: [A, B] });
    const second = await register({ links: [A, B] });
    expect(await listRecentPatients(reader)).toEqual([]);

    await getPatientPage(reader, first.id);
    await new Promise((r) => setTimeout(r, 10));
    await getPatientPage(reader, second.id);
    await new Promise((r) => setTimeout(r, 10));
    await getPatientPage(reader, first.id);
    expect((await listRecentPatients(reader)).map((p) => p.id)).toEqual([first.id, second.id]);

    await consent(second.id, withdrawFor([B], "2025-06-01"));
    expect((await listRecentPatients(reader)).map((p) => p.id)).toEqual([first.id]);
  });
});

describe("editing personal information", () => {
  const edit = (p: TRegistered, patch: TForm) => ZUpdatePatient.parse({ ...patientForm(p.person), ...patch });

  it("saves a new version and keeps the previous one in the revision history", async () => {
    const p = await register({ links: [A, B] });
    const result = await updatePatientInfo(liaisonA, p.id, edit(p, { address: "東京都港区芝公園4-2-8", mobilePhone: "090-1234-5678", version: "1", reason: "転居" }));
    expect(result).toEqual({ version: 2 });

    const page = await getPatientPage(clinicianB, p.id);
    expect(page.header).toMatchObject({ version: 2, address: "東京都港区芝公園4-2-8", mobilePhone: "090-1234-5678" });

    const revisions = await logged(liaisonA, "PATIENT_ADMIN_VIEW", p.id, () => listPatientRevisions(liaisonA, p.id));
    expect(revisions.map((r) => r.version)).toEqual([2, 1]);
    expect(revisions[0]).toMatchObject({ reason: "転居", changedByName: liaisonA.name });
    expect(revisions[0]!.changes).toEqual([
      { field: "address", before: "東京都千代田区千代田1-1", after: "東京都港区芝公園4-2-8" },
      { field: "mobilePhone", before: "", after: "090-1234-5678" },
    ]);
    expect(revisions[1]!.changes.map((c) => c.field)).toEqual(expect.arrayContaining(["nameKanji", "nameKana", "sex", "birthDate", "address"]));

    // A name change typed in hiragana updates the search keys too.
    const renamed = person(p.person.birthDate);
    await updatePatientInfo(liaisonA, p.id, edit(p, { nameKana: toHiragana(renamed.nameKana), version: 2 }));
    expect(await foundIds(clinicianB, { name: toHiragana(renamed.given) })).toEqual([p.id]);
    expect(await foundIds(clinicianB, { name: toHiragana(p.person.nameKana) })).toEqual([]);
  });

  it("refuses a save over a newer version, and editors who do not manage the registration", async () => {
    const p = await register({ links: [A, B] });
    await updatePatientInfo(liaisonA, p.id, edit(p, { phone: "03-9999-0000", version: 1 }));
    const stale = await appError(updatePatientInfo(liaisonA, p.id, edit(p, { phone: "03-1111-0000", version: 1 })));
    expect(stale.code).toBe("CONFLICT");
    expect(stale.fieldErrors).toEqual({ _form: ["v.patient.stale"] });

    expect((await appError(updatePatientInfo(clinicianB, p.id, edit(p, { version: 2 })))).code).toBe("NOT_FOUND");
    expect((await appError(updatePatientInfo(liaisonC, p.id, edit(p, { version: 2 })))).code).toBe("NOT_FOUND");
    expect((await appError(listPatientRevisions(clinicianB, p.id))).code).toBe("NOT_FOUND");
    expect(await db().patient.findUniqueOrThrow({ where: { id: p.id } })).toMatchObject({ version: 2, phone: "03-9999-0000" });
    expect(await db().patientRevision.count({ where: { patientId: p.id } })).toBe(2);
  });
});

describe("consent scans", () => {
  it("stores a PDF by content with its SHA-256 and returns it to those who may read the consent", async () => {
    const p = await register({ links: [A, B] });
    const { id: eventId } = await consent(p.id, withdrawFor([B], "2025-06-01"), { bytes: PDF, fileName: "停止届.pdf" });

    const event = await db().consentEvent.findUniqueOrThrow({ where: { id: eventId }, include: { scanFile: true } });
    expect(event.scanFile).toMatchObject({ fileName: "停止届.pdf", contentType: "application/pdf", size: PDF.byteLength, sha256: sha256(PDF) });
    const onDisk = path.join(fileStoreDir(), event.scanFile!.storageKey);
    expect(fs.existsSync(onDisk)).toBe(true);
    expect(new Uint8Array(fs.readFileSync(onDisk))).toEqual(PDF);

    const scan = await logged(liaisonA, "CONSENT_SCAN_VIEW", p.id, () => getConsentScan(liaisonA, eventId));
    expect(scan).toMatchObject({ fileName: "停止届.pdf", contentType: "application/pdf" });
    expect(new Uint8Array(scan.bytes)).toEqual(PDF);
    expect((await getConsentHistory(liaisonA, p.id)).events[1]!.scan).toEqual({ fileName: "停止届.pdf", contentType: "application/pdf", size: PDF.byteLength });

    // A clinician at A (still covered) reads it; B's (withdrawn) does not.
    expect(new Uint8Array((await getConsentScan(clinicianA, eventId)).bytes)).toEqual(PDF);
    await refused(clinicianB, () => getConsentScan(clinicianB, eventId), p.id);
  });

  it("refuses a PNG or a text file by content, whatever its name, and keeps nothing", async () => {
    const p = await register({ links: [A] });
    const before = { events: await db().consentEvent.count(), files: storedFiles().length };
    for (const bytes of [PNG, TEXT]) {
      const error = await appError(consent(p.id, grantFor([B], "2025-02-01"), { bytes, fileName: "consent.pdf" }));
      expect(error.code).toBe("VALIDATION");
      expect(error.fieldErrors).toEqual({ scan: ["v.consent.scan.type"] });
    }
    const atRegistration = await appError(register({ links: [B], scan: { bytes: PNG, fileName: "form6.png" } }));
    expect(atRegistration.fieldErrors).toEqual({ "consent.scan": ["v.consent.scan.type"] });
    expect({ events: await db().consentEvent.count(), files: storedFiles().length }).toEqual(before);
  });

  it("a failed consent removes the scan it had stored", async () => {
    const p = await register({ links: [A] });
    const before = storedFiles().length;
    const error = await appError(consent(p.id, grantFor([crypto.randomUUID()], "2025-02-01"), pdfScan()));
    expect(error.fieldErrors).toEqual({ facilityIds: ["v.consent.facilityIds.unknown"] });
    expect(storedFiles().length).toBe(before);
  });
});

describe("later refinements", () => {
  it("finds a patient by the start of the family name and the start of the given name typed apart", async () => {
    const p = await register();
    // "ヤマア ハナア" style: two kana words, each a prefix of one part of the name.
    const words = `${toHiragana(p.person.family.slice(0, 3))} ${toHiragana(p.person.given.slice(0, 3))}`;
    expect(await foundIds(clinicianB, { name: words })).toContain(p.id);
    expect(await foundIds(clinicianB, { name: `${p.person.family} ${p.person.given}` })).toEqual([p.id]);
  });

  it("keeps other facilities' non-sharing links off the page of a viewer who does not manage the registration", async () => {
    const p = await register({ links: [A, B, C] });
    await publish(adminC, (await activeLink(p.id, C)).id, "UNPUBLISHED");
    const page = await getPatientPage(clinicianB, p.id);
    expect(page.links.map((l) => l.facilityId).sort()).toEqual([A, B].sort());
    const managed = await getPatientPage(liaisonA, p.id);
    expect(managed.links.map((l) => l.facilityId)).toContain(C);
  });

  it("lets a user clear the bookmark of a patient they can no longer see", async () => {
    const p = await register();
    await setBookmark(clinicianB, p.id, true);
    await consent(p.id, withdrawAll(formatSeireki(todayInJapan())));
    await setBookmark(clinicianB, p.id, false);
    expect(await db().patientBookmark.count({ where: { userId: clinicianB.userId, patientId: p.id } })).toBe(0);
  });

  it("registers a patient before consent (未同意): linked, listed as not consented, visible to nobody else", async () => {
    const p = person();
    const input = ZRegisterPatient.parse({ patient: patientForm(p), links: [{ facilityId: A, facilityPatientId: mrn() }, { facilityId: B, facilityPatientId: mrn() }], consent: null, confirmDuplicate: "on" });
    const { id } = await registerPatient(liaisonA, input);
    expect(await db().consentEvent.count({ where: { patientId: id } })).toBe(0);
    await refused(clinicianB, () => getPatientPage(clinicianB, id), id);
    const own = await listOwnFacilityPatients(liaisonA, ZOwnPatientFilter.parse({ consent: "none", name: p.family }));
    expect(own.rows.map((r) => [r.patientId, r.isConsentInForce])).toEqual([[id, false]]);
  });

  it("counts a facility's linked and registered patients (施設情報)", async () => {
    const before = await getFacility(clinicianA, A);
    const p = await register({ links: [A, B] });
    const after = await getFacility(clinicianA, A);
    expect(after.linkedPatientCount).toBe(before.linkedPatientCount + 1);
    expect(after.registeredPatientCount).toBe(before.registeredPatientCount + 1);
    await unlink(liaisonA, (await activeLink(p.id, A)).id);
    expect((await getFacility(clinicianA, A)).linkedPatientCount).toBe(before.linkedPatientCount);
  });

  it("lists whole-name prefix matches first, then given-name matches, and pages across both lists", async () => {
    const named = (family: string, given: string, i: number): TPerson => ({
      family,
      given,
      nameKana: `${family} ${given}`,
      nameKanji: `試験${i} 氏名`,
      kanjiTag: String(i),
      birthDate: formatSeireki(new Date(Date.UTC(1950, 0, 1) + i * DAY)),
    });
    const familyMatches = [];
    for (let i = 0; i < 21; i++) familyMatches.push(await register({ person: named(`ヌヌ${"アイウエオカキクケコサシスセソタチツテトナ".charAt(i)}`, "タロウ", i) }));
    const given = await register({ person: named("アベ", "ヌヌコ", 30) });
    const page1 = await search(clinicianB, { name: "ぬぬ" });
    expect(page1.total).toBe(22);
    expect(page1.rows.map((r) => r.id)).toEqual(familyMatches.slice(0, 20).map((p) => p.id));
    const page2 = await search(clinicianB, { name: "ぬぬ", page: "2" });
    expect(page2.rows.map((r) => r.id)).toEqual([familyMatches[20]!.id, given.id]);
    // Family prefix + given prefix typed apart.
    expect(await foundIds(clinicianB, { name: "ぬぬあ た" })).toEqual([familyMatches[0]!.id]);
    // The whole kana name typed with a space.
    expect(await foundIds(clinicianB, { name: "アベ ヌヌコ" })).toEqual([given.id]);
  });
});
