import "server-only";
import { isRedirectError } from "next/dist/client/components/redirect-error";
import type { z } from "zod";
import { AppError, fieldErrorsOf, type TActionResult } from "@/lib/errors";

/**
 * The one shape of a server action (design.md rule 5): parse with the domain's zod schema, call
 * the mutation, return `{ ok, data } | { ok: false, code, fieldErrors }`. Never a stack trace.
 */
export async function runAction<S extends z.ZodType, T>(
  schema: S,
  input: unknown,
  fn: (data: z.infer<S>) => Promise<T>,
): Promise<TActionResult<T>> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) return { ok: false, code: "VALIDATION", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    return { ok: true, data: await fn(parsed.data) };
  } catch (err) {
    if (isRedirectError(err)) throw err;
    if (err instanceof AppError) {
      return { ok: false, code: err.code, message: err.code === "VALIDATION" ? undefined : err.message, fieldErrors: err.fieldErrors };
    }
    console.error("[action] failed", err);
    return { ok: false, code: "INTERNAL", fieldErrors: {} };
  }
}

