import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { NotificationKind, Qualification } from "@/generated/prisma/enums";
import { db, preparedRows } from "@/lib/db/client";
import { env } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { readContent, readIdentities, readPatient, type TPatientScope } from "@/lib/access/gateway";
import { toView, viewSelect } from "@/lib/clinical/queries";
import type { TContentView } from "@/lib/clinical/dto";
import { NOTE_CATEGORIES, isWithinEditWindow } from "@/lib/notes/model";

export type TPostAuthor = { id: string; name: string; facilityName: string; qualification: Qualification | null };

export type TComment = { id: string; body: string; createdAt: Date; author: TPostAuthor; isMine: boolean; isUnread: boolean; readBy: number };

export type TNoteThread = {
  content: TContentView;
  author: TPostAuthor | null;
  version: number;
  postedAt: Date;
  canEdit: boolean;
  editableUntil: Date | null;
  comments: TComment[];
  /** the note's own read count: participants and thread members other than the author who opened it */
  readBy: number;
};

const authorSelect = { id: true, nameKanji: true, qualification: true, facility: { select: { nameKanji: true } } } as const;
const authorOf = (u: { id: string; nameKanji: string; qualification: Qualification; facility: { nameKanji: string } }, asQualification?: Qualification | null): TPostAuthor => ({
  id: u.id,
  name: u.nameKanji,
  facilityName: u.facility.nameKanji,
  qualification: asQualification ?? u.qualification,
});

/**
 * A note (or document, file) with its comments, newest last, through the rule; opening it is
 * logged as CONTENT_VIEW and marks the thread read for the viewer. Each comment says how many of
 * the others have read it (既読), LINE-style.
 */
export async function getNoteThread(viewer: TViewer, patientId: string, contentId: string, now: Date = new Date()): Promise<TNoteThread> {
  const { row, comments, reads, myRead } = await readContent(
    viewer,
    "thread",
    contentId,
    async ({ tx }) => {
      const row = await tx.clinicalContent.findUniqueOrThrow({
        where: { id: contentId },
        select: { ...viewSelect, authorQualification: true, version: true, receivedAt: true, sourceKind: true, author: { select: authorSelect } },
      });
      const comments = await tx.contentComment.findMany({ where: { contentId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, body: true, createdAt: true, author: { select: authorSelect } } });
      const reads = await tx.contentRead.findMany({ where: { contentId }, select: { userId: true, readAt: true } });
      const myRead = reads.find((r) => r.userId === viewer.userId)?.readAt ?? null;
      await tx.contentRead.upsert({ where: { contentId_userId: { contentId, userId: viewer.userId } }, create: { contentId, userId: viewer.userId, readAt: now }, update: { readAt: now } });
      await tx.notification.updateMany({ where: { userId: viewer.userId, contentId, readAt: null }, data: { readAt: now } });
      return { value: { row, comments, reads, myRead }, detail: `thread (${comments.length} comments)` };
    },
    { now, patientId },
  );
  const { authorQualification, version, receivedAt, sourceKind, author, ...view } = row;
  const isPortalNote = sourceKind === "PORTAL" && NOTE_CATEGORIES.includes(row.category);
  const minutes = env().NOTE_EDIT_MINUTES;
  const canEdit = isPortalNote && author?.id === viewer.userId && isWithinEditWindow(receivedAt, now, minutes);
  const readersAfter = (at: Date, exceptUserId: string | null) => reads.filter((r) => r.userId !== exceptUserId && r.readAt >= at).length;
  return {
    content: toView(view),
    author: author ? authorOf(author, authorQualification) : null,
    version,
    postedAt: receivedAt,
    canEdit,
    editableUntil: isPortalNote && author?.id === viewer.userId ? new Date(receivedAt.getTime() + minutes * 60_000) : null,
    readBy: readersAfter(receivedAt, author?.id ?? null),
    comments: comments.map((c) => ({
      id: c.id,
      body: c.body,
      createdAt: c.createdAt,
      author: authorOf(c.author),
      isMine: c.author.id === viewer.userId,
      isUnread: c.author.id !== viewer.userId && (myRead === null || c.createdAt > myRead),
      readBy: readersAfter(c.createdAt, c.author.id),
    })),
  };
}

export type TPostListItem = TContentView & { author: TPostAuthor | null; commentCount: number; unreadComments: number; postedAt: Date };

export const POSTS_PAGE_SIZE = 20;

/**
 * The patient's notes, documents and files (portal posts and notes sent by systems), newest
 * first, with comment counts and what is unread for the viewer; logged per owner facility.
 */
