/**
 * Notes, documents and files posted in the portal (C6) against real PostgreSQL and the real file
 * store: who reads them under the visibility rule, what is refused (a refusal stores nothing),
 * comments and in-app notices, the edit window and its history, files with a validity period on
 * the calendar, and PDF renditions of Office documents.
 */
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessType } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { getCalendar, getContent, getContentFile, listCalendarCell } from "@/lib/clinical/queries";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { db } from "@/lib/db/client";
import { env, resetEnvCache } from "@/lib/env";
import { AppError, messageParts } from "@/lib/errors";
import type { TDocumentPayload, TFilePayload, TNotePayload } from "@/lib/notes/model";
import { addParticipant, deleteNote, editNote, markNotificationsRead, postComment, postDocument, postFile, postNote, removeParticipant, type TUploadFile } from "@/lib/notes/mutations";
import { countUnreadNotifications, getNoteThread, listNotifications, listPatientPosts } from "@/lib/notes/queries";
import { ZEditNote, ZPostComment, ZPostDocument, ZPostFile, ZPostNote } from "@/lib/notes/schema";
import { registerPatient } from "@/lib/patients/mutations";
import { ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/* ---- fixtures ---- */

const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join("tests/fixtures", name)));
const JPEG = fixture("images/chest-xray.jpg");
const DOCX = fixture("office/sample.docx");
const XLSX = fixture("office/sample.xlsx");
const PDF = new TextEncoder().encode(
  "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
/** A Windows program: the MZ header and the DOS stub's message. */
const EXE = new Uint8Array(Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00]), Buffer.alloc(56), Buffer.from("This program cannot be run in DOS mode.\r\r\n$"), Buffer.alloc(400)]));
const HTML = new TextEncoder().encode('<!DOCTYPE html>\n<html><head><title>検査結果</title></head><body><script>location.href="https://example.invalid/"</script></body></html>\n');
const SVG = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><circle r="4"/></svg>\n');

const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

