import { NextResponse, type NextRequest } from "next/server";
import { env } from "@/lib/env";
import { readSessionId } from "@/lib/auth/session-cookie";
import { decodeTerminalHeader, TERMINAL_HEADER } from "@/lib/auth/terminal";

/**
 * Coarse gate only (design.md): no verified terminal → refuse; no session cookie → login page.
 * Everything finer (idle time, retirement, password state, permissions) is decided in the data
 * layer by requireViewer(), which reads the database.
 */
// /api/ingest is the facilities' data feed: certificate-authenticated, no personal session.
const PUBLIC_PATHS = ["/login", "/password/forgot", "/api/auth", "/api/ingest"];

export async function proxy(req: NextRequest) {
  const secret = env().AUTH_SECRET ?? "";
  if (!decodeTerminalHeader(req.headers.get(TERMINAL_HEADER), secret)) {
    return new NextResponse("端末証明書が確認できません / terminal certificate required", { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  const { pathname, search } = req.nextUrl;
  if (PUBLIC_PATHS.some((p) => pathname === p || pathname.startsWith(`${p}/`))) return NextResponse.next();
  const sid = await readSessionId((n) => req.cookies.get(n)?.value, secret);
  if (!sid) {
    if (pathname.startsWith("/api/")) return NextResponse.json({ error: "UNAUTHENTICATED" }, { status: 401 });
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = pathname === "/" ? "" : `?callbackUrl=${encodeURIComponent(pathname + search)}`;
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
