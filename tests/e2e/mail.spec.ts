import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

/*
 * Secure mail (C9, seed 004 セキュアメール): the clinic's doctor writes to the hospital's liaison
 * desk (the role, not a person) with a PDF; the liaison finds it unread in 受信トレイ, opens it,
 * downloads the PDF and replies; the doctor sees 既読 with the time, and both see the
 * conversation. Nobody else can open the message or its attachment. Drafts survive a reload,
 * search and paging narrow the inbox, and the trash gives messages back.
 */

const TABLET = { width: 1024, height: 768 };
const PHONE = { width: 390, height: 844 };
const RUN = Date.now().toString(36).slice(-5);
const SUBJECT = `紹介状のご相談（${RUN}）`;
const BODY = "いつもお世話になっております。\n下伊那内科クリニックの内科です。\n\n紹介状を添付しますので、ご確認をお願いいたします。";
const REPLY = "拝見しました。\n来週月曜の午前に受け入れ可能です。";
const MESSAGE_URL = /\/mail\/[0-9a-f-]{36}$/;

/** React's hydration complaints (minified in production: #418, #423, #425), which would mean server and browser render differently. */
const hydrationErrors: string[] = [];

async function openAs(browser: Browser, facility: string, login: string, viewport = TABLET): Promise<Page> {
  const context = await facilityContext(browser, facility);
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" && /hydrat|Minified React error #4(18|23|25)/i.test(m.text())) hydrationErrors.push(`${page.url()}: ${m.text()}`);
  });
  await page.setViewportSize(viewport);
  await signIn(page, login);
  await expectSignedIn(page);
  return page;
}

/** Types into the address picker and takes the entry whose text matches. */
async function addAddressee(page: Page, term: string, option: RegExp, field: RegExp = /^宛先/) {
  await page.getByRole("combobox", { name: field }).fill(term);
  await page.getByRole("option", { name: option }).click();
}

async function openCompose(page: Page, query = "") {
  await page.goto(`${origin()}/mail/compose${query}`);
  // the buttons wait for the page's script (files cannot be sent without it)
  await expect(page.getByRole("button", { name: "送信", exact: true })).toBeEnabled();
}

test.afterEach(() => {
  expect(hydrationErrors).toEqual([]);
});

const row = (page: Page, subject: string) => page.locator(`[data-testid="mail-row"][data-subject="${subject}"]`);
const badge = async (page: Page) => Number(await page.getByTestId("mail-badge").getAttribute("data-count"));

