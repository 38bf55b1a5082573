import os from "node:os";
import path from "node:path";
import { z } from "zod";

/**
 * The only reader of process.env. Defaults make the demo run with nothing configured; a real
 * deployment sets DATABASE_URL, AUTH_SECRET and CA_KEY_PASSPHRASE (see README "Deployment").
 */
const booleanish = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const ZEnv = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Folder for the embedded database, the CA passphrase file and demo certificates. */
  DATA_DIR: z.string().default(".data"),
  /** Any PostgreSQL 15+. Unset: an embedded PostgreSQL under DATA_DIR/postgres. */
  DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
  HOST: z.string().default("0.0.0.0"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3443),
  /** Host names the generated server certificate covers (comma separated). */
  PUBLIC_HOSTNAMES: z.string().default("localhost,127.0.0.1"),
  /**
   * direct: server.ts terminates TLS and checks client certificates itself.
   * proxy: a reverse proxy (nginx) terminates TLS and forwards the client certificate in
   * X-SSL-Client-Cert; server.ts listens on plain HTTP and trusts only TRUSTED_PROXIES.
   */
  TLS_MODE: z.enum(["direct", "proxy"]).default("direct"),
  /** A certificate from a public CA for the HTTPS server; unset: one issued by the network CA. */
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** The public https origin (next-auth callbacks). Unset: https://localhost:PORT. */
  NEXTAUTH_URL: z.string().url().optional(),
  TRUSTED_PROXIES: z.string().default("127.0.0.1,::1,::ffff:127.0.0.1"),
  /** Signs next-auth sessions and the terminal-identity header. Unset: generated under DATA_DIR. */
  AUTH_SECRET: z.string().min(32).optional(),
  /** Protects the CA's private key. Unset: generated under DATA_DIR (demo only). */
  CA_KEY_PASSPHRASE: z.string().min(16).optional(),
  TERMINAL_CERT_DAYS: z.coerce.number().int().min(1).max(3650).default(730),
  /**
   * Hours after issuing during which a server-made terminal key (.p12) can be downloaded, once.
   * Past it, or at its first download, the stored file is deleted (docs/decisions/0017-terminal-keys-not-kept.md).
   */
  TERMINAL_P12_DOWNLOAD_HOURS: z.coerce.number().int().min(1).max(168).default(24),
  IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(5).default(300),
  LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).default(5),
  LOCKOUT_MINUTES: z.coerce.number().int().min(1).default(15),
  /** failed sign-in and password-reset attempts allowed per terminal, and per login ID, in a window */
  SIGN_IN_LIMIT_PER_TERMINAL: z.coerce.number().int().min(1).default(30),
  SIGN_IN_LIMIT_PER_LOGIN_ID: z.coerce.number().int().min(1).default(10),
  SIGN_IN_LIMIT_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Emergency access (C8): hours an emergency grant lasts (fractions allowed), months of prescriptions, injections and labs it shows, days the secretariat has to review it */
  EMS_GRANT_HOURS: z.coerce.number().positive().max(168).default(24),
  EMS_WINDOW_MONTHS: z.coerce.number().int().min(1).max(24).default(3),
  EMS_REVIEW_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  PASSWORD_MAX_AGE_MONTHS: z.coerce.number().int().min(1).default(2),
  PASSWORD_EXPIRY_WARNING_DAYS: z.coerce.number().int().min(0).default(14),
  PASSWORD_HISTORY_COUNT: z.coerce.number().int().min(1).default(5),
  /** The file store (attachments, consent scans): a local folder. Unset: DATA_DIR/files. */
  FILE_STORE_DIR: z.string().optional(),
  /** Largest total a user may upload at once (a note's files, a document), in megabytes (seed 000: 30 MB per note). */
  UPLOAD_MAX_MB: z.coerce.number().int().min(1).max(1024).default(30),
  /**
   * S3-compatible file store instead of the local folder, when FILE_STORE_S3_BUCKET is set.
   * Endpoint e.g. https://s3.ap-northeast-1.amazonaws.com or a MinIO URL; path-style addressing.
   */
  FILE_STORE_S3_BUCKET: z.string().min(3).optional(),
  FILE_STORE_S3_ENDPOINT: z.string().url().optional(),
  FILE_STORE_S3_REGION: z.string().default("ap-northeast-1"),
  FILE_STORE_S3_ACCESS_KEY_ID: z.string().optional(),
  FILE_STORE_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** A ClamAV daemon (clamd) that scans every upload, as host:port (TCP) or a unix socket path. Unset: uploads are marked "not scanned". */
  CLAMAV_ADDRESS: z.string().optional(),
  /** LibreOffice (soffice) for PDF renditions of Office documents. Unset: soffice/libreoffice on PATH, if any. "off" disables. */
  OFFICE_CONVERTER: z.string().optional(),
  /** How long the author may edit or delete a note after posting it, in minutes. */
  NOTE_EDIT_MINUTES: z.coerce.number().int().min(0).max(525600).default(1440),
  /**
   * Outgoing e-mail (notices carrying no clinical content), e.g. smtp://user:pass@mail.example.jp:587
   * or smtps://…:465. Unset: messages wait in the outbox the secretariat sees.
   */
  SMTP_URL: z.string().url().optional(),
  MAIL_FROM: z.string().default("ChiikiLink <no-reply@chiikilink.invalid>"),
  /** Seed a small demo region into an empty database. Default: on with the embedded database. */
  DEMO_SEED: booleanish.optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /**
   * How many processes serve requests (docs/decisions/0020-one-process-per-core.md). Unset: one
   * per core in production, one in development (next dev compiles in a single process).
   */
  WEB_CONCURRENCY: z.coerce
    .number({ error: "must be a whole number of worker processes, 1 to 64" })
    .int("must be a whole number of worker processes, 1 to 64")
    .min(1, "must be a whole number of worker processes, 1 to 64")
    .max(64, "must be a whole number of worker processes, 1 to 64")
    .optional(),
});

export type TEnv = z.infer<typeof ZEnv> & { dataDir: string; fileStoreDir: string; webConcurrency: number };

/** Processes that serve requests when WEB_CONCURRENCY is unset. */
const defaultConcurrency = (nodeEnv: TEnv["NODE_ENV"]) => (nodeEnv === "production" ? Math.min(64, os.availableParallelism()) : 1);

function readEnv(): TEnv {
  const parsed = ZEnv.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    dataDir,
    fileStoreDir: path.resolve(parsed.data.FILE_STORE_DIR ?? path.join(dataDir, "files")),
    webConcurrency: parsed.data.WEB_CONCURRENCY ?? defaultConcurrency(parsed.data.NODE_ENV),
  };
}

let cached: TEnv | undefined;

/** Read lazily: server.ts fills in DATABASE_URL and secrets before the app first asks. */
export function env(): TEnv {
  cached ??= readEnv();
  return cached;
}

/** For server.ts after it prepared the environment, and for tests that change settings. */
export function resetEnvCache(): void {
  cached = undefined;
}
