import { decode } from "next-auth/jwt";

/** next-auth 4's cookie names: the __Secure- one is used when NEXTAUTH_URL is https. */
const NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/**
 * Cookies already decoded, by secret and cookie value: the session id inside and when the token
 * expires. A cookie is sent with every request (the proxy and the page each read it), and
 * decrypting it derives its key anew each time (HKDF, then AES-GCM): about a millisecond for an
 * answer the bytes alone decide. Whether the session is still valid is the database's question
 * (lib/auth/queries.ts loadSession), asked on every request all the same. Bounded: emptied when full.
 */
const decoded = new Map<string, { sid: string | null; exp: number }>();
const DECODED_MAX = 10_000;

async function sessionIdOf(raw: string, secret: string): Promise<string | null> {
  const key = `${secret.length}:${secret}:${raw}`;
  const hit = decoded.get(key);
  if (hit && hit.exp > Date.now()) return hit.sid;
  const token = await decode({ token: raw, secret });
  const sid = typeof token?.sid === "string" ? token.sid : null;
  // next-auth refuses an expired token itself; without `exp` the answer is kept for a minute
  const exp = typeof token?.exp === "number" ? token.exp * 1000 : Date.now() + 60_000;
  if (decoded.size >= DECODED_MAX) decoded.clear();
  decoded.set(key, { sid, exp });
  return sid;
}

/** Reads the database session id from next-auth's JWT cookie (null when absent or not ours). */
export async function readSessionId(getCookie: (name: string) => string | undefined, secret: string): Promise<string | null> {
  for (const name of NAMES) {
    const raw = getCookie(name);
    if (!raw) continue;
    try {
      const sid = await sessionIdOf(raw, secret);
      if (sid) return sid;
    } catch {
      return null;
    }
  }
  return null;
}
