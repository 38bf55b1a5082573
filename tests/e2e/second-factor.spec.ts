import { expect, test, type Page } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import {
  enterTotpCode,
  expectSignedIn,
  FACILITY,
  facilityContext,
  origin,
  screenshot,
  SHOWCASE_PATIENT_SQL,
  signIn,
  signInWithPassword,
  totpCode,
  withDb,
} from "./fixtures";

const TABLET = { width: 768, height: 1024 };

/**
 * A user of its own for each test (the demo's users are shared with the other specs): a copy of a
 * demo account's password and secret question, with the roles the test needs.
 */
async function createUser(loginId: string, from: string, roles: string[], nameKanji: string) {
  await withDb((c) =>
    c.query(
      `INSERT INTO staff_users (id, facility_id, login_id, name_kanji, name_kana, qualification, roles, has_ems_privilege, email,
                                password_hash, password_changed_at, must_change_password, secret_question, secret_answer_hash, updated_at)
       SELECT gen_random_uuid(), facility_id, $1, $2, 'テスト タロウ', 'NURSE', $3::"StaffRole"[], false, NULL,
              password_hash, now(), false, secret_question, secret_answer_hash, now()
         FROM staff_users WHERE login_id = $4
       ON CONFLICT (login_id) DO NOTHING`,
      [loginId, nameKanji, roles, from],
    ),
  );
}

const eventsSince = async (loginId: string, since: Date) =>
  (await withDb((c) => c.query<{ kind: string; detail: string | null }>("SELECT kind, detail FROM sign_in_events WHERE login_id = $1 AND at >= $2 ORDER BY at", [loginId, since]))).rows;
const dbNow = async () => (await withDb((c) => c.query<{ t: Date }>("SELECT now() AS t"))).rows[0]!.t;

async function signOut(page: Page) {
  await page.getByRole("button", { name: /^(ログアウト|Sign out)$/ }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out/);
}

/** The password, then the switch from the app's code to a recovery code on the second-factor page. */
async function useRecoveryCode(page: Page, login: string) {
  await signInWithPassword(page, login);
  await expect(page.getByTestId("second-factor-page")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: "認証アプリが使えない場合: リカバリーコードを使う" }).click();
}

/** A code the app does not show now: each digit of the current one moved by one (left unused, unlike totpCode's). */
const wrongCode = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret) }).replace(/\d/g, (d) => String((Number(d) + 1) % 10));

