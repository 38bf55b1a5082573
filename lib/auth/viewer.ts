import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { env } from "@/lib/env";
import { touchSession } from "@/lib/auth/mutations";
import { loadSession, type TPendingSession, type TSessionState } from "@/lib/auth/queries";
import { readSessionId } from "@/lib/auth/session-cookie";
import { decodeTerminalHeader, TERMINAL_HEADER, type TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import { gateSession, SECOND_FACTOR_PATHS } from "@/lib/auth/gate";

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
  if (state.ok) await touchSession(state.viewer.sessionId, state.lastSeenAt);
  // Working through the second factor is activity too (the session idles out like any other).
  else if (state.reason === "SECOND_FACTOR") await touchSession(state.pending.sessionId, state.pending.lastSeenAt);
  return state;
});

/**
 * The signed-in viewer, or a redirect to the login page. A session whose second factor is still
 * to come is sent to verify (or enrol) it before anything else, API routes and server actions
 * included: they all start here. Until the password is changed (first sign-in, expiry, reset)
 * and a secret question is set, only the password pages are reachable.
 */
export async function requireViewer(opts: { passwordFlow?: boolean } = {}): Promise<TViewer> {
  const gate = gateSession(await getSessionState(), opts);
  if ("redirectTo" in gate) redirect(gate.redirectTo);
  return gate.viewer;
}

/**
 * The session on a second-factor page or action: past the password, at `step`. A complete session
 * goes home, one at the other step goes there, anything else to the login page.
 */
export async function requirePendingSession(step: TPendingSession["step"]): Promise<TPendingSession> {
  const state = await getSessionState();
  if (state.ok) redirect("/");
  if (state.reason !== "SECOND_FACTOR") redirect(`/login?reason=${state.reason.toLowerCase()}`);
  if (state.pending.step !== step) redirect(SECOND_FACTOR_PATHS[state.pending.step]);
  return state.pending;
}
