import { describe, expect, it } from "vitest";
import {
  activityTable,
  bucketBounds,
  BURST_MIN_PATIENTS,
  BURST_WINDOW_MINUTES,
  dayStart,
  daysRange,
  DENIED_PER_DAY,
  findBursts,
  isNightTime,
  isSignInFailure,
  jstDayOf,
  jstHourOf,
  kindsOf,
  monthDays,
  NEW_LINK_HOURS,
  NIGHT_END_HOUR,
  NIGHT_START_HOUR,
  nightOf,
  nightWindow,
  parseJstLocal,
  rowsHref,
  secondsSpan,
  toJstLocal,
  UNUSUAL_DEFAULT_DAYS,
  UNUSUAL_MAX_DAYS,
  unusualDays,
  type TUserRow,
} from "@/lib/audit/reports/rules";
import { ZAccessRowsFilter, ZActivityQuery, ZPatientReportQuery, ZSignInFilter, ZUnusualQuery } from "@/lib/audit/reports/schema";

/** An instant given in Japan time. */
const jst = (s: string) => new Date(`${s}+09:00`);
const minutes = (n: number) => n * 60_000;

describe("thresholds", () => {
  it("are the ones the report page states", () => {
    expect({ BURST_MIN_PATIENTS, BURST_WINDOW_MINUTES, NEW_LINK_HOURS, NIGHT_START_HOUR, NIGHT_END_HOUR, DENIED_PER_DAY }).toEqual({
      BURST_MIN_PATIENTS: 20,
      BURST_WINDOW_MINUTES: 60,
      NEW_LINK_HOURS: 24,
      NIGHT_START_HOUR: 22,
      NIGHT_END_HOUR: 6,
      DENIED_PER_DAY: 5,
    });
    expect(UNUSUAL_DEFAULT_DAYS).toBe(7);
    expect(UNUSUAL_MAX_DAYS).toBeGreaterThanOrEqual(UNUSUAL_DEFAULT_DAYS);
  });
});

describe("Japan-time days", () => {
  it.each([
    ["2026-11-21T14:59:59.999Z", "2026-11-21"],
    ["2026-11-21T15:00:00.000Z", "2026-11-22"],
    ["2026-12-31T15:00:00.000Z", "2027-01-01"],
    ["2026-02-28T15:00:00.000Z", "2026-03-01"],
  ])("%s is the day %s in Japan", (utc, day) => expect(jstDayOf(new Date(utc))).toBe(day));

  it("hours are Japan's", () => {
    expect(jstHourOf(new Date("2026-11-22T13:00:00Z"))).toBe(22);
    expect(jstHourOf(new Date("2026-11-22T15:30:00Z"))).toBe(0);
  });

  it("a day starts at 00:00 JST, which is 15:00 UTC the day before", () => {
    expect(dayStart("2026-11-22").toISOString()).toBe("2026-11-21T15:00:00.000Z");
  });

  it("a range of days includes its last day", () => {
    const r = daysRange("2026-11-16", "2026-11-22");
    expect(r.from.toISOString()).toBe("2026-11-15T15:00:00.000Z");
    expect(r.to.toISOString()).toBe("2026-11-22T15:00:00.000Z");
  });

  it.each([
    ["2026-11", 30, "2026-11-01", "2026-11-30"],
    ["2026-12", 31, "2026-12-01", "2026-12-31"],
    ["2026-02", 28, "2026-02-01", "2026-02-28"],
    ["2028-02", 29, "2028-02-01", "2028-02-29"],
  ])("%s has %i days", (month, n, first, last) => {
    const days = monthDays(month);
    expect(days).toHaveLength(n);
    expect([days[0], days.at(-1)]).toEqual([first, last]);
  });
});

