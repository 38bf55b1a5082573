import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

/** A tiny but real PDF: the scanned consent form. */
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

async function signedInPage(browser: Browser, facility: string, loginId: string): Promise<Page> {
  const context = await facilityContext(browser, facility);
  const page = await context.newPage();
  await signIn(page, loginId);
  await expectSignedIn(page);
  return page;
}

async function fillPersonalInfo(page: Page) {
  await page.getByLabel(/^氏名（漢字）/).fill("連携 試子");
  await page.getByLabel(/^氏名（カナ）/).fill("れんけい ためこ");
  await page.getByLabel(/^性別/).selectOption({ label: "女性" });
  await page.getByLabel(/^生年月日/).fill("S41/06/06");
  await page.getByLabel(/^郵便番号/).fill("３９５－００１１");
  await page.getByLabel(/^住所/).fill("長野県飯田市大王路1-1");
}

test("a liaison registers a patient with two facility IDs and comprehensive consent; the linked clinic finds it by kana, the unlinked pharmacy cannot", async ({ browser }) => {
  test.setTimeout(120_000);
  // Facility A (hospital): the liaison's registration wizard.
  const liaison = await signedInPage(browser, FACILITY.hospital, "hosp-liaison");
  await liaison.goto(`${origin()}/patients/new`);
  await liaison.waitForLoadState("networkidle");
  await screenshot(liaison, "patient-register-step1-empty");

  // Bad input first: messages beside the fields, nothing saved.
  await liaison.getByLabel(/^生年月日/).fill("S41/13/40");
  await liaison.getByTestId("wizard-submit").click();
  await expect(liaison.locator('[data-field="patient.nameKanji"]')).toContainText("氏名を入力してください");
  await expect(liaison.locator('[data-field="patient.birthDate"]')).toContainText("S41/06/06 の形式");
  await screenshot(liaison, "patient-register-step1-errors");

  await fillPersonalInfo(liaison);
  await liaison.getByTestId("wizard-submit").click();
  await expect(liaison.getByRole("region", { name: "2. 連携施設の患者ID登録" })).toBeVisible();
  await expect(liaison.locator('select[name="links.0.facilityId"]')).toHaveValue(/.+/);
  await liaison.locator('input[name="links.0.facilityPatientId"]').fill("E2E-0001");
  await liaison.getByRole("button", { name: "施設を追加" }).click();
  await liaison.locator('select[name="links.1.facilityId"]').selectOption({ label: "下伊那内科クリニック" });
  await liaison.locator('input[name="links.1.facilityPatientId"]').fill("B-7777");
  await screenshot(liaison, "patient-register-step2-links");
  await liaison.getByTestId("wizard-submit").click();

  await expect(liaison.getByRole("region", { name: "3. 同意の登録" })).toBeVisible();
  await expect(liaison.getByLabel("包括同意（全参加施設）")).toBeChecked();
  await liaison.getByLabel(/^説明責任者名/).fill("連携 花子");
  await liaison.locator('input[name="consent.scan"]').setInputFiles({ name: "form6.pdf", mimeType: "application/pdf", buffer: PDF });
  await screenshot(liaison, "patient-register-step3-consent");
  await liaison.getByTestId("wizard-submit").click();
  await expect(liaison.getByTestId("register-done")).toContainText("地域患者ID");
  const regionalId = (await liaison.getByTestId("register-done").textContent())!.match(/\d{10}/)![0];
  await screenshot(liaison, "patient-register-done");

  const patientId = (
    await withDb((c) => c.query<{ id: string }>("SELECT id FROM patients WHERE regional_id = $1", [regionalId]))
  ).rows[0]!.id;

  // Registering the same person again is stopped by the duplicate warning.
  await liaison.getByRole("button", { name: "新規患者登録" }).click();
  await fillPersonalInfo(liaison);
  await liaison.getByTestId("wizard-submit").click();
  await expect(liaison.getByTestId("duplicates")).toContainText(regionalId);
  await expect(liaison.getByTestId("duplicates")).toContainText("カナ氏名と生年月日が一致");
  await screenshot(liaison, "patient-register-duplicate");

  // The liaison's patient page: header, linked facilities, the consent with its scan.
  await liaison.goto(`${origin()}/patients/${patientId}`);
  await expect(liaison.getByTestId("patient-header")).toContainText("S41/06/06（1966/06/06）");
  await expect(liaison.getByTestId("linked-facilities")).toContainText("B-7777");
  await screenshot(liaison, "patient-page-liaison");
  await liaison.goto(`${origin()}/patients/${patientId}/consent`);
  await expect(liaison.getByTestId("consent-state")).toHaveText("包括同意（全参加施設）");
  await expect(liaison.getByRole("link", { name: /同意書を表示/ })).toBeVisible();
  await screenshot(liaison, "patient-consent-history");
  const scan = await liaison.request.get(`${origin()}/api/consents/${(await withDb((c) => c.query("SELECT id FROM consent_events WHERE patient_id = $1", [patientId]))).rows[0].id}/scan`);
  expect(scan.status()).toBe(200);
  expect((await scan.body()).subarray(0, 5).toString()).toBe("%PDF-");
  await liaison.goto(`${origin()}/patients/${patientId}/links`);
  await expect(liaison.getByTestId("links-table")).toContainText("E2E-0001");
  await screenshot(liaison, "patient-links");

  // Facility B (clinic): a clinician finds the patient by kana typed in hiragana, and opens it.
  const clinic = await signedInPage(browser, FACILITY.clinic, "clinic-doctor");
  await clinic.goto(`${origin()}/patients?name=${encodeURIComponent("れんけい")}`);
  const row = clinic.getByTestId(`patient-row-${regionalId}`);
  await expect(row).toContainText("B-7777");
  await expect(row).toContainText("S41/06/06");
  await expect(row).toContainText("1966/06/06");
  await screenshot(clinic, "patients-search-clinic");
  await row.getByRole("link").click();
  await expect(clinic.getByTestId("regional-id")).toHaveText(regionalId);
  await expect(clinic.getByTestId("records-access")).toBeVisible();
  await screenshot(clinic, "patient-page-clinic");

  // Facility C (pharmacy, not linked): nothing in the search, 404 by URL and by API.
  const pharmacy = await signedInPage(browser, FACILITY.pharmacy, "pharmacist");
  await pharmacy.goto(`${origin()}/patients?name=${encodeURIComponent("レンケイ")}`);
  await expect(pharmacy.getByTestId("patient-count")).toHaveText("0 件");
  await expect(pharmacy.getByTestId(`patient-row-${regionalId}`)).toHaveCount(0);
  await screenshot(pharmacy, "patients-search-pharmacy-none");
  const direct = await pharmacy.goto(`${origin()}/patients/${patientId}`);
  expect(direct?.status()).toBe(404);
  expect((await pharmacy.request.get(`${origin()}/api/patients/${patientId}`)).status()).toBe(404);
  expect((await pharmacy.request.get(`${origin()}/api/patients/00000000-0000-4000-8000-000000000000`)).status()).toBe(404);
  const denied = await withDb((c) =>
    c.query("SELECT count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id WHERE u.login_id = 'pharmacist' AND l.access_type = 'DENIED'"),
  );
  expect(denied.rows[0].n).toBeGreaterThanOrEqual(3);

  // Withdrawal for the clinic only: from that moment the clinic gets nothing either.
  await liaison.goto(`${origin()}/patients/${patientId}/consent`);
  await liaison.getByText("同意の撤回（患者情報利用停止）を登録").click();
  const withdraw = liaison.getByTestId("consent-form-WITHDRAW");
  await withdraw.getByLabel("指定した施設のみ").check();
  await withdraw.getByLabel("下伊那内科クリニック").check();
  await withdraw.getByLabel(/^理由/).fill("本人の申し出");
  await withdraw.getByRole("button", { name: "記録する" }).click();
  await expect(liaison.getByTestId("consent-summary")).toContainText("除外: 下伊那内科クリニック");
  await screenshot(liaison, "patient-consent-withdrawn-clinic");
  // The clinic's doctor is also its liaison: the registration stays manageable, the records do not.
  await clinic.goto(`${origin()}/patients/${patientId}`);
  await expect(clinic.getByText("診療情報は、自施設の患者ID登録と同意")).toBeVisible();
  await expect(clinic.getByTestId("records-access")).toHaveCount(0);
  const api = await clinic.request.get(`${origin()}/api/patients/${patientId}`);
  expect((await api.json()).canSeeRecords).toBe(false);
  await clinic.goto(`${origin()}/patients?name=${encodeURIComponent("れんけい")}`);
  await expect(clinic.getByTestId(`patient-row-${regionalId}`)).toHaveCount(0);
  await screenshot(clinic, "patients-search-clinic-after-withdrawal");
  for (const p of [liaison, clinic, pharmacy]) await p.context().close();
});

