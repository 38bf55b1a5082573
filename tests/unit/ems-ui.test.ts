/**
 * The EMS screens' pure parts: `ID#EMS` typed into the patient search goes to the EMS entry; the
 * menu entry only for EMS-privileged staff who read records; and a message, in both languages,
 * for every refusal reason, every form message and every reason, consent mode and ground.
 */
import { describe, expect, it } from "vitest";
import { EmergencyBasis, EmergencyConsent, EmergencyReason, type StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { emsEntryHref, emsEntryOf } from "@/lib/ems/entry";
import { mayUseEms } from "@/lib/ems/privilege";
import { ZEmergencySearch, ZEndGrant, ZOpenGrant } from "@/lib/ems/schema";
import { EMERGENCY_CONSENT_WORDS, EMERGENCY_REASON_WORDS } from "@/lib/ems/words";
import { en } from "@/lib/i18n/en";
import { enEms } from "@/lib/i18n/en-ems";
import { ja } from "@/lib/i18n/ja";
import { jaEms } from "@/lib/i18n/ja-ems";
import { menuFor } from "@/lib/menu";

const FACILITY = "0b6f3c52-3f7e-4a43-9d55-6f1f0e7d2a10";

const viewer = (roles: StaffRole[], hasEmsPrivilege: boolean): TViewer => ({
  userId: "u",
  loginId: "l",
  name: "n",
  facilityId: "f",
  facilityName: "fn",
  roles,
  qualification: "DOCTOR",
  hasEmsPrivilege,
  sessionId: "s",
  certSerial: "c",
});

describe("ID#EMS in the patient search", () => {
  it("is taken from any text box, as typed (full-width ＃, any case)", () => {
    expect(emsEntryOf({ facilityPatientId: "C100004＃ems" })).toEqual({ facilityPatientId: "C100004" });
    expect(emsEntryOf({ name: " C100004#EMS " })).toEqual({ facilityPatientId: "C100004" });
    expect(emsEntryOf({ regionalId: "Ｃ１００００４＃ＥＭＳ" })).toEqual({ facilityPatientId: "C100004" });
  });

  it("keeps the facility picked in the search, not an empty one", () => {
    expect(emsEntryOf({ facilityPatientId: "K-1#EMS", facilityId: FACILITY })).toEqual({ facilityPatientId: "K-1", facilityId: FACILITY });
    expect(emsEntryOf({ facilityPatientId: "K-1#EMS", facilityId: " " })).toEqual({ facilityPatientId: "K-1" });
  });

  it("leaves an ordinary search alone", () => {
    expect(emsEntryOf({})).toBeNull();
    expect(emsEntryOf({ facilityPatientId: "C100004", name: "ミナミ", regionalId: "1234567890" })).toBeNull();
    expect(emsEntryOf({ name: "#EMS" })).toBeNull();
    expect(emsEntryOf({ name: "EMS" })).toBeNull();
    expect(emsEntryOf({ facilityPatientId: ["C1#EMS", "C2#EMS"] })).toBeNull();
  });

  it("goes to the entry with the ID filled in, and with a facility straight to the identity check", () => {
    expect(emsEntryHref({ facilityPatientId: "C100004" })).toBe("/ems?id=C100004");
    expect(emsEntryHref({ facilityPatientId: "K-1", facilityId: FACILITY })).toBe(`/ems?facility=${FACILITY}&id=K-1`);
  });
});

describe("who gets the EMS screens", () => {
  const hasEms = (roles: StaffRole[], ems: boolean) => menuFor(viewer(roles, ems)).main.some((i) => i.href === "/ems" && i.key === "menu.ems");

  it("staff with the EMS privilege who read records", () => {
    expect(mayUseEms(viewer(["CLINICIAN"], true))).toBe(true);
    expect(hasEms(["CLINICIAN"], true)).toBe(true);
  });

  it("not staff without the privilege, nor a privileged user whose roles do not read records", () => {
    expect(hasEms(["CLINICIAN", "FACILITY_ADMIN", "LIAISON"], false)).toBe(false);
    expect(mayUseEms(viewer(["FACILITY_ADMIN"], true))).toBe(false);
    expect(hasEms(["FACILITY_ADMIN"], true)).toBe(false);
  });
});

describe("EMS wording", () => {
  it("has every key in both languages, none empty, merged into the dictionaries", () => {
    expect(Object.keys(enEms).sort()).toEqual(Object.keys(jaEms).sort());
    for (const [k, v] of Object.entries(jaEms)) {
      expect(v.trim(), k).not.toBe("");
      expect(enEms[k as keyof typeof jaEms].trim(), k).not.toBe("");
      expect((ja as Record<string, string>)[k], k).toBe(v);
      expect((en as Record<string, string>)[k], k).toBe(enEms[k as keyof typeof jaEms]);
    }
  });

  it("says every refusal reason of the gateway's emergency branch", () => {
    for (const r of ["NOT_PRIVILEGED", "NO_SUCH_FACILITY", "NO_SUCH_PATIENT", "AMBIGUOUS", "WITHDRAWN", "FACILITY_NOT_ALLOWED", "NOT_SHARED"]) {
      expect(ja[`ems.refused.${r}` as keyof typeof ja], r).toBeTruthy();
      expect(en[`ems.refused.${r}` as keyof typeof en], r).toBeTruthy();
    }
  });

  it("says every message the EMS forms can give", () => {
    const messages = new Set<string>(["v.ems.consent.notForBasis"]);
    const collect = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.forEach((i) => messages.add(i.message));
    collect(ZOpenGrant.safeParse({}));
    collect(ZOpenGrant.safeParse({ facilityId: FACILITY, facilityPatientId: "K-1", reason: "OTHER", reasonText: " ", consent: "ORAL_FAMILY", consentConfirmedBy: "", acknowledged: "" }));
    collect(ZEmergencySearch.safeParse({}));
    collect(ZEmergencySearch.safeParse({ nameKana: " ", birthDate: "x", sex: "MALE", phone: "12" }));
    collect(ZEndGrant.safeParse({}));
    expect([...messages].filter((m) => m.startsWith("v.ems.")).length).toBeGreaterThanOrEqual(7);
    for (const m of messages) {
      expect(ja[m as keyof typeof ja], m).toBeTruthy();
      expect(en[m as keyof typeof en], m).toBeTruthy();
    }
  });

  it("names every reason, consent mode and ground; the screens say what the notice to the clinic says", () => {
    for (const r of Object.values(EmergencyReason)) expect(jaEms[`ems.reason.${r}`]).toBe(EMERGENCY_REASON_WORDS[r]);
    for (const c of Object.values(EmergencyConsent)) expect(jaEms[`ems.consent.${c}`]).toBe(EMERGENCY_CONSENT_WORDS[c]);
    for (const b of Object.values(EmergencyBasis)) expect(jaEms[`ems.basis.${b}`]).toBeTruthy();
  });
});
