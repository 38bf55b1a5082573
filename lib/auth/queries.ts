import "server-only";
import { preparedRows } from "@/lib/db/client";
import { env } from "@/lib/env";
import { endSession } from "@/lib/auth/mutations";
import { passwordExpiresAt } from "@/lib/auth/password-policy";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import { requirementFor, secondFactorStep } from "@/lib/auth/second-factor/policy";
import type { TPolicy } from "@/lib/auth/second-factor/policy";
import { isUuid } from "@/lib/text";
import type { Qualification, SecondFactorRequirement, StaffRole } from "@/generated/prisma/enums";

export type TSessionProblem = "NO_SESSION" | "ENDED" | "IDLE" | "TERMINAL_CHANGED" | "RETIRED" | "FACILITY_MISMATCH";

export type TSessionState =
  | {
      ok: true;
      viewer: TViewer;
      mustChangePassword: boolean;
      passwordExpiresAt: Date;
      needsSecretQuestion: boolean;
      /** when the session was last seen active (before this request): its touch is due when this is stale */
      lastSeenAt: Date;
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
  /** when the session was last seen active (before this request) */
  lastSeenAt: Date;
};

/**
 * Resolves a session cookie's session on the current terminal into a viewer. The session lives in
 * the database: ended, idle past IDLE_TIMEOUT_SECONDS, opened on another terminal, or of a user
 * retired since, it is refused (and an idle one is ended and recorded).
 */
export async function loadSession(sessionId: string | undefined, terminal: TTerminal, now = new Date()): Promise<TSessionState> {
  if (!sessionId || !isUuid(sessionId)) return { ok: false, reason: "NO_SESSION" };
  // Every request asks this: one prepared statement on the pool (not Prisma's five), the policy
  // read with it only while the second factor is still to come.
  const s = (await preparedRows<TSessionRow>("chiikilink_load_session", SESSION_SQL, [sessionId]))[0];
  if (!s) return { ok: false, reason: "NO_SESSION" };
  if (s.ended_at) return { ok: false, reason: "ENDED" };
  if (s.cert_serial !== terminal.serial) return { ok: false, reason: "TERMINAL_CHANGED" };
  if (now.getTime() - s.last_seen_at.getTime() > env().IDLE_TIMEOUT_SECONDS * 1000) {
    await endSession(s.id, "IDLE_TIMEOUT");
    return { ok: false, reason: "IDLE" };
  }
  const u = { id: s.user_id, loginId: s.login_id, nameKanji: s.name_kanji, facilityId: s.facility_id, roles: s.roles, hasEmsPrivilege: s.has_ems_privilege };
  if (s.is_retired || !s.facility_active) return { ok: false, reason: "RETIRED" };
  if (u.facilityId !== terminal.facilityId && !u.roles.includes("SECRETARIAT")) return { ok: false, reason: "FACILITY_MISMATCH" };
  if (!s.second_factor_at) {
    // Read on every request until passed, so a policy change or a new factor applies at once.
    const requirement = requirementFor(s.policy ?? {}, u);
    const step = secondFactorStep(requirement, { isEnrolled: s.totp_enabled || s.passkeys > 0, isPassed: false });
    if (step !== "none") {
      return {
        ok: false,
        reason: "SECOND_FACTOR",
        pending: { sessionId: s.id, userId: u.id, loginId: u.loginId, name: u.nameKanji, facilityId: u.facilityId, certSerial: s.cert_serial, step, requirement, lastSeenAt: s.last_seen_at },
      };
    }
  }
  const expiresAt = passwordExpiresAt(s.password_changed_at, env().PASSWORD_MAX_AGE_MONTHS);
  return {
    ok: true,
    viewer: {
      userId: u.id,
      loginId: u.loginId,
      name: u.nameKanji,
      facilityId: u.facilityId,
      facilityName: s.facility_name,
      roles: u.roles,
      qualification: s.qualification,
      hasEmsPrivilege: u.hasEmsPrivilege,
      sessionId: s.id,
      certSerial: s.cert_serial,
      requestId: terminal.requestId ?? null,
    },
    mustChangePassword: s.must_change_password || expiresAt <= now,
    passwordExpiresAt: expiresAt,
    needsSecretQuestion: !s.has_secret_question,
    lastSeenAt: s.last_seen_at,
  };
}

const SESSION_SQL = `
  SELECT s.id::text AS id, s.cert_serial, s.last_seen_at, s.ended_at, s.second_factor_at,
         u.id::text AS user_id, u.login_id, u.name_kanji, u.facility_id::text AS facility_id, u.roles::text[] AS roles,
         u.qualification::text AS qualification, u.has_ems_privilege, u.is_retired, u.must_change_password, u.password_changed_at,
         u.secret_question IS NOT NULL AS has_secret_question,
         f.name_kanji AS facility_name, f.is_active AS facility_active,
         COALESCE((SELECT t.enabled_at IS NOT NULL FROM "totp_factors" t WHERE t.user_id = u.id), false) AS totp_enabled,
         (SELECT count(*)::int FROM "webauthn_credentials" w WHERE w.user_id = u.id) AS passkeys,
         CASE WHEN s.second_factor_at IS NULL THEN (SELECT json_object_agg(p.subject, p.requirement) FROM "second_factor_policies" p) END AS policy
    FROM "user_sessions" s
    JOIN "staff_users" u ON u.id = s.user_id
    JOIN "facilities" f ON f.id = u.facility_id
   WHERE s.id = $1::uuid`;

type TSessionRow = {
  id: string;
  cert_serial: string;
  last_seen_at: Date;
  ended_at: Date | null;
  second_factor_at: Date | null;
  user_id: string;
  login_id: string;
  name_kanji: string;
  facility_id: string;
  roles: StaffRole[];
  qualification: Qualification;
  has_ems_privilege: boolean;
  is_retired: boolean;
  must_change_password: boolean;
  password_changed_at: Date;
  has_secret_question: boolean;
  facility_name: string;
  facility_active: boolean;
  totp_enabled: boolean;
  passkeys: number;
  policy: TPolicy | null;
};
