import "server-only";
import crypto from "node:crypto";
import type { Prisma } from "@/generated/prisma/client";
import type { ContentCategory, NotificationKind } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { checkPatient, whoSees, writeContent, writePatient, type TContentWriteScope } from "@/lib/access/gateway";
import { todayInJapan } from "@/lib/dates";
import { AppError, fieldError, notFound } from "@/lib/errors";
import { putBytes, type TStoredUpload } from "@/lib/files/store";
import { removeStored, storeUploads, type TUploadFile } from "@/lib/files/uploads";
import { convertToPdf } from "@/lib/files/converter";
import { isUuid } from "@/lib/text";
import { deliverSoon, enqueueMail, type TOutgoingMail } from "@/lib/mail/mutations";
import { type TEditNote, type TPostComment, type TPostDocument, type TPostFile, type TPostNote } from "@/lib/notes/schema";
import { documentTitleOf, nameWithExtension, noteCategoryOf, type TPostFileEntry, type TNotePayload, type TDocumentPayload, type TFilePayload } from "@/lib/notes/model";

/*
 * Posting in the portal (C6): notes, comments, documents and files. A post is a clinical content
 * owned by the author's facility and attached through that facility's link for the patient, so
 * the one visibility rule decides who sees it, as for data sent by systems. The author's
 * facility must be able to see the patient. Files are checked, scanned and stored before the
 * transaction; a refusal or a failed write removes them again.
 */

export type { TUploadFile };

const sha256 = (value: unknown) => crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");

/** The stored_files rows of a post's files, and their entries for the payload. */
async function recordFiles(tx: TTx, viewer: TViewer, stored: (TStoredUpload & { fileName?: string })[], role: TPostFileEntry["role"] = "original"): Promise<TPostFileEntry[]> {
  const entries: TPostFileEntry[] = [];
  for (const s of stored) {
    const fileName = nameWithExtension(s.fileName ?? "file", s.type.extension);
    const row = await tx.storedFile.create({
      data: {
        storageKey: s.storageKey,
        fileName,
        contentType: s.type.contentType,
        size: s.size,
        sha256: s.sha256,
        createdById: viewer.userId,
        scanState: s.scan.state,
        scanEngine: s.scan.state === "CLEAN" ? s.scan.engine.slice(0, 100) : null,
      },
      select: { id: true },
    });
    entries.push({ id: row.id, fileName, contentType: s.type.contentType, size: s.size, sha256: s.sha256, scan: s.scan.state, kind: s.type.kind, label: s.type.label, role });
  }
  return entries;
}

type TNewPost = {
  category: ContentCategory;
  occurredAt: Date;
  title: string;
  payload: Record<string, unknown>;
  qualification: TViewer["qualification"];
  periodEndDate?: Date | null;
  notify: boolean;
  notification: NotificationKind;
};

/** Writes the post's row and its notices (the gateway writes its log row in the same transaction); the files are already stored. */
async function insertPost(tx: TTx, viewer: TViewer, patientId: string, link: { id: string; facilityPatientId: string }, post: TNewPost, now: Date): Promise<string> {
  const id = crypto.randomUUID();
  await tx.clinicalContent.create({
    data: {
      id,
      ownerFacilityId: viewer.facilityId,
      facilityPatientId: link.facilityPatientId,
      ownerLinkId: link.id,
      patientId,
      category: post.category,
      occurredAt: post.occurredAt,
      occurredDate: todayInJapan(post.occurredAt),
      title: post.title.slice(0, 200),
      payload: post.payload as Prisma.InputJsonValue,
      sourceKind: "PORTAL",
      sourceKey: `post:${id}`,
      sourceVersion: "1",
      sourceHash: sha256(post.payload),
      authorId: viewer.userId,
      authorQualification: post.qualification,
      // the edit window and read marks compare against the same clock
      receivedAt: now,
      periodEndDate: post.periodEndDate ?? null,
    },
    select: { id: true },
  });
  // the poster has read their own post
  await tx.contentRead.create({ data: { contentId: id, userId: viewer.userId, readAt: now } });
  await notifyFollowers(tx, viewer, { patientId, contentId: id, kind: post.notification, email: post.notify, extraUserIds: [] }, now);
  return id;
}

