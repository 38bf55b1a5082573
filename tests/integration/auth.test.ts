import crypto from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SignInEventKind } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { verifySecret } from "@/lib/auth/hash";
import {
  changePassword,
  endSession,
  lookUpSecretQuestion,
  resetPasswordByQuestion,
  setSecretQuestion,
  signIn,
  SignInError,
  touchSession,
  type TSignInFailure,
} from "@/lib/auth/mutations";
import { loadSession } from "@/lib/auth/queries";
import { passwordExpiresAt } from "@/lib/auth/password-policy";
import type { TTerminal } from "@/lib/auth/terminal";
import { AppError, type TErrorCode } from "@/lib/errors";
import { createFacility, createStaff, DEMO_PASSWORD, DEMO_SECRET_ANSWER, DEMO_SECRET_QUESTION, viewerFor } from "@/tests/fixtures/factories";

type TFacility = Awaited<ReturnType<typeof createFacility>>;

/** A verified terminal of `facility`, as server.ts would pass it on. */
function terminalOf(facility: TFacility, serial = crypto.randomBytes(16).toString("hex")): TTerminal {
  return {
    serial,
    facilityId: facility.id,
    facilityCode: facility.code,
    facilityName: facility.nameKanji,
    terminalId: crypto.randomUUID(),
    terminalName: "外来1",
  };
}

/** Sets environment variables for the rest of the test; afterEach puts the old values back. */
const envRestore: (() => void)[] = [];
function setEnv(vars: Record<string, string>) {
  for (const [k, v] of Object.entries(vars)) {
    const old = process.env[k];
    envRestore.push(() => {
      if (old === undefined) delete process.env[k];
      else process.env[k] = old;
    });
    process.env[k] = v;
  }
  resetEnvCache();
}
afterEach(() => {
  while (envRestore.length) envRestore.pop()!();
  resetEnvCache();
});
/** Each test starts with no rate-limit history (the terminals here are shared by the whole file). */
beforeEach(async () => {
  await db().$executeRaw`DELETE FROM sign_in_throttle`;
});
/** Time passing beyond the lock also passes the rate-limit window. */
const forgetThrottle = () => db().$executeRaw`DELETE FROM sign_in_throttle`;

async function signInFailure(p: Promise<unknown>): Promise<TSignInFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof SignInError)) throw new Error(`expected a SignInError, got ${String(err)}`);
  return err.code;
}

async function appError(p: Promise<unknown>, code: TErrorCode): Promise<Record<string, string[]>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  expect(err.code).toBe(code);
  return err.fieldErrors;
}

const eventsOf = (loginId: string) => db().signInEvent.findMany({ where: { loginId }, orderBy: { at: "asc" } });
const kindsOf = async (loginId: string) => (await eventsOf(loginId)).map((e) => e.kind);
const countKind = async (loginId: string, kind: SignInEventKind) => (await kindsOf(loginId)).filter((k) => k === kind).length;
const userRow = (id: string) => db().staffUser.findUniqueOrThrow({ where: { id } });
/** The e-mail address registered for a test user (the forgotten-password form asks for it). */
const emailOf = (loginId: string) => `${loginId}@example.jp`;
let emailSeq = 0;
const staffWithEmail = (input: Parameters<typeof createStaff>[0]) => {
  const loginId = `mailuser${++emailSeq}-${crypto.randomBytes(3).toString("hex")}`;
  return createStaff({ ...input, loginId, email: emailOf(loginId) });
};

/** `months` calendar months before `d`, clamped to the month's end (31 Mar − 1 month → 28/29 Feb). */
function monthsBefore(d: Date, months: number): Date {
  const r = new Date(d);
  const day = r.getUTCDate();
  r.setUTCDate(1);
  r.setUTCMonth(r.getUTCMonth() - months);
  const lastDay = new Date(Date.UTC(r.getUTCFullYear(), r.getUTCMonth() + 1, 0)).getUTCDate();
  r.setUTCDate(Math.min(day, lastDay));
  return r;
}
const DAY = 86_400_000;

let facilityA: TFacility;
let facilityB: TFacility;
let terminalA: TTerminal;
let terminalB: TTerminal;

beforeAll(async () => {
  facilityA = await createFacility();
  facilityB = await createFacility();
  terminalA = terminalOf(facilityA);
  terminalB = terminalOf(facilityB);
});