test("a facility admin sees the own-facility list with publication states and changes one", async ({ browser }) => {
  const admin = await signedInPage(browser, FACILITY.hospital, "hosp-admin");
  await admin.goto(`${origin()}/patients/own`);
  await admin.waitForLoadState("networkidle");
  await expect(admin.getByTestId("own-row-00100005")).toContainText("未同意");
  await expect(admin.getByTestId("own-row-00100001")).toContainText("公開");
  await screenshot(admin, "own-patients");
  const row = admin.getByTestId("own-row-00100002");
  await row.getByText("修正する").click();
  await row.getByLabel("閲覧のみ").check();
  await row.getByRole("button", { name: "保存" }).click();
  await expect(admin.getByTestId("own-state-00100002")).toHaveText("閲覧のみ");
  const state = await withDb((c) => c.query("SELECT publication_state FROM facility_patient_links WHERE facility_patient_id = '00100002'"));
  expect(state.rows[0].publication_state).toBe("VIEW_ONLY");
  await admin.context().close();
});

test("a clinician bookmarks a linked patient and finds it on the home page", async ({ browser }) => {
  const nurse = await signedInPage(browser, "2000401", "aoba-nurse");
  await nurse.goto(`${origin()}/patients?name=${encodeURIComponent("ミナミ")}`);
  await nurse.getByRole("link", { name: /南 信太郎/ }).click();
  await nurse.waitForLoadState("networkidle");
  await nurse.getByRole("button", { name: "ブックマークに追加" }).click();
  await expect(nurse.getByRole("button", { name: "ブックマークを解除" })).toBeVisible();
  await nurse.goto(`${origin()}/`);
  await expect(nurse.getByTestId("bookmarks")).toContainText("南 信太郎");
  await expect(nurse.getByTestId("recent-patients")).toContainText("南 信太郎");
  await screenshot(nurse, "home-bookmarks");
  await nurse.setViewportSize({ width: 820, height: 1180 });
  await nurse.goto(`${origin()}/patients`);
  await screenshot(nurse, "patients-tablet");
  // The same screens in English.
  await nurse.context().addCookies([{ name: "locale", value: "en", url: origin() }]);
  await nurse.goto(`${origin()}/patients?name=${encodeURIComponent("ミナミ")}`);
  await expect(nurse.getByRole("heading", { name: "Regional patients" })).toBeVisible();
  await nurse.getByRole("link", { name: /南 信太郎/ }).click();
  await expect(nurse.getByText("Facilities attended")).toBeVisible();
  await nurse.goto(nurse.url() + "/consent");
  await expect(nurse.getByTestId("consent-state")).toHaveText("Comprehensive (all participating facilities)");
  await screenshot(nurse, "patient-consent-english-tablet");
  await nurse.context().close();
});

