import crypto from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SignInEventKind, StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { gateSession } from "@/lib/auth/gate";
import { signIn } from "@/lib/auth/mutations";
import { loadSession, type TPendingSession } from "@/lib/auth/queries";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import {
  confirmTotpEnrolment,
  passkeyRegistrationOptions,
  regenerateRecoveryCodes,
  registerPasskey,
  removePasskey,
  removeTotp,
  setSecondFactorPolicy,
  startTotpEnrolment,
  verifySecondFactorCode,
} from "@/lib/auth/second-factor/mutations";
import { getMySecondFactor, getSecondFactorPolicy } from "@/lib/auth/second-factor/queries";
import { secretFromBase32, totpCodeFor, totpStepAt } from "@/lib/auth/second-factor/totp";
import { AppError } from "@/lib/errors";
import { searchStaff } from "@/lib/staff/queries";
import { resetStaffSecondFactor } from "@/lib/staff/mutations";
import { createFacility, createStaff, DEMO_PASSWORD, DEMO_TOTP_SECRET, enrolTotp, setSecondFactorPolicyLines, viewerFor } from "@/tests/fixtures/factories";

type TFacility = Awaited<ReturnType<typeof createFacility>>;
let facility: TFacility;
let terminal: TTerminal;
const demoSecret = secretFromBase32(DEMO_TOTP_SECRET);
/** The code an authenticator app with the demo secret shows at `at`, `offset` steps away. */
const codeAt = (at: Date, offset = 0) => totpCodeFor(demoSecret, totpStepAt(at) + offset);

beforeAll(async () => {
  facility = await createFacility();
  terminal = {
    serial: crypto.randomBytes(16).toString("hex"),
    facilityId: facility.id,
    facilityCode: facility.code,
    facilityName: facility.nameKanji,
    terminalId: crypto.randomUUID(),
    terminalName: "外来1",
    remoteAddress: "192.0.2.20",
  };
});

afterEach(async () => {
  await db().secondFactorPolicy.deleteMany();
  resetEnvCache();
});

async function staff(roles: StaffRole[] = ["CLINICIAN"], hasEmsPrivilege = false) {
  return (await createStaff({ facilityId: facility.id, roles, hasEmsPrivilege })).user;
}

/** A password sign-in (the real signIn) and what loadSession makes of its session. */
async function signInWithPassword(user: { loginId: string }) {
  const { sessionId } = await signIn({ loginId: user.loginId, password: DEMO_PASSWORD }, terminal, "192.0.2.20");
  return { sessionId, state: await loadSession(sessionId, terminal) };
}

/** A session past the password, its second factor still to come. */
async function pendingSession(user: { loginId: string }): Promise<TPendingSession> {
  const { state } = await signInWithPassword(user);
  if (state.ok || state.reason !== "SECOND_FACTOR") throw new Error(`expected a pending session, got ${JSON.stringify(state)}`);
  return state.pending;
}

async function refusal(p: Promise<unknown>): Promise<Record<string, string[]>> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err.fieldErrors;
}

const kindsOf = async (userId: string) => (await db().signInEvent.findMany({ where: { userId }, orderBy: { at: "asc" } })).map((e) => e.kind);
const lastEvent = async (userId: string) => db().signInEvent.findFirstOrThrow({ where: { userId }, orderBy: { at: "desc" } });
const sessionRow = (id: string) => db().userSession.findUniqueOrThrow({ where: { id } });
const userRow = (id: string) => db().staffUser.findUniqueOrThrow({ where: { id } });

