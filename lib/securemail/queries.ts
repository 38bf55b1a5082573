import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import type { StaffRole } from "@/generated/prisma/enums";
import { db, preparedRows, type TTx } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { readIdentities } from "@/lib/access/gateway";
import { notFound } from "@/lib/errors";
import { readBytes } from "@/lib/files/store";
import { isInlineSafe } from "@/lib/files/upload-type";
import { isUuid } from "@/lib/text";
import { ROLE_LABELS } from "@/lib/securemail/mutations";
import type { TAddressee, TMailboxQuery } from "@/lib/securemail/schema";
import type { TAddressOption, TDraft, TMailbox, TMailFolderInfo, TMailingListInfo, TMailListItem, TMailMessage, TMailParty, TMailTemplateInfo, TMailThread } from "@/lib/securemail/dto";

/*
 * Reading secure mail: a user sees only their own copies (received, not emptied from the trash)
 * and the messages they sent or drafted. Anything else is "not found", whatever its id.
 */

const contains = (s: string) => ({ contains: s, mode: "insensitive" as const });
/** A calendar day in Japan as the instants it spans. */
const dayStart = (d: string) => new Date(`${d}T00:00:00+09:00`);
const dayEnd = (d: string) => new Date(new Date(`${d}T00:00:00+09:00`).getTime() + 86_400_000);

const partySelect = { id: true, nameKanji: true, facility: { select: { nameKanji: true } } } as const;
const partyOf = (u: { id: string; nameKanji: string; facility: { nameKanji: string } } | null): TMailParty =>
  u ? { userId: u.id, name: u.nameKanji, facilityName: u.facility.nameKanji, isSystem: false } : { userId: null, name: "システム", facilityName: null, isSystem: true };

/** Filters on the message itself (件名・本文, 期間). */
function messageFilter(q: TMailboxQuery): Prisma.SecureMessageWhereInput {
  const and: Prisma.SecureMessageWhereInput[] = [];
  if (q.q) and.push({ OR: [{ subject: contains(q.q) }, { body: contains(q.q) }] });
  if (q.since) and.push({ OR: [{ sentAt: { gte: dayStart(q.since) } }, { sentAt: null, updatedAt: { gte: dayStart(q.since) } }] });
  if (q.until) and.push({ OR: [{ sentAt: { lt: dayEnd(q.until) } }, { sentAt: null, updatedAt: { lt: dayEnd(q.until) } }] });
  return and.length ? { AND: and } : {};
}

/** 差出人 and 所属 on received copies: the sender's name (kanji or kana) and facility. */
function senderFilter(q: TMailboxQuery): Prisma.SecureMessageWhereInput {
  const and: Prisma.SecureMessageWhereInput[] = [];
  if (q.from) and.push({ sender: { OR: [{ nameKanji: contains(q.from) }, { nameKana: contains(q.from) }] } });
  if (q.affiliation) and.push({ sender: { facility: { nameKanji: contains(q.affiliation) } } });
  return and.length ? { AND: and } : {};
}

const receivedSelect = {
  id: true,
  readAt: true,
  message: { select: { id: true, subject: true, sentAt: true, systemKind: true, sender: { select: partySelect }, _count: { select: { attachments: true } } } },
} as const;
type TReceivedRow = Prisma.MessageRecipientGetPayload<{ select: typeof receivedSelect }>;
const receivedItem = (r: TReceivedRow, toSummary: string): TMailListItem => ({
  entryId: r.id,
  messageId: r.message.id,
  subject: r.message.subject,
  from: partyOf(r.message.sender),
  toSummary,
  at: r.message.sentAt!,
  isRead: r.readAt !== null,
  hasAttachments: r.message._count.attachments > 0,
  systemKind: r.message.systemKind,
  isOwn: false,
  isDraft: false,
});

