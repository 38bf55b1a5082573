"use server";

import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { getSessionState, getTerminal, requirePendingSession, requireViewer } from "@/lib/auth/viewer";
import {
  confirmTotpEnrolment,
  passkeyRegistrationOptions,
  passkeySignInOptions,
  regenerateRecoveryCodes,
  registerPasskey,
  removePasskey,
  removeTotp,
  setSecondFactorPolicy,
  startTotpEnrolment,
  verifyPasskey,
  verifySecondFactorCode,
} from "@/lib/auth/second-factor/mutations";
import { getRelyingParty } from "@/lib/auth/second-factor/request";
import { ZFactorCode, ZPasskeyName, ZPasskeySignIn, ZRegisterPasskey, ZRemovePasskey, ZSecondFactorPolicy } from "@/lib/auth/second-factor/schema";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { fieldError } from "@/lib/errors";

const ZNothing = z.object({});
const withIp = async <T extends object>(who: T) => ({ ...who, ip: (await getTerminal())?.remoteAddress ?? null });

/** A session past the password, verifying its second factor. */
const verifyingActor = async () => withIp(await requirePendingSession("verify"));

/** Enrolment happens during sign-in (REQUIRED, nothing enrolled yet) or later on the profile page. */
async function enrollingActor() {
  const state = await getSessionState();
  if (!state.ok && state.reason === "SECOND_FACTOR") return withIp(await requirePendingSession("enrol"));
  return withIp(await requireViewer());
}

async function relyingParty() {
  const rp = await getRelyingParty();
  if (!rp) throw fieldError("_form", "sf.passkeyUnavailable");
  return rp;
}

export async function verifySecondFactorCodeAction(input: unknown) {
  const actor = await verifyingActor();
  return runAction(ZFactorCode, input, ({ code }) => verifySecondFactorCode(actor, code));
}

export async function passkeySignInOptionsAction() {
  const actor = await verifyingActor();
  return runAction(ZNothing, {}, async () => passkeySignInOptions(actor, await relyingParty()));
}

export async function passkeySignInAction(input: unknown) {
  const actor = await verifyingActor();
  return runAction(ZPasskeySignIn, input, async ({ response }) => verifyPasskey(actor, await relyingParty(), response as AuthenticationResponseJSON));
}

export async function startTotpEnrolmentAction() {
  const actor = await enrollingActor();
  return runAction(ZNothing, {}, () => startTotpEnrolment(actor));
}

export async function confirmTotpEnrolmentAction(input: unknown) {
  const actor = await enrollingActor();
  return runAction(ZFactorCode, input, ({ code }) => confirmTotpEnrolment(actor, code));
}

export async function passkeyRegistrationOptionsAction(input: unknown) {
  const actor = await enrollingActor();
  return runAction(ZPasskeyName, input, async () => passkeyRegistrationOptions(actor, await relyingParty()));
}

export async function registerPasskeyAction(input: unknown) {
  const actor = await enrollingActor();
  return runAction(ZRegisterPasskey, input, async ({ name, response }) =>
    registerPasskey(actor, await relyingParty(), { name, response: response as RegistrationResponseJSON }),
  );
}

export async function regenerateRecoveryCodesAction() {
  const viewer = await withIp(await requireViewer());
  return runAction(ZNothing, {}, () => regenerateRecoveryCodes(viewer));
}

export async function removeTotpAction(input: unknown) {
  const viewer = await withIp(await requireViewer());
  return runAction(ZFactorCode, input, ({ code }) => removeTotp(viewer, code));
}

export async function removePasskeyAction(input: unknown) {
  const viewer = await withIp(await requireViewer());
  return runAction(ZRemovePasskey, input, ({ id, code }) => removePasskey(viewer, id, code));
}

export async function setSecondFactorPolicyAction(input: unknown) {
  const viewer = await withIp(await requireViewer());
  return runAction(ZSecondFactorPolicy, input, (policy) => setSecondFactorPolicy(viewer, policy));
}
