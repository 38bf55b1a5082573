import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { E2E_SMTP_PORT } from "../../playwright.config";
import { expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, withDb } from "./fixtures";

/*
 * Notes both ways (C6, seed 000): a visiting nurse posts a note with a photo from a phone, the
 * hospital's doctor (a participant) gets a notice e-mail with no clinical text, finds the note in
 * the calendar's ノート row and comments, and the nurse sees the comment. Uploads that are not
 * what they claim, or too big, are refused with the reason and store nothing.
 */

const NURSING = "2000401"; // あおば訪問看護ステーション
const PHONE = { width: 390, height: 844 };
const NOTE_TITLE = "夕方の訪問記録";
const NOTE_BODY = "15:20訪問。BP120/60mmHg、P67、KT36.4℃。褥瘡の画像を添付します。";

type TMail = { to: string; subject: string; text: string };
const inbox: TMail[] = [];
let smtp: SMTPServer;

test.beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    secure: false,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((m: { subject?: string; text?: string }) => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), subject: m.subject ?? "", text: m.text ?? "" });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(E2E_SMTP_PORT, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function patientId(nameKanji: string): Promise<string> {
  const r = await withDb((c) => c.query<{ id: string }>("SELECT id FROM patients WHERE name_kanji = $1", [nameKanji]));
  return r.rows[0]!.id;
}

async function postCount(pid: string): Promise<{ contents: number; files: number }> {
  const r = await withDb((c) =>
    c.query<{ contents: number; files: number }>(
      `SELECT (SELECT count(*)::int FROM clinical_contents WHERE patient_id = $1 AND source_kind = 'PORTAL') AS contents,
              (SELECT count(*)::int FROM stored_files) AS files`,
      [pid],
    ),
  );
  return r.rows[0]!;
}

async function openNoteForm(page: Page, pid: string) {
  await page.goto(`${origin()}/patients/${pid}/notes/new`);
  await expect(page.getByTestId("note-form")).toBeVisible();
}

test("a visiting nurse posts a note with a photo from a phone; the hospital doctor is told by e-mail without clinical text, sees it in the ノート row and comments; the nurse sees the comment", async ({ browser }) => {
  test.setTimeout(150_000); // two users, two devices, a real SMTP round trip
  const pid = await patientId("南 信太郎");

  // The nurse, on a phone, adds the hospital's doctor to the patient's participants.
  const nursing = await facilityContext(browser, NURSING);
  const phone = await nursing.newPage();
  await phone.setViewportSize(PHONE);
  await signIn(phone, "aoba-nurse");
  await expectSignedIn(phone);
  await phone.goto(`${origin()}/patients/${pid}/participants`);
  const candidates = phone.getByRole("combobox").first();
  await candidates.selectOption((await candidates.locator("option", { hasText: "医師 一郎" }).getAttribute("value"))!);
  await phone.getByRole("button", { name: /^(追加|Add)$/ }).click();
  await expect(phone.locator('[data-testid="participant"][data-name="医師 一郎"]')).toBeVisible();

  // The note: 連絡, with a photo, participants notified.
  await openNoteForm(phone, pid);
  await phone.getByLabel("連絡").check();
  await phone.getByLabel("タイトル").fill(NOTE_TITLE);
  await phone.getByLabel("登録内容").fill(NOTE_BODY);
  await phone.getByLabel("登録ファイル 1").setInputFiles("tests/fixtures/images/chest-xray.jpg");
  await expect(phone.getByText(/\(0\.\d+MB \/ 30MB\)|（0\.\d+MB \/ 30MB）/)).toBeVisible();
  await phone.getByLabel("参加者へ通知").check();
  await screenshot(phone, "notes-phone-form");
  await phone.getByRole("button", { name: "登録", exact: true }).click();
  await expect(phone.getByTestId("note-thread")).toBeVisible();
  await expect(phone.getByText(NOTE_BODY)).toBeVisible();
  await expect(phone.getByText("記載者：あおば訪問看護ステーション 看護 四葉")).toBeVisible();
  await screenshot(phone, "notes-phone-posted");

  // The author adds a line within the edit window; the note says it was edited.
  await phone.getByRole("button", { name: "編集" }).click();
  const edit = phone.getByTestId("note-edit-form");
  await edit.getByLabel("登録内容").fill(`${NOTE_BODY}\n追記：夕方に再訪問予定。`);
  await screenshot(phone, "notes-phone-edit");
  await edit.getByRole("button", { name: "保存" }).click();
  await expect(phone.getByText("追記：夕方に再訪問予定。")).toBeVisible();
  await expect(phone.getByText("（修正済み）")).toBeVisible();

  // The notice e-mail reaches the doctor's address: no title, text, patient or facility in it.
  await expect.poll(() => inbox.filter((m) => m.to === "hosp-doctor@example.jp").length, { timeout: 20_000 }).toBe(1);
  const mail = inbox.find((m) => m.to === "hosp-doctor@example.jp")!;
  expect(mail.subject).toContain("新しいノート");
  expect(mail.text).toContain("/notifications");
  for (const secret of [NOTE_TITLE, "BP120", "南 信太郎", "ミナミ", "あおば", "褥瘡", "N-01", "00100001"]) {
    expect(`${mail.subject}\n${mail.text}`).not.toContain(secret);
  }

  // The hospital's doctor: the notice, then the calendar's ノート 連絡 row with the nurse's icon.
  const hospital = await facilityContext(browser, FACILITY.hospital);
  const doctor = await hospital.newPage();
  await doctor.setViewportSize({ width: 1024, height: 768 });
  await signIn(doctor, "hosp-doctor");
  await expectSignedIn(doctor);
  await doctor.goto(`${origin()}/patients/${pid}`);
  await expect(doctor.getByTestId("notification-bell")).toHaveAttribute("data-count", "1");
  const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
  const noteCell = doctor.locator(`[data-row="noteContact"] [data-day="${today}"]`);
  await expect(noteCell).toHaveAttribute("data-count", "1");
  await expect(noteCell.getByRole("img", { name: "看護師" })).toBeVisible();
  await screenshot(doctor, "notes-calendar-row");
  await noteCell.click();
  const detail = doctor.getByTestId("post-detail");
  await expect(detail.getByText(NOTE_BODY)).toBeVisible();
  await detail.getByRole("link", { name: "コメントを見る・書く" }).click();
  await expect(doctor.getByTestId("note-thread")).toBeVisible();
  // opening the note read its notice: the bell follows without a reload
  await expect(doctor.getByTestId("notification-bell")).toHaveAttribute("data-count", "0");
  await doctor.getByLabel("コメントを書く").fill("ありがとうございます。明日往診します。");
  await doctor.getByRole("button", { name: "送信" }).click();
  await expect(doctor.getByTestId("comment")).toHaveCount(1);
  await screenshot(doctor, "notes-thread-doctor");

  // The nurse sees the comment, marked unread until she has read it.
  await phone.goto(`${origin()}/patients/${pid}/notes`);
  await expect(phone.getByTestId("unread-comments")).toHaveText(/未読 1/);
  await phone.getByRole("link", { name: `『${NOTE_TITLE}』` }).click();
  const comment = phone.getByTestId("comment");
  await expect(comment).toContainText("ありがとうございます。明日往診します。");
  await expect(comment).toHaveAttribute("data-unread", "1");
  await screenshot(phone, "notes-phone-comment");
  await phone.reload();
  await expect(phone.getByTestId("comment")).toHaveAttribute("data-unread", "0");

  // The log holds the post, the doctor's read and the comment.
  const log = await withDb((c) =>
    c.query<{ access_type: string }>(
      `SELECT DISTINCT l.access_type::text FROM access_logs l JOIN staff_users u ON u.id = l.user_id
        WHERE l.patient_id = $1 AND u.login_id IN ('aoba-nurse', 'hosp-doctor') AND l.access_type::text IN ('CONTENT_POST', 'COMMENT_POST', 'CONTENT_VIEW', 'FILE_VIEW')`,
      [pid],
    ),
  );
  // FILE_VIEW: the photo shown as a thumbnail
  expect(log.rows.map((r) => r.access_type).sort()).toEqual(["COMMENT_POST", "CONTENT_POST", "CONTENT_VIEW", "FILE_VIEW"]);

  // Leave the participants as they were.
  await phone.goto(`${origin()}/patients/${pid}/participants`);
  const row = phone.locator('[data-testid="participant"][data-name="医師 一郎"]');
  await row.getByRole("button", { name: /を参加者から削除|Remove/ }).click();
  await expect(row).toHaveCount(0);
  await nursing.close();
  await hospital.close();
});

test("uploads that are not what they claim or too big are refused with the reason, and nothing is stored", async ({ browser }) => {
  const pid = await patientId("伊那 花子");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "notes-e2e-"));
  const exe = path.join(tmp, "薬.jpg");
  fs.writeFileSync(exe, Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00", "latin1"), Buffer.alloc(2048, 0x41)]));
  const html = path.join(tmp, "report.html");
  fs.writeFileSync(html, "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
  const svg = path.join(tmp, "wound.svg");
  fs.writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>');
  const big1 = path.join(tmp, "scan-1.pdf");
  const big2 = path.join(tmp, "scan-2.pdf");
  for (const f of [big1, big2]) fs.writeFileSync(f, Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(15.5 * 1024 * 1024, 0x20)]));

  const nursing = await facilityContext(browser, NURSING);
  const page = await nursing.newPage();
  await signIn(page, "aoba-nurse");
  await expectSignedIn(page);
  const before = await postCount(pid);
  const attempts: { files: string[]; message: RegExp }[] = [
    { files: [exe], message: /「薬\.jpg」は実行ファイルです/ },
    { files: [html], message: /「report\.html」は HTML のため登録できません/ },
    { files: [svg], message: /「wound\.svg」は SVG 画像のため登録できません/ },
    { files: [big1, big2], message: /ファイルの合計が 31\.0MB です。合計 30MB までにしてください/ },
  ];
  for (const a of attempts) {
    await openNoteForm(page, pid);
    await page.getByLabel("登録内容").fill("添付の確認");
    for (const [i, f] of a.files.entries()) await page.getByLabel(`登録ファイル ${i + 1}`).setInputFiles(f);
    await page.getByRole("button", { name: "登録", exact: true }).click();
    const error = page.locator('[data-field="files"] [role="alert"]');
    await expect(error).toContainText(a.message);
    await expect(error).toContainText("何も登録していません");
    if (a.files.length > 1) await screenshot(page, "notes-upload-refused");
  }
  expect(await postCount(pid)).toEqual(before);
  fs.rmSync(tmp, { recursive: true, force: true });

  // A facility that cannot see the patient gets "not found" for a file of a note by its URL.
  await openNoteForm(page, pid);
  await page.getByLabel("登録内容").fill("写真を添付します");
  await page.getByLabel("登録ファイル 1").setInputFiles("tests/fixtures/images/head-mri.jpg");
  await page.getByRole("button", { name: "登録", exact: true }).click();
  await expect(page.getByTestId("note-thread")).toBeVisible();
  const fileHref = await page.locator('[data-file="head-mri.jpg"] a').first().getAttribute("href");
  expect(fileHref).toMatch(/^\/api\/contents\/[0-9a-f-]{36}\/files\/[0-9a-f-]{36}$/);
  expect((await page.request.get(`${origin()}${fileHref}`)).status()).toBe(200);
  const pharmacy = await facilityContext(browser, FACILITY.pharmacy);
  const other = await pharmacy.newPage();
  await signIn(other, "pharmacist");
  await expectSignedIn(other);
  const guessed = await other.request.get(`${origin()}${fileHref}`);
  expect(guessed.status()).toBe(404);
  expect(await guessed.text()).not.toContain("JFIF");
  const denied = await withDb((c) =>
    c.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_logs l JOIN staff_users u ON u.id = l.user_id WHERE u.login_id = 'pharmacist' AND l.access_type = 'DENIED' AND l.detail LIKE 'file %'`),
  );
  expect(denied.rows[0]!.n).toBeGreaterThan(0);
  await nursing.close();
  await pharmacy.close();
});

const hasSoffice = (() => {
  try {
    execFileSync("sh", ["-c", "command -v soffice || command -v libreoffice"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
})();

test("a nursing summary in Word is shown as its PDF rendition", async ({ browser }) => {
  test.skip(!hasSoffice, "no LibreOffice (soffice) on this machine: the rendition cannot be made, the original is kept and says so");
  const pid = await patientId("南 信太郎");
  const nursing = await facilityContext(browser, NURSING);
  const page = await nursing.newPage();
  await page.setViewportSize({ width: 1024, height: 900 });
  await signIn(page, "aoba-nurse");
  await expectSignedIn(page);
  await page.goto(`${origin()}/patients/${pid}/notes/new?type=document`);
  await page.getByLabel("種別").selectOption("NURSING_SUMMARY");
  await page.getByLabel("登録ファイル 1").setInputFiles("tests/fixtures/office/sample.docx");
  await page.getByLabel("文書タイトル").fill("あおば 看護サマリー");
  await page.getByRole("button", { name: "登録", exact: true }).click();
  await expect(page).toHaveURL(/kind=documents/, { timeout: 90_000 });
  await page.getByRole("link", { name: "『あおば 看護サマリー』" }).click();
  await expect(page.getByText("PDF に変換済み")).toBeVisible();
  const pdf = page.locator('[data-file="sample.pdf"] a').first();
  const href = await pdf.getAttribute("href");
  const res = await page.request.get(`${origin()}${href}`);
  expect(res.headers()["content-type"]).toBe("application/pdf");
  expect((await res.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
  // the Word original is a download only, never shown by the browser
  const original = await page.request.get(`${origin()}${await page.locator('[data-file="sample.docx"] a').first().getAttribute("href")}`);
  expect(original.headers()["content-disposition"]).toMatch(/^attachment;/);
  await screenshot(page, "notes-document-rendition");
  await nursing.close();
});
