import { expect, test, type Browser, type Page } from "@playwright/test";
import config from "../../playwright.config";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, SHOWCASE_PATIENT_SQL, signIn, withDb } from "./fixtures";

const CLINIC_DOCTOR = "内科 次郎";
const HOSPITAL_DOCTOR = "医師 一郎";
const HOSPITAL = "飯田中央病院";
/** Whether the e2e servers are started with SMTP_URL (the outbox banner differs). */
const SMTP_CONFIGURED = (config.webServer as { env?: Record<string, string> }[])[0]?.env?.SMTP_URL;

/**
 * A patient both the clinic and the hospital see under a comprehensive consent nobody withdrew,
 * with no participants yet (so what other tests post or withdraw does not matter here).
 */
async function sharedPatient(): Promise<{ id: string; contentId: string }> {
  const r = await withDb((c) =>
    c.query<{ id: string; content_id: string }>(
      `SELECT p.id, (SELECT x.id FROM clinical_contents x WHERE x.patient_id = p.id AND NOT x.is_deleted ORDER BY x.occurred_at DESC, x.id LIMIT 1) AS content_id
         FROM patients p
        WHERE ${[1, 2]
          .map(
            (n) => `EXISTS (SELECT 1 FROM facility_patient_links k JOIN facilities f ON f.id = k.facility_id
                             WHERE k.patient_id = p.id AND f.code = $${n} AND k.unlinked_at IS NULL AND k.publication_state = 'PUBLISHED')`,
          )
          .join(" AND ")}
          AND EXISTS (SELECT 1 FROM consent_events e WHERE e.patient_id = p.id AND e.action = 'GRANT' AND e.scope = 'COMPREHENSIVE')
          AND NOT EXISTS (SELECT 1 FROM consent_events e WHERE e.patient_id = p.id AND e.action = 'WITHDRAW')
          AND NOT EXISTS (SELECT 1 FROM patient_participants pp WHERE pp.patient_id = p.id)
          AND EXISTS (SELECT 1 FROM clinical_contents x WHERE x.patient_id = p.id AND NOT x.is_deleted)
          AND p.id NOT IN (${SHOWCASE_PATIENT_SQL})
        ORDER BY p.regional_id DESC LIMIT 1`,
      [FACILITY.clinic, FACILITY.hospital],
    ),
  );
  return { id: r.rows[0]!.id, contentId: r.rows[0]!.content_id };
}

/** A patient the clinic has no link for (a notice about them must not name them to the clinic). */
async function patientUnseenByClinic(): Promise<string> {
  const r = await withDb((c) =>
    c.query<{ id: string }>(
      `SELECT p.id FROM patients p
        WHERE NOT EXISTS (SELECT 1 FROM facility_patient_links k JOIN facilities f ON f.id = k.facility_id WHERE k.patient_id = p.id AND f.code = $1)
        ORDER BY p.regional_id LIMIT 1`,
      [FACILITY.clinic],
    ),
  );
  return r.rows[0]!.id;
}

const userId = async (loginId: string) => (await withDb((c) => c.query<{ id: string }>("SELECT id FROM staff_users WHERE login_id = $1", [loginId]))).rows[0]!.id;

async function signedIn(browser: Browser, facility: string, loginId: string): Promise<Page> {
  const context = await facilityContext(browser, facility);
  const page = await context.newPage();
  await signIn(page, loginId);
  await expectSignedIn(page);
  return page;
}