const ownSelect = {
  id: true,
  subject: true,
  sentAt: true,
  updatedAt: true,
  draftTo: true,
  systemKind: true,
  recipients: { select: { addressedAs: true }, take: 20 },
  _count: { select: { attachments: true, recipients: true } },
} as const;
type TOwnRow = Prisma.SecureMessageGetPayload<{ select: typeof ownSelect }>;
/** The first few addressees as the sender chose them ("飯田中央病院 連携担当、医師 一郎（…）…"). */
const summaryOf = (labels: string[], total: number) => {
  const distinct = [...new Set(labels)];
  return distinct.slice(0, 3).join("、") + (distinct.length > 3 || total > labels.length ? " …" : "");
};
const ownItem = (viewer: TViewer, r: TOwnRow): TMailListItem => ({
  entryId: r.id,
  messageId: r.id,
  subject: r.subject,
  from: { userId: viewer.userId, name: viewer.name, facilityName: viewer.facilityName, isSystem: false },
  toSummary: r.sentAt ? summaryOf(r.recipients.map((x) => x.addressedAs), r._count.recipients) : "",
  at: r.sentAt ?? r.updatedAt,
  isRead: true,
  hasAttachments: r._count.attachments > 0,
  systemKind: r.systemKind,
  isOwn: true,
  isDraft: r.sentAt === null,
});

/** The viewer's received copies that are live (not emptied), optionally in the trash or a folder. */
const receivedWhere = (viewer: TViewer, place: { trash: boolean; folderId: string | null }, q: TMailboxQuery): Prisma.MessageRecipientWhereInput => ({
  userId: viewer.userId,
  deletedAt: null,
  trashedAt: place.trash ? { not: null } : null,
  ...(place.trash ? {} : { folderId: place.folderId }),
  ...(q.unread ? { readAt: null } : {}),
  message: { sentAt: { not: null }, AND: [messageFilter(q), senderFilter(q)] },
});

/** The viewer's own messages: sent or drafts, or those of them in the trash. */
function ownWhere(viewer: TViewer, kind: "sent" | "drafts" | "trash", q: TMailboxQuery): Prisma.SecureMessageWhereInput {
  const toFilter: Prisma.SecureMessageWhereInput = q.from ? { recipients: { some: { addressedAs: contains(q.from) } } } : {};
  return {
    senderId: viewer.userId,
    senderDeletedAt: null,
    senderTrashedAt: kind === "trash" ? { not: null } : null,
    ...(kind === "sent" ? { sentAt: { not: null } } : kind === "drafts" ? { sentAt: null } : {}),
    ...messageFilter(q),
    ...toFilter,
    // 所属 and 未読 describe received mail only
    ...(q.affiliation || q.unread ? { id: { in: [] } } : {}),
  };
}

/** One folder of the mailbox (受信トレイ, 送信済み, 下書き, ゴミ箱, or a folder of the viewer's), searched and paged. */
export async function listMailbox(viewer: TViewer, q: TMailboxQuery): Promise<TMailbox> {
  const skip = (q.page - 1) * q.size;
  const folders = await listFolders(viewer);
  const userFolder = q.folder !== "inbox" && q.folder !== "sent" && q.folder !== "drafts" && q.folder !== "trash" ? folders.find((f) => f.id === q.folder) : undefined;
  if (q.folder !== "inbox" && q.folder !== "sent" && q.folder !== "drafts" && q.folder !== "trash" && !userFolder) throw notFound("folder");
  const counts = await mailCounts(viewer);
  let items: TMailListItem[] = [];
  let total = 0;
  if (q.folder === "sent" || q.folder === "drafts") {
    const where = ownWhere(viewer, q.folder, q);
    const rows = await db().secureMessage.findMany({ where, orderBy: [{ sentAt: "desc" }, { updatedAt: "desc" }, { id: "asc" }], skip, take: q.size, select: ownSelect });
    total = await db().secureMessage.count({ where });
    items = rows.map((r) => ownItem(viewer, r));
    if (q.folder === "drafts") items = await withDraftLabels(items, rows);
  } else if (q.folder === "trash") {
    // two kinds of copies in one list: merged by date, paged together
    const rWhere = receivedWhere(viewer, { trash: true, folderId: null }, q);
    const oWhere = ownWhere(viewer, "trash", q);
    const [received, own] = [
      await db().messageRecipient.findMany({ where: rWhere, orderBy: [{ message: { sentAt: "desc" } }, { id: "asc" }], take: skip + q.size, select: receivedSelect }),
      await db().secureMessage.findMany({ where: oWhere, orderBy: [{ updatedAt: "desc" }, { id: "asc" }], take: skip + q.size, select: ownSelect }),
    ];
    total = (await db().messageRecipient.count({ where: rWhere })) + (await db().secureMessage.count({ where: oWhere }));
    items = [...received.map((r) => receivedItem(r, viewer.name)), ...own.map((r) => ownItem(viewer, r))].sort((a, b) => b.at.getTime() - a.at.getTime()).slice(skip, skip + q.size);
  } else {
    const where = receivedWhere(viewer, { trash: false, folderId: userFolder?.id ?? null }, q);
    const rows = await db().messageRecipient.findMany({ where, orderBy: [{ message: { sentAt: "desc" } }, { id: "asc" }], skip, take: q.size, select: receivedSelect });
    total = await db().messageRecipient.count({ where });
    items = rows.map((r) => receivedItem(r, viewer.name));
  }
  return { items, total, page: q.page, size: q.size, counts, folders };
}

