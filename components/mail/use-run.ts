"use client";

import { useState } from "react";
import type { TActionResult } from "@/lib/errors";

/** Runs one server action at a time for a button or a small form, keeping the result for its messages. */
export function useRun() {
  const [pending, setPending] = useState<string | null>(null);
  const [result, setResult] = useState<TActionResult<unknown> | null>(null);
  async function run<T>(what: string, call: () => Promise<TActionResult<T>>): Promise<TActionResult<T>> {
    setPending(what);
    try {
      const r = await call();
      setResult(r);
      return r;
    } catch {
      const failed = { ok: false as const, code: "INTERNAL" as const, fieldErrors: {} };
      setResult(failed);
      return failed;
    } finally {
      setPending(null);
    }
  }
  const fieldErrors = result && !result.ok ? result.fieldErrors : {};
  return { pending, result, fieldErrors, run, setResult };
}
