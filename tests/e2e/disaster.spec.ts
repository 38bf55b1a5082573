import { expect, test, type Page } from "@playwright/test";
import { DEMO_EVACUEE } from "../fixtures/demo-constants";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, signInWithPassword, totpCode, withDb } from "./fixtures";

/*
 * The disaster rule (issue 16, seed 000's Noto rule) in the browser: the secretariat declares a
 * disaster for the evacuee's municipality, every user sees the banner, the clinic's EMS user opens
 * the evacuee's recent records under it (the clinic is not one the network allows EMS for, and
 * the evacuee is not linked there), the secretariat closes it, and the records are gone again.
 */

const TABLET = { width: 768, height: 1024 };
const DISASTER_NAME = "令和8年奥能登地震（訓練）";

/** The clinic doctor gets the EMS privilege (and so a second factor) here; later specs expect the demo's clinic doctor. */
async function restoreClinicDoctor() {
  await withDb(async (c) => {
    await c.query("UPDATE staff_users SET has_ems_privilege = false WHERE login_id = 'clinic-doctor'");
    await c.query("DELETE FROM recovery_codes WHERE user_id = (SELECT id FROM staff_users WHERE login_id = 'clinic-doctor')");
    await c.query("DELETE FROM totp_factors WHERE user_id = (SELECT id FROM staff_users WHERE login_id = 'clinic-doctor')");
    // nothing of this spec stays in force for the specs after it
    await c.query("UPDATE disaster_declarations SET closed_at = now() WHERE closed_at IS NULL AND name = $1", [DISASTER_NAME]);
  });
}
test.afterAll(restoreClinicDoctor);

/** The evacuee as the hospital knows them (registered with an address in the area, linked at the hospital only). */
async function evacuee() {
  const r = await withDb((c) =>
    c.query<{ id: string; name_kanji: string; facility_patient_id: string; links: number }>(
      `SELECT p.id, p.name_kanji, l.facility_patient_id,
              (SELECT count(*)::int FROM facility_patient_links x WHERE x.patient_id = p.id AND x.unlinked_at IS NULL) AS links
         FROM patients p JOIN facility_patient_links l ON l.patient_id = p.id AND l.unlinked_at IS NULL
         JOIN facilities f ON f.id = l.facility_id AND f.code = $2
        WHERE p.address = $1`,
      [DEMO_EVACUEE.address, DEMO_EVACUEE.facilityCode],
    ),
  );
  expect(r.rows).toHaveLength(1);
  return r.rows[0]!;
}

async function openDisasters(page: Page) {
  await page.goto(`${origin()}/`);
  await page.getByRole("link", { name: "災害時の臨時運用" }).first().click();
  await expect(page).toHaveURL(/\/admin\/disasters$/);
  await page.waitForLoadState("networkidle");
}

test("the facility register shows and sets the EMS permission beside 中核病院", async ({ browser }) => {
  const context = await facilityContext(browser, FACILITY.secretariat);
  const page = await context.newPage();
  await signIn(page, "jimukyoku");
  await page.goto(`${origin()}/admin/facilities`);
  const hospital = page.getByTestId(`facility-row-${FACILITY.hospital}`);
  await expect(hospital).toContainText("中核");
  await expect(hospital).toContainText("EMS");
  await expect(page.getByTestId(`facility-row-${FACILITY.clinic}`)).not.toContainText("EMS");
  await hospital.getByRole("link", { name: "編集" }).click();
  await expect(page.getByLabel("EMS機能の利用を許可")).toBeChecked();
  await expect(page.getByLabel("中核病院")).toBeChecked();
  await context.close();
});

