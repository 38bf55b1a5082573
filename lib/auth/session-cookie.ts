import { decode } from "next-auth/jwt";

/** next-auth 4's cookie names: the __Secure- one is used when NEXTAUTH_URL is https. */
const NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

/** Reads the database session id from next-auth's JWT cookie (null when absent or not ours). */
export async function readSessionId(getCookie: (name: string) => string | undefined, secret: string): Promise<string | null> {
  for (const name of NAMES) {
    const raw = getCookie(name);
    if (!raw) continue;
    try {
      const token = await decode({ token: raw, secret });
      if (typeof token?.sid === "string") return token.sid;
    } catch {
      return null;
    }
  }
  return null;
}
