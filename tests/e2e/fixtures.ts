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

/** A browser context presenting a terminal certificate (a .p12 file and its password). */
export async function terminalContext(browser: Browser, p12: { file?: string; buffer?: Buffer; password: string }, server: TServer = "main"): Promise<BrowserContext> {
  return browser.newContext({
    clientCertificates: [
      p12.buffer ? { origin: origin(server), pfx: p12.buffer, passphrase: p12.password } : { origin: origin(server), pfxPath: p12.file!, passphrase: p12.password },
    ],
  });
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
