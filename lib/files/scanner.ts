import "server-only";
import net from "node:net";
import { env } from "@/lib/env";

/**
 * Virus scanning of uploads with a ClamAV daemon (clamd), spoken to directly in its INSTREAM
 * protocol. See docs/decisions/0012-file-store-uploads.md.
 */

export type TScanResult = { state: "CLEAN"; engine: string } | { state: "NOT_SCANNED" } | { state: "INFECTED"; signature: string };

export type TClamdAddress = { path: string } | { host: string; port: number };

const CLAMD_PORT = 3310;
// clamd reads a stream in chunks of any size; 64 KiB keeps each write small.
const CHUNK = 64 * 1024;

/** CLAMAV_ADDRESS: host:port, [v6]:port, tcp://host:port, a socket path or unix:/path. */
export function parseClamdAddress(address: string): TClamdAddress {
  const a = address.trim();
  if (a.startsWith("unix:")) return { path: a.slice("unix:".length).replace(/^\/\/(?=\/)/, "") };
  if (a.startsWith("/")) return { path: a };
  const hostPort = a.replace(/^tcp:\/\//, "").replace(/\/$/, "");
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort) ?? /^([^:[\]]+)(?::(\d+))?$/.exec(hostPort);
  const port = m?.[2] === undefined ? CLAMD_PORT : Number(m[2]);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`CLAMAV_ADDRESS: expected host:port or a unix socket path, got "${address}"`);
  }
  return { host: m[1], port };
}

/**
 * Scans with the configured clamd. Not configured: NOT_SCANNED. Configured but unreachable,
 * slow past the timeout or answering with an error: throws, so the upload is refused rather than
 * stored unscanned.
 */
export async function scanBytes(bytes: Uint8Array, options: { timeoutMs?: number } = {}): Promise<TScanResult> {
  const configured = env().CLAMAV_ADDRESS?.trim();
  if (!configured) return { state: "NOT_SCANNED" };
  const address = parseClamdAddress(configured);
  const timeoutMs = options.timeoutMs ?? 60_000;

  // The engine and signature database version, kept with the upload as evidence of the scan.
  const engine = await exchange(address, timeoutMs, (socket) => socket.write("zVERSION\0"));
  if (!engine || /ERROR$/.test(engine)) throw new Error(`clamd at ${describe(address)}: VERSION answered "${engine}"`);

  const reply = await exchange(address, timeoutMs, (socket) => {
    socket.write("zINSTREAM\0");
    for (let at = 0; at < bytes.length; at += CHUNK) {
      const chunk = bytes.subarray(at, Math.min(at + CHUNK, bytes.length));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(chunk.length);
      socket.write(length);
      socket.write(chunk);
    }
    socket.write(Buffer.alloc(4)); // a zero length ends the stream
  });
  if (reply === "stream: OK") return { state: "CLEAN", engine };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  if (found?.[1]) return { state: "INFECTED", signature: found[1] };
  // e.g. "INSTREAM size limit exceeded. ERROR" (clamd's StreamMaxLength is below UPLOAD_MAX_MB)
  throw new Error(`clamd at ${describe(address)}: "${reply}"`);
}

const describe = (address: TClamdAddress) => ("path" in address ? address.path : `${address.host}:${address.port}`);

/** One command on its own connection; the answer of a z-command ends with a NUL byte. */
function exchange(address: TClamdAddress, timeoutMs: number, send: (socket: net.Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = "path" in address ? net.createConnection({ path: address.path }) : net.createConnection({ host: address.host, port: address.port });
    const chunks: Buffer[] = [];
    let failure: Error | undefined;
    let settled = false;
    const answer = () => Buffer.concat(chunks).toString("utf8").replace(/\0+$/, "").trim();
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer());
    };
    const timer = setTimeout(() => finish(new Error(`clamd at ${describe(address)}: no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => send(socket));
    socket.on("data", (data: Buffer) => {
      chunks.push(data);
      if (data.includes(0)) finish();
    });
    // clamd may answer (e.g. a size limit) and close while we are still writing: the answer wins.
    socket.on("error", (error) => {
      failure = error;
    });
    socket.on("close", () => {
      if (answer()) finish();
      else finish(new Error(`clamd at ${describe(address)}: ${failure?.message ?? "closed without an answer"}`));
    });
  });
}
