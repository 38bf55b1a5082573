import { z } from "zod";
import { StaffRole } from "@/generated/prisma/enums";
import { lenient } from "@/lib/fields";
import { zDay } from "@/lib/clinical/schema";

/*
 * Secure mail (C9, seed 004 セキュアメール): messages between users of the network. Messages are
 * dictionary keys.
 */

export const SYSTEM_FOLDERS = ["inbox", "sent", "drafts", "trash"] as const;
export type TSystemFolder = (typeof SYSTEM_FOLDERS)[number];
/** "10 件ずつ表示" (seed 004) and the other choices. */
export const PAGE_SIZES = [10, 20, 50, 100] as const;
export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;
export const MAX_ADDRESSEES = 50;

/** Whom a message is addressed to: a user, a facility's role (e.g. a hospital's 連携担当), or a mailing list. */
export const ZAddressee = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("user"), userId: z.uuid() }),
  z.object({ kind: z.literal("role"), facilityId: z.uuid(), role: z.enum(Object.values(StaffRole) as [StaffRole, ...StaffRole[]]) }),
  z.object({ kind: z.literal("list"), listId: z.uuid() }),
]);
export type TAddressee = z.infer<typeof ZAddressee>;

/** Addressees travel in a form as one JSON field ("to"). */
const zAddressees = z.preprocess((v) => {
  if (typeof v !== "string") return v ?? [];
  try {
    return JSON.parse(v || "[]");
  } catch {
    return null;
  }
}, z.array(ZAddressee, { message: "v.mail.to.invalid" }).max(MAX_ADDRESSEES, { message: "v.mail.to.tooMany" }));

const zOptionalUuid = z.preprocess((v) => (v === "" || v == null ? null : v), z.uuid().nullable());

/** A draft: anything may still be missing. */
export const ZSaveDraft = z.object({
  draftId: zOptionalUuid,
  inReplyToId: zOptionalUuid,
  to: zAddressees,
  subject: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().max(SUBJECT_MAX, { message: "v.tooLong" })),
  // line ends as typed on any terminal (a form may send CRLF) are stored as LF
  body: z.preprocess((v) => (typeof v === "string" ? v.replace(/\r\n?/g, "\n") : ""), z.string().max(BODY_MAX, { message: "v.tooLong" })),
});
export type TSaveDraft = z.infer<typeof ZSaveDraft>;

/** Sending: at least one addressee, a subject. */
export const ZSendMessage = ZSaveDraft.extend({
  to: zAddressees.refine((a) => a.length > 0, { message: "v.mail.to.required" }),
  subject: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(1, { message: "v.mail.subject.required" }).max(SUBJECT_MAX, { message: "v.tooLong" })),
});
export type TSendMessage = z.infer<typeof ZSendMessage>;

/** A mailbox's URL: ?folder=inbox&q=&from=&affiliation=&since=&until=&unread=1&page=2&size=10 */
export const ZMailboxQuery = z.object({
  folder: lenient(z.union([z.enum(SYSTEM_FOLDERS), z.uuid()])).transform((v) => v ?? "inbox"),
  /** words in the subject (件名) or body */
  q: lenient(z.string().trim().max(100)),
  /** 差出人 (for sent and drafts: the addressee) */
  from: lenient(z.string().trim().max(100)),
  /** 所属: the sender's facility */
  affiliation: lenient(z.string().trim().max(100)),
  since: lenient(zDay),
  until: lenient(zDay),
  unread: lenient(z.enum(["1"])).transform((v) => v === "1"),
  page: lenient(z.coerce.number().int().min(1).max(100_000)).transform((v) => v ?? 1),
  size: lenient(z.coerce.number().pipe(z.union(PAGE_SIZES.map((n) => z.literal(n))))).transform((v) => v ?? 10),
});
export type TMailboxQuery = z.infer<typeof ZMailboxQuery>;

/** チェックした項目を…: mark read/unread, move to trash or a folder, restore, delete for good (from the trash). */
export const ZBulkMail = z.object({
  ids: z.array(z.uuid()).min(1, { message: "v.mail.bulk.none" }).max(200),
  action: z.enum(["read", "unread", "trash", "restore", "delete", "move"]),
  folderId: zOptionalUuid.optional(),
});
export type TBulkMail = z.infer<typeof ZBulkMail>;

export const ZMailFolder = z.object({ name: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(1, { message: "v.mail.folder.required" }).max(50, { message: "v.tooLong" })) });

export const ZMailingList = z.object({
  id: zOptionalUuid.optional(),
  name: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(1, { message: "v.mail.list.name.required" }).max(100, { message: "v.tooLong" })),
  description: z.preprocess((v) => (typeof v === "string" && v.trim() ? v.trim() : null), z.string().max(200, { message: "v.tooLong" }).nullable()),
  memberIds: z.preprocess((v) => (Array.isArray(v) ? v : typeof v === "string" && v ? [v] : []), z.array(z.uuid()).max(500)),
});
export type TMailingList = z.infer<typeof ZMailingList>;

export const ZMailTemplate = z.object({
  id: zOptionalUuid.optional(),
  name: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(1, { message: "v.mail.template.name.required" }).max(100, { message: "v.tooLong" })),
  subject: z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().max(SUBJECT_MAX, { message: "v.tooLong" })),
  body: z.preprocess((v) => (typeof v === "string" ? v : ""), z.string().max(BODY_MAX, { message: "v.tooLong" })),
});
export type TMailTemplate = z.infer<typeof ZMailTemplate>;
