import "server-only";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { endSession } from "@/lib/auth/mutations";
import { passwordExpiresAt } from "@/lib/auth/password-policy";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import { requirementFor, secondFactorStep } from "@/lib/auth/second-factor/policy";
import { readPolicy } from "@/lib/auth/second-factor/queries";
import type { SecondFactorRequirement } from "@/generated/prisma/enums";

export type TSessionProblem = "NO_SESSION" | "ENDED" | "IDLE" | "TERMINAL_CHANGED" | "RETIRED" | "FACILITY_MISMATCH";

export type TSessionState =
  | {
      ok: true;
      viewer: TViewer;
      mustChangePassword: boolean;
      passwordExpiresAt: Date;
      needsSecretQuestion: boolean;
    }
  | { ok: false; reason: TSessionProblem }
  | { ok: false; reason: "SECOND_FACTOR"; pending: TPendingSession };

/**
 * A session past the password whose second factor is still to come: it gets no TViewer, so no
 * data function can be called with it. Only the second-factor pages and their actions take it.
 */
export type TPendingSession = {
  sessionId: string;
  userId: string;
  loginId: string;
  name: string;
  facilityId: string;
  certSerial: string;
  /** verify a factor the user has, or (REQUIRED, none yet) enrol one */
  step: "verify" | "enrol";
  requirement: SecondFactorRequirement;
};

/**
 * Resolves a session cookie's session on the current terminal into a viewer. The session lives in
 * the database: ended, idle past IDLE_TIMEOUT_SECONDS, opened on another terminal, or of a user
 * retired since, it is refused (and an idle one is ended and recorded).
 */
export async function loadSession(sessionId: string | undefined, terminal: TTerminal, now = new Date()): Promise<TSessionState> {
  if (!sessionId) return { ok: false, reason: "NO_SESSION" };
  const s = await db().userSession.findUnique({
    where: { id: sessionId },
    select: {
      id: true,
      certSerial: true,
      lastSeenAt: true,
      endedAt: true,
      secondFactorAt: true,
      user: {
        select: {
          id: true,
          loginId: true,
          nameKanji: true,
          facilityId: true,
          roles: true,
          qualification: true,
          hasEmsPrivilege: true,
          isRetired: true,
          mustChangePassword: true,
          passwordChangedAt: true,
          secretQuestion: true,
          facility: { select: { nameKanji: true, isActive: true } },
          totpFactor: { select: { enabledAt: true } },
          _count: { select: { webauthnCredentials: true } },
        },
      },
    },
  });
  if (!s) return { ok: false, reason: "NO_SESSION" };
  if (s.endedAt) return { ok: false, reason: "ENDED" };
  if (s.certSerial !== terminal.serial) return { ok: false, reason: "TERMINAL_CHANGED" };
  if (now.getTime() - s.lastSeenAt.getTime() > env().IDLE_TIMEOUT_SECONDS * 1000) {
    await endSession(s.id, "IDLE_TIMEOUT");
    return { ok: false, reason: "IDLE" };
  }
  const u = s.user;
  if (u.isRetired || !u.facility.isActive) return { ok: false, reason: "RETIRED" };
  if (u.facilityId !== terminal.facilityId && !u.roles.includes("SECRETARIAT")) return { ok: false, reason: "FACILITY_MISMATCH" };
  if (!s.secondFactorAt) {
    // Read on every request until passed, so a policy change or a new factor applies at once.
    const requirement = requirementFor(await readPolicy(), u);
    const step = secondFactorStep(requirement, { isEnrolled: !!u.totpFactor?.enabledAt || u._count.webauthnCredentials > 0, isPassed: false });
    if (step !== "none") {
      return {
        ok: false,
        reason: "SECOND_FACTOR",
        pending: { sessionId: s.id, userId: u.id, loginId: u.loginId, name: u.nameKanji, facilityId: u.facilityId, certSerial: s.certSerial, step, requirement },
      };
    }
  }
  const expiresAt = passwordExpiresAt(u.passwordChangedAt, env().PASSWORD_MAX_AGE_MONTHS);
  return {
    ok: true,
    viewer: {
      userId: u.id,
      loginId: u.loginId,
      name: u.nameKanji,
      facilityId: u.facilityId,
      facilityName: u.facility.nameKanji,
      roles: u.roles,
      qualification: u.qualification,
      hasEmsPrivilege: u.hasEmsPrivilege,
      sessionId: s.id,
      certSerial: s.certSerial,
      requestId: terminal.requestId ?? null,
    },
    mustChangePassword: u.mustChangePassword || expiresAt <= now,
    passwordExpiresAt: expiresAt,
    needsSecretQuestion: !u.secretQuestion,
  };
}