/**
 * `prepare` runs on the stored uploads before the transaction opens (it may add files to `stored`):
 * slow work such as a PDF conversion must not hold a transaction past its time limit.
 */
async function createPost(
  viewer: TViewer,
  patientId: string,
  files: TUploadFile[],
  field: string,
  build: (tx: TTx, stored: TStoredUpload[]) => Promise<TNewPost>,
  now: Date,
  prepare?: (stored: TStoredUpload[]) => Promise<void>,
) {
  // refused before anything is stored; decided again with the write, consent may change meanwhile
  await checkPatient(viewer, "post", patientId, { now });
  const stored = await storeUploads(files, field);
  try {
    await prepare?.(stored);
    const id = await writePatient(
      viewer,
      "post",
      patientId,
      async ({ tx, ownLinkId }) => {
        const link = await tx.facilityPatientLink.findUniqueOrThrow({ where: { id: ownLinkId! }, select: { id: true, facilityPatientId: true } });
        const post = await build(tx, stored);
        const id = await insertPost(tx, viewer, patientId, link, post, now);
        return { value: id, content: { id, ownerFacilityId: viewer.facilityId }, detail: `${post.category} ${post.title.slice(0, 80)}` };
      },
      { now },
    );
    deliverSoon();
    return { id };
  } catch (err) {
    await removeStored(stored);
    throw err;
  }
}

/** A note (seed 000 ノート: タイプ, ノート種別, 資格種別, 日時, タイトル, 登録内容, files, アイコン, 参加者へ通知). */
export async function postNote(viewer: TViewer, patientId: string, input: TPostNote, files: TUploadFile[], now: Date = new Date()) {
  return createPost(
    viewer,
    patientId,
    files,
    "files",
    async (tx, stored) => {
      const payload: TNotePayload = {
        post: "note",
        noteType: input.noteType,
        noteKind: input.noteKind,
        qualification: input.qualification,
        icon: input.icon,
        body: input.body,
        authorName: viewer.name,
        authorFacilityName: viewer.facilityName,
        files: await recordFiles(tx, viewer, stored),
      };
      return {
        category: noteCategoryOf(input.noteKind),
        occurredAt: input.occurredAt,
        title: input.title ?? input.body.split("\n")[0]!.slice(0, 40),
        payload,
        qualification: input.qualification,
        notify: input.notify,
        notification: "NOTE_POSTED",
      };
    },
    now,
  );
}

/**
 * A document (seed 000 サマリー文書: 種別, 日付, file, 文書タイトル ≤ 40). Office files get a PDF
 * rendition when a converter is installed; the state is kept and shown either way.
 */
export async function postDocument(viewer: TViewer, patientId: string, input: TPostDocument, file: TUploadFile | null, now: Date = new Date()) {
  if (!file || file.bytes.byteLength === 0) throw fieldError("file", "v.document.file.required");
  let conversion: TDocumentPayload["conversion"] = "NOT_NEEDED";
  return createPost(
    viewer,
    patientId,
    [file],
    "file",
    async (tx, stored) => {
      const entries = [...(await recordFiles(tx, viewer, stored.slice(0, 1))), ...(await recordFiles(tx, viewer, stored.slice(1), "rendition"))];
      const payload: TDocumentPayload = {
        post: "document",
        documentType: input.documentType,
        conversion,
        authorName: viewer.name,
        authorFacilityName: viewer.facilityName,
        files: entries,
      };
      return {
        category: "DOCUMENT",
        occurredAt: new Date(`${input.date}T00:00:00+09:00`),
        title: input.title ?? documentTitleOf(input.documentType),
        payload,
        qualification: viewer.qualification,
        notify: input.notify,
        notification: "DOCUMENT_POSTED",
      };
    },
    now,
    // converting can take far longer than a transaction may stay open (up to the converter's timeout)
    async (stored) => {
      const original = stored[0]!;
      if (original.type.kind !== "office") return;
      const converted = await convertToPdf(file.bytes, original.type.extension);
      conversion = converted.state;
      if (converted.state === "CONVERTED") {
        const pdf = await putBytes(converted.pdf);
        const baseName = file.fileName.replace(/\.[^.]+$/, "");
        stored.push({ ...pdf, type: { contentType: "application/pdf", extension: "pdf", kind: "pdf", label: "PDF" }, scan: original.scan, fileName: `${baseName}.pdf` } as TStoredUpload & { fileName: string });
      }
    },
  );
}

