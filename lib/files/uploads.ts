import "server-only";
import { env } from "@/lib/env";
import { fieldError } from "@/lib/errors";
import { deleteBytes, storeUpload, type TStoredUpload } from "@/lib/files/store";
import { NOTE_MAX_FILES } from "@/lib/notes/schema";

/** A file as a form sent it. */
export type TUploadFile = { bytes: Uint8Array; fileName: string };

/**
 * Checks every file (type by content, whitelist, scanner) and the total against UPLOAD_MAX_MB,
 * then stores them. Any refusal stores nothing: what was already written is removed.
 */
export async function storeUploads(files: TUploadFile[], field: string): Promise<TStoredUpload[]> {
  const present = files.filter((f) => f.bytes.byteLength > 0);
  if (present.length > NOTE_MAX_FILES) throw fieldError(field, "v.upload.tooMany", { max: NOTE_MAX_FILES });
  const limit = env().UPLOAD_MAX_MB * 1024 * 1024;
  const total = present.reduce((n, f) => n + f.bytes.byteLength, 0);
  if (total > limit) throw fieldError(field, "v.upload.tooLarge", { total: (total / 1024 / 1024).toFixed(1), max: env().UPLOAD_MAX_MB });
  const stored: TStoredUpload[] = [];
  try {
    for (const f of present) {
      const r = await storeUpload(f.bytes, f.fileName);
      if (!r.ok) throw fieldError(field, `v.upload.${r.refusal.code}`, { name: f.fileName.slice(0, 100), detail: r.refusal.detail });
      stored.push(r.stored);
    }
  } catch (err) {
    await removeStored(stored);
    throw err;
  }
  return stored.map((s, i) => ({ ...s, fileName: present[i]!.fileName }) as TStoredUpload & { fileName: string });
}

export async function removeStored(stored: { storageKey: string }[]): Promise<void> {
  await Promise.all(stored.map((s) => deleteBytes(s.storageKey).catch(() => undefined)));
}

