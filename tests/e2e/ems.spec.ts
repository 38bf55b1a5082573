import { expect, test, type Browser, type Page } from "@playwright/test";
import { DEMO_EMS_CLINIC_PATIENT_ID } from "../fixtures/demo-constants";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

/*
 * 救急時閲覧 (EMS, seed 000) in the browser: at night the hospital's EMS doctor types the clinic's
 * patient ID with #EMS, confirms the identity, gives a reason and the consent, and sees the
 * clinic's recent prescriptions and labs (nothing older than the window) under a banner; the
 * clinic's desk has the notice; the grant ends (by the button, and by its time) and the records
 * are gone. The name search (PDQ) answers only for one match. A user without the privilege is
 * refused, with a DENIED row.
 */

const EMS_SUBJECT = "【自動送信】救急時閲覧（EMS）のお知らせ";
const REASON_TEXT = "夜間に意識障害で救急搬送。内服薬と直近の検査を確認するため";
const CONFIRMER = "救急 当直医";

async function signedIn(browser: Browser, facility: string, loginId: string): Promise<Page> {
  const context = await facilityContext(browser, facility);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1024, height: 1366 });
  await signIn(page, loginId);
  await expectSignedIn(page);
  return page;
}

type TEmsPatient = { id: string; nameKanji: string; nameKana: string; sex: string; birthDate: string; phone: string; clinicId: string; hospitalId: string };

/** The demo's clinic-only patient (prisma/seed.ts), as the clinic registered them. */
async function emsPatient(): Promise<TEmsPatient> {
  const r = await withDb((c) =>
    c.query<{ id: string; name_kanji: string; name_kana: string; sex: string; birth_date: string; phone: string; clinic_id: string; hospital_id: string }>(
      `SELECT p.id, p.name_kanji, p.name_kana, p.sex::text, to_char(p.birth_date, 'YYYY/MM/DD') AS birth_date, p.phone, f.id AS clinic_id,
              (SELECT id FROM facilities WHERE code = $3) AS hospital_id
         FROM patients p JOIN facility_patient_links l ON l.patient_id = p.id AND l.unlinked_at IS NULL JOIN facilities f ON f.id = l.facility_id
        WHERE f.code = $1 AND l.facility_patient_id = $2`,
      [FACILITY.clinic, DEMO_EMS_CLINIC_PATIENT_ID, FACILITY.hospital],
    ),
  );
  expect(r.rows, "the demo's EMS patient").toHaveLength(1);
  const p = r.rows[0]!;
  return { id: p.id, nameKanji: p.name_kanji, nameKana: p.name_kana, sex: p.sex, birthDate: p.birth_date, phone: p.phone, clinicId: p.clinic_id, hospitalId: p.hospital_id };
}

/** The patient's contents of some categories, split by the grant's window (two days' margin either side). */
async function contentsAroundWindow(patientId: string, categories: string[], windowFrom: string) {
  const r = await withDb((c) =>
    c.query<{ id: string; title: string; recent: boolean; old: boolean }>(
      `SELECT id, title, occurred_at >= ($3::date + 2) AS recent, occurred_at < ($3::date - 2) AS old
         FROM clinical_contents WHERE patient_id = $1 AND category::text = ANY ($2) AND NOT is_deleted ORDER BY occurred_at DESC`,
      [patientId, categories, windowFrom],
    ),
  );
  return { recent: r.rows.filter((x) => x.recent), old: r.rows.filter((x) => x.old) };
}

/** The records tab over all dates (so an old item would show if the grant opened it). */
async function expectWindowOnly(page: Page, patientId: string, tab: "prescriptions" | "labs", categories: string[], windowFrom: string) {
  const { recent, old } = await contentsAroundWindow(patientId, categories, windowFrom);
  expect(recent.length, `${tab} within the window`).toBeGreaterThan(0);
  expect(old.length, `${tab} older than the window`).toBeGreaterThan(0);
  await page.goto(`${origin()}/patients/${patientId}/records?tab=${tab}&from=2000-01-01`);
  const table = page.getByTestId("records-table");
  await expect(table).toBeVisible();
  for (const c of recent) await expect(table.locator(`a[href="/patients/${patientId}/contents/${c.id}"]`), `${tab} ${c.title}`).toHaveCount(1);
  for (const c of old) await expect(table.locator(`a[href="/patients/${patientId}/contents/${c.id}"]`), `old ${tab} ${c.title}`).toHaveCount(0);
  // the newest one by its title, as the doctor reads it
  await expect(table.getByRole("link", { name: recent[0]!.title }).first()).toBeVisible();
  // and an old one cannot be opened directly either
  expect((await page.goto(`${origin()}/patients/${patientId}/contents/${old[0]!.id}`))?.status()).toBe(404);
}