/** A file with a validity period (seed 000 ファイルのアップロード: 日付, file, 説明 ≤ 40, 登録先期間). */
export async function postFile(viewer: TViewer, patientId: string, input: TPostFile, file: TUploadFile | null, now: Date = new Date()) {
  if (!file || file.bytes.byteLength === 0) throw fieldError("file", "v.file.file.required");
  return createPost(
    viewer,
    patientId,
    [file],
    "file",
    async (tx, stored) => {
      const payload: TFilePayload = {
        post: "file",
        description: input.description,
        periodLabel: input.periodLabel,
        from: input.from,
        to: input.to,
        authorName: viewer.name,
        authorFacilityName: viewer.facilityName,
        files: await recordFiles(tx, viewer, stored),
      };
      return {
        category: "FILE",
        occurredAt: new Date(`${input.from}T00:00:00+09:00`),
        title: input.description,
        payload,
        qualification: viewer.qualification,
        periodEndDate: new Date(`${input.to}T00:00:00Z`),
        notify: input.notify,
        notification: "FILE_POSTED",
      };
    },
    now,
  );
}

type TEditable = { id: string; patientId: string | null; authorId: string | null; receivedAt: Date; version: number; category: ContentCategory; occurredAt: Date; title: string; payload: Prisma.JsonValue };

/** The note, if the viewer wrote it and may still change it (within NOTE_EDIT_MINUTES of posting); else not found / forbidden. */
async function ownEditablePost(scope: TContentWriteScope): Promise<TEditable> {
  const { tx, viewer, now } = scope;
  const row = await tx.clinicalContent.findFirst({
    where: { id: scope.content.id, sourceKind: "PORTAL", category: { in: ["NOTE", "NOTE_CONTACT"] } },
    select: { id: true, patientId: true, authorId: true, receivedAt: true, version: true, category: true, occurredAt: true, title: true, payload: true },
  });
  if (!row) return scope.deny();
  if (row.authorId !== viewer.userId) throw new AppError("FORBIDDEN", "only the author may change a note");
  if (now.getTime() - row.receivedAt.getTime() > env().NOTE_EDIT_MINUTES * 60_000) throw fieldError("_form", "v.note.editWindow", { minutes: env().NOTE_EDIT_MINUTES });
  return row;
}

async function keepRevision(tx: TTx, viewer: TViewer, row: TEditable, action: "EDIT" | "DELETE") {
  await tx.contentRevision.create({
    data: { contentId: row.id, version: row.version, category: row.category, occurredAt: row.occurredAt, title: row.title, payload: row.payload as Prisma.InputJsonValue, action, changedById: viewer.userId },
  });
}

