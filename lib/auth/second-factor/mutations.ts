import "server-only";
import QRCode from "qrcode";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { Prisma } from "@/generated/prisma/client";
import type { SecondFactorMethod, SecondFactorRequirement, SecondFactorSubject, WebauthnCeremony } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { assertAllowed, isSecretariat } from "@/lib/access/roles";
import { hashSecret, verifySecret } from "@/lib/auth/hash";
import { countFailure, failureKind, lockUserRow, type TFailureOutcome } from "@/lib/auth/lockout";
import { recordSignInEvent } from "@/lib/auth/mutations";
import type { TViewer } from "@/lib/auth/viewer-type";
import { DEFAULT_REQUIREMENT, mayRemoveFactor, requirementFor, SECOND_FACTOR_SUBJECTS } from "@/lib/auth/second-factor/policy";
import { countFactors, readPolicy, requirementOfUser } from "@/lib/auth/second-factor/queries";
import { formatRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from "@/lib/auth/second-factor/recovery-codes";
import type { TRelyingParty } from "@/lib/auth/second-factor/relying-party";
import { openSecret, sealSecret } from "@/lib/auth/second-factor/secret-box";
import { acceptedTotpStep, groupedBase32, looksLikeTotpCode, newTotpSecret, TOTP_ISSUER, totpUri } from "@/lib/auth/second-factor/totp";
import { AppError, fieldError } from "@/lib/errors";

/**
 * Who is working on a second factor: a session past the password (verifying or enrolling) or a
 * complete one (the profile page). TViewer and TPendingSession both have these fields.
 */
export type TFactorActor = { userId: string; loginId: string; facilityId: string; sessionId: string; certSerial: string; ip?: string | null };

/** How long a WebAuthn challenge may be answered. */
const CHALLENGE_MINUTES = 5;
const RP_NAME = "ChiikiLink";

const eventBase = (a: TFactorActor) => ({ loginId: a.loginId, userId: a.userId, facilityId: a.facilityId, certSerial: a.certSerial, ip: a.ip ?? null });

function authSecret(): string {
  const secret = env().AUTH_SECRET;
  if (!secret) throw new Error("AUTH_SECRET is not set: server.ts prepares it before the app starts");
  return secret;
}

/* ------------------------------------------------------------------ checking a factor under the lock */

type TCheckOutcome = { ok: true; method: SecondFactorMethod; detail?: string } | { ok: false; detail: string };

/** A wrong code's message: counted, or the account is (now) locked. */
const refusal = (field: string, outcome: TFailureOutcome) => fieldError(field, outcome === "counted" ? "sf.wrongCode" : "signin.LOCKED");

/**
 * Second-factor failures since the user's last second-factor success (or lock, or reset). A right
 * password resets the shared failure count (signIn), so without this a holder of the password
 * could try threshold − 1 codes, sign in again and try as many more, for ever; putting the count
 * back to at least this number makes wrong codes lock the account however the password step went.
 */
async function restoreFactorFailures(tx: TTx, userId: string): Promise<void> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM sign_in_events
     WHERE user_id = ${userId}::uuid AND kind = 'SECOND_FACTOR_FAILURE'
       AND at > COALESCE((SELECT max(at) FROM sign_in_events
                           WHERE user_id = ${userId}::uuid
                             AND kind IN ('SECOND_FACTOR_SUCCESS', 'RECOVERY_CODE_USED', 'LOCKED', 'SECOND_FACTOR_RESET_BY_ADMIN', 'PASSWORD_RESET_BY_ADMIN')),
                         '-infinity'::timestamptz)`;
  const n = row?.n ?? 0;
  if (n > 0) await tx.$executeRaw`UPDATE staff_users SET failed_sign_in_count = GREATEST(failed_sign_in_count, ${n}) WHERE id = ${userId}::uuid AND locked_until IS NULL`;
}

async function endSessionForLock(tx: TTx, sessionId: string, now: Date) {
  await tx.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now, endReason: "LOCKED" } });
}

/**
 * One second-factor check, run the way every secret check is (lib/auth/lockout.ts): the user's row
 * taken first and a locked account refused without looking at the code; then the check; a failure
 * counted (locking at the threshold, which also ends this session) and recorded; a success
 * recorded and handed to `then` in the same transaction. The failure commits; its error is thrown
 * after. A success leaves any lock alone (the row lock means none can have been set meanwhile).
 */
async function checkFactor<T>(
  actor: TFactorActor,
  now: Date,
  a: {
    field: string;
    check: (tx: TTx) => Promise<TCheckOutcome>;
    /** refusals decided before the check (nothing counted), e.g. "REQUIRED leaves you with none" */
    before?: (tx: TTx) => Promise<void>;
    then: (tx: TTx, passed: Extract<TCheckOutcome, { ok: true }>) => Promise<T>;
  },
): Promise<T> {
  const result = await db().$transaction(async (tx): Promise<{ ok: true; value: T } | { ok: false; outcome: TFailureOutcome }> => {
    const { isLocked, lockedUntil } = await lockUserRow(tx, actor.userId, now);
    if (isLocked) {
      await recordSignInEvent({ ...eventBase(actor), kind: "LOCKED_ATTEMPT", detail: `second factor while locked until ${lockedUntil!.toISOString()}` }, tx);
      await endSessionForLock(tx, actor.sessionId, now);
      return { ok: false, outcome: "locked" };
    }
    await a.before?.(tx);
    const checked = await a.check(tx);
    if (!checked.ok) {
      await restoreFactorFailures(tx, actor.userId);
      const outcome = await countFailure(tx, actor.userId, now);
      await recordSignInEvent({ ...eventBase(actor), kind: failureKind(outcome, "SECOND_FACTOR_FAILURE"), detail: checked.detail }, tx);
      if (outcome !== "counted") await endSessionForLock(tx, actor.sessionId, now);
      return { ok: false, outcome };
    }
    await tx.staffUser.update({ where: { id: actor.userId }, data: { failedSignInCount: 0 }, select: { id: true } });
    await recordSignInEvent(
      { ...eventBase(actor), kind: checked.method === "RECOVERY_CODE" ? "RECOVERY_CODE_USED" : "SECOND_FACTOR_SUCCESS", detail: checked.detail ?? checked.method },
      tx,
    );
    return { ok: true, value: await a.then(tx, checked) };
  });
  if (!result.ok) throw refusal(a.field, result.outcome);
  return result.value;
}

/** An authenticator-app code: accepted once, for the current step or one either side. */
async function checkTotp(tx: TTx, userId: string, code: string, now: Date): Promise<TCheckOutcome> {
  const factor = await tx.totpFactor.findUnique({ where: { userId }, omit: { secretSealed: false } });
  if (!factor?.enabledAt) return { ok: false, detail: "no authenticator app enrolled" };
  const secret = openSecret(factor.secretSealed, userId, authSecret());
  // Not the user's fault (AUTH_SECRET was changed): refused without counting, and said so.
  if (!secret) throw fieldError("code", "sf.totpUnreadable");
  const step = acceptedTotpStep(secret, code, now, factor.lastStep);
  if (step === null) {
    const isReplay = acceptedTotpStep(secret, code, now, null) !== null;
    return { ok: false, detail: isReplay ? "authenticator code already used" : "wrong authenticator code" };
  }
  await tx.totpFactor.update({ where: { userId }, data: { lastStep: step }, select: { userId: true } });
  return { ok: true, method: "TOTP", detail: "authenticator app" };
}

/** A recovery code: each works once. Argon2id verifies against the unused ones (at most ten). */
async function checkRecoveryCode(tx: TTx, userId: string, code: string, now: Date): Promise<TCheckOutcome> {
  const normalized = normalizeRecoveryCode(code);
  if (!normalized) return { ok: false, detail: "not a recovery code" };
  const unused = await tx.recoveryCode.findMany({ where: { userId, usedAt: null }, select: { id: true, codeHash: true } });
  for (const c of unused) {
    if (await verifySecret(c.codeHash, normalized)) {
      const used = await tx.recoveryCode.updateMany({ where: { id: c.id, usedAt: null }, data: { usedAt: now } });
      if (used.count === 1) return { ok: true, method: "RECOVERY_CODE", detail: `recovery code (${unused.length - 1} left)` };
    }
  }
  return { ok: false, detail: "not an unused recovery code" };
}

/** A code as typed: six digits are an authenticator code, anything else is tried as a recovery code. */
const checkCode = (tx: TTx, userId: string, code: string, now: Date) =>
  looksLikeTotpCode(code) ? checkTotp(tx, userId, code, now) : checkRecoveryCode(tx, userId, code, now);

async function markSessionPassed(tx: TTx, sessionId: string, method: SecondFactorMethod, now: Date) {
  await tx.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { secondFactorAt: now, secondFactorMethod: method } });
}

/* ------------------------------------------------------------------ signing in */

/**
 * The second step of a sign-in with a code: an authenticator code, or a recovery code. On success
 * the session is complete; returns how many recovery codes are left when one was used.
 */
export async function verifySecondFactorCode(actor: TFactorActor, code: string, now = new Date()): Promise<{ recoveryCodesLeft: number | null }> {
  return checkFactor(actor, now, {
    field: "code",
    check: (tx) => checkCode(tx, actor.userId, code, now),
    then: async (tx, passed) => {
      await markSessionPassed(tx, actor.sessionId, passed.method, now);
      return { recoveryCodesLeft: passed.method === "RECOVERY_CODE" ? await tx.recoveryCode.count({ where: { userId: actor.userId, usedAt: null } }) : null };
    },
  });
}

/* ------------------------------------------------------------------ WebAuthn challenges */

async function issueChallenge(actor: TFactorActor, rp: TRelyingParty, ceremony: WebauthnCeremony, challenge: string, now: Date) {
  await db().$transaction([
    db().webauthnChallenge.deleteMany({ where: { sessionId: actor.sessionId, ceremony } }),
    db().webauthnChallenge.create({
      data: { sessionId: actor.sessionId, ceremony, challenge, rpId: rp.rpId, origin: rp.origin, expiresAt: new Date(now.getTime() + CHALLENGE_MINUTES * 60_000) },
      select: { id: true },
    }),
  ]);
}

/**
 * Takes this session's challenge for a ceremony out of the database (answered or not, it is gone),
 * in its own statement so no later refusal can put it back. Null when there is none in time, or it
 * was issued for another host than this request reached.
 */
async function takeChallenge(actor: TFactorActor, rp: TRelyingParty, ceremony: WebauthnCeremony, now: Date): Promise<{ challenge: string } | null> {
  const rows = await db().$queryRaw<{ challenge: string; rpId: string; origin: string; expiresAt: Date }[]>`
    DELETE FROM webauthn_challenges WHERE session_id = ${actor.sessionId}::uuid AND ceremony = ${ceremony}::"WebauthnCeremony"
    RETURNING challenge, rp_id AS "rpId", origin, expires_at AS "expiresAt"`;
  const c = rows.find((r) => r.expiresAt > now && r.rpId === rp.rpId && r.origin === rp.origin);
  return c ? { challenge: c.challenge } : null;
}

/* ------------------------------------------------------------------ passkeys: signing in */

/** Options for navigator.credentials.get(): the user's passkeys made for this host. */
export async function passkeySignInOptions(actor: TFactorActor, rp: TRelyingParty, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const credentials = await db().webauthnCredential.findMany({ where: { userId: actor.userId, rpId: rp.rpId }, select: { credentialId: true, transports: true } });
  if (credentials.length === 0) throw fieldError("_form", "sf.noPasskeyHere");
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    allowCredentials: credentials.map((c) => ({ id: c.credentialId, transports: c.transports })),
    // A second factor after the password: possession of the key is what is proved.
    userVerification: "preferred",
    timeout: CHALLENGE_MINUTES * 60_000,
  });
  await issueChallenge(actor, rp, "AUTHENTICATION", options.challenge, now);
  return options;
}

/** Checks a passkey's answer (its challenge, origin, host, signature and counter); a refusal counts like a wrong code. */
export async function verifyPasskey(actor: TFactorActor, rp: TRelyingParty, response: AuthenticationResponseJSON, now = new Date()): Promise<void> {
  const issued = await takeChallenge(actor, rp, "AUTHENTICATION", now);
  if (!issued) throw fieldError("_form", "sf.passkeyExpired");
  await checkFactor(actor, now, {
    field: "_form",
    check: async (tx) => {
      const cred = await tx.webauthnCredential.findUnique({ where: { credentialId: response.id } });
      if (!cred || cred.userId !== actor.userId || cred.rpId !== rp.rpId) return { ok: false, detail: "unknown passkey" };
      try {
        const v = await verifyAuthenticationResponse({
          response,
          expectedChallenge: issued.challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpId,
          credential: { id: cred.credentialId, publicKey: new Uint8Array(cred.publicKey), counter: Number(cred.counter), transports: cred.transports },
          requireUserVerification: false,
        });
        if (!v.verified) return { ok: false, detail: "passkey signature refused" };
        await tx.webauthnCredential.update({ where: { id: cred.id }, data: { counter: BigInt(v.authenticationInfo.newCounter), lastUsedAt: now }, select: { id: true } });
        return { ok: true, method: "WEBAUTHN", detail: `passkey "${cred.name}"` };
      } catch (err) {
        return { ok: false, detail: `passkey refused: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
    then: (tx) => markSessionPassed(tx, actor.sessionId, "WEBAUTHN", now),
  });
}