describe("policy resolution per role and EMS privilege", () => {
  it("asks nothing by default of a user without a factor, and asks one who enrolled (OPTIONAL)", async () => {
    const user = await staff();
    const { state } = await signInWithPassword(user);
    expect(state.ok).toBe(true);
    await enrolTotp(user.id);
    const pending = await pendingSession(user);
    expect(pending).toMatchObject({ userId: user.id, step: "verify", requirement: "OPTIONAL" });
  });

  it("follows the secretariat's lines: the strictest applies, EMS privilege is a line of its own, OFF asks nothing", async () => {
    const secretariat = await viewerFor(await staff(["SECRETARIAT"]));
    await setSecondFactorPolicy(secretariat, { SECRETARIAT: "REQUIRED", EMS_PRIVILEGED: "REQUIRED", CLINICIAN: "OFF" });

    const clinician = await staff(["CLINICIAN"]);
    const emsDoctor = await staff(["CLINICIAN"], true);
    const secretariatAdmin = await staff(["SECRETARIAT", "FACILITY_ADMIN"]);
    const liaisonClinician = await staff(["CLINICIAN", "LIAISON"]);
    expect((await signInWithPassword(clinician)).state.ok).toBe(true);
    expect(await pendingSession(emsDoctor)).toMatchObject({ step: "enrol", requirement: "REQUIRED" });
    expect(await pendingSession(secretariatAdmin)).toMatchObject({ step: "enrol", requirement: "REQUIRED" });
    // CLINICIAN is OFF, LIAISON has no row (OPTIONAL): OPTIONAL wins, and without a factor nothing is asked
    expect((await signInWithPassword(liaisonClinician)).state.ok).toBe(true);
    await enrolTotp(liaisonClinician.id);
    expect(await pendingSession(liaisonClinician)).toMatchObject({ step: "verify", requirement: "OPTIONAL" });
    // under OFF nothing is asked, even of a user with a factor
    await enrolTotp(clinician.id);
    expect((await signInWithPassword(clinician)).state.ok).toBe(true);

    const lines = await getSecondFactorPolicy(secretariat);
    expect(lines.map((l) => [l.subject, l.requirement, l.isDefault])).toEqual([
      ["CLINICIAN", "OFF", false],
      ["LIAISON", "OPTIONAL", true],
      ["FACILITY_ADMIN", "OPTIONAL", true],
      ["SECRETARIAT", "REQUIRED", false],
      ["EMS_PRIVILEGED", "REQUIRED", false],
    ]);
    expect(lines.find((l) => l.subject === "SECRETARIAT")?.updatedByName).toBe(secretariat.name);
    const changes = await db().signInEvent.findMany({ where: { userId: secretariat.userId, kind: "SECOND_FACTOR_POLICY_CHANGED" } });
    expect(changes.map((c) => c.detail).sort()).toEqual(["CLINICIAN: OPTIONAL (default) → OFF", "EMS_PRIVILEGED: OPTIONAL (default) → REQUIRED", "SECRETARIAT: OPTIONAL (default) → REQUIRED"]);
    // saving the form as shown (the default lines included) changes nothing and records nothing
    expect(await setSecondFactorPolicy(secretariat, { CLINICIAN: "OFF", LIAISON: "OPTIONAL", FACILITY_ADMIN: "OPTIONAL", SECRETARIAT: "REQUIRED", EMS_PRIVILEGED: "REQUIRED" })).toEqual({
      changed: 0,
    });
    expect(await db().secondFactorPolicy.count()).toBe(3);
  });

  it("applies a policy change to a session already open, on its next request", async () => {
    const doctor = await staff(["CLINICIAN"], true);
    const { sessionId, state } = await signInWithPassword(doctor);
    expect(state.ok).toBe(true);
    await setSecondFactorPolicyLines({ EMS_PRIVILEGED: "REQUIRED" });
    expect(await loadSession(sessionId, terminal)).toMatchObject({ ok: false, reason: "SECOND_FACTOR", pending: { step: "enrol" } });
  });

  it("is the secretariat's alone to set", async () => {
    const admin = await viewerFor(await staff(["FACILITY_ADMIN"]));
    expect(await refusal(setSecondFactorPolicy(admin, { FACILITY_ADMIN: "OFF" }))).toEqual({});
    await expect(getSecondFactorPolicy(admin)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db().secondFactorPolicy.count()).toBe(0);
  });
});

