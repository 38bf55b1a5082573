import { getSessionState } from "@/lib/auth/viewer";

/** Activity heartbeat from the idle timer: reading the session state touches it. */
export async function POST() {
  const state = await getSessionState();
  return Response.json({ ok: state.ok }, { status: state.ok ? 200 : 401, headers: { "cache-control": "no-store" } });
}
