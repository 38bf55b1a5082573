import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { createCa, issueTerminalCertificate } from "../../lib/pki/forge";
import { opensslCsr, opensslPkcs12 } from "../fixtures/csr";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, terminalContext, withDb } from "./fixtures";

const DESKTOP = { width: 1280, height: 800 };
/** A full-page screenshot from the top, so the sticky header is drawn where it belongs. */
const shot = async (page: Page, name: string) => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
};
const TABLET = { width: 768, height: 1024 };

test("without a client certificate the request is refused with the Japanese explanation", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const res = await page.goto(`${origin()}/login`);
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "端末証明書が確認できないため、接続できません" })).toBeVisible();
  await expect(page.getByText("reason: missing")).toBeVisible();
  await expect(page.getByLabel("ユーザーID")).toHaveCount(0);
  await screenshot(page, "refused-no-certificate");
  await context.close();
});

test("a certificate from another CA is refused", async ({ browser }) => {
  const foreign = createCa("Somebody Else");
  const cert = issueTerminalCertificate(foreign, {
    facilityId: "00000000-0000-4000-8000-000000000000", facilityCode: FACILITY.hospital, facilityName: "偽病院",
    terminalId: "00000000-0000-4000-8000-000000000001", terminalName: "PC", days: 30, password: "pw-foreign-1",
  });
  const context = await terminalContext(browser, { buffer: cert.pkcs12, password: "pw-foreign-1" });
  const page = await context.newPage();
  const res = await page.goto(`${origin()}/login`);
  expect(res?.status()).toBe(403);
  await expect(page.getByText("reason: foreign")).toBeVisible();
  await context.close();
});

test("a valid certificate reaches the login page", async ({ browser }) => {
  const context = await facilityContext(browser, FACILITY.hospital);
  const page = await context.newPage();
  await page.goto(`${origin()}/`);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByText("この端末: 飯田中央病院（地域連携室PC1）")).toBeVisible();
  await screenshot(page, "login");
  await context.close();
});

