import fs from "node:fs";
import { expect, test } from "@playwright/test";
import iconv from "iconv-lite";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

test("a hospital admin counts, downloads (CP932) and checks the month's log of its contents viewed by the clinic; the clinic's admin cannot export the hospital's", async ({ browser }) => {
  // the clinic's doctor opens a hospital item of a shared patient
  const item = await withDb((c) =>
    c.query<{ patient_id: string; id: string }>(
      `SELECT c.patient_id, c.id FROM clinical_contents c JOIN facilities f ON f.id = c.owner_facility_id
        WHERE f.code = $1 AND c.category = 'LAB' AND NOT c.is_deleted
          AND c.patient_id IN (SELECT k.patient_id FROM facility_patient_links k JOIN facilities kf ON kf.id = k.facility_id WHERE kf.code = $2 AND k.unlinked_at IS NULL)
        ORDER BY c.occurred_at DESC LIMIT 1`,
      [FACILITY.hospital, FACILITY.clinic],
    ),
  );
  const { patient_id: patientId, id: contentId } = item.rows[0]!;
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const doctor = await clinic.newPage();
  await signIn(doctor, "clinic-doctor");
  await expectSignedIn(doctor);
  await doctor.goto(`${origin()}/patients/${patientId}/contents/${contentId}`);
  await expect(doctor.getByTestId("content-page")).toBeVisible();

  // a row as a refused request could leave one before ids were checked: a formula for the content id
  const formula = '=HYPERLINK("http://evil.example/","x")';
  await withDb((c) =>
    c.query(
      `INSERT INTO access_logs (id, user_id, facility_id, access_type, patient_id, owner_facility_id, content_id, detail)
       SELECT gen_random_uuid(), u.id, u.facility_id, 'DENIED', $1::uuid, h.id, $2, 'file +SUM(1)' FROM staff_users u, facilities h WHERE u.login_id = $3 AND h.code = $4`,
      [patientId, formula, "clinic-doctor", FACILITY.hospital],
    ),
  );

  const hospital = await facilityContext(browser, FACILITY.hospital);
  const page = await hospital.newPage();
  await signIn(page, "hosp-admin");
  await expectSignedIn(page);
  await page.goto(`${origin()}/admin/access-logs`);
  const form = page.getByTestId("access-log-form");
  await form.getByLabel("自施設のコンテンツが参照されたログ").check();
  await form.getByRole("button", { name: "件数を確認" }).click();
  await expect(page.getByTestId("access-log-count")).toContainText(/\d+件が対象です/);
  await screenshot(page, "access-logs-count");

  const downloading = page.waitForEvent("download");
  await page.getByTestId("access-log-form").getByRole("button", { name: "ダウンロード" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^access-log_2000101_\d{4}-\d{2}_viewed\.csv$/);
  const text = iconv.decode(fs.readFileSync((await download.path())!), "cp932");
  const lines = text.split("\r\n");
  expect(lines[0]).toBe("ContentID,AccessFacilityName,AccessPersonName,AccessTime,AccessType,AccessDetail,RegionalPatientID,AccessFacilityPatientID,ContentFacilityName,ContentFacilityPatientID,CertificateSerial,Emergency,EmergencyGrantID");
  const row = lines.find((l) => l.startsWith(`"${contentId}"`));
  expect(row).toContain('"下伊那内科クリニック","内科 次郎"');
  expect(row).toContain('"コンテンツ参照"');
  // the formula is written as text: a ' before it, the cell quoted, its quotes doubled
  expect(lines.filter((l) => l.startsWith(`"'=HYPERLINK(""http://evil.example/"",""x"")","下伊那内科クリニック","内科 次郎"`))).toHaveLength(1);
  expect(lines.filter((l) => l.startsWith('"=') || l.includes(',"=')).length).toBe(0);

  // a patient ID that does not exist: back to the form with the reason
  await page.getByTestId("access-log-form").getByLabel("患者ID（任意）").fill("NOSUCH");
  await page.getByTestId("access-log-form").getByRole("button", { name: "ダウンロード" }).click();
  await expect(page.getByText("この患者IDの患者は見つかりません")).toBeVisible();

  await page.getByTestId("access-log-form").getByLabel("患者ID（任意）").fill("");
  await page.getByTestId("access-log-form").getByRole("button", { name: "改ざん検証" }).click();
  await expect(page.getByTestId("access-log-verify")).toContainText("改ざんされていません");
  await screenshot(page, "access-logs-verified");

  // the clinic's admin: only its own facility
  const hospitalId = (await withDb((c) => c.query<{ id: string }>("SELECT id FROM facilities WHERE code = $1", [FACILITY.hospital]))).rows[0]!.id;
  const month = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 7);
  const refused = await doctor.request.get(`${origin()}/api/access-logs/export?facilityId=${hospitalId}&month=${month}&direction=viewed`);
  expect(refused.status()).toBe(404);
  await clinic.close();
  await hospital.close();
});
