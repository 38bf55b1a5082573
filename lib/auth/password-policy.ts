/**
 * Password rules of seed 004 (K-MIX R): 8 to 127 characters, letters (a-z, A-Z) and digits
 * required, symbols allowed. Returns the problems (dictionary keys `password.<problem>`), empty when fine.
 */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 127;

export type TPasswordProblem = "too-short" | "too-long" | "needs-letter" | "needs-digit" | "bad-character" | "same-as-login-id";

export function checkPasswordRules(password: string, loginId?: string): TPasswordProblem[] {
  const problems: TPasswordProblem[] = [];
  if (password.length < PASSWORD_MIN) problems.push("too-short");
  if (password.length > PASSWORD_MAX) problems.push("too-long");
  if (!/[A-Za-z]/.test(password)) problems.push("needs-letter");
  if (!/[0-9]/.test(password)) problems.push("needs-digit");
  // Printable ASCII only: what every terminal's keyboard can type in any input mode.
  if (!/^[\x21-\x7e]*$/.test(password)) problems.push("bad-character");
  if (loginId && password.toLowerCase() === loginId.toLowerCase()) problems.push("same-as-login-id");
  return problems;
}

/** Expiry: PASSWORD_MAX_AGE_MONTHS calendar months after the last change. */
export function passwordExpiresAt(changedAt: Date, months: number): Date {
  const d = new Date(changedAt);
  const day = d.getUTCDate();
  d.setUTCMonth(d.getUTCMonth() + months);
  // 31 Dec + 2 months must not roll into March
  if (d.getUTCDate() !== day) d.setUTCDate(0);
  return d;
}

/** Whole days left before `expiresAt` (0 when past). */
export function daysUntil(expiresAt: Date, now = new Date()): number {
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / 86_400_000));
}