const hasSoffice = (() => {
  try {
    execFileSync("/bin/sh", ["-c", "command -v soffice || command -v libreoffice"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

/* ---- the region: a hospital and a visiting-nursing station share a patient ---- */

let HOSPITAL: string;
let STATION: string; // 訪問看護ステーション
let PHARMACY: string; // linked; its consent is withdrawn in the notices test
let WITHDRAWN_CLINIC: string; // linked, but the patient withdrew consent for it
let OUTSIDE_CLINIC: string; // never linked

let liaison: TViewer; // the hospital's 地域連携室, who registered the patient
let doctor: TViewer;
let nurse: TViewer;
let nurse2: TViewer; // a colleague at the same station
let pharmacist: TViewer;
let withdrawnDoctor: TViewer;
let outsider: TViewer;

let patientId: string;

const PATIENT = { nameKanji: "港 花子", nameKana: "ミナト ハナコ", sex: "FEMALE", birthDate: "1941/05/12" };

const withdrawal = (facilityId: string) =>
  ZConsentInput.parse({
    action: "WITHDRAW",
    scope: "FACILITIES",
    facilityIds: [facilityId],
    method: "WRITTEN",
    consentDate: formatSeireki(todayInJapan()),
    signer: "SELF",
    responsibleName: "連携 太郎",
    explainedByName: "説明 花子",
    reason: "患者の申し出",
  });

beforeAll(async () => {
  HOSPITAL = (await createFacility({ type: "HOSPITAL", nameKanji: "みなと中央病院" })).id;
  STATION = (await createFacility({ type: "VISITING_NURSING", nameKanji: "さくら訪問看護ステーション" })).id;
  PHARMACY = (await createFacility({ type: "PHARMACY", nameKanji: "うみべ薬局" })).id;
  WITHDRAWN_CLINIC = (await createFacility({ type: "CLINIC", nameKanji: "やまて診療所" })).id;
  OUTSIDE_CLINIC = (await createFacility({ type: "CLINIC", nameKanji: "となり町クリニック" })).id;

  const staff = (facilityId: string, qualification: "DOCTOR" | "NURSE" | "PHARMACIST", roles: ("CLINICIAN" | "LIAISON")[] = ["CLINICIAN"]) =>
    createStaff({ facilityId, qualification, roles }).then((s) => viewerFor(s.user));
  liaison = await staff(HOSPITAL, "NURSE", ["LIAISON"]);
  doctor = await staff(HOSPITAL, "DOCTOR");
  nurse = await staff(STATION, "NURSE");
  nurse2 = await staff(STATION, "NURSE");
  pharmacist = await staff(PHARMACY, "PHARMACIST");
  withdrawnDoctor = await staff(WITHDRAWN_CLINIC, "DOCTOR");
  outsider = await staff(OUTSIDE_CLINIC, "DOCTOR");

  const registered = await registerPatient(
    liaison,
    ZRegisterPatient.parse({
      patient: PATIENT,
      links: [
        { facilityId: HOSPITAL, facilityPatientId: "H-20001" },
        { facilityId: STATION, facilityPatientId: "VN-301" },
        { facilityId: PHARMACY, facilityPatientId: "PH-88" },
        { facilityId: WITHDRAWN_CLINIC, facilityPatientId: "CL-77" },
      ],
      consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" },
      confirmDuplicate: "on",
    }),
  );
  patientId = registered.id;
  await recordConsent(liaison, patientId, withdrawal(WITHDRAWN_CLINIC));
});

/* ---- helpers ---- */

const noteInput = (o: Record<string, unknown> = {}) =>
  ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "NURSE", occurredAt: "2026-10-01T10:00", title: "", body: "訪問しました。", icon: "QUALIFICATION", ...o });

const editInput = (o: Record<string, unknown> = {}) =>
  ZEditNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "NURSE", occurredAt: "2026-10-01T10:00", title: "", body: "訪問しました。", icon: "QUALIFICATION", ...o });

const jpegUpload = (fileName = "写真.jpg"): TUploadFile => ({ bytes: JPEG, fileName });

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

const logCount = (viewer: TViewer, accessType: AccessType) => db().accessLog.count({ where: { userId: viewer.userId, accessType } });

/** A refusal: "not found", and one DENIED row in the access log. */
async function refused(viewer: TViewer, run: () => Promise<unknown>): Promise<AppError> {
  const before = await logCount(viewer, "DENIED");
  const error = await appError(run());
  expect(error.code).toBe("NOT_FOUND");
  expect(await logCount(viewer, "DENIED"), "one DENIED row").toBe(before + 1);
  return error;
}

/** Every file under the file store's folder (the bytes of uploads live there, not in the database). */
function filesInStore(): string[] {
  const dir = env().fileStoreDir;
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}

/** What a post could have left behind: content rows, stored_files rows, bytes in the store. */
async function storedState() {
  return { contents: await db().clinicalContent.count(), storedFiles: await db().storedFile.count(), store: filesInStore() };
}

const filesOfPost = (payload: unknown) => (payload as TNotePayload | TDocumentPayload | TFilePayload).files;

/** Sets environment variables for the duration of `run` and restores them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  };
  apply(vars);
  try {
    return await run();
  } finally {
    apply(saved);
  }
}

/* ---- 1. a note with a photo, read across facilities ---- */

describe("a note posted by the visiting-nursing station", () => {
  it("is read by the hospital's doctor with its photo, counted on the calendar's note rows, and logged as posted by the station", async () => {
    const record = await postNote(
      nurse,
      patientId,
      noteInput({ noteKind: "RECORD", occurredAt: "2026-11-05T09:30", title: "仙骨部の発赤", body: "仙骨部に発赤 2cm。写真を添付します。" }),
      [jpegUpload("仙骨部.jpg")],
    );
    const contact = await postNote(
      nurse,
      patientId,
      noteInput({ noteType: "INSTRUCTION", noteKind: "CONTACT", icon: "MEDICATION", occurredAt: "2026-11-05T15:00", body: "次回受診時に外用薬の処方をご検討ください。\n詳細は記録を参照。" }),
      [],
    );

    const thread = await getNoteThread(doctor, patientId, record.id);
    expect(thread.content).toMatchObject({ id: record.id, category: "NOTE", title: "仙骨部の発赤", occurredDate: "2026-11-05", ownerFacilityId: STATION, ownerFacilityName: "さくら訪問看護ステーション" });
    expect(thread.author).toEqual({ id: nurse.userId, name: nurse.name, facilityName: "さくら訪問看護ステーション", qualification: "NURSE" });
    expect(thread).toMatchObject({ version: 1, canEdit: false, editableUntil: null, comments: [], readBy: 0 });
    const payload = thread.content.payload as TNotePayload;
    expect(payload).toMatchObject({ post: "note", noteType: "NOTE", noteKind: "RECORD", qualification: "NURSE", icon: "QUALIFICATION", body: "仙骨部に発赤 2cm。写真を添付します。", authorName: nurse.name, authorFacilityName: nurse.facilityName });
    expect(payload.files).toEqual([
      { id: expect.any(String), fileName: "仙骨部.jpg", contentType: "image/jpeg", size: JPEG.byteLength, sha256: sha256(JPEG), scan: "NOT_SCANNED", kind: "image", label: "JPEG", role: "original" },
    ]);
    const fileId = payload.files[0]!.id;
    expect(thread.content.files).toEqual([{ id: fileId, fileName: "仙骨部.jpg", contentType: "image/jpeg" }]);

    // the bytes are in the file store under the stored_files row's key, not in the database
    const stored = await db().storedFile.findUniqueOrThrow({ where: { id: fileId } });
    expect(stored).toMatchObject({ sha256: sha256(JPEG), size: JPEG.byteLength, contentType: "image/jpeg", createdById: nurse.userId, scanState: "NOT_SCANNED" });
    expect(Buffer.compare(fs.readFileSync(path.join(env().fileStoreDir, stored.storageKey)), Buffer.from(JPEG))).toBe(0);

    // the photo, through the rule, logged as FILE_VIEW against the station's content
    const since = new Date();
    const file = await getContentFile(doctor, record.id, fileId);
    expect(file.contentType).toBe("image/jpeg");
    expect(file.fileName).toBe("仙骨部.jpg");
    expect(Buffer.compare(file.bytes, Buffer.from(JPEG))).toBe(0);
    const viewed = await db().accessLog.findMany({ where: { userId: doctor.userId, at: { gte: since } } });
    expect(viewed.map((r) => ({ type: r.accessType, facility: r.facilityId, owner: r.ownerFacilityId, patient: r.patientId, content: r.contentId }))).toEqual([
      { type: "FILE_VIEW", facility: HOSPITAL, owner: STATION, patient: patientId, content: record.id },
    ]);

    // 連絡: its own category; the title is the body's first line when none is given
    const contactView = await getContent(doctor, contact.id, { patientId });
    expect(contactView).toMatchObject({ category: "NOTE_CONTACT", title: "次回受診時に外用薬の処方をご検討ください。", ownerFacilityId: STATION, files: [] });
    expect(contactView.payload).toMatchObject({ noteType: "INSTRUCTION", noteKind: "CONTACT", icon: "MEDICATION" });

    // the calendar's ノート 記録 / 連絡 rows
    const cal = await getCalendar(doctor, patientId, { zoom: "day", start: "2026-11-01", days: 14 });
    const col = cal.window.columns.findIndex((c) => c.start === "2026-11-05");
    expect(cal.grid.noteRecord[col]).toEqual({ count: 1, byFacility: { [STATION]: 1 }, qualifications: ["NURSE"] });
    expect(cal.grid.noteContact[col]).toEqual({ count: 1, byFacility: { [STATION]: 1 }, qualifications: ["NURSE"] });
    expect(cal.grid.noteRecord.filter(Boolean)).toHaveLength(1);
    expect(cal.grid.noteContact.filter(Boolean)).toHaveLength(1);

    // the posts were logged by the nurse, owned by her station
    const posted = await db().accessLog.findMany({ where: { userId: nurse.userId, accessType: "CONTENT_POST" }, orderBy: { at: "asc" } });
    expect(posted.map((r) => ({ facility: r.facilityId, owner: r.ownerFacilityId, patient: r.patientId, content: r.contentId }))).toEqual([
      { facility: STATION, owner: STATION, patient: patientId, content: record.id },
      { facility: STATION, owner: STATION, patient: patientId, content: contact.id },
    ]);
    // owned by the station through its own link for the patient
    const row = await db().clinicalContent.findUniqueOrThrow({ where: { id: record.id }, include: { ownerLink: true } });
    expect(row).toMatchObject({ sourceKind: "PORTAL", ownerFacilityId: STATION, facilityPatientId: "VN-301", authorId: nurse.userId, authorQualification: "NURSE" });
    expect(row.ownerLink).toMatchObject({ facilityId: STATION, patientId });
  });
});

/* ---- 2. refused uploads store nothing ---- */

describe("uploads refused by their content or size", () => {
  const cases: { what: string; file: TUploadFile; key: string }[] = [
    { what: "a Windows program renamed .jpg", file: { bytes: EXE, fileName: "傷の写真.jpg" }, key: "v.upload.executable" },
    { what: "an HTML page", file: { bytes: HTML, fileName: "検査結果.html" }, key: "v.upload.html" },
    { what: "an HTML page named .pdf", file: { bytes: HTML, fileName: "検査結果.pdf" }, key: "v.upload.html" },
    { what: "an SVG image", file: { bytes: SVG, fileName: "シェーマ.svg" }, key: "v.upload.svg" },
    { what: "an SVG image named .png", file: { bytes: SVG, fileName: "シェーマ.png" }, key: "v.upload.svg" },
  ];

  it.each(cases)("$what: VALIDATION naming the file ($key); nothing is stored, not even the good photo before it", async ({ file, key }) => {
    const before = await storedState();
    const error = await appError(postNote(nurse, patientId, noteInput({ body: "添付の確認" }), [jpegUpload("先の写真.jpg"), file]));
    expect(error.code).toBe("VALIDATION");
    expect(Object.keys(error.fieldErrors)).toEqual(["files"]);
    expect(error.fieldErrors.files).toHaveLength(1);
    const { key: messageKey, vars } = messageParts(error.fieldErrors.files![0]!);
    expect(messageKey).toBe(key);
    expect(vars).toMatchObject({ name: file.fileName, detail: expect.any(String) });
    expect(await storedState()).toEqual(before);
  });

  it("a document refused the same way reports it on its own field", async () => {
    const before = await storedState();
    const error = await appError(postDocument(nurse, patientId, ZPostDocument.parse({ documentType: "NURSING_SUMMARY", date: "2026-11-06" }), { bytes: EXE, fileName: "看護要約.docx" }));
    expect(error.code).toBe("VALIDATION");
    expect(messageParts(error.fieldErrors.file![0]!)).toMatchObject({ key: "v.upload.executable", vars: { name: "看護要約.docx" } });
    expect(await storedState()).toEqual(before);
  });

  it("files totalling 31 MB (UPLOAD_MAX_MB 30): VALIDATION v.upload.tooLarge with the total and the limit; nothing is stored", async () => {
    expect(env().UPLOAD_MAX_MB).toBe(30);
    const MB = 1024 * 1024;
    const part = (mb: number) => {
      const bytes = new Uint8Array(mb * MB);
      bytes.set(JPEG.subarray(0, 1024));
      return bytes;
    };
    const before = await storedState();
    const error = await appError(postNote(nurse, patientId, noteInput({ body: "大きな写真" }), [{ bytes: part(16), fileName: "全身1.jpg" }, { bytes: part(15), fileName: "全身2.jpg" }]));
    expect(error.code).toBe("VALIDATION");
    expect(error.fieldErrors.files).toHaveLength(1);
    expect(messageParts(error.fieldErrors.files![0]!)).toEqual({ key: "v.upload.tooLarge", vars: { total: "31.0", max: 30 } });
    expect(await storedState()).toEqual(before);

    // one file of 31 MB alone is over the same limit
    const single = await appError(postNote(nurse, patientId, noteInput({ body: "大きな写真" }), [{ bytes: part(31), fileName: "全身.jpg" }]));
    expect(messageParts(single.fieldErrors.files![0]!)).toEqual({ key: "v.upload.tooLarge", vars: { total: "31.0", max: 30 } });
    expect(await storedState()).toEqual(before);
  });
});

/* ---- 3. facilities that cannot see the patient ---- */

describe("a facility that cannot see the patient", () => {
  it.each([
    { who: "not linked to the patient", viewer: () => outsider },
    { who: "linked, but the patient withdrew consent for it", viewer: () => withdrawnDoctor },
  ])("$who: the note, its content and its file are 'not found' (DENIED logged), and it can neither post nor comment", async ({ viewer: viewerOf }) => {
    const viewer = viewerOf();
    const note = await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-25T10:00", title: "内服状況", body: "残薬が多い。" }), [jpegUpload()]);
    const fileId = filesOfPost((await getContent(nurse, note.id)).payload)[0]!.id;

    await refused(viewer, () => getNoteThread(viewer, patientId, note.id));
    await refused(viewer, () => getContent(viewer, note.id));
    await refused(viewer, () => getContent(viewer, note.id, { patientId }));
    await refused(viewer, () => getContentFile(viewer, note.id, fileId));
    await refused(viewer, () => getContentFile(viewer, note.id, fileId, { download: true }));

    const before = await storedState();
    await refused(viewer, () => postNote(viewer, patientId, noteInput({ body: "書き込めないはず" }), [jpegUpload()]));
    expect(await storedState()).toEqual(before);
    const denied = await db().accessLog.findFirstOrThrow({ where: { userId: viewer.userId, accessType: "DENIED" }, orderBy: { at: "desc" } });
    expect(denied).toMatchObject({ facilityId: viewer.facilityId, patientId });

    await refused(viewer, () => postComment(viewer, note.id, ZPostComment.parse({ body: "コメントできないはず" })));
    expect(await db().contentComment.count({ where: { contentId: note.id } })).toBe(0);

    // nothing was read, posted or commented on its behalf
    const rows = await db().accessLog.findMany({ where: { userId: viewer.userId }, select: { accessType: true } });
    expect(new Set(rows.map((r) => r.accessType))).toEqual(new Set(["DENIED"]));
  });
});

/* ---- 4. comments, read state and in-app notices ---- */

describe("comments and notices", () => {
  it("the doctor's comment is unread for the nurse until she opens the thread; notices reach participants and the author, never the actor nor a facility that can no longer see the note", async () => {
    await addParticipant(doctor, patientId, doctor.userId);
    await addParticipant(doctor, patientId, pharmacist.userId);
    await addParticipant(nurse, patientId, nurse.userId);
    // a user whose facility cannot see the patient cannot be made a participant
    const cannot = await appError(addParticipant(doctor, patientId, withdrawnDoctor.userId));
    expect(cannot.fieldErrors).toEqual({ userId: ["v.participant.user.cannotSee"] });

    const unread = async () => ({
      doctor: await countUnreadNotifications(doctor),
      nurse: await countUnreadNotifications(nurse),
      pharmacist: await countUnreadNotifications(pharmacist),
      nurse2: await countUnreadNotifications(nurse2),
    });
    const start = await unread();

    const note = await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-20T11:00", title: "服薬状況", body: "朝の降圧薬の飲み忘れが続いています。" }), []);
    expect(await unread()).toEqual({ ...start, doctor: start.doctor + 1, pharmacist: start.pharmacist + 1 });
    const notices = await listNotifications(doctor, { unreadOnly: true });
    expect(notices.unread).toBe(start.doctor + 1);
    expect(notices.items[0]).toMatchObject({ kind: "NOTE_POSTED", contentId: note.id, readAt: null, actorName: nurse.name, actorFacilityName: "さくら訪問看護ステーション", patient: { id: patientId, name: PATIENT.nameKanji } });

    // the doctor opens the thread (his notice is read) and comments
    await getNoteThread(doctor, patientId, note.id);
    expect(await countUnreadNotifications(doctor)).toBe(start.doctor);
    const comment = await postComment(doctor, note.id, ZPostComment.parse({ body: "承知しました。一包化を検討します。" }));
    expect(comment).toMatchObject({ patientId, contentId: note.id });
    expect(await unread()).toEqual({ ...start, nurse: start.nurse + 1, pharmacist: start.pharmacist + 2 });
    const commentLog = await db().accessLog.findFirstOrThrow({ where: { userId: doctor.userId, accessType: "COMMENT_POST" } });
    expect(commentLog).toMatchObject({ facilityId: HOSPITAL, ownerFacilityId: STATION, patientId, contentId: note.id });
    expect((await listNotifications(nurse, { unreadOnly: true })).items[0]).toMatchObject({ kind: "COMMENT_POSTED", contentId: note.id, actorName: doctor.name });

    // the nurse's list and thread show the comment as unread until she opens the thread
    const listed = async () => (await listPatientPosts(nurse, patientId, { kind: "notes" })).items.find((i) => i.id === note.id);
    expect(await listed()).toMatchObject({ commentCount: 1, unreadComments: 1 });
    const opened = await getNoteThread(nurse, patientId, note.id);
    expect(opened.comments).toEqual([
      expect.objectContaining({ id: comment.id, body: "承知しました。一包化を検討します。", isMine: false, isUnread: true, readBy: 0, author: expect.objectContaining({ id: doctor.userId, qualification: "DOCTOR" }) }),
    ]);
    expect(opened.readBy).toBe(1); // the doctor
    expect(opened.canEdit).toBe(true);
    expect(await countUnreadNotifications(nurse)).toBe(start.nurse);
    expect(await listed()).toMatchObject({ commentCount: 1, unreadComments: 0 });
    const reopened = await getNoteThread(nurse, patientId, note.id);
    expect(reopened.comments[0]).toMatchObject({ isUnread: false, readBy: 1 });
    const doctorView = await getNoteThread(doctor, patientId, note.id);
    expect(doctorView.comments[0]).toMatchObject({ isMine: true, isUnread: false, readBy: 1 });
    expect(doctorView.readBy).toBe(1);

    // the patient withdraws consent for the pharmacy: its participant hears of nothing more
    await recordConsent(liaison, patientId, withdrawal(PHARMACY));
    const beforeReply = await unread();
    await postComment(nurse, note.id, ZPostComment.parse({ body: "ありがとうございます。" }));
    expect(await unread()).toEqual({ ...beforeReply, doctor: beforeReply.doctor + 1 });
    await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-21T11:00", body: "一包化の件、家族に説明しました。" }), []);
    expect(await unread()).toEqual({ ...beforeReply, doctor: beforeReply.doctor + 2 });
    // its earlier notices stay, but no longer name the patient
    const pharmacistNotices = await listNotifications(pharmacist, {});
    expect(pharmacistNotices.items.length).toBeGreaterThanOrEqual(2);
    expect(pharmacistNotices.items.every((i) => i.patient === null)).toBe(true);
    await refused(pharmacist, () => getNoteThread(pharmacist, patientId, note.id));
    const pending = await countUnreadNotifications(pharmacist);
    expect(pending).toBeGreaterThanOrEqual(2);
    expect(await markNotificationsRead(pharmacist, "all")).toEqual({ count: pending });
    expect(await countUnreadNotifications(pharmacist)).toBe(0);

    // a participant who leaves hears only of the threads they are in
    await removeParticipant(nurse, patientId, doctor.userId);
    const beforeLeaving = await countUnreadNotifications(doctor);
    const later = await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-22T11:00", body: "定期訪問。変化なし。" }), []);
    expect(await countUnreadNotifications(doctor)).toBe(beforeLeaving);
    await postComment(nurse, note.id, ZPostComment.parse({ body: "追記です。" }));
    expect(await countUnreadNotifications(doctor)).toBe(beforeLeaving + 1);
    expect((await listNotifications(doctor, { unreadOnly: true })).items.map((i) => i.contentId)).not.toContain(later.id);
  });
});

/* ---- 5. the edit window and the history ---- */

describe("editing and deleting a note", () => {
  let saved: string | undefined;
  beforeAll(() => {
    saved = process.env.NOTE_EDIT_MINUTES;
    process.env.NOTE_EDIT_MINUTES = "10";
    resetEnvCache();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.NOTE_EDIT_MINUTES;
    else process.env.NOTE_EDIT_MINUTES = saved;
    resetEnvCache();
  });

  it("the author edits within NOTE_EDIT_MINUTES (version 2, version 1 kept); others are FORBIDDEN; after the window it is v.note.editWindow", async () => {
    const note = await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-15T09:00", title: "初回訪問", body: "バイタル安定。" }), []);
    const mine = await getNoteThread(nurse, patientId, note.id);
    expect(mine.canEdit).toBe(true);
    expect(mine.editableUntil).toEqual(new Date(mine.postedAt.getTime() + 10 * 60_000));

    const soon = new Date(Date.now() + 5 * 60_000);
    expect(await editNote(nurse, note.id, editInput({ noteKind: "CONTACT", occurredAt: "2026-10-15T09:30", title: "初回訪問（訂正）", body: "バイタル安定。血圧 128/76。" }), soon)).toEqual({ id: note.id, patientId });

    const edited = await getNoteThread(doctor, patientId, note.id);
    expect(edited.version).toBe(2);
    expect(edited.content).toMatchObject({ category: "NOTE_CONTACT", title: "初回訪問（訂正）", occurredAt: new Date("2026-10-15T09:30:00+09:00") });
    expect(edited.content.payload).toMatchObject({ noteKind: "CONTACT", body: "バイタル安定。血圧 128/76。", editedAt: soon.toISOString() });
    const revisions = await db().contentRevision.findMany({ where: { contentId: note.id }, orderBy: { version: "asc" } });
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({ version: 1, action: "EDIT", category: "NOTE", title: "初回訪問", changedById: nurse.userId, occurredAt: new Date("2026-10-15T09:00:00+09:00") });
    expect(revisions[0]!.payload).toMatchObject({ body: "バイタル安定。", noteKind: "RECORD" });
    expect(await db().accessLog.findFirst({ where: { userId: nurse.userId, accessType: "CONTENT_EDIT", contentId: note.id } })).toMatchObject({ facilityId: STATION, ownerFacilityId: STATION, patientId });

    // another user, even at the author's own station, may not change it
    expect((await appError(editNote(nurse2, note.id, editInput({ body: "上書き" }), soon))).code).toBe("FORBIDDEN");
    expect((await appError(editNote(doctor, note.id, editInput({ body: "上書き" }), soon))).code).toBe("FORBIDDEN");
    expect((await appError(deleteNote(doctor, note.id, soon))).code).toBe("FORBIDDEN");
    // whoever cannot see it gets "not found", and the refusal is logged
    await refused(outsider, () => editNote(outsider, note.id, editInput({ body: "上書き" }), soon));
    await refused(withdrawnDoctor, () => deleteNote(withdrawnDoctor, note.id, soon));

    // after the window, not even the author
    const late = new Date(Date.now() + 11 * 60_000);
    for (const attempt of [() => editNote(nurse, note.id, editInput({ body: "遅すぎる訂正" }), late), () => deleteNote(nurse, note.id, late)]) {
      const error = await appError(attempt());
      expect(error.code).toBe("VALIDATION");
      expect(messageParts(error.fieldErrors._form![0]!)).toEqual({ key: "v.note.editWindow", vars: { minutes: 10 } });
    }
    expect((await getNoteThread(nurse, patientId, note.id, late)).canEdit).toBe(false);
    expect((await getContent(doctor, note.id)).payload).toMatchObject({ body: "バイタル安定。血圧 128/76。" });
    expect(await db().contentRevision.count({ where: { contentId: note.id } })).toBe(1);
  });

  it("the author deletes a note: gone from the thread, the list and the calendar; the deleted version is kept", async () => {
    const note = await postNote(nurse, patientId, noteInput({ occurredAt: "2026-10-16T09:00", title: "誤って登録", body: "別の利用者の記録でした。" }), [jpegUpload()]);
    const fileId = filesOfPost((await getContent(nurse, note.id)).payload)[0]!.id;
    const inList = async (viewer: TViewer) => (await listPatientPosts(viewer, patientId, {})).items.some((i) => i.id === note.id);
    expect(await inList(doctor)).toBe(true);

    expect(await deleteNote(nurse, note.id)).toEqual({ id: note.id, patientId });

    await refused(nurse, () => getNoteThread(nurse, patientId, note.id));
    await refused(doctor, () => getNoteThread(doctor, patientId, note.id));
    await refused(doctor, () => getContent(doctor, note.id));
    await refused(doctor, () => getContentFile(doctor, note.id, fileId));
    await refused(doctor, () => postComment(doctor, note.id, ZPostComment.parse({ body: "消えたノートへ" })));
    expect(await inList(doctor)).toBe(false);
    expect(await inList(nurse)).toBe(false);
    const cal = await getCalendar(doctor, patientId, { zoom: "day", start: "2026-10-16", days: 7 });
    expect(cal.grid.noteRecord[0]).toBeNull();
    // deleting again is "not found" (it is gone), not a second revision
    await refused(nurse, () => deleteNote(nurse, note.id));

    const revisions = await db().contentRevision.findMany({ where: { contentId: note.id } });
    expect(revisions).toEqual([expect.objectContaining({ version: 1, action: "DELETE", title: "誤って登録", changedById: nurse.userId })]);
    expect(revisions[0]!.payload).toMatchObject({ body: "別の利用者の記録でした。" });
    expect(await db().clinicalContent.findUniqueOrThrow({ where: { id: note.id } })).toMatchObject({ isDeleted: true, version: 2 });
    expect(await db().accessLog.findFirst({ where: { userId: nurse.userId, accessType: "CONTENT_DELETE", contentId: note.id } })).toMatchObject({ facilityId: STATION, ownerFacilityId: STATION, patientId });
  });
});

/* ---- 6. files with a validity period ---- */

describe("files with a validity period (登録先期間)", () => {
  let pathway: string; // 2026-11-03 .. 2026-11-09
  let conference: string; // 2026-10-27 .. 2026-11-02, begins before the day window

  beforeAll(async () => {
    pathway = (
      await postFile(nurse, patientId, ZPostFile.parse({ from: "2026-11-03", to: "2026-11-09", description: "褥瘡ケアのクリニカルパス", periodLabel: "第1週" }), { bytes: XLSX, fileName: "褥瘡パス.xlsx" })
    ).id;
    conference = (await postFile(nurse, patientId, ZPostFile.parse({ from: "2026-10-27", to: "2026-11-02", description: "退院前カンファレンス資料" }), { bytes: PDF, fileName: "カンファレンス.pdf" })).id;
  });

  it("opens from a calendar cell on any day inside the period, not only its first", async () => {
    const view = await getContent(doctor, pathway, { patientId });
    expect(view).toMatchObject({ category: "FILE", title: "褥瘡ケアのクリニカルパス", occurredDate: "2026-11-03" });
    expect(view.payload).toMatchObject({ post: "file", from: "2026-11-03", to: "2026-11-09", description: "褥瘡ケアのクリニカルパス", periodLabel: "第1週" });
    expect(filesOfPost(view.payload)).toEqual([expect.objectContaining({ fileName: "褥瘡パス.xlsx", kind: "office", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" })]);

    const cell = await listCalendarCell(doctor, patientId, { rowId: "file", from: "2026-11-06", to: "2026-11-06" });
    expect(cell.items.map((i) => i.id)).toContain(pathway);
    const lastDay = await listCalendarCell(doctor, patientId, { rowId: "file", from: "2026-11-09", to: "2026-11-09" });
    expect(lastDay.items.map((i) => i.id)).toContain(pathway);
    const logged = await db().accessLog.findFirst({ where: { userId: doctor.userId, accessType: "CONTENT_VIEW", contentId: pathway, detail: "calendar file 2026-11-06..2026-11-06" } });
    expect(logged).toMatchObject({ ownerFacilityId: STATION, patientId });
  });

  it("a calendar cell opens only what is dated in it or whose period covers it", async () => {
    const ids = async (rowId: "file" | "noteRecord", day: string) => (await listCalendarCell(doctor, patientId, { rowId, from: day, to: day })).items.map((i) => i.id);
    expect(await ids("file", "2026-11-06")).toEqual([pathway]);
    expect(await ids("file", "2026-11-01")).toEqual([conference]);
    expect(await ids("file", "2026-11-12")).toEqual([]);
    // the note of 2026-11-05 (first test) is not behind a later, empty day
    expect(await ids("noteRecord", "2026-11-12")).toEqual([]);
  });

  it("is counted in every column its period covers within the window, at day, week and month zoom", async () => {
    const cells = (grid: ({ count: number; byFacility: Record<string, number> } | null)[], columns: { start: string }[]) =>
      grid.flatMap((c, i) => (c ? [`${columns[i]!.start} ${c.count}${c.byFacility[STATION] === c.count ? "" : " (not the station's)"}`] : []));

    const days = await getCalendar(doctor, patientId, { zoom: "day", start: "2026-11-01", days: 14 });
    expect(cells(days.grid.file, days.window.columns)).toEqual([
      "2026-11-01 1",
      "2026-11-02 1",
      "2026-11-03 1",
      "2026-11-04 1",
      "2026-11-05 1",
      "2026-11-06 1",
      "2026-11-07 1",
      "2026-11-08 1",
      "2026-11-09 1",
    ]);

    // weeks from Monday: 10-26..11-01 (conference), 11-02..11-08 (both), 11-09..11-15 (pathway)
    const weeks = await getCalendar(doctor, patientId, { zoom: "week", start: "2026-10-05" });
    expect(cells(weeks.grid.file, weeks.window.columns)).toEqual(["2026-10-26 1", "2026-11-02 2", "2026-11-09 1"]);

    const months = await getCalendar(doctor, patientId, { zoom: "month", start: "2026-01-01" });
    expect(cells(months.grid.file, months.window.columns)).toEqual(["2026-10-01 1", "2026-11-01 2"]);

    // a window that starts inside the pathway's period still shows it
    const late = await getCalendar(doctor, patientId, { zoom: "day", start: "2026-11-07", days: 7 });
    expect(cells(late.grid.file, late.window.columns)).toEqual(["2026-11-07 1", "2026-11-08 1", "2026-11-09 1"]);
  });
});

/* ---- 7. documents and their PDF renditions ---- */

describe("documents", () => {
  it.skipIf(!hasSoffice)(
    "an Office document gets a PDF rendition readable through the rule (needs LibreOffice's soffice; skipped where it is not installed)",
    async () => {
      await withEnv({ OFFICE_CONVERTER: undefined }, async () => {
        const { id } = await postDocument(nurse, patientId, ZPostDocument.parse({ documentType: "NURSING_SUMMARY", date: "2026-11-06" }), { bytes: DOCX, fileName: "看護サマリ.docx" });
        const view = await getContent(doctor, id, { patientId });
        expect(view).toMatchObject({ category: "DOCUMENT", title: "看護要約", occurredDate: "2026-11-06", ownerFacilityId: STATION });
        const payload = view.payload as TDocumentPayload;
        expect(payload).toMatchObject({ post: "document", documentType: "NURSING_SUMMARY", conversion: "CONVERTED" });
        expect(payload.files.map((f) => [f.role, f.fileName, f.contentType, f.kind])).toEqual([
          ["original", "看護サマリ.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office"],
          ["rendition", "看護サマリ.pdf", "application/pdf", "pdf"],
        ]);
        const [original, rendition] = payload.files;

        const pdf = await getContentFile(doctor, id, rendition!.id);
        expect(pdf.contentType).toBe("application/pdf");
        expect(pdf.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
        expect(sha256(pdf.bytes)).toBe(rendition!.sha256);

        const before = await logCount(doctor, "FILE_DOWNLOAD");
        const docx = await getContentFile(doctor, id, original!.id, { download: true });
        expect(Buffer.compare(docx.bytes, Buffer.from(DOCX))).toBe(0);
        expect(await logCount(doctor, "FILE_DOWNLOAD")).toBe(before + 1);

        // the calendar's レポート row holds documents
        const cal = await getCalendar(doctor, patientId, { zoom: "day", start: "2026-11-06", days: 7 });
        expect(cal.grid.report[0]).toMatchObject({ count: 1, byFacility: { [STATION]: 1 } });
      });
    },
    120_000,
  );

  it("a PDF needs no conversion", async () => {
    const { id } = await postDocument(nurse, patientId, ZPostDocument.parse({ documentType: "DISCHARGE_SUMMARY", date: "2026-11-07", title: "退院時サマリ（訪問看護）" }), { bytes: PDF, fileName: "退院時サマリ.pdf" });
    const view = await getContent(doctor, id, { patientId });
    expect(view).toMatchObject({ category: "DOCUMENT", title: "退院時サマリ（訪問看護）" });
    const payload = view.payload as TDocumentPayload;
    expect(payload.conversion).toBe("NOT_NEEDED");
    expect(payload.files).toEqual([expect.objectContaining({ role: "original", fileName: "退院時サマリ.pdf", contentType: "application/pdf", kind: "pdf" })]);
    const file = await getContentFile(doctor, id, payload.files[0]!.id);
    expect(Buffer.compare(file.bytes, Buffer.from(PDF))).toBe(0);
  });

  it("without a converter an Office document is kept as its original and says so; it is a download, never shown inline", async () => {
    await withEnv({ OFFICE_CONVERTER: "off" }, async () => {
      const { id } = await postDocument(nurse, patientId, ZPostDocument.parse({ documentType: "NURSING_SUMMARY", date: "2026-11-09" }), { bytes: DOCX, fileName: "看護要約.docx" });
      const payload = (await getContent(doctor, id, { patientId })).payload as TDocumentPayload;
      expect(payload.conversion).toBe("NO_CONVERTER");
      expect(payload.files).toEqual([expect.objectContaining({ role: "original", fileName: "看護要約.docx", kind: "office" })]);
      const file = await getContentFile(doctor, id, payload.files[0]!.id);
      expect(file.download).toBe(true);
      expect(Buffer.compare(file.bytes, Buffer.from(DOCX))).toBe(0);
    });
  });

  it("a conversion slower than a database transaction may stay open still posts the document with its rendition", async () => {
    // A stand-in for soffice that takes 6 s (a long document on a busy server) and writes a PDF
    // where soffice would (--outdir <dir> … document.<ext> → <dir>/document.pdf).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-slow-converter-"));
    const script = path.join(dir, "slow-soffice");
    fs.writeFileSync(
      script,
      ["#!/bin/sh", 'out=""', 'while [ $# -gt 0 ]; do', '  if [ "$1" = "--outdir" ]; then out="$2"; shift; fi', "  shift", "done", "sleep 6", "printf '%%PDF-1.4\\n%%%%EOF\\n' > \"$out/document.pdf\"", ""].join("\n"),
      { mode: 0o755 },
    );
    try {
      await withEnv({ OFFICE_CONVERTER: script }, async () => {
        const { id } = await postDocument(nurse, patientId, ZPostDocument.parse({ documentType: "REFERRAL", date: "2026-11-08" }), { bytes: DOCX, fileName: "紹介状.docx" });
        const payload = (await getContent(doctor, id, { patientId })).payload as TDocumentPayload;
        expect(payload.conversion).toBe("CONVERTED");
        const rendition = payload.files.find((f) => f.role === "rendition");
        expect(rendition).toMatchObject({ fileName: "紹介状.pdf", contentType: "application/pdf" });
        expect((await getContentFile(doctor, id, rendition!.id)).bytes.toString("latin1")).toBe("%PDF-1.4\n%%EOF\n");
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
