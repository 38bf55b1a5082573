/**
 * The review of emergency access, as pure rules: the month's counts per facility (reviewed,
 * pending and overdue as at a given instant), the report's CSV, the dictionaries of its words,
 * and who finds it in the menu.
 */
import { describe, expect, it } from "vitest";
import { AccessType, EmergencyBasis, EmergencyConsent, EmergencyReason, EmergencyReviewOutcome, type StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { monthReportCsv, summarizeMonth, type TReportGrant } from "@/lib/ems/review/report";
import { ZCloseReview, ZReviewQueueFilter } from "@/lib/ems/review/schema";
import { translator } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";
import { enEmsReview } from "@/lib/i18n/en-ems-review";
import { jaEmsReview } from "@/lib/i18n/ja-ems-review";
import { menuFor } from "@/lib/menu";
import { csvRecords } from "@/tests/fixtures/csv";

const NOW = new Date("2026-11-25T03:00:00Z");
const f = (code: string, name = `施設${code}`) => ({ id: `id-${code}`, code, name });

const grant = (o: Partial<TReportGrant>): TReportGrant => ({
  viewerFacility: f("200"),
  disclosingFacility: f("900"),
  basis: "EMS",
  patientId: "p1",
  reads: 1,
  reviewedAt: null,
  reviewDueAt: new Date(NOW.getTime() + 86_400_000),
  outcome: null,
  ...o,
});

describe("the month's report", () => {
  const grants = [
    grant({ viewerFacility: f("300"), basis: "CORE_HOSPITAL", reads: 4, patientId: "p2" }),
    grant({ reads: 2, reviewedAt: NOW, outcome: "INAPPROPRIATE" }),
    // due exactly now: not yet overdue
    grant({ reads: 0, reviewDueAt: NOW }),
    grant({ basis: "DISASTER", disclosingFacility: null, reads: 3, patientId: "p3", reviewDueAt: new Date(NOW.getTime() - 1) }),
    grant({ viewerFacility: f("300"), basis: "CORE_HOSPITAL", reads: 1, patientId: "p2", reviewedAt: NOW, outcome: "FOLLOW_UP" }),
  ];
  const report = summarizeMonth("2026-11", grants, NOW);

  it("counts per viewing facility, by code, with grounds, reads, distinct patients and the review's state", () => {
    expect(report.viewing).toEqual([
      { facility: f("200"), grants: 3, byBasis: { EMS: 2, CORE_HOSPITAL: 0, DISASTER: 1 }, reads: 5, patients: 2, reviewed: 1, pending: 1, overdue: 1, followUp: 0, inappropriate: 1 },
      { facility: f("300"), grants: 2, byBasis: { EMS: 0, CORE_HOSPITAL: 2, DISASTER: 0 }, reads: 5, patients: 1, reviewed: 1, pending: 1, overdue: 0, followUp: 1, inappropriate: 0 },
    ]);
  });

  it("counts per disclosing facility, a grant that opened every facility on a line of its own, last", () => {
    expect(report.disclosing.map((l) => [l.facility?.code ?? null, l.grants, l.reads])).toEqual([
      ["900", 4, 7],
      [null, 1, 3],
    ]);
    expect(report.total).toMatchObject({ facility: null, grants: 5, reads: 10, patients: 3, reviewed: 2, pending: 2, overdue: 1, followUp: 1, inappropriate: 1 });
  });

  it("is an empty month without lines", () => {
    expect(summarizeMonth("2026-09", [], NOW)).toMatchObject({ viewing: [], disclosing: [], total: { grants: 0, patients: 0 } });
  });

  it("as CSV: a header, one line per facility and side, the total; a facility name that looks like a formula is neutralised", () => {
    const hostile = summarizeMonth("2026-11", [grant({ viewerFacility: f("200", '=HYPERLINK("http://evil.example/")') })], NOW);
    const csv = monthReportCsv(hostile, translator(dictionaries.en));
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/"")"`);
    const records = csvRecords(csv);
    expect(Object.keys(records[0]!).slice(0, 7)).toEqual(["Side", "FacilityID", "FacilityName", "Uses", "EMS", "Core hospital", "Disaster"]);
    expect(records.map((r) => [r.Side, r.FacilityID, r.Uses])).toEqual([
      ["Viewing", "200", "1"],
      ["Disclosing", "900", "1"],
      ["Total", "", "1"],
    ]);
  });
});

describe("the review's forms and filters", () => {
  it("the queue's filter drops what it does not understand", () => {
    expect(ZReviewQueueFilter.parse({ facility: " ２０００１０１ ", basis: "EMS", state: "overdue", page: "2" })).toEqual({ facility: "2000101", basis: "EMS", state: "overdue", page: 2 });
    expect(ZReviewQueueFilter.parse({ basis: "X", state: "later", page: "-1" })).toEqual({ facility: undefined, basis: undefined, state: undefined, page: 1 });
  });

  it("a note is required for a follow-up or an inappropriate use, and trimmed", () => {
    const id = "00000000-0000-4000-8000-000000000001";
    expect(ZCloseReview.parse({ grantId: id, outcome: "APPROPRIATE", note: "  " })).toEqual({ grantId: id, outcome: "APPROPRIATE", note: null });
    expect(ZCloseReview.parse({ grantId: id, outcome: "INAPPROPRIATE", note: " 理由が不十分 " }).note).toBe("理由が不十分");
    expect(ZCloseReview.safeParse({ grantId: id, outcome: "INAPPROPRIATE" }).success).toBe(false);
  });
});

describe("words", () => {
  it("both languages have every key, none empty, and name every ground, reason, consent, outcome and EMS access type", () => {
    expect(Object.keys(enEmsReview).sort()).toEqual(Object.keys(jaEmsReview).sort());
    for (const [k, v] of Object.entries(jaEmsReview)) {
      expect(v.trim(), k).not.toBe("");
      expect(enEmsReview[k as keyof typeof jaEmsReview].trim(), k).not.toBe("");
    }
    const keys = [
      ...Object.values(EmergencyBasis).map((b) => `emsReview.basis.${b}`),
      ...Object.values(EmergencyReason).map((r) => `emsReview.reason.${r}`),
      ...Object.values(EmergencyConsent).map((c) => `emsReview.consent.${c}`),
      ...Object.values(EmergencyReviewOutcome).map((o) => `emsReview.outcome.${o}`),
      ...Object.values(AccessType).map((t) => `enum.AccessType.${t}`),
    ];
    for (const lang of ["ja", "en"] as const) for (const key of keys) expect(dictionaries[lang][key], `${lang} ${key}`).toBeTruthy();
  });
});

describe("the menu", () => {
  const viewer = (roles: StaffRole[]): TViewer => ({ userId: "u", loginId: "l", name: "n", facilityId: "f", facilityName: "fn", roles, qualification: "DOCTOR", hasEmsPrivilege: false, sessionId: "s", certSerial: "c" });
  const entry = (roles: StaffRole[]) => menuFor(viewer(roles)).admin.find((i) => i.href === "/admin/emergency")?.key ?? null;

  it("offers the review to the secretariat, their own staff's uses to a facility's admins, nothing to others", () => {
    expect(entry(["SECRETARIAT", "FACILITY_ADMIN"])).toBe("menu.adminEmergency");
    expect(entry(["SECRETARIAT"])).toBe("menu.adminEmergency");
    expect(entry(["FACILITY_ADMIN"])).toBe("menu.adminEmergencyOwn");
    expect(entry(["CLINICIAN", "LIAISON"])).toBeNull();
  });
});
