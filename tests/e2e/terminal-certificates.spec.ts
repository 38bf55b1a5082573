import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { createCa, issueTerminalCertificate } from "../../lib/pki/forge";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, terminalContext } from "./fixtures";

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
