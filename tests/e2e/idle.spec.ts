import { expect, test } from "@playwright/test";
import { expectSignedIn, FACILITY, facilityContext, origin, signIn, withDb } from "./fixtures";

// Runs against the second server, whose idle time-out is 6 seconds (playwright.config.ts).
test("an idle session ends and the browser returns to the login page", async ({ browser }) => {
  const context = await facilityContext(browser, FACILITY.hospital, "idle");
  const page = await context.newPage();
  await signIn(page, "hosp-doctor", undefined, "idle");
  await expectSignedIn(page);
  await expect(page).toHaveURL(/\/login\?reason=idle/, { timeout: 15_000 });
  await expect(page.getByText("一定時間操作がなかったため、ログアウトしました。")).toBeVisible();
  await page.goto(`${origin("idle")}/`);
  await expect(page).toHaveURL(/\/login/);
  const ended = await withDb((c) => c.query("SELECT end_reason FROM user_sessions WHERE ended_at IS NOT NULL"), "idle");
  expect(ended.rows.map((r) => r.end_reason)).toContain("IDLE_TIMEOUT");
  await context.close();
});

test("the server ends a session whose browser went quiet, even without the page's timer", async ({ browser }) => {
  const context = await facilityContext(browser, FACILITY.clinic, "idle");
  const page = await context.newPage();
  await signIn(page, "clinic-doctor", undefined, "idle");
  await expectSignedIn(page);
  // Leave the portal for a page without the timer, wait past the limit, then come back.
  await page.goto(`${origin("idle")}/password/forgot`);
  await page.waitForTimeout(7_500);
  await page.goto(`${origin("idle")}/`);
  await expect(page).toHaveURL(/\/login/);
  await context.close();
});