/** The identity check and the form, filled as the night doctor does; lands on the patient's calendar. */
async function fillGrantForm(page: Page, consent: string) {
  const form = page.getByTestId("ems-grant-form");
  await form.getByLabel("救急搬送", { exact: true }).check();
  await form.getByLabel(/^理由の詳細/).fill(REASON_TEXT);
  await form.getByLabel(consent, { exact: true }).check();
  await form.getByLabel(/^同意を確認した人の氏名/).fill(CONFIRMER);
  await form.getByLabel(/この閲覧は記録され/).check();
  await form.getByRole("button", { name: "救急時閲覧を開始する" }).click();
}

async function latestGrant(patientId: string) {
  const r = await withDb((c) =>
    c.query<{ id: string; window_from: string; ended_at: Date | null; reason: string; consent: string; consent_confirmed_by: string; notice_message_id: string | null }>(
      `SELECT g.id, g.window_from::text, g.ended_at, g.reason::text, g.consent::text, g.consent_confirmed_by, g.notice_message_id
         FROM emergency_grants g JOIN staff_users u ON u.id = g.viewer_id WHERE u.login_id = 'hosp-doctor' AND g.patient_id = $1 ORDER BY g.starts_at DESC LIMIT 1`,
      [patientId],
    ),
  );
  return r.rows[0]!;
}