/* ------------------------------------------------------------------ enrolling */

async function assertMayEnrol(userId: string): Promise<void> {
  if ((await requirementOfUser(userId)) === "OFF") throw fieldError("_form", "sf.off");
}

/** Hashed before a transaction opens (Argon2id is slow on purpose): the codes in clear, to show once, and their hashes. */
async function prepareRecoveryCodes(): Promise<{ shown: string[]; hashes: string[] }> {
  const codes = newRecoveryCodes();
  return { shown: codes.map(formatRecoveryCode), hashes: await Promise.all(codes.map((c) => hashSecret(c))) };
}

async function replaceRecoveryCodes(tx: TTx, userId: string, hashes: string[]) {
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: hashes.map((codeHash) => ({ userId, codeHash })) });
}

/** A user's first factor comes with recovery codes; later ones keep the codes the user has. */
async function isFirstFactor(userId: string, tx: TTx = db()): Promise<boolean> {
  const f = await countFactors(userId, tx);
  return !f.totp && f.passkeys === 0;
}

export type TTotpEnrolment = { uri: string; secret: string; qrSvg: string; account: string; issuer: string };

/**
 * Starts adding an authenticator app: a new secret, kept sealed and not yet enabled, and what the
 * app needs (a QR code of the otpauth:// URI, drawn here, and the secret as text). Starting again
 * replaces a secret that was never confirmed.
 */
