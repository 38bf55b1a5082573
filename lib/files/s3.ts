import "server-only";
import { AwsClient } from "aws4fetch";
import type { TFileBackend } from "@/lib/files/store";

/**
 * The file store on S3-compatible storage (AWS S3, MinIO and the like): three REST calls on one
 * bucket with path-style addresses, signed with Signature V4 by aws4fetch.
 * See docs/decisions/0012-file-store-uploads.md.
 */

export type TS3Settings = {
  bucket: string;
  /** Unset: AWS S3 in the region. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Per request, retries included. */
  timeoutMs?: number;
};

export function createS3Backend(settings: TS3Settings): TFileBackend {
  const client = new AwsClient({
    accessKeyId: settings.accessKeyId,
    secretAccessKey: settings.secretAccessKey,
    service: "s3",
    region: settings.region,
    // aws4fetch retries 5xx and 429 with backoff; its default of 10 would hold a request far too long.
    retries: 3,
  });
  const base = (settings.endpoint ?? `https://s3.${settings.region}.amazonaws.com`).replace(/\/+$/, "");
  const urlOf = (storageKey: string) => `${base}/${encodeURIComponent(settings.bucket)}/${storageKey}`;

  const send = async (what: string, storageKey: string, init: RequestInit): Promise<Response> => {
    try {
      return await client.fetch(urlOf(storageKey), { ...init, method: what, signal: AbortSignal.timeout(settings.timeoutMs ?? 60_000) });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
      throw new Error(`file store (S3): ${what} ${storageKey}: ${error instanceof Error ? error.message : String(error)}${cause}`, { cause: error });
    }
  };

  const fail = async (what: string, storageKey: string, res: Response): Promise<never> => {
    const text = await res.text().catch(() => "");
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    throw new Error(`file store (S3): ${what} ${storageKey}: HTTP ${res.status}${code ? ` ${code}` : ""}`);
  };

  return {
    async put(storageKey, bytes, sha256) {
      const res = await send("PUT", storageKey, {
        // fetch takes views of plain ArrayBuffers only (TypeScript's Uint8Array<ArrayBuffer>).
        body: bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes),
        // A signed payload hash: the storage refuses a body that changed on the way.
        headers: { "content-type": "application/octet-stream", "x-amz-content-sha256": sha256 },
      });
      if (!res.ok) await fail("PUT", storageKey, res);
      await res.arrayBuffer();
    },
    async get(storageKey) {
      const res = await send("GET", storageKey, {});
      if (res.status === 404) {
        await res.arrayBuffer();
        throw new Error(`file store (S3): ${storageKey} not found`);
      }
      if (!res.ok) await fail("GET", storageKey, res);
      return Buffer.from(await res.arrayBuffer());
    },
    async delete(storageKey) {
      const res = await send("DELETE", storageKey, {});
      // S3 answers 204 whether or not the object existed; some compatible servers answer 404.
      if (!res.ok && res.status !== 404) await fail("DELETE", storageKey, res);
      await res.arrayBuffer();
    },
  };
}