describe("signIn", () => {
  it("opens a session bound to the certificate and records SUCCESS", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const r = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, "192.0.2.10");
    expect(r.userId).toBe(user.id);
    const session = await db().userSession.findUniqueOrThrow({ where: { id: r.sessionId } });
    expect(session).toMatchObject({ userId: user.id, certSerial: terminalA.serial, endedAt: null, endReason: null });
    const events = await eventsOf(user.loginId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: "SUCCESS",
      userId: user.id,
      facilityId: facilityA.id,
      certSerial: terminalA.serial,
      ip: "192.0.2.10",
    });
    const after = await userRow(user.id);
    expect(after.lastSignInAt).not.toBeNull();
    expect(after.failedSignInCount).toBe(0);
  });

  it("locks the account at the fifth wrong password, then refuses even the right one", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    for (let i = 1; i <= 4; i++) {
      expect(await signInFailure(signIn({ loginId: user.loginId, password: `Wrong${i}pass` }, terminalA, null))).toBe("INVALID");
      expect((await userRow(user.id)).failedSignInCount).toBe(i);
    }
    expect(await countKind(user.loginId, "FAILURE")).toBe(4);

    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong5pass" }, terminalA, null))).toBe("LOCKED");
    expect(await kindsOf(user.loginId)).toEqual(["FAILURE", "FAILURE", "FAILURE", "FAILURE", "LOCKED"]);
    const locked = await userRow(user.id);
    expect(locked.lockedUntil).not.toBeNull();
    // LOCKOUT_MINUTES defaults to 15
    expect(locked.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(locked.lockedUntil!.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);

    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("LOCKED");
    expect(await countKind(user.loginId, "LOCKED_ATTEMPT")).toBe(1);
    expect(await db().userSession.count({ where: { userId: user.id } })).toBe(0);
    // an attempt while locked does not extend or reset the lock
    expect((await userRow(user.id)).lockedUntil).toEqual(locked.lockedUntil);
  });

  it("lets the user in once the lock has passed, and counts failures from zero again", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    for (let i = 0; i < 5; i++) await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null));
    expect((await userRow(user.id)).lockedUntil).not.toBeNull();

    await db().staffUser.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    await forgetThrottle();
    // a wrong password after the lock passed is the first failure of a new count, not a new lock
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong2pass" }, terminalA, null))).toBe("INVALID");
    expect((await userRow(user.id)).failedSignInCount).toBe(1);

    const r = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);
    expect(r.userId).toBe(user.id);
    const after = await userRow(user.id);
    expect(after.failedSignInCount).toBe(0);
    expect(after.lockedUntil).toBeNull();

    for (let i = 1; i <= 4; i++) {
      expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong3pass" }, terminalA, null))).toBe("INVALID");
    }
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong3pass" }, terminalA, null))).toBe("LOCKED");
  });

  it("resets the failure count on a successful sign-in", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    for (let i = 0; i < 4; i++) await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null));
    await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);
    expect((await userRow(user.id)).failedSignInCount).toBe(0);
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null))).toBe("INVALID");
  });

  it("follows LOCKOUT_THRESHOLD and LOCKOUT_MINUTES", async () => {
    setEnv({ LOCKOUT_THRESHOLD: "2", LOCKOUT_MINUTES: "60" });
    const { user } = await createStaff({ facilityId: facilityA.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null))).toBe("INVALID");
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null))).toBe("LOCKED");
    const lockedUntil = (await userRow(user.id)).lockedUntil!;
    expect(lockedUntil.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
  });

  it("counts wrong passwords that arrive at the same time, and keeps the lock they set", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signInFailure(signIn({ loginId: user.loginId, password: `Wrong${i}pass` }, terminalA, null))),
    );
    // the first four are counted, the fifth locks, the rest find the account locked
    expect(codes.filter((c) => c === "INVALID")).toHaveLength(4);
    expect(codes.filter((c) => c === "LOCKED")).toHaveLength(4);
    const kinds = await kindsOf(user.loginId);
    expect(kinds.filter((k) => k === "FAILURE")).toHaveLength(4);
    expect(kinds.filter((k) => k === "LOCKED")).toHaveLength(1);
    expect(kinds.filter((k) => k === "LOCKED_ATTEMPT")).toHaveLength(3);
    expect((await userRow(user.id)).lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("LOCKED");
  });

  it("refuses an unknown login ID as INVALID and records a FAILURE without a user", async () => {
    const loginId = `nobody-${crypto.randomBytes(4).toString("hex")}`;
    expect(await signInFailure(signIn({ loginId, password: DEMO_PASSWORD }, terminalA, "192.0.2.11"))).toBe("INVALID");
    const events = await eventsOf(loginId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "FAILURE", userId: null, facilityId: facilityA.id, certSerial: terminalA.serial, ip: "192.0.2.11" });
  });

  it("refuses a retired user even with the right password, with the answer a wrong password gets", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id, isRetired: true });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("INVALID");
    expect(await kindsOf(user.loginId)).toEqual(["RETIRED_ATTEMPT"]);
    expect(await db().userSession.count({ where: { userId: user.id } })).toBe(0);
  });

  it("refuses a retired user's wrong password as INVALID (no hint the ID is retired)", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id, isRetired: true });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null))).toBe("INVALID");
  });

  it("refuses a user of an inactive facility as INVALID, and records why", async () => {
    const closed = await createFacility({ isActive: false });
    const { user } = await createStaff({ facilityId: closed.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalOf(closed), null))).toBe("INVALID");
    expect((await eventsOf(user.loginId)).map((e) => [e.kind, e.detail])).toEqual([["RETIRED_ATTEMPT", "facility inactive"]]);
  });

  it("refuses a user of facility A on facility B's terminal as INVALID (no password oracle), and records why", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalB, null))).toBe("INVALID");
    const events = await eventsOf(user.loginId);
    expect(events.map((e) => e.kind)).toEqual(["FACILITY_MISMATCH"]);
    expect(events[0]!.certSerial).toBe(terminalB.serial);
    expect(await db().userSession.count({ where: { userId: user.id } })).toBe(0);
  });

  it("lets a secretariat user sign in on any facility's terminal", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id, roles: ["SECRETARIAT"] });
    const r = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalB, null);
    expect(r.userId).toBe(user.id);
    const session = await db().userSession.findUniqueOrThrow({ where: { id: r.sessionId } });
    expect(session.certSerial).toBe(terminalB.serial);
  });

  it("refuses without a terminal certificate and records NO_CERTIFICATE", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, null, "192.0.2.12"))).toBe("NO_CERTIFICATE");
    const events = await eventsOf(user.loginId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "NO_CERTIFICATE", certSerial: null, ip: "192.0.2.12" });
    expect(await db().userSession.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("loadSession", () => {
  async function signedIn(input: Parameters<typeof createStaff>[0], terminal = terminalA) {
    const { user } = await createStaff(input);
    const { sessionId } = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminal, null);
    return { user, sessionId };
  }

  it("resolves a fresh session into a viewer", async () => {
    const { user, sessionId } = await signedIn({ facilityId: facilityA.id, roles: ["CLINICIAN", "LIAISON"], qualification: "NURSE" });
    const s = await loadSession(sessionId, { ...terminalA, requestId: "req-0001" });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.viewer).toEqual({
      userId: user.id,
      loginId: user.loginId,
      name: user.nameKanji,
      facilityId: facilityA.id,
      facilityName: facilityA.nameKanji,
      roles: ["CLINICIAN", "LIAISON"],
      qualification: "NURSE",
      hasEmsPrivilege: false,
      sessionId,
      certSerial: terminalA.serial,
      requestId: "req-0001",
    });
    expect(s.mustChangePassword).toBe(false);
    expect(s.needsSecretQuestion).toBe(false);
    const changedAt = (await userRow(user.id)).passwordChangedAt;
    expect(s.passwordExpiresAt).toEqual(passwordExpiresAt(changedAt, 2));
    expect(s.passwordExpiresAt.getTime()).toBeGreaterThan(Date.now() + 58 * DAY);
  });

  it("refuses a missing or unknown session", async () => {
    expect(await loadSession(undefined, terminalA)).toEqual({ ok: false, reason: "NO_SESSION" });
    expect(await loadSession(crypto.randomUUID(), terminalA)).toEqual({ ok: false, reason: "NO_SESSION" });
  });

  it("asks a user created with a temporary password to change it", async () => {
    const { sessionId } = await signedIn({ facilityId: facilityA.id, mustChangePassword: true });
    const s = await loadSession(sessionId, terminalA);
    expect(s).toMatchObject({ ok: true, mustChangePassword: true });
  });

  it("asks for a change when the password is older than PASSWORD_MAX_AGE_MONTHS", async () => {
    const now = new Date();
    const changedAt = new Date(monthsBefore(now, 2).getTime() - DAY);
    const { sessionId } = await signedIn({ facilityId: facilityA.id, passwordChangedAt: changedAt });
    const s = await loadSession(sessionId, terminalA);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.mustChangePassword).toBe(true);
    expect(s.passwordExpiresAt).toEqual(passwordExpiresAt(changedAt, 2));
    expect(s.passwordExpiresAt.getTime()).toBeLessThanOrEqual(now.getTime() - DAY);
    expect(s.passwordExpiresAt.getTime()).toBeGreaterThan(now.getTime() - 5 * DAY);

    // with a longer maximum age the same password is still good
    setEnv({ PASSWORD_MAX_AGE_MONTHS: "3" });
    const later = await loadSession(sessionId, terminalA);
    expect(later).toMatchObject({ ok: true, mustChangePassword: false });
  });

  it("does not ask for a change a day before the password expires", async () => {
    const changedAt = new Date(monthsBefore(new Date(), 2).getTime() + DAY);
    const { sessionId } = await signedIn({ facilityId: facilityA.id, passwordChangedAt: changedAt });
    const s = await loadSession(sessionId, terminalA);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.mustChangePassword).toBe(false);
    expect(s.passwordExpiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("asks a user without a secret question to set one", async () => {
    const { user, sessionId } = await signedIn({ facilityId: facilityA.id, withSecretQuestion: false });
    expect(await loadSession(sessionId, terminalA)).toMatchObject({ ok: true, needsSecretQuestion: true });
    const viewer = await viewerFor(user);
    await setSecretQuestion(viewer, { question: "好きな花は？", answer: "Ｓａｋｕｒａ " });
    expect(await loadSession(sessionId, terminalA)).toMatchObject({ ok: true, needsSecretQuestion: false });
    expect((await userRow(user.id)).secretQuestion).toBe("好きな花は？");
    // the answer is stored normalised: another width and case match it
    const { secretAnswerHash } = await db().staffUser.findUniqueOrThrow({ where: { id: user.id }, omit: { secretAnswerHash: false } });
    expect(await verifySecret(secretAnswerHash!, "sakura")).toBe(true);
  });

  it("ends a session idle past IDLE_TIMEOUT_SECONDS and records IDLE_TIMEOUT", async () => {
    setEnv({ IDLE_TIMEOUT_SECONDS: "5" });
    const { user, sessionId } = await signedIn({ facilityId: facilityA.id });
    await db().userSession.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 10_000) } });
    expect(await loadSession(sessionId, terminalA)).toEqual({ ok: false, reason: "IDLE" });
    const session = await db().userSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session.endedAt).not.toBeNull();
    expect(session.endReason).toBe("IDLE_TIMEOUT");
    const events = await eventsOf(user.loginId);
    expect(events.map((e) => e.kind)).toEqual(["SUCCESS", "IDLE_TIMEOUT"]);
    expect(events[1]).toMatchObject({ userId: user.id, certSerial: terminalA.serial, facilityId: facilityA.id });
    // ended for good
    expect(await loadSession(sessionId, terminalA)).toEqual({ ok: false, reason: "ENDED" });
    expect(await countKind(user.loginId, "IDLE_TIMEOUT")).toBe(1);
  });

  it("keeps a session that was active within IDLE_TIMEOUT_SECONDS", async () => {
    setEnv({ IDLE_TIMEOUT_SECONDS: "60" });
    const { sessionId } = await signedIn({ facilityId: facilityA.id });
    await db().userSession.update({ where: { id: sessionId }, data: { lastSeenAt: new Date(Date.now() - 10_000) } });
    expect((await loadSession(sessionId, terminalA)).ok).toBe(true);
  });

  it("refuses a session opened on another certificate", async () => {
    const { sessionId } = await signedIn({ facilityId: facilityA.id });
    const otherTerminal = terminalOf(facilityA);
    expect(await loadSession(sessionId, otherTerminal)).toEqual({ ok: false, reason: "TERMINAL_CHANGED" });
    // the session itself stays usable on its own terminal
    expect((await loadSession(sessionId, terminalA)).ok).toBe(true);
  });

  it("refuses an ended session", async () => {
    const { user, sessionId } = await signedIn({ facilityId: facilityA.id });
    await endSession(sessionId, "SIGN_OUT");
    expect(await loadSession(sessionId, terminalA)).toEqual({ ok: false, reason: "ENDED" });
    expect(await kindsOf(user.loginId)).toEqual(["SUCCESS", "SIGN_OUT"]);
    // ending twice records nothing more
    await endSession(sessionId, "SIGN_OUT");
    expect(await countKind(user.loginId, "SIGN_OUT")).toBe(1);
  });

  it("refuses the session of a user retired after signing in", async () => {
    const { user, sessionId } = await signedIn({ facilityId: facilityA.id });
    await db().staffUser.update({ where: { id: user.id }, data: { isRetired: true, retiredAt: new Date() } });
    expect(await loadSession(sessionId, terminalA)).toEqual({ ok: false, reason: "RETIRED" });
  });

  it("refuses the session of a user whose facility was deactivated after signing in", async () => {
    const facility = await createFacility();
    const terminal = terminalOf(facility);
    const { sessionId } = await signedIn({ facilityId: facility.id }, terminal);
    await db().facility.update({ where: { id: facility.id }, data: { isActive: false } });
    expect(await loadSession(sessionId, terminal)).toEqual({ ok: false, reason: "RETIRED" });
  });

  it("refuses a session whose certificate now names another facility, except for the secretariat", async () => {
    const { sessionId } = await signedIn({ facilityId: facilityA.id });
    const moved = { ...terminalB, serial: terminalA.serial };
    expect(await loadSession(sessionId, moved)).toEqual({ ok: false, reason: "FACILITY_MISMATCH" });
    const secretariat = await signedIn({ facilityId: facilityA.id, roles: ["SECRETARIAT"] });
    expect((await loadSession(secretariat.sessionId, moved)).ok).toBe(true);
  });
});

