import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  admissionPeriods,
  alignStart,
  bucketCounts,
  filePeriodCounts,
  CALENDAR_CATEGORIES,
  CALENDAR_ROWS,
  calendarWindow,
  columnIndexOf,
  facilityColors,
  FACILITY_COLORS,
  isDay,
  mondayOf,
  periodBars,
  RECORD_TABS,
  rezoom,
  rowOfCategory,
  shiftWindow,
  windowEndingAt,
  type TAdmissionEvent,
} from "@/lib/clinical/calendar";
import { CONTENT_CATEGORIES } from "@/lib/clinical/ingest/types";
import { diagnosisFields, summaryOf } from "@/lib/clinical/summary";
import { ZCalendarCell, ZCalendarQuery, ZLabTrendQuery, ZRecordTabQuery } from "@/lib/clinical/schema";

const jst = (day: string, time = "10:00") => new Date(`${day}T${time}:00+09:00`);

describe("days", () => {
  it.each([
    ["2026-11-22", true],
    ["2024-02-29", true],
    ["2025-02-29", false],
    ["2026-13-01", false],
    ["2026-1-01", false],
    ["20261122", false],
    ["", false],
  ])("isDay(%s) is %s", (s, ok) => expect(isDay(s)).toBe(ok));

  it("adds days and months across month and year ends", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2024-03-01", -1)).toBe("2024-02-29");
    expect(addMonths("2026-11-15", 2)).toBe("2027-01-01");
    expect(addMonths("2026-01-31", -1)).toBe("2025-12-01");
  });

  it.each([
    ["2026-11-22", "2026-11-16"], // Sunday → the Monday before
    ["2026-11-16", "2026-11-16"],
    ["2026-11-21", "2026-11-16"],
    ["2027-01-01", "2026-12-28"],
  ])("the Monday of %s is %s", (d, m) => expect(mondayOf(d)).toBe(m));
});

describe("windows", () => {
  it("day zoom: n day columns from the start", () => {
    const w = calendarWindow("day", "2026-11-01", 14);
    expect(w).toMatchObject({ zoom: "day", days: 14, from: "2026-11-01", to: "2026-11-14" });
    expect(w.columns[13]).toEqual({ start: "2026-11-14", end: "2026-11-14" });
  });

  it("week zoom: 13 Monday–Sunday columns; month zoom: 12 months", () => {
    const w = calendarWindow("week", "2026-11-19");
    expect(w.from).toBe("2026-11-16");
    expect(w.columns).toHaveLength(13);
    expect(w.columns[0]).toEqual({ start: "2026-11-16", end: "2026-11-22" });
    const m = calendarWindow("month", "2026-02-10");
    expect(m).toMatchObject({ from: "2026-02-01", to: "2027-01-31" });
    expect(m.columns[0]).toEqual({ start: "2026-02-01", end: "2026-02-28" });
    expect(m.columns[11]).toEqual({ start: "2027-01-01", end: "2027-01-31" });
  });

  it("windowEndingAt puts the day in the last column", () => {
    expect(windowEndingAt("day", "2026-11-22", 7)).toMatchObject({ from: "2026-11-16", to: "2026-11-22" });
    expect(windowEndingAt("week", "2026-11-22").to).toBe("2026-11-22");
    expect(windowEndingAt("month", "2026-11-22")).toMatchObject({ from: "2025-12-01", to: "2026-11-30" });
  });

  it("shifts by a whole window and keeps the place when zooming", () => {
    const d = calendarWindow("day", "2026-11-01", 14);
    expect(shiftWindow(d, 1).from).toBe("2026-11-15");
    expect(shiftWindow(d, -1).from).toBe("2026-10-18");
    expect(shiftWindow(calendarWindow("week", "2026-11-16"), 1).from).toBe("2027-02-15");
    expect(shiftWindow(calendarWindow("month", "2026-01-01"), -1).from).toBe("2025-01-01");
    // zooming keeps the window's end (today at the latest): what led up to it comes into view
    expect(rezoom(d, "month", "2026-12-01")).toMatchObject({ from: "2025-12-01", to: "2026-11-30" });
    expect(rezoom(d, "week", "2026-12-01").to).toBe("2026-11-15");
    expect(rezoom(d, "week", "2026-11-10").to).toBe("2026-11-15");
    expect(rezoom(d, "day", "2026-11-10", 7)).toMatchObject({ from: "2026-11-04", to: "2026-11-10" });
    expect(rezoom(calendarWindow("month", "2026-01-01"), "day", "2027-06-01")).toMatchObject({ days: 14, to: "2026-12-31" });
  });

  it("alignStart", () => {
    expect(alignStart("day", "2026-11-19")).toBe("2026-11-19");
    expect(alignStart("week", "2026-11-19")).toBe("2026-11-16");
    expect(alignStart("month", "2026-11-19")).toBe("2026-11-01");
  });

  it("finds a day's column in each zoom, -1 outside", () => {
    expect(columnIndexOf(calendarWindow("day", "2026-11-01", 14), "2026-11-03")).toBe(2);
    expect(columnIndexOf(calendarWindow("day", "2026-11-01", 14), "2026-11-15")).toBe(-1);
    expect(columnIndexOf(calendarWindow("day", "2026-11-01", 14), "2026-10-31")).toBe(-1);
    expect(columnIndexOf(calendarWindow("week", "2026-11-16"), "2026-11-29")).toBe(1);
    expect(columnIndexOf(calendarWindow("month", "2026-02-01"), "2027-01-31")).toBe(11);
    expect(columnIndexOf(calendarWindow("month", "2026-02-01"), "2026-02-01")).toBe(0);
  });
});