test("the clinic writes to the hospital's liaison desk with a PDF; the liaison reads, downloads and replies; the doctor sees 既読; nobody else can open it", async ({ browser }) => {
  test.setTimeout(120_000); // three users on their own terminals
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mail-e2e-"));
  const pdf = path.join(tmp, "紹介状.pdf");
  fs.writeFileSync(pdf, "%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n");

  // The clinic's doctor: addressed to the role 「飯田中央病院 連携担当」, with the PDF.
  const doctor = await openAs(browser, FACILITY.clinic, "clinic-doctor");
  await expect(doctor.getByRole("link", { name: "セキュアメール" }).first()).toBeVisible();
  await openCompose(doctor);
  await addAddressee(doctor, "飯田中央", /飯田中央病院 連携担当/);
  await expect(doctor.locator('[data-testid="address-chip"][data-label="飯田中央病院 連携担当"]')).toHaveAttribute("data-kind", "role");
  await doctor.getByLabel("件名").fill(SUBJECT);
  await doctor.getByLabel("本文").fill(BODY);
  await doctor.getByLabel("添付ファイル 1").setInputFiles(pdf);
  await expect(doctor.getByLabel("添付ファイル 2")).toBeVisible();
  await screenshot(doctor, "mail-compose-tablet");
  await doctor.getByRole("button", { name: "送信", exact: true }).click();
  await expect(doctor).toHaveURL(MESSAGE_URL);
  const messageUrl = doctor.url();
  const receipt = doctor.locator('[data-testid="mail-receipt"][data-name="連携 花子"]');
  await expect(receipt).toHaveAttribute("data-read", "0");
  await expect(receipt).toContainText("未読");
  await expect(receipt).toContainText("飯田中央病院 連携担当");

  // The liaison: unread in 受信トレイ, with the sender's name and facility and the clip.
  const liaison = await openAs(browser, FACILITY.hospital, "hosp-liaison");
  const unreadBefore = await badge(liaison);
  expect(unreadBefore).toBeGreaterThanOrEqual(1);
  await liaison.getByTestId("mail-badge").click();
  await expect(liaison).toHaveURL(/\/mail$/);
  const incoming = row(liaison, SUBJECT);
  await expect(incoming).toHaveAttribute("data-unread", "true");
  await expect(incoming).toContainText("内科 次郎");
  await expect(incoming).toContainText("下伊那内科クリニック");
  await expect(incoming.getByRole("img", { name: "添付ファイルあり" }).first()).toBeAttached();
  await expect(liaison.getByTestId("nav-inbox")).toContainText(String(unreadBefore));
  await screenshot(liaison, "mail-inbox-tablet");
  await liaison.setViewportSize(PHONE);
  await expect(incoming.getByRole("link", { name: SUBJECT })).toBeVisible();
  await screenshot(liaison, "mail-inbox-phone");
  await liaison.setViewportSize(TABLET);

  // Search: by 件名 it is found; with a 所属 that is not the sender's it is not.
  await liaison.getByLabel("件名・本文").fill(SUBJECT);
  await liaison.getByRole("button", { name: "検索", exact: true }).click();
  await expect(liaison).toHaveURL(/[?&]q=/);
  await expect(liaison.getByTestId("mail-row")).toHaveCount(1);
  await liaison.getByText("詳しい条件").click();
  await liaison.getByLabel("所属", { exact: true }).fill("みなみ調剤薬局");
  await liaison.getByRole("button", { name: "検索", exact: true }).click();
  await expect(liaison.getByTestId("mail-empty")).toBeVisible();
  await expect(liaison.getByTestId("mail-row")).toHaveCount(0);
  await liaison.getByLabel("所属", { exact: true }).fill("下伊那");
  await liaison.getByRole("button", { name: "検索", exact: true }).click();
  await expect(row(liaison, SUBJECT)).toBeVisible();

  // Opening it marks it read; the body keeps its line breaks; the PDF downloads.
  await row(liaison, SUBJECT).getByRole("link", { name: SUBJECT }).click();
  await expect(liaison).toHaveURL(MESSAGE_URL);
  expect(liaison.url()).toBe(messageUrl);
  await expect(liaison.getByTestId("mail-from")).toContainText("内科 次郎");
  await expect(liaison.getByTestId("mail-from")).toContainText("下伊那内科クリニック");
  await expect(liaison.getByTestId("mail-to")).toContainText("飯田中央病院 連携担当");
  expect(await liaison.getByTestId("mail-body").innerText()).toBe(BODY);
  await expect(liaison.getByTestId("mail-receipts")).toHaveCount(0);
  await expect(liaison.getByTestId("mail-badge")).toHaveAttribute("data-count", String(unreadBefore - 1));
  const download = liaison.getByTestId("attachment-download");
  const attachmentHref = (await download.getAttribute("href"))!;
  expect(attachmentHref).toMatch(/^\/api\/mail\/messages\/[0-9a-f-]{36}\/attachments\/[0-9a-f-]{36}\?download=1$/);
  const file = await liaison.request.get(`${origin()}${attachmentHref}`);
  expect(file.status()).toBe(200);
  expect(file.headers()["content-type"]).toBe("application/pdf");
  expect(file.headers()["content-disposition"]).toMatch(/^attachment;/);
  expect((await file.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");

  // The reply: Re: subject, the sender as addressee, in the same conversation.
  await liaison.getByTestId("mail-reply").click();
  await expect(liaison).toHaveURL(/\/mail\/compose\?reply=/);
  await expect(liaison.getByRole("button", { name: "送信", exact: true })).toBeEnabled();
  await expect(liaison.getByLabel("件名")).toHaveValue(`Re: ${SUBJECT}`);
  await expect(liaison.locator('[data-testid="address-chip"][data-label="内科 次郎（下伊那内科クリニック）"]')).toBeVisible();
  await liaison.getByLabel("本文").fill(REPLY);
  await liaison.getByRole("button", { name: "送信", exact: true }).click();
  await expect(liaison).toHaveURL(MESSAGE_URL);
  await expect(liaison.getByTestId("thread-message")).toHaveCount(2);
  await expect(liaison.locator('[data-testid="thread-message"][data-current="0"]')).toContainText(SUBJECT);

  // The doctor: 既読 with the time; the reply is in the conversation and in the inbox.
  await doctor.goto(messageUrl);
  await expect(receipt).toHaveAttribute("data-read", "1");
  await expect(receipt).toContainText(/既読 \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/);
  await expect(doctor.getByTestId("thread-message")).toHaveCount(2);
  await expect(doctor.locator('[data-testid="thread-message"][data-current="0"]')).toContainText(REPLY.split("\n")[0]!);
  await screenshot(doctor, "mail-message-receipts");
  await doctor.setViewportSize(PHONE);
  await screenshot(doctor, "mail-message-phone");
  await doctor.setViewportSize(TABLET);
  await doctor.goto(`${origin()}/mail`);
  await expect(row(doctor, `Re: ${SUBJECT}`)).toHaveAttribute("data-unread", "true");
  await doctor.goto(`${origin()}/mail?folder=sent`);
  await expect(row(doctor, SUBJECT)).toContainText("飯田中央病院 連携担当");

  // The pharmacist, signed in on the pharmacy's terminal, gets "not found" for both URLs.
  const pharmacist = await openAs(browser, FACILITY.pharmacy, "pharmacist");
  expect((await pharmacist.goto(messageUrl))?.status()).toBe(404);
  const guessed = await pharmacist.request.get(`${origin()}${attachmentHref}`);
  expect(guessed.status()).toBe(404);
  expect(await guessed.text()).not.toContain("%PDF");
  expect((await pharmacist.goto(`${origin()}/mail/compose?reply=${messageUrl.split("/").pop()}`))?.status()).toBe(404);

  fs.rmSync(tmp, { recursive: true, force: true });
  for (const p of [doctor, liaison, pharmacist]) await p.context().close();
});

test("a draft keeps its addressees, subject and text across a reload and is sent later", async ({ browser }) => {
  const subject = `下書き 退院前カンファレンス（${RUN}）`;
  const body = "日程の候補:\n・11月25日 14時\n・11月26日 10時";
  // on a phone this time
  const page = await openAs(browser, FACILITY.clinic, "clinic-doctor", PHONE);
  await openCompose(page);
  await page.getByRole("combobox", { name: /^宛先/ }).fill("飯田");
  await expect(page.getByRole("option", { name: /飯田中央病院 連携担当/ })).toBeVisible();
  await screenshot(page, "mail-address-options-phone");
  await addAddressee(page, "医師", /医師 一郎（飯田中央病院）/);
  await page.getByLabel("件名").fill(subject);
  await page.getByLabel("本文").fill(body);
  await screenshot(page, "mail-compose-phone");
  await page.getByRole("button", { name: "下書き保存" }).click();
  await expect(page).toHaveURL(/\/mail\/compose\?draft=[0-9a-f-]{36}$/);
  await expect(page.getByTestId("draft-saved")).toBeVisible();

  await page.reload();
  await expect(page.getByRole("button", { name: "送信", exact: true })).toBeEnabled();
  await expect(page.getByLabel("件名")).toHaveValue(subject);
  await expect(page.getByLabel("本文")).toHaveValue(body);
  await expect(page.locator('[data-testid="address-chip"][data-label="医師 一郎（飯田中央病院）"]')).toBeVisible();

  await page.goto(`${origin()}/mail?folder=drafts`);
  await expect(row(page, subject)).toContainText("医師 一郎");
  await row(page, subject).getByRole("link", { name: subject }).click();
  await expect(page).toHaveURL(/\/mail\/compose\?draft=/);
  await expect(page.getByRole("button", { name: "送信", exact: true })).toBeEnabled();
  await expect(page.getByLabel("件名")).toHaveValue(subject);
  await page.getByRole("button", { name: "送信", exact: true }).click();
  await expect(page).toHaveURL(MESSAGE_URL);
  expect(await page.getByTestId("mail-body").innerText()).toBe(body);
  await page.goto(`${origin()}/mail?folder=drafts`);
  await expect(row(page, subject)).toHaveCount(0);
  await page.context().close();
});

test("paging by 10, check boxes to mark read, a folder, the trash and back", async ({ browser }) => {
  // Eleven messages from the hospital's doctor to the liaison, written straight into the tables:
  // paging is what is tested here, and sending goes through the screens in the first test.
  const tag = `ページ送り${RUN}`;
  await withDb((c) =>
    c.query(
      `WITH s AS (SELECT id, facility_id FROM staff_users WHERE login_id = 'hosp-doctor'),
            r AS (SELECT id FROM staff_users WHERE login_id = 'hosp-liaison'),
            m AS (
              INSERT INTO secure_messages (id, sender_id, sender_facility_id, subject, body, sent_at, thread_id, updated_at)
              SELECT g.id, s.id, s.facility_id, $1 || ' ' || lpad(g.n::text, 2, '0'), '定時連絡', now() - (g.n || ' minutes')::interval, g.id, now()
                FROM s, (SELECT gen_random_uuid() AS id, n FROM generate_series(1, 11) AS n) g
              RETURNING id)
       INSERT INTO message_recipients (id, message_id, user_id, addressed_as)
       SELECT gen_random_uuid(), m.id, r.id, '連携 花子（飯田中央病院）' FROM m, r`,
      [tag],
    ),
  );
  const page = await openAs(browser, FACILITY.hospital, "hosp-liaison");
  await page.goto(`${origin()}/mail?q=${encodeURIComponent(tag)}`);
  await expect(page.getByTestId("mail-range")).toHaveText("1 ～ 10件（全 11件）");
  await expect(page.getByText("件ずつ表示")).toBeVisible();
  await expect(page.getByTestId("mail-row")).toHaveCount(10);
  await expect(page.getByTestId("mail-row").first()).toHaveAttribute("data-subject", `${tag} 01`);
  await page.getByRole("link", { name: "次へ" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId("mail-range")).toHaveText("11 ～ 11件（全 11件）");
  await expect(page.getByTestId("mail-row")).toHaveCount(1);
  // the pager's links load whole pages: wait for the script before using the controls
  await expect(page.getByTestId("mail-select-all")).toBeEnabled();
  await page.getByLabel("1ページの表示件数").selectOption("20");
  await expect(page).toHaveURL(/size=20/);
  await expect(page).not.toHaveURL(/page=2/);
  await expect(page.getByTestId("mail-row")).toHaveCount(11);

  // Two checked, 既読にする.
  const first = row(page, `${tag} 01`);
  const second = row(page, `${tag} 02`);
  await first.getByRole("checkbox").check();
  await second.getByRole("checkbox").check();
  await page.getByLabel("チェックした項目を").selectOption("read");
  await page.getByRole("button", { name: "実行" }).click();
  await expect(page.getByText("2件を既読にしました。")).toBeVisible();
  await expect(first).toHaveAttribute("data-unread", "false");
  await expect(second).toHaveAttribute("data-unread", "false");
  await expect(row(page, `${tag} 03`)).toHaveAttribute("data-unread", "true");

  // A folder of one's own: create it, move one message into it.
  await page.getByTestId("folder-create-open").click();
  await page.getByLabel("フォルダー名").fill(`定時連絡${RUN}`);
  await page.getByRole("button", { name: "作成", exact: true }).click();
  await expect(page.getByTestId("mail-folders")).toContainText(`定時連絡${RUN}`);
  await page.goto(`${origin()}/mail?q=${encodeURIComponent(tag)}&size=20`);
  await row(page, `${tag} 03`).getByRole("checkbox").check();
  await page.getByLabel("チェックした項目を").selectOption("move");
  await page.getByLabel("移動先のフォルダー").selectOption({ label: `定時連絡${RUN}` });
  await page.getByRole("button", { name: "実行" }).click();
  await expect(row(page, `${tag} 03`)).toHaveCount(0);
  await page.getByTestId("mail-folders").getByRole("link", { name: new RegExp(`定時連絡${RUN}`) }).click();
  await expect(row(page, `${tag} 03`)).toBeVisible();

  // Everything else to the trash, then one back.
  await page.goto(`${origin()}/mail?q=${encodeURIComponent(tag)}&size=20`);
  await page.getByTestId("mail-select-all").check();
  await page.getByLabel("チェックした項目を").selectOption("trash");
  await page.getByRole("button", { name: "実行" }).click();
  await expect(page.getByTestId("mail-empty")).toBeVisible();
  await page.getByTestId("nav-trash").click();
  await expect(page).toHaveURL(/folder=trash/);
  await expect(page.locator(`[data-testid="mail-row"][data-subject^="${tag}"]`)).toHaveCount(10);
  await row(page, `${tag} 05`).getByRole("checkbox").check();
  await page.getByLabel("チェックした項目を").selectOption("restore");
  await page.getByRole("button", { name: "実行" }).click();
  await expect(row(page, `${tag} 05`)).toHaveCount(0);
  await screenshot(page, "mail-trash-tablet");
  await page.goto(`${origin()}/mail?q=${encodeURIComponent(tag)}`);
  await expect(row(page, `${tag} 05`)).toBeVisible();

  // 完全に削除 asks first.
  await page.getByTestId("nav-trash").click();
  await row(page, `${tag} 06`).getByRole("checkbox").check();
  await page.getByLabel("チェックした項目を").selectOption("delete");
  await page.getByRole("button", { name: "実行" }).click();
  await expect(page.getByTestId("mail-confirm")).toContainText("元に戻せません");
  await page.getByRole("button", { name: "完全に削除する" }).click();
  await expect(row(page, `${tag} 06`)).toHaveCount(0);
  await page.context().close();
});

test("定型文 fill a new message, a mailing list reaches its members, the alert setting sticks, and English works", async ({ browser }) => {
  const page = await openAs(browser, FACILITY.clinic, "clinic-doctor");
  const template = `受診のお願い${RUN}`;
  await page.goto(`${origin()}/mail/templates`);
  await page.getByTestId("template-new").click();
  await page.getByLabel("定型文の名前").fill(template);
  await page.getByLabel("件名").fill("受診のお願い");
  await page.getByLabel("本文").fill("下記の患者さんの受診をお願いいたします。\n\n患者氏名：");
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.locator(`[data-testid="template"][data-name="${template}"]`)).toBeVisible();
  await screenshot(page, "mail-templates");

  const list = `在宅チーム${RUN}`;
  await page.goto(`${origin()}/mail/lists`);
  await page.getByTestId("list-new").click();
  await page.getByLabel("リスト名").fill(list);
  await addAddressee(page, "医師", /医師 一郎（飯田中央病院）/, /メンバー/);
  await addAddressee(page, "薬師", /薬師 三子（みなみ調剤薬局）/, /メンバー/);
  await page.getByRole("button", { name: "保存" }).click();
  await expect(page.locator(`[data-testid="mailing-list"][data-name="${list}"]`)).toContainText("メンバー（2人）");
  await screenshot(page, "mail-lists");

  await openCompose(page);
  await addAddressee(page, "在宅チーム", new RegExp(list));
  await page.getByTestId("template-select").selectOption({ label: template });
  await expect(page.getByLabel("件名")).toHaveValue("受診のお願い");
  await expect(page.getByLabel("本文")).toHaveValue("下記の患者さんの受診をお願いいたします。\n\n患者氏名：");
  await page.getByLabel("件名").fill(`受診のお願い（${RUN}）`);
  await page.getByRole("button", { name: "送信", exact: true }).click();
  await expect(page).toHaveURL(MESSAGE_URL);
  await expect(page.getByTestId("mail-receipt")).toHaveCount(2);
  await expect(page.getByTestId("mail-to")).toContainText(list);

  const pharmacist = await openAs(browser, FACILITY.pharmacy, "pharmacist", PHONE);
  await pharmacist.goto(`${origin()}/mail`);
  await expect(row(pharmacist, `受診のお願い（${RUN}）`)).toHaveAttribute("data-unread", "true");

  // 新着セキュアメールをメールで知らせる: saved on the spot, still ticked after a reload.
  await page.goto(`${origin()}/profile`);
  const alert = page.getByLabel("新着セキュアメールをメールで知らせる");
  await expect(alert).toBeEnabled();
  await expect(alert).not.toBeChecked();
  await alert.check();
  await expect(page.getByTestId("mail-alert").getByRole("status")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("新着セキュアメールをメールで知らせる")).toBeChecked();
  await screenshot(page, "mail-profile-alert");
  await page.getByLabel("新着セキュアメールをメールで知らせる").uncheck();
  await expect(page.getByTestId("mail-alert").getByRole("status")).toBeVisible();

  // The same screens in English.
  await page.context().addCookies([{ name: "locale", value: "en", url: origin() }]);
  await page.goto(`${origin()}/mail?folder=sent`);
  await expect(page.getByRole("heading", { name: "Secure mail" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Sent" })).toBeVisible();
  await expect(page.getByText("per page")).toBeVisible();
  await screenshot(page, "mail-sent-english");
  for (const p of [page, pharmacist]) await p.context().close();
});
