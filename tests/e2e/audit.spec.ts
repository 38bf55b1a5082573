import crypto from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

const PHARMACY = "みなみ調剤薬局";

/** Today in Japan (YYYY-MM-DD). */
const japanToday = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

/** A demo patient linked at the hospital. */
async function hospitalPatient(): Promise<string> {
  const r = await withDb((c) =>
    c.query<{ regional_id: string }>(
      `SELECT p.regional_id FROM patients p JOIN facility_patient_links l ON l.patient_id = p.id JOIN facilities f ON f.id = l.facility_id
        WHERE f.code = $1 AND l.unlinked_at IS NULL ORDER BY p.regional_id LIMIT 1`,
      [FACILITY.hospital],
    ),
  );
  return r.rows[0]!.regional_id;
}

async function signedIn(browser: Parameters<typeof facilityContext>[0], facility: string, loginId: string): Promise<Page> {
  const context = await facilityContext(browser, facility);
  const page = await context.newPage();
  await signIn(page, loginId);
  await expectSignedIn(page);
  return page;
}

test("the secretariat follows the pharmacist's failed sign-in, the pharmacy's day and a finding provoked here to the rows behind it", async ({ browser }) => {
  // The pharmacist mistypes the password once, signs in, and opens five patient URLs that name nobody.
  const pharmacyContext = await facilityContext(browser, FACILITY.pharmacy);
  const pharmacist = await pharmacyContext.newPage();
  await signIn(pharmacist, "pharmacist", "Wrong2026pass");
  await expect(pharmacist.getByTestId("login-error")).toBeVisible();
  await signIn(pharmacist, "pharmacist");
  await expectSignedIn(pharmacist);
  for (let i = 0; i < 5; i++) expect((await pharmacist.goto(`${origin()}/patients/${crypto.randomUUID()}`))?.status()).toBe(404);
  await pharmacyContext.close();

  const page = await signedIn(browser, FACILITY.secretariat, "jimukyoku");
  await page.getByRole("banner").getByRole("link", { name: "監査", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByTestId("audit-view-unusual")).toBeVisible();
  await screenshot(page, "audit-index");

  // Sign-in history: the secretariat's own sign-in, and the pharmacist's failure and success.
  await page.getByTestId("audit-view-signIns").click();
  await expect(page.locator('[data-testid="signin-row"][data-login="jimukyoku"][data-kind="SUCCESS"]').first()).toBeVisible();
  await page.getByLabel("ユーザーID").fill("pharm");
  await page.getByRole("button", { name: "検索" }).click();
  await expect(page).toHaveURL(/login=pharm/);
  const rows = page.getByTestId("signin-row");
  await expect(rows.first()).toHaveAttribute("data-kind", "SUCCESS");
  await expect(page.locator('[data-testid="signin-row"][data-login="pharmacist"][data-kind="FAILURE"]').first()).toContainText(PHARMACY);
  await expect(page.locator('[data-testid="signin-row"][data-login="jimukyoku"]')).toHaveCount(0);
  await screenshot(page, "audit-sign-ins");

  // The pharmacy's activity this month: today's refusals, and the rows behind the count.
  const today = japanToday();
  await page.goto(`${origin()}/admin/audit/activity`);
  await expect(page.getByText("施設と年月を選んで")).toBeVisible();
  await page.locator('select[name="facility"]').selectOption(FACILITY.pharmacy);
  await page.getByRole("button", { name: "表示" }).click();
  await expect(page).toHaveURL(new RegExp(`facility=${FACILITY.pharmacy}&month=${today.slice(0, 7)}`));
  const day = page.getByTestId(`activity-day-${today}`);
  const deniedCount = day.getByRole("link", { name: `${today} 拒否` });
  expect(Number(await deniedCount.textContent())).toBeGreaterThanOrEqual(5);
  await screenshot(page, "audit-activity");
  await deniedCount.click();
  await expect(page).toHaveURL(/\/admin\/audit\/rows\?facility=2000301&type=DENIED/);
  await expect(page.getByTestId("access-row").first()).toHaveAttribute("data-type", "DENIED");
  await expect(page.locator('[data-testid="access-row"]:not([data-type="DENIED"])')).toHaveCount(0);

  // The unusual-access report finds the repeated refusals; its link shows the rows behind them.
  await page.getByRole("link", { name: "不審なアクセス" }).click();
  await expect(page.getByTestId("unusual-range")).toContainText(today.replaceAll("-", "/"));
  const finding = page.locator('[data-testid="finding-DENIED"][data-login="pharmacist"]');
  await expect(finding).toHaveCount(1);
  await expect(finding).toContainText(PHARMACY);
  await expect(page.getByTestId("rule-BURST")).toContainText("60分未満の間に20人以上");
  await screenshot(page, "audit-unusual");
  const counted = Number(await finding.getByTestId("finding-rows").textContent());
  expect(counted).toBeGreaterThanOrEqual(5);
  await finding.getByRole("link", { name: "ログを表示" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\/rows\?user=pharmacist/);
  await expect(page.getByTestId("rows-count")).toHaveText(`${counted} 件`);
  await expect(page.getByTestId("access-row")).toHaveCount(Math.min(counted, 50));
  await expect(page.locator('[data-testid="access-row"]:not([data-login="pharmacist"])')).toHaveCount(0);
  await expect(page.getByTestId("access-row").first()).toContainText("patient ");
  await screenshot(page, "audit-rows");

  // A patient's report (seed 004: which facilities viewed the patient's data).
  const regionalId = await hospitalPatient();
  await page.goto(`${origin()}/admin/audit/patient`);
  await page.getByLabel("地域患者ID").fill(regionalId);
  await page.getByRole("button", { name: "表示" }).click();
  await expect(page.getByTestId("report-patient")).toContainText(regionalId);
  await expect(page.getByTestId("report-rows")).toBeVisible();
  await screenshot(page, "audit-patient");
  // Opening it was logged as a read of the patient.
  const logged = await withDb((c) =>
    c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id JOIN patients p ON p.id = l.patient_id
        WHERE u.login_id = 'jimukyoku' AND p.regional_id = $1 AND l.access_type = 'PATIENT_ADMIN_VIEW' AND l.detail = 'access report'`,
      [regionalId],
    ),
  );
  expect(logged.rows[0]!.n).toBeGreaterThanOrEqual(1);

  // On a tablet, in English: the rows table scrolls inside its card, the page does not.
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.context().addCookies([{ name: "locale", value: "en", url: origin() }]);
  await page.goto(`${origin()}/admin/audit/unusual`);
  await expect(page.getByRole("heading", { name: "Unusual access" })).toBeVisible();
  await screenshot(page, "audit-unusual-tablet-en");
  await page.locator('[data-testid="finding-DENIED"][data-login="pharmacist"]').getByRole("link", { name: "Show rows" }).click();
  await expect(page.getByTestId("access-row").first()).toBeVisible();
  await page.waitForLoadState("networkidle");
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
  await screenshot(page, "audit-rows-tablet-en");
  await page.context().close();
});

test("a facility admin cannot reach the secretariat's audit views, but reports on the facility's own patient", async ({ browser }) => {
  const page = await signedIn(browser, FACILITY.hospital, "hosp-admin");
  for (const path of ["/admin/audit", "/admin/audit/sign-ins", "/admin/audit/activity", "/admin/audit/unusual", "/admin/audit/rows"]) {
    expect((await page.goto(`${origin()}${path}`))?.status(), path).toBe(404);
  }
  await page.goto(`${origin()}/`);
  await page.getByRole("banner").getByRole("link", { name: "患者別閲覧履歴" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\/patient$/);
  await expect(page.getByRole("link", { name: "不審なアクセス" })).toHaveCount(0);
  const regionalId = await hospitalPatient();
  await page.getByLabel("地域患者ID").fill(regionalId);
  await page.getByRole("button", { name: "表示" }).click();
  await expect(page.getByTestId("report-patient")).toContainText(regionalId);
  await screenshot(page, "audit-patient-facility-admin");
  expect((await page.goto(`${origin()}/admin/audit/patient?regionalId=9999999999`))?.status()).toBe(404);
  await page.context().close();
});