describe("touchSession", () => {
  it("moves lastSeenAt forward, but not on an ended session", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const { sessionId } = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);
    const old = new Date(Date.now() - 60_000);
    await db().userSession.update({ where: { id: sessionId }, data: { lastSeenAt: old } });
    await touchSession(sessionId);
    const touched = await db().userSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(touched.lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 5_000);

    await endSession(sessionId, "SIGN_OUT");
    await db().userSession.update({ where: { id: sessionId }, data: { lastSeenAt: old } });
    await touchSession(sessionId);
    expect((await db().userSession.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt).toEqual(old);
  });
});

describe("changePassword", () => {
  const change = (currentPassword: string, newPassword: string) => ({ currentPassword, newPassword, confirmPassword: newPassword });

  it("refuses a wrong current password", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const viewer = await viewerFor(user);
    expect(await appError(changePassword(viewer, change("Wrong1pass", "Fresh2026pass")), "VALIDATION")).toEqual({
      currentPassword: ["password.wrongCurrent"],
    });
    expect(await verifySecret((await db().staffUser.findUniqueOrThrow({ where: { id: user.id }, omit: { passwordHash: false } })).passwordHash, DEMO_PASSWORD)).toBe(true);
  });

  it("refuses the current password as the new one", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const viewer = await viewerFor(user);
    expect(await appError(changePassword(viewer, change(DEMO_PASSWORD, DEMO_PASSWORD)), "VALIDATION")).toEqual({
      newPassword: ["password.reused"],
    });
  });

  it("refuses the login ID as the new password", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id, loginId: `login${crypto.randomBytes(3).toString("hex")}9` });
    const viewer = await viewerFor(user);
    expect(await appError(changePassword(viewer, change(DEMO_PASSWORD, user.loginId.toUpperCase())), "VALIDATION")).toEqual({
      newPassword: ["password.same-as-login-id"],
    });
  });

  it("refuses a password used before (history)", async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    const viewer = await viewerFor(user);
    const [a, b, c] = [DEMO_PASSWORD, "Second2026pass", "Third2026pass"];
    await changePassword(viewer, change(a, b));
    await changePassword(viewer, change(b, c));
    expect(await appError(changePassword(viewer, change(c, a)), "VALIDATION")).toEqual({ newPassword: ["password.reused"] });
    expect(await appError(changePassword(viewer, change(c, b)), "VALIDATION")).toEqual({ newPassword: ["password.reused"] });
    // nothing changed by the refusals
    await signIn({ loginId: user.loginId, password: c }, terminalA, null);
  });

  it("remembers only PASSWORD_HISTORY_COUNT passwords", async () => {
    setEnv({ PASSWORD_HISTORY_COUNT: "2" });
    const { user } = await createStaff({ facilityId: facilityA.id });
    const viewer = await viewerFor(user);
    const [a, b, c] = [DEMO_PASSWORD, "Second2026pass", "Third2026pass"];
    await changePassword(viewer, change(a, b));
    await changePassword(viewer, change(b, c));
    expect(await appError(changePassword(viewer, change(c, b)), "VALIDATION")).toEqual({ newPassword: ["password.reused"] });
    await changePassword(viewer, change(c, a));
    await signIn({ loginId: user.loginId, password: a }, terminalA, null);
  });

  it("sets the new password, clears mustChangePassword and records PASSWORD_CHANGED", async () => {
    const oldChange = new Date(Date.now() - 30 * DAY);
    const { user } = await createStaff({ facilityId: facilityA.id, mustChangePassword: true, passwordChangedAt: oldChange });
    const viewer = await viewerFor(user, "serial-of-change");
    await changePassword(viewer, change(DEMO_PASSWORD, "Brand2026new"));
    const after = await userRow(user.id);
    expect(after.mustChangePassword).toBe(false);
    expect(after.passwordChangedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const events = await eventsOf(user.loginId);
    expect(events.map((e) => e.kind)).toEqual(["PASSWORD_CHANGED"]);
    expect(events[0]).toMatchObject({ userId: user.id, facilityId: facilityA.id, certSerial: "serial-of-change" });
    expect(await db().passwordHistory.count({ where: { userId: user.id } })).toBe(2);

    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("INVALID");
    const { sessionId } = await signIn({ loginId: user.loginId, password: "Brand2026new" }, terminalA, null);
    expect(await loadSession(sessionId, terminalA)).toMatchObject({ ok: true, mustChangePassword: false });
  });
});

