import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/lib/env";
import { touchSession } from "@/lib/auth/mutations";
import { loadSession, type TSessionState } from "@/lib/auth/queries";
import { readSessionId } from "@/lib/auth/session-cookie";
import { decodeTerminalHeader, TERMINAL_HEADER, type TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";

/** The terminal server.ts verified for this request (null only if server.ts is bypassed). */
export const getTerminal = cache(async (): Promise<TTerminal | null> => {
  return decodeTerminalHeader((await headers()).get(TERMINAL_HEADER), env().AUTH_SECRET ?? "");
});

/** Who is asking, once per request. */
export const getSessionState = cache(async (): Promise<TSessionState | { ok: false; reason: "NO_TERMINAL" }> => {
  const terminal = await getTerminal();
  if (!terminal) return { ok: false, reason: "NO_TERMINAL" };
  const jar = await cookies();
  const sid = await readSessionId((n) => jar.get(n)?.value, env().AUTH_SECRET ?? "");
  const state = await loadSession(sid ?? undefined, terminal);
  if (state.ok) await touchSession(state.viewer.sessionId);
  return state;
});

/**
 * The signed-in viewer, or a redirect to the login page. Until the password is changed (first
 * sign-in, expiry, reset) and a secret question is set, only the password pages are reachable.
 */
export async function requireViewer(opts: { passwordFlow?: boolean } = {}): Promise<TViewer> {
  const state = await getSessionState();
  if (!state.ok) redirect(`/login?reason=${state.reason.toLowerCase()}`);
  if (!opts.passwordFlow) {
    if (state.mustChangePassword) redirect("/password/change");
    if (state.needsSecretQuestion) redirect("/password/secret-question");
  }
  return state.viewer;
}