test("a clinician enrols an authenticator app from the key under the QR code, signs in with it, a wrong code is refused, a recovery code works once, and an admin resets it", async ({
  browser,
}) => {
  const login = "mfa-nurse";
  await createUser(login, "hosp-admin", ["CLINICIAN"], "二段 認子");
  const since = await dbNow();
  const context = await facilityContext(browser, FACILITY.hospital);
  const page = await context.newPage();
  await page.setViewportSize(TABLET);

  // OPTIONAL (the default) and nothing enrolled: the password alone signs in.
  await signIn(page, login);
  await expectSignedIn(page);
  await page.goto(`${origin()}/profile`);
  await expect(page.getByTestId("profile-second-factor")).toContainText("未設定");
  await page.getByRole("link", { name: "二要素認証の設定" }).click();
  await expect(page).toHaveURL(/\/profile\/second-factor$/);
  await expect(page.getByTestId("sf-requirement")).toHaveText("任意");
  await page.getByRole("button", { name: "認証アプリを設定する" }).click();
  await expect(page.getByTestId("totp-qr").locator("svg")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await screenshot(page, "second-factor-enrol-qr-tablet");

  // A wrong confirmation code does not turn it on.
  await page.getByLabel("2. アプリに表示された6桁のコード").fill(wrongCode(secret));
  await page.getByRole("button", { name: "確認して有効にする" }).click();
  await expect(page.locator('[data-field="code"]')).toContainText("コードが一致しません");
  await page.getByLabel("2. アプリに表示された6桁のコード").fill(await totpCode(login, secret));
  await page.getByRole("button", { name: "確認して有効にする" }).click();
  await expect(page.getByTestId("sf-notice")).toContainText("認証アプリを有効にしました。");
  const codes = await page.getByTestId("recovery-code").allInnerTexts();
  expect(codes).toHaveLength(10);
  for (const c of codes) expect(c).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
  await expect(page.getByTestId("sf-totp-status")).toContainText("設定済み");
  await expect(page.getByTestId("sf-recovery-left")).toHaveText("未使用 10個 / 10個");
  await screenshot(page, "second-factor-profile-enrolled-tablet");
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "second-factor-profile-enrolled-desktop");
  await page.setViewportSize(TABLET);
  await signOut(page);

  // Now sign-in asks for the code: a wrong one is refused, the right one lets the user in.
  await signInWithPassword(page, login);
  await expect(page).toHaveURL(/\/login\/second-factor$/);
  await expect(page.getByTestId("second-factor-page")).toContainText("二段 認子 さん");
  await page.waitForLoadState("networkidle");
  await screenshot(page, "second-factor-verify-tablet");
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "second-factor-verify-desktop");
  await page.setViewportSize(TABLET);
  await page.getByLabel("認証アプリに表示されている6桁のコード").fill(wrongCode(secret));
  await page.getByRole("button", { name: "確認", exact: true }).click();
  await expect(page.locator('[data-field="code"]')).toContainText("コードが正しくありません。");
  await expect(page).toHaveURL(/\/login\/second-factor$/);
  await enterTotpCode(page, login, secret);
  await expect(page).toHaveURL(`${origin()}/`);
  await expectSignedIn(page);
  await signOut(page);

  // A recovery code works once…
  await useRecoveryCode(page, login);
  await page.getByLabel("リカバリーコード（10文字）").fill(codes[0]!.toUpperCase());
  await page.getByRole("button", { name: "確認", exact: true }).click();
  await expect(page).toHaveURL(/\/profile\/second-factor\?recoveryLeft=9$/);
  await expect(page.getByText("リカバリーコードでログインしました（残り9個）")).toBeVisible();
  await expect(page.getByTestId("sf-recovery-left")).toHaveText("未使用 9個 / 10個");
  await screenshot(page, "second-factor-after-recovery-tablet");
  await signOut(page);
  // …and the second time it is refused.
  await useRecoveryCode(page, login);
  await page.getByLabel("リカバリーコード（10文字）").fill(codes[0]!);
  await page.getByRole("button", { name: "確認", exact: true }).click();
  await expect(page.locator('[data-field="code"]')).toContainText("コードが正しくありません。");
  await expect(page.getByTestId("header-user")).toHaveCount(0);

  expect((await eventsSince(login, since)).map((e) => e.kind)).toEqual([
    "SUCCESS",
    "SECOND_FACTOR_ENROLLED",
    "SIGN_OUT",
    "SUCCESS",
    "SECOND_FACTOR_FAILURE",
    "SECOND_FACTOR_SUCCESS",
    "SIGN_OUT",
    "SUCCESS",
    "RECOVERY_CODE_USED",
    "SIGN_OUT",
    "SUCCESS",
    "SECOND_FACTOR_FAILURE",
  ]);
  await context.close();

  // The phone is lost: the hospital's administrator resets the second factor, and it is recorded.
  const adminContext = await facilityContext(browser, FACILITY.hospital);
  const admin = await adminContext.newPage();
  await admin.setViewportSize(TABLET);
  await signIn(admin, "hosp-admin");
  await expectSignedIn(admin);
  const userId = (await withDb((c) => c.query<{ id: string }>("SELECT id FROM staff_users WHERE login_id = $1", [login]))).rows[0]!.id;
  await admin.goto(`${origin()}/admin/staff/${userId}`);
  await admin.waitForLoadState("networkidle");
  const section = admin.getByTestId("staff-second-factor");
  await expect(section).toContainText("設定済み");
  await section.getByRole("button", { name: "二要素認証をリセット" }).click();
  await expect(section).toContainText("すべて削除し、ログイン中のセッションを終了します");
  await screenshot(admin, "second-factor-admin-reset-tablet");
  await section.getByRole("button", { name: "リセットする" }).click();
  await expect(section).toContainText("二要素認証をリセットしました。");
  await expect(section).toContainText("未設定");
  const reset = (await eventsSince(login, since)).at(-1)!;
  expect(reset).toEqual({ kind: "SECOND_FACTOR_RESET_BY_ADMIN", detail: "by hosp-admin (1 removed)" });
  await adminContext.close();
});

