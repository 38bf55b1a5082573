import "server-only";
import crypto from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import type { MessageSystemKind, StaffRole } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, fieldError, notFound } from "@/lib/errors";
import type { TStoredUpload } from "@/lib/files/store";
import { removeStored, storeUploads, type TUploadFile } from "@/lib/files/uploads";
import { deliverSoon, enqueueMail } from "@/lib/mail/mutations";
import { isUuid } from "@/lib/text";
import { nameWithExtension } from "@/lib/notes/model";
import type { TAddressee, TBulkMail, TMailingList, TMailTemplate, TSaveDraft, TSendMessage } from "@/lib/securemail/schema";

/*
 * Secure mail (C9): messages between users of the network, never Internet e-mail. A message has
 * one row per recipient (their copy: read mark, folder, trash) and the sender's own copy on the
 * message row. Nobody but the sender and the recipients can open a message or its attachments;
 * a message that mentions a patient grants nothing (the visibility rule is not consulted here and
 * not bypassed either: patient pages still go through it).
 */

/** How a facility's role reads as an addressee ("飯田中央病院 連携担当"). */
export const ROLE_LABELS: Record<StaffRole, string> = {
  LIAISON: "連携担当",
  CLINICIAN: "医療職",
  FACILITY_ADMIN: "施設管理者",
  SECRETARIAT: "事務局",
};

const userLabel = (u: { nameKanji: string; facility: { nameKanji: string } }) => `${u.nameKanji}（${u.facility.nameKanji}）`;

/**
 * The addressees as users: a user, every active user of a facility with a role, every member of
 * a list the viewer owns or belongs to. The sender is never their own recipient.
 */
