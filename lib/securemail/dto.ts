import type { MessageSystemKind, StaffRole } from "@/generated/prisma/enums";
import type { TAddressee } from "@/lib/securemail/schema";

/* What the secure-mail screens receive (lib/securemail/queries.ts). */

export type TMailParty = { userId: string | null; name: string; facilityName: string | null; isSystem: boolean };

/** One row of a mailbox list. `entryId` is what the bulk actions take (the viewer's copy). */
export type TMailListItem = {
  entryId: string;
  messageId: string;
  subject: string;
  /** inbox, trash, user folders: the sender; sent, drafts: the addressees (summary) */
  from: TMailParty;
  toSummary: string;
  /** sentAt, or the draft's last change */
  at: Date;
  isRead: boolean;
  hasAttachments: boolean;
  systemKind: MessageSystemKind | null;
  /** inbox/trash/folder entries are received copies; sent/drafts the viewer's own */
  isOwn: boolean;
  /** not sent yet: opened in the compose screen */
  isDraft: boolean;
};

export type TMailFolderInfo = { id: string; name: string; unread: number; total: number };

export type TMailbox = {
  items: TMailListItem[];
  total: number;
  page: number;
  size: number;
  /** unread in the inbox, drafts, trash (for the folder list) */
  counts: { inboxUnread: number; drafts: number; trash: number };
  folders: TMailFolderInfo[];
};

export type TMailAttachment = { id: string; fileName: string; contentType: string; size: number; scan: string };

/** Per recipient, for the sender: when it was read (既読). */
export type TReadReceipt = { userId: string; name: string; facilityName: string; addressedAs: string; readAt: Date | null };

export type TMailMessage = {
  id: string;
  threadId: string;
  subject: string;
  body: string;
  sentAt: Date | null;
  from: TMailParty;
  /** the addressees as the sender chose them ("飯田中央病院 連携担当", a list, a user) */
  to: string[];
  attachments: TMailAttachment[];
  /** only for the sender (of a sent message) */
  receipts: TReadReceipt[] | null;
  systemKind: MessageSystemKind | null;
  /** system messages cannot be replied to */
  canReply: boolean;
  /** the viewer's copy (for moving / trashing from the message page) */
  entryId: string;
  isOwn: boolean;
};

/** The conversation a message belongs to, oldest first, only the messages the viewer has a copy of. */
export type TMailThread = { message: TMailMessage; thread: TMailMessage[] };

export type TDraft = { id: string; to: TAddressee[]; toLabels: string[]; subject: string; body: string; inReplyToId: string | null; attachments: TMailAttachment[]; updatedAt: Date };

/** Compose's address book: people (name, kana, facility), a facility's role, mailing lists. */
export type TAddressOption =
  | { kind: "user"; userId: string; label: string; facilityName: string }
  | { kind: "role"; facilityId: string; role: StaffRole; label: string }
  | { kind: "list"; listId: string; label: string; members: number };

export type TMailingListInfo = { id: string; name: string; description: string | null; isMine: boolean; ownerName: string; members: { userId: string; name: string; facilityName: string }[] };
export type TMailTemplateInfo = { id: string; name: string; subject: string; body: string };
