import type { TSessionState } from "@/lib/auth/queries";
import type { TViewer } from "@/lib/auth/viewer-type";

/** Where a session still to pass its second factor goes (before any other page). */
export const SECOND_FACTOR_PATHS = { verify: "/login/second-factor", enrol: "/login/second-factor/enrol" } as const;

/**
 * What a request's session state lets through: its viewer, or the page it must see first. The
 * only way from a session to a TViewer (requireViewer applies it), so a session whose second
 * factor is still to come, which loadSession gives no viewer at all, can reach no data.
 */
export function gateSession(
  state: TSessionState | { ok: false; reason: "NO_TERMINAL" },
  opts: { passwordFlow?: boolean } = {},
): { viewer: TViewer } | { redirectTo: string } {
  if (!state.ok) {
    if (state.reason === "SECOND_FACTOR") return { redirectTo: SECOND_FACTOR_PATHS[state.pending.step] };
    return { redirectTo: `/login?reason=${state.reason.toLowerCase()}` };
  }
  if (!opts.passwordFlow) {
    if (state.mustChangePassword) return { redirectTo: "/password/change" };
    if (state.needsSecretQuestion) return { redirectTo: "/password/secret-question" };
  }
  return { viewer: state.viewer };
}