describe("night time (22:00–06:00 JST)", () => {
  it.each([
    ["2026-11-22T21:59:59", false],
    ["2026-11-22T22:00:00", true],
    ["2026-11-22T23:59:59", true],
    ["2026-11-23T00:00:00", true],
    ["2026-11-23T05:59:59", true],
    ["2026-11-23T06:00:00", false],
    ["2026-11-23T12:00:00", false],
  ])("%s JST is night: %s", (local, night) => expect(isNightTime(jst(local))).toBe(night));

  it("does not depend on the UTC day: 13:00 UTC is 22:00 in Japan", () => {
    expect(isNightTime(new Date("2026-11-22T13:00:00Z"))).toBe(true);
    expect(isNightTime(new Date("2026-11-22T21:00:00Z"))).toBe(false);
  });

  it.each([
    ["2026-11-22T22:00:00", "2026-11-22"],
    ["2026-11-22T23:30:00", "2026-11-22"],
    ["2026-11-23T00:00:00", "2026-11-22"],
    ["2026-11-23T05:59:59", "2026-11-22"],
    ["2026-12-01T03:00:00", "2026-11-30"],
    ["2027-01-01T01:00:00", "2026-12-31"],
  ])("%s JST belongs to the night of %s", (local, day) => expect(nightOf(jst(local))).toBe(day));

  it("a daytime instant belongs to no night", () => {
    expect(nightOf(jst("2026-11-22T06:00:00"))).toBeNull();
    expect(nightOf(jst("2026-11-22T21:59:59"))).toBeNull();
  });

  it("a night's window runs from 22:00 to 06:00 the next morning", () => {
    const w = nightWindow("2026-11-30");
    expect(w.from).toEqual(jst("2026-11-30T22:00:00"));
    expect(w.to).toEqual(jst("2026-12-01T06:00:00"));
  });
});

describe("the unusual report's days", () => {
  const now = jst("2026-11-22T14:00:00");

  it("defaults to the last seven days, today included", () => {
    expect(unusualDays({}, now)).toEqual({ from: "2026-11-16", to: "2026-11-22" });
  });

  it("today is Japan's today (01:00 JST is still the 22nd in UTC)", () => {
    expect(unusualDays({}, jst("2026-11-23T01:00:00"))).toEqual({ from: "2026-11-17", to: "2026-11-23" });
  });

  it("takes the days asked for, swapping reversed ends", () => {
    expect(unusualDays({ from: "2026-11-01", to: "2026-11-03" }, now)).toEqual({ from: "2026-11-01", to: "2026-11-03" });
    expect(unusualDays({ from: "2026-11-03", to: "2026-11-01" }, now)).toEqual({ from: "2026-11-01", to: "2026-11-03" });
  });

  it("a start alone runs to today; an end alone covers the seven days before it", () => {
    expect(unusualDays({ from: "2026-11-20" }, now)).toEqual({ from: "2026-11-20", to: "2026-11-22" });
    expect(unusualDays({ to: "2026-11-10" }, now)).toEqual({ from: "2026-11-04", to: "2026-11-10" });
  });

  it("keeps the last days of a range that is too long", () => {
    expect(unusualDays({ from: "2026-01-01", to: "2026-11-22" }, now)).toEqual({ from: "2026-10-23", to: "2026-11-22" });
  });
});

describe("Japan-time local date-times (the rows page's from/to)", () => {
  it("prints an instant in Japan time to the second, rounding down", () => {
    expect(toJstLocal(new Date("2026-11-22T13:05:03.999Z"))).toBe("2026-11-22T22:05:03");
    expect(toJstLocal(new Date("2026-11-22T15:00:00Z"))).toBe("2026-11-23T00:00:00");
  });

  it.each(["2026-11-22T22:05:03", "2026-11-23T00:00:00", "2026-12-31T23:59:59"])("reads back what it prints: %s", (s) => {
    expect(toJstLocal(parseJstLocal(s)!)).toBe(s);
  });

  it("takes minutes without seconds (a datetime-local input's default)", () => {
    expect(parseJstLocal("2026-11-22T22:05")).toEqual(new Date("2026-11-22T13:05:00Z"));
  });

  it.each(["", "2026-11-22", "2026-02-30T10:00", "2026-11-22T24:00", "2026-11-22T10:60", "2026-11-22T10:00:60", "2026-11-22 10:00", "2026-11-22T10:00:00Z"])(
    "refuses %j",
    (s) => expect(parseJstLocal(s)).toBeNull(),
  );

  it("a finding's rows are its first second up to the second after its last", () => {
    expect(secondsSpan(jst("2026-11-22T10:00:00.500"), jst("2026-11-22T10:05:03.000"))).toEqual({ from: "2026-11-22T10:00:00", to: "2026-11-22T10:05:04" });
    expect(secondsSpan(jst("2026-11-22T23:59:59.100"), jst("2026-11-22T23:59:59.900"))).toEqual({ from: "2026-11-22T23:59:59", to: "2026-11-23T00:00:00" });
  });
});

