import "server-only";
import crypto from "node:crypto";
import type { SignInEventKind } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { dummyHash, hashSecret, normalizeAnswer, verifySecret } from "@/lib/auth/hash";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TChangePassword, TResetByQuestion, TResetLookup, TSecretQuestion, TSignIn } from "@/lib/auth/schema";
import { AppError } from "@/lib/errors";
import { countFailure, failureKind, lockUserRow } from "@/lib/auth/lockout";

/**
 * What a refused sign-in tells the person at the terminal. A wrong password, an unknown ID, a
 * user of another facility and a retired user all answer INVALID (the event log keeps which), so
 * the answer is no oracle for IDs or passwords; LOCKED follows the same count for unknown IDs.
 */
export type TSignInFailure = "NO_CERTIFICATE" | "INVALID" | "LOCKED" | "RATE_LIMITED";

export class SignInError extends Error {
  constructor(readonly code: TSignInFailure) {
    super(code);
    this.name = "SignInError";
  }
}

type TEventInput = {
  kind: SignInEventKind;
  loginId: string;
  userId?: string | null;
  facilityId?: string | null;
  certSerial?: string | null;
  ip?: string | null;
  detail?: string;
};

export async function recordSignInEvent(e: TEventInput, tx: TTx = db()): Promise<void> {
  await tx.signInEvent.create({
    data: {
      kind: e.kind,
      loginId: e.loginId.slice(0, 64),
      userId: e.userId ?? null,
      facilityId: e.facilityId ?? null,
      certSerial: e.certSerial ?? null,
      ip: e.ip?.slice(0, 64) ?? null,
      detail: e.detail?.slice(0, 500),
    },
  });
}

const userWithSecrets = { omit: { passwordHash: false, secretAnswerHash: false } } as const;

/**
 * Rate limits for sign-in and password reset, per terminal and per login ID, in PostgreSQL so
 * that every app node counts into the same rows. An attempt reserves its place before anything
 * is checked (one atomic statement, so a burst is counted attempt by attempt), and a success
 * gives it back: only failures use up the budget, and a ward terminal where thirty nurses sign in
 * at the start of a shift is never limited.
 *
 * The login-ID count also answers for IDs that do not exist: after LOCKOUT_THRESHOLD failures an
 * unknown ID answers "locked" like a real one (lib/auth/mutations.ts), so the lock does not tell
 * which IDs exist.
 */
export type TAttempt = {
  /** over a limit: refuse without checking anything */
  limited: boolean;
  /** attempts for this login ID in the current window, this one included */
  loginAttempts: number;
  /** gives the reserved place back (after a success) */
  release: () => Promise<void>;
};

export const terminalKey = (serial: string) => `terminal:${serial}`;
export const loginKey = (loginId: string) => `login:${loginId.trim().toLowerCase()}`.slice(0, 200);

export async function reserveAttempt(terminalSerial: string, loginId: string): Promise<TAttempt> {
  const { SIGN_IN_LIMIT_PER_TERMINAL, SIGN_IN_LIMIT_PER_LOGIN_ID, SIGN_IN_LIMIT_WINDOW_MINUTES } = env();
  const keys = [terminalKey(terminalSerial), loginKey(loginId)];
  const rows = await db().$queryRaw<{ key: string; attempts: number }[]>`
    INSERT INTO sign_in_throttle AS t (key, window_start, attempts)
    SELECT k, now(), 1 FROM unnest(${keys}::text[]) AS k
    ON CONFLICT (key) DO UPDATE SET
      window_start = CASE WHEN t.window_start <= now() - make_interval(mins => ${SIGN_IN_LIMIT_WINDOW_MINUTES}::int) THEN now() ELSE t.window_start END,
      attempts     = CASE WHEN t.window_start <= now() - make_interval(mins => ${SIGN_IN_LIMIT_WINDOW_MINUTES}::int) THEN 1 ELSE t.attempts + 1 END
    RETURNING key, attempts`;
  const attemptsOf = (key: string) => rows.find((r) => r.key === key)?.attempts ?? 0;
  const loginAttempts = attemptsOf(keys[1]!);
  return {
    limited: attemptsOf(keys[0]!) > SIGN_IN_LIMIT_PER_TERMINAL || loginAttempts > SIGN_IN_LIMIT_PER_LOGIN_ID,
    loginAttempts,
    release: async () => {
      await db().$executeRaw`UPDATE sign_in_throttle SET attempts = attempts - 1 WHERE key = ANY(${keys}::text[]) AND attempts > 0`;
    },
  };
}

