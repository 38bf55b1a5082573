import crypto from "node:crypto";
import { Secret, TOTP } from "otpauth";

/**
 * Authenticator apps (TOTP, RFC 6238) through the otpauth library: SHA-1, 6 digits, 30-second
 * steps, the parameters every app understands (Google Authenticator ignores any others). A code
 * is accepted for the current step or one step either side (clocks drift), and once only: the
 * caller keeps the last accepted step and a code for it or an earlier step is refused.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
/** RFC 4226 asks for at least 128 bits and recommends 160. */
const SECRET_BYTES = 20;
export const TOTP_ISSUER = "ChiikiLink";

const toSecret = (bytes: Uint8Array) => new Secret({ buffer: Uint8Array.from(bytes).buffer });

export const newTotpSecret = (): Uint8Array => new Uint8Array(crypto.randomBytes(SECRET_BYTES));

/** The secret as the apps show and accept it for manual entry (Base32, RFC 4648, no padding). */
export const base32Of = (secret: Uint8Array): string => toSecret(secret).base32;

export const secretFromBase32 = (base32: string): Uint8Array => new Uint8Array(Secret.fromBase32(base32.replace(/[\s-]/g, "").toUpperCase()).buffer);

/** Spaced in groups of four for reading aloud or typing: "ABCD EFGH …". */
export const groupedBase32 = (secret: Uint8Array): string => base32Of(secret).replace(/(.{4})(?=.)/g, "$1 ");

/** The otpauth:// URI the QR code carries (Key URI Format): issuer ChiikiLink, the login ID as the account. */
export function totpUri(secret: Uint8Array, account: string, issuer = TOTP_ISSUER): string {
  return new TOTP({ issuer, label: account, secret: toSecret(secret), algorithm: "SHA1", digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS }).toString();
}

/** The time step of an instant (the number of 30-second periods since 1970). */
export const totpStepAt = (at: Date | number): number => TOTP.counter({ period: TOTP_PERIOD_SECONDS, timestamp: typeof at === "number" ? at : at.getTime() });

/** The code for a time step (what the app shows during that step). */
export const totpCodeFor = (secret: Uint8Array, step: number): string =>
  TOTP.generate({ secret: toSecret(secret), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, timestamp: step * TOTP_PERIOD_SECONDS * 1000 });

/** Digits as typed on any keyboard: full-width digits (IME on) and spaces are fine. */
export const normalizeTotpCode = (input: string): string => input.normalize("NFKC").replace(/[\s-]/g, "");

export const looksLikeTotpCode = (input: string): boolean => new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(normalizeTotpCode(input));

/**
 * The step a code is accepted for at `now`, or null: a wrong code, one outside the window, or one
 * for a step at or before `lastStep` (already used, or older than a code already used).
 */
export function acceptedTotpStep(secret: Uint8Array, code: string, now: Date, lastStep: number | null): number | null {
  const token = normalizeTotpCode(code);
  if (!looksLikeTotpCode(token)) return null;
  const delta = TOTP.validate({ token, secret: toSecret(secret), digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return null;
  const step = totpStepAt(now) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}