async function withDraftLabels(items: TMailListItem[], rows: TOwnRow[]): Promise<TMailListItem[]> {
  const labels = await Promise.all(rows.map((r) => addresseeLabels(db(), addresseesOf(r.draftTo))));
  return items.map((it, i) => ({ ...it, toSummary: labels[i]!.join("、") }));
}

const addresseesOf = (v: unknown): TAddressee[] => (Array.isArray(v) ? (v as TAddressee[]) : []);

/** How chosen addressees read ("医師 一郎（飯田中央病院）", "飯田中央病院 連携担当", a list's name). */
export async function addresseeLabels(tx: TTx, to: TAddressee[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of to) {
    if (a.kind === "user") {
      const u = await tx.staffUser.findUnique({ where: { id: a.userId }, select: { nameKanji: true, facility: { select: { nameKanji: true } } } });
      out.push(u ? `${u.nameKanji}（${u.facility.nameKanji}）` : "?");
    } else if (a.kind === "role") {
      const f = await tx.facility.findUnique({ where: { id: a.facilityId }, select: { nameKanji: true } });
      out.push(`${f?.nameKanji ?? "?"} ${ROLE_LABELS[a.role]}`);
    } else {
      const l = await tx.mailingList.findUnique({ where: { id: a.listId }, select: { name: true } });
      out.push(l?.name ?? "?");
    }
  }
  return out;
}

async function mailCounts(viewer: TViewer) {
  const inboxUnread = await countUnreadMail(viewer);
  const drafts = await db().secureMessage.count({ where: { senderId: viewer.userId, sentAt: null, senderTrashedAt: null, senderDeletedAt: null } });
  const trash =
    (await db().messageRecipient.count({ where: { userId: viewer.userId, deletedAt: null, trashedAt: { not: null } } })) +
    (await db().secureMessage.count({ where: { senderId: viewer.userId, senderDeletedAt: null, senderTrashedAt: { not: null } } }));
  return { inboxUnread, drafts, trash };
}

/** The header's badge: unread mail in the inbox. */
export async function countUnreadMail(viewer: TViewer): Promise<number> {
  // on every page's header: a prepared statement, not Prisma's (the inbox: not filed, trashed or deleted; sent)
  const [r] = await preparedRows<{ n: number }>(
    "chiikilink_unread_mail",
    `SELECT count(*)::int AS n FROM "message_recipients" r JOIN "secure_messages" m ON m.id = r.message_id
      WHERE r.user_id = $1::uuid AND r.read_at IS NULL AND r.deleted_at IS NULL AND r.trashed_at IS NULL AND r.folder_id IS NULL AND m.sent_at IS NOT NULL`,
    [viewer.userId],
  );
  return r?.n ?? 0;
}

export async function listFolders(viewer: TViewer): Promise<TMailFolderInfo[]> {
  const folders = await db().mailFolder.findMany({ where: { ownerId: viewer.userId }, orderBy: { name: "asc" }, select: { id: true, name: true } });
  if (folders.length === 0) return [];
  const stats = await db().messageRecipient.groupBy({
    by: ["folderId"],
    where: { userId: viewer.userId, deletedAt: null, trashedAt: null, folderId: { in: folders.map((f) => f.id) } },
    _count: { _all: true },
  });
  const unread = await db().messageRecipient.groupBy({
    by: ["folderId"],
    where: { userId: viewer.userId, deletedAt: null, trashedAt: null, readAt: null, folderId: { in: folders.map((f) => f.id) } },
    _count: { _all: true },
  });
  return folders.map((f) => ({
    ...f,
    total: stats.find((s) => s.folderId === f.id)?._count._all ?? 0,
    unread: unread.find((s) => s.folderId === f.id)?._count._all ?? 0,
  }));
}