export async function startTotpEnrolment(actor: TFactorActor): Promise<TTotpEnrolment> {
  await assertMayEnrol(actor.userId);
  const secret = newTotpSecret();
  const secretSealed = sealSecret(secret, actor.userId, authSecret());
  await db().$transaction(async (tx) => {
    const existing = await tx.totpFactor.findUnique({ where: { userId: actor.userId }, select: { enabledAt: true } });
    if (existing?.enabledAt) throw fieldError("_form", "sf.totpAlreadyOn");
    await tx.totpFactor.upsert({
      where: { userId: actor.userId },
      create: { userId: actor.userId, secretSealed },
      update: { secretSealed, enabledAt: null, lastStep: null, createdAt: new Date() },
      select: { userId: true },
    });
  });
  const uri = totpUri(secret, actor.loginId);
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { uri, secret: groupedBase32(secret), qrSvg, account: actor.loginId, issuer: TOTP_ISSUER };
}

/**
 * Enables the authenticator app once the user typed a code from it. A wrong code here is not
 * counted: the secret is new and was just shown to this session. The session counts as passed
 * (the user has just proved the factor); with the user's first factor come recovery codes.
 */
export async function confirmTotpEnrolment(actor: TFactorActor, code: string, now = new Date()): Promise<{ recoveryCodes: string[] | null }> {
  const codes = (await isFirstFactor(actor.userId)) ? await prepareRecoveryCodes() : null;
  return db().$transaction(async (tx) => {
    if ((await lockUserRow(tx, actor.userId, now)).isLocked) throw fieldError("code", "signin.LOCKED");
    const factor = await tx.totpFactor.findUnique({ where: { userId: actor.userId }, omit: { secretSealed: false } });
    if (!factor || factor.enabledAt) throw fieldError("code", "sf.enrolmentNotStarted");
    const secret = openSecret(factor.secretSealed, actor.userId, authSecret());
    if (!secret) throw fieldError("code", "sf.enrolmentNotStarted");
    const step = acceptedTotpStep(secret, code, now, null);
    if (step === null) throw fieldError("code", "sf.wrongEnrolmentCode");
    const isFirst = await isFirstFactor(actor.userId, tx);
    await tx.totpFactor.update({ where: { userId: actor.userId }, data: { enabledAt: now, lastStep: step }, select: { userId: true } });
    if (isFirst && codes) await replaceRecoveryCodes(tx, actor.userId, codes.hashes);
    await recordSignInEvent({ ...eventBase(actor), kind: "SECOND_FACTOR_ENROLLED", detail: "authenticator app" }, tx);
    await markSessionPassed(tx, actor.sessionId, "TOTP", now);
    return { recoveryCodes: isFirst && codes ? codes.shown : null };
  });
}