describe("rows and cells", () => {
  it("has seed 000's rows, each calendar category in exactly one row", () => {
    expect(CALENDAR_ROWS.map((r) => r.id)).toEqual(["period", "rxOrder", "rxDone", "injOrder", "injDone", "lab", "image", "report", "file", "checkup", "noteRecord", "noteContact"]);
    expect(new Set(CALENDAR_CATEGORIES).size).toBe(CALENDAR_CATEGORIES.length);
    expect(rowOfCategory("DOCUMENT")).toBe("report");
    expect(rowOfCategory("PATIENT_INFO")).toBeUndefined();
    expect(rowOfCategory("DIAGNOSIS")).toBeUndefined();
  });

  it("every category is reachable from a tab view, except 基本情報 (the header) and notes (their own page with comments)", () => {
    const inTabs = new Set(RECORD_TABS.flatMap((t) => t.categories as readonly string[]));
    expect(CONTENT_CATEGORIES.filter((c) => !inTabs.has(c))).toEqual(["PATIENT_INFO", "NOTE", "NOTE_CONTACT"]);
  });

  it("note rows: 記録 and 連絡 by category, with the authors' qualifications (sorted, once each); other rows carry none", () => {
    const w = calendarWindow("day", "2026-11-16", 7);
    const grid = bucketCounts(w, [
      { day: "2026-11-16", category: "NOTE", facilityId: "N", count: 1, qualification: "NURSE" },
      { day: "2026-11-16", category: "NOTE", facilityId: "H", count: 2, qualification: "DOCTOR" },
      { day: "2026-11-16", category: "NOTE", facilityId: "N", count: 1, qualification: "NURSE" },
      { day: "2026-11-17", category: "NOTE_CONTACT", facilityId: "N", count: 1, qualification: "NURSE" },
      { day: "2026-11-17", category: "NOTE", facilityId: "H", count: 1, qualification: null },
      { day: "2026-11-17", category: "LAB", facilityId: "H", count: 1, qualification: "DOCTOR" },
    ]);
    expect(grid.noteRecord[0]).toEqual({ count: 4, byFacility: { N: 2, H: 2 }, qualifications: ["DOCTOR", "NURSE"] });
    expect(grid.noteContact[1]).toEqual({ count: 1, byFacility: { N: 1 }, qualifications: ["NURSE"] });
    expect(grid.noteRecord[1]).toEqual({ count: 1, byFacility: { H: 1 } });
    expect(grid.lab[1]).toEqual({ count: 1, byFacility: { H: 1 } });
  });

  it("a file's validity period fills every column it covers after its first (counted where it is dated)", () => {
    const days = calendarWindow("day", "2026-11-16", 7);
    expect(filePeriodCounts(days, [{ from: "2026-11-17", to: "2026-11-19", facilityId: "H" }]).map((c) => c.day)).toEqual(["2026-11-18", "2026-11-19"]);
    // begun before the window and ending after it: every column
    expect(filePeriodCounts(days, [{ from: "2026-10-01", to: "2027-01-01", facilityId: "H" }])).toHaveLength(7);
    // entirely outside: nothing
    expect(filePeriodCounts(days, [{ from: "2026-12-01", to: "2026-12-31", facilityId: "H" }])).toEqual([]);
    expect(filePeriodCounts(days, [{ from: "2026-11-01", to: "2026-11-15", facilityId: "H" }])).toEqual([]);
    // a single day: only its own column, already counted
    expect(filePeriodCounts(days, [{ from: "2026-11-18", to: "2026-11-18", facilityId: "H" }])).toEqual([]);
    // months: a year-long pathway in a 12-month window from its third month
    const months = calendarWindow("month", "2026-01-01");
    const spread = filePeriodCounts(months, [{ from: "2026-03-10", to: "2027-03-09", facilityId: "H" }]);
    expect(spread.map((c) => c.day)).toEqual(["2026-04-01", "2026-05-01", "2026-06-01", "2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"]);
    const grid = bucketCounts(months, [{ day: "2026-03-10", category: "FILE", facilityId: "H", count: 1 }, ...spread]);
    expect(grid.file.map((c) => c?.count ?? 0)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("buckets day counts into columns and facilities; outside days and other categories are dropped", () => {
    const w = calendarWindow("week", "2026-11-16");
    const grid = bucketCounts(w, [
      { day: "2026-11-16", category: "LAB", facilityId: "A", count: 2 },
      { day: "2026-11-22", category: "LAB", facilityId: "B", count: 1 },
      { day: "2026-11-23", category: "LAB", facilityId: "A", count: 4 },
      { day: "2026-11-16", category: "DOCUMENT", facilityId: "A", count: 1 },
      { day: "2026-11-16", category: "REPORT", facilityId: "A", count: 1 },
      { day: "2026-11-16", category: "DIAGNOSIS", facilityId: "A", count: 9 },
      { day: "2026-11-15", category: "LAB", facilityId: "A", count: 9 },
    ]);
    expect(grid.lab[0]).toEqual({ count: 3, byFacility: { A: 2, B: 1 } });
    expect(grid.lab[1]).toEqual({ count: 4, byFacility: { A: 4 } });
    expect(grid.report[0]).toEqual({ count: 2, byFacility: { A: 2 } });
    expect(grid.lab.slice(2).every((c) => c === null)).toBe(true);
    expect(Object.values(grid).flat().filter(Boolean)).toHaveLength(3);
  });
});

describe("admission periods", () => {
  const ev = (facilityId: string, day: string, payload: Record<string, unknown>): TAdmissionEvent => ({ facilityId, occurredAt: jst(day), payload });
  const admit = (f: string, day: string) => ev(f, day, { dataType: "ADT-22", event: "A01", admittedAt: `${day}T09:00:00+09:00` });
  const discharge = (f: string, day: string) => ev(f, day, { dataType: "ADT-52", event: "A03", dischargedAt: `${day}T11:00:00+09:00` });

  it("pairs admissions with discharges per facility", () => {
    expect(admissionPeriods([discharge("A", "2026-10-20"), admit("A", "2026-10-10"), admit("B", "2026-10-15")])).toEqual([
      { facilityId: "A", start: "2026-10-10", end: "2026-10-20" },
      { facilityId: "B", start: "2026-10-15", end: null },
    ]);
  });

  it("reads the dates in Japan time, not UTC", () => {
    expect(admissionPeriods([ev("A", "2026-10-10", { event: "A01", admittedAt: "2026-10-09T23:30:00Z" })])).toEqual([{ facilityId: "A", start: "2026-10-10", end: null }]);
  });

  it("a discharge with no admission in the data ends a stay of unknown start; a cancelled admission opens nothing", () => {
    expect(admissionPeriods([discharge("A", "2026-10-20")])).toEqual([{ facilityId: "A", start: "2026-10-20", end: "2026-10-20" }]);
    expect(admissionPeriods([admit("A", "2026-10-10"), ev("A", "2026-10-11", { dataType: "ADT-22", event: "A11" })])).toEqual([]);
    // A11 of an outpatient visit (ADT-12) does not cancel a stay
    expect(admissionPeriods([admit("A", "2026-10-10"), ev("A", "2026-10-11", { dataType: "ADT-12", event: "A11" })])).toEqual([{ facilityId: "A", start: "2026-10-10", end: null }]);
    // a cancelled discharge reopens the stay
    expect(admissionPeriods([admit("A", "2026-10-10"), discharge("A", "2026-10-20"), ev("A", "2026-10-21", { event: "A13" })])).toEqual([{ facilityId: "A", start: "2026-10-10", end: null }]);
  });

  it("outpatient visits and transfers are no stays; a FHIR inpatient encounter is one", () => {
    expect(admissionPeriods([ev("A", "2026-10-10", { event: "A04" }), ev("A", "2026-10-11", { event: "A02" })])).toEqual([]);
    expect(admissionPeriods([ev("F", "2026-03-01", { resourceType: "Encounter", start: "2026-03-01T10:00:00+09:00", end: "2026-03-09" })])).toEqual([{ facilityId: "F", start: "2026-03-01", end: "2026-03-09" }]);
  });

  it("clips bars to the window and says where they run on", () => {
    const w = calendarWindow("day", "2026-10-15", 14);
    expect(periodBars(w, [{ facilityId: "A", start: "2026-10-10", end: "2026-10-20" }], "2026-11-22")).toEqual([
      { facilityId: "A", first: 0, last: 5, start: "2026-10-10", end: "2026-10-20", continuesBefore: true, continuesAfter: false },
    ]);
    // still in hospital: runs to today, or past the window's end
    expect(periodBars(w, [{ facilityId: "A", start: "2026-10-20", end: null }], "2026-10-25")[0]).toMatchObject({ first: 5, last: 10, continuesAfter: false });
    expect(periodBars(w, [{ facilityId: "A", start: "2026-10-20", end: null }], "2026-12-01")[0]).toMatchObject({ first: 5, last: 13, continuesAfter: true });
    expect(periodBars(w, [{ facilityId: "A", start: "2026-09-01", end: "2026-09-10" }], "2026-12-01")).toEqual([]);
    expect(periodBars(w, [{ facilityId: "A", start: "2026-12-01", end: null }], "2026-11-01")).toEqual([]);
  });
});

describe("facility colours", () => {
  it("are stable in the given order and wrap around the palette", () => {
    const ids = Array.from({ length: FACILITY_COLORS.length + 1 }, (_, i) => `f${i}`);
    const c = facilityColors(ids);
    expect(c.f0).toBe(FACILITY_COLORS[0]);
    expect(c[`f${FACILITY_COLORS.length}`]).toBe(FACILITY_COLORS[0]);
    expect(new Set(Object.values(c)).size).toBe(FACILITY_COLORS.length);
  });
});

describe("URL parameters", () => {
  it("fall back to defaults for anything not understood", () => {
    expect(ZCalendarQuery.parse({})).toEqual({ zoom: "day" });
    expect(ZCalendarQuery.parse({ zoom: "year", start: "2026-02-30", days: "9", facility: "x", jump: "later" })).toEqual({ zoom: "day" });
    expect(ZCalendarQuery.parse({ zoom: ["week", "day"], start: "2026-11-01", days: "28", jump: "first" })).toEqual({ zoom: "week", start: "2026-11-01", days: 28, jump: "first" });
    expect(ZRecordTabQuery.parse({ tab: "nope", page: "0" })).toMatchObject({ tab: "prescriptions", page: undefined });
    expect(ZRecordTabQuery.parse({ tab: "labs", sort: "title", dir: "asc", page: "3", q: "HbA1c" })).toMatchObject({ tab: "labs", sort: "title", dir: "asc", page: 3, q: "HbA1c" });
    expect(ZLabTrendQuery.parse({ item: "a" }).item).toEqual(["a"]);
    expect(ZLabTrendQuery.parse({ item: ["a", "b"] }).item).toEqual(["a", "b"]);
    expect(ZLabTrendQuery.parse({}).item).toEqual([]);
  });

  it("a cell must name a row, real days in order, and a patient id", () => {
    const ok = { patientId: "6f1c2b1e-8d4e-4d59-9a53-0d8f9a1b2c3d", rowId: "lab", from: "2026-11-01", to: "2026-11-07" };
    expect(ZCalendarCell.safeParse(ok).success).toBe(true);
    expect(ZCalendarCell.safeParse({ ...ok, rowId: "secret" }).success).toBe(false);
    expect(ZCalendarCell.safeParse({ ...ok, to: "2026-10-31" }).success).toBe(false);
    expect(ZCalendarCell.safeParse({ ...ok, from: "2026-11-31" }).success).toBe(false);
    expect(ZCalendarCell.safeParse({ ...ok, patientId: "1" }).success).toBe(false);
  });
});

describe("summaries for the tab views", () => {
  it("reads diagnosis dates and outcome from SS-MIX2 and FHIR", () => {
    expect(diagnosisFields({ startDate: "20170413", endDate: "20171201", outcome: { code: "1", name: "回復" } })).toEqual({ start: "2017-04-13", end: "2017-12-01", outcome: "回復", suspected: false });
    expect(diagnosisFields({ resourceType: "Condition", onset: "2017-12-01T00:00:00+09:00", clinicalStatus: "active", verificationStatus: "provisional" })).toEqual({ start: "2017-12-01", end: null, outcome: "active", suspected: true });
    expect(diagnosisFields(null)).toEqual({ start: null, end: null, outcome: null, suspected: false });
  });

  it("summarises drug lines, lab items, images and admissions; odd payloads give an empty string", () => {
    expect(summaryOf("PRESCRIPTION_ORDER", { lines: [{ drugName: "アムロジピン錠5mg", dose: 1, doseUnit: "錠", usage: "1日1回朝食後", days: 28 }, { name: "メトホルミン", dose: 2, doseUnit: "錠" }] })).toBe(
      "アムロジピン錠5mg 1錠 1日1回朝食後 28日分 / メトホルミン 2錠",
    );
    expect(summaryOf("LAB", { items: [{ code: "1", name: "HbA1c", value: "7.2", unit: "%", referenceRange: "4.6-6.2", flag: "H" }] })).toBe("HbA1c 7.2%(H)");
    expect(summaryOf("IMAGING", { modality: "CT", studyDescription: "胸部CT" })).toBe("CT 胸部CT");
    expect(summaryOf("ADMISSION", { location: "3F-301", department: "内科" })).toBe("3F-301 内科");
    expect(summaryOf("PRESCRIPTION_ORDER", { lines: "nope" })).toBe("");
    expect(summaryOf("LAB", 42)).toBe("");
    expect(summaryOf("NOTE", {})).toBe("");
  });
});