export async function listPatientPosts(viewer: TViewer, patientId: string, q: { page?: number; kind?: "notes" | "documents" | "files" | null }, now: Date = new Date()) {
  const page = Math.max(1, q.page ?? 1);
  const categories = q.kind === "documents" ? ["DOCUMENT"] : q.kind === "files" ? ["FILE"] : q.kind === "notes" ? ["NOTE", "NOTE_CONTACT"] : ["NOTE", "NOTE_CONTACT", "DOCUMENT", "FILE"];
  return readPatient(
    viewer,
    "posts",
    patientId,
    async (scope) => {
      const { tx } = scope;
      const where = Prisma.sql`c.category = ANY (${categories}::"ContentCategory"[])${q.kind === "documents" ? Prisma.sql` AND c.source_kind = 'PORTAL'` : Prisma.empty}`;
      const listed = await scope.sql<{ id: string; total: number }>(Prisma.sql`
        SELECT c.id::text AS id, count(*) OVER ()::int AS total FROM ${scope.contents} c WHERE ${where}
         ORDER BY c.occurred_at DESC, c.id OFFSET ${(page - 1) * POSTS_PAGE_SIZE} LIMIT ${POSTS_PAGE_SIZE}`);
      const ids = listed.map((r) => r.id);
      const total = listed[0]?.total ?? (page > 1 ? ((await scope.sql<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM ${scope.contents} c WHERE ${where}`))[0]?.n ?? 0) : 0);
      const loaded = ids.length
        ? await tx.clinicalContent.findMany({
            where: { id: { in: ids } },
            select: { ...viewSelect, receivedAt: true, authorQualification: true, author: { select: authorSelect }, _count: { select: { comments: true } }, reads: { where: { userId: viewer.userId }, select: { readAt: true } } },
          })
        : [];
      const byId = new Map(loaded.map((r) => [r.id, r]));
      const rows = ids.flatMap((id) => byId.get(id) ?? []);
      const unread = ids.length
        ? await tx.contentComment.groupBy({
            by: ["contentId"],
            where: { contentId: { in: ids }, authorId: { not: viewer.userId }, OR: rows.map((r) => ({ contentId: r.id, ...(r.reads[0] ? { createdAt: { gt: r.reads[0].readAt } } : {}) })) },
            _count: { _all: true },
          })
        : [];
      const unreadOf = new Map(unread.map((u) => [u.contentId, u._count._all]));
      const items: TPostListItem[] = rows.map(({ receivedAt, authorQualification, author, _count, reads: _reads, ...view }) => ({
        ...toView(view),
        author: author ? authorOf(author, authorQualification) : null,
        commentCount: _count.comments,
        unreadComments: unreadOf.get(view.id) ?? 0,
        postedAt: receivedAt,
      }));
      return {
        value: { items, total, page, pageSize: POSTS_PAGE_SIZE, ownLink: await ownPostingLink(scope) },
        owners: rows.map((r) => r.ownerFacilityId),
        detail: `posts ${q.kind ?? "all"} page ${page}`,
      };
    },
    { now },
  );
}

/**
 * The viewer's facility's link as a poster sees it: whether others will see what is posted
 * (the link is 公開 with 診療情報 shared), so the form can say so before posting.
 */
async function ownPostingLink(scope: TPatientScope) {
  if (!scope.ownLinkId) return null;
  const link = await scope.tx.facilityPatientLink.findUniqueOrThrow({ where: { id: scope.ownLinkId }, select: { publicationState: true } });
  return { publicationState: link.publicationState, sharedWithOthers: await scope.ownLinkSharesClinical() };
}

/** Whether the viewer's facility can post for the patient, and whether others will see it (for the post forms). */
export async function getPostingContext(viewer: TViewer, patientId: string, now: Date = new Date()) {
  return readPatient(
    viewer,
    "postForm",
    patientId,
    async (scope) => ({ value: { ownLink: await ownPostingLink(scope), uploadMaxMb: env().UPLOAD_MAX_MB }, detail: "post form" }),
    { now },
  );
}

export type TParticipant = { userId: string; name: string; facilityName: string; qualification: Qualification; addedAt: Date; isMe: boolean; hasEmail: boolean };

/**
 * The patient's participants (参加者) and who else could be added: staff who read records at
 * facilities that see the patient. Opening it is logged (PATIENT_VIEW, participants).
 */
export async function listParticipants(viewer: TViewer, patientId: string, now: Date = new Date()) {
  return readPatient(
    viewer,
    "participants",
    patientId,
    async (scope) => {
      const rows = await scope.tx.patientParticipant.findMany({
        where: { patientId },
        orderBy: { addedAt: "asc" },
        select: { addedAt: true, user: { select: { id: true, nameKanji: true, qualification: true, email: true, facility: { select: { nameKanji: true, code: true } } } } },
      });
      const memberIds = new Set(rows.map((r) => r.user.id));
      const candidateIds = await scope.usersSeeing(500);
      const found = await scope.tx.staffUser.findMany({
        where: { id: { in: candidateIds } },
        select: { id: true, nameKanji: true, qualification: true, facility: { select: { nameKanji: true } } },
      });
      const byId = new Map(found.map((c) => [c.id, c]));
      const candidates = candidateIds.flatMap((id) => byId.get(id) ?? []);
      return {
        value: {
          participants: rows.map((r): TParticipant => ({
            userId: r.user.id,
            name: r.user.nameKanji,
            facilityName: r.user.facility.nameKanji,
            qualification: r.user.qualification,
            addedAt: r.addedAt,
            isMe: r.user.id === viewer.userId,
            hasEmail: Boolean(r.user.email),
          })),
          candidates: candidates.filter((c) => !memberIds.has(c.id)).map((c) => ({ userId: c.id, name: c.nameKanji, facilityName: c.facility.nameKanji, qualification: c.qualification })),
          isParticipant: memberIds.has(viewer.userId),
        },
        detail: "participants",
      };
    },
    { now },
  );
}

export type TNotificationItem = {
  id: string;
  kind: NotificationKind;
  createdAt: Date;
  readAt: Date | null;
  actorName: string;
  actorFacilityName: string;
  /** null when the viewer may no longer see the patient (the notice stays, its link does not) */
  patient: { id: string; name: string } | null;
  contentId: string;
};

export const NOTIFICATIONS_PAGE_SIZE = 30;

/** The viewer's notices, newest first; the patient is named only while the rule still lets the viewer see them (each naming logged). */
export async function listNotifications(viewer: TViewer, q: { page?: number; unreadOnly?: boolean }, now: Date = new Date()) {
  const page = Math.max(1, q.page ?? 1);
  const where: Prisma.NotificationWhereInput = { userId: viewer.userId, ...(q.unreadOnly ? { readAt: null } : {}) };
  const [rows, total, unread] = await Promise.all([
    db().notification.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], skip: (page - 1) * NOTIFICATIONS_PAGE_SIZE, take: NOTIFICATIONS_PAGE_SIZE }),
    db().notification.count({ where }),
    countUnreadNotifications(viewer),
  ]);
  const actorIds = [...new Set(rows.map((r) => r.actorId))];
  const patientIds = [...new Set(rows.map((r) => r.patientId))];
  const [actors, patients] = await Promise.all([
    db().staffUser.findMany({ where: { id: { in: actorIds } }, select: { id: true, nameKanji: true, facility: { select: { nameKanji: true } } } }),
    patientIds.length
      ? readIdentities(
          viewer,
          "notices",
          async (scope) => {
            const named = await scope.sql<{ id: string; name_kanji: string }>(Prisma.sql`SELECT p.id::text AS id, p.name_kanji FROM ${scope.patients} p WHERE p.id = ANY (${patientIds}::uuid[])`);
            return { value: named, patients: named.map((p) => p.id), detail: `notifications page ${page}` };
          },
          { now },
        )
      : Promise.resolve([]),
  ]);
  const actorOf = new Map(actors.map((a) => [a.id, a]));
  const patientOf = new Map(patients.map((p) => [p.id, p.name_kanji]));
  const items: TNotificationItem[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    createdAt: r.createdAt,
    readAt: r.readAt,
    actorName: actorOf.get(r.actorId)?.nameKanji ?? "",
    actorFacilityName: actorOf.get(r.actorId)?.facility.nameKanji ?? "",
    patient: patientOf.has(r.patientId) ? { id: r.patientId, name: patientOf.get(r.patientId)! } : null,
    contentId: r.contentId,
  }));
  return { items, total, unread, page, pageSize: NOTIFICATIONS_PAGE_SIZE };
}

/** The header's badge. */
export async function countUnreadNotifications(viewer: TViewer): Promise<number> {
  // on every page's header: a prepared statement, not Prisma's
  const [r] = await preparedRows<{ n: number }>("chiikilink_unread_notifications", `SELECT count(*)::int AS n FROM "notifications" WHERE user_id = $1::uuid AND read_at IS NULL`, [viewer.userId]);
  return r?.n ?? 0;
}