describe("a session whose second factor is still to come", () => {
  it("gets no viewer, so no data read can start from it; once verified, the same session reads", async () => {
    const user = await staff(["CLINICIAN", "LIAISON"]);
    await enrolTotp(user.id);
    const { sessionId, state } = await signInWithPassword(user);
    expect(state).toMatchObject({ ok: false, reason: "SECOND_FACTOR" });
    expect(state).not.toHaveProperty("viewer");
    // requireViewer's gate: pages, API routes and server actions alike are sent to the second factor
    expect(gateSession(state)).toEqual({ redirectTo: "/login/second-factor" });
    expect(gateSession(state, { passwordFlow: true })).toEqual({ redirectTo: "/login/second-factor" });

    const pending = (state as { pending: TPendingSession }).pending;
    await verifySecondFactorCode(pending, codeAt(new Date()));
    const after = await loadSession(sessionId, terminal);
    const gate = gateSession(after);
    expect(gate).toHaveProperty("viewer");
    const viewer = (gate as { viewer: TViewer }).viewer;
    expect(viewer.sessionId).toBe(sessionId);
    expect((await searchStaff(viewer, { q: user.loginId })).rows.map((r) => r.id)).toEqual([user.id]);
    expect(await sessionRow(sessionId)).toMatchObject({ secondFactorMethod: "TOTP" });
    expect((await sessionRow(sessionId)).secondFactorAt).not.toBeNull();
  });

  it("under REQUIRED with nothing enrolled, is sent to enrolment before the password pages too", async () => {
    await setSecondFactorPolicyLines({ SECRETARIAT: "REQUIRED" });
    const user = (await createStaff({ facilityId: facility.id, roles: ["SECRETARIAT"], mustChangePassword: true })).user;
    const { state } = await signInWithPassword(user);
    expect(gateSession(state)).toEqual({ redirectTo: "/login/second-factor/enrol" });
    expect(gateSession(state, { passwordFlow: true })).toEqual({ redirectTo: "/login/second-factor/enrol" });
  });
});

describe("TOTP at sign-in", () => {
  it("accepts the current code, refuses it a second time (replay), and accepts the next step's", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const now = new Date();
    const first = await pendingSession(user);
    expect(await verifySecondFactorCode(first, codeAt(now), now)).toEqual({ recoveryCodesLeft: null });

    // as the action passes it on: the terminal's address goes into the event
    const second = { ...(await pendingSession(user)), ip: terminal.remoteAddress };
    expect(await refusal(verifySecondFactorCode(second, codeAt(now), now))).toEqual({ code: ["sf.wrongCode"] });
    expect(await lastEvent(user.id)).toMatchObject({ kind: "SECOND_FACTOR_FAILURE", detail: "authenticator code already used", ip: "192.0.2.20" });
    expect((await sessionRow(second.sessionId)).secondFactorAt).toBeNull();
    // the code of the step after is still good (a window of one step either side)
    await verifySecondFactorCode(second, codeAt(now, 1), now);
    expect((await sessionRow(second.sessionId)).secondFactorMethod).toBe("TOTP");
    // and an older step than the last used is refused even inside the window
    const third = await pendingSession(user);
    expect(await refusal(verifySecondFactorCode(third, codeAt(now, -1), now))).toEqual({ code: ["sf.wrongCode"] });
  });

  it("accepts one step either side of now and nothing further", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const now = new Date();
    const pending = await pendingSession(user);
    for (const offset of [-2, 2, 3]) expect(await refusal(verifySecondFactorCode(pending, codeAt(now, offset), now))).toEqual({ code: ["sf.wrongCode"] });
    expect(await lastEvent(user.id)).toMatchObject({ kind: "SECOND_FACTOR_FAILURE", detail: "wrong authenticator code" });
    await verifySecondFactorCode(pending, codeAt(now, -1), now);
    expect(await kindsOf(user.id)).toEqual(["SUCCESS", "SECOND_FACTOR_FAILURE", "SECOND_FACTOR_FAILURE", "SECOND_FACTOR_FAILURE", "SECOND_FACTOR_SUCCESS"]);
    // the success resets the count the wrong codes built up
    expect((await userRow(user.id)).failedSignInCount).toBe(0);
  });
});