describe("resetPasswordByQuestion", () => {
  const reset = (loginId: string, answer: string, newPassword = "Reset2026pass") => ({ loginId, email: emailOf(loginId), answer, newPassword, confirmPassword: newPassword });

  it.each([
    ["as registered", DEMO_SECRET_ANSWER],
    ["with full-width spaces around it", `\u3000${DEMO_SECRET_ANSWER}\u3000`],
    ["with extra spaces around it", `   ${DEMO_SECRET_ANSWER}  `],
    ["with a tab and a full-width space", `\t${DEMO_SECRET_ANSWER} \u3000`],
  ])("sets the new password with the right answer %s and ends the user's sessions", async (_name, answer) => {
    const { user } = await staffWithEmail({ facilityId: facilityA.id, mustChangePassword: true });
    const first = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);
    const second = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);

    await resetPasswordByQuestion(reset(user.loginId, answer), terminalA, "192.0.2.20");

    for (const id of [first.sessionId, second.sessionId]) {
      const s = await db().userSession.findUniqueOrThrow({ where: { id } });
      expect(s.endedAt).not.toBeNull();
      expect(s.endReason).toBe("PASSWORD_RESET");
      expect(await loadSession(id, terminalA)).toEqual({ ok: false, reason: "ENDED" });
    }
    expect(await countKind(user.loginId, "PASSWORD_RESET_BY_QUESTION")).toBe(1);
    expect((await userRow(user.id)).mustChangePassword).toBe(false);
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("INVALID");
    expect((await signIn({ loginId: user.loginId, password: "Reset2026pass" }, terminalA, null)).userId).toBe(user.id);
  });

  it("accepts a full-width form of a Latin answer", async () => {
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    await setSecretQuestion(await viewerFor(user), { question: DEMO_SECRET_QUESTION, answer: "Chiiki Hospital" });
    await resetPasswordByQuestion(reset(user.loginId, "ＣＨＩＩＫＩ　　ｈｏｓｐｉｔａｌ"), terminalA, null);
    expect((await signIn({ loginId: user.loginId, password: "Reset2026pass" }, terminalA, null)).userId).toBe(user.id);
  });

  it("refuses a password used before", async () => {
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    expect(await appError(resetPasswordByQuestion(reset(user.loginId, DEMO_SECRET_ANSWER, DEMO_PASSWORD), terminalA, null), "VALIDATION")).toEqual({
      newPassword: ["password.reused"],
    });
  });

  it("counts wrong answers towards the lock", async () => {
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    for (let i = 1; i <= 4; i++) {
      expect(await appError(resetPasswordByQuestion(reset(user.loginId, `違う答え${i}`), terminalA, null), "VALIDATION")).toEqual({
        answer: ["reset.wrongAnswer"],
      });
    }
    expect(await countKind(user.loginId, "PASSWORD_RESET_FAILURE")).toBe(4);
    expect(await appError(resetPasswordByQuestion(reset(user.loginId, "違う答え5"), terminalA, null), "VALIDATION")).toEqual({
      answer: ["signin.LOCKED"],
    });
    expect(await countKind(user.loginId, "LOCKED")).toBe(1);
    // locked: neither the right answer nor the right password gets in
    expect(await appError(resetPasswordByQuestion(reset(user.loginId, DEMO_SECRET_ANSWER), terminalA, null), "VALIDATION")).toEqual({
      answer: ["signin.LOCKED"],
    });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("LOCKED");
    expect(await countKind(user.loginId, "LOCKED_ATTEMPT")).toBe(2);
  });

  it("counts wrong passwords and wrong answers together", async () => {
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    for (let i = 0; i < 3; i++) await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalA, null));
    await appError(resetPasswordByQuestion(reset(user.loginId, "違う答え"), terminalA, null), "VALIDATION");
    expect(await appError(resetPasswordByQuestion(reset(user.loginId, "違う答え"), terminalA, null), "VALIDATION")).toEqual({
      answer: ["signin.LOCKED"],
    });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null))).toBe("LOCKED");
  });

  it("answers one message for an unknown ID, a wrong e-mail, a retired or question-less user and another facility's terminal", async () => {
    const notVerified = { _form: ["reset.notVerified"] };
    const retired = (await staffWithEmail({ facilityId: facilityA.id, isRetired: true })).user;
    const noQuestion = (await staffWithEmail({ facilityId: facilityA.id, withSecretQuestion: false })).user;
    const noEmail = (await createStaff({ facilityId: facilityA.id })).user;
    const ok = (await staffWithEmail({ facilityId: facilityA.id })).user;
    const cases: [string, { loginId: string; email: string }, TTerminal][] = [
      ["unknown ID", { loginId: "no-such-user-x", email: emailOf("no-such-user-x") }, terminalA],
      ["wrong e-mail", { loginId: ok.loginId, email: "someone@example.jp" }, terminalA],
      ["no e-mail registered", { loginId: noEmail.loginId, email: emailOf(noEmail.loginId) }, terminalA],
      ["retired", { loginId: retired.loginId, email: emailOf(retired.loginId) }, terminalA],
      ["no question", { loginId: noQuestion.loginId, email: emailOf(noQuestion.loginId) }, terminalA],
      ["another facility's terminal", { loginId: ok.loginId, email: emailOf(ok.loginId) }, terminalB],
    ];
    for (const [name, who, terminal] of cases) {
      expect(await appError(lookUpSecretQuestion(who, terminal, null), "VALIDATION"), name).toEqual(notVerified);
      const full = { ...reset(who.loginId, DEMO_SECRET_ANSWER), email: who.email };
      expect(await appError(resetPasswordByQuestion(full, terminal, null), "VALIDATION"), name).toEqual(notVerified);
    }
    // each refusal is recorded with its reason, and nobody's password changed or lock moved
    const [okEvents] = await Promise.all([eventsOf(ok.loginId)]);
    expect(okEvents.map((e) => e.detail)).toEqual([
      "question: e-mail does not match",
      "reset: e-mail does not match",
      `question: terminal of facility ${facilityB.code}`,
      `reset: terminal of facility ${facilityB.code}`,
    ]);
    expect((await userRow(ok.id)).failedSignInCount).toBe(0);
    expect(await countKind("no-such-user-x", "PASSWORD_RESET_FAILURE")).toBe(2);
    // the ID and its registered address (any width or case) show the question
    expect(await lookUpSecretQuestion({ loginId: ok.loginId, email: `  ${emailOf(ok.loginId).toUpperCase()} ` }, terminalA, null)).toEqual({ question: DEMO_SECRET_QUESTION });
  });
});

