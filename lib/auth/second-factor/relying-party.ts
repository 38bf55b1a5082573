import net from "node:net";

/**
 * The WebAuthn relying party of a request: its ID is the host name the user reached, its origin
 * https://<host[:port]>. Only the server's own names count (PUBLIC_HOSTNAMES and NEXTAUTH_URL's
 * host): the Host header is the client's word, and a passkey must never be asked for, or
 * accepted, under a name the server does not answer to. IP addresses cannot be relying party IDs
 * (WebAuthn wants a domain), so passkeys are not offered on them.
 */
export type TRelyingParty = { rpId: string; origin: string };

export function relyingPartyOf(hostHeader: string | null | undefined, serverNames: readonly string[]): TRelyingParty | null {
  if (!hostHeader) return null;
  let url: URL;
  try {
    url = new URL(`https://${hostHeader}`);
  } catch {
    return null;
  }
  // "host" or "host:port" only: no credentials, path, query or fragment smuggled in.
  if (url.username || url.password || url.pathname !== "/" || url.search || url.hash || url.host !== hostHeader.toLowerCase()) return null;
  const rpId = url.hostname;
  if (net.isIP(rpId) || rpId.startsWith("[")) return null;
  if (!serverNames.map((n) => n.trim().toLowerCase()).includes(rpId)) return null;
  return { rpId, origin: url.origin };
}

/** The names the server answers to, from its settings. */
export function serverNamesOf(e: { PUBLIC_HOSTNAMES: string; NEXTAUTH_URL?: string }): string[] {
  const names = e.PUBLIC_HOSTNAMES.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (e.NEXTAUTH_URL) names.push(new URL(e.NEXTAUTH_URL).hostname.toLowerCase());
  return [...new Set(names)];
}