/** Forgets old windows (called now and then, e.g. by the housekeeping that already runs at start-up). */
export async function pruneThrottle(): Promise<number> {
  return db().$executeRaw`DELETE FROM sign_in_throttle
    WHERE window_start < now() - make_interval(mins => ${env().SIGN_IN_LIMIT_WINDOW_MINUTES}::int)`;
}

/** A secret check holds the user's row lock (lockout.ts); a burst on one account waits its turn. */
const SECRET_CHECK_TX = { maxWait: 30_000, timeout: 30_000 } as const;

/**
 * Personal sign-in on a verified terminal (C1). On success opens a database session bound to the
 * terminal's certificate and returns its id; every outcome is recorded as a sign-in event.
 *
 * Order matters (issue 15): the rate limit first; then, under the user row's lock, the account
 * lock, then the password. A user who may not sign in here (retired, inactive facility, another
 * facility's terminal) has no password checked at all, so the answer cannot confirm a password;
 * the attempt costs the same time and counts towards the lock like a wrong password.
 */
export async function signIn(
  input: TSignIn,
  terminal: TTerminal | null,
  ip: string | null,
): Promise<{ userId: string; sessionId: string }> {
  const base = { loginId: input.loginId, certSerial: terminal?.serial, ip };
  if (!terminal) {
    await recordSignInEvent({ ...base, kind: "NO_CERTIFICATE" });
    throw new SignInError("NO_CERTIFICATE");
  }
  const attempt = await reserveAttempt(terminal.serial, input.loginId);
  if (attempt.limited) {
    await recordSignInEvent({ ...base, kind: "RATE_LIMITED", facilityId: terminal.facilityId, detail: "sign-in" });
    throw new SignInError("RATE_LIMITED");
  }
  const user = await db().staffUser.findUnique({
    where: { loginId: input.loginId },
    select: { id: true, facilityId: true, roles: true, isRetired: true, facility: { select: { isActive: true } } },
  });
  if (!user) {
    const looksLocked = attempt.loginAttempts >= env().LOCKOUT_THRESHOLD;
    if (!looksLocked) await verifySecret(await dummyHash(), input.password);
    await recordSignInEvent({ ...base, kind: "FAILURE", facilityId: terminal.facilityId, detail: "unknown login ID" });
    throw new SignInError(looksLocked ? "LOCKED" : "INVALID");
  }
  const who = { ...base, userId: user.id, facilityId: user.facilityId };
  const now = new Date();
  const refusal: { kind: SignInEventKind; detail: string } | null =
    user.isRetired || !user.facility.isActive
      ? { kind: "RETIRED_ATTEMPT", detail: user.isRetired ? "retired" : "facility inactive" }
      : user.facilityId !== terminal.facilityId && !user.roles.includes("SECRETARIAT")
        ? { kind: "FACILITY_MISMATCH", detail: `terminal of facility ${terminal.facilityCode}` }
        : null;
  const result = await db().$transaction(async (tx): Promise<TSignInFailure | { sessionId: string }> => {
    const lock = await lockUserRow(tx, user.id, now);
    if (lock.isLocked) {
      await recordSignInEvent({ ...who, kind: "LOCKED_ATTEMPT", detail: `locked until ${lock.lockedUntil!.toISOString()}` }, tx);
      return "LOCKED";
    }
    const { passwordHash } = await tx.staffUser.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
    let isPasswordRight = false;
    if (refusal) await verifySecret(await dummyHash(), input.password); // the same cost; the result is never used
    else isPasswordRight = await verifySecret(passwordHash, input.password);
    if (!isPasswordRight) {
      const outcome = await countFailure(tx, user.id, now);
      await recordSignInEvent({ ...who, kind: failureKind(outcome, refusal?.kind ?? "FAILURE"), detail: refusal?.detail ?? "wrong password" }, tx);
      return outcome === "counted" ? "INVALID" : "LOCKED";
    }
    // Under the row lock and not locked: clearing the count cannot undo a lock set meanwhile.
    await tx.staffUser.update({ where: { id: user.id }, data: { failedSignInCount: 0, lockedUntil: null, lastSignInAt: now } });
    const session = await tx.userSession.create({ data: { userId: user.id, certSerial: terminal.serial }, select: { id: true } });
    await recordSignInEvent({ ...who, kind: "SUCCESS" }, tx);
    return { sessionId: session.id };
  }, SECRET_CHECK_TX);
  if (typeof result === "string") throw new SignInError(result);
  await attempt.release();
  return { userId: user.id, sessionId: result.sessionId };
}