describe("the lock", () => {
  it("locks the account at the threshold of wrong codes, ends the session, and then refuses even the right code", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const now = new Date();
    const pending = await pendingSession(user);
    for (let i = 0; i < 4; i++) expect(await refusal(verifySecondFactorCode(pending, "000000", now))).toEqual({ code: ["sf.wrongCode"] });
    expect(await refusal(verifySecondFactorCode(pending, "000001", now))).toEqual({ code: ["signin.LOCKED"] });
    const locked = await userRow(user.id);
    expect(locked.lockedUntil!.getTime()).toBeGreaterThan(now.getTime());
    expect(await sessionRow(pending.sessionId)).toMatchObject({ endReason: "LOCKED" });
    expect(await loadSession(pending.sessionId, terminal)).toEqual({ ok: false, reason: "ENDED" });

    expect(await refusal(verifySecondFactorCode(pending, codeAt(now), now))).toEqual({ code: ["signin.LOCKED"] });
    expect(await db().totpFactor.findUniqueOrThrow({ where: { userId: user.id } })).toMatchObject({ lastStep: null });
    expect(await kindsOf(user.id)).toEqual([
      "SUCCESS",
      ...Array<SignInEventKind>(4).fill("SECOND_FACTOR_FAILURE"),
      "LOCKED",
      "LOCKED_ATTEMPT",
    ]);
  });

  it("cannot be dodged by signing in with the password again between wrong codes", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const now = new Date();
    let pending = await pendingSession(user);
    for (let i = 0; i < 4; i++) await refusal(verifySecondFactorCode(pending, "000000", now));
    // the right password resets the shared count…
    pending = await pendingSession(user);
    expect((await userRow(user.id)).failedSignInCount).toBe(0);
    // …but the wrong codes since the last success still count: the fifth locks
    expect(await refusal(verifySecondFactorCode(pending, "000000", now))).toEqual({ code: ["signin.LOCKED"] });
    expect((await userRow(user.id)).lockedUntil).not.toBeNull();
  });

  it("mixes wrong passwords and wrong codes in one count", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const pending = await pendingSession(user);
    for (let i = 0; i < 3; i++) await signIn({ loginId: user.loginId, password: "Wrong1pass" }, terminal, null).catch(() => null);
    await refusal(verifySecondFactorCode(pending, "000000"));
    expect(await refusal(verifySecondFactorCode(pending, "000000"))).toEqual({ code: ["signin.LOCKED"] });
  });

  it("is not lifted by a right code (a lock another attempt set stays)", async () => {
    const user = await staff();
    await enrolTotp(user.id);
    const pending = await pendingSession(user);
    const until = new Date(Date.now() + 10 * 60_000);
    await db().staffUser.update({ where: { id: user.id }, data: { lockedUntil: until } });
    expect(await refusal(verifySecondFactorCode(pending, codeAt(new Date())))).toEqual({ code: ["signin.LOCKED"] });
    expect((await userRow(user.id)).lockedUntil).toEqual(until);
    expect((await sessionRow(pending.sessionId)).secondFactorAt).toBeNull();
  });
});

