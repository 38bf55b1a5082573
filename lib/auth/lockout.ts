import "server-only";
import type { SignInEventKind } from "@/generated/prisma/enums";
import type { TTx } from "@/lib/db/client";
import { env } from "@/lib/env";

export type TFailureOutcome = "counted" | "locks" | "locked";

/**
 * Takes the user row's lock for the rest of the transaction and says whether the account is
 * locked now. Every secret check (password, secret answer, second-factor code) runs between this
 * and its commit, so attempts on one account are decided one at a time: a burst cannot test more
 * guesses than the threshold allows, and a success cannot clear a lock another attempt has set.
 */
export async function lockUserRow(tx: TTx, userId: string, now: Date): Promise<{ isLocked: boolean; lockedUntil: Date | null }> {
  const [row] = await tx.$queryRaw<{ lockedUntil: Date | null }[]>`
    SELECT locked_until AS "lockedUntil" FROM staff_users WHERE id = ${userId}::uuid FOR UPDATE`;
  const lockedUntil = row?.lockedUntil ?? null;
  return { isLocked: !!lockedUntil && lockedUntil > now, lockedUntil };
}

/**
 * Counts a failed secret on a row taken with lockUserRow, and locks the account at the threshold.
 * Returns "locks" when this failure locked it, "locked" when it was locked already.
 */
export async function countFailure(tx: TTx, userId: string, now: Date): Promise<TFailureOutcome> {
  const { LOCKOUT_THRESHOLD, LOCKOUT_MINUTES } = env();
  const [user] = await tx.$queryRaw<{ failedSignInCount: number; lockedUntil: Date | null }[]>`
    SELECT failed_sign_in_count AS "failedSignInCount", locked_until AS "lockedUntil"
    FROM staff_users WHERE id = ${userId}::uuid FOR UPDATE`;
  if (user?.lockedUntil && user.lockedUntil > now) return "locked";
  const previous = !user || user.lockedUntil ? 0 : user.failedSignInCount;
  const count = previous + 1;
  const locks = count >= LOCKOUT_THRESHOLD;
  await tx.staffUser.update({
    where: { id: userId },
    data: { failedSignInCount: locks ? 0 : count, lockedUntil: locks ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null },
  });
  return locks ? "locks" : "counted";
}

/** The sign-in event a failure is recorded as: the lock itself, an attempt while locked, or `counted`. */
export const failureKind = (outcome: TFailureOutcome, counted: SignInEventKind): SignInEventKind =>
  outcome === "locks" ? "LOCKED" : outcome === "locked" ? "LOCKED_ATTEMPT" : counted;