export async function endSession(sessionId: string, reason: "SIGN_OUT" | "IDLE_TIMEOUT"): Promise<void> {
  const session = await db().userSession.findUnique({ where: { id: sessionId }, include: { user: { select: { loginId: true, facilityId: true } } } });
  if (!session || session.endedAt) return;
  await db().$transaction(async (tx) => {
    await tx.userSession.update({ where: { id: sessionId }, data: { endedAt: new Date(), endReason: reason } });
    await recordSignInEvent(
      { kind: reason, loginId: session.user.loginId, userId: session.userId, facilityId: session.user.facilityId, certSerial: session.certSerial },
      tx,
    );
  });
}

/** Marks activity; writes at most every 15 s (or a quarter of the idle limit) so page loads stay cheap. */
export async function touchSession(sessionId: string, lastSeenAt?: Date): Promise<void> {
  const throttleMs = Math.min(15_000, (env().IDLE_TIMEOUT_SECONDS * 1000) / 4);
  // Seen within the throttle (the session was just read): nothing to write, no statement sent.
  if (lastSeenAt && Date.now() - lastSeenAt.getTime() < throttleMs) return;
  await db().userSession.updateMany({
    where: { id: sessionId, endedAt: null, lastSeenAt: { lt: new Date(Date.now() - throttleMs) } },
    data: { lastSeenAt: new Date() },
  });
}

/** Rejects the last PASSWORD_HISTORY_COUNT passwords (the current one included). */
async function assertNotReused(tx: TTx, userId: string, currentHash: string, newPassword: string) {
  const history = await tx.passwordHistory.findMany({
    where: { userId },
    orderBy: { createdAt: "desc" },
    take: env().PASSWORD_HISTORY_COUNT,
    omit: { passwordHash: false },
  });
  for (const h of [currentHash, ...history.map((r) => r.passwordHash)]) {
    if (await verifySecret(h, newPassword)) {
      throw new AppError("VALIDATION", "password reused", { newPassword: ["password.reused"] });
    }
  }
}

async function setPassword(tx: TTx, userId: string, newPassword: string, opts: { mustChange: boolean }) {
  const passwordHash = await hashSecret(newPassword);
  await tx.staffUser.update({
    where: { id: userId },
    data: { passwordHash, passwordChangedAt: new Date(), mustChangePassword: opts.mustChange, failedSignInCount: 0, lockedUntil: null },
  });
  await tx.passwordHistory.create({ data: { userId, passwordHash } });
}

export async function changePassword(viewer: TViewer, input: TChangePassword): Promise<void> {
  const user = await db().staffUser.findUniqueOrThrow({ where: { id: viewer.userId }, ...userWithSecrets });
  if (!(await verifySecret(user.passwordHash, input.currentPassword))) {
    throw new AppError("VALIDATION", "wrong current password", { currentPassword: ["password.wrongCurrent"] });
  }
  if (input.newPassword.toLowerCase() === user.loginId.toLowerCase()) {
    throw new AppError("VALIDATION", "same as login", { newPassword: ["password.same-as-login-id"] });
  }
  await db().$transaction(async (tx) => {
    await assertNotReused(tx, user.id, user.passwordHash, input.newPassword);
    await setPassword(tx, user.id, input.newPassword, { mustChange: false });
    await recordSignInEvent({ kind: "PASSWORD_CHANGED", loginId: user.loginId, userId: user.id, facilityId: user.facilityId, certSerial: viewer.certSerial }, tx);
  });
}

export async function setSecretQuestion(viewer: TViewer, input: TSecretQuestion): Promise<void> {
  await db().staffUser.update({
    where: { id: viewer.userId },
    data: { secretQuestion: input.question, secretAnswerHash: await hashSecret(normalizeAnswer(input.answer)) },
  });
}

/** The same e-mail address, whatever the width, case or surrounding spaces. */
const sameEmail = (a: string, b: string) => a.normalize("NFKC").trim().toLowerCase() === b.normalize("NFKC").trim().toLowerCase();

const resetError = (field: string, key: string) => new AppError("VALIDATION", key, { [field]: [key] });

/**
 * The user a forgotten-password request may proceed for: the ID exists, is in use, has a secret
 * question, the registered e-mail address matches the one typed, and the terminal belongs to the
 * user's facility (the secretariat's anywhere). Anything else answers one message
 * ("reset.notVerified"), so neither the ID nor the question is revealed to someone who knows
 * only an ID; the event log keeps the reason. Every request uses up a place in the rate limit.
 */