describe("attempts that arrive at the same time (issue 15)", () => {
  const BURST = 50;
  const reset = (loginId: string, answer: string) => ({ loginId, email: emailOf(loginId), answer, newPassword: "Burst2026pass", confirmPassword: "Burst2026pass" });

  /** The outcome of each attempt: "ok", a sign-in failure code, or a reset's error key. */
  const outcomeOf = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (e: unknown) => (e instanceof SignInError ? e.code : e instanceof AppError ? Object.values(e.fieldErrors).flat()[0]! : String(e)),
    );

  /**
   * The rule for a burst, read from its events (written one at a time, under the user row's lock):
   * at most LOCKOUT_THRESHOLD − 1 failures in a row, then the lock; a success (at most one) only
   * before the lock, starting the count again; after the lock, nothing but refusals.
   */
  async function expectLockHeld(loginId: string, successKind: SignInEventKind, failureKind: SignInEventKind) {
    const kinds = await kindsOf(loginId);
    let run = 0;
    let isLocked = false;
    for (const k of kinds) {
      if (isLocked) expect(k).toBe("LOCKED_ATTEMPT");
      else if (k === failureKind) expect(++run).toBeLessThan(5);
      else if (k === "LOCKED") {
        expect(run).toBe(4);
        isLocked = true;
      } else if (k === successKind) run = 0;
      else throw new Error(`unexpected event ${k}`);
    }
    expect(isLocked).toBe(true);
    expect(kinds.filter((k) => k === successKind).length).toBeLessThanOrEqual(1);
  }

  it(`${BURST} wrong passwords and the right one at once: nothing gets in once the threshold is reached`, async () => {
    const { user } = await createStaff({ facilityId: facilityA.id });
    for (let i = 0; i < 5; i++) await signInFailure(signIn({ loginId: user.loginId, password: `Wrong${i}pass` }, terminalA, null));
    const burst = [...Array.from({ length: BURST }, (_, i) => signIn({ loginId: user.loginId, password: `Burst${i}pass` }, terminalA, null)), signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null)];
    const outcomes = await Promise.all(burst.map(outcomeOf));
    expect(outcomes.filter((o) => o === "ok")).toEqual([]);
    expect(new Set(outcomes)).toEqual(new Set(["LOCKED", "RATE_LIMITED"]));
    expect(await db().userSession.count({ where: { userId: user.id } })).toBe(0);
    // the rate limit stops most of the burst before any lock is taken; no password was compared
    expect(await countKind(user.loginId, "RATE_LIMITED")).toBeGreaterThanOrEqual(BURST + 1 - 10);
    expect(await countKind(user.loginId, "FAILURE")).toBe(4);
  });

  it(`${BURST} wrong passwords and the right one at once, even without a rate limit: at most the threshold is tried, and a success only before the lock`, async () => {
    setEnv({ SIGN_IN_LIMIT_PER_LOGIN_ID: "1000", SIGN_IN_LIMIT_PER_TERMINAL: "1000" });
    for (let round = 0; round < 3; round++) {
      const { user } = await createStaff({ facilityId: facilityA.id });
      const right = signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalA, null);
      const wrong = Array.from({ length: BURST }, (_, i) => signIn({ loginId: user.loginId, password: `Burst${i}pass` }, terminalA, null));
      const outcomes = await Promise.all([...wrong, right].map(outcomeOf));
      const successes = outcomes.filter((o) => o === "ok").length;
      expect(successes).toBeLessThanOrEqual(1);
      // a success starts the count again, so at most one run of four before it and one after
      expect(outcomes.filter((o) => o === "INVALID").length).toBeLessThanOrEqual(4 * (1 + successes));
      expect(outcomes.filter((o) => o === "LOCKED").length).toBeGreaterThanOrEqual(BURST - 8);
      await expectLockHeld(user.loginId, "SUCCESS", "FAILURE");
      expect((await userRow(user.id)).lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    }
  });

  it(`${BURST} wrong secret answers and the right one at once: the same for the password reset`, async () => {
    setEnv({ SIGN_IN_LIMIT_PER_LOGIN_ID: "1000", SIGN_IN_LIMIT_PER_TERMINAL: "1000" });
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    const right = resetPasswordByQuestion(reset(user.loginId, DEMO_SECRET_ANSWER), terminalA, null);
    const wrong = Array.from({ length: BURST }, (_, i) => resetPasswordByQuestion(reset(user.loginId, `違う答え${i}`), terminalA, null));
    const outcomes = await Promise.all([...wrong, right].map(outcomeOf));
    const successes = outcomes.filter((o) => o === "ok").length;
    expect(successes).toBeLessThanOrEqual(1);
    expect(outcomes.filter((o) => o === "reset.wrongAnswer").length).toBeLessThanOrEqual(4 * (1 + successes));
    await expectLockHeld(user.loginId, "PASSWORD_RESET_BY_QUESTION", "PASSWORD_RESET_FAILURE");

    // once locked, a burst with the right answer among wrong ones changes nothing
    const { user: locked } = await staffWithEmail({ facilityId: facilityA.id });
    for (let i = 0; i < 5; i++) await outcomeOf(resetPasswordByQuestion(reset(locked.loginId, `違う${i}`), terminalA, null));
    const passwordOf = async (id: string) => (await db().staffUser.findUniqueOrThrow({ where: { id }, select: { passwordHash: true } })).passwordHash;
    const before = await passwordOf(locked.id);
    const again = await Promise.all(
      [...Array.from({ length: BURST }, (_, i) => resetPasswordByQuestion(reset(locked.loginId, `違う答え${i}`), terminalA, null)), resetPasswordByQuestion(reset(locked.loginId, DEMO_SECRET_ANSWER), terminalA, null)].map(outcomeOf),
    );
    expect(new Set(again)).toEqual(new Set(["signin.LOCKED"]));
    expect(await passwordOf(locked.id)).toBe(before);
  });
});

