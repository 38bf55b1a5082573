import { expect, test, type Page } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, SHOWCASE_PATIENT_SQL, signIn, withDb } from "./fixtures";

const HOSPITAL = "飯田中央病院";

/** A registered demo patient and a day on which the hospital both prescribed and reported labs (not the patient other tests change). */
async function demoPatientDay() {
  const r = await withDb((c) =>
    c.query<{ patient_id: string; day: string; rx: number; labs: number }>(
      `SELECT l.patient_id, l.occurred_date::text AS day,
              (SELECT count(*)::int FROM clinical_contents r WHERE r.patient_id = l.patient_id AND r.owner_facility_id = l.owner_facility_id
                 AND r.category = 'PRESCRIPTION_ORDER' AND r.occurred_date = l.occurred_date AND NOT r.is_deleted) AS rx,
              (SELECT count(*)::int FROM clinical_contents x WHERE x.patient_id = l.patient_id AND x.owner_facility_id = l.owner_facility_id
                 AND x.category = 'LAB' AND x.occurred_date = l.occurred_date AND NOT x.is_deleted) AS labs
         FROM clinical_contents l JOIN facilities f ON f.id = l.owner_facility_id
        WHERE f.code = $1 AND l.patient_id IS NOT NULL AND l.category = 'LAB' AND NOT l.is_deleted
          AND l.patient_id IN (SELECT patient_id FROM facility_patient_links k JOIN facilities kf ON kf.id = k.facility_id WHERE kf.code = $2 AND k.unlinked_at IS NULL)
          AND l.patient_id NOT IN (${SHOWCASE_PATIENT_SQL})
          AND EXISTS (SELECT 1 FROM clinical_contents r WHERE r.patient_id = l.patient_id AND r.owner_facility_id = l.owner_facility_id
                        AND r.category = 'PRESCRIPTION_ORDER' AND r.occurred_date = l.occurred_date AND NOT r.is_deleted)
        ORDER BY l.occurred_date DESC, l.patient_id LIMIT 1`,
      [FACILITY.hospital, FACILITY.clinic],
    ),
  );
  return r.rows[0]!;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const cell = (page: Page, row: string, day: string) => page.locator(`[data-row="${row}"] [data-day="${day}"]`);

test("a clinic doctor reads the hospital's prescriptions and labs in the calendar, a lab result with its trend, month view, one facility; after withdrawal nothing of the hospital", async ({ browser }) => {
  const { patient_id: patientId, day, rx, labs } = await demoPatientDay();
  const since = new Date();
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);

  // Opening the patient shows the calendar ending today; jump to the day.
  await page.goto(`${origin()}/patients/${patientId}`);
  await expect(page.getByTestId("calendar")).toBeVisible();
  await page.locator("#calendar-start").fill(addDays(day, -3));
  await page.getByRole("button", { name: "移動" }).click();
  await expect(page).toHaveURL(new RegExp(`start=${addDays(day, -3)}`));
  await expect(cell(page, "rxOrder", day)).toHaveAttribute("data-count", String(rx));
  await expect(cell(page, "rxOrder", day)).toHaveAttribute("aria-label", new RegExp(HOSPITAL));
  await expect(cell(page, "lab", day)).toHaveAttribute("data-count", String(labs));
  await expect(cell(page, "rxOrder", addDays(day, -3))).toHaveAttribute("data-count", /\d+/);
  await screenshot(page, "calendar-day");

  // Keyboard: focus the prescriptions cell, move down to the labs, open with Enter.
  await page.waitForLoadState("networkidle");
  await cell(page, "rxOrder", day).focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowDown");
  await expect(cell(page, "lab", day)).toBeFocused();
  await page.keyboard.press("Enter");
  const panel = page.getByTestId("cell-panel");
  await expect(panel).toBeVisible();
  await expect(panel.getByTestId("content-item")).toHaveCount(labs);
  await expect(panel.getByTestId("content-item").first()).toContainText(HOSPITAL);
  await expect(panel.locator("table").first()).toBeVisible();
  await screenshot(page, "calendar-lab-panel");

  // The trend of one item across dates and facilities.
  await panel.getByRole("button", { name: /推移/ }).first().click();
  const trend = panel.getByTestId("trend");
  await expect(trend.locator("svg[role=img]")).toBeVisible();
  await screenshot(page, "calendar-lab-trend");
  await page.keyboard.press("Escape");
  await expect(panel).toHaveCount(0);

  // Month view, then one facility.
  await page.getByRole("link", { name: "月", exact: true }).click();
  await expect(page).toHaveURL(/zoom=month/);
  const month = `${day.slice(0, 7)}-01`;
  await expect(cell(page, "rxOrder", month)).toHaveAttribute("aria-label", new RegExp(HOSPITAL));
  await screenshot(page, "calendar-month");
  await page.getByTestId("facility-filter").getByRole("link", { name: /下伊那内科クリニック/ }).click();
  await expect(page).toHaveURL(/facility=/);
  await expect(page.locator(`[role="gridcell"][aria-label*="${HOSPITAL}"]`)).toHaveCount(0);
  await page.getByTestId("facility-filter").getByRole("link", { name: new RegExp(HOSPITAL) }).click();
  await expect(cell(page, "rxOrder", month)).toHaveAttribute("aria-label", new RegExp(HOSPITAL));
  await screenshot(page, "calendar-month-hospital-only");

  // Every view was logged: the calendar windows, the opened lab results, the trend.
  const logged = await withDb((c) =>
    c.query<{ access_type: string; n: number }>(
      `SELECT l.access_type, count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id
        WHERE u.login_id = 'clinic-doctor' AND l.patient_id = $1 AND l.at >= $2 GROUP BY 1`,
      [patientId, since],
    ),
  );
  const counts = Object.fromEntries(logged.rows.map((r) => [r.access_type, r.n]));
  expect(counts.CONTENT_VIEW).toBe(labs);
  expect(counts.LAB_TREND).toBeGreaterThanOrEqual(1);
  expect(counts.CALENDAR_VIEW).toBeGreaterThanOrEqual(5);

  // The clinic's doctor is also its liaison: the patient withdraws consent for the hospital.
  await page.goto(`${origin()}/patients/${patientId}/consent`);
  await page.waitForLoadState("networkidle");
  await page.getByText("同意の撤回（患者情報利用停止）を登録").click();
  const withdraw = page.getByTestId("consent-form-WITHDRAW");
  await withdraw.getByLabel("指定した施設のみ").check();
  await withdraw.getByLabel(HOSPITAL).check();
  await withdraw.getByLabel(/^理由/).fill("本人の申し出");
  await withdraw.getByRole("button", { name: "記録する" }).click();
  await expect(page.getByTestId("consent-summary")).toContainText(`除外: ${HOSPITAL}`);

  await page.goto(`${origin()}/patients/${patientId}?zoom=month&start=${month}`);
  await expect(page.getByTestId("calendar")).toBeVisible();
  await expect(page.locator(`[role="gridcell"][aria-label*="${HOSPITAL}"]`)).toHaveCount(0);
  await expect(page.getByTestId("facility-filter")).not.toContainText(HOSPITAL);
  await page.goto(`${origin()}/patients/${patientId}/records?tab=labs`);
  await expect(page.getByTestId("records")).not.toContainText(HOSPITAL);
  await screenshot(page, "calendar-after-withdrawal-records");
  await clinic.close();
});

