import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

/*
 * The HTTP load harness (scripts/bench/http.mts) on a tiny region: it starts its own embedded
 * PostgreSQL and server.ts on free ports (the production build this run made), signs users in
 * through Chromium with a terminal certificate, drives every case and checks each response and its
 * access-log rows. Timing targets live in docs/benchmarks.md, not here: this says the harness
 * runs, counts the rows, and fails a run whose requests fail. It never writes the report.
 */

const REPORT = path.resolve("docs/benchmarks.md");
const digest = () => (fs.existsSync(REPORT) ? crypto.createHash("sha256").update(fs.readFileSync(REPORT)).digest("hex") : "none");

let dataDir = "";
test.beforeAll(() => {
  // one region for both runs: the second reuses the first's (as a kept --data-dir is meant to be)
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-e2e-bench-http-"));
});
test.afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Runs the harness to its end; its exit code and everything it printed. */
function harness(args: string[]): Promise<{ code: number | null; output: string }> {
  // as `npm run bench:http` runs it (the server it starts gets NODE_ENV=production itself)
  const env: Record<string, string | undefined> = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.NODE_ENV;
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "scripts/bench/http.mts", "--data-dir", dataDir, "--no-report", ...args], {
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (b: Buffer) => (output += b.toString("utf8")));
  child.stderr.on("data", (b: Buffer) => (output += b.toString("utf8")));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

/** The harness's `[log rows]` lines: case, clients → responses, rows, missing. */
function logRows(output: string): Map<string, { responses: number; rows: number; missing: string; denied: number }> {
  const out = new Map<string, { responses: number; rows: number; missing: string; denied: number }>();
  for (const m of output.matchAll(/\[log rows\] case=(\S+) clients=(\d+) responses=(\d+) rows=(\d+) missing=(\S+) denied=(\d+)/g))
    out.set(`${m[1]} ${m[2]}`, { responses: Number(m[3]), rows: Number(m[4]), missing: m[5]!, denied: Number(m[6]) });
  return out;
}

const PATIENT_READS = ["calendar", "cell", "tab", "trend", "search", "home", "api"];

test("bench:http runs every case on a small region, and every response has its access-log rows", async () => {
  test.setTimeout(240_000);
  const before = digest();
  const { code, output } = await harness(["--contents", "1000", "--other-patients", "100", "--others", "100", "--seconds", "1", "--warmup", "0.5", "--clients", "1,2", "--runs", "20"]);
  expect(code, output.slice(-4000)).toBe(0);
  const rows = logRows(output);
  for (const clients of [1, 2]) {
    const health = rows.get(`healthz ${clients}`);
    expect(health, `healthz at ${clients} clients`).toBeDefined();
    expect(health!.responses).toBeGreaterThan(0);
    expect(health!.rows, "/healthz reads no patient").toBe(0);
    for (const id of PATIENT_READS) {
      const r = rows.get(`${id} ${clients}`);
      expect(r, `${id} at ${clients} clients`).toBeDefined();
      expect(r!.responses, `${id} at ${clients} clients: responses`).toBeGreaterThan(0);
      // each of these logs at least one row per response; the harness checked them per request id
      expect(r!.rows, `${id} at ${clients} clients: log rows`).toBeGreaterThanOrEqual(r!.responses);
      expect(r!.missing, `${id} at ${clients} clients: rows missing`).toBe("0");
      expect(r!.denied).toBe(0);
    }
  }
  // the floors and the data-layer call ran beside the pages
  expect(output).toMatch(/floor, 2 clients: [\d.]+ req\/s/);
  expect(output).toMatch(/data call: getCalendar p50 [\d.]+ ms, floor p50 [\d.]+ ms/);
  expect(output).toContain("bench:http: every request answered 200 with its marker and its access-log rows");
  // --no-report prints the section and leaves docs/benchmarks.md alone
  expect(output).toContain("<!-- bench:http:start -->");
  expect(digest()).toBe(before);
});

test("bench:http fails the run when a request does not answer 200, and says which", async () => {
  test.setTimeout(180_000);
  const before = digest();
  const unknown = "/api/patients/00000000-0000-0000-0000-000000000000";
  const { code, output } = await harness(["--contents", "1000", "--other-patients", "100", "--others", "100", "--seconds", "0.5", "--warmup", "0", "--clients", "1", "--users", "1", "--cases", "api", "--extra-path", unknown]);
  expect(code, output.slice(-4000)).toBe(1);
  // the region was reused, the good case still passed, the unknown patient's 404s are the errors
  expect(output).toContain(`reusing the data in ${dataDir}`);
  expect(logRows(output).get("api 1")?.missing).toBe("0");
  expect(output).toMatch(/FAILED extra1, 1 clients: [1-9]\d* errors \(e\.g\. HTTP 404\)/);
  expect(output).toMatch(/bench:http failed: [1-9]\d* requests errored, 0 access-log rows missing/);
  expect(output).toContain("**This run failed:");
  expect(digest()).toBe(before);
});