describe("links to the rows page", () => {
  it("carries only the filters given, the emergency flag as 1", () => {
    expect(rowsHref({ user: "hosp-doctor", type: "DENIED", from: "2026-11-22T10:00:00", to: undefined, emergency: false })).toBe(
      "/admin/audit/rows?user=hosp-doctor&type=DENIED&from=2026-11-22T10%3A00%3A00",
    );
    expect(rowsHref({ patient: "1000000018", emergency: true })).toBe("/admin/audit/rows?patient=1000000018&emergency=1");
    expect(rowsHref({ facility: "" })).toBe("/admin/audit/rows?");
  });

  it("round-trips through the rows page's schema", () => {
    const href = rowsHref({ facility: "2000101", user: "hosp-doctor", patient: "1000000018", type: "CONTENT_VIEW", ...secondsSpan(jst("2026-11-22T10:00:00"), jst("2026-11-22T10:59:00")), emergency: true });
    const f = ZAccessRowsFilter.parse(Object.fromEntries(new URL(href, "https://x").searchParams));
    expect(f).toEqual({
      facility: "2000101",
      user: "hosp-doctor",
      patient: "1000000018",
      type: "CONTENT_VIEW",
      from: jst("2026-11-22T10:00:00"),
      to: jst("2026-11-22T10:59:01"),
      emergency: true,
      page: 1,
    });
  });
});

describe("sign-in kinds", () => {
  it("a group stands for its kinds, one kind for itself, nothing for all", () => {
    expect(kindsOf("LOCKS")).toEqual(["LOCKED", "LOCKED_ATTEMPT"]);
    expect(kindsOf("FAILURES")).toContain("FACILITY_MISMATCH");
    expect(kindsOf("SUCCESS")).toEqual(["SUCCESS"]);
    expect(kindsOf(undefined)).toBeUndefined();
  });

  it("failures and locks are failures; sign-ins, sign-outs and password changes are not", () => {
    expect(["FAILURE", "LOCKED", "LOCKED_ATTEMPT", "NO_CERTIFICATE"].every((k) => isSignInFailure(k as never))).toBe(true);
    expect(["SUCCESS", "SIGN_OUT", "IDLE_TIMEOUT", "PASSWORD_CHANGED"].some((k) => isSignInFailure(k as never))).toBe(false);
  });
});