test("at night the hospital's EMS doctor opens the clinic's recent records with C100004＃ems; the clinic is told; ending the grant shuts them again", async ({ browser }) => {
  test.setTimeout(180_000);
  const p = await emsPatient();
  const doctor = await signedIn(browser, FACILITY.hospital, "hosp-doctor");

  // Before: the hospital has no ID for this patient and sees nothing.
  expect((await doctor.goto(`${origin()}/patients/${p.id}`))?.status()).toBe(404);

  // The patient search takes ID#EMS (full-width ＃, lower case) to the EMS entry, the ID filled in.
  await doctor.goto(`${origin()}/patients`);
  await expect(doctor.getByRole("navigation").getByRole("link", { name: "救急時閲覧（EMS）" })).toBeVisible();
  await doctor.getByTestId("patient-search-form").getByLabel("施設患者ID").fill(`${DEMO_EMS_CLINIC_PATIENT_ID}＃ems`);
  await doctor.getByTestId("patient-search-form").getByRole("button", { name: "検索" }).click();
  await expect(doctor).toHaveURL(new RegExp(`/ems\\?id=${DEMO_EMS_CLINIC_PATIENT_ID}$`));
  const entry = doctor.getByTestId("ems-entry-form");
  await expect(entry.locator('input[name="id"]')).toHaveValue(DEMO_EMS_CLINIC_PATIENT_ID);

  await screenshot(doctor, "ems-entry");

  // No facility picked: a clear message, nothing looked up.
  await entry.getByRole("button", { name: "本人確認へ進む" }).click();
  await expect(doctor.locator('[data-field="facility"]')).toContainText("施設を選択してください");
  await entry.locator('select[name="facility"]').selectOption({ label: `下伊那内科クリニック（${FACILITY.clinic}）` });
  await entry.getByRole("button", { name: "本人確認へ進む" }).click();

  // The identity as the clinic registered it, and the ground; no record yet.
  const identity = doctor.getByTestId("ems-identity");
  await expect(identity).toBeVisible();
  await expect(doctor.getByTestId("ems-identity-name")).toHaveText(p.nameKanji);
  await expect(doctor.getByTestId("ems-identity-kana")).toHaveText(p.nameKana);
  await expect(doctor.getByTestId("ems-identity-sex")).toHaveText(p.sex === "FEMALE" ? "女性" : "男性");
  await expect(doctor.getByTestId("ems-identity-birth")).toContainText(`（${p.birthDate}）`);
  await expect(doctor.getByTestId("ems-identity-ground")).toHaveText("EMS（救急時閲覧）");
  await expect(identity).toContainText("下伊那内科クリニック");
  const form = doctor.getByTestId("ems-grant-form");
  // the EMS ground takes the four usual consent modes, not the core hospital's "none"
  await expect(form.getByRole("radio")).toHaveCount(4 + 4);
  await expect(form.getByLabel("同意なし（中核病院）")).toHaveCount(0);
  await expect(doctor.getByTestId("records-table")).toHaveCount(0);
  const lookups = await withDb((c) =>
    c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_logs a JOIN staff_users u ON u.id = a.user_id WHERE u.login_id = 'hosp-doctor' AND a.access_type = 'EMS_LOOKUP' AND a.patient_id = $1 AND a.is_emergency`,
      [p.id],
    ),
  );
  expect(lookups.rows[0]!.n).toBeGreaterThan(0);
  await doctor.waitForLoadState("networkidle");
  await screenshot(doctor, "ems-confirmation");
  await doctor.setViewportSize({ width: 768, height: 1024 });
  await screenshot(doctor, "ems-confirmation-tablet");
  await doctor.setViewportSize({ width: 1024, height: 1366 });

  // Sent empty: each missing part says so, and no grant opens.
  await form.getByRole("button", { name: "救急時閲覧を開始する" }).click();
  await expect(form).toContainText("閲覧の理由を選んでください");
  await expect(form).toContainText("理由の詳細を入力してください");
  await expect(form).toContainText("同意の取得方法を選んでください");
  await expect(form).toContainText("閲覧が記録され事後に確認されることを確認して、チェックを入れてください");
  await screenshot(doctor, "ems-confirmation-errors");
  expect((await withDb((c) => c.query("SELECT 1 FROM emergency_grants WHERE patient_id = $1", [p.id]))).rowCount).toBe(0);

  // Reason, the family's oral consent, who confirmed it, the acknowledgement: the patient's calendar under the banner.
  await fillGrantForm(doctor, "家族（口頭）");
  await expect(doctor).toHaveURL(new RegExp(`/patients/${p.id}$`));
  const banner = doctor.getByTestId("ems-banner");
  await expect(banner).toBeVisible();
  await expect(banner.getByTestId("ems-ground")).toHaveText("EMS（救急時閲覧）");
  await expect(doctor.getByTestId("ems-banner-reason")).toHaveText(`救急搬送：${REASON_TEXT}`);
  await expect(banner).toContainText(`家族（口頭）（${CONFIRMER}）`);
  const grant = await latestGrant(p.id);
  expect(grant).toMatchObject({ reason: "EMERGENCY_TRANSPORT", consent: "ORAL_FAMILY", consent_confirmed_by: CONFIRMER, ended_at: null });
  await expect(doctor.getByTestId("ems-banner-window")).toContainText(`${grant.window_from.replaceAll("-", "/")} 以降の処方・注射・検査を表示しています`);
  await expect(doctor.getByTestId("records-access")).toBeVisible();
  // read-only: no bookmark, no notes or care team tabs
  await expect(doctor.getByRole("button", { name: /ブックマーク/ })).toHaveCount(0);
  await expect(doctor.getByRole("link", { name: "ノート・文書" })).toHaveCount(0);
  await doctor.waitForLoadState("networkidle");
  await doctor.evaluate(() => window.scrollTo(0, 0));
  await screenshot(doctor, "ems-grant-banner");

  // The clinic's recent prescriptions and labs, nothing older than the window.
  await expectWindowOnly(doctor, p.id, "prescriptions", ["PRESCRIPTION_ORDER", "PRESCRIPTION_DISPENSED"], grant.window_from);
  await expectWindowOnly(doctor, p.id, "labs", ["LAB", "CHECKUP"], grant.window_from);
  await doctor.goto(`${origin()}/patients/${p.id}/records?tab=labs`);
  await expect(doctor.getByTestId("ems-banner")).toBeVisible();
  await expect(doctor.getByTestId("records-table")).toBeVisible();
  await screenshot(doctor, "ems-records-labs");

  // Every read under the grant is logged as emergency and names it; the grant itself too.
  const logged = await withDb((c) =>
    c.query<{ access_type: string; n: number; emergency: boolean }>(
      `SELECT access_type::text, count(*)::int AS n, bool_and(is_emergency) AS emergency FROM access_logs WHERE emergency_grant_id = $1 GROUP BY access_type`,
      [grant.id],
    ),
  );
  const types = Object.fromEntries(logged.rows.map((r) => [r.access_type, r]));
  for (const type of ["EMERGENCY_GRANT", "PATIENT_VIEW", "CALENDAR_VIEW", "TAB_VIEW"]) expect(types[type]?.n, type).toBeGreaterThan(0);
  for (const r of logged.rows.filter((x) => x.access_type !== "EMERGENCY_GRANT")) expect(r.emergency, r.access_type).toBe(true);

  // The clinic's desk has the notice, naming its patient ID, the reason and the consent.
  const desk = await signedIn(browser, FACILITY.clinic, "clinic-doctor");
  await desk.goto(`${origin()}/mail`);
  const notice = desk.locator(`[data-testid="mail-row"][data-subject="${EMS_SUBJECT}"]`);
  await expect(notice).toHaveCount(1);
  await notice.getByRole("link", { name: EMS_SUBJECT }).click();
  const body = desk.getByTestId("mail-body");
  await expect(body).toContainText(`施設患者ID：${DEMO_EMS_CLINIC_PATIENT_ID}`);
  await expect(body).toContainText("飯田中央病院 医師 一郎");
  await expect(body).toContainText(`理由：救急搬送：${REASON_TEXT}`);
  await expect(body).toContainText(`同意の取得：家族（口頭）（確認者：${CONFIRMER}）`);
  await desk.context().close();

  // "End now": the records are gone, and the page says why.
  await doctor.goto(`${origin()}/patients/${p.id}`);
  doctor.once("dialog", (d) => void d.accept());
  await doctor.getByTestId("ems-end-grant").click();
  await expect(doctor).toHaveURL(new RegExp(`/ems/ended\\?patient=${p.id}$`));
  await expect(doctor.getByTestId("ems-ended")).toContainText("救急時閲覧は終了しました");
  await expect(doctor.getByTestId("ems-ended")).toContainText(`下伊那内科クリニックの患者（施設患者ID ${DEMO_EMS_CLINIC_PATIENT_ID}）`);
  await screenshot(doctor, "ems-ended");
  expect((await latestGrant(p.id)).ended_at).not.toBeNull();
  await doctor.goto(`${origin()}/patients/${p.id}/records?tab=prescriptions&from=2000-01-01`);
  await expect(doctor.getByTestId("ems-ended")).toBeVisible();
  await expect(doctor.getByTestId("records-table")).toHaveCount(0);
  await expect(doctor.getByTestId("ems-banner")).toHaveCount(0);
  const denied = await withDb((c) =>
    c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM access_logs a JOIN staff_users u ON u.id = a.user_id WHERE u.login_id = 'hosp-doctor' AND a.access_type = 'DENIED' AND a.patient_id = $1 AND a.at > (SELECT ended_at FROM emergency_grants WHERE id = $2)`,
      [p.id, grant.id],
    ),
  );
  expect(denied.rows[0]!.n).toBeGreaterThan(0);
  await doctor.context().close();
});