test("a content id guessed in the URL of a patient the viewer cannot see is not found, and logged as denied", async ({ browser }) => {
  const { patient_id: patientId } = await demoPatientDay();
  const content = (await withDb((c) => c.query<{ id: string }>("SELECT id FROM clinical_contents WHERE patient_id = $1 AND category = 'LAB' LIMIT 1", [patientId]))).rows[0]!.id;
  const pharmacy = await facilityContext(browser, FACILITY.pharmacy);
  const page = await pharmacy.newPage();
  await signIn(page, "pharmacist");
  await expectSignedIn(page);
  const since = new Date();
  const res = await page.goto(`${origin()}/patients/${patientId}/contents/${content}`);
  expect(res?.status()).toBe(404);
  expect((await page.goto(`${origin()}/patients/${patientId}?zoom=month`))?.status()).toBe(404);
  const denied = await withDb((c) =>
    c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id WHERE u.login_id = 'pharmacist' AND l.access_type = 'DENIED' AND l.at >= $1`,
      [since],
    ),
  );
  expect(denied.rows[0]!.n).toBeGreaterThanOrEqual(2);
  await pharmacy.close();
});

test("the calendar, the tab views and the lab trend on a tablet, in English too", async ({ browser }) => {
  const { patient_id: patientId } = await demoPatientDay();
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  await page.goto(`${origin()}/patients/${patientId}?zoom=week&jump=last`);
  await expect(page.getByTestId("calendar")).toBeVisible();
  await screenshot(page, "calendar-week-tablet");

  await page.goto(`${origin()}/patients/${patientId}/records?tab=diagnoses`);
  await expect(page.getByTestId("records-table")).toBeVisible();
  await expect(page.getByRole("columnheader", { name: "転帰区分" })).toBeVisible();
  await page.getByRole("link", { name: "処方", exact: true }).click();
  await page.getByRole("columnheader", { name: /内容/ }).getByRole("link").click();
  await expect(page).toHaveURL(/sort=title/);
  await screenshot(page, "records-prescriptions-tablet");

  await page.goto(`${origin()}/patients/${patientId}/labs`);
  const items = page.getByTestId("lab-items");
  // the two items with the most results (the catalog lists them first)
  await items.getByRole("checkbox").nth(0).check();
  await items.getByRole("checkbox").nth(1).check();
  await items.getByRole("button", { name: "表示" }).click();
  await expect(page.getByTestId("trend-figure")).toHaveCount(2);
  await expect(page.getByTestId("trend-table")).toBeVisible();
  await screenshot(page, "lab-trend-tablet");

  await page.context().addCookies([{ name: "locale", value: "en", url: origin() }]);
  await page.goto(`${origin()}/patients/${patientId}?zoom=day&days=28&jump=last`);
  await expect(page.getByRole("link", { name: "Month", exact: true })).toBeVisible();
  await screenshot(page, "calendar-english-tablet");
  await clinic.close();
});

test("a referral letter (PDF) opens inline from the calendar's レポート row", async ({ browser }) => {
  const doc = await withDb((c) =>
    c.query<{ patient_id: string; day: string; id: string }>(
      `SELECT patient_id, occurred_date::text AS day, id FROM clinical_contents
        WHERE patient_id IS NOT NULL AND category = 'DOCUMENT' AND title LIKE '診療情報提供書%' AND NOT is_deleted
          AND patient_id IN (SELECT patient_id FROM facility_patient_links k JOIN facilities f ON f.id = k.facility_id WHERE f.code = $1 AND k.unlinked_at IS NULL)
        ORDER BY occurred_date DESC LIMIT 1`,
      [FACILITY.clinic],
    ),
  );
  const { patient_id: patientId, day } = doc.rows[0]!;
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  await page.goto(`${origin()}/patients/${patientId}?zoom=day&days=7&start=${addDays(day, -3)}`);
  await page.waitForLoadState("networkidle");
  await cell(page, "report", day).click();
  const panel = page.getByTestId("cell-panel");
  const frame = panel.locator("iframe").first();
  await expect(frame).toBeVisible();
  const pdf = await page.request.get(`${origin()}${(await frame.getAttribute("src"))!}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expect(pdf.headers()["content-disposition"]).toMatch(/^inline/);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
  // the PDF viewer renders the page after the response; give it a moment for the screenshot
  await frame.scrollIntoViewIfNeeded();
  await page.waitForTimeout(2000);
  await page.screenshot({ path: "test-results/screens/calendar-referral-pdf.png" });

  await clinic.close();
});