describe("many patients in a short time", () => {
  const start = jst("2026-11-22T10:00:00").getTime();
  /** `n` reads by a user, one patient each, `every` ms apart from `offset` ms after 10:00 JST. */
  const reads = (userId: string, n: number, every = minutes(1), offset = 0, patient = (i: number) => `${userId}-p${i}`): TUserRow[] =>
    Array.from({ length: n }, (_, i) => ({ userId, patientId: patient(i), at: new Date(start + offset + i * every) }));

  it("20 distinct patients within an hour is a burst", () => {
    expect(findBursts(reads("u1", 20, minutes(3)))).toEqual([
      { userId: "u1", first: new Date(start), last: new Date(start + minutes(57)), patients: 20, rows: 20 },
    ]);
  });

  it("19 distinct patients is not", () => {
    expect(findBursts(reads("u1", 19, minutes(1)))).toEqual([]);
  });

  it("the same patient again does not count twice", () => {
    expect(findBursts(reads("u1", 30, minutes(1), 0, (i) => `p${i % 19}`))).toEqual([]);
  });

  it("the window is shorter than an hour: 20 patients over exactly 60 minutes are not a burst", () => {
    const spread = reads("u1", 20, minutes(60) / 19);
    expect(spread.at(-1)!.at.getTime() - spread[0]!.at.getTime()).toBe(minutes(60));
    expect(findBursts(spread)).toEqual([]);
    expect(findBursts(reads("u1", 20, (minutes(60) - 19) / 19))).toHaveLength(1);
  });

  it("counts per user: two users with 10 patients each in the same minutes are not a burst", () => {
    expect(findBursts([...reads("u1", 10, 1000), ...reads("u2", 10, 1000)])).toEqual([]);
  });

  it("overlapping windows make one finding with all its rows and patients", () => {
    const [b] = findBursts(reads("u1", 45, minutes(2)));
    expect(findBursts(reads("u1", 45, minutes(2)))).toHaveLength(1);
    expect(b).toMatchObject({ patients: 45, rows: 45, first: new Date(start), last: new Date(start + minutes(88)) });
  });

  it("two bursts hours apart are two findings, in time order", () => {
    const found = findBursts([...reads("u1", 20, minutes(1), minutes(300)), ...reads("u1", 20, minutes(1))]);
    expect(found.map((b) => b.first)).toEqual([new Date(start), new Date(start + minutes(300))]);
  });

  it("quiet reads before a burst are not part of it", () => {
    const quiet = reads("u1", 3, minutes(90), 0, (i) => `quiet${i}`);
    const burst = reads("u1", 20, minutes(1), minutes(300));
    const [b] = findBursts([...quiet, ...burst]);
    expect(b).toMatchObject({ first: new Date(start + minutes(300)), rows: 20, patients: 20 });
  });

  it("rows that read no patient (searches, refusals) do not make a burst but count among the rows it links to", () => {
    const burst = reads("u1", 20, minutes(1));
    const searches: TUserRow[] = [
      { userId: "u1", patientId: null, at: new Date(start + minutes(5) + 500) },
      { userId: "u1", patientId: null, at: new Date(start + minutes(19) + 999) },
      { userId: "u1", patientId: null, at: new Date(start + minutes(19) + 1000) },
      { userId: "u1", patientId: null, at: new Date(start - 1) },
    ];
    expect(findBursts([...burst, ...searches])).toEqual([{ userId: "u1", first: new Date(start), last: new Date(start + minutes(19)), patients: 20, rows: 22 }]);
    expect(findBursts([...reads("u1", 19, minutes(1)), ...searches])).toEqual([]);
  });

  it("order of the input does not matter", () => {
    expect(findBursts(reads("u1", 20, minutes(1)).reverse())).toHaveLength(1);
  });

  it("thresholds can be given", () => {
    expect(findBursts(reads("u1", 5, minutes(1)), 5, 10)).toHaveLength(1);
    expect(findBursts(reads("u1", 5, minutes(3)), 5, 10)).toEqual([]);
  });

  it("a candidate bucket b bounds the reads to [b·W, (b+2)·W)", () => {
    const hour = minutes(60);
    const b = Math.floor(start / hour);
    expect(bucketBounds([b])).toEqual({ from: new Date(b * hour), to: new Date((b + 2) * hour) });
    expect(bucketBounds([b + 3, b])).toEqual({ from: new Date(b * hour), to: new Date((b + 5) * hour) });
  });
});

