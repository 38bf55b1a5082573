import "server-only";
import crypto from "node:crypto";
import type { SignInEventKind } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { dummyHash, hashSecret, normalizeAnswer, verifySecret } from "@/lib/auth/hash";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TChangePassword, TResetByQuestion, TSecretQuestion, TSignIn } from "@/lib/auth/schema";
import { AppError } from "@/lib/errors";
import { countFailure, failureKind } from "@/lib/auth/lockout";

export type TSignInFailure = "NO_CERTIFICATE" | "INVALID" | "LOCKED" | "RETIRED" | "FACILITY_MISMATCH";

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
 * Personal sign-in on a verified terminal (C1). On success opens a database session bound to the
 * terminal's certificate and returns its id; every outcome is recorded as a sign-in event.
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
  const user = await db().staffUser.findUnique({
    where: { loginId: input.loginId },
    ...userWithSecrets,
    include: { facility: { select: { isActive: true } } },
  });
  if (!user) {
    await verifySecret(await dummyHash(), input.password);
    await recordSignInEvent({ ...base, kind: "FAILURE", facilityId: terminal.facilityId, detail: "unknown login ID" });
    throw new SignInError("INVALID");
  }
  const who = { ...base, userId: user.id, facilityId: user.facilityId };
  const now = new Date();
  if (user.lockedUntil && user.lockedUntil > now) {
    await recordSignInEvent({ ...who, kind: "LOCKED_ATTEMPT", detail: `locked until ${user.lockedUntil.toISOString()}` });
    throw new SignInError("LOCKED");
  }
  const isPasswordRight = await verifySecret(user.passwordHash, input.password);
  if (!isPasswordRight) {
    const outcome = await db().$transaction(async (tx) => {
      const outcome = await countFailure(tx, user.id, now);
      await recordSignInEvent({ ...who, kind: failureKind(outcome, "FAILURE"), detail: "wrong password" }, tx);
      return outcome;
    });
    throw new SignInError(outcome === "counted" ? "INVALID" : "LOCKED");
  }
  if (user.isRetired || !user.facility.isActive) {
    await recordSignInEvent({ ...who, kind: "RETIRED_ATTEMPT", detail: user.isRetired ? "retired" : "facility inactive" });
    throw new SignInError("RETIRED");
  }
  if (user.facilityId !== terminal.facilityId && !user.roles.includes("SECRETARIAT")) {
    await recordSignInEvent({ ...who, kind: "FACILITY_MISMATCH", detail: `terminal of facility ${terminal.facilityCode}` });
    throw new SignInError("FACILITY_MISMATCH");
  }
  return db().$transaction(async (tx) => {
    await tx.staffUser.update({ where: { id: user.id }, data: { failedSignInCount: 0, lockedUntil: null, lastSignInAt: now } });
    const session = await tx.userSession.create({ data: { userId: user.id, certSerial: terminal.serial }, select: { id: true } });
    await recordSignInEvent({ ...who, kind: "SUCCESS" }, tx);
    return { userId: user.id, sessionId: session.id };
  });
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
export async function touchSession(sessionId: string): Promise<void> {
  const throttleMs = Math.min(15_000, (env().IDLE_TIMEOUT_SECONDS * 1000) / 4);
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

/**
 * Forgotten password (パスワードを忘れた方): the secret answer sets a new password. Wrong answers
 * count towards the same lock as wrong passwords. The terminal must belong to the user's facility.
 */
export async function resetPasswordByQuestion(input: TResetByQuestion, terminal: TTerminal, ip: string | null): Promise<void> {
  const user = await db().staffUser.findUnique({ where: { loginId: input.loginId }, ...userWithSecrets });
  const fail = (field: string, key: string) => new AppError("VALIDATION", key, { [field]: [key] });
  const now = new Date();
  if (!user || !user.secretAnswerHash || user.isRetired) throw fail("loginId", "reset.unavailable");
  if (user.facilityId !== terminal.facilityId && !user.roles.includes("SECRETARIAT")) throw fail("loginId", "reset.unavailable");
  const who = { loginId: user.loginId, userId: user.id, facilityId: user.facilityId, certSerial: terminal.serial, ip };
  if (user.lockedUntil && user.lockedUntil > now) {
    await recordSignInEvent({ ...who, kind: "LOCKED_ATTEMPT", detail: "password reset while locked" });
    throw fail("answer", "signin.LOCKED");
  }
  if (!(await verifySecret(user.secretAnswerHash, normalizeAnswer(input.answer)))) {
    const outcome = await db().$transaction(async (tx) => {
      const outcome = await countFailure(tx, user.id, now);
      await recordSignInEvent({ ...who, kind: failureKind(outcome, "PASSWORD_RESET_FAILURE"), detail: "wrong secret answer" }, tx);
      return outcome;
    });
    throw fail("answer", outcome === "counted" ? "reset.wrongAnswer" : "signin.LOCKED");
  }
  await db().$transaction(async (tx) => {
    await assertNotReused(tx, user.id, user.passwordHash, input.newPassword);
    await setPassword(tx, user.id, input.newPassword, { mustChange: false });
    await tx.userSession.updateMany({ where: { userId: user.id, endedAt: null }, data: { endedAt: now, endReason: "PASSWORD_RESET" } });
    await recordSignInEvent({ ...who, kind: "PASSWORD_RESET_BY_QUESTION" }, tx);
  });
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
