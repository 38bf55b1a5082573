/**
 * The gateway's log, read kind by read kind (lib/access/reads.ts): a read writes exactly its
 * kind's shape of rows, a refusal exactly one DENIED row ("not found" to the caller); identity
 * reads (search, duplicate check, bookmarks, recent patients, notices, the own list) name each
 * patient shown; ingest keeps the sending terminal and request. Every kind the gateway knows must
 * appear in these tables.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccessType } from "@/generated/prisma/enums";
import { AUDIT_READS, CONTENT_READS, CONTENT_WRITES, IDENTITY_READS, PATIENT_READS, PATIENT_WRITES, type TLogShape } from "@/lib/access/reads";
import type { TViewer } from "@/lib/auth/viewer-type";
import { openAccessLogExport, verifyAccessLogFor } from "@/lib/audit/queries";
import { findUnusualAccess, getPatientAccessReport, listAccessRows } from "@/lib/audit/reports/queries";
import { ingestSsmix2Message } from "@/lib/clinical/ingest/mutations";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent, getContentFile, getLabTrend, listCalendarCell, listRecordTab } from "@/lib/clinical/queries";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { recordConsent } from "@/lib/consent/mutations";
import { getConsentHistory, getConsentScan } from "@/lib/consent/queries";
import { ZConsentInput } from "@/lib/consent/schema";
import { db } from "@/lib/db/client";
import { searchForEmergency } from "@/lib/ems/queries";
import { listEmergencyReviews } from "@/lib/ems/review/queries";
import { ZReviewQueueFilter } from "@/lib/ems/review/schema";
import { ZEmergencySearch } from "@/lib/ems/schema";
import { AppError } from "@/lib/errors";
import { addParticipant, deleteNote, editNote, postComment, postNote } from "@/lib/notes/mutations";
import { getNoteThread, getPostingContext, listNotifications, listParticipants, listPatientPosts } from "@/lib/notes/queries";
import { ZEditNote, ZPostComment, ZPostNote } from "@/lib/notes/schema";
import { linkFacilityPatient, registerPatient, setBookmark, updatePatientInfo } from "@/lib/patients/mutations";
import { findDuplicates, getPatientPage, listBookmarks, listOwnFacilityPatients, listPatientRevisions, listRecentPatients, searchForRegistration, searchPatients } from "@/lib/patients/queries";
import { ZAddLink, ZDuplicateCheck, ZRegisterPatient, ZUpdatePatient } from "@/lib/patients/schema";
import { getMessage } from "@/lib/securemail/queries";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";

let A: string; // the hospital: registers, discloses
let B: string; // the clinic: linked, sees the patient
let C: string; // the pharmacy: not linked
let S: string; // the secretariat
let liaisonA: TViewer;
let adminA: TViewer;
let doctorB: TViewer;
let doctorC: TViewer;
let liaisonC: TViewer;
let secretariat: TViewer;
/** a clinician with the EMS privilege at a facility the network allows EMS for (name search, seed 001) */
let emsDoctor: TViewer;
let patientId: string;
let regionalId: string;
let labId: string;
let labFileId: string;
let noteId: string;
let scanEventId: string;
let messageId: string;
/** patients of A alone: C links its own ID to the first, and may not link B's to the second */
let linkedLater: string;
let notLinked: string;

const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const NOW = new Date();
const MONTH = new Date(NOW.getTime() + 9 * 3600_000).toISOString().slice(0, 7);

type TRow = { type: AccessType; patient: string | null; owner: string | null; content: string | null; detail: string | null };

/** Runs one read as `viewer` under a request id of its own and returns the rows that request wrote. */
async function logOf(viewer: TViewer, run: (v: TViewer) => Promise<unknown>): Promise<{ rows: TRow[]; error: AppError | null }> {
  const requestId = `req-${crypto.randomUUID()}`;
  let error: AppError | null = null;
  try {
    await run({ ...viewer, requestId });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    error = e;
  }
  const rows = await db().accessLog.findMany({ where: { requestId }, orderBy: [{ at: "asc" }, { chainSeq: "asc" }] });
  return { rows: rows.map((r) => ({ type: r.accessType, patient: r.patientId, owner: r.ownerFacilityId, content: r.contentId, detail: r.detail })), error };
}

