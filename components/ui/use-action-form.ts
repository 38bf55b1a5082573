"use client";

import { useState } from "react";
import type { TActionResult } from "@/lib/errors";

type TResult<T> = TActionResult<T>;

/** Submits a form's fields to a server action and keeps the result for the field messages. */
export function useActionForm<T>(action: (input: Record<string, unknown>) => Promise<TResult<T>>, onSuccess?: (data: T) => void) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TResult<T> | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input: Record<string, unknown> = {};
    for (const [key, value] of form.entries()) {
      if (typeof value !== "string") continue;
      const prev = input[key];
      input[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
    setPending(true);
    try {
      const r = await action(input);
      setResult(r);
      if (r.ok) onSuccess?.(r.data);
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
    } finally {
      setPending(false);
    }
  }

  const fieldErrors = result && !result.ok ? result.fieldErrors : {};
  return { pending, result, fieldErrors, onSubmit, setResult };
}