describe("enrolment and recovery codes", () => {
  /** Enrols an authenticator app the way the screens do; returns the app's secret and the recovery codes shown. */
  async function enrolThroughScreens(actor: Parameters<typeof startTotpEnrolment>[0]) {
    const started = await startTotpEnrolment(actor);
    expect(started.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(started.uri).toContain(`ChiikiLink:${actor.loginId}`);
    const secret = secretFromBase32(started.secret);
    const { recoveryCodes } = await confirmTotpEnrolment(actor, totpCodeFor(secret, totpStepAt(new Date())));
    return { secret, recoveryCodes: recoveryCodes! };
  }

  it("enrols on the profile page with a confirmed code, gives ten recovery codes once, and stores neither in clear", async () => {
    const user = await staff();
    const viewer = await viewerFor(user);
    const started = await startTotpEnrolment(viewer);
    // not enabled until confirmed: sign-in asks nothing yet
    expect((await signInWithPassword(user)).state.ok).toBe(true);
    const secret = secretFromBase32(started.secret);
    expect(await refusal(confirmTotpEnrolment(viewer, "000000"))).toEqual({ code: ["sf.wrongEnrolmentCode"] });
    expect((await userRow(user.id)).failedSignInCount).toBe(0);
    const { recoveryCodes } = await confirmTotpEnrolment(viewer, totpCodeFor(secret, totpStepAt(new Date())));
    expect(recoveryCodes).toHaveLength(10);

    const row = await db().totpFactor.findUniqueOrThrow({ where: { userId: user.id }, omit: { secretSealed: false } });
    expect(row.enabledAt).not.toBeNull();
    expect(row.secretSealed).not.toContain(started.secret.replaceAll(" ", ""));
    const hashes = await db().recoveryCode.findMany({ where: { userId: user.id }, omit: { codeHash: false } });
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(h.codeHash).toMatch(/^\$argon2id\$/);
    expect(await kindsOf(user.id)).toContain("SECOND_FACTOR_ENROLLED");
    expect(await getMySecondFactor(viewer)).toMatchObject({ requirement: "OPTIONAL", recoveryCodesLeft: 10, recoveryCodesTotal: 10 });
    expect((await signInWithPassword(user)).state).toMatchObject({ ok: false, reason: "SECOND_FACTOR" });
    // a second start is refused while the app is on
    expect(await refusal(startTotpEnrolment(viewer))).toEqual({ _form: ["sf.totpAlreadyOn"] });
  });

  it("lets a recovery code through once; the second use is refused and counted", async () => {
    const user = await staff();
    const { recoveryCodes } = await enrolThroughScreens(await viewerFor(user));
    const first = await pendingSession(user);
    expect(await verifySecondFactorCode(first, recoveryCodes[3]!.toUpperCase())).toEqual({ recoveryCodesLeft: 9 });
    expect(await sessionRow(first.sessionId)).toMatchObject({ secondFactorMethod: "RECOVERY_CODE" });
    expect(await lastEvent(user.id)).toMatchObject({ kind: "RECOVERY_CODE_USED", detail: "recovery code (9 left)" });

    const second = await pendingSession(user);
    expect(await refusal(verifySecondFactorCode(second, recoveryCodes[3]!))).toEqual({ code: ["sf.wrongCode"] });
    expect(await lastEvent(user.id)).toMatchObject({ kind: "SECOND_FACTOR_FAILURE", detail: "not an unused recovery code" });
    expect((await userRow(user.id)).failedSignInCount).toBe(1);
    await verifySecondFactorCode(second, recoveryCodes[4]!);
  });

  it("enrols at sign-in under REQUIRED: the pending session is complete once the code is confirmed", async () => {
    await setSecondFactorPolicyLines({ EMS_PRIVILEGED: "REQUIRED" });
    const user = await staff(["CLINICIAN"], true);
    const pending = await pendingSession(user);
    expect(pending.step).toBe("enrol");
    const { recoveryCodes } = await enrolThroughScreens(pending);
    expect(recoveryCodes).toHaveLength(10);
    expect((await loadSession(pending.sessionId, terminal)).ok).toBe(true);
  });

  it("issues new recovery codes on request, and the old ones stop working", async () => {
    const user = await staff();
    const viewer = await viewerFor(user);
    const { recoveryCodes: old } = await enrolThroughScreens(viewer);
    const { recoveryCodes: fresh } = await regenerateRecoveryCodes(viewer);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);
    expect(await refusal(verifySecondFactorCode(await pendingSession(user), old[0]!))).toEqual({ code: ["sf.wrongCode"] });
    await verifySecondFactorCode(await pendingSession(user), fresh[0]!);
    expect(await refusal(regenerateRecoveryCodes(await viewerFor(await staff())))).toEqual({ _form: ["sf.noFactor"] });
  });

  it("refuses enrolment under OFF", async () => {
    await setSecondFactorPolicyLines({ CLINICIAN: "OFF" });
    expect(await refusal(startTotpEnrolment(await viewerFor(await staff())))).toEqual({ _form: ["sf.off"] });
  });
});