export async function resolveAddressees(tx: TTx, viewer: TViewer, to: TAddressee[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const add = (userId: string, label: string) => {
    if (userId !== viewer.userId && !out.has(userId)) out.set(userId, label.slice(0, 200));
  };
  for (const a of to) {
    if (a.kind === "user") {
      const u = await tx.staffUser.findFirst({ where: { id: a.userId, isRetired: false }, select: { id: true, nameKanji: true, facility: { select: { nameKanji: true } } } });
      if (!u) throw fieldError("to", "v.mail.to.unknown");
      add(u.id, userLabel(u));
    } else if (a.kind === "role") {
      const f = await tx.facility.findUnique({ where: { id: a.facilityId }, select: { nameKanji: true } });
      if (!f) throw fieldError("to", "v.mail.to.unknown");
      const users = await tx.staffUser.findMany({ where: { facilityId: a.facilityId, roles: { has: a.role }, isRetired: false }, select: { id: true } });
      for (const u of users) add(u.id, `${f.nameKanji} ${ROLE_LABELS[a.role]}`);
    } else {
      const list = await tx.mailingList.findFirst({
        where: { id: a.listId, OR: [{ ownerId: viewer.userId }, { members: { some: { userId: viewer.userId } } }] },
        select: { name: true, members: { where: { user: { isRetired: false } }, select: { userId: true } } },
      });
      if (!list) throw fieldError("to", "v.mail.to.unknown");
      for (const m of list.members) add(m.userId, list.name);
    }
  }
  return out;
}

async function recordAttachments(tx: TTx, viewer: TViewer, messageId: string, stored: TStoredUpload[], names: string[]) {
  for (const [i, s] of stored.entries()) {
    const fileName = nameWithExtension(names[i] ?? "file", s.type.extension);
    const file = await tx.storedFile.create({
      data: { storageKey: s.storageKey, fileName, contentType: s.type.contentType, size: s.size, sha256: s.sha256, createdById: viewer.userId, scanState: s.scan.state, scanEngine: s.scan.state === "CLEAN" ? s.scan.engine.slice(0, 100) : null },
      select: { id: true },
    });
    await tx.messageAttachment.create({ data: { messageId, storedFileId: file.id, fileName, contentType: s.type.contentType, size: s.size, scan: s.scan.state } });
  }
}

/** The viewer's own draft, or not found. */
async function ownDraft(tx: TTx, viewer: TViewer, draftId: string) {
  const d = await tx.secureMessage.findFirst({ where: { id: draftId, senderId: viewer.userId, sentAt: null, senderDeletedAt: null }, select: { id: true, threadId: true } });
  if (!d) throw notFound("draft");
  return d;
}

/** The message replied to: one the viewer has (received or sent), never a system message. */
async function repliedTo(tx: TTx, viewer: TViewer, messageId: string) {
  const m = await tx.secureMessage.findFirst({
    where: { id: messageId, sentAt: { not: null }, OR: [{ senderId: viewer.userId }, { recipients: { some: { userId: viewer.userId, deletedAt: null } } }] },
    select: { threadId: true, systemKind: true },
  });
  if (!m) throw notFound("message");
  if (m.systemKind) throw fieldError("_form", "v.mail.reply.system");
  return m;
}

type TWrite = { input: TSaveDraft; files: TUploadFile[]; send: boolean; now: Date };

async function writeMessage(viewer: TViewer, { input, files, send, now }: TWrite): Promise<{ id: string }> {
  const stored = await storeUploads(files, "files");
  const present = files.filter((f) => f.bytes.byteLength > 0);
  try {
    const id = await db().$transaction(async (tx) => {
      const draft = input.draftId ? await ownDraft(tx, viewer, input.draftId) : null;
      const reply = input.inReplyToId ? await repliedTo(tx, viewer, input.inReplyToId) : null;
      const recipients = send ? await resolveAddressees(tx, viewer, input.to) : new Map<string, string>();
      if (send && recipients.size === 0) throw fieldError("to", "v.mail.to.nobody");
      const id = draft?.id ?? crypto.randomUUID();
      const data = {
        subject: input.subject,
        body: input.body,
        inReplyToId: input.inReplyToId,
        threadId: reply?.threadId ?? draft?.threadId ?? id,
        draftTo: send ? Prisma.DbNull : (input.to as Prisma.InputJsonValue),
        sentAt: send ? now : null,
      };
      if (draft) await tx.secureMessage.update({ where: { id }, data, select: { id: true } });
      else await tx.secureMessage.create({ data: { id, senderId: viewer.userId, senderFacilityId: viewer.facilityId, ...data }, select: { id: true } });
      await recordAttachments(tx, viewer, id, stored, present.map((f) => f.fileName));
      if (send) {
        await tx.messageRecipient.createMany({ data: [...recipients].map(([userId, addressedAs]) => ({ messageId: id, userId, addressedAs })) });
        await queueAlerts(tx, [...recipients.keys()]);
      }
      return id;
    });
    if (send) deliverSoon();
    return { id };
  } catch (err) {
    await removeStored(stored);
    throw err;
  }
}

/** Saves (or updates) a draft; it survives a reload and is sent later from the compose screen. */
export async function saveDraft(viewer: TViewer, input: TSaveDraft, files: TUploadFile[] = [], now: Date = new Date()) {
  return writeMessage(viewer, { input, files, send: false, now });
}

/** Sends a new message, a reply, or a saved draft (with the draft's attachments and any new ones). */
export async function sendMessage(viewer: TViewer, input: TSendMessage, files: TUploadFile[] = [], now: Date = new Date()) {
  return writeMessage(viewer, { input, files, send: true, now });
}

/** The optional Internet e-mail "you have new secure mail": no sender, subject or text, only where to sign in. */
async function queueAlerts(tx: TTx, userIds: string[]) {
  if (userIds.length === 0) return;
  const users = await tx.staffUser.findMany({ where: { id: { in: userIds }, secureMailAlert: true, isRetired: false, email: { not: null } }, select: { id: true, email: true, nameKanji: true } });
  const origin = (env().NEXTAUTH_URL ?? `https://localhost:${env().PORT}`).replace(/\/$/, "");
  await enqueueMail(
    tx,
    users.map((u) => ({
      toAddress: u.email!,
      toUserId: u.id,
      subject: "【地域医療連携ネットワーク】新着セキュアメールがあります / You have new secure mail",
      bodyText: [
        `${u.nameKanji} 様`,
        "",
        "ポータルに新しいセキュアメールが届いています。内容はポータルにサインインしてご確認ください。",
        `${origin}/mail`,
        "",
        "You have new secure mail in the portal. Sign in to read it.",
        "",
        "このメールには返信できません。 / Please do not reply to this e-mail.",
      ].join("\n"),
    })),
  );
}

/**
 * A message from the system (publication notices, password reminders): no sender, so it cannot
 * be replied to; written in the caller's transaction. Null when nobody is to receive it.
 */
export async function sendSystemMessage(
  tx: TTx,
  m: { kind: MessageSystemKind; userIds: string[]; subject: string; body: string; /** the patient the notice names: opening it is logged as an identity read */ patientId?: string },
  now: Date = new Date(),
): Promise<string | null> {
  const users = await tx.staffUser.findMany({ where: { id: { in: [...new Set(m.userIds)] }, isRetired: false }, select: { id: true, nameKanji: true } });
  if (users.length === 0) return null;
  const id = crypto.randomUUID();
  await tx.secureMessage.create({ data: { id, threadId: id, systemKind: m.kind, subject: m.subject.slice(0, 200), body: m.body, sentAt: now, patientId: m.patientId ?? null }, select: { id: true } });
  await tx.messageRecipient.createMany({ data: users.map((u) => ({ messageId: id, userId: u.id, addressedAs: u.nameKanji })) });
  await queueAlerts(tx, users.map((u) => u.id));
  return id;
}

/** Marks or moves the viewer's copies (received) and own messages (sent, drafts); anything else is ignored. */
export async function bulkMail(viewer: TViewer, input: TBulkMail, now: Date = new Date()): Promise<{ count: number }> {
  const ids = input.ids.filter(isUuid);
  return db().$transaction(async (tx) => {
    if (input.action === "move") {
      const folder = input.folderId ? await tx.mailFolder.findFirst({ where: { id: input.folderId, ownerId: viewer.userId }, select: { id: true } }) : null;
      if (input.folderId && !folder) throw notFound("folder");
      const r = await tx.messageRecipient.updateMany({ where: { id: { in: ids }, userId: viewer.userId, deletedAt: null }, data: { folderId: folder?.id ?? null, trashedAt: null } });
      return { count: r.count };
    }
    const mine = { id: { in: ids }, userId: viewer.userId, deletedAt: null };
    const own = { id: { in: ids }, senderId: viewer.userId, senderDeletedAt: null };
    let count = 0;
    switch (input.action) {
      case "read":
        count += (await tx.messageRecipient.updateMany({ where: { ...mine, readAt: null }, data: { readAt: now } })).count;
        await tx.messageRecipient.updateMany({ where: { ...mine, firstReadAt: null }, data: { firstReadAt: now } });
        break;
      case "unread":
        count += (await tx.messageRecipient.updateMany({ where: mine, data: { readAt: null } })).count;
        break;
      case "trash":
        count += (await tx.messageRecipient.updateMany({ where: mine, data: { trashedAt: now } })).count;
        count += (await tx.secureMessage.updateMany({ where: own, data: { senderTrashedAt: now } })).count;
        break;
      case "restore":
        count += (await tx.messageRecipient.updateMany({ where: mine, data: { trashedAt: null } })).count;
        count += (await tx.secureMessage.updateMany({ where: own, data: { senderTrashedAt: null } })).count;
        break;
      case "delete":
        count += (await tx.messageRecipient.updateMany({ where: { ...mine, trashedAt: { not: null } }, data: { deletedAt: now } })).count;
        count += (await tx.secureMessage.updateMany({ where: { ...own, senderTrashedAt: { not: null } }, data: { senderDeletedAt: now } })).count;
        break;
    }
    return { count };
  });
}

/** ゴミ箱を空にする: every trashed copy of the viewer is gone from every folder (the other side keeps theirs). */
export async function emptyTrash(viewer: TViewer, now: Date = new Date()): Promise<{ count: number }> {
  return db().$transaction(async (tx) => {
    const a = await tx.messageRecipient.updateMany({ where: { userId: viewer.userId, trashedAt: { not: null }, deletedAt: null }, data: { deletedAt: now } });
    const b = await tx.secureMessage.updateMany({ where: { senderId: viewer.userId, senderTrashedAt: { not: null }, senderDeletedAt: null }, data: { senderDeletedAt: now } });
    return { count: a.count + b.count };
  });
}

export async function createFolder(viewer: TViewer, name: string) {
  const exists = await db().mailFolder.findFirst({ where: { ownerId: viewer.userId, name }, select: { id: true } });
  if (exists) throw fieldError("name", "v.mail.folder.exists");
  return db().mailFolder.create({ data: { ownerId: viewer.userId, name }, select: { id: true } });
}

/** Deleting a folder puts its messages back in the inbox. */
export async function deleteFolder(viewer: TViewer, id: string) {
  if (!isUuid(id)) throw notFound("folder");
  await db().$transaction(async (tx) => {
    const f = await tx.mailFolder.findFirst({ where: { id, ownerId: viewer.userId }, select: { id: true } });
    if (!f) throw notFound("folder");
    await tx.messageRecipient.updateMany({ where: { userId: viewer.userId, folderId: id }, data: { folderId: null } });
    await tx.mailFolder.delete({ where: { id } });
  });
}

/** Creates or edits a mailing list the viewer owns; members are active users of any facility. */
export async function saveMailingList(viewer: TViewer, input: TMailingList) {
  return db().$transaction(async (tx) => {
    const members = input.memberIds.length ? await tx.staffUser.findMany({ where: { id: { in: input.memberIds }, isRetired: false }, select: { id: true } }) : [];
    if (members.length !== new Set(input.memberIds).size) throw fieldError("memberIds", "v.mail.to.unknown");
    if (input.id) {
      const list = await tx.mailingList.findFirst({ where: { id: input.id, ownerId: viewer.userId }, select: { id: true } });
      if (!list) throw notFound("list");
      await tx.mailingList.update({ where: { id: list.id }, data: { name: input.name, description: input.description }, select: { id: true } });
      await tx.mailingListMember.deleteMany({ where: { listId: list.id } });
      await tx.mailingListMember.createMany({ data: members.map((m) => ({ listId: list.id, userId: m.id })) });
      return { id: list.id };
    }
    const list = await tx.mailingList.create({ data: { ownerId: viewer.userId, name: input.name, description: input.description }, select: { id: true } });
    await tx.mailingListMember.createMany({ data: members.map((m) => ({ listId: list.id, userId: m.id })) });
    return { id: list.id };
  });
}

export async function deleteMailingList(viewer: TViewer, id: string) {
  const r = isUuid(id) ? await db().mailingList.deleteMany({ where: { id, ownerId: viewer.userId } }) : { count: 0 };
  if (r.count === 0) throw notFound("list");
}

export async function saveTemplate(viewer: TViewer, input: TMailTemplate) {
  const clash = await db().mailTemplate.findFirst({ where: { ownerId: viewer.userId, name: input.name, ...(input.id ? { id: { not: input.id } } : {}) }, select: { id: true } });
  if (clash) throw fieldError("name", "v.mail.template.exists");
  if (input.id) {
    const r = await db().mailTemplate.updateMany({ where: { id: input.id, ownerId: viewer.userId }, data: { name: input.name, subject: input.subject, body: input.body } });
    if (r.count === 0) throw notFound("template");
    return { id: input.id };
  }
  return db().mailTemplate.create({ data: { ownerId: viewer.userId, name: input.name, subject: input.subject, body: input.body }, select: { id: true } });
}

export async function deleteTemplate(viewer: TViewer, id: string) {
  const r = isUuid(id) ? await db().mailTemplate.deleteMany({ where: { id, ownerId: viewer.userId } }) : { count: 0 };
  if (r.count === 0) throw notFound("template");
}

/** The optional Internet e-mail alert; only for a user with an address. */
export async function setMailAlert(viewer: TViewer, on: boolean) {
  const u = await db().staffUser.findUnique({ where: { id: viewer.userId }, select: { email: true } });
  if (on && !u?.email) throw new AppError("VALIDATION", "v.mail.alert.noEmail", { _form: ["v.mail.alert.noEmail"] });
  await db().staffUser.update({ where: { id: viewer.userId }, data: { secureMailAlert: on }, select: { id: true } });
}