const messageSelect = {
  id: true,
  threadId: true,
  subject: true,
  body: true,
  sentAt: true,
  systemKind: true,
  patientId: true,
  senderId: true,
  sender: { select: partySelect },
  attachments: { select: { id: true, fileName: true, contentType: true, size: true, scan: true }, orderBy: { fileName: "asc" } },
  recipients: { select: { id: true, userId: true, addressedAs: true, firstReadAt: true, user: { select: partySelect } }, orderBy: { addressedAs: "asc" } },
} as const;
type TMessageRow = Prisma.SecureMessageGetPayload<{ select: typeof messageSelect }>;

/** A sent message the viewer has a copy of (received and not emptied, or sent and not emptied). */
const visibleMessageWhere = (viewer: TViewer): Prisma.SecureMessageWhereInput => ({
  sentAt: { not: null },
  OR: [{ senderId: viewer.userId, senderDeletedAt: null }, { recipients: { some: { userId: viewer.userId, deletedAt: null } } }],
});

function messageView(viewer: TViewer, m: TMessageRow): TMailMessage {
  const isOwn = m.senderId === viewer.userId;
  const mine = m.recipients.find((r) => r.userId === viewer.userId);
  return {
    id: m.id,
    threadId: m.threadId,
    subject: m.subject,
    body: m.body,
    sentAt: m.sentAt,
    from: partyOf(m.sender),
    to: [...new Set(m.recipients.map((r) => r.addressedAs))],
    attachments: m.attachments,
    receipts: isOwn ? m.recipients.map((r) => ({ userId: r.userId, name: r.user.nameKanji, facilityName: r.user.facility.nameKanji, addressedAs: r.addressedAs, readAt: r.firstReadAt })) : null,
    systemKind: m.systemKind,
    canReply: m.systemKind === null,
    entryId: isOwn ? m.id : (mine?.id ?? m.id),
    isOwn,
  };
}

/**
 * A message and its conversation, for a sender or a recipient only; opening it marks the viewer's
 * copy read (the sender sees 既読 with the time it was first opened). A system notice that names a
 * patient (公開設定完了のお知らせ, EMS) is an identity read: logged through the gateway.
 */
export async function getMessage(viewer: TViewer, messageId: string, now: Date = new Date()): Promise<TMailThread> {
  if (!isUuid(messageId)) throw notFound("message");
  return readIdentities(
    viewer,
    "notice",
    async ({ tx }) => {
      const m = await tx.secureMessage.findFirst({ where: { id: messageId, ...visibleMessageWhere(viewer) }, select: messageSelect });
      if (!m) throw notFound("message");
      await tx.messageRecipient.updateMany({ where: { messageId, userId: viewer.userId, readAt: null }, data: { readAt: now } });
      await tx.messageRecipient.updateMany({ where: { messageId, userId: viewer.userId, firstReadAt: null }, data: { firstReadAt: now } });
      const thread = await tx.secureMessage.findMany({ where: { threadId: m.threadId, ...visibleMessageWhere(viewer) }, orderBy: [{ sentAt: "asc" }, { id: "asc" }], select: messageSelect });
      return {
        value: { message: messageView(viewer, m), thread: thread.map((t) => messageView(viewer, t)) },
        patients: thread.flatMap((t) => (t.patientId ? [t.patientId] : [])),
        detail: `message ${m.id}`,
      };
    },
    { now },
  );
}

/** The viewer's draft, to resume composing. */
export async function getDraft(viewer: TViewer, draftId: string): Promise<TDraft> {
  const d = isUuid(draftId)
    ? await db().secureMessage.findFirst({
        where: { id: draftId, senderId: viewer.userId, sentAt: null, senderDeletedAt: null },
        select: { id: true, draftTo: true, subject: true, body: true, inReplyToId: true, updatedAt: true, attachments: { select: { id: true, fileName: true, contentType: true, size: true, scan: true } } },
      })
    : null;
  if (!d) throw notFound("draft");
  const to = addresseesOf(d.draftTo);
  return { id: d.id, to, toLabels: await addresseeLabels(db(), to), subject: d.subject, body: d.body, inReplyToId: d.inReplyToId, attachments: d.attachments, updatedAt: d.updatedAt };
}