/** The author edits a note; the earlier version is kept (content_revisions). */
export async function editNote(viewer: TViewer, contentId: string, input: TEditNote, now: Date = new Date()) {
  return writeContent(
    viewer,
    "edit",
    contentId,
    async (scope) => {
      const { tx } = scope;
      const row = await ownEditablePost(scope);
      await keepRevision(tx, viewer, row, "EDIT");
      const payload = { ...(row.payload as TNotePayload), noteType: input.noteType, noteKind: input.noteKind, qualification: input.qualification, icon: input.icon, body: input.body, editedAt: now.toISOString() };
      await tx.clinicalContent.update({
        where: { id: row.id },
        data: {
          category: noteCategoryOf(input.noteKind),
          occurredAt: input.occurredAt,
          occurredDate: todayInJapan(input.occurredAt),
          title: (input.title ?? input.body.split("\n")[0]!.slice(0, 40)).slice(0, 200),
          payload: payload as Prisma.InputJsonValue,
          authorQualification: input.qualification,
          version: row.version + 1,
          sourceVersion: String(row.version + 1),
          sourceHash: sha256(payload),
        },
        select: { id: true },
      });
      return { value: { id: row.id, patientId: scope.content.patientId }, detail: `version ${row.version + 1}` };
    },
    { now },
  );
}

/** The author deletes a note: it leaves every screen; the version deleted is kept (content_revisions). */
export async function deleteNote(viewer: TViewer, contentId: string, now: Date = new Date()) {
  return writeContent(
    viewer,
    "delete",
    contentId,
    async (scope) => {
      const row = await ownEditablePost(scope);
      await keepRevision(scope.tx, viewer, row, "DELETE");
      await scope.tx.clinicalContent.update({ where: { id: row.id }, data: { isDeleted: true, version: row.version + 1 }, select: { id: true } });
      return { value: { id: row.id, patientId: scope.content.patientId }, detail: `version ${row.version}` };
    },
    { now },
  );
}

/** A comment under a note the viewer may see; the note's author and earlier commenters are told in the portal. */
export async function postComment(viewer: TViewer, contentId: string, input: TPostComment, now: Date = new Date()) {
  const result = await writeContent(
    viewer,
    "comment",
    contentId,
    async (scope) => {
      const { tx } = scope;
      const note = await tx.clinicalContent.findFirst({
        where: { id: scope.content.id, category: { in: ["NOTE", "NOTE_CONTACT"] } },
        select: { id: true, authorId: true, comments: { select: { authorId: true } } },
      });
      if (!note) return scope.deny();
      const patientId = scope.content.patientId;
      const comment = await tx.contentComment.create({ data: { contentId: note.id, authorId: viewer.userId, authorFacilityId: viewer.facilityId, body: input.body, createdAt: now }, select: { id: true } });
      await tx.contentRead.upsert({ where: { contentId_userId: { contentId: note.id, userId: viewer.userId } }, create: { contentId: note.id, userId: viewer.userId, readAt: now }, update: { readAt: now } });
      const thread = [note.authorId, ...note.comments.map((c) => c.authorId)].filter((u): u is string => Boolean(u));
      await notifyFollowers(tx, viewer, { patientId, contentId: note.id, kind: "COMMENT_POSTED", email: input.notify, extraUserIds: thread }, now);
      return { value: { id: comment.id, patientId, contentId: note.id }, detail: `comment ${comment.id}` };
    },
    { now },
  );
  deliverSoon();
  return result;
}

/* ---- participants (参加者) and notices ---- */

const NOTICE_WORDS: Record<NotificationKind, { ja: string; en: string }> = {
  NOTE_POSTED: { ja: "ノート", en: "note" },
  COMMENT_POSTED: { ja: "コメント", en: "comment" },
  DOCUMENT_POSTED: { ja: "文書", en: "document" },
  FILE_POSTED: { ja: "ファイル", en: "file" },
};

/**
 * The notice e-mail: that something was posted, and where to sign in. Never the patient, the
 * facility, the title or the text (as K-MIX R's notices), so a mailbox holds no clinical data.
 */
