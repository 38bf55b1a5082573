import { describe, expect, it } from "vitest";
import type { StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { MAIL_STATES, NOTIFICATION_KINDS } from "@/lib/enums";
import { en } from "@/lib/i18n/en";
import { ja } from "@/lib/i18n/ja";
import { enNotices } from "@/lib/i18n/en-notices";
import { jaNotices } from "@/lib/i18n/ja-notices";
import { ZOutboxFilter } from "@/lib/mail/schema";
import { menuFor } from "@/lib/menu";

const viewer = (roles: StaffRole[]): TViewer => ({
  userId: "u",
  loginId: "l",
  name: "n",
  facilityId: "f",
  facilityName: "fn",
  roles,
  qualification: "DOCTOR",
  hasEmsPrivilege: false,
  sessionId: "s",
  certSerial: "c",
});
const hrefs = (roles: StaffRole[]) => {
  const m = menuFor(viewer(roles));
  return [...m.main, ...m.admin].map((i) => i.href);
};

describe("notices wording", () => {
  it("has every key in both languages, none empty", () => {
    expect(Object.keys(enNotices).sort()).toEqual(Object.keys(jaNotices).sort());
    for (const [k, v] of Object.entries(jaNotices)) {
      expect(v.trim(), k).not.toBe("");
      expect(enNotices[k as keyof typeof jaNotices].trim(), k).not.toBe("");
    }
  });

  it("labels every notification kind and mail state, and the menu entries, in the merged dictionaries", () => {
    const keys = [...NOTIFICATION_KINDS.map((k) => `notices.kind.${k}`), ...MAIL_STATES.map((s) => `enum.MailState.${s}`), "menu.notifications", "menu.adminMailOutbox"];
    for (const key of keys) {
      expect(ja[key as keyof typeof ja], key).toBeTruthy();
      expect(en[key as keyof typeof en], key).toBeTruthy();
    }
  });

  it("keeps the placeholders the screens fill in", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [k, v] of Object.entries(jaNotices)) expect(placeholders(enNotices[k as keyof typeof jaNotices]), k).toEqual(placeholders(v));
  });
});

describe("menu", () => {
  it("shows the notifications to those who read records, the outbox to the secretariat only", () => {
    expect(hrefs(["CLINICIAN"])).toContain("/notifications");
    expect(hrefs(["LIAISON"])).toContain("/notifications");
    expect(hrefs(["SECRETARIAT", "FACILITY_ADMIN"])).not.toContain("/notifications");
    expect(hrefs(["SECRETARIAT"])).toContain("/admin/mail-outbox");
    expect(hrefs(["FACILITY_ADMIN", "CLINICIAN", "LIAISON"])).not.toContain("/admin/mail-outbox");
  });
});

describe("outbox filter", () => {
  it("takes a known state and a page, and falls back on anything else", () => {
    expect(ZOutboxFilter.parse({ state: "FAILED", page: "2" })).toEqual({ state: "FAILED", page: 2 });
    expect(ZOutboxFilter.parse({ state: "BOGUS", page: "x" })).toEqual({ state: undefined, page: 1 });
    expect(ZOutboxFilter.parse({ state: ["SENT", "FAILED"] })).toEqual({ state: "SENT", page: 1 });
    expect(ZOutboxFilter.parse({})).toEqual({ state: undefined, page: 1 });
  });
});
