import crypto from "node:crypto";

/**
 * The verified terminal identity travels from server.ts to the app in one header, which
 * server.ts deletes from every incoming request before setting it. It is also signed with
 * AUTH_SECRET, so a Next process reached without server.ts in front cannot be fooled by it.
 */
export const TERMINAL_HEADER = "x-chiikilink-terminal";

export type TTerminal = {
  serial: string;
  facilityId: string;
  facilityCode: string;
  facilityName: string;
  terminalId: string;
  terminalName: string;
  /** the client's address as server.ts saw it (or the trusted proxy reported it) */
  remoteAddress?: string;
  /** this request's id (also in the x-request-id response header), for the access log */
  requestId?: string;
};

const mac = (payload: string, secret: string) => crypto.createHmac("sha256", secret).update(payload).digest("base64url");

export function encodeTerminalHeader(t: TTerminal, secret: string): string {
  const payload = Buffer.from(JSON.stringify(t), "utf8").toString("base64url");
  return `${payload}.${mac(payload, secret)}`;
}

export function decodeTerminalHeader(value: string | null | undefined, secret: string): TTerminal | null {
  if (!value) return null;
  const [payload, sig] = value.split(".");
  if (!payload || !sig) return null;
  const expected = Buffer.from(mac(payload, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as TTerminal;
  } catch {
    return null;
  }
}