export function noticeMail(to: { address: string; userId: string; name: string }, kind: NotificationKind, origin: string): TOutgoingMail {
  const w = NOTICE_WORDS[kind];
  return {
    toAddress: to.address,
    toUserId: to.userId,
    subject: `【地域医療連携ネットワーク】新しい${w.ja}があります / New ${w.en}`,
    bodyText: [
      `${to.name} 様`,
      "",
      `地域医療連携ネットワークに新しい${w.ja}が登録されました。`,
      "内容はポータルにサインインしてご確認ください。このメールには診療情報を含めていません。",
      `${origin}/notifications`,
      "",
      `A new ${w.en} was posted in the regional network. Sign in to the portal to read it; this e-mail carries no clinical information.`,
      "",
      "このメールには返信できません。 / Please do not reply to this e-mail.",
    ].join("\n"),
  };
}

/**
 * In-app notices to the patient's participants (and `extraUserIds`, e.g. the thread of a note),
 * except the actor, each only if that user may see the post under the rule today; with `email`,
 * also a notice e-mail to those with an address. Retired users are skipped.
 */
async function notifyFollowers(
  tx: TTx,
  actor: TViewer,
  n: { patientId: string; contentId: string; kind: NotificationKind; email: boolean; extraUserIds: string[] },
  now: Date,
): Promise<void> {
  const participants = await tx.patientParticipant.findMany({ where: { patientId: n.patientId }, select: { userId: true } });
  const ids = [...new Set([...participants.map((p) => p.userId), ...n.extraUserIds])].filter((id) => id !== actor.userId);
  if (ids.length === 0) return;
  const seeing = await whoSees.content(tx, n.contentId, ids, now);
  if (seeing.size === 0) return;
  const recipients = await tx.staffUser.findMany({ where: { id: { in: [...seeing] } }, select: { id: true, email: true, nameKanji: true } });
  await tx.notification.createMany({ data: recipients.map((u) => ({ userId: u.id, kind: n.kind, patientId: n.patientId, contentId: n.contentId, actorId: actor.userId, createdAt: now })) });
  if (n.email) {
    const origin = (env().NEXTAUTH_URL ?? `https://localhost:${env().PORT}`).replace(/\/$/, "");
    await enqueueMail(
      tx,
      recipients.filter((u) => u.email).map((u) => noticeMail({ address: u.email!, userId: u.id, name: u.nameKanji }, n.kind, origin)),
    );
  }
}

/** Adds a user (oneself, or a colleague who may see the patient: a record-reading role at a facility that sees it) to the patient's participants. */
export async function addParticipant(viewer: TViewer, patientId: string, userId: string, now: Date = new Date()) {
  await writePatient(
    viewer,
    "participants",
    patientId,
    async ({ tx }) => {
      if (!(await whoSees.patient(tx, userId, patientId, now))) throw fieldError("userId", "v.participant.user.cannotSee");
      await tx.patientParticipant.upsert({ where: { patientId_userId: { patientId, userId } }, create: { patientId, userId, addedById: viewer.userId, addedAt: now }, update: {} });
      return { value: undefined };
    },
    { now },
  );
}

/** Removes a participant (anyone who sees the patient may, as in a shared care team list). */
export async function removeParticipant(viewer: TViewer, patientId: string, userId: string, now: Date = new Date()) {
  await writePatient(
    viewer,
    "participants",
    patientId,
    async ({ tx }) => {
      if (!isUuid(userId)) throw notFound("participant");
      await tx.patientParticipant.deleteMany({ where: { patientId, userId } });
      return { value: undefined };
    },
    { now },
  );
}

/** Marks the viewer's notices read (all, or the given ones). */
export async function markNotificationsRead(viewer: TViewer, ids: string[] | "all", now: Date = new Date()) {
  const { count } = await db().notification.updateMany({
    where: { userId: viewer.userId, readAt: null, ...(ids === "all" ? {} : { id: { in: ids.filter(isUuid) } }) },
    data: { readAt: now },
  });
  return { count };
}
