import { z } from "zod";
import { Qualification } from "@/generated/prisma/enums";
import { zCheckbox, zOptionalText, zRequiredText } from "@/lib/fields";
import { zDay } from "@/lib/clinical/schema";

/*
 * What users post about a patient in the portal (seed 000 ノート機能 / 文書 / ファイル): notes with
 * comments, documents and files with a validity period. Messages are dictionary keys.
 */

export const NOTE_TYPES = ["NOTE", "INSTRUCTION"] as const; // タイプ: ノート / 指示
export const NOTE_KINDS = ["RECORD", "CONTACT"] as const; // ノート種別: 記録 / 連絡
/** アイコン: the qualification's own icon, or a marker that stands out in the list. */
export const NOTE_ICONS = ["QUALIFICATION", "IMPORTANT", "PHOTO", "MEDICATION", "VITALS"] as const;
/** 種別 of an uploaded document (seed 000 サマリー文書の登録). */
export const DOCUMENT_TYPES = ["NURSING_SUMMARY", "DISCHARGE_SUMMARY", "REFERRAL", "OTHER"] as const;

export type TNoteType = (typeof NOTE_TYPES)[number];
export type TNoteKind = (typeof NOTE_KINDS)[number];
export type TNoteIcon = (typeof NOTE_ICONS)[number];
export type TDocumentType = (typeof DOCUMENT_TYPES)[number];

/** How many files one note may carry (the total is limited by UPLOAD_MAX_MB). */
export const NOTE_MAX_FILES = 10;
/** 全半角40文字以内 (seed 000: document title, file description). */
export const SHORT_TITLE_MAX = 40;
export const NOTE_BODY_MAX = 10_000;
export const COMMENT_MAX = 2_000;

/** datetime-local (2026-11-22T09:30) read as Japan time. */
export const zJapanDateTime = z.preprocess(
  (v) => (typeof v === "string" ? v.trim() : v),
  z
    .string({ message: "v.note.occurredAt.required" })
    .min(1, { message: "v.note.occurredAt.required" })
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, { message: "v.note.occurredAt.format" })
    .transform((s, ctx) => {
      const d = new Date(`${s}:00+09:00`);
      if (Number.isNaN(d.getTime()) || d.toISOString() === "Invalid Date") {
        ctx.addIssue({ code: "custom", message: "v.note.occurredAt.format" });
        return z.NEVER;
      }
      return d;
    }),
);

/** A date field (YYYY-MM-DD, what <input type="date"> sends) that must be filled. */
const zRequiredDay = (requiredKey: string) =>
  z.preprocess((v) => (typeof v === "string" ? v.trim() : ""), z.string().min(1, { message: requiredKey }).pipe(zDay));

const zTitle = zOptionalText(z.string().max(100, { message: "v.tooLong" }));
const zShortTitle = zOptionalText(z.string().max(SHORT_TITLE_MAX, { message: "v.note.title.tooLong" }));

export const ZPostNote = z.object({
  noteType: z.enum(NOTE_TYPES, { message: "v.note.noteType.required" }),
  noteKind: z.enum(NOTE_KINDS, { message: "v.note.noteKind.required" }),
  qualification: z.enum(Object.values(Qualification) as [Qualification, ...Qualification[]], { message: "v.note.qualification.required" }),
  occurredAt: zJapanDateTime,
  title: zTitle,
  body: zRequiredText(NOTE_BODY_MAX, "v.note.body.required"),
  icon: z.enum(NOTE_ICONS, { message: "v.note.icon.required" }),
  notify: zCheckbox,
});
export type TPostNote = z.infer<typeof ZPostNote>;

/** An edit replaces what the author wrote; files stay as posted (a new note carries new files). */
export const ZEditNote = ZPostNote.omit({ notify: true });
export type TEditNote = z.infer<typeof ZEditNote>;

export const ZPostComment = z.object({
  body: zRequiredText(COMMENT_MAX, "v.comment.body.required"),
  notify: zCheckbox,
});
export type TPostComment = z.infer<typeof ZPostComment>;

export const ZPostDocument = z.object({
  documentType: z.enum(DOCUMENT_TYPES, { message: "v.document.type.required" }),
  date: zRequiredDay("v.document.date.required"),
  title: zShortTitle,
  notify: zCheckbox,
});
export type TPostDocument = z.infer<typeof ZPostDocument>;

export const ZPostFile = z
  .object({
    from: zRequiredDay("v.file.from.required"),
    to: zRequiredDay("v.file.to.required"),
    description: zRequiredText(SHORT_TITLE_MAX, "v.file.description.required").refine((s) => s.length <= SHORT_TITLE_MAX, { message: "v.note.title.tooLong" }),
    periodLabel: zShortTitle,
    notify: zCheckbox,
  })
  .refine((f) => f.from <= f.to, { path: ["to"], message: "v.file.period.order" });
export type TPostFile = z.infer<typeof ZPostFile>;

/** Adding a user to a patient's care team (参加者). */
export const ZAddParticipant = z.object({ userId: z.uuid({ message: "v.participant.user.required" }) });
