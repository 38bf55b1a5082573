import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";

/**
 * The file store: bytes outside the web root and outside the database, which keeps metadata and
 * the SHA-256 (stored_files). A local folder today; S3-compatible storage can sit behind the same
 * three functions.
 */

export type TStoredBytes = { storageKey: string; sha256: string; size: number };

const fullPath = (storageKey: string) => {
  if (!/^[0-9]{4}\/[0-9]{2}\/[0-9a-f-]{36}$/.test(storageKey)) throw new Error(`bad storage key: ${storageKey}`);
  return path.join(env().fileStoreDir, storageKey);
};

export async function putBytes(bytes: Uint8Array, now: Date = new Date()): Promise<TStoredBytes> {
  const storageKey = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, "0")}/${crypto.randomUUID()}`;
  const file = fullPath(storageKey);
  await fs.mkdir(path.dirname(file), { recursive: true });
  // Written under a temporary name and renamed, so a reader never sees half a file.
  await fs.writeFile(`${file}.part`, bytes, { mode: 0o600 });
  await fs.rename(`${file}.part`, file);
  return { storageKey, sha256: crypto.createHash("sha256").update(bytes).digest("hex"), size: bytes.byteLength };
}

/** The bytes, checked against the SHA-256 recorded when they were stored. */
export async function readBytes(storageKey: string, sha256: string): Promise<Buffer> {
  const bytes = await fs.readFile(fullPath(storageKey));
  if (crypto.createHash("sha256").update(bytes).digest("hex") !== sha256) {
    throw new Error(`file store: ${storageKey} does not match its recorded SHA-256`);
  }
  return bytes;
}

/** Removes bytes whose database row was never committed. */
export async function deleteBytes(storageKey: string): Promise<void> {
  await fs.rm(fullPath(storageKey), { force: true });
}

export type TFileKind = { contentType: string; extension: string };

/** The type told by the content itself (never by the name or the browser's claim). */
export function sniffFileType(bytes: Uint8Array): TFileKind | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return { contentType: "application/pdf", extension: "pdf" };
  if (starts(0xff, 0xd8, 0xff)) return { contentType: "image/jpeg", extension: "jpg" };
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return { contentType: "image/png", extension: "png" };
  return null;
}
