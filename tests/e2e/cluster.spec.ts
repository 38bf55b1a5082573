import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E_WEB_CONCURRENCY, SERVERS } from "../../playwright.config";
import { demoCert, expectSignedIn, FACILITY, facilityContext, origin, signIn, terminalContext } from "./fixtures";

/*
 * server.ts as production runs it on two cores: a primary and two workers on one port
 * (docs/decisions/0020-one-process-per-core.md). This file starts its own server, because its last
 * test stops it. Which worker answered a request is read from /proc: the worker process that holds
 * the server's end of the request's TCP connection. Every request here opens a new connection,
 * which cluster hands to the workers in turn.
 */

const S = SERVERS.cluster;
const SERVER_LOG = path.join(S.dataDir, "server.log");
let server: ChildProcess;
let output = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  fs.rmSync(S.dataDir, { recursive: true, force: true });
  fs.mkdirSync(S.dataDir, { recursive: true });
  server = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: String(S.port),
      EMBEDDED_PG_PORT: String(S.pgPort),
      DATA_DIR: S.dataDir,
      DEMO_SEED: "true",
      IDLE_TIMEOUT_SECONDS: String(S.idle),
      NEXTAUTH_URL: origin("cluster"),
      WEB_CONCURRENCY: String(E2E_WEB_CONCURRENCY),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    fs.appendFileSync(SERVER_LOG, chunk);
  };
  server.stdout!.on("data", keep);
  server.stderr!.on("data", keep);
  await until(() => output.includes(`ready: https://localhost:${S.port}`), 280_000, "the server to be ready");
  expect(output).toContain(`${E2E_WEB_CONCURRENCY} worker processes`);
});

test.afterAll(async () => {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  // a failed test left it running: stop it as an operator would, then make sure
  const pids = [...workerPids(), postgresPid()].filter((p): p is number => p !== null);
  server.kill("SIGTERM");
  await until(() => server.exitCode !== null || server.signalCode !== null, 30_000, "the server to stop").catch(() => server.kill("SIGKILL"));
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
});

test("two worker processes answer on the port, and a session opened through one is valid on the other", async ({ browser }) => {
  const workers = workerPids();
  expect(workers).toHaveLength(E2E_WEB_CONCURRENCY);
  // the once-only work ran once, in the primary
  expect(output.match(/database migrated|database schema is up to date/g)).toHaveLength(1);
  expect(output.match(/created the network certificate authority/g)).toHaveLength(1);
  expect(output.match(/seeded the demo region/g)).toHaveLength(1);

  const cert = demoCert(FACILITY.clinic, "cluster");
  const context = await facilityContext(browser, FACILITY.clinic, "cluster");
  const page = await context.newPage();
  await signIn(page, "clinic-doctor", undefined, "cluster");
  await expectSignedIn(page);
  const cookie = (await context.cookies(origin("cluster"))).map((c) => `${c.name}=${c.value}`).join("; ");
  await context.close();

  const answers = await requests(6, "/", { pfx: fs.readFileSync(cert.file), passphrase: cert.password, cookie });
  for (const a of answers) {
    expect(a.status, `worker ${a.pid}`).toBe(200);
    expect(a.body, `worker ${a.pid}`).toContain('data-testid="header-user"');
  }
  expect(distinct(answers.map((a) => a.pid))).toEqual([...workers].sort(byNumber));
});

test("a certificate issued through one worker is known to both, and once revoked is refused by both", async ({ browser }) => {
  const admin = await facilityContext(browser, FACILITY.secretariat, "cluster");
  const page = await admin.newPage();
  await signIn(page, "jimukyoku", undefined, "cluster");
  await expectSignedIn(page);
  await page.goto(`${origin("cluster")}/admin/certificates`);
  // the forms send through React: not before hydration
  await page.waitForLoadState("networkidle");
  const terminalName = `クラスタ確認PC${Date.now() % 100000}`;
  await page.locator("form #facilityId").selectOption({ label: "2000201 下伊那内科クリニック" });
  await page.getByLabel(/^端末名/).fill(terminalName);
  await page.getByRole("button", { name: "発行する" }).click();
  const passphrase = (await page.getByTestId("one-time-password").textContent())!.trim();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-p12").click()]);
  const pfx = fs.readFileSync(await download.path());

  // Every worker lets the new terminal in (and has answered it before the revocation: a worker
  // that kept an earlier answer in memory would let it in again below).
  const before = await requests(4, "/login", { pfx, passphrase });
  for (const a of before) expect(a.status, `worker ${a.pid}`).toBe(200);
  expect(distinct(before.map((a) => a.pid))).toEqual(workerPids().sort(byNumber));

  // A terminal that was signed in on it is signed out by the revocation, whichever worker it reaches.
  const terminal = await terminalContext(browser, { buffer: pfx, password: passphrase }, "cluster");
  const tPage = await terminal.newPage();
  await signIn(tPage, "clinic-doctor", undefined, "cluster");
  await expectSignedIn(tPage);

  await page.reload();
  await page.waitForLoadState("networkidle");
  const row = page.locator("tr", { hasText: terminalName });
  await row.getByRole("button", { name: "失効させる" }).click();
  await row.getByLabel("失効理由").fill("端末紛失");
  await row.getByRole("button", { name: "この証明書を失効させる" }).click();
  await expect(row.getByText("失効", { exact: true })).toBeVisible();
  await admin.close();

  const after = await requests(6, "/login", { pfx, passphrase });
  for (const a of after) {
    expect(a.status, `worker ${a.pid}`).toBe(403);
    expect(a.body, `worker ${a.pid}`).toContain("reason: <code>revoked</code>");
  }
  expect(distinct(after.map((a) => a.pid))).toEqual(workerPids().sort(byNumber));
  const res = await tPage.goto(`${origin("cluster")}/`);
  expect(res?.status()).toBe(403);
  await terminal.close();
});