describe("a facility's activity table", () => {
  const days = monthDays("2026-11");
  const table = activityTable(
    days,
    [
      { day: "2026-11-02", type: "CALENDAR_VIEW", rows: 3, users: 1, patients: 2 },
      { day: "2026-11-02", type: "DENIED", rows: 1, users: 1, patients: 0 },
      { day: "2026-11-02", type: null, rows: 4, users: 1, patients: 2 },
      { day: "2026-11-20", type: "PATIENT_SEARCH", rows: 2, users: 2, patients: 0 },
      { day: "2026-11-20", type: null, rows: 2, users: 2, patients: 0 },
      { day: null, type: "CALENDAR_VIEW", rows: 3, users: 1, patients: 2 },
      { day: null, type: "DENIED", rows: 1, users: 1, patients: 0 },
      { day: null, type: "PATIENT_SEARCH", rows: 2, users: 2, patients: 0 },
      { day: null, type: null, rows: 6, users: 2, patients: 2 },
    ],
    ["PATIENT_SEARCH", "PATIENT_VIEW", "DENIED", "CALENDAR_VIEW"],
  );

  it("has every day of the month, empty ones at zero", () => {
    expect(table.days).toHaveLength(30);
    expect(table.days[0]).toEqual({ day: "2026-11-01", byType: {}, rows: 0, users: 0, patients: 0 });
  });

  it("puts each count in its day and type", () => {
    expect(table.days[1]).toEqual({ day: "2026-11-02", byType: { CALENDAR_VIEW: 3, DENIED: 1 }, rows: 4, users: 1, patients: 2 });
    expect(table.days[19]!.byType).toEqual({ PATIENT_SEARCH: 2 });
  });

  it("lists the types that occur, in the given order", () => {
    expect(table.types).toEqual(["PATIENT_SEARCH", "DENIED", "CALENDAR_VIEW"]);
  });

  it("totals the month", () => {
    expect(table.total).toEqual({ byType: { CALENDAR_VIEW: 3, DENIED: 1, PATIENT_SEARCH: 2 }, rows: 6, users: 2, patients: 2 });
  });

  it("ignores a day outside the month", () => {
    expect(activityTable(["2026-11-01"], [{ day: "2026-12-01", type: null, rows: 9, users: 1, patients: 1 }], []).days[0]!.rows).toBe(0);
  });
});

describe("the audit views' URLs", () => {
  it("drop what they do not understand and keep the rest", () => {
    expect(ZSignInFilter.parse({ facility: "2000101", login: "ｈｏｓｐ", kind: "NOPE", from: "2026-02-30", to: "2026-11-22", page: "x" })).toEqual({
      facility: "2000101",
      login: "hosp",
      kind: undefined,
      from: undefined,
      to: "2026-11-22",
      page: 1,
    });
  });

  it("take a sign-in kind group or one kind", () => {
    expect(ZSignInFilter.parse({ kind: "LOCKS" }).kind).toBe("LOCKS");
    expect(ZSignInFilter.parse({ kind: "SUCCESS" }).kind).toBe("SUCCESS");
  });

  it("empty fields of a submitted form are no filter", () => {
    expect(ZAccessRowsFilter.parse({ facility: "", user: "", patient: "", type: "", from: "", to: "", page: "" })).toEqual({
      facility: undefined,
      user: undefined,
      patient: undefined,
      type: undefined,
      from: undefined,
      to: undefined,
      emergency: false,
      page: 1,
    });
  });

  it("a regional ID may be typed with spaces, dashes or full-width digits", () => {
    expect(ZPatientReportQuery.parse({ regionalId: "１０００-０００ ０１８" }).regionalId).toBe("1000000018");
    expect(ZPatientReportQuery.parse({ regionalId: "12345" }).regionalId).toBeUndefined();
  });

  it("a month is YYYY-MM; days are real days", () => {
    expect(ZActivityQuery.parse({ facility: "2000101", month: "2026-11" })).toEqual({ facility: "2000101", month: "2026-11" });
    expect(ZActivityQuery.parse({ month: "2026-13" }).month).toBeUndefined();
    expect(ZUnusualQuery.parse({ from: "2026-11-31", to: "2026-11-30" })).toEqual({ from: undefined, to: "2026-11-30" });
  });

  it("a repeated parameter counts once", () => {
    expect(ZAccessRowsFilter.parse({ user: ["a-user", "b-user"] }).user).toBe("a-user");
  });
});
