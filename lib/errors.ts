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