/** Nothing on the page is wider than the screen (tables scroll inside their card). */
async function expectNoSideways(page: Page, width: number) {
  await page.waitForLoadState("networkidle");
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test("a clinic doctor joins a patient's participants, adds the hospital doctor, then both leave again; on a tablet and a phone", async ({ browser }) => {
  const patient = await sharedPatient();
  const [clinicDoctorId, hospitalDoctorId] = await Promise.all([userId("clinic-doctor"), userId("hosp-doctor")]);
  const since = new Date();
  const page = await signedIn(browser, FACILITY.clinic, "clinic-doctor");
  try {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(`${origin()}/patients/${patient.id}`);
    await page.getByRole("link", { name: "参加者", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/patients/${patient.id}/participants$`));
    const panel = page.getByTestId("participants");
    await expect(panel.getByRole("heading", { name: "参加者", exact: true })).toBeVisible();
    await expect(panel).toContainText("参加者へ通知");
    await expect(panel.getByText("あなたはこの患者の参加者ではありません。")).toBeVisible();
    await expect(panel.getByText("参加者はまだいません。")).toBeVisible();
    await page.waitForLoadState("networkidle");

    // Joining lists the viewer, marked as oneself, with no remove button (参加をやめる is theirs).
    await panel.getByRole("button", { name: "参加する" }).click();
    await expect(panel.getByText("参加者になりました。")).toBeVisible();
    const me = panel.locator(`[data-testid="participant"][data-name="${CLINIC_DOCTOR}"]`);
    await expect(me).toBeVisible();
    await expect(me).toContainText("自分");
    await expect(me).toContainText("医師");
    await expect(me.getByRole("button")).toHaveCount(0);
    await expect(panel.getByRole("button", { name: "参加をやめる" })).toBeVisible();

    // Adding the hospital's doctor from the candidates.
    const select = panel.getByLabel("追加する職員");
    const option = select.locator("option", { hasText: HOSPITAL_DOCTOR });
    await expect(option).toContainText(HOSPITAL);
    await select.selectOption((await option.getAttribute("value"))!);
    await panel.getByRole("button", { name: "追加", exact: true }).click();
    await expect(panel.getByText(`${HOSPITAL_DOCTOR} さんを参加者に追加しました。`)).toBeVisible();
    const hospitalDoctor = panel.locator(`[data-testid="participant"][data-name="${HOSPITAL_DOCTOR}"]`);
    await expect(hospitalDoctor).toContainText(HOSPITAL);
    await expect(panel.getByTestId("participant")).toHaveCount(2);
    await expect(panel.getByText("参加者一覧（2人）")).toBeVisible();
    await expect(select.locator("option", { hasText: HOSPITAL_DOCTOR })).toHaveCount(0);

    // Without an e-mail address a participant is marked (in-portal notices only).
    await withDb((c) => c.query("UPDATE staff_users SET email = NULL WHERE id = $1 AND email = 'hosp-doctor@example.jp'", [hospitalDoctorId]));
    await page.reload();
    await expect(hospitalDoctor.getByTestId("no-email")).toHaveText(/メール未登録/);
    await expect(me.getByTestId("no-email")).toHaveCount(0);
    await screenshot(page, "participants-tablet");

    // A phone: nothing wider than the screen, buttons still reachable.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoSideways(page, 390);
    const remove = hospitalDoctor.getByRole("button", { name: `${HOSPITAL_DOCTOR} を参加者から削除` });
    await expect(remove).toBeVisible();
    expect((await remove.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await screenshot(page, "participants-phone");

    // In English too.
    await page.context().addCookies([{ name: "locale", value: "en", url: origin() }]);
    await page.reload();
    await expect(panel.getByRole("heading", { name: "Participants", exact: true })).toBeVisible();
    await expect(hospitalDoctor.getByTestId("no-email")).toHaveText(/No e-mail/);
    await expectNoSideways(page, 390);
    await screenshot(page, "participants-phone-en");
    await page.context().clearCookies({ name: "locale" });
    await page.reload();
    await page.waitForLoadState("networkidle");

    // Removing the hospital doctor, then leaving.
    await remove.click();
    await expect(panel.getByText(`${HOSPITAL_DOCTOR} さんを参加者から削除しました。`)).toBeVisible();
    await expect(hospitalDoctor).toHaveCount(0);
    await panel.getByRole("button", { name: "参加をやめる" }).click();
    await expect(panel.getByText("参加をやめました。")).toBeVisible();
    await expect(panel.getByText("参加者はまだいません。")).toBeVisible();
    await expect(panel.getByRole("button", { name: "参加する" })).toBeVisible();
    const left = await withDb((c) => c.query<{ n: number }>("SELECT count(*)::int AS n FROM patient_participants WHERE patient_id = $1", [patient.id]));
    expect(left.rows[0]!.n).toBe(0);

    // Opening the list was logged as a read of the patient.
    const logged = await withDb((c) =>
      c.query<{ n: number }>("SELECT count(*)::int AS n FROM access_logs WHERE user_id = $1 AND patient_id = $2 AND access_type = 'PATIENT_VIEW' AND detail = 'participants' AND at >= $3", [
        clinicDoctorId,
        patient.id,
        since,
      ]),
    );
    expect(logged.rows[0]!.n).toBeGreaterThanOrEqual(1);

    // The outbox is the secretariat's: a clinic doctor gets "not found" and no menu entry.
    await expect(page.getByRole("banner").getByRole("link", { name: "メール送信状況" })).toHaveCount(0);
    expect((await page.goto(`${origin()}/admin/mail-outbox`))?.status()).toBe(404);
  } finally {
    await withDb(async (c) => {
      await c.query("DELETE FROM patient_participants WHERE patient_id = $1 AND user_id = ANY($2::uuid[])", [patient.id, [clinicDoctorId, hospitalDoctorId]]);
      await c.query("UPDATE staff_users SET email = 'hosp-doctor@example.jp' WHERE id = $1 AND email IS NULL", [hospitalDoctorId]);
    });
    await page.context().close();
  }
});

test("notifications: the header badge counts the unread, the list names only patients the viewer still sees, all are marked read", async ({ browser }) => {
  const patient = await sharedPatient();
  const unseen = await patientUnseenByClinic();
  const [clinicDoctorId, hospitalDoctorId] = await Promise.all([userId("clinic-doctor"), userId("hosp-doctor")]);
  // Two notices as a post would leave them: one for a patient the clinic sees, one for a patient it does not.
  const inserted = await withDb(async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO notifications (id, user_id, kind, patient_id, content_id, actor_id, created_at)
       VALUES (gen_random_uuid(), $1, 'NOTE_POSTED', $2, $3, $4, now() - interval '1 minute'),
              (gen_random_uuid(), $1, 'FILE_POSTED', $5, gen_random_uuid(), $4, now())
       RETURNING id`,
      [clinicDoctorId, patient.id, patient.contentId, hospitalDoctorId, unseen],
    );
    return r.rows.map((x) => x.id);
  });
  const page = await signedIn(browser, FACILITY.clinic, "clinic-doctor");
  try {
    const unread = (await withDb((c) => c.query<{ n: number }>("SELECT count(*)::int AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL", [clinicDoctorId]))).rows[0]!.n;
    expect(unread).toBeGreaterThanOrEqual(2);
    const bell = page.getByRole("banner").getByTestId("notification-bell");
    await expect(bell).toHaveAttribute("aria-label", `未読の通知 ${unread}件`);
    await bell.click();
    await expect(page).toHaveURL(/\/notifications$/);
    await expect(page.getByRole("heading", { name: "通知", exact: true })).toBeVisible();

    const list = page.getByTestId("notification-list");
    const newest = list.getByTestId("notification").first();
    await expect(newest).toHaveAttribute("data-unread", "true");
    await expect(newest).toHaveAttribute("data-kind", "FILE_POSTED");
    await expect(newest).toContainText("ファイルが登録されました");
    await expect(newest).toContainText("閲覧できない患者");
    await expect(newest.getByRole("link")).toHaveCount(0);
    await expect(newest).toContainText(`${HOSPITAL_DOCTOR}（${HOSPITAL}）`);
    const second = list.getByTestId("notification").nth(1);
    await expect(second).toContainText("ノートが投稿されました");
    await expect(second.getByRole("link")).toHaveAttribute("href", `/patients/${patient.id}/notes/${patient.contentId}`);
    await expect(page.getByTestId("notifications-summary")).toContainText(`未読 ${unread}件`);
    await screenshot(page, "notifications");

    await page.setViewportSize({ width: 390, height: 844 });
    await expect(page.getByRole("banner").getByTestId("notification-bell")).toBeVisible();
    await expectNoSideways(page, 390);
    await screenshot(page, "notifications-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // 未読のみ, then すべて既読にする: the list empties and the badge goes.
    await page.getByRole("link", { name: "未読のみ" }).click();
    await expect(page).toHaveURL(/\/notifications\?unread=1$/);
    await expect(page.getByTestId("notification")).toHaveCount(Math.min(unread, 30));
    await page.waitForLoadState("networkidle");
    await page.getByRole("button", { name: "すべて既読にする" }).click();
    await expect(page.getByText(`${unread}件を既読にしました。`)).toBeVisible();
    await expect(page.getByTestId("notifications-empty")).toHaveText("未読の通知はありません。");
    await expect(bell).toHaveAttribute("aria-label", "通知（未読なし）");
    await expect(page.getByRole("button", { name: "すべて既読にする" })).toBeDisabled();
    await page.getByRole("link", { name: "すべて", exact: true }).click();
    await expect(page.locator('[data-testid="notification"][data-unread="true"]')).toHaveCount(0);
    await expect(page.getByTestId("notification").first()).toContainText("閲覧できない患者");
  } finally {
    await withDb((c) => c.query("DELETE FROM notifications WHERE id = ANY($1::uuid[])", [inserted]));
    await page.context().close();
  }
});

test("the secretariat sees the mail outbox: whether SMTP is configured, counts per state, a state filter", async ({ browser }) => {
  const subject = `E2E outbox ${Date.now()}`;
  const inserted = await withDb(async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO mail_outbox (id, to_address, subject, body_text, state, attempts, last_error, created_at, sent_at)
       VALUES (gen_random_uuid(), 'waiting@example.jp', $1 || ' pending', 'x', 'PENDING', 0, NULL, now(), NULL),
              (gen_random_uuid(), 'gone@example.jp', $1 || ' failed', 'x', 'FAILED', 5, '550 5.1.1 <gone@example.jp>: Recipient address rejected: User unknown in virtual mailbox table', now() - interval '1 hour', NULL),
              (gen_random_uuid(), 'done@example.jp', $1 || ' sent', 'x', 'SENT', 1, NULL, now() - interval '2 hours', now() - interval '2 hours')
       RETURNING id`,
      [subject],
    );
    return r.rows.map((x) => x.id);
  });
  const page = await signedIn(browser, FACILITY.secretariat, "jimukyoku");
  try {
    // The secretariat reads no records, so no bell.
    await expect(page.getByRole("banner").getByTestId("notification-bell")).toHaveCount(0);
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.getByRole("banner").getByRole("link", { name: "メール送信状況" }).click();
    await expect(page).toHaveURL(/\/admin\/mail-outbox$/);
    await expect(page.getByRole("heading", { name: "メール送信状況" })).toBeVisible();
    // The e2e servers send to a local SMTP port (playwright.config.ts); the banner says which case applies.
    const banner = page.getByTestId("smtp-banner");
    await expect(banner).toBeVisible();
    const isConfigured = (await banner.getAttribute("data-configured")) === "true";
    expect(isConfigured).toBe(Boolean(SMTP_CONFIGURED));
    await expect(banner).toHaveText(
      isConfigured
        ? "SMTP が設定されています。未送信のメールは順次送信され、失敗したものは時間をおいて再送されます。"
        : "SMTP が設定されていないため、メールは送信されずここに保管されています。SMTP_URL を設定すると順次送信されます。",
    );
    const counts = await withDb((c) => c.query<{ state: string; n: number }>("SELECT state::text, count(*)::int AS n FROM mail_outbox GROUP BY 1"));
    const countOf = (s: string) => counts.rows.find((r) => r.state === s)?.n ?? 0;
    for (const s of ["PENDING", "SENT", "FAILED"]) await expect(page.locator(`[data-testid="outbox-counts"] [data-state="${s}"]`)).toContainText(String(countOf(s)));
    await expect(page.getByTestId("outbox-row").filter({ hasText: subject })).toHaveCount(3);
    await expect(page.getByTestId("outbox-row").filter({ hasText: `${subject} failed` })).toContainText("Recipient address rejected");
    await expectNoSideways(page, 1024);
    await screenshot(page, "mail-outbox");

    await page.getByRole("link", { name: /^送信失敗/ }).click();
    await expect(page).toHaveURL(/state=FAILED/);
    await expect(page.locator('[data-testid="outbox-row"]:not([data-state="FAILED"])')).toHaveCount(0);
    await expect(page.getByTestId("outbox-row").filter({ hasText: subject })).toHaveCount(1);

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${origin()}/admin/mail-outbox`);
    // A phone gets cards instead of the table.
    await expect(page.getByTestId("outbox-card").filter({ hasText: `${subject} failed` })).toContainText("Recipient address rejected");
    await expect(page.getByTestId("outbox-table")).toBeHidden();
    await expectNoSideways(page, 390);
    await screenshot(page, "mail-outbox-phone");
  } finally {
    await withDb((c) => c.query("DELETE FROM mail_outbox WHERE id = ANY($1::uuid[])", [inserted]));
    await page.context().close();
  }
});
