import { expect, test, type APIResponse, type BrowserContext, type Page } from "@playwright/test";
import { demoCert, expectSignedIn, FACILITY, facilityContext, origin, screenshot, signIn, watchPolicyViolations, withDb } from "./fixtures";

/*
 * The security headers of issue 15 (lib/server/security-headers.ts, ADR 0018), on the real server
 * in real Chromium: every kind of response carries them, the CSP nonce is new each time and on every
 * script Next renders, and no page of the portal breaks the policy while it is used.
 */

const HSTS = "max-age=63072000; includeSubDomains";

/** A policy as a map: directive → its sources. */
const directives = (csp: string) => new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));

function expectCommonHeaders(res: APIResponse, framing: "DENY" | "SAMEORIGIN") {
  const h = res.headers();
  expect(h["strict-transport-security"]).toBe(HSTS);
  expect(h["permissions-policy"]).toContain("publickey-credentials-get=(self)");
  expect(h["permissions-policy"]).toContain("publickey-credentials-create=(self)");
  for (const off of ["camera", "microphone", "geolocation", "payment", "usb"]) expect(h["permissions-policy"]).toContain(`${off}=()`);
  expect(h["cross-origin-opener-policy"]).toBe("same-origin");
  expect(h["cross-origin-resource-policy"]).toBe("same-origin");
  expect(h["x-frame-options"]).toBe(framing);
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("no-referrer");
}

/** A page's policy: its nonce, which every <script> of the HTML carries; no eval, no inline script. */
async function expectPagePolicy(res: APIResponse): Promise<string> {
  expectCommonHeaders(res, "DENY");
  const csp = res.headers()["content-security-policy"]!;
  const d = directives(csp);
  const nonce = /^'nonce-([A-Za-z0-9+/]+={0,2})'$/.exec(d.get("script-src")?.[1] ?? "")?.[1];
  expect(nonce, csp).toBeTruthy();
  expect(d.get("script-src")).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
  expect(csp).not.toContain("unsafe-eval");
  expect(d.get("style-src")).toEqual(["'self'", `'nonce-${nonce}'`]);
  expect(d.get("default-src")).toEqual(["'self'"]);
  expect(d.get("frame-src")).toEqual(["'self'"]);
  expect(d.get("frame-ancestors")).toEqual(["'none'"]);
  expect(d.get("object-src")).toEqual(["'none'"]);
  const html = await res.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(3);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  return nonce!;
}

function expectApiPolicy(res: APIResponse, framedBy: "'none'" | "'self'") {
  expectCommonHeaders(res, framedBy === "'self'" ? "SAMEORIGIN" : "DENY");
  const d = directives(res.headers()["content-security-policy"]!);
  expect(d.get("default-src")).toEqual(["'none'"]);
  expect(d.get("frame-ancestors")).toEqual([framedBy]);
  expect(d.has("script-src")).toBe(false);
}

/** A referral letter (PDF) and the clinic patient it belongs to, as the calendar test finds it. */
async function referralLetter() {
  const r = await withDb((c) =>
    c.query<{ patient_id: string; day: string; id: string; file_id: string }>(
      `SELECT patient_id, occurred_date::text AS day, id, payload->'files'->0->>'id' AS file_id FROM clinical_contents
        WHERE patient_id IS NOT NULL AND category = 'DOCUMENT' AND title LIKE '診療情報提供書%' AND NOT is_deleted AND payload ? 'files'
          AND patient_id IN (SELECT patient_id FROM facility_patient_links k JOIN facilities f ON f.id = k.facility_id WHERE f.code = $1 AND k.unlinked_at IS NULL)
        ORDER BY occurred_date DESC LIMIT 1`,
      [FACILITY.clinic],
    ),
  );
  return r.rows[0]!;
}

/** A key image the clinic may see. */
async function keyImage() {
  const r = await withDb((c) =>
    c.query<{ patient_id: string; id: string }>(
      `SELECT patient_id, id FROM clinical_contents WHERE patient_id IS NOT NULL AND category = 'IMAGING' AND payload ? 'files' AND NOT is_deleted
          AND patient_id IN (SELECT patient_id FROM facility_patient_links k JOIN facilities f ON f.id = k.facility_id WHERE f.code = $1 AND k.unlinked_at IS NULL)
        LIMIT 1`,
      [FACILITY.clinic],
    ),
  );
  return r.rows[0]!;
}

const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