/** The rows match the shape: every row of the kind's types, naming what the shape says. */
function expectShape(rows: TRow[], shape: TLogShape | "none", types: readonly AccessType[], patient: string | null) {
  if (shape === "none") return expect(rows).toEqual([]);
  expect(rows.length).toBeGreaterThan(0);
  for (const r of rows) expect(types).toContain(r.type);
  switch (shape) {
    case "patient":
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ patient, owner: null, content: null });
      break;
    case "owners":
      for (const r of rows) expect(r).toMatchObject({ patient, content: null });
      expect(new Set(rows.map((r) => r.owner)).size).toBe(rows.length);
      expect(rows.every((r) => r.owner !== null)).toBe(true);
      break;
    case "contents":
      for (const r of rows) expect(r).toMatchObject({ patient, owner: expect.any(String), content: expect.any(String) });
      expect(new Set(rows.map((r) => r.content)).size).toBe(rows.length);
      break;
    case "content":
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ patient, content: expect.any(String) });
      break;
    case "patients":
      expect(rows.every((r) => r.patient !== null && r.owner === null && r.content === null)).toBe(true);
      expect(new Set(rows.map((r) => r.patient)).size).toBe(rows.length);
      if (patient) expect(rows.map((r) => r.patient)).toContain(patient);
      break;
  }
}

/** A refusal: the caller's error, and exactly one DENIED row naming what was asked (and the patient, when it exists). */
function expectDenied(r: { rows: TRow[]; error: AppError | null }, code: "NOT_FOUND" | "FORBIDDEN", label: string, patient: string | null) {
  expect(r.error?.code).toBe(code);
  expect(r.rows).toHaveLength(1);
  expect(r.rows[0]).toMatchObject({ type: "DENIED", patient });
  expect(r.rows[0]!.detail?.startsWith(label)).toBe(true);
}

