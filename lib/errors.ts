import type { z } from "zod";

/** Domain errors. Actions turn them into form results; route handlers into HTTP statuses. */
export type TErrorCode = "VALIDATION" | "NOT_FOUND" | "FORBIDDEN" | "CONFLICT" | "UNAUTHENTICATED";

export class AppError extends Error {
  constructor(
    readonly code: TErrorCode,
    message?: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message ?? code);
    this.name = "AppError";
  }

  get status(): number {
    return { VALIDATION: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 }[this.code];
  }
}

export const notFound = (what = "not found") => new AppError("NOT_FOUND", what);

/**
 * A message for one form field; with `vars`, the message carries them ("key|{json}"), and the
 * form fills them into the dictionary text (e.g. which file was refused, and why).
 */
export function fieldError(field: string, key: string, vars?: Record<string, string | number>): AppError {
  const message = vars ? `${key}|${JSON.stringify(vars)}` : key;
  return new AppError("VALIDATION", key, { [field]: [message] });
}

/** Splits a field message into its dictionary key and variables (see fieldError). */
export function messageParts(message: string): { key: string; vars?: Record<string, string | number> } {
  const bar = message.indexOf("|{");
  if (bar < 0) return { key: message };
  try {
    return { key: message.slice(0, bar), vars: JSON.parse(message.slice(bar + 1)) as Record<string, string | number> };
  } catch {
    return { key: message };
  }
}

export type TActionResult<T = undefined> =
  | { ok: true; data: T }
  | { ok: false; code: TErrorCode | "INTERNAL"; message?: string; fieldErrors: Record<string, string[]> };

/** Turns a zod error into the `{ field: [messageKey] }` shape forms show next to each field. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
