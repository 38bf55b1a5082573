import { z } from "zod";
import { SECOND_FACTOR_REQUIREMENTS } from "@/lib/auth/second-factor/policy";

/** Form messages are dictionary keys (lib/i18n). */
export const ZFactorCode = z.object({
  code: z.string().trim().min(1, { message: "v.sf.code.required" }).max(40, { message: "v.tooLong" }),
});
export type TFactorCode = z.infer<typeof ZFactorCode>;

export const ZPasskeyName = z.object({
  name: z.string().trim().min(1, { message: "v.sf.passkeyName.required" }).max(100, { message: "v.tooLong" }),
});

export const ZRemovePasskey = ZFactorCode.extend({ id: z.uuid({ message: "common.notFound" }) });

/**
 * What the browser's WebAuthn call returned (@simplewebauthn/browser), checked for shape and size
 * only: @simplewebauthn/server verifies every byte of it.
 */
const b64url = z.string().max(20_000).regex(/^[A-Za-z0-9_-]*$/);
const credentialBase = {
  id: b64url.min(1),
  rawId: b64url.min(1),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
};
export const ZRegistrationResponse = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url,
    attestationObject: b64url,
    authenticatorData: b64url.optional(),
    transports: z.array(z.string().max(32)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url.optional(),
  }),
});
export const ZAuthenticationResponse = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url,
    authenticatorData: b64url,
    signature: b64url,
    userHandle: b64url.optional(),
  }),
});

export const ZRegisterPasskey = ZPasskeyName.extend({ response: ZRegistrationResponse });
export const ZPasskeySignIn = z.object({ response: ZAuthenticationResponse });

const requirement = z.enum(SECOND_FACTOR_REQUIREMENTS, { message: "v.sf.requirement" });
/** The policy form: one choice per line. */
export const ZSecondFactorPolicy = z.object({
  CLINICIAN: requirement,
  LIAISON: requirement,
  FACILITY_ADMIN: requirement,
  SECRETARIAT: requirement,
  EMS_PRIVILEGED: requirement,
});
