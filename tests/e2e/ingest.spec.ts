import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, SHOWCASE_PATIENT_SQL, signIn, withDb } from "./fixtures";

const SAMPLE = "tests/fixtures/ssmix2/sampleData/999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";

test("a disclosing facility posts SS-MIX2 and FHIR over its certificate; the linked clinic sees the records; 最新データ取得 changes nothing new", async ({ browser }) => {
  const uploader = await facilityContext(browser, FACILITY.hospital);
  const name = SAMPLE.split("/").pop()!;
  const posted = await uploader.request.post(`${origin()}/api/ingest/ssmix2?file=${name}`, { data: fs.readFileSync(SAMPLE), headers: { "content-type": "application/octet-stream" } });
  expect(posted.status()).toBe(200);
  // The seed already imported this storage: the same message again changes nothing.
  expect(await posted.json()).toMatchObject({ ok: true, dataType: "OMP-01", created: 0, replaced: 0, unchanged: 1 });
  const broken = await uploader.request.post(`${origin()}/api/ingest/ssmix2?file=${name}`, { data: Buffer.from("MSH|^~\\&|X\rPID|1\r"), headers: { "content-type": "application/octet-stream" } });
  expect(broken.status()).toBe(422);
  expect((await broken.json()).error).toMatch(/MSH|PID/);
  const fhir = await uploader.request.post(`${origin()}/api/ingest/fhir`, { data: fs.readFileSync("tests/fixtures/fhir/outpatient-visit.json", "utf8"), headers: { "content-type": "application/fhir+json" } });
  expect(fhir.status()).toBe(200);
  await uploader.close();

  // A facility that does not disclose cannot send data.
  const pharmacy = await facilityContext(browser, FACILITY.pharmacy);
  const refused = await pharmacy.request.post(`${origin()}/api/ingest/ssmix2?file=${name}`, { data: fs.readFileSync(SAMPLE), headers: { "content-type": "application/octet-stream" } });
  expect(refused.status()).toBe(422);
  await pharmacy.close();

  // The clinic (linked, comprehensive consent) sees the hospital's records of 患者 太郎.
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  await page.goto(`${origin()}/patients?name=${encodeURIComponent("かんじゃ")}`);
  await page.getByRole("link", { name: /患者 太郎/ }).click();
  await page.getByRole("link", { name: "一覧（タブ表示）" }).click();
  await expect(page.getByTestId("records-table")).toContainText("ダーゼン錠（５mg)");
  await expect(page.getByTestId("records-table")).toContainText("飯田中央病院");
  await screenshot(page, "patient-records-clinic");

  // The clinic's liaison role may run 最新データ取得 for the hospital's link: nothing new arrives.
  const patientId = (await withDb((c) => c.query<{ patient_id: string }>("SELECT patient_id FROM facility_patient_links WHERE facility_patient_id = '9999013'"))).rows[0]!.patient_id;
  await page.goto(`${origin()}/patients/${patientId}/links`);
  await page.waitForLoadState("networkidle");
  await page.getByRole("row", { name: /9999013/ }).getByRole("button", { name: "最新データ取得" }).click();
  await expect(page.getByTestId("fetch-result")).toContainText("0件取り込み");
  await screenshot(page, "patient-links-fetch-latest");
  await clinic.close();
});

test("the demo region's generated care shows in a registered patient's calendar: prescriptions, labs, images, reports and check-ups", async ({ browser }) => {
  const rows = await withDb((c) =>
    c.query<{ patient_id: string }>(
      SHOWCASE_PATIENT_SQL,
    ),
  );
  const patientId = rows.rows[0]!.patient_id;
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  // a year of months up to the latest record: monthly prescriptions and labs, the yearly check-up
  await page.goto(`${origin()}/patients/${patientId}?zoom=month&jump=last`);
  for (const row of ["rxOrder", "lab", "checkup"])
    await expect(page.locator(`[data-row="${row}"] [role="gridcell"]:not([data-count="0"])`).first()).toBeVisible();
  await expect(page.getByTestId("facility-filter")).toContainText("飯田中央病院");
  await screenshot(page, "patient-calendar-demo-region-year");
  // images and reports come now and then: the month of the latest one of each
  for (const [row, category] of [
    ["image", "IMAGING"],
    ["report", "REPORT"],
  ] as const) {
    const latest = await withDb((c) => c.query<{ day: string | null }>("SELECT max(occurred_date)::text AS day FROM clinical_contents WHERE patient_id = $1 AND category = $2 AND NOT is_deleted", [patientId, category]));
    const month = `${latest.rows[0]!.day!.slice(0, 7)}-01`;
    await page.goto(`${origin()}/patients/${patientId}?zoom=month&start=${month}`);
    await expect(page.locator(`[data-row="${row}"] [data-day="${month}"]`)).not.toHaveAttribute("data-count", "0");
  }
  await clinic.close();
});

test("a key image of the demo region shows on the patient's page, served through the rule", async ({ browser }) => {
  const rows = await withDb((c) =>
    c.query<{ patient_id: string; id: string }>(`SELECT patient_id, id FROM clinical_contents WHERE patient_id IS NOT NULL AND category = 'IMAGING' AND payload ? 'files' LIMIT 1`),
  );
  const { patient_id: patientId, id: contentId } = rows.rows[0]!;
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  await page.goto(`${origin()}/patients/${patientId}/contents/${contentId}`);
  const image = page.getByTestId("content-page").locator("img").first();
  await image.scrollIntoViewIfNeeded();
  await expect(image).toBeVisible();
  const served = await page.request.get(`${origin()}${(await image.getAttribute("src"))!}`);
  expect(served.status()).toBe(200);
  expect(served.headers()["content-type"]).toBe("image/jpeg");
  await expect.poll(() => image.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: "test-results/screens/patient-key-image.png" });
  // The viewer: opened from the thumbnail, zoomed in, closed with Esc; the opening is logged as a file view.
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: /を拡大表示/ }).first().click();
  const viewer = page.getByRole("dialog");
  await expect(viewer).toBeVisible();
  await viewer.getByRole("button", { name: "拡大" }).click();
  await expect(viewer.getByText("125%")).toBeVisible();
  await page.screenshot({ path: "test-results/screens/patient-key-image-viewer.png" });
  await page.keyboard.press("Escape");
  await expect(viewer).toBeHidden();
  const views = await withDb((c) =>
    c.query<{ n: number }>("SELECT count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id WHERE u.login_id = 'clinic-doctor' AND l.access_type = 'FILE_VIEW' AND l.content_id = $1", [contentId]),
  );
  expect(views.rows[0]!.n).toBeGreaterThanOrEqual(1);
  // The pharmacy (not linked) gets 404 for the same file URL.
  const src = (await image.getAttribute("src"))!;
  const pharmacy = await facilityContext(browser, FACILITY.pharmacy);
  const other = await pharmacy.newPage();
  await signIn(other, "pharmacist");
  await expectSignedIn(other);
  expect((await other.request.get(`${origin()}${src}`)).status()).toBe(404);
  await clinic.close();
  await pharmacy.close();
});
