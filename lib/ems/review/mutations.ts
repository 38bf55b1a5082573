import "server-only";
import { isSecretariat } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db } from "@/lib/db/client";
import { endEmergencyGrant } from "@/lib/ems/mutations";
import type { TCloseReview } from "@/lib/ems/review/schema";
import { AppError, fieldError, notFound } from "@/lib/errors";

/*
 * Closing the review of an emergency grant is the secretariat's (seed 000: the network checks
 * every EMS use afterwards); a facility's admins see their staff's uses but do not judge them.
 */

function assertReviewer(viewer: TViewer): void {
  if (!isSecretariat(viewer)) throw new AppError("FORBIDDEN", "not allowed: emergency review");
}

/**
 * Closes a grant's review with its outcome and note. Only once the grant no longer opens records
 * (the review covers every read made under it: end it first if it must stop now), and only once:
 * a review already closed is not overwritten.
 */
export async function closeEmergencyReview(viewer: TViewer, input: TCloseReview, now: Date = new Date()): Promise<{ reviewedAt: Date }> {
  assertReviewer(viewer);
  return db().$transaction(async (tx) => {
    const g = await tx.emergencyGrant.findUnique({ where: { id: input.grantId }, select: { endsAt: true, endedAt: true, reviewedAt: true } });
    if (!g) throw notFound("emergency grant");
    if (g.reviewedAt) throw new AppError("CONFLICT", "v.emsReview.alreadyReviewed", { _form: ["v.emsReview.alreadyReviewed"] });
    const end = g.endedAt && g.endedAt < g.endsAt ? g.endedAt : g.endsAt;
    if (end.getTime() > now.getTime()) throw fieldError("_form", "v.emsReview.stillInForce");
    // reviewed_at IS NULL again in the update: two reviewers at once, and the second is told
    const { count } = await tx.emergencyGrant.updateMany({
      where: { id: input.grantId, reviewedAt: null },
      data: { reviewedAt: now, reviewedById: viewer.userId, reviewOutcome: input.outcome, reviewNote: input.note },
    });
    if (count === 0) throw new AppError("CONFLICT", "v.emsReview.alreadyReviewed", { _form: ["v.emsReview.alreadyReviewed"] });
    return { reviewedAt: now };
  });
}

/** Ends a grant still in force from its review page (the secretariat stops a use it doubts). */
export async function endGrantUnderReview(viewer: TViewer, grantId: string, now: Date = new Date()): Promise<void> {
  assertReviewer(viewer);
  await endEmergencyGrant(viewer, grantId, now);
}
