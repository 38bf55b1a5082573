import { describe, expect, it } from "vitest";
import { checkPasswordRules, PASSWORD_MAX, PASSWORD_MIN, passwordExpiresAt, type TPasswordProblem } from "@/lib/auth/password-policy";
import { ZChangePassword, ZResetByQuestion } from "@/lib/auth/schema";
import { fieldErrorsOf } from "@/lib/errors";

/** a password of exactly `n` characters that has a letter and a digit */
const ofLength = (n: number) => "a1" + "b".repeat(n - 2);

describe("checkPasswordRules", () => {
  const cases: { name: string; password: string; loginId?: string; problems: TPasswordProblem[] }[] = [
    { name: "7 characters is too short", password: ofLength(7), problems: ["too-short"] },
    { name: "8 characters is fine", password: ofLength(8), problems: [] },
    { name: "127 characters is fine", password: ofLength(127), problems: [] },
    { name: "128 characters is too long", password: ofLength(128), problems: ["too-long"] },
    { name: "empty", password: "", problems: ["too-short", "needs-letter", "needs-digit"] },
    { name: "letters only", password: "abcdefghIJ", problems: ["needs-digit"] },
    { name: "digits only", password: "1234567890", problems: ["needs-letter"] },
    { name: "symbols only", password: "!@#$%^&*()", problems: ["needs-letter", "needs-digit"] },
    { name: "symbols are allowed", password: "Pa55!@#$%^&*()_+-=[]{};':\",./<>?`~|\\", problems: [] },
    { name: "upper-case letters count as letters", password: "ABCDEFG1", problems: [] },
    { name: "a space is rejected", password: "Demo 2026pass", problems: ["bad-character"] },
    { name: "a tab is rejected", password: "Demo\t2026pass", problems: ["bad-character"] },
    { name: "a full-width space is rejected", password: "Demo\u30002026pass", problems: ["bad-character"] },
    { name: "full-width letters and digits are rejected", password: "Ｄｅｍｏ２０２６ｐａｓｓ", problems: ["needs-letter", "needs-digit", "bad-character"] },
    { name: "full-width characters mixed with ASCII are rejected", password: "Demo2026パス", problems: ["bad-character"] },
    { name: "kanji are rejected", password: "abc12345病院", problems: ["bad-character"] },
    { name: "a non-ASCII Latin letter is rejected", password: "Démo2026pass", problems: ["bad-character"] },
    { name: "same as the login ID", password: "tanaka2026", loginId: "tanaka2026", problems: ["same-as-login-id"] },
    { name: "same as the login ID ignoring case", password: "Tanaka2026", loginId: "TANAKA2026", problems: ["same-as-login-id"] },
    { name: "contains the login ID but differs", password: "tanaka2026x", loginId: "tanaka2026", problems: [] },
    { name: "no login ID given", password: "tanaka2026", problems: [] },
    { name: "short and same as the login ID", password: "ab12", loginId: "AB12", problems: ["too-short", "same-as-login-id"] },
  ];

  it.each(cases)("$name", ({ password, loginId, problems }) => {
    expect(checkPasswordRules(password, loginId)).toEqual(problems);
  });

  it("uses the documented limits", () => {
    expect(PASSWORD_MIN).toBe(8);
    expect(PASSWORD_MAX).toBe(127);
  });
});