test("a page, the login page, an API answer, a content's file, /healthz and the certificate refusal all carry the headers; the nonce is new each time", async ({ browser }) => {
  const clinic = await facilityContext(browser, FACILITY.clinic);

  // The login page, twice: a new nonce each time, on every script.
  const first = await expectPagePolicy(await clinic.request.get(`${origin()}/login`));
  const second = await expectPagePolicy(await clinic.request.get(`${origin()}/login`));
  expect(second).not.toBe(first);
  expect(Buffer.from(first, "base64")).toHaveLength(16);

  // Signed in: the home page and a patient's calendar.
  const page = await clinic.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  const letter = await referralLetter();
  const home = await clinic.request.get(`${origin()}/`);
  expect(home.status()).toBe(200);
  await expectPagePolicy(home);
  await expectPagePolicy(await clinic.request.get(`${origin()}/patients/${letter.patient_id}`));

  // A JSON answer: nothing may load from it or frame it.
  const patient = await clinic.request.get(`${origin()}/api/patients/${letter.patient_id}`);
  expect(patient.status()).toBe(200);
  expect(patient.headers()["content-type"]).toMatch(/^application\/json/);
  expectApiPolicy(patient, "'none'");
  const session = await clinic.request.post(`${origin()}/api/session`);
  expect(session.headers()["content-type"]).toMatch(/^application\/json/);
  expectApiPolicy(session, "'none'");
  // The PDF the calendar shows inline: framed by the portal's own pages only.
  const pdf = await clinic.request.get(`${origin()}/api/contents/${letter.id}/files/${letter.file_id}`);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()["content-type"]).toBe("application/pdf");
  expectApiPolicy(pdf, "'self'");
  // Its "not found" keeps the file policy too; only the path decides.
  expectApiPolicy(await clinic.request.get(`${origin()}/api/contents/${letter.id}/files/00000000-0000-4000-8000-000000000000`), "'self'");
  expectApiPolicy(await clinic.request.get(`${origin()}/healthz`), "'none'");
  // A client cannot hand Next a policy (and so a nonce) of its own.
  const forged = await clinic.request.get(`${origin()}/login`, { headers: { "content-security-policy": "script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='" } });
  expect(await expectPagePolicy(forged)).not.toBe("AAAAAAAAAAAAAAAAAAAAAA==");
  await clinic.close();

  // No certificate: the plain refusal is a page of its own, its <style> by the response's nonce.
  const bare = await browser.newContext();
  const refused = await bare.request.get(`${origin()}/login`);
  expect(refused.status()).toBe(403);
  const nonce = await (async () => {
    expectCommonHeaders(refused, "DENY");
    const d = directives(refused.headers()["content-security-policy"]!);
    return /^'nonce-(.+)'$/.exec(d.get("style-src")![1]!)![1]!;
  })();
  expect(await refused.text()).toContain(`<style nonce="${nonce}">`);
  // an API path refused gets the same page
  const refusedApi = await bare.request.get(`${origin()}/api/session`);
  expect(refusedApi.status()).toBe(403);
  expect(refusedApi.headers()["content-security-policy"]).toContain("'nonce-");
  await bare.close();
});

test("the portal's pages frame a content's PDF, and nothing else of the portal can be framed", async ({ browser }) => {
  const cert = demoCert(FACILITY.clinic);
  // A context of its own: the refusals below are complaints this test expects.
  const context: BrowserContext = await browser.newContext({ clientCertificates: [{ origin: origin(), pfxPath: cert.file, passphrase: cert.password }] });
  const complaints = await watchPolicyViolations(context);
  const page = await context.newPage();
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  const letter = await referralLetter();
  const pdfUrl = `/api/contents/${letter.id}/files/${letter.file_id}`;
  await page.evaluate(
    (srcs) =>
      srcs.forEach((src) => {
        const f = document.createElement("iframe");
        f.src = src;
        document.body.append(f);
      }),
    [pdfUrl, "/patients", "/api/session"],
  );
  // Chromium shows its error page in place of a refused frame.
  await expect.poll(() => page.frames().filter((f) => f.url().startsWith("chrome-error:")).length).toBe(2);
  // the PDF's frame may commit its URL after the refused ones: wait for it as for them
  await expect.poll(() => page.frames().filter((f) => f.url().endsWith(pdfUrl)).length).toBe(1);
  const framed = page.frames().map((f) => f.url());
  expect(framed.filter((u) => u.endsWith("/patients") || u.endsWith("/api/session"))).toEqual([]);
  expect(complaints.some((c) => c.includes("frame-ancestors 'none'"))).toBe(true);
  expect(complaints.filter((c) => c.includes(pdfUrl) || c.includes("frame-ancestors 'self'"))).toEqual([]);
  await context.close();
});

