import "server-only";
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { env, type TEnv } from "@/lib/env";
import { scanBytes, type TScanResult } from "@/lib/files/scanner";
import { createS3Backend } from "@/lib/files/s3";
import { checkUploadSize, detectUploadType, type TUploadRefusal, type TUploadType } from "@/lib/files/upload-type";

/**
 * The file store: bytes outside the web root and outside the database, which keeps metadata and
 * the SHA-256 (stored_files). A local folder by default; S3-compatible storage when
 * FILE_STORE_S3_BUCKET is set. See docs/decisions/0012-file-store-uploads.md.
 */

export type TStoredBytes = { storageKey: string; sha256: string; size: number };

/** Where the bytes go. Keys are checked before a backend sees them. */
export type TFileBackend = {
  put(storageKey: string, bytes: Uint8Array, sha256: string): Promise<void>;
  get(storageKey: string): Promise<Buffer>;
  delete(storageKey: string): Promise<void>;
};

const STORAGE_KEY = /^[0-9]{4}\/[0-9]{2}\/[0-9a-f-]{36}$/;

const checkedKey = (storageKey: string) => {
  if (!STORAGE_KEY.test(storageKey)) throw new Error(`bad storage key: ${storageKey}`);
  return storageKey;
};

function createLocalBackend(dir: string): TFileBackend {
  const fullPath = (storageKey: string) => path.join(dir, storageKey);
  return {
    async put(storageKey, bytes) {
      const file = fullPath(storageKey);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written under a temporary name and renamed, so a reader never sees half a file.
      await fs.writeFile(`${file}.part`, bytes, { mode: 0o600 });
      await fs.rename(`${file}.part`, file);
    },
    get: (storageKey) => fs.readFile(fullPath(storageKey)),
    delete: (storageKey) => fs.rm(fullPath(storageKey), { force: true }),
  };
}

function createBackend(settings: TEnv): TFileBackend {
  if (!settings.FILE_STORE_S3_BUCKET) return createLocalBackend(settings.fileStoreDir);
  if (!settings.FILE_STORE_S3_ACCESS_KEY_ID || !settings.FILE_STORE_S3_SECRET_ACCESS_KEY) {
    throw new Error("FILE_STORE_S3_BUCKET is set: FILE_STORE_S3_ACCESS_KEY_ID and FILE_STORE_S3_SECRET_ACCESS_KEY are needed too");
  }
  return createS3Backend({
    bucket: settings.FILE_STORE_S3_BUCKET,
    endpoint: settings.FILE_STORE_S3_ENDPOINT,
    region: settings.FILE_STORE_S3_REGION,
    accessKeyId: settings.FILE_STORE_S3_ACCESS_KEY_ID,
    secretAccessKey: settings.FILE_STORE_S3_SECRET_ACCESS_KEY,
  });
}

// One backend per settings object: resetEnvCache() (tests, server start) gives a fresh one.
let current: { settings: TEnv; backend: TFileBackend } | undefined;

function backend(): TFileBackend {
  const settings = env();
  if (current?.settings !== settings) current = { settings, backend: createBackend(settings) };
  return current.backend;
}

const sha256Of = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");

export async function putBytes(bytes: Uint8Array, now: Date = new Date()): Promise<TStoredBytes> {
  const storageKey = checkedKey(`${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, "0")}/${crypto.randomUUID()}`);
  const sha256 = sha256Of(bytes);
  await backend().put(storageKey, bytes, sha256);
  return { storageKey, sha256, size: bytes.byteLength };
}

/** The bytes, checked against the SHA-256 recorded when they were stored. */
export async function readBytes(storageKey: string, sha256: string): Promise<Buffer> {
  const bytes = await backend().get(checkedKey(storageKey));
  if (sha256Of(bytes) !== sha256) {
    throw new Error(`file store: ${storageKey} does not match its recorded SHA-256`);
  }
  return bytes;
}

/** Removes bytes whose database row was never committed. */
export async function deleteBytes(storageKey: string): Promise<void> {
  await backend().delete(checkedKey(storageKey));
}

export type TStoredUpload = TStoredBytes & { type: TUploadType; scan: TScanResult & { state: "CLEAN" | "NOT_SCANNED" } };

export type TStoreUploadResult =
  | { ok: true; stored: TStoredUpload }
  | { ok: false; refusal: TUploadRefusal | { code: "infected"; detail: string } };

/**
 * A user's upload (a note's file, a document): size, type (detectUploadType) and virus scan
 * (scanBytes) are checked before anything is stored; a refused upload stores nothing. A scanner
 * that is configured but fails throws, so nothing unscanned is stored behind its back.
 */
export async function storeUpload(bytes: Uint8Array, fileName: string, now: Date = new Date()): Promise<TStoreUploadResult> {
  const tooLarge = checkUploadSize(bytes.byteLength, env().UPLOAD_MAX_MB);
  if (tooLarge) return { ok: false, refusal: tooLarge };
  const detected = detectUploadType(bytes, fileName);
  if (!detected.ok) return { ok: false, refusal: detected.refusal };
  const scan = await scanBytes(bytes);
  if (scan.state === "INFECTED") return { ok: false, refusal: { code: "infected", detail: scan.signature } };
  const stored = await putBytes(bytes, now);
  return { ok: true, stored: { ...stored, type: detected.type, scan } };
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