/** An attachment, for the sender or a recipient of its message only (a draft's, for its author). */
export async function getAttachment(viewer: TViewer, messageId: string, attachmentId: string) {
  const a =
    isUuid(messageId) && isUuid(attachmentId)
      ? await db().messageAttachment.findFirst({
          where: { id: attachmentId, messageId, message: { OR: [visibleMessageWhere(viewer), { senderId: viewer.userId, sentAt: null, senderDeletedAt: null }] } },
          select: { fileName: true, contentType: true, storedFileId: true },
        })
      : null;
  const file = a ? await db().storedFile.findUnique({ where: { id: a.storedFileId }, select: { storageKey: true, sha256: true } }) : null;
  if (!a || !file) throw notFound("attachment");
  return { fileName: a.fileName, contentType: a.contentType, download: !isInlineSafe(a.contentType), bytes: await readBytes(file.storageKey, file.sha256) };
}

const ADDRESSABLE_ROLES: StaffRole[] = ["LIAISON", "CLINICIAN", "FACILITY_ADMIN"];

/** Compose's address book: people by name (kanji or kana) or facility, a facility's roles, the viewer's lists. */
export async function searchAddressees(viewer: TViewer, term: string): Promise<TAddressOption[]> {
  const t = term.trim().slice(0, 50);
  const lists = await db().mailingList.findMany({
    where: { OR: [{ ownerId: viewer.userId }, { members: { some: { userId: viewer.userId } } }], ...(t ? { name: contains(t) } : {}) },
    orderBy: { name: "asc" },
    take: 10,
    select: { id: true, name: true, _count: { select: { members: true } } },
  });
  const out: TAddressOption[] = lists.map((l) => ({ kind: "list", listId: l.id, label: l.name, members: l._count.members }));
  if (!t) return out;
  const facilities = await db().facility.findMany({ where: { OR: [{ nameKanji: contains(t) }, { nameKana: contains(t) }] }, orderBy: { code: "asc" }, take: 5, select: { id: true, nameKanji: true } });
  // a facility's role is offered when someone active holds it (one read for all the facilities found)
  const holders = facilities.length
    ? await db().staffUser.findMany({ where: { facilityId: { in: facilities.map((f) => f.id) }, isRetired: false, roles: { hasSome: ADDRESSABLE_ROLES } }, select: { facilityId: true, roles: true } })
    : [];
  for (const f of facilities) {
    for (const role of ADDRESSABLE_ROLES) {
      if (holders.some((h) => h.facilityId === f.id && h.roles.includes(role))) out.push({ kind: "role", facilityId: f.id, role, label: `${f.nameKanji} ${ROLE_LABELS[role]}` });
    }
  }
  const users = await db().staffUser.findMany({
    where: { isRetired: false, id: { not: viewer.userId }, OR: [{ nameKanji: contains(t) }, { nameKana: contains(t) }, { facility: { nameKanji: contains(t) } }] },
    orderBy: [{ facility: { code: "asc" } }, { nameKana: "asc" }],
    take: 20,
    select: { id: true, nameKanji: true, facility: { select: { nameKanji: true } } },
  });
  for (const u of users) out.push({ kind: "user", userId: u.id, label: `${u.nameKanji}（${u.facility.nameKanji}）`, facilityName: u.facility.nameKanji });
  return out;
}

/** Lists the viewer owns or belongs to. */
export async function listMailingLists(viewer: TViewer): Promise<TMailingListInfo[]> {
  const lists = await db().mailingList.findMany({
    where: { OR: [{ ownerId: viewer.userId }, { members: { some: { userId: viewer.userId } } }] },
    orderBy: { name: "asc" },
    select: { id: true, name: true, description: true, ownerId: true, owner: { select: { nameKanji: true } }, members: { select: { user: { select: partySelect } } } },
  });
  return lists.map((l) => ({
    id: l.id,
    name: l.name,
    description: l.description,
    isMine: l.ownerId === viewer.userId,
    ownerName: l.owner.nameKanji,
    members: l.members.map((m) => ({ userId: m.user.id, name: m.user.nameKanji, facilityName: m.user.facility.nameKanji })),
  }));
}

export async function listTemplates(viewer: TViewer): Promise<TMailTemplateInfo[]> {
  return db().mailTemplate.findMany({ where: { ownerId: viewer.userId }, orderBy: { name: "asc" }, select: { id: true, name: true, subject: true, body: true } });
}

/** Whether the viewer gets the Internet e-mail alert, and whether they can (an address is registered). */
export async function getMailAlert(viewer: TViewer) {
  const u = await db().staffUser.findUnique({ where: { id: viewer.userId }, select: { email: true, secureMailAlert: true } });
  return { on: Boolean(u?.secureMailAlert), hasEmail: Boolean(u?.email) };
}