const draft = (o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey">): TContentDraft => ({
  facilityPatientId: "GA-1",
  occurredAt: new Date(NOW.getTime() - 86_400_000),
  title: o.category,
  payload: { items: [{ code: "GW1", name: "ゲートウェイ検査", value: "7.1", unit: "%" }] },
  sourceVersion: "1",
  isDeleted: false,
  ...o,
});
const today = new Date(NOW.getTime() + 9 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  A = (await createFacility({ nameKanji: "門病院" })).id;
  B = (await createFacility({ type: "CLINIC", nameKanji: "門診療所" })).id;
  C = (await createFacility({ type: "PHARMACY", nameKanji: "門薬局" })).id;
  S = (await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "門事務局" })).id;
  liaisonA = await viewerFor((await createStaff({ facilityId: A, roles: ["LIAISON"] })).user);
  adminA = await viewerFor((await createStaff({ facilityId: A, roles: ["FACILITY_ADMIN"] })).user);
  doctorB = await viewerFor((await createStaff({ facilityId: B, roles: ["CLINICIAN"] })).user);
  doctorC = await viewerFor((await createStaff({ facilityId: C, roles: ["CLINICIAN"] })).user);
  liaisonC = await viewerFor((await createStaff({ facilityId: C, roles: ["LIAISON"] })).user);
  secretariat = await viewerFor((await createStaff({ facilityId: S, roles: ["SECRETARIAT"] })).user);
  const E = (await createFacility({ nameKanji: "門救急病院", emsAllowed: true })).id;
  emsDoctor = await viewerFor((await createStaff({ facilityId: E, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  const p = await registerLinkedPatient(liaisonA, { nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01" }, { [A]: "GA-1", [B]: "GB-1" });
  patientId = p.id;
  regionalId = p.regionalId;
  const onlyAtA = async (n: number) =>
    (await registerLinkedPatient(liaisonA, { nameKanji: `門 ${n}郎`, nameKana: `モン ${"ジサブ"[n - 2]}ロウ`, sex: "MALE", birthDate: "1960/04/01" }, { [A]: `GA-${n}` })).id;
  linkedLater = await onlyAtA(2);
  notLinked = await onlyAtA(3);
  await importParsedMessage(A, {
    kind: "SSMIX2",
    dataType: "OUL-01",
    patient: null,
    contents: [draft({ category: "LAB", sourceKey: "GW-LAB", files: [{ fileName: "lab.jpg", contentType: "image/jpeg", bytes: JPEG }] })],
  });
  const lab = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: A, sourceKey: "GW-LAB" }, select: { id: true, payload: true } });
  labId = lab.id;
  labFileId = (lab.payload as { files: { id: string }[] }).files[0]!.id;
  noteId = (await postNote(doctorB, patientId, ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: `${today}T09:00`, title: "", body: "門の記録", icon: "QUALIFICATION" }), [])).id;
  scanEventId = (await recordConsent(liaisonA, patientId, ZConsentInput.parse({ action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" }), { bytes: PDF, fileName: "同意書.pdf" })).id;
  await setBookmark(doctorB, patientId, true);
  await getPatientPage(doctorB, patientId);
  await addParticipant(doctorB, patientId, doctorB.userId);
  // a comment by A's liaison leaves doctorB a notice naming the patient
  await postComment(liaisonA, noteId, ZPostComment.parse({ body: "了解しました" }));
  messageId = (await db().messageRecipient.findFirstOrThrow({ where: { userId: liaisonA.userId, message: { systemKind: "PUBLICATION_NOTICE", patientId } }, select: { messageId: true } })).messageId;
});

/* ---- the tables: every kind of ./reads.ts, with a read that succeeds and one that is refused ---- */

type TCase = { ok: [TViewer, (v: TViewer) => Promise<unknown>]; refused: [TViewer, (v: TViewer) => Promise<unknown>]; deniedPatient: () => string | null; code?: "NOT_FOUND" | "FORBIDDEN" };

/** The same call by a viewer it is open to and by one it is refused to (the refusal naming the patient). */
const openTo = (ok: TViewer, refused: TViewer, run: (v: TViewer) => Promise<unknown>): TCase => ({ ok: [ok, run], refused: [refused, run], deniedPatient: () => patientId });

const patientCases = (): Record<keyof typeof PATIENT_READS, TCase> => ({
  page: openTo(doctorB, doctorC, (v) => getPatientPage(v, patientId)),
  calendar: openTo(doctorB, doctorC, (v) => getCalendar(v, patientId, { zoom: "day" })),
  cell: openTo(doctorB, doctorC, (v) => listCalendarCell(v, patientId, { rowId: "lab", from: "2000-01-01", to: "2100-01-01" })),
  tab: openTo(doctorB, doctorC, (v) => listRecordTab(v, patientId, { tab: "labs" })),
  trend: openTo(doctorB, doctorC, (v) => getLabTrend(v, patientId, { keys: ["GW1"] })),
  posts: openTo(doctorB, doctorC, (v) => listPatientPosts(v, patientId, {})),
  postForm: openTo(doctorB, doctorC, (v) => getPostingContext(v, patientId)),
  participants: openTo(doctorB, doctorC, (v) => listParticipants(v, patientId)),
  consent: openTo(liaisonA, doctorC, (v) => getConsentHistory(v, patientId)),
  consentScan: openTo(liaisonA, doctorC, (v) => getConsentScan(v, scanEventId)),
  revisions: openTo(liaisonA, doctorB, (v) => listPatientRevisions(v, patientId)),
  accessReport: openTo(adminA, doctorB, (v) => getPatientAccessReport(v, { regionalId, page: 1 } as never)),
});

const contentCases = (): Record<keyof typeof CONTENT_READS, TCase> => ({
  content: openTo(doctorB, doctorC, (v) => getContent(v, labId)),
  thread: openTo(doctorB, doctorC, (v) => getNoteThread(v, patientId, noteId)),
  file: openTo(doctorB, doctorC, (v) => getContentFile(v, labId, labFileId)),
});

// the lists: a refusal is for lists the viewer's role may not open at all
const identityCases = (): Record<keyof typeof IDENTITY_READS, Omit<TCase, "refused"> & { refused?: TCase["refused"] }> => ({
  search: { ok: [doctorB, (v) => searchPatients(v, { regionalId })], deniedPatient: () => null },
  registration: { ok: [liaisonC, (v) => searchForRegistration(v, { regionalId })], refused: [doctorB, (v) => searchForRegistration(v, { regionalId })], deniedPatient: () => null, code: "FORBIDDEN" },
  duplicates: {
    ok: [liaisonC, (v) => findDuplicates(v, ZDuplicateCheck.parse({ patient: { nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01" }, links: [] }))],
    refused: [doctorB, (v) => findDuplicates(v, ZDuplicateCheck.parse({ patient: { nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01" }, links: [] }))],
    deniedPatient: () => null,
    code: "FORBIDDEN",
  },
  bookmarks: { ok: [doctorB, (v) => listBookmarks(v)], deniedPatient: () => null },
  recent: { ok: [doctorB, (v) => listRecentPatients(v)], deniedPatient: () => null },
  notices: { ok: [doctorB, (v) => listNotifications(v, {})], deniedPatient: () => null },
  // (another facility's list is never refused: the viewer's own facility's is shown instead)
  ownList: { ok: [liaisonA, (v) => listOwnFacilityPatients(v, {})], deniedPatient: () => null },
  notice: { ok: [liaisonA, (v) => getMessage(v, messageId)], deniedPatient: () => null },
  // exactly one patient matches: the hit names them; a user without the EMS privilege is refused
  emsSearch: {
    ok: [emsDoctor, (v) => searchForEmergency(v, ZEmergencySearch.parse({ nameKana: "モン タロウ", birthDate: "1950/04/01", sex: "MALE" }))],
    refused: [doctorB, (v) => searchForEmergency(v, ZEmergencySearch.parse({ nameKana: "モン タロウ", birthDate: "1950/04/01", sex: "MALE" }))],
    deniedPatient: () => null,
    code: "FORBIDDEN",
  },
});

const auditCases = (): Record<keyof typeof AUDIT_READS, TCase> => ({
  unusual: { ok: [secretariat, (v) => findUnusualAccess(v, {} as never)], refused: [adminA, (v) => findUnusualAccess(v, {} as never)], deniedPatient: () => null },
  rows: { ok: [secretariat, (v) => listAccessRows(v, { page: 1, patient: regionalId } as never)], refused: [adminA, (v) => listAccessRows(v, { page: 1 } as never)], deniedPatient: () => null },
  export: {
    ok: [adminA, async (v) => (await openAccessLogExport(v, { facilityId: A, month: MONTH, direction: "viewed", encoding: "utf8" } as never)).body.cancel()],
    refused: [adminA, (v) => openAccessLogExport(v, { facilityId: B, month: MONTH, direction: "viewed", encoding: "utf8" } as never)],
    deniedPatient: () => null,
  },
  verify: { ok: [adminA, (v) => verifyAccessLogFor(v, A, MONTH)], refused: [adminA, (v) => verifyAccessLogFor(v, B, MONTH)], deniedPatient: () => null },
  // the review queue: the secretariat's; staff who administer nothing are refused
  emergency: {
    ok: [secretariat, (v) => listEmergencyReviews(v, ZReviewQueueFilter.parse({}))],
    refused: [doctorB, (v) => listEmergencyReviews(v, ZReviewQueueFilter.parse({}))],
    deniedPatient: () => null,
  },
});

const patientWriteCases = (): Record<keyof typeof PATIENT_WRITES, TCase> => ({
  post: openTo(doctorB, doctorC, (v) => postNote(v, patientId, ZPostNote.parse({ noteType: "NOTE", noteKind: "CONTACT", qualification: "DOCTOR", occurredAt: `${today}T10:00`, title: "", body: "連絡", icon: "QUALIFICATION" }), [])),
  participants: openTo(doctorB, doctorC, (v) => addParticipant(v, patientId, v.userId)),
  bookmark: openTo(doctorB, doctorC, (v) => setBookmark(v, patientId, true)),
  registration: {
    ok: [liaisonA, async (v) => updatePatientInfo(v, patientId, ZUpdatePatient.parse({ nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01", version: (await db().patient.findUniqueOrThrow({ where: { id: patientId } })).version }))],
    refused: [liaisonC, (v) => updatePatientInfo(v, patientId, ZUpdatePatient.parse({ nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01", version: 1 }))],
    deniedPatient: () => patientId,
  },
  // one's own facility's ID to any registered patient; another facility's only where one manages the registration
  link: {
    ok: [liaisonC, (v) => linkFacilityPatient(v, ZAddLink.parse({ patientId: linkedLater, facilityId: C, facilityPatientId: "GC-2" }))],
    refused: [liaisonC, (v) => linkFacilityPatient(v, ZAddLink.parse({ patientId: notLinked, facilityId: B, facilityPatientId: "GB-3" }))],
    deniedPatient: () => notLinked,
  },
});

const contentWriteCases = (): Record<keyof typeof CONTENT_WRITES, TCase> => ({
  comment: openTo(doctorB, doctorC, (v) => postComment(v, noteId, ZPostComment.parse({ body: "追記" }))),
  edit: {
    ok: [doctorB, (v) => editNote(v, noteId, ZEditNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: `${today}T09:00`, title: "", body: "門の記録（修正）", icon: "QUALIFICATION" }))],
    refused: [doctorC, (v) => editNote(v, noteId, ZEditNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: `${today}T09:00`, title: "", body: "x", icon: "QUALIFICATION" }))],
    deniedPatient: () => patientId,
  },
  delete: { ok: [doctorB, async (v) => deleteNote(v, await freshNote())], refused: [doctorC, (v) => deleteNote(v, noteId)], deniedPatient: () => patientId },
});

async function freshNote(): Promise<string> {
  return (await postNote(doctorB, patientId, ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: `${today}T11:00`, title: "", body: "消す記録", icon: "QUALIFICATION" }), [])).id;
}

/** The case's call succeeds with rows of the shape and types given; its refusal is "not found" with one DENIED row. */
async function expectCase(c: TCase, shape: TLogShape | "none", types: readonly AccessType[], patient: string, label: string) {
  const ok = await logOf(c.ok[0], c.ok[1]);
  expect(ok.error).toBeNull();
  expectShape(ok.rows, shape, types, patient);
  expectDenied(await logOf(c.refused[0], c.refused[1]), "NOT_FOUND", label, c.deniedPatient());
}

describe("each read kind writes exactly its shape of rows; each refusal one DENIED row", () => {
  it.each(Object.keys(PATIENT_READS) as (keyof typeof PATIENT_READS)[])("patient read %s", async (kind) => {
    const spec = PATIENT_READS[kind];
    await expectCase(patientCases()[kind], spec.log, spec.types, patientId, spec.label);
  });

  it.each(Object.keys(CONTENT_READS) as (keyof typeof CONTENT_READS)[])("content read %s", async (kind) => {
    const spec = CONTENT_READS[kind];
    await expectCase(contentCases()[kind], "content", spec.types, patientId, spec.label);
  });

  it.each(Object.keys(IDENTITY_READS) as (keyof typeof IDENTITY_READS)[])("identity read %s names each patient shown", async (kind) => {
    const [spec, c] = [IDENTITY_READS[kind], identityCases()[kind]];
    const ok = await logOf(c.ok[0], c.ok[1]);
    expect(ok.error).toBeNull();
    expectShape(ok.rows, "patients", spec.types, patientId);
    if (c.refused) expectDenied(await logOf(c.refused[0], c.refused[1]), c.code ?? "NOT_FOUND", kind, null);
  });

  it.each(Object.keys(AUDIT_READS) as (keyof typeof AUDIT_READS)[])("audit read %s", async (kind) => {
    const [spec, c] = [AUDIT_READS[kind], auditCases()[kind]];
    const ok = await logOf(c.ok[0], c.ok[1]);
    expect(ok.error).toBeNull();
    expect(ok.rows).toHaveLength(1);
    expect(spec.types).toContain(ok.rows[0]!.type);
    expectDenied(await logOf(c.refused[0], c.refused[1]), "NOT_FOUND", spec.label, null);
  });

  it.each(Object.keys(PATIENT_WRITES) as (keyof typeof PATIENT_WRITES)[])("patient write %s", async (kind) => {
    const spec = PATIENT_WRITES[kind];
    await expectCase(patientWriteCases()[kind], spec.types.length ? "content" : "none", spec.types, kind === "link" ? linkedLater : patientId, spec.label);
  });

  it.each(Object.keys(CONTENT_WRITES) as (keyof typeof CONTENT_WRITES)[])("content write %s", async (kind) => {
    const spec = CONTENT_WRITES[kind];
    await expectCase(contentWriteCases()[kind], "content", spec.types, patientId, spec.label);
  });

  it("a guessed id and a refused one are answered alike, and both logged", async () => {
    const pairs: [(v: TViewer, id: string) => Promise<unknown>, string][] = [
      [(v, id) => getCalendar(v, id, { zoom: "day" }), patientId],
      [(v, id) => getContent(v, id), labId],
      [(v, id) => getPatientPage(v, id), patientId],
    ];
    for (const [run, existing] of pairs) {
      const guessed = await logOf(doctorC, (v) => run(v, crypto.randomUUID()));
      const refused = await logOf(doctorC, (v) => run(v, existing));
      expect(guessed.error?.code).toBe("NOT_FOUND");
      expect(guessed.error?.message).toBe(refused.error?.message);
      expect(guessed.rows.map((r) => r.type)).toEqual(["DENIED"]);
      expect(refused.rows.map((r) => r.type)).toEqual(["DENIED"]);
    }
  });

  it("a refusal names a content only by an id of a content's form; the text a request asked for stays in the detail, after the label", async () => {
    const hostile = '=HYPERLINK("http://evil.example/","x")';
    const file = await logOf(doctorC, (v) => getContentFile(v, hostile, "+SUM(1)"));
    expectDenied(file, "NOT_FOUND", "file", null);
    expect(file.rows[0]).toMatchObject({ content: null, detail: "file +SUM(1)" });
    const content = await logOf(doctorC, (v) => getContent(v, hostile));
    expectDenied(content, "NOT_FOUND", "content", null);
    expect(content.rows[0]).toMatchObject({ content: null, detail: `content ${hostile}` });
    // a UUID that names nothing is still recorded as the id asked for
    const guessed = crypto.randomUUID();
    expect((await logOf(doctorC, (v) => getContent(v, guessed))).rows[0]).toMatchObject({ type: "DENIED", content: guessed });
  });
});

describe("identity rows", () => {
  it("the duplicate check at registration names each candidate it showed, whoever registers", async () => {
    const before = await db().accessLog.count({ where: { userId: liaisonC.userId, accessType: "DUPLICATE_CHECK", patientId } });
    await expect(
      registerPatient(liaisonC, ZRegisterPatient.parse({ patient: { nameKanji: "門 太郎", nameKana: "モン タロウ", sex: "MALE", birthDate: "1950/04/01" }, links: [{ facilityId: C, facilityPatientId: "GC-X" }], consent: null })),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db().accessLog.count({ where: { userId: liaisonC.userId, accessType: "DUPLICATE_CHECK", patientId } })).toBe(before + 1);
  });

  it("a search that finds nobody is still logged, once, without a patient", async () => {
    const r = await logOf(doctorB, (v) => searchPatients(v, { name: "ダレモイナイ" }));
    expect(r.rows).toEqual([{ type: "PATIENT_SEARCH", patient: null, owner: null, content: null, detail: expect.stringContaining("ダレモイナイ") }]);
  });

  it("bookmarks and recent patients no longer name a patient the viewer lost sight of", async () => {
    await db().facilityPatientLink.updateMany({ where: { patientId, facilityId: B }, data: { publicationState: "UNPUBLISHED" } });
    try {
      expect((await logOf(doctorB, (v) => listBookmarks(v))).rows).toEqual([]);
      expect((await logOf(doctorB, (v) => listRecentPatients(v))).rows).toEqual([]);
    } finally {
      await db().facilityPatientLink.updateMany({ where: { patientId, facilityId: B }, data: { publicationState: "PUBLISHED" } });
    }
  });
});

describe("data in keeps its sender", () => {
  it("each stored message records the terminal's certificate serial and the request", async () => {
    // a message of the public SS-MIX2 sample storage, as a facility's uploader posts it
    const name = "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";
    const bytes = fs.readFileSync(path.resolve("tests/fixtures/ssmix2/sampleData/999/901/9999013/20110701/OMP-01", name));
    const r = await ingestSsmix2Message(A, bytes, name, { certSerial: "SERIAL-GATE-1", requestId: "req-ingest-1" });
    if (!r.ok) throw new Error(`ingest refused: ${r.error}`);
    const stored = await db().clinicalContent.findMany({ where: { ownerFacilityId: A, receivedRequestId: "req-ingest-1" }, select: { receivedCertSerial: true } });
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((s) => s.receivedCertSerial === "SERIAL-GATE-1")).toBe(true);
  });
});