/** Chromium's virtual authenticator (CDP WebAuthn domain): a platform passkey that verifies the user. */
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

async function patientApiStatus(page: Page, patientId: string) {
  return page.request.get(`${origin()}/api/patients/${patientId}`, { maxRedirects: 0 });
}

test("a role the policy requires it of reaches no page, API or data until it has a second factor; it enrols a passkey and signs in with it", async ({ browser }) => {
  const login = "mfa-jimu";
  await createUser(login, "jimukyoku", ["SECRETARIAT"], "必須 事務子");
  const since = await dbNow();
  const patientId = (await withDb((c) => c.query<{ patient_id: string }>(SHOWCASE_PATIENT_SQL))).rows[0]!.patient_id;
  const context = await facilityContext(browser, FACILITY.secretariat);
  const page = await context.newPage();
  await page.setViewportSize(TABLET);

  await signInWithPassword(page, login);
  await expect(page).toHaveURL(/\/login\/second-factor\/enrol$/);
  await expect(page.getByTestId("second-factor-enrol-page")).toContainText("二要素認証が必須です");
  await screenshot(page, "second-factor-required-enrol-tablet");
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "second-factor-required-enrol-desktop");
  await page.setViewportSize(TABLET);

  // Every page sends the session back to enrolment, the password pages and the verification step included.
  for (const path of ["/", "/patients", `/patients/${patientId}`, "/admin/staff", "/admin/second-factor", "/profile", "/profile/second-factor", "/mail", "/password/change", "/login/second-factor"]) {
    await page.goto(`${origin()}${path}`);
    await expect(page, path).toHaveURL(/\/login\/second-factor\/enrol$/);
    await expect(page.getByTestId("header-user")).toHaveCount(0);
  }
  // API routes give no data: they redirect to the same step (or answer 401), never JSON.
  const api = await patientApiStatus(page, patientId);
  expect(api.status()).toBe(307);
  expect(api.headers()["location"]).toMatch(/\/login\/second-factor\/enrol$/);
  expect(await api.text()).not.toContain(patientId);
  const hospitalId = (await withDb((c) => c.query<{ id: string }>("SELECT id FROM facilities WHERE code = $1", [FACILITY.hospital]))).rows[0]!.id;
  const exportUrl = `${origin()}/api/access-logs/export?facilityId=${hospitalId}&month=${new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 7)}&direction=viewing&encoding=utf8`;
  const exported = await page.request.get(exportUrl, { maxRedirects: 0 });
  expect(exported.status()).toBe(307);
  expect(exported.headers()["content-type"] ?? "").not.toContain("csv");
  const heartbeat = await page.request.post(`${origin()}/api/session`);
  expect(heartbeat.status()).toBe(401);

  // A passkey, made by Chromium's virtual authenticator for https://localhost.
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);
  await page.waitForLoadState("networkidle");
  await page.getByLabel("パスキーの名前").fill("事務局PC1");
  await page.getByRole("button", { name: /パスキーを登録する/ }).click();
  await expect(page.getByText("二要素認証を設定しました。")).toBeVisible();
  await expect(page.getByTestId("recovery-code")).toHaveCount(10);
  await screenshot(page, "second-factor-required-enrolled-tablet");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]!.rpId).toBe("localhost");
  await page.getByRole("button", { name: "ポータルへ進む" }).click();
  await expectSignedIn(page);
  // The same request now gets the patient: the refusal above was the missing second factor.
  const allowed = await patientApiStatus(page, patientId);
  expect(allowed.status()).toBe(200);
  expect((await allowed.json()).patient).toBeTruthy();
  const allowedExport = await page.request.get(exportUrl, { maxRedirects: 0 });
  expect(allowedExport.status()).toBe(200);
  expect(allowedExport.headers()["content-type"]).toContain("csv");
  await page.goto(`${origin()}/profile/second-factor`);
  await expect(page.getByTestId("passkey-row")).toContainText("事務局PC1");
  await expect(page.getByTestId("sf-requirement")).toHaveText("必須");
  await signOut(page);

  // Signing in again: the verification step offers the passkey.
  await signInWithPassword(page, login);
  await expect(page).toHaveURL(/\/login\/second-factor$/);
  await expect(page.getByRole("button", { name: /パスキーで確認/ })).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.getByRole("button", { name: /パスキーで確認/ }).click();
  await expect(page).toHaveURL(`${origin()}/`);
  await expectSignedIn(page);
  const { credentials: after } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(after[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);

  // Under REQUIRED the last factor cannot be removed.
  await page.goto(`${origin()}/profile/second-factor`);
  await page.waitForLoadState("networkidle");
  await page.getByTestId("passkey-row").getByRole("button", { name: "削除" }).click();
  await page.getByLabel(/削除するには/).fill("abcde-fghjk");
  await page.getByTestId("remove-passkey").getByRole("button", { name: "削除" }).click();
  await expect(page.getByTestId("remove-passkey")).toContainText("最後の1つは削除できません");

  expect((await eventsSince(login, since)).map((e) => [e.kind, e.detail])).toEqual([
    ["SUCCESS", null],
    ["SECOND_FACTOR_ENROLLED", 'passkey "事務局PC1"'],
    ["SIGN_OUT", null],
    ["SUCCESS", null],
    ["SECOND_FACTOR_SUCCESS", 'passkey "事務局PC1"'],
  ]);
  await context.close();
});

