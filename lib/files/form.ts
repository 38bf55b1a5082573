import "server-only";
import type { TScanUpload } from "@/lib/consent/mutations";

/** A file field of a submitted form as bytes (an empty file input sends an empty, nameless file). */
export async function scanFromForm(value: FormDataEntryValue | null): Promise<TScanUpload> {
  if (!value || typeof value === "string" || value.size === 0) return null;
  return { bytes: new Uint8Array(await value.arrayBuffer()), fileName: value.name };
}