/** Options for navigator.credentials.create(): this user, this host, none of the passkeys they already have. */
export async function passkeyRegistrationOptions(
  actor: TFactorActor & { name: string },
  rp: TRelyingParty,
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await assertMayEnrol(actor.userId);
  const existing = await db().webauthnCredential.findMany({ where: { userId: actor.userId, rpId: rp.rpId }, select: { credentialId: true, transports: true } });
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpId,
    userName: actor.loginId,
    userDisplayName: actor.name,
    // The user handle is the account's id (not its login ID, which is personal data).
    userID: new Uint8Array(Buffer.from(actor.userId.replaceAll("-", ""), "hex")),
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    timeout: CHALLENGE_MINUTES * 60_000,
  });
  await issueChallenge(actor, rp, "REGISTRATION", options.challenge, now);
  return options;
}

const isUniqueViolation = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";

/** Keeps a passkey the browser made for this session's challenge. The session counts as passed. */
export async function registerPasskey(
  actor: TFactorActor,
  rp: TRelyingParty,
  input: { name: string; response: RegistrationResponseJSON },
  now = new Date(),
): Promise<{ recoveryCodes: string[] | null }> {
  await assertMayEnrol(actor.userId);
  const issued = await takeChallenge(actor, rp, "REGISTRATION", now);
  if (!issued) throw fieldError("_form", "sf.passkeyExpired");
  let info;
  try {
    const v = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: issued.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpId,
      requireUserVerification: false,
    });
    if (!v.verified) throw new Error("not verified");
    info = v.registrationInfo;
  } catch {
    throw fieldError("_form", "sf.passkeyRefused");
  }
  const codes = (await isFirstFactor(actor.userId)) ? await prepareRecoveryCodes() : null;
  try {
    return await db().$transaction(async (tx) => {
      if ((await lockUserRow(tx, actor.userId, now)).isLocked) throw fieldError("_form", "signin.LOCKED");
      const isFirst = await isFirstFactor(actor.userId, tx);
      await tx.webauthnCredential.create({
        data: {
          userId: actor.userId,
          credentialId: info.credential.id,
          publicKey: new Uint8Array(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? [],
          rpId: rp.rpId,
          name: input.name,
        },
        select: { id: true },
      });
      if (isFirst && codes) await replaceRecoveryCodes(tx, actor.userId, codes.hashes);
      await recordSignInEvent({ ...eventBase(actor), kind: "SECOND_FACTOR_ENROLLED", detail: `passkey "${input.name}"` }, tx);
      await markSessionPassed(tx, actor.sessionId, "WEBAUTHN", now);
      return { recoveryCodes: isFirst && codes ? codes.shown : null };
    });
  } catch (e) {
    throw isUniqueViolation(e) ? fieldError("_form", "sf.passkeyExists") : e;
  }
}