test("the demo secretariat signs in with the demo authenticator secret and sets the network's policy", async ({ browser }) => {
  const since = await dbNow();
  const context = await facilityContext(browser, FACILITY.secretariat);
  const page = await context.newPage();
  await page.setViewportSize(TABLET);
  await signIn(page, "jimukyoku");
  await expectSignedIn(page);
  expect((await eventsSince("jimukyoku", since)).map((e) => e.kind)).toEqual(["SUCCESS", "SECOND_FACTOR_SUCCESS"]);

  await page.goto(`${origin()}/admin/second-factor`);
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("heading", { name: "二要素認証ポリシー" })).toBeVisible();
  const secretariat = page.getByTestId("policy-SECRETARIAT");
  await expect(secretariat.getByRole("radio", { name: "必須" })).toBeChecked();
  await expect(page.getByTestId("policy-EMS_PRIVILEGED").getByRole("radio", { name: "必須" })).toBeChecked();
  await expect(page.getByTestId("policy-CLINICIAN").getByRole("radio", { name: "任意" })).toBeChecked();
  await screenshot(page, "second-factor-policy-tablet");
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "second-factor-policy-desktop");
  await page.setViewportSize(TABLET);

  const admins = page.getByTestId("policy-FACILITY_ADMIN");
  await admins.getByRole("radio", { name: "使用しない" }).check();
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.getByText("ポリシーを保存しました（変更 1件）。")).toBeVisible();
  await expect(admins).toContainText("事務 局子");
  const row = await withDb((c) => c.query("SELECT requirement FROM second_factor_policies WHERE subject = 'FACILITY_ADMIN'"));
  expect(row.rows).toEqual([{ requirement: "OFF" }]);
  // back as it was, for the other tests
  await admins.getByRole("radio", { name: "任意" }).check();
  await page.getByRole("button", { name: "保存" }).click();
  // (the message reads as after the first save: the database says when this one is done)
  await expect
    .poll(async () => (await eventsSince("jimukyoku", since)).filter((e) => e.kind === "SECOND_FACTOR_POLICY_CHANGED").map((e) => e.detail))
    .toEqual(["FACILITY_ADMIN: OPTIONAL (default) → OFF", "FACILITY_ADMIN: OFF → OPTIONAL"]);
  await expect(page.getByText("ポリシーを保存しました（変更 1件）。")).toBeVisible();

  // English too.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Two-factor policy" })).toBeVisible();
  await screenshot(page, "second-factor-policy-english-tablet");
  await page.getByRole("button", { name: "日本語" }).click();
  await context.close();
});
