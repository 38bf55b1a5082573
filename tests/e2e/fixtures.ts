import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import pg from "pg";
import { SERVERS } from "../../playwright.config";
import { DEMO_PASSWORD, DEMO_TOTP_LOGINS, DEMO_TOTP_SECRET } from "../fixtures/demo-constants";

export { DEMO_PASSWORD, DEMO_TOTP_SECRET };
export type TServer = keyof typeof SERVERS;
export type TDemoCert = { facilityCode: string; facilityName: string; terminal: string; file: string; password: string; logins: string[] };

export const origin = (server: TServer = "main") => `https://localhost:${SERVERS[server].port}`;

/** The demo terminal certificates the server wrote at its first start. */
export function demoCert(facilityCode: string, server: TServer = "main"): TDemoCert {
  const list = JSON.parse(fs.readFileSync(path.join(SERVERS[server].dataDir, "demo-certificates", "certificates.json"), "utf8")) as TDemoCert[];
  const cert = list.find((c) => c.facilityCode === facilityCode);
  if (!cert) throw new Error(`no demo certificate for facility ${facilityCode}`);
  return cert;
}

export const FACILITY = { secretariat: "9000001", hospital: "2000101", clinic: "2000201", pharmacy: "2000301" } as const;

/**
 * A browser context presenting a terminal certificate (a .p12 file and its password). Whatever the
 * test does in it must not break the portal's Content-Security-Policy or Permissions-Policy: any
 * complaint fails the test when the context closes (see watchPolicyViolations).
 */
export async function terminalContext(browser: Browser, p12: { file?: string; buffer?: Buffer; password: string }, server: TServer = "main"): Promise<BrowserContext> {
  const context = await browser.newContext({
    clientCertificates: [
      p12.buffer ? { origin: origin(server), pfx: p12.buffer, passphrase: p12.password } : { origin: origin(server), pfxPath: p12.file!, passphrase: p12.password },
    ],
  });
  const violations = await watchPolicyViolations(context);
  const close = context.close.bind(context);
  context.close = async (options) => {
    await close(options);
    expect(violations, "Content-Security-Policy / Permissions-Policy complaints").toEqual([]);
  };
  return context;
}

const policyViolations = new WeakMap<BrowserContext, string[]>();

/** What Chromium logs when a security policy refuses something or cannot be read. */
const POLICY_COMPLAINT = /Content[ -]Security[ -]Policy|Permissions[ -]Policy/i;

/**
 * Every complaint about the pages' security policies in a context, as it happens: the
 * `securitypolicyviolation` events of every page and frame (some, such as a caught `eval`, are
 * never logged), and the console's policy messages (frame-ancestors refusals and unreadable
 * headers are only logged). Watching a context twice gives the same list.
 */