test("the secretariat declares a disaster for the evacuee's municipality; a clinic outside the usual links opens the evacuee's recent data under it; after it is closed it cannot", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const person = await evacuee();
  // the evacuee is the hospital's patient alone, with recent prescriptions there
  expect(person.links).toBe(1);
  const recent = await withDb((c) =>
    c.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM clinical_contents WHERE patient_id = $1 AND category = 'PRESCRIPTION_ORDER' AND occurred_at > now() - interval '80 days'",
      [person.id],
    ),
  );
  expect(recent.rows[0]!.n).toBeGreaterThan(0);

  // ---- the secretariat declares it
  const office = await facilityContext(browser, FACILITY.secretariat);
  const jimu = await office.newPage();
  await jimu.setViewportSize(TABLET);
  await signIn(jimu, "jimukyoku");
  await expectSignedIn(jimu);
  await expect(jimu.getByTestId("disaster-banner")).toHaveCount(0);
  await openDisasters(jimu);
  await expect(jimu.getByTestId("disasters-active")).toContainText("発令中の災害宣言はありません。");
  const form = jimu.getByTestId("disaster-form");
  // the Noto rule's easements come checked; overriding a withdrawal does not
  await expect(form.getByLabel("閲覧先施設への連絡を省略可とする")).toBeChecked();
  await expect(form.getByLabel("口頭同意を事後に記録することを可とする")).toBeChecked();
  await expect(form.getByLabel("利用停止を届け出た患者も閲覧可とする")).not.toBeChecked();

  // bad input: each field says what is wrong, nothing is declared
  await form.getByLabel(/^対象地域/).fill("輪島\n市");
  await form.getByLabel(/^終了日時/).fill("");
  await form.getByRole("button", { name: "発令する" }).click();
  await expect(jimu.locator('[data-field="name"]')).toContainText("名称を入力してください");
  await expect(jimu.locator('[data-field="areas"]')).toContainText("「輪島」は都道府県名または市区町村名");
  await expect(jimu.locator('[data-field="areas"]')).toContainText("「市」は都道府県名または市区町村名");
  await expect(jimu.locator('[data-field="endsAt"]')).toContainText("終了日時を入力してください");
  await form.getByLabel("指定した施設のみ").check();
  await form.getByRole("button", { name: "発令する" }).click();
  await expect(jimu.locator('[data-field="viewerFacilityIds"]')).toContainText("閲覧できる施設を1つ以上選択してください");
  await screenshot(jimu, "disaster-admin-errors-tablet");
  expect((await withDb((c) => c.query<{ n: number }>("SELECT count(*)::int AS n FROM disaster_declarations"))).rows[0]!.n).toBe(0);

  await form.getByLabel("すべての参加施設").check();
  await form.getByLabel(/^名称/).fill(DISASTER_NAME);
  await form.getByLabel(/^対象地域/).fill(`${DEMO_EVACUEE.area}\n珠洲市、鳳珠郡能登町`);
  const ends = new Date(Date.now() + 7 * 86_400_000 + 9 * 3600_000).toISOString().slice(0, 16);
  await form.getByLabel(/^終了日時/).fill(ends);
  await form.getByLabel("備考").fill("二次避難者の受診に備えて（能登半島地震の臨時運用ルールに準じる）");
  await form.getByRole("button", { name: "発令する" }).click();
  await expect(jimu.getByText("災害宣言を発令しました。")).toBeVisible();
  const card = jimu.getByTestId("disasters-active").getByTestId("disaster-card");
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId("disaster-name")).toHaveText(DISASTER_NAME);
  await expect(card.getByTestId("disaster-areas")).toHaveText(`${DEMO_EVACUEE.area}珠洲市鳳珠郡能登町`);
  await expect(card.getByTestId("disaster-viewers")).toHaveText("すべての参加施設");
  await expect(card.getByTestId("disaster-history")).toContainText("発令（事務 局子）");
  // the banner is on the secretariat's own pages at once
  await expect(jimu.getByTestId("disaster-banner")).toContainText(DISASTER_NAME);
  const declared = await withDb((c) =>
    c.query<{ id: string; areas: string[]; viewer_facility_ids: string[]; skip_notice: boolean; consent_after_fact: boolean; overrides_withdrawal: boolean }>(
      "SELECT id, areas, viewer_facility_ids, skip_notice, consent_after_fact, overrides_withdrawal FROM disaster_declarations WHERE name = $1",
      [DISASTER_NAME],
    ),
  );
  expect(declared.rows[0]).toMatchObject({ areas: [DEMO_EVACUEE.area, "珠洲市", "鳳珠郡能登町"], viewer_facility_ids: [], skip_notice: true, consent_after_fact: true, overrides_withdrawal: false });
  const disasterId = declared.rows[0]!.id;
  await jimu.evaluate(() => window.scrollTo(0, 0));
  await screenshot(jimu, "disaster-admin-tablet");
  await jimu.setViewportSize({ width: 1280, height: 900 });
  await screenshot(jimu, "disaster-admin-desktop");
  await jimu.setViewportSize(TABLET);

  // ---- another user, anywhere in the network, sees the banner
  const pharmacy = await facilityContext(browser, FACILITY.pharmacy);
  const pharmacist = await pharmacy.newPage();
  await pharmacist.setViewportSize(TABLET);
  await signIn(pharmacist, "pharmacist");
  const banner = pharmacist.getByTestId("disaster-banner");
  await expect(banner).toContainText("災害時の臨時運用中");
  await expect(banner).toContainText(`「${DISASTER_NAME}」`);
  await expect(banner).toContainText(`対象地域: ${DEMO_EVACUEE.area}、珠洲市、鳳珠郡能登町`);
  await expect(banner).toContainText("まで");
  await expect(banner).toContainText("口頭同意は事後の記録も可。閲覧先施設への連絡は省略可。");
  await screenshot(pharmacist, "disaster-banner-home-tablet");
  await pharmacist.goto(`${origin()}/facilities`);
  await expect(pharmacist.getByTestId("disaster-banner")).toBeVisible();
  await screenshot(pharmacist, "disaster-banner-facilities-tablet");
  await pharmacist.setViewportSize({ width: 1280, height: 900 });
  await screenshot(pharmacist, "disaster-banner-facilities-desktop");
  await pharmacy.close();

  // ---- the clinic's facility admin account is given the EMS privilege by the secretariat
  const doctorId = (await withDb((c) => c.query<{ id: string }>("SELECT id FROM staff_users WHERE login_id = 'clinic-doctor'"))).rows[0]!.id;
  await jimu.goto(`${origin()}/admin/staff/${doctorId}`);
  await jimu.waitForLoadState("networkidle");
  await jimu.getByLabel("救急時閲覧権限").check();
  await jimu.getByRole("button", { name: "保存", exact: true }).click();
  await expect(jimu.getByText("保存しました")).toBeVisible();
  expect((await withDb((c) => c.query<{ ems: boolean }>("SELECT has_ems_privilege AS ems FROM staff_users WHERE id = $1", [doctorId]))).rows[0]!.ems).toBe(true);

  // the network requires a second factor of EMS-privileged users: the doctor sets up the authenticator app first
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const doctor = await clinic.newPage();
  await doctor.setViewportSize(TABLET);
  await signInWithPassword(doctor, "clinic-doctor");
  await expect(doctor).toHaveURL(/\/login\/second-factor\/enrol$/);
  await doctor.waitForLoadState("networkidle");
  await doctor.getByRole("button", { name: "認証アプリを設定する" }).click();
  const secret = (await doctor.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  await doctor.getByLabel("2. アプリに表示された6桁のコード").fill(await totpCode("clinic-doctor", secret));
  await doctor.getByRole("button", { name: "確認して有効にする" }).click();
  await doctor.getByRole("button", { name: "ポータルへ進む" }).click();
  await expectSignedIn(doctor);
  await expect(doctor.getByTestId("disaster-banner")).toContainText(DISASTER_NAME);

  // ---- the clinic opens the evacuee's recent records under the declaration
  const { recentId } = await openEvacueeUnderDisaster(doctor, person);
  const grant = await withDb((c) =>
    c.query<{ id: string; basis: string; disaster_id: string; notice_message_id: string | null; ended_at: Date | null }>(
      "SELECT g.id, g.basis, g.disaster_id, g.notice_message_id, g.ended_at FROM emergency_grants g WHERE g.viewer_id = $1 AND g.patient_id = $2",
      [doctorId, person.id],
    ),
  );
  expect(grant.rows).toHaveLength(1);
  expect(grant.rows[0]).toMatchObject({ basis: "DISASTER", disaster_id: disasterId, notice_message_id: null, ended_at: null });
  const reads = await withDb((c) =>
    c.query<{ is_emergency: boolean; emergency_grant_id: string | null; access_type: string }>(
      "SELECT is_emergency, emergency_grant_id, access_type::text FROM access_logs WHERE user_id = $1 AND patient_id = $2 AND access_type NOT IN ('EMS_LOOKUP', 'DENIED', 'EMERGENCY_GRANT')",
      [doctorId, person.id],
    ),
  );
  expect(reads.rows.length).toBeGreaterThan(1);
  for (const r of reads.rows) expect(r).toMatchObject({ is_emergency: true, emergency_grant_id: grant.rows[0]!.id });
  const recordsUrl = doctor.url();

  // ---- the secretariat extends it (a later end only), then closes it early
  await openDisasters(jimu);
  const active = jimu.getByTestId("disasters-active");
  await active.getByRole("button", { name: "期間を延長" }).click();
  const extend = jimu.getByTestId("disaster-extend-form");
  await extend.getByLabel(/^新しい終了日時/).fill(new Date(Date.now() + 2 * 86_400_000 + 9 * 3600_000).toISOString().slice(0, 16));
  await extend.getByRole("button", { name: "延長する" }).click();
  await expect(extend.locator('[data-field="endsAt"]')).toContainText("新しい終了日時は、現在の終了日時より後にしてください");
  const later = new Date(Date.now() + 10 * 86_400_000 + 9 * 3600_000).toISOString().slice(0, 16);
  await extend.getByLabel(/^新しい終了日時/).fill(later);
  await extend.getByLabel("延長の理由").fill("余震が続くため");
  await extend.getByRole("button", { name: "延長する" }).click();
  await expect(jimu.getByTestId("disaster-done")).toHaveText("期間を延長しました。");
  await expect(active.getByTestId("disaster-history")).toContainText(`期間延長（事務 局子） 終了日時 ${ends.replace("T", " ").replaceAll("-", "/")} → ${later.replace("T", " ").replaceAll("-", "/")}: 余震が続くため`);
  await expect(active.getByTestId("disaster-grants")).toHaveText("1 件");
  await active.getByRole("button", { name: "早期終了" }).click();
  await expect(jimu.getByTestId("disaster-close-form")).toContainText("この災害宣言を今すぐ終了しますか？");
  await screenshot(jimu, "disaster-admin-close-tablet");
  await jimu.getByTestId("disaster-close-form").getByLabel("終了の理由").fill("訓練終了");
  await jimu.getByRole("button", { name: "終了する" }).click();
  await expect(jimu.getByTestId("disaster-done")).toHaveText("災害宣言を終了しました（終了した救急時閲覧: 1 件）。");
  await expect(jimu.getByTestId("disasters-active")).toContainText("発令中の災害宣言はありません。");
  const ended = jimu.getByTestId("disasters-ended").getByTestId("disaster-card");
  await expect(ended.getByTestId("disaster-status")).toHaveText("終了");
  await expect(ended.getByTestId("disaster-history")).toContainText("早期終了（事務 局子）: 訓練終了");
  await expect(ended.getByTestId("disaster-grants")).toHaveText("1 件");
  await expect(jimu.getByTestId("disaster-banner")).toHaveCount(0);
  await screenshot(jimu, "disaster-admin-ended-tablet");

  // ---- the clinic can no longer read the evacuee, nor open them again
  await doctor.goto(recordsUrl);
  await expect(doctor.getByTestId("disaster-banner")).toHaveCount(0);
  await expectEvacueeRefused(doctor, person, recentId);
  const denied = await withDb((c) =>
    c.query<{ detail: string }>(
      "SELECT detail FROM access_logs WHERE user_id = $1 AND access_type = 'DENIED' AND detail LIKE 'EMS %' AND at > (SELECT ended_at FROM emergency_grants WHERE id = $2)",
      [doctorId, grant.rows[0]!.id],
    ),
  );
  expect(denied.rows.map((r) => r.detail)).toContain(`EMS ${FACILITY.hospital}:${person.facility_patient_id}#EMS FACILITY_NOT_ALLOWED`);
  await office.close();
  await clinic.close();
});