/** Opens a path and waits until the page's scripts have run and settled. */
async function walk(page: Page, path: string) {
  const res = await page.goto(`${origin()}${path}`);
  expect(res?.status(), path).toBeLessThan(500);
  await page.waitForLoadState("networkidle");
}

test("no page breaks the policy: sign-in, home, calendar with an image and a PDF, notes, mail, a 404 and the admin pages", async ({ browser }) => {
  test.setTimeout(180_000);
  // facilityContext fails the test at close on any complaint; the list is also checked as we go.
  const clinic = await facilityContext(browser, FACILITY.clinic);
  const complaints = await watchPolicyViolations(clinic);
  const page = await clinic.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await walk(page, "/password/forgot");
  await walk(page, "/login");
  await signIn(page, "clinic-doctor");
  await expectSignedIn(page);
  // The stylesheet applies (the header's colour comes from it).
  expect(await page.locator("header").first().evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe("rgba(0, 0, 0, 0)");
  for (const path of ["/", "/patients", "/mail", "/mail/compose", "/mail/templates", "/notifications", "/profile", "/facilities", "/staff"]) await walk(page, path);

  // The calendar with the referral letter open inline, then in a tab of its own.
  const letter = await referralLetter();
  await walk(page, `/patients/${letter.patient_id}?zoom=day&days=7&start=${addDays(letter.day, -3)}`);
  // style attributes apply: the grid's columns come from one
  expect(await page.getByRole("grid").evaluate((el) => getComputedStyle(el).gridTemplateColumns)).not.toBe("none");
  await page.locator(`[data-row="report"] [data-day="${letter.day}"]`).click();
  const panel = page.getByTestId("cell-panel");
  await expect(panel.locator("iframe").first()).toBeVisible();
  await page.waitForTimeout(1500); // the PDF viewer draws after the response
  await page.screenshot({ path: "test-results/screens/csp-calendar-pdf.png" });
  const [tab] = await Promise.all([clinic.waitForEvent("page"), panel.getByRole("link", { name: "PDFを別画面で開く" }).first().click()]);
  await tab.waitForLoadState();
  await tab.waitForTimeout(1500);
  await tab.close();

  // A key image: the thumbnail, the viewer zoomed in.
  const image = await keyImage();
  await walk(page, `/patients/${image.patient_id}/contents/${image.id}`);
  const thumb = page.getByTestId("content-page").locator("img").first();
  await thumb.scrollIntoViewIfNeeded();
  await expect.poll(() => thumb.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await page.getByRole("button", { name: /を拡大表示/ }).first().click();
  const viewer = page.getByRole("dialog");
  await viewer.getByRole("button", { name: "拡大" }).click();
  await expect(viewer.getByText("125%")).toBeVisible();
  // the zoom is a style attribute
  expect(await viewer.locator("img").first().evaluate((el) => getComputedStyle(el).transform)).not.toBe("none");
  await screenshot(page, "csp-image-viewer");
  await page.keyboard.press("Escape");

  for (const path of ["/records", "/labs", "/consent", "/participants", "/notes", "/notes/new"]) await walk(page, `/patients/${image.patient_id}${path}`);
  // the note form validates in the browser (zod without eval)
  await page.getByRole("button", { name: "登録", exact: true }).click();
  await expect(page.getByText("登録内容を入力してください")).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, "csp-note-form");
  // a refused read answers with the app's own 404
  const missing = await page.goto(`${origin()}/patients/00000000-0000-4000-8000-000000000000`);
  expect(missing?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
  await screenshot(page, "csp-not-found");
  expect(complaints).toEqual([]);
  await clinic.close();

  // The secretariat's pages.
  const secretariat = await facilityContext(browser, FACILITY.secretariat);
  const admin = await secretariat.newPage();
  await signIn(admin, "jimukyoku");
  await expectSignedIn(admin);
  for (const path of [
    "/admin/facilities",
    "/admin/facilities/new",
    "/admin/staff",
    "/admin/staff/new",
    "/admin/certificates",
    "/admin/access-logs",
    "/admin/audit",
    "/admin/audit/activity",
    "/admin/audit/sign-ins",
    "/admin/audit/unusual",
    "/admin/audit/rows",
    "/admin/mail-outbox",
  ]) {
    await walk(admin, path);
  }
  await screenshot(admin, "csp-admin-mail-outbox");
  await secretariat.close();
});
