import { z } from "zod";
import { EmergencyBasis, EmergencyReviewOutcome } from "@/generated/prisma/enums";
import { zMonth } from "@/lib/audit/schema";
import { lenient, zOptionalText, zPage } from "@/lib/fields";
import { nfkc } from "@/lib/text";

/*
 * The review of emergency grants (seed 000 平時のルール: every EMS use is checked afterwards). The
 * queue's and the report's filters come from GET forms and links: a value not understood is
 * dropped, so a hand-edited URL still opens the page. Form messages are dictionary keys.
 */

/** Which grants the queue lists: not yet reviewed (by due date), only the overdue ones, reviewed ones, or all. */
export const REVIEW_STATES = ["open", "overdue", "reviewed", "all"] as const;
export type TReviewState = (typeof REVIEW_STATES)[number];

/** 施設ID (the network's facility code) of the viewing facility. */
const zFacilityCode = lenient(z.string().transform((s) => nfkc(s).trim()).pipe(z.string().min(1).max(16)));

/** The queue: the viewing facility (the secretariat's choice; a facility's admins see their own), the ground, the state, the page. */
export const ZReviewQueueFilter = z.object({
  facility: zFacilityCode,
  basis: lenient(z.enum(EmergencyBasis)),
  /** absent: the secretariat's queue shows what is not yet reviewed, a facility's list everything */
  state: lenient(z.enum(REVIEW_STATES)),
  page: zPage.catch(1),
});
export type TReviewQueueFilter = z.infer<typeof ZReviewQueueFilter>;

/** The monthly report: a Japan-time month (default: the current one). */
export const ZReviewMonthQuery = z.object({ month: lenient(zMonth) });
export type TReviewMonthQuery = z.infer<typeof ZReviewMonthQuery>;

/** One grant's page: its reads are paged. */
export const ZReviewDetailQuery = z.object({ page: zPage.catch(1) });

/** Outcomes that need a note saying what is to follow or what was wrong. */
export const OUTCOMES_NEEDING_NOTE: readonly EmergencyReviewOutcome[] = ["FOLLOW_UP", "INAPPROPRIATE"];

/** Closing a review: the outcome, and a note (required unless the use was appropriate). */
export const ZCloseReview = z
  .object({
    grantId: z.uuid({ message: "common.notFound" }),
    outcome: z.enum(EmergencyReviewOutcome, { message: "v.emsReview.outcome.required" }),
    note: zOptionalText(z.string().max(1000, { message: "v.tooLong" })),
  })
  .superRefine((v, ctx) => {
    if (OUTCOMES_NEEDING_NOTE.includes(v.outcome) && !v.note) ctx.addIssue({ code: "custom", path: ["note"], message: "v.emsReview.note.required" });
  });
export type TCloseReview = z.infer<typeof ZCloseReview>;

/** Ending a grant still in force, from its review page. */
export const ZReviewGrantId = z.object({ grantId: z.uuid({ message: "common.notFound" }) });