/* ------------------------------------------------------------------ the profile page */

/** New recovery codes (the old ones stop working), shown once. Only for a user with a factor. */
export async function regenerateRecoveryCodes(viewer: TViewer): Promise<{ recoveryCodes: string[] }> {
  if (await isFirstFactor(viewer.userId)) throw fieldError("_form", "sf.noFactor");
  const codes = await prepareRecoveryCodes();
  await db().$transaction(async (tx) => {
    await replaceRecoveryCodes(tx, viewer.userId, codes.hashes);
    await recordSignInEvent({ ...eventBase(viewer), kind: "SECOND_FACTOR_ENROLLED", detail: "new recovery codes" }, tx);
  });
  return { recoveryCodes: codes.shown };
}

/** When the last factor goes, its recovery codes go with it. */
async function dropCodesIfNoFactorLeft(tx: TTx, userId: string) {
  if (await isFirstFactor(userId, tx)) await tx.recoveryCode.deleteMany({ where: { userId } });
}

async function assertMayRemove(tx: TTx, userId: string, factorsLeftAfter: number) {
  const user = await tx.staffUser.findUniqueOrThrow({ where: { id: userId }, select: { roles: true, hasEmsPrivilege: true } });
  const requirement = requirementFor(await readPolicy(tx), user);
  if (!mayRemoveFactor(requirement, factorsLeftAfter)) throw fieldError("_form", "sf.requiredKeepOne");
}