test("the EMS name search (PDQ) answers only for one patient; its ID leads to the identity check; a grant whose time is up shows nothing", async ({ browser }) => {
  test.setTimeout(180_000);
  const p = await emsPatient();
  // a twin (same kana, birth date and sex, another phone and address) that only the phone tells apart
  const twin = await withDb(async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO patients (id, regional_id, name_kanji, name_kana, kana_key, kana_given_key, sex, birth_date, address, phone, updated_at)
       SELECT gen_random_uuid(), '9' || lpad((floor(random() * 1e9))::bigint::text, 9, '0'), name_kanji, name_kana, kana_key, kana_given_key, sex, birth_date, '長野県飯田市上郷1-1', '0265-99-0000', now()
         FROM patients WHERE id = $1 RETURNING id`,
      [p.id],
    );
    return r.rows[0]!.id;
  });
  // whatever an earlier test left open of this doctor's grants for the patient is over
  await withDb((c) =>
    c.query("UPDATE emergency_grants SET ended_at = now() WHERE patient_id = $1 AND ended_at IS NULL AND ends_at > now() AND viewer_id = (SELECT id FROM staff_users WHERE login_id = 'hosp-doctor')", [p.id]),
  );
  const since = new Date();
  const doctor = await signedIn(browser, FACILITY.hospital, "hosp-doctor");
  try {
    await doctor.goto(`${origin()}/ems`);
    await doctor.getByRole("link", { name: /カナ氏名で検索（PDQ）/ }).click();
    await expect(doctor).toHaveURL(/\/ems\/search$/);
    const form = doctor.getByTestId("ems-search-form");
    const search = async (o: { kana: string; phone?: string }) => {
      await form.getByLabel(/^カナ氏名/).fill(o.kana);
      await form.getByLabel(/^生年月日/).fill(p.birthDate);
      await form.getByLabel(/^性別/).selectOption(p.sex);
      await form.getByLabel(/^電話番号/).fill(o.phone ?? "");
      await form.getByRole("button", { name: "検索" }).click();
      await doctor.waitForURL(/\/ems\/search\?/);
    };
    const searches = async () =>
      (
        await withDb((c) =>
          c.query<{ detail: string; patient_id: string | null }>(
            `SELECT a.detail, a.patient_id FROM access_logs a JOIN staff_users u ON u.id = a.user_id
              WHERE u.login_id = 'hosp-doctor' AND a.access_type = 'EMS_SEARCH' AND a.at >= $1 ORDER BY a.at`,
            [since],
          ),
        )
      ).rows;

    // Two match (hiragana typed is taken as katakana): narrow the search, naming nobody.
    await search({ kana: p.nameKana.replace(/[ァ-ヶ]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60)) });
    const result = doctor.getByTestId("ems-search-result");
    await expect(result).toContainText("1人に絞り込めません");
    await expect(result).not.toContainText(p.nameKanji);
    await expect(doctor.getByTestId("ems-search-id")).toHaveCount(0);
    await screenshot(doctor, "ems-search-narrow");

    // No one: says so.
    await search({ kana: "ゾンザイ シナイ" });
    await expect(result).toContainText("該当する患者は見つかりませんでした");

    // The phone narrows it to one: the clinic's ID, a button straight to the identity check.
    await search({ kana: p.nameKana, phone: p.phone });
    await expect(result).toContainText("1人の患者が該当しました");
    const id = doctor.getByTestId("ems-search-id");
    await expect(id).toHaveCount(1);
    await expect(id).toContainText("下伊那内科クリニック");
    await expect(id).toContainText(`${DEMO_EMS_CLINIC_PATIENT_ID}#EMS`);
    await screenshot(doctor, "ems-search-found");
    const logged = await searches();
    expect(logged.map((r) => r.detail)).toEqual(["EMS search → 2", "EMS search → 0", "EMS search +phone → 1"]);
    expect(logged.map((r) => r.patient_id)).toEqual([null, null, p.id]);

    await id.getByRole("button", { name: "このIDで本人確認へ" }).click();
    await expect(doctor.getByTestId("ems-identity-name")).toHaveText(p.nameKanji);
    await fillGrantForm(doctor, "本人（口頭）");
    await expect(doctor).toHaveURL(new RegExp(`/patients/${p.id}$`));
    await expect(doctor.getByTestId("ems-banner")).toBeVisible();
    await expect(doctor.getByTestId("records-access")).toBeVisible();

    // The clock passes the grant's end (its end moved into the past stands for it): nothing shows.
    const grant = await latestGrant(p.id);
    expect(grant.consent).toBe("ORAL_PATIENT");
    await withDb((c) => c.query("UPDATE emergency_grants SET ends_at = now() - interval '1 minute', starts_at = now() - interval '24 hours 1 minute' WHERE id = $1", [grant.id]));
    await doctor.reload();
    await expect(doctor.getByTestId("ems-ended")).toContainText("救急時閲覧は終了しました");
    await expect(doctor.getByTestId("records-access")).toHaveCount(0);
    await doctor.goto(`${origin()}/patients/${p.id}/labs`);
    await expect(doctor).toHaveURL(new RegExp(`/ems/ended\\?patient=${p.id}$`));
    await expect(doctor.getByTestId("ems-banner")).toHaveCount(0);
  } finally {
    await withDb((c) => c.query("DELETE FROM patients WHERE id = $1", [twin]));
    await doctor.context().close();
  }
});