test("adding a facility later: a liaison finds a registered patient by 個人情報検索, registers their facility's ID, and corrects the address with history", async ({ browser }) => {
  // The clinic's doctor is also its liaison; 阿智 健太 is registered at the hospital only.
  const clinic = await signedInPage(browser, FACILITY.clinic, "clinic-doctor");
  await clinic.goto(`${origin()}/patients?mode=registration&name=${encodeURIComponent("あち")}`);
  await clinic.waitForLoadState("networkidle");
  const row = clinic.locator('[data-testid^="registration-row-"]', { hasText: "阿智 健太" });
  await expect(row).toContainText("H02/05/20");
  await expect(row).not.toContainText("長野県"); // identifying fields only: no address
  await screenshot(clinic, "registration-search");
  await row.getByText("自施設の患者IDを登録").click();
  await row.getByLabel(/施設患者ID/).fill("A-5005");
  await row.getByRole("button", { name: "登録する" }).click();
  await expect(clinic).toHaveURL(/\/patients\/[0-9a-f-]{36}$/);
  await expect(clinic.getByTestId("linked-facilities")).toContainText("A-5005");
  // Linked, but no consent yet: the registration is manageable, the records are not shown.
  await expect(clinic.getByText("診療情報は、自施設の患者ID登録と同意")).toBeVisible();

  await clinic.getByRole("link", { name: "個人情報の修正" }).click();
  await clinic.waitForLoadState("networkidle");
  await clinic.getByLabel(/^住所/).fill("長野県下伊那郡阿智村智里1-1");
  await clinic.getByLabel(/^修正の理由/).fill("転居");
  await clinic.getByRole("button", { name: "保存" }).click();
  await expect(clinic.getByText("保存しました（版 2）")).toBeVisible();
  await expect(clinic.getByTestId("revisions")).toContainText("長野県下伊那郡阿智村智里1-1");
  await expect(clinic.getByTestId("revisions")).toContainText("転居");
  // A second correction on the same screen saves on top of the new version (not refused as stale).
  await clinic.getByLabel(/^電話番号/).fill("0265-11-0055");
  await clinic.getByRole("button", { name: "保存" }).click();
  await expect(clinic.getByText("保存しました（版 3）")).toBeVisible();
  await screenshot(clinic, "patient-edit-history");
  await clinic.context().close();
});
