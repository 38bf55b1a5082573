import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { expect } from "@playwright/test";
import pg from "pg";
import { SERVERS } from "../../playwright.config";
import { DEMO_PASSWORD } from "../fixtures/demo-constants";

export { DEMO_PASSWORD };
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

export async function signIn(page: Page, loginId: string, password = DEMO_PASSWORD, server: TServer = "main") {
  await page.goto(`${origin(server)}/login`);
  await page.getByLabel(/ユーザーID|User ID/).fill(loginId);
  await page.getByLabel(/^(パスワード|Password)$/).fill(password);
  await page.getByRole("button", { name: /^(ログイン|Sign in)$/ }).click();
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
