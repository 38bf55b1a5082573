import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { AwsClient } from "aws4fetch";
import S3rver from "s3rver";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { deleteBytes, putBytes, readBytes, storeUpload } from "@/lib/files/store";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures");
const PDF = new TextEncoder().encode("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const sha256 = (bytes: Uint8Array) => crypto.createHash("sha256").update(bytes).digest("hex");
const KEY = /^[0-9]{4}\/[0-9]{2}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const S3_SETTINGS = [
  "FILE_STORE_S3_BUCKET",
  "FILE_STORE_S3_ENDPOINT",
  "FILE_STORE_S3_REGION",
  "FILE_STORE_S3_ACCESS_KEY_ID",
  "FILE_STORE_S3_SECRET_ACCESS_KEY",
  "UPLOAD_MAX_MB",
  "CLAMAV_ADDRESS",
] as const;

function setEnv(values: Partial<Record<(typeof S3_SETTINGS)[number], string>>) {
  for (const name of S3_SETTINGS) {
    if (values[name] === undefined) delete process.env[name];
    else process.env[name] = values[name];
  }
  resetEnvCache();
}

const localFiles = () => {
  const dir = process.env.FILE_STORE_DIR!;
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile());
};

afterEach(() => setEnv({}));

describe("local folder (the default)", () => {
  it("putBytes writes YYYY/MM/uuid (UTC month) owner-only, with the SHA-256 and size", async () => {
    const stored = await putBytes(PDF, new Date("2026-12-31T23:30:00+09:00"));
    expect(stored.storageKey).toMatch(KEY);
    expect(stored.storageKey.startsWith("2026/12/")).toBe(true);
    expect(stored).toMatchObject({ sha256: sha256(PDF), size: PDF.byteLength });
    const file = path.join(process.env.FILE_STORE_DIR!, stored.storageKey);
    expect(fs.readFileSync(file)).toEqual(Buffer.from(PDF));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.part`)).toBe(false);
    const march = await putBytes(PDF, new Date("2027-03-01T00:00:00Z"));
    expect(march.storageKey.startsWith("2027/03/")).toBe(true);
  });

  it("readBytes returns the bytes and refuses bytes that no longer match their SHA-256", async () => {
    const stored = await putBytes(PDF);
    expect(await readBytes(stored.storageKey, stored.sha256)).toEqual(Buffer.from(PDF));
    fs.writeFileSync(path.join(process.env.FILE_STORE_DIR!, stored.storageKey), "%PDF-changed");
    await expect(readBytes(stored.storageKey, stored.sha256)).rejects.toThrow(/does not match its recorded SHA-256/);
  });

  it("deleteBytes removes, and may be called again", async () => {
    const stored = await putBytes(PDF);
    await deleteBytes(stored.storageKey);
    await deleteBytes(stored.storageKey);
    expect(fs.existsSync(path.join(process.env.FILE_STORE_DIR!, stored.storageKey))).toBe(false);
    await expect(readBytes(stored.storageKey, stored.sha256)).rejects.toThrow(/ENOENT/);
  });

  it("refuses storage keys that are not its own (no path outside the store)", async () => {
    for (const key of ["../../etc/passwd", "2026/11/../../../x", "/etc/passwd", "2026/11/not-a-uuid"]) {
      await expect(readBytes(key, "0".repeat(64))).rejects.toThrow(/bad storage key/);
      await expect(deleteBytes(key)).rejects.toThrow(/bad storage key/);
    }
  });
});

describe("storeUpload", () => {
  it("stores an accepted upload with its type; scan NOT_SCANNED without a scanner", async () => {
    const jpeg = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "images/chest-xray.jpg")));
    const result = await storeUpload(jpeg, "胸部X線.jpeg", new Date("2026-11-22T01:00:00Z"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.stored).toMatchObject({
      sha256: sha256(jpeg),
      size: jpeg.byteLength,
      type: { contentType: "image/jpeg", extension: "jpg", kind: "image", label: "JPEG" },
      scan: { state: "NOT_SCANNED" },
    });
    expect(result.stored.storageKey.startsWith("2026/11/")).toBe(true);
    expect(await readBytes(result.stored.storageKey, result.stored.sha256)).toEqual(Buffer.from(jpeg));
  });

  it("stores Office documents and Shift_JIS CSV", async () => {
    const xlsx = new Uint8Array(fs.readFileSync(path.join(FIXTURES, "office/sample.xlsx")));
    expect(await storeUpload(xlsx, "検査.xlsx")).toMatchObject({ ok: true, stored: { type: { extension: "xlsx", kind: "office" } } });
    const csv = new Uint8Array([0x8e, 0x81, 0x96, 0xbc, 0x2c, 0x92, 0x6c, 0x0d, 0x0a]); // 氏名,値 in Shift_JIS
    expect(await storeUpload(csv, "a.csv")).toMatchObject({ ok: true, stored: { type: { contentType: "text/csv; charset=shift_jis" } } });
  });

  it("a refused upload stores nothing", async () => {
    const before = localFiles().length;
    const exe = new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0]);
    expect(await storeUpload(exe, "photo.jpg")).toEqual({ ok: false, refusal: { code: "executable", detail: "Windows executable (MZ)" } });
    expect(await storeUpload(new TextEncoder().encode("<!doctype html><p>x"), "x.txt")).toMatchObject({ ok: false, refusal: { code: "html" } });
    expect(await storeUpload(new Uint8Array(0), "x.pdf")).toMatchObject({ ok: false, refusal: { code: "empty" } });
    expect(localFiles().length).toBe(before);
  });

  it("an upload over UPLOAD_MAX_MB is refused as too-large before anything else", async () => {
    setEnv({ UPLOAD_MAX_MB: "1" });
    const before = localFiles().length;
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x41);
    expect(await storeUpload(big, "big.txt")).toEqual({ ok: false, refusal: { code: "too-large", detail: "1.0 MB, limit 1 MB" } });
    expect(await storeUpload(big.subarray(0, 1024 * 1024), "ok.txt")).toMatchObject({ ok: true });
    expect(localFiles().length).toBe(before + 1);
  });
});

// ---- S3-compatible storage ---------------------------------------------------------------------

/**
 * s3rver is a real S3 REST server (buckets, objects, S3's XML errors) but does not check
 * Signature V4; so requests pass through a front on loopback that checks each signature and
 * payload hash the way S3 does, and refuses what does not match, as S3 would.
 */
const ACCESS_KEY_ID = "S3RVER"; // s3rver's built-in account
const SECRET = "S3RVER";
const BUCKET = "chiikilink-files";
const REGION = "ap-northeast-1";

type TSeen = { method: string; path: string; payloadHash: string; verified: boolean };

const hmac = (key: crypto.BinaryLike, data: string) => crypto.createHmac("sha256", key).update(data).digest();

function checkSignature(req: http.IncomingMessage, body: Buffer): string | null {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
    req.headers.authorization ?? "",
  );
  if (!auth) return "AccessDenied";
  const [, keyId, date, region, signedHeaders, signature] = auth as unknown as string[];
  if (keyId !== ACCESS_KEY_ID) return "InvalidAccessKeyId";
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
  if (payloadHash !== "UNSIGNED-PAYLOAD" && payloadHash !== crypto.createHash("sha256").update(body).digest("hex")) return "XAmzContentSHA256Mismatch";
  const url = new URL(req.url ?? "/", "http://front");
  const query = [...url.searchParams].map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join("&");
  const headerLines = signedHeaders!.split(";").map((h) => `${h}:${String(req.headers[h] ?? "").trim()}\n`).join("");
  const canonical = [req.method, url.pathname, query, headerLines, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", String(req.headers["x-amz-date"]), scope, crypto.createHash("sha256").update(canonical).digest("hex")].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, date!), region!), "s3"), "aws4_request");
  return hmac(key, toSign).toString("hex") === signature ? null : "SignatureDoesNotMatch";
}

async function startS3() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-s3-"));
  const s3rver = new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port: s3Port } = await s3rver.run();
  const seen: TSeen[] = [];
  const front = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const refusal = checkSignature(req, body);
      seen.push({ method: req.method ?? "", path: req.url ?? "", payloadHash: String(req.headers["x-amz-content-sha256"]), verified: !refusal });
      if (refusal) {
        res.writeHead(403, { "content-type": "application/xml" });
        return void res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal}</Code><Message>refused by the test front</Message></Error>`);
      }
      const upstream = http.request({ host: "127.0.0.1", port: s3Port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((r) => front.listen(0, "127.0.0.1", () => r()));
  return {
    endpoint: `http://127.0.0.1:${(front.address() as AddressInfo).port}`,
    seen,
    /** Straight to s3rver with a correct signature, as someone with the bucket's keys could. */
    direct: new AwsClient({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, service: "s3", region: REGION, retries: 0 }),
    directUrl: (key: string) => `http://127.0.0.1:${s3Port}/${BUCKET}/${key}`,
    close: async () => {
      await new Promise<void>((r) => front.close(() => r()));
      await s3rver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("S3-compatible storage (s3rver on loopback)", () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  const useS3 = (overrides: Partial<Record<(typeof S3_SETTINGS)[number], string>> = {}) =>
    setEnv({
      FILE_STORE_S3_BUCKET: BUCKET,
      FILE_STORE_S3_ENDPOINT: s3.endpoint,
      FILE_STORE_S3_REGION: REGION,
      FILE_STORE_S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
      FILE_STORE_S3_SECRET_ACCESS_KEY: SECRET,
      ...overrides,
    });

  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });
  beforeEach(() => useS3());

  it("putBytes stores the object under the bucket by a signed PUT with the payload's SHA-256, nothing locally", async () => {
    const before = localFiles().length;
    const stored = await putBytes(PDF, new Date("2026-11-22T00:00:00Z"));
    expect(stored).toMatchObject({ sha256: sha256(PDF), size: PDF.byteLength });
    expect(stored.storageKey).toMatch(KEY);
    expect(s3.seen.at(-1)).toEqual({ method: "PUT", path: `/${BUCKET}/${stored.storageKey}`, payloadHash: sha256(PDF), verified: true });
    expect(localFiles().length).toBe(before);
    const direct = await s3.direct.fetch(s3.directUrl(stored.storageKey));
    expect(direct.status).toBe(200);
    expect(Buffer.from(await direct.arrayBuffer())).toEqual(Buffer.from(PDF));
  });

  it("readBytes gets the bytes back, checked against their SHA-256", async () => {
    const bytes = crypto.randomBytes(300_000);
    const stored = await putBytes(bytes);
    expect(Buffer.compare(await readBytes(stored.storageKey, stored.sha256), bytes)).toBe(0);
    expect(s3.seen.at(-1)).toMatchObject({ method: "GET", verified: true });
  });

  it("an object changed in the bucket is refused on read", async () => {
    const stored = await putBytes(PDF);
    const overwrite = await s3.direct.fetch(s3.directUrl(stored.storageKey), { method: "PUT", body: "%PDF-tampered" });
    expect(overwrite.status).toBe(200);
    await expect(readBytes(stored.storageKey, stored.sha256)).rejects.toThrow(/does not match its recorded SHA-256/);
  });

  it("deleteBytes removes the object; a second delete and a read of it behave", async () => {
    const stored = await putBytes(PDF);
    await deleteBytes(stored.storageKey);
    await deleteBytes(stored.storageKey);
    expect(s3.seen.at(-1)).toMatchObject({ method: "DELETE", verified: true });
    expect((await s3.direct.fetch(s3.directUrl(stored.storageKey))).status).toBe(404);
    await expect(readBytes(stored.storageKey, stored.sha256)).rejects.toThrow(/not found/);
  });

  it("storeUpload goes to the bucket; a refused upload sends nothing", async () => {
    const result = await storeUpload(PDF, "紹介状.pdf");
    expect(result).toMatchObject({ ok: true, stored: { type: { kind: "pdf" }, scan: { state: "NOT_SCANNED" } } });
    const count = s3.seen.length;
    expect(await storeUpload(new TextEncoder().encode("<svg onload=alert(1)>"), "a.png")).toMatchObject({ ok: false, refusal: { code: "svg" } });
    expect(s3.seen.length).toBe(count);
  });

  it("a wrong secret is refused by the storage and the error says so", async () => {
    useS3({ FILE_STORE_S3_SECRET_ACCESS_KEY: "not-the-secret" });
    await expect(putBytes(PDF)).rejects.toThrow(/file store \(S3\): PUT \S+: HTTP 403 SignatureDoesNotMatch/);
  });

  it("a bucket that does not exist", async () => {
    useS3({ FILE_STORE_S3_BUCKET: "no-such-bucket" });
    await expect(putBytes(PDF)).rejects.toThrow(/HTTP 404 NoSuchBucket/);
  });

  it("storage that cannot be reached fails at once instead of hanging", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    useS3({ FILE_STORE_S3_ENDPOINT: `http://127.0.0.1:${port}` });
    await expect(putBytes(PDF)).rejects.toThrow(/file store \(S3\): PUT \S+: fetch failed \(.*ECONNREFUSED/);
  });

  it("a bucket without keys is a configuration error", async () => {
    useS3({ FILE_STORE_S3_ACCESS_KEY_ID: undefined });
    await expect(putBytes(PDF)).rejects.toThrow(/FILE_STORE_S3_ACCESS_KEY_ID and FILE_STORE_S3_SECRET_ACCESS_KEY are needed/);
  });
});