/**
 * Removes the authenticator app, confirmed with a current code from it (wrong codes count toward
 * the lock). Refused when the policy requires a factor and it is the user's last one.
 */
export async function removeTotp(viewer: TViewer & { ip?: string | null }, code: string, now = new Date()): Promise<void> {
  await checkFactor(viewer, now, {
    field: "code",
    before: async (tx) => {
      const f = await countFactors(viewer.userId, tx);
      if (!f.totp) throw fieldError("_form", "sf.noFactor");
      await assertMayRemove(tx, viewer.userId, f.passkeys);
    },
    check: (tx) => (looksLikeTotpCode(code) ? checkTotp(tx, viewer.userId, code, now) : Promise.resolve({ ok: false, detail: "removal not confirmed with an authenticator code" })),
    then: async (tx) => {
      await tx.totpFactor.delete({ where: { userId: viewer.userId }, select: { userId: true } });
      await dropCodesIfNoFactorLeft(tx, viewer.userId);
      await recordSignInEvent({ ...eventBase(viewer), kind: "SECOND_FACTOR_REMOVED", detail: "authenticator app" }, tx);
    },
  });
}

/**
 * Removes one passkey, confirmed with a current authenticator code or a recovery code (a user with
 * passkeys only has recovery codes). Refused when the policy requires a factor and it is the last.
 */
export async function removePasskey(viewer: TViewer & { ip?: string | null }, passkeyId: string, code: string, now = new Date()): Promise<void> {
  let name = "";
  await checkFactor(viewer, now, {
    field: "code",
    before: async (tx) => {
      const cred = await tx.webauthnCredential.findFirst({ where: { id: passkeyId, userId: viewer.userId }, select: { name: true } });
      if (!cred) throw new AppError("NOT_FOUND", "passkey");
      name = cred.name;
      const f = await countFactors(viewer.userId, tx);
      await assertMayRemove(tx, viewer.userId, (f.totp ? 1 : 0) + f.passkeys - 1);
    },
    check: (tx) => checkCode(tx, viewer.userId, code, now),
    then: async (tx) => {
      await tx.webauthnCredential.delete({ where: { id: passkeyId }, select: { id: true } });
      await dropCodesIfNoFactorLeft(tx, viewer.userId);
      await recordSignInEvent({ ...eventBase(viewer), kind: "SECOND_FACTOR_REMOVED", detail: `passkey "${name}"` }, tx);
    },
  });
}

/* ------------------------------------------------------------------ administration */

/**
 * Removes every factor of a user (a lost phone, a lost key) and ends their sessions, so the next
 * sign-in starts over (under REQUIRED: with enrolment). Staff administration decides who may
 * (lib/staff/mutations.ts) and records who did it; this runs inside its transaction.
 */
export async function removeAllSecondFactors(tx: TTx, userId: string, now = new Date()): Promise<{ removed: number }> {
  const totp = await tx.totpFactor.deleteMany({ where: { userId } });
  const passkeys = await tx.webauthnCredential.deleteMany({ where: { userId } });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.userSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now, endReason: "SECOND_FACTOR_RESET" } });
  return { removed: totp.count + passkeys.count };
}

export type TPolicyInput = Partial<Record<SecondFactorSubject, SecondFactorRequirement>>;

/** The secretariat sets lines of the network's policy; each change is recorded as a sign-in event of the person who made it. */
export async function setSecondFactorPolicy(viewer: TViewer & { ip?: string | null }, input: TPolicyInput): Promise<{ changed: number }> {
  assertAllowed(isSecretariat(viewer), "second-factor policy");
  return db().$transaction(async (tx) => {
    const current = await readPolicy(tx);
    let changed = 0;
    for (const subject of SECOND_FACTOR_SUBJECTS) {
      const requirement = input[subject];
      if (!requirement) continue;
      const before = current[subject];
      // A line without a row already is the default: saving the form as shown changes nothing.
      if ((before ?? DEFAULT_REQUIREMENT) === requirement) continue;
      await tx.secondFactorPolicy.upsert({
        where: { subject },
        create: { subject, requirement, updatedById: viewer.userId },
        update: { requirement, updatedById: viewer.userId },
        select: { subject: true },
      });
      await recordSignInEvent({ ...eventBase(viewer), kind: "SECOND_FACTOR_POLICY_CHANGED", detail: `${subject}: ${before ?? "OPTIONAL (default)"} → ${requirement}` }, tx);
      changed++;
    }
    return { changed };
  });
}
