import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env, resetEnvCache } from "@/lib/env";
import { startEmbeddedPostgres, type TEmbeddedDatabase } from "@/lib/db/embedded";
import { connectionsNeeded } from "@/lib/db/connections";

/** Connections beyond the server's own: psql, a backup, the tests' and benchmarks' clients. */
const SPARE_CONNECTIONS = 30;

/**
 * Fills in what a demo start leaves unconfigured, before anything reads env(): secrets generated
 * once under DATA_DIR/secrets (mode 0600), and an embedded PostgreSQL when DATABASE_URL is unset.
 * This and tests are the only writers of process.env (ADR 0001).
 */
export async function prepareEnvironment(log: (line: string) => void): Promise<{ embedded: TEmbeddedDatabase | null }> {
  const e = env();
  // The data folder must stay readable by the unprivileged user the embedded PostgreSQL runs as.
  fs.mkdirSync(e.dataDir, { recursive: true, mode: 0o755 });
  const secretsDir = path.join(e.dataDir, "secrets");
  const secretFrom = (name: string) => {
    const file = path.join(secretsDir, name);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
      log(`generated ${path.relative(process.cwd(), file)} (set ${name.toUpperCase().replaceAll("-", "_")} in production)`);
    }
    return fs.readFileSync(file, "utf8").trim();
  };
  process.env.AUTH_SECRET ??= secretFrom("auth-secret");
  process.env.CA_KEY_PASSPHRASE ??= secretFrom("ca-key-passphrase");
  process.env.NEXTAUTH_URL ??= `https://localhost:${e.PORT}`;

  let embedded: TEmbeddedDatabase | null = null;
  if (!e.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({
      dir: path.join(e.dataDir, "postgres"),
      port: e.EMBEDDED_PG_PORT,
      database: "chiikilink",
      // 200 covers up to 11 workers; past that, each worker's pools get their room
      maxConnections: Math.max(200, connectionsNeeded(e.webConcurrency) + SPARE_CONNECTIONS),
    });
    process.env.DATABASE_URL = embedded.url;
    log(`embedded PostgreSQL on 127.0.0.1:${e.EMBEDDED_PG_PORT}, data in ${path.relative(process.cwd(), path.join(e.dataDir, "postgres"))}`);
  }
  resetEnvCache();
  return { embedded };
}