export async function watchPolicyViolations(context: BrowserContext): Promise<string[]> {
  const watched = policyViolations.get(context);
  if (watched) return watched;
  const seen: string[] = [];
  policyViolations.set(context, seen);
  await context.exposeBinding("__reportPolicyViolation", ({ frame }, v: string) => void seen.push(`${frame.url()}: ${v}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __reportPolicyViolation?: (v: string) => void }).__reportPolicyViolation;
      report?.(`${e.effectiveDirective} refused ${e.blockedURI || "inline"} ${e.sample}`.trim());
    });
  });
  context.on("console", (m) => {
    if (POLICY_COMPLAINT.test(m.text())) seen.push(`${m.page()?.url() ?? "?"}: ${m.text()}`);
  });
  return seen;
}

export const facilityContext = (browser: Browser, facilityCode: string, server: TServer = "main") => terminalContext(browser, demoCert(facilityCode, server), server);

/** The password step alone: the login form, filled and sent. */
export async function signInWithPassword(page: Page, loginId: string, password = DEMO_PASSWORD, server: TServer = "main") {
  await page.goto(`${origin(server)}/login`);
  await page.getByLabel(/ユーザーID|User ID/).fill(loginId);
  await page.getByLabel(/^(パスワード|Password)$/).fill(password);
  await page.getByRole("button", { name: /^(ログイン|Sign in)$/ }).click();
}

/**
 * Signs in as a demo user. The demo requires a second factor of the secretariat and EMS-privileged
 * users (DEMO_TOTP_LOGINS, enrolled with DEMO_TOTP_SECRET): for them the authenticator step is
 * completed too, unless the password was refused (the login error shows instead).
 */
export async function signIn(page: Page, loginId: string, password = DEMO_PASSWORD, server: TServer = "main") {
  await signInWithPassword(page, loginId, password, server);
  if (!(DEMO_TOTP_LOGINS as readonly string[]).includes(loginId)) return;
  const step = page.getByTestId("second-factor-page");
  await expect(step.or(page.getByTestId("login-error"))).toBeVisible({ timeout: 30_000 });
  if (await step.isVisible()) await enterTotpCode(page, loginId, DEMO_TOTP_SECRET, server);
}

/** On the second-factor page: a code from the authenticator app, then on to the portal. */
export async function enterTotpCode(page: Page, loginId: string, secretBase32: string, server: TServer = "main") {
  // The form sends through React: filled before hydration, a submit would only reload the page.
  await expect(page.getByTestId("second-factor-page")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.getByLabel(/認証アプリに表示されている6桁のコード|6-digit code in your authenticator app/).fill(await totpCode(loginId, secretBase32, server));
  await page.getByRole("button", { name: /^(確認|Verify)$/ }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/** The last time step used per server and login in this test process (the server accepts a step once). */
const usedSteps = new Map<string, number>();
const TOTP_PERIOD = 30;

/**
 * What the authenticator app would show, for a step the server has not accepted yet: the current
 * step, else the next (the server accepts one step either side), else after waiting for the step
 * to pass. The last step is both remembered here and read from the server's database, so a code
 * used by another test (or before a worker restart) is not offered again.
 */
export async function totpCode(loginId: string, secretBase32: string, server: TServer = "main"): Promise<string> {
  const key = `${server}:${loginId}`;
  for (;;) {
    const stored = await withDb(
      (c) => c.query<{ last_step: number | null }>("SELECT t.last_step FROM totp_factors t JOIN staff_users u ON u.id = t.user_id WHERE u.login_id = $1", [loginId]),
      server,
    );
    const last = Math.max(usedSteps.get(key) ?? -1, stored.rows[0]?.last_step ?? -1);
    const now = TOTP.counter({ period: TOTP_PERIOD });
    const step = last < now ? now : last === now ? now + 1 : null;
    if (step !== null) {
      usedSteps.set(key, step);
      return TOTP.generate({ secret: Secret.fromBase32(secretBase32), period: TOTP_PERIOD, timestamp: step * TOTP_PERIOD * 1000 });
    }
    await new Promise((r) => setTimeout(r, TOTP.remaining({ period: TOTP_PERIOD }) + 250));
  }
}

export async function expectSignedIn(page: Page) {
  await expect(page.getByTestId("header-user")).toBeVisible();
}

/** Direct SQL on the server's embedded database, to set up states no screen makes (an old password). */
export async function withDb<T>(fn: (c: pg.Client) => Promise<T>, server: TServer = "main"): Promise<T> {
  const c = new pg.Client({ connectionString: `postgresql://chiikilink:chiikilink-local@127.0.0.1:${SERVERS[server].pgPort}/chiikilink` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync("test-results/screens", { recursive: true });
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/**
 * The demo patient the demo-region test shows off (most check-ups, with images and reports); tests
 * that change a patient's consent pick another one.
 */
export const SHOWCASE_PATIENT_SQL = `SELECT patient_id FROM clinical_contents WHERE patient_id IS NOT NULL AND category = 'CHECKUP'
    AND patient_id IN (SELECT patient_id FROM clinical_contents WHERE category = 'IMAGING' INTERSECT SELECT patient_id FROM clinical_contents WHERE category = 'REPORT')
  GROUP BY patient_id ORDER BY count(*) DESC, patient_id LIMIT 1`;