describe("no enumeration, no oracle (issue 15)", () => {
  const wrongTimes = (loginId: string, terminal: TTerminal, password = "Wrong1pass") =>
    Array.from({ length: 7 }, () => 0).reduce<Promise<TSignInFailure[]>>(
      async (acc) => [...(await acc), await signInFailure(signIn({ loginId, password }, terminal, null))],
      Promise.resolve([]),
    );

  it("answers an unknown ID, a wrong password, the right password on another facility's terminal and a retired user alike, attempt by attempt", async () => {
    const known = (await createStaff({ facilityId: facilityA.id })).user;
    const foreign = (await createStaff({ facilityId: facilityA.id })).user;
    const retired = (await createStaff({ facilityId: facilityA.id, isRetired: true })).user;
    const expected: TSignInFailure[] = ["INVALID", "INVALID", "INVALID", "INVALID", "LOCKED", "LOCKED", "LOCKED"];
    expect(await wrongTimes(known.loginId, terminalA)).toEqual(expected);
    expect(await wrongTimes(`nobody-${crypto.randomBytes(4).toString("hex")}`, terminalA)).toEqual(expected);
    expect(await wrongTimes(foreign.loginId, terminalB, DEMO_PASSWORD)).toEqual(expected);
    expect(await wrongTimes(retired.loginId, terminalA, DEMO_PASSWORD)).toEqual(expected);
    // the log keeps the real reason
    expect((await kindsOf(foreign.loginId)).slice(0, 5)).toEqual(["FACILITY_MISMATCH", "FACILITY_MISMATCH", "FACILITY_MISMATCH", "FACILITY_MISMATCH", "LOCKED"]);
    expect((await kindsOf(retired.loginId))[0]).toBe("RETIRED_ATTEMPT");
  });
});