describe("passwordExpiresAt", () => {
  const cases: { name: string; changedAt: string; months: number; expiresAt: string }[] = [
    { name: "two months later, same day and time", changedAt: "2026-03-15T09:30:00.000Z", months: 2, expiresAt: "2026-05-15T09:30:00.000Z" },
    { name: "31 Dec → end of February (common year)", changedAt: "2026-12-31T12:00:00.000Z", months: 2, expiresAt: "2027-02-28T12:00:00.000Z" },
    { name: "31 Dec → 29 Feb (leap year)", changedAt: "2027-12-31T12:00:00.000Z", months: 2, expiresAt: "2028-02-29T12:00:00.000Z" },
    { name: "30 Dec → 29 Feb (leap year)", changedAt: "2023-12-30T00:00:00.000Z", months: 2, expiresAt: "2024-02-29T00:00:00.000Z" },
    { name: "29 Dec → 28 Feb (common year)", changedAt: "2025-12-29T00:00:00.000Z", months: 2, expiresAt: "2026-02-28T00:00:00.000Z" },
    { name: "28 Dec → 28 Feb", changedAt: "2025-12-28T00:00:00.000Z", months: 2, expiresAt: "2026-02-28T00:00:00.000Z" },
    { name: "31 Jul → 30 Sep", changedAt: "2026-07-31T00:00:00.000Z", months: 2, expiresAt: "2026-09-30T00:00:00.000Z" },
    { name: "crosses the year", changedAt: "2026-11-10T00:00:00.000Z", months: 2, expiresAt: "2027-01-10T00:00:00.000Z" },
    { name: "29 Feb (leap) + 12 months → 28 Feb", changedAt: "2028-02-29T00:00:00.000Z", months: 12, expiresAt: "2029-02-28T00:00:00.000Z" },
    { name: "one month: 31 Jan → 28 Feb", changedAt: "2026-01-31T23:59:59.999Z", months: 1, expiresAt: "2026-02-28T23:59:59.999Z" },
  ];

  it.each(cases)("$name", ({ changedAt, months, expiresAt }) => {
    expect(passwordExpiresAt(new Date(changedAt), months).toISOString()).toBe(expiresAt);
  });

  it("does not change its argument", () => {
    const changedAt = new Date("2026-12-31T12:00:00.000Z");
    passwordExpiresAt(changedAt, 2);
    expect(changedAt.toISOString()).toBe("2026-12-31T12:00:00.000Z");
  });
});

describe("ZChangePassword", () => {
  const valid = { currentPassword: "Old2026pass", newPassword: "New2026pass", confirmPassword: "New2026pass" };

  it("accepts a valid change", () => {
    const r = ZChangePassword.safeParse(valid);
    expect(r.success).toBe(true);
    expect(r.data).toEqual(valid);
  });

  it("reports a mismatch at confirmPassword", () => {
    const r = ZChangePassword.safeParse({ ...valid, confirmPassword: "New2026pasS" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ confirmPassword: ["password.mismatch"] });
  });

  it("reports a short password at newPassword", () => {
    const r = ZChangePassword.safeParse({ ...valid, newPassword: "Ab1", confirmPassword: "Ab1" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ newPassword: ["password.too-short"] });
  });

  it("reports every rule broken, each at its path", () => {
    const r = ZChangePassword.safeParse({ currentPassword: "x", newPassword: "ｐａｓｓ", confirmPassword: "" });
    expect(r.success).toBe(false);
    const errors = fieldErrorsOf(r.error!);
    expect(errors.newPassword).toEqual(["password.too-short", "password.needs-letter", "password.needs-digit", "password.bad-character"]);
    expect(errors.confirmPassword).toEqual(["password.mismatch"]);
    expect(errors.currentPassword).toBeUndefined();
  });

  it("requires the current password", () => {
    const r = ZChangePassword.safeParse({ ...valid, currentPassword: "" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ currentPassword: ["v.currentPassword.required"] });
  });
});

describe("ZResetByQuestion", () => {
  const valid = { loginId: "tanaka", email: "tanaka@example.jp", answer: "ちいき病院", newPassword: "New2026pass", confirmPassword: "New2026pass" };

  it("accepts a valid reset and trims the login ID, e-mail and answer", () => {
    const r = ZResetByQuestion.safeParse({ ...valid, loginId: "  tanaka ", email: " tanaka@example.jp ", answer: " ちいき病院 " });
    expect(r.success).toBe(true);
    expect(r.data).toEqual(valid);
  });

  it("reports a mismatch at confirmPassword", () => {
    const r = ZResetByQuestion.safeParse({ ...valid, confirmPassword: "other2026pass" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ confirmPassword: ["password.mismatch"] });
  });

  it("reports a short password at newPassword", () => {
    const r = ZResetByQuestion.safeParse({ ...valid, newPassword: "a1", confirmPassword: "a1" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ newPassword: ["password.too-short"] });
  });

  it("requires the login ID, the registered e-mail address and the answer", () => {
    const r = ZResetByQuestion.safeParse({ ...valid, loginId: "  ", email: " ", answer: "" });
    expect(r.success).toBe(false);
    expect(fieldErrorsOf(r.error!)).toEqual({ loginId: ["v.loginId.required"], email: ["v.email.required"], answer: ["v.secretAnswer.required"] });
  });
});