test("a worker that dies is replaced, and the two serve again", async () => {
  const [victim, survivor] = workerPids();
  process.kill(victim!, "SIGKILL");
  await until(() => workerPids().length === E2E_WEB_CONCURRENCY && !workerPids().includes(victim!), 120_000, "a new worker");
  await until(() => output.includes(`worker ${victim} stopped (signal SIGKILL); starting another`) && /worker \d+ serving/.test(output), 120_000, "the new worker to serve");
  const workers = workerPids();
  expect(workers).toContain(survivor);

  const cert = demoCert(FACILITY.clinic, "cluster");
  const answers = await requests(4, "/login", { pfx: fs.readFileSync(cert.file), passphrase: cert.password });
  for (const a of answers) expect(a.status, `worker ${a.pid}`).toBe(200);
  expect(distinct(answers.map((a) => a.pid))).toEqual([...workers].sort(byNumber));
});

test("SIGTERM stops the workers, then the embedded database, and the primary exits 0", async () => {
  const workers = workerPids();
  const postgres = postgresPid();
  expect(workers).toHaveLength(E2E_WEB_CONCURRENCY);
  expect(postgres).not.toBeNull();
  expect(isAlive(postgres!)).toBe(true);

  const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
  server.kill("SIGTERM");
  expect(await exited).toBe(0);
  for (const pid of [...workers, postgres!]) expect(isAlive(pid), `process ${pid}`).toBe(false);
  // the database shut down cleanly: it removes its pid file itself
  expect(fs.existsSync(path.join(S.dataDir, "postgres", "postmaster.pid"))).toBe(false);
  expect(output).toContain(`SIGTERM: stopping ${E2E_WEB_CONCURRENCY} worker processes`);
});

/* ---------------------------------------------------------------- helpers */

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode}) while waiting for ${what}; its log:\n${output.slice(-3000)}`);
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}; the server's log:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const byNumber = (x: number | null, y: number | null) => (x ?? -1) - (y ?? -1);
/** The processes that answered, each once, in order (a null, an answer no worker held, stays in and fails the comparison). */
const distinct = (pids: (number | null)[]) => [...new Set(pids)].sort(byNumber);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The worker processes: the primary's children that run server.ts (its other child is PostgreSQL). */
function workerPids(): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === server.pid && fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("server.ts")) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function postgresPid(): number | null {
  try {
    return Number(fs.readFileSync(path.join(S.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return null;
  }
}

/** The process holding the server's end of the loopback TCP connection from `clientPort`. */
function ownerOfConnection(clientPort: number): number | null {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, "0");
  const row = fs
    .readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1]?.endsWith(`:${hex(S.port)}`) && f[2]?.endsWith(`:${hex(clientPort)}`));
  if (!row) return null;
  const socket = `socket:[${row[9]}]`;
  for (const pid of workerPids()) {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === socket) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

type TAnswer = { status: number; body: string; pid: number | null };

/** `n` GETs of `pathname`, one after another, each on a new TLS connection; which worker answered each. */
async function requests(n: number, pathname: string, a: { pfx: Buffer; passphrase: string; cookie?: string }): Promise<TAnswer[]> {
  const out: TAnswer[] = [];
  for (let i = 0; i < n; i++) {
    // kept alive until the answer is read, so the server's end of the connection is still open to look up
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, pfx: a.pfx, passphrase: a.passphrase, rejectUnauthorized: false });
    try {
      out.push(
        await new Promise<TAnswer>((resolve, reject) => {
          const req = https.get({ host: "127.0.0.1", port: S.port, path: pathname, agent, headers: a.cookie ? { cookie: a.cookie } : {} }, (res) => {
            const clientPort = res.socket.localPort!;
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode!, body, pid: ownerOfConnection(clientPort) }));
          });
          req.on("error", reject);
        }),
      );
    } finally {
      agent.destroy();
    }
  }
  return out;
}