describe("removing a factor", () => {
  it("needs a current code from the app (a wrong one counts), and takes the recovery codes with the last factor", async () => {
    const user = await staff();
    const viewer = await viewerFor(user);
    await enrolTotp(user.id);
    await regenerateRecoveryCodes(viewer);
    const now = new Date();
    expect(await refusal(removeTotp(viewer, "000000", now))).toEqual({ code: ["sf.wrongCode"] });
    expect((await userRow(user.id)).failedSignInCount).toBe(1);
    await removeTotp(viewer, codeAt(now), now);
    expect(await db().totpFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await lastEvent(user.id)).toMatchObject({ kind: "SECOND_FACTOR_REMOVED", detail: "authenticator app" });
  });

  it("is refused under REQUIRED when it would leave none, before any code is checked", async () => {
    await setSecondFactorPolicyLines({ SECRETARIAT: "REQUIRED" });
    const user = await staff(["SECRETARIAT"]);
    const viewer = await viewerFor(user);
    await enrolTotp(user.id);
    const now = new Date();
    expect(await refusal(removeTotp(viewer, codeAt(now), now))).toEqual({ _form: ["sf.requiredKeepOne"] });
    expect(await db().totpFactor.findUniqueOrThrow({ where: { userId: user.id } })).toMatchObject({ lastStep: null });
  });

  it("answers not found for another user's passkey", async () => {
    const viewer = await viewerFor(await staff());
    await expect(removePasskey(viewer, crypto.randomUUID(), "000000")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("WebAuthn challenges", () => {
  const rp = { rpId: "localhost", origin: "https://localhost:3543" };
  const junk = {
    id: "AAAA",
    rawId: "AAAA",
    type: "public-key" as const,
    clientExtensionResults: {},
    response: { clientDataJSON: "e30", attestationObject: "oA" },
  };

  it("are stored per session and used once, whatever the answer", async () => {
    const user = await staff();
    const viewer = await viewerFor(user);
    const options = await passkeyRegistrationOptions(viewer, rp);
    expect(options.rp).toEqual({ name: "ChiikiLink", id: "localhost" });
    expect(options.user.name).toBe(user.loginId);
    const stored = await db().webauthnChallenge.findMany({ where: { sessionId: viewer.sessionId } });
    expect(stored).toMatchObject([{ ceremony: "REGISTRATION", challenge: options.challenge, rpId: "localhost", origin: "https://localhost:3543" }]);
    expect(await refusal(registerPasskey(viewer, rp, { name: "PC", response: junk }))).toEqual({ _form: ["sf.passkeyRefused"] });
    expect(await db().webauthnChallenge.count({ where: { sessionId: viewer.sessionId } })).toBe(0);
    expect(await refusal(registerPasskey(viewer, rp, { name: "PC", response: junk }))).toEqual({ _form: ["sf.passkeyExpired"] });
  });

  it("do not carry over to another host or another session", async () => {
    const user = await staff();
    const viewer = await viewerFor(user);
    await passkeyRegistrationOptions(viewer, rp);
    expect(await refusal(registerPasskey(viewer, { rpId: "localhost", origin: "https://localhost:9999" }, { name: "PC", response: junk }))).toEqual({
      _form: ["sf.passkeyExpired"],
    });
    await passkeyRegistrationOptions(viewer, rp);
    const other = await viewerFor(user);
    expect(await refusal(registerPasskey(other, rp, { name: "PC", response: junk }))).toEqual({ _form: ["sf.passkeyExpired"] });
  });
});

describe("an administrator's reset", () => {
  it("removes every factor, ends the user's sessions and records who did it; the secretariat's accounts are the secretariat's", async () => {
    const admin = await viewerFor(await staff(["FACILITY_ADMIN"]));
    const user = await staff();
    await enrolTotp(user.id);
    await regenerateRecoveryCodes(await viewerFor(user));
    const open = await pendingSession(user);
    expect(await resetStaffSecondFactor(admin, user.id)).toEqual({ removed: 1 });
    expect(await db().totpFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await sessionRow(open.sessionId)).toMatchObject({ endReason: "SECOND_FACTOR_RESET" });
    expect(await lastEvent(user.id)).toMatchObject({ kind: "SECOND_FACTOR_RESET_BY_ADMIN", detail: `by ${admin.loginId} (1 removed)` });
    expect((await signInWithPassword(user)).state.ok).toBe(true);

    const secretariatUser = await staff(["SECRETARIAT"]);
    await expect(resetStaffSecondFactor(admin, secretariatUser.id)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await refusal(resetStaffSecondFactor(admin, admin.userId))).toEqual({ _form: ["v.staff.self"] });
    const otherFacility = await createFacility();
    const stranger = (await createStaff({ facilityId: otherFacility.id })).user;
    await expect(resetStaffSecondFactor(admin, stranger.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