test("the secretariat issues a terminal certificate, it works, and revoking it refuses the next request", async ({ browser }) => {
  // The secretariat on its own terminal issues a new certificate for the clinic.
  const admin = await facilityContext(browser, FACILITY.secretariat);
  const page = await admin.newPage();
  await signIn(page, "jimukyoku");
  await expectSignedIn(page);
  await page.goto(`${origin()}/admin/certificates`);
  const terminalName = `往診用タブレット${Date.now() % 100000}`;
  await page.locator("form #facilityId").selectOption({ label: "2000201 下伊那内科クリニック" });
  await page.getByLabel(/^端末名/).fill(terminalName);
  await page.getByRole("button", { name: "発行する" }).click();
  const password = (await page.getByTestId("one-time-password").textContent())!.trim();
  expect(password).toMatch(/^[A-Za-z0-9]{12}$/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-p12").click()]);
  const p12Path = await download.path();
  await screenshot(page, "certificate-issued");

  // The new terminal reaches the login page and a clinic user signs in on it.
  const terminal = await terminalContext(browser, { buffer: fs.readFileSync(p12Path), password });
  const tPage = await terminal.newPage();
  await signIn(tPage, "clinic-doctor");
  await expectSignedIn(tPage);

  // Revoked while the server runs: the very next request of that terminal is refused.
  await page.reload();
  const row = page.locator("tr", { hasText: terminalName });
  await row.getByRole("button", { name: "失効させる" }).click();
  await row.getByLabel("失効理由").fill("端末紛失");
  await row.getByRole("button", { name: "この証明書を失効させる" }).click();
  await expect(row.getByText("失効", { exact: true })).toBeVisible();

  const res = await tPage.goto(`${origin()}/`);
  expect(res?.status()).toBe(403);
  await expect(tPage.getByText("reason: revoked")).toBeVisible();
  await terminal.close();
  await admin.close();
});

test("only the secretariat can open the certificate screens", async ({ browser }) => {
  const context = await facilityContext(browser, FACILITY.hospital);
  const page = await context.newPage();
  await signIn(page, "hosp-admin");
  await expectSignedIn(page);
  const res = await page.goto(`${origin()}/admin/certificates`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("link", { name: /端末証明書/ })).toHaveCount(0);
  await context.close();
});

test("a .p12 downloads once: the second download is refused with when and by whom, and the list shows it", async ({ browser }) => {
  const admin = await facilityContext(browser, FACILITY.secretariat);
  const page = await admin.newPage();
  await page.setViewportSize(DESKTOP);
  await signIn(page, "jimukyoku");
  await expectSignedIn(page);
  await page.goto(`${origin()}/admin/certificates`);
  const terminalName = `受付PC${Date.now() % 100000}`;
  await page.locator("form #facilityId").selectOption({ label: "2000101 飯田中央病院" });
  await page.getByLabel(/^端末名/).fill(terminalName);
  await page.getByRole("button", { name: "発行する" }).click();
  const password = (await page.getByTestId("one-time-password").textContent())!.trim();
  await expect(page.getByTestId("download-once")).toContainText("1回だけダウンロードできます");

  // before the download the list says it waits, with its deadline
  const row = page.locator("tr", { hasText: terminalName });
  await expect(row.getByTestId("key-file")).toContainText("未ダウンロード");
  await expect(row.getByTestId("key-file")).toContainText("まで");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-p12").click()]);
  const p12 = fs.readFileSync(await download.path());
  expect(p12.length).toBeGreaterThan(1000);

  // the same link again: refused, back on the list, saying when and by whom
  await page.getByTestId("download-p12").click();
  await expect(page).toHaveURL(/\/admin\/certificates\?gone=/);
  const refusal = page.getByTestId("download-refused");
  await expect(refusal).toContainText(".p12 ファイルはダウンロードできません");
  await expect(refusal).toContainText(`2000101 ${terminalName} の .p12 ファイルは`);
  await expect(refusal).toContainText("事務 局子 さんがダウンロード済みです");
  await expect(refusal).toContainText("この証明書を失効させて新しく発行してください");
  await expect(refusal).toContainText(/\d{4}\/\d{2}\/\d{2} \d{2}:\d{2} に/);

  // the list: downloaded, when and by whom, and no download link any more
  const listed = page.locator("tr", { hasText: terminalName });
  await expect(listed.getByTestId("key-file")).toContainText("ダウンロード済み");
  await expect(listed.getByTestId("key-file")).toContainText("事務 局子");
  await expect(listed.getByRole("link", { name: ".p12 ファイルをダウンロード" })).toHaveCount(0);
  await shot(page, "certificate-download-refused");

  // a script asking for it gets 410 with the same words
  const res = await admin.request.get(`${origin()}/api/certificates/${new URL(page.url()).searchParams.get("gone")}`);
  expect(res.status()).toBe(410);
  expect(await res.text()).toContain("事務 局子 さんがダウンロード済みです");

  // the one copy that left the server works
  const terminal = await terminalContext(browser, { buffer: p12, password });
  const tPage = await terminal.newPage();
  await tPage.goto(`${origin()}/login`);
  await expect(tPage.getByText(`この端末: 飯田中央病院（${terminalName}）`)).toBeVisible();
  await terminal.close();

  await admin.close();
});

test("a certificate from the terminal's own CSR: the key never leaves the terminal, and the result signs in", async ({ browser }) => {
  // The terminal makes its key and request, as the page's help says.
  const csr = opensslCsr("ec-p256", { subject: "/CN=whatever the terminal says" });
  const weak = opensslCsr("rsa1024");

  const admin = await facilityContext(browser, FACILITY.secretariat);
  const page = await admin.newPage();
  await page.setViewportSize(DESKTOP);
  await signIn(page, "jimukyoku");
  await expectSignedIn(page);
  await page.goto(`${origin()}/admin/certificates`);
  await page.getByLabel(/端末で鍵を作り、CSR から発行する/).check();
  await page.getByTestId("csr-help").locator("summary").click();
  await expect(page.getByTestId("csr-help")).toContainText("openssl req -new -newkey rsa:2048 -nodes -keyout terminal.key -out terminal.csr");
  const terminalName = `往診タブレット${Date.now() % 100000}`;
  await page.locator("form #facilityId").selectOption({ label: "2000201 下伊那内科クリニック" });
  await page.getByLabel(/^端末名/).fill(terminalName);

  // a weak key is refused, saying why
  await page.getByLabel(/^CSR（PEM 形式）/).fill(weak.csrPem);
  await page.getByRole("button", { name: "発行する" }).click();
  await expect(page.locator("#csrPem-error")).toContainText("鍵が弱すぎます（RSA 1024）");
  await shot(page, "certificate-csr-form-refused-desktop");
  await page.setViewportSize(TABLET);
  await shot(page, "certificate-csr-form-refused-tablet");
  await page.setViewportSize(DESKTOP);

  // the terminal's request, read from its file
  await page.getByTestId("csr-file").setInputFiles(csr.csrFile);
  await expect(page.getByLabel(/^CSR（PEM 形式）/)).toHaveValue(/-----BEGIN CERTIFICATE REQUEST-----/);
  await page.getByRole("button", { name: "発行する" }).click();
  await expect(page.getByTestId("issued-certificate")).toContainText("CSR から証明書を発行しました（EC P-256）");
  await expect(page.getByTestId("issued-certificate")).toContainText("openssl pkcs12 -export -inkey terminal.key -in 2000201_");
  await expect(page.getByLabel(/^CSR（PEM 形式）/)).toHaveValue("");
  await shot(page, "certificate-csr-issued");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-crt").click()]);
  const chain = fs.readFileSync(await download.path(), "utf8");
  expect(chain.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
  expect(await page.getByTestId("issued-chain").inputValue()).toBe(chain);

  // the list: the key is on the terminal; the certificate can be fetched again, no .p12
  await page.reload();
  const row = page.locator("tr", { hasText: terminalName });
  await expect(row.getByTestId("key-file")).toContainText("端末で作成（CSR）");
  await expect(row.getByRole("link", { name: "証明書（.crt）" })).toBeVisible();
  await expect(row.getByRole("link", { name: ".p12 ファイルをダウンロード" })).toHaveCount(0);

  // The terminal puts its key and the certificate into a .p12 (openssl) and signs in with it.
  const p12 = opensslPkcs12(csr.keyFile, chain, "terminal-pass-1");
  const terminal = await terminalContext(browser, { buffer: p12, password: "terminal-pass-1" });
  const tPage = await terminal.newPage();
  const res = await tPage.goto(`${origin()}/login`);
  expect(res?.status()).toBe(200);
  await expect(tPage.getByText(`この端末: 下伊那内科クリニック（${terminalName}）`)).toBeVisible();
  await signIn(tPage, "clinic-doctor");
  await expectSignedIn(tPage);
  await terminal.close();

  // The list with every state: one waiting for its download, one past its window, the CSR one, downloaded ones.
  const issueP12 = async (name: string) => {
    await page.goto(`${origin()}/admin/certificates`);
    // The form sends through React: filled and sent before hydration, it comes back empty and nothing is issued.
    await page.waitForLoadState("networkidle");
    await page.locator("form #facilityId").selectOption({ label: "2000301 みなみ調剤薬局" });
    await page.getByLabel(/^端末名/).fill(name);
    await page.getByRole("button", { name: "発行する" }).click();
    await expect(page.getByTestId("one-time-password")).toBeVisible();
  };
  const suffix = Date.now() % 100000;
  await issueP12(`投薬窓口PC${suffix}`);
  await issueP12(`放置PC${suffix}`);
  await withDb((c) => c.query("UPDATE terminal_certificates SET issued_at = issued_at - interval '25 hours' WHERE terminal_id IN (SELECT id FROM terminals WHERE name = $1)", [`放置PC${suffix}`]));
  await page.goto(`${origin()}/admin/certificates`);
  await expect(page.locator("tr", { hasText: `投薬窓口PC${suffix}` }).getByTestId("key-file")).toContainText("未ダウンロード");
  await expect(page.locator("tr", { hasText: `投薬窓口PC${suffix}` }).getByRole("link", { name: ".p12 ファイルをダウンロード" })).toBeVisible();
  await expect(page.locator("tr", { hasText: `放置PC${suffix}` }).getByTestId("key-file")).toContainText("期限切れ");
  await expect(page.locator("tr", { hasText: `放置PC${suffix}` }).getByRole("link", { name: ".p12 ファイルをダウンロード" })).toHaveCount(0);
  for (const [name, viewport] of [["desktop", DESKTOP], ["tablet", TABLET]] as const) {
    await page.setViewportSize(viewport);
    await page.reload();
    await shot(page, `certificate-list-${name}`);
  }
  fs.rmSync(csr.dir, { recursive: true, force: true });
  fs.rmSync(weak.dir, { recursive: true, force: true });
  await admin.close();
});