type TEvacuee = { id: string; name_kanji: string; facility_patient_id: string };

/** The evacuee's hospital prescriptions: the newest inside the grant's window, and one well before it. */
async function hospitalPrescriptions(person: TEvacuee, windowFrom: string) {
  const r = await withDb((c) =>
    c.query<{ id: string; title: string; recent: boolean; old: boolean }>(
      `SELECT id, title, occurred_at >= ($2::date + 2) AS recent, occurred_at < ($2::date - 2) AS old
         FROM clinical_contents WHERE patient_id = $1 AND category = 'PRESCRIPTION_ORDER' AND NOT is_deleted ORDER BY occurred_at DESC`,
      [person.id, windowFrom],
    ),
  );
  return { recent: r.rows.filter((x) => x.recent), old: r.rows.filter((x) => x.old) };
}

/**
 * `<施設患者ID>#EMS` at the clinic, as the EMS screens take it: the patient search sends it to the
 * EMS entry, the hospital is picked, the identity is confirmed on the DISASTER ground, the reason
 * and the consent (after the fact, as the declaration allows) are stated; then the recent records.
 */
async function openEvacueeUnderDisaster(page: Page, person: TEvacuee) {
  // the clinic has no link to the evacuee: nothing to see the usual way
  expect((await page.goto(`${origin()}/patients/${person.id}`))?.status()).toBe(404);
  await page.goto(`${origin()}/patients`);
  await page.getByTestId("patient-search-form").getByLabel("施設患者ID").fill(`${person.facility_patient_id}#EMS`);
  await page.getByTestId("patient-search-form").getByRole("button", { name: "検索" }).click();
  await expect(page).toHaveURL(/\/ems\?id=/);
  const entry = page.getByTestId("ems-entry-form");
  await entry.locator('select[name="facility"]').selectOption({ label: `飯田中央病院（${FACILITY.hospital}）` });
  await entry.getByRole("button", { name: "本人確認へ進む" }).click();
  await expect(page.getByTestId("ems-identity-name")).toHaveText(person.name_kanji);
  await expect(page.getByTestId("ems-identity-ground")).toHaveText(`災害：${DISASTER_NAME}`);
  const form = page.getByTestId("ems-grant-form");
  // the declaration allows consent after the fact, beside the usual four
  await expect(form.getByLabel("事後に取得（災害時の臨時運用）", { exact: true })).toBeVisible();
  await expect(form.getByLabel("同意なし（中核病院）")).toHaveCount(0);
  await page.waitForLoadState("networkidle");
  await screenshot(page, "disaster-ems-confirmation-tablet");
  await form.getByLabel("災害", { exact: true }).check();
  await form.getByLabel(/^理由の詳細/).fill("能登からの二次避難者。常用薬と直近の検査を確認するため");
  await form.getByLabel("事後に取得（災害時の臨時運用）", { exact: true }).check();
  await form.getByLabel(/^同意を確認した人の氏名/).fill("内科 次郎");
  // the declaration skips the notice: the acknowledgement does not promise one
  await expect(form.getByLabel(/開示施設への通知は省略されます/)).toHaveCount(1);
  await form.getByLabel(/この閲覧は記録され/).check();
  await form.getByRole("button", { name: "救急時閲覧を開始する" }).click();
  await expect(page).toHaveURL(new RegExp(`/patients/${person.id}$`));
  const banner = page.getByTestId("ems-banner");
  await expect(banner.getByTestId("ems-ground")).toHaveText(`災害：${DISASTER_NAME}`);
  await expect(page.getByTestId("disaster-banner")).toContainText(DISASTER_NAME);

  // the hospital's recent prescriptions, none from before the window
  const windowFrom = (
    await withDb((c) =>
      c.query<{ w: string }>("SELECT g.window_from::text AS w FROM emergency_grants g JOIN staff_users u ON u.id = g.viewer_id WHERE u.login_id = 'clinic-doctor' AND g.patient_id = $1", [person.id]),
    )
  ).rows[0]!.w;
  const { recent, old } = await hospitalPrescriptions(person, windowFrom);
  expect(recent.length).toBeGreaterThan(0);
  expect(old.length).toBeGreaterThan(0);
  await page.goto(`${origin()}/patients/${person.id}/records?tab=prescriptions&from=2000-01-01`);
  const table = page.getByTestId("records-table");
  await expect(table).toBeVisible();
  for (const c of recent) await expect(table.locator(`a[href="/patients/${person.id}/contents/${c.id}"]`)).toHaveCount(1);
  for (const c of old) await expect(table.locator(`a[href="/patients/${person.id}/contents/${c.id}"]`)).toHaveCount(0);
  await table.locator(`a[href="/patients/${person.id}/contents/${recent[0]!.id}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`/patients/${person.id}/contents/${recent[0]!.id}$`));
  await expect(page.getByTestId("ems-banner")).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "disaster-ems-records-tablet");
  return { recentId: recent[0]!.id };
}

/** After the declaration: its records are gone, and a new `#EMS` for them is refused with its reason. */
async function expectEvacueeRefused(page: Page, person: TEvacuee, recentId: string) {
  // the grant ended with the declaration: the patient's pages say so
  await page.goto(`${origin()}/patients/${person.id}/records?tab=prescriptions&from=2000-01-01`);
  await expect(page.getByTestId("ems-ended")).toContainText("救急時閲覧は終了しました");
  await expect(page.getByTestId("records-table")).toHaveCount(0);
  await expect(page.getByTestId("ems-banner")).toHaveCount(0);
  await expect(page.getByTestId("disaster-banner")).toHaveCount(0);
  await page.goto(`${origin()}/patients/${person.id}/contents/${recentId}`);
  await expect(page).toHaveURL(new RegExp(`/ems/ended\\?patient=${person.id}$`));
  await expect(page.getByTestId("ems-ended")).toBeVisible();
  // asking again: the clinic is not one the network allows EMS for, and no declaration covers it now
  await page.goto(`${origin()}/patients/${person.id}`);
  await page.getByRole("button", { name: "もう一度申請する" }).click();
  const refusal = page.getByTestId("ems-refusal");
  await expect(refusal).toContainText("救急時閲覧はできません");
  await expect(refusal).toContainText("この施設は、ネットワークで救急時閲覧（EMS）を認められていません。");
  await expect(page.getByTestId("ems-identity")).toHaveCount(0);
  await screenshot(page, "disaster-ems-refused-after-tablet");
}