describe("rate limits per terminal and per login ID (issue 15)", () => {
  it("refuses a terminal's attempts over SIGN_IN_LIMIT_PER_TERMINAL failures in the window, whatever the IDs, and records RATE_LIMITED", async () => {
    setEnv({ SIGN_IN_LIMIT_PER_TERMINAL: "3" });
    const terminal = terminalOf(facilityA);
    for (let i = 0; i < 3; i++) expect(await signInFailure(signIn({ loginId: `guess-${i}`, password: "Wrong1pass" }, terminal, null))).toBe("INVALID");
    const { user } = await createStaff({ facilityId: facilityA.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminal, "192.0.2.30"))).toBe("RATE_LIMITED");
    expect((await eventsOf(user.loginId)).map((e) => [e.kind, e.certSerial, e.ip])).toEqual([["RATE_LIMITED", terminal.serial, "192.0.2.30"]]);
    // another terminal is not affected; and the window passing lets this one in again
    expect((await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalOf(facilityA), null)).userId).toBe(user.id);
    await db().$executeRaw`UPDATE sign_in_throttle SET window_start = now() - interval '16 minutes'`;
    expect((await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminal, null)).userId).toBe(user.id);
  });

  it("does not count successes: thirty staff signing in on one ward terminal are never limited", async () => {
    setEnv({ SIGN_IN_LIMIT_PER_TERMINAL: "3" });
    const terminal = terminalOf(facilityA);
    const users = await Promise.all(Array.from({ length: 6 }, () => createStaff({ facilityId: facilityA.id })));
    for (const { user } of users) for (let i = 0; i < 2; i++) expect((await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminal, null)).userId).toBe(user.id);
  });

  it("refuses a login ID's attempts over SIGN_IN_LIMIT_PER_LOGIN_ID on any terminal, for the reset as well", async () => {
    setEnv({ SIGN_IN_LIMIT_PER_LOGIN_ID: "2", LOCKOUT_THRESHOLD: "10" });
    const { user } = await staffWithEmail({ facilityId: facilityA.id });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminalOf(facilityA), null))).toBe("INVALID");
    expect(await appError(lookUpSecretQuestion({ loginId: user.loginId, email: "wrong@example.jp" }, terminalOf(facilityA), null), "VALIDATION")).toEqual({ _form: ["reset.notVerified"] });
    expect(await signInFailure(signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminalOf(facilityA), null))).toBe("RATE_LIMITED");
    expect(await appError(lookUpSecretQuestion({ loginId: user.loginId, email: emailOf(user.loginId) }, terminalOf(facilityA), null), "VALIDATION")).toEqual({ _form: ["signin.RATE_LIMITED"] });
    // unknown IDs are limited the same way
    expect(await signInFailure(signIn({ loginId: "nobody-limited", password: "x" }, terminalA, null))).toBe("INVALID");
    expect(await signInFailure(signIn({ loginId: "nobody-limited", password: "x" }, terminalA, null))).toBe("INVALID");
    expect(await signInFailure(signIn({ loginId: "nobody-limited", password: "x" }, terminalA, null))).toBe("RATE_LIMITED");
  });
});