test("a user without the EMS privilege typing ID#EMS is refused with a clear message and a DENIED row", async ({ browser }) => {
  const page = await signedIn(browser, FACILITY.pharmacy, "pharmacist");
  await page.goto(`${origin()}/patients`);
  await expect(page.getByRole("navigation").getByRole("link", { name: "救急時閲覧（EMS）" })).toHaveCount(0);
  await page.getByTestId("patient-search-form").getByLabel(/^氏名/).fill(`${DEMO_EMS_CLINIC_PATIENT_ID}#EMS`);
  await page.getByTestId("patient-search-form").getByRole("button", { name: "検索" }).click();
  await expect(page).toHaveURL(/\/ems\?id=/);
  const refusal = page.getByTestId("ems-refusal");
  await expect(refusal).toContainText("救急時閲覧はできません");
  await expect(refusal).toContainText("救急時閲覧（EMS）の権限がありません");
  await expect(refusal).toContainText("参照記録に残りました");
  await expect(page.getByTestId("ems-identity")).toHaveCount(0);
  await screenshot(page, "ems-refused");
  const denied = await withDb((c) =>
    c.query<{ detail: string }>(
      `SELECT a.detail FROM access_logs a JOIN staff_users u ON u.id = a.user_id WHERE u.login_id = 'pharmacist' AND a.access_type = 'DENIED' AND a.detail LIKE 'EMS %'`,
    ),
  );
  expect(denied.rows.map((r) => r.detail)).toEqual([`EMS :${DEMO_EMS_CLINIC_PATIENT_ID}#EMS NOT_PRIVILEGED`]);
  await page.context().close();
});
