import crypto from "node:crypto";

/**
 * Recovery codes: ten one-time codes shown once at enrolment (or when the user asks for new
 * ones), stored as Argon2id hashes. Each is 10 characters of Crockford's Base32 (50 bits), shown
 * as "xxxxx-xxxxx"; typing reads O as 0 and I, L as 1, ignores case, spaces, hyphens and width.
 */
export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 10;
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => Array.from({ length: LENGTH }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join(""));
}

/** The form shown to the user. */
export const formatRecoveryCode = (code: string): string => `${code.slice(0, 5)}-${code.slice(5)}`;

/** The stored form of what the user typed, or null when it cannot be a recovery code. */
export function normalizeRecoveryCode(input: string): string | null {
  const code = input
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s-]/g, "")
    .replace(/o/g, "0")
    .replace(/[il]/g, "1");
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}