async function resetCandidate(input: TResetLookup, terminal: TTerminal, ip: string | null, step: string) {
  const base = { loginId: input.loginId, certSerial: terminal.serial, ip };
  const attempt = await reserveAttempt(terminal.serial, input.loginId);
  if (attempt.limited) {
    await recordSignInEvent({ ...base, kind: "RATE_LIMITED", facilityId: terminal.facilityId, detail: `password reset (${step})` });
    throw resetError("_form", "signin.RATE_LIMITED");
  }
  const user = await db().staffUser.findUnique({
    where: { loginId: input.loginId },
    select: { id: true, loginId: true, facilityId: true, roles: true, email: true, isRetired: true, secretQuestion: true, secretAnswerHash: true, facility: { select: { isActive: true } } },
  });
  const why = !user
    ? "unknown login ID"
    : user.isRetired || !user.facility.isActive
      ? "retired or facility inactive"
      : !user.secretQuestion || !user.secretAnswerHash
        ? "no secret question"
        : !user.email || !sameEmail(user.email, input.email)
          ? "e-mail does not match"
          : user.facilityId !== terminal.facilityId && !user.roles.includes("SECRETARIAT")
            ? `terminal of facility ${terminal.facilityCode}`
            : null;
  if (why || !user) {
    await recordSignInEvent({ ...base, kind: "PASSWORD_RESET_FAILURE", userId: user?.id, facilityId: user?.facilityId ?? terminal.facilityId, detail: `${step}: ${why}` });
    throw resetError("_form", "reset.notVerified");
  }
  return { user: { ...user, secretQuestion: user.secretQuestion!, secretAnswerHash: user.secretAnswerHash! }, attempt, who: { ...base, userId: user.id, facilityId: user.facilityId } };
}

/**
 * Forgotten password (パスワードを忘れた方), step 1: the secret question, shown only to someone who
 * knows both the login ID and the registered e-mail address.
 */
export async function lookUpSecretQuestion(input: TResetLookup, terminal: TTerminal, ip: string | null): Promise<{ question: string }> {
  const { user, attempt } = await resetCandidate(input, terminal, ip, "question");
  await attempt.release();
  return { question: user.secretQuestion };
}

/**
 * Step 2: the secret answer sets a new password. The ID and e-mail are checked again; the answer is
 * compared under the user row's lock and wrong answers count towards the same lock as wrong
 * passwords (lockout.ts), so a burst of guesses gets no further than a sequence would.
 */
export async function resetPasswordByQuestion(input: TResetByQuestion, terminal: TTerminal, ip: string | null): Promise<void> {
  const { user, attempt, who } = await resetCandidate(input, terminal, ip, "reset");
  const now = new Date();
  const failure = await db().$transaction(async (tx): Promise<string | null> => {
    const lock = await lockUserRow(tx, user.id, now);
    if (lock.isLocked) {
      await recordSignInEvent({ ...who, kind: "LOCKED_ATTEMPT", detail: "password reset while locked" }, tx);
      return "signin.LOCKED";
    }
    const { secretAnswerHash, passwordHash } = await tx.staffUser.findUniqueOrThrow({
      where: { id: user.id },
      select: { secretAnswerHash: true, passwordHash: true },
    });
    if (!secretAnswerHash || !(await verifySecret(secretAnswerHash, normalizeAnswer(input.answer)))) {
      const outcome = await countFailure(tx, user.id, now);
      await recordSignInEvent({ ...who, kind: failureKind(outcome, "PASSWORD_RESET_FAILURE"), detail: "wrong secret answer" }, tx);
      return outcome === "counted" ? "reset.wrongAnswer" : "signin.LOCKED";
    }
    await assertNotReused(tx, user.id, passwordHash, input.newPassword);
    await setPassword(tx, user.id, input.newPassword, { mustChange: false });
    await tx.userSession.updateMany({ where: { userId: user.id, endedAt: null }, data: { endedAt: now, endReason: "PASSWORD_RESET" } });
    await recordSignInEvent({ ...who, kind: "PASSWORD_RESET_BY_QUESTION" }, tx);
    return null;
  }, SECRET_CHECK_TX);
  if (failure) throw resetError("answer", failure);
  await attempt.release();
}

/** A temporary password an administrator reads out; the user must change it at next sign-in. */
export function newTemporaryPassword(): string {
  const letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz";
  const digits = "23456789";
  const pick = (set: string) => set[crypto.randomInt(set.length)]!;
  const chars = [pick(digits), pick(digits), ...Array.from({ length: 8 }, () => pick(letters + digits))];
  return chars.join("");
}

/** Used by staff administration (lib/staff): sets a temporary password and ends the user's sessions. */
export async function setTemporaryPassword(tx: TTx, userId: string, temporary: string): Promise<void> {
  await setPassword(tx, userId, temporary, { mustChange: true });
  await tx.userSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: new Date(), endReason: "PASSWORD_RESET" } });
}
