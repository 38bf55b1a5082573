import { describe, expect, it } from "vitest";
import { ageOn, ERAS, formatSeireki, formatWareki, makeDate, parseDateInput, startOfJapanDay, todayInJapan } from "@/lib/dates";

/** "YYYY-MM-DD" → the UTC-midnight Date the module uses for calendar dates */
const d = (ymd: string) => new Date(`${ymd}T00:00:00.000Z`);
/** a parse result as "YYYY-MM-DD", or null */
const parsed = (input: string) => parseDateInput(input)?.toISOString().slice(0, 10) ?? null;

describe("parseDateInput: 西暦", () => {
  it.each([
    ["1966/06/06", "1966-06-06"],
    ["1966-6-6", "1966-06-06"],
    ["1966.6.6", "1966-06-06"],
    ["1966/6/06", "1966-06-06"],
    ["19660606", "1966-06-06"],
    ["1966年6月6日", "1966-06-06"],
    ["1966年06月06日", "1966-06-06"],
    ["1966年6月6", "1966-06-06"],
    ["１９６６／０６／０６", "1966-06-06"],
    ["１９６６年６月６日", "1966-06-06"],
    ["１９６６０６０６", "1966-06-06"],
    ["  1966/06/06  ", "1966-06-06"],
    ["1966 / 06 / 06", "1966-06-06"],
    ["\u30001966/06/06\u3000", "1966-06-06"],
    ["2024/02/29", "2024-02-29"],
    ["2000/02/29", "2000-02-29"],
    ["2026/12/31", "2026-12-31"],
    ["1800/01/01", "1800-01-01"],
    ["2999/12/31", "2999-12-31"],
  ])("%j → %s", (input, expected) => {
    expect(parsed(input)).toBe(expected);
  });

  it.each([
    ["2026/02/30", "30 February"],
    ["2026/02/29", "29 February in a common year"],
    ["1900/02/29", "29 February in 1900 (not a leap year)"],
    ["2026/04/31", "31 April"],
    ["2026/13/01", "a 13th month"],
    ["2026/00/10", "month 0"],
    ["2026/01/00", "day 0"],
    ["2026/01/32", "day 32"],
    ["20261301", "a 13th month, no separators"],
    ["20260230", "30 February, no separators"],
    ["1799/12/31", "before 1800"],
    ["3000/01/01", "after 2999"],
  ])("%j is refused (%s)", (input) => {
    expect(parseDateInput(input)).toBeNull();
  });
});

describe("parseDateInput: 和暦", () => {
  it.each([
    ["S41/06/06", "1966-06-06"],
    ["s41.6.6", "1966-06-06"],
    ["S41-6-6", "1966-06-06"],
    ["S410606", "1966-06-06"],
    ["s410606", "1966-06-06"],
    ["Ｓ４１／０６／０６", "1966-06-06"],
    ["昭和41年6月6日", "1966-06-06"],
    ["昭和４１年６月６日", "1966-06-06"],
    ["昭41.6.6", "1966-06-06"],
    ["昭41年6月6日", "1966-06-06"],
    ["昭和41/6/6", "1966-06-06"],
    // era boundaries
    ["S1/12/25", "1926-12-25"],
    ["T15/12/24", "1926-12-24"],
    ["S64/01/07", "1989-01-07"],
    ["H1/01/08", "1989-01-08"],
    ["H01/01/08", "1989-01-08"],
    ["H010108", "1989-01-08"],
    ["平成元年1月8日", "1989-01-08"],
    ["H31/04/30", "2019-04-30"],
    ["R1/05/01", "2019-05-01"],
    ["R01/05/01", "2019-05-01"],
    ["R元年5月1日", "2019-05-01"],
    ["令和元年5月1日", "2019-05-01"],
    ["R元/5/1", "2019-05-01"],
    ["令元.5.1", "2019-05-01"],
    ["R8/11/23", "2026-11-23"],
    ["r08.11.23", "2026-11-23"],
    ["M1/01/25", "1868-01-25"],
    ["明治45年7月29日", "1912-07-29"],
    ["大正元年7月30日", "1912-07-30"],
    ["H12/02/29", "2000-02-29"],
  ])("%j → %s", (input, expected) => {
    expect(parsed(input)).toBe(expected);
  });

  it.each([
    ["S64/01/08", "S64/01/08 is 平成 already"],
    ["H1/01/07", "H1/01/07 is still 昭和"],
    ["H31/05/01", "H31/05/01 is 令和"],
    ["H32/01/01", "there is no 平成32年"],
    ["R1/04/30", "R1/04/30 is 平成"],
    ["S1/12/24", "S1/12/24 is 大正"],
    ["T15/12/25", "T15/12/25 is 昭和"],
    ["T1/07/29", "T1/07/29 is 明治"],
    ["M1/01/24", "before 明治 began"],
    ["S0/01/01", "year 0 of an era"],
    ["S00/01/01", "year 00 of an era"],
    ["S41/02/30", "30 February"],
    ["S41/13/01", "a 13th month"],
    ["H11/02/29", "29 February 1999"],
    ["S100/01/01", "a three-digit era year"],
    ["X41/06/06", "an unknown era letter"],
    ["昭和41年13月1日", "a 13th month in kanji form"],
  ])("%j is refused (%s)", (input) => {
    expect(parseDateInput(input)).toBeNull();
  });
});

describe("parseDateInput: not a date", () => {
  it.each([
    "",
    "   ",
    "abc",
    "1966",
    "1966/06",
    "06/06/1966",
    "66/06/06",
    "1966/06/06/01",
    "1966//06/06",
    "1966/06/06 10:00",
    "S41",
    "S41/06",
    "S/06/06",
    "S4106",
    "S41060",
    "昭和41年",
    "1966060",
    "196606061",
    "１９６６年",
    "元年",
    "S41/06/06x",
    "-1966/06/06",
  ])("%j → null", (input) => {
    expect(parseDateInput(input)).toBeNull();
  });
});

describe("formatSeireki and formatWareki", () => {
  it.each([
    ["1966-06-06", "1966/06/06", "S41/06/06"],
    ["2019-05-01", "2019/05/01", "R01/05/01"],
    ["2019-04-30", "2019/04/30", "H31/04/30"],
    ["1989-01-07", "1989/01/07", "S64/01/07"],
    ["1989-01-08", "1989/01/08", "H01/01/08"],
    ["1926-12-24", "1926/12/24", "T15/12/24"],
    ["1926-12-25", "1926/12/25", "S01/12/25"],
    ["1912-07-29", "1912/07/29", "M45/07/29"],
    ["1912-07-30", "1912/07/30", "T01/07/30"],
    ["1868-01-25", "1868/01/25", "M01/01/25"],
    ["2026-11-23", "2026/11/23", "R08/11/23"],
    ["2000-02-29", "2000/02/29", "H12/02/29"],
    ["2037-12-31", "2037/12/31", "R19/12/31"],
  ])("%s → %s, %s", (ymd, seireki, wareki) => {
    expect(formatSeireki(d(ymd))).toBe(seireki);
    expect(formatWareki(d(ymd))).toBe(wareki);
  });

  it("before 明治 there is no era letter: shown in 西暦", () => {
    expect(formatWareki(d("1868-01-24"))).toBe("1868/01/24");
    expect(formatWareki(d("1850-03-01"))).toBe("1850/03/01");
  });

  it("reads the UTC calendar date, not the server's local date", () => {
    // the last millisecond of a UTC day is still that day
    expect(formatSeireki(new Date("1989-01-07T23:59:59.999Z"))).toBe("1989/01/07");
    expect(formatWareki(new Date("1989-01-07T23:59:59.999Z"))).toBe("S64/01/07");
  });

  it("both forms parse back to the same date, from 明治 to 2040 (every 13 days and every era's first and last day)", () => {
    const dates: Date[] = [];
    for (let x = d("1868-01-25").getTime(); x < d("2040-01-01").getTime(); x += 13 * 86_400_000) dates.push(new Date(x));
    for (const era of ERAS) {
      const first = Date.UTC(era.start[0], era.start[1] - 1, era.start[2]);
      dates.push(new Date(first), new Date(first - 86_400_000));
    }
    expect(dates.length).toBeGreaterThan(4800);
    for (const date of dates) {
      if (date < d("1868-01-25")) continue;
      expect(parseDateInput(formatSeireki(date))?.getTime(), formatSeireki(date)).toBe(date.getTime());
      expect(parseDateInput(formatWareki(date))?.getTime(), formatWareki(date)).toBe(date.getTime());
    }
  });
});

describe("makeDate", () => {
  it("builds a UTC-midnight date", () => {
    expect(makeDate(1966, 6, 6)?.toISOString()).toBe("1966-06-06T00:00:00.000Z");
  });
  it.each([
    [2026, 2, 29],
    [2026, 4, 31],
    [2026, 0, 1],
    [2026, 1, 0],
    [2026, 1.5, 1],
    [Number.NaN, 1, 1],
    [1799, 12, 31],
    [3000, 1, 1],
  ])("refuses %s-%s-%s", (y, m, day) => {
    expect(makeDate(y, m, day)).toBeNull();
  });
});

describe("ageOn", () => {
  const age = (birth: string, on: string) => ageOn(d(birth), d(on));
  it.each([
    { name: "on the 60th birthday", birth: "1966-06-06", on: "2026-06-06", years: 60, months: 0 },
    { name: "the day before the 60th birthday", birth: "1966-06-06", on: "2026-06-05", years: 59, months: 11 },
    { name: "the day after the 60th birthday", birth: "1966-06-06", on: "2026-06-07", years: 60, months: 0 },
    { name: "one month after the birthday", birth: "1966-06-06", on: "2026-07-06", years: 60, months: 1 },
    { name: "a day short of one month after", birth: "1966-06-06", on: "2026-07-05", years: 60, months: 0 },
    { name: "a day short of the next birthday", birth: "1966-06-06", on: "2027-06-05", years: 60, months: 11 },
    { name: "the day of birth", birth: "2026-11-23", on: "2026-11-23", years: 0, months: 0 },
    { name: "a newborn, days old", birth: "2026-11-01", on: "2026-11-23", years: 0, months: 0 },
    { name: "a baby of one month", birth: "2026-10-23", on: "2026-11-23", years: 0, months: 1 },
    { name: "a baby across the new year", birth: "2025-11-24", on: "2026-11-23", years: 0, months: 11 },
    { name: "born on the 31st, on the last day of a shorter month", birth: "2026-01-31", on: "2026-02-28", years: 0, months: 0 },
    { name: "born on the 31st, on the 1st of the month after", birth: "2026-01-31", on: "2026-03-01", years: 0, months: 1 },
    { name: "born 29 Feb: 28 Feb of a common year is not yet the birthday", birth: "2000-02-29", on: "2001-02-28", years: 0, months: 11 },
    { name: "born 29 Feb: comes of age on 1 March of a common year", birth: "2000-02-29", on: "2001-03-01", years: 1, months: 0 },
    { name: "born 29 Feb: on 29 Feb of a leap year", birth: "2000-02-29", on: "2004-02-29", years: 4, months: 0 },
    { name: "born 29 Feb: 28 Feb of a leap year", birth: "2000-02-29", on: "2004-02-28", years: 3, months: 11 },
    { name: "born 29 Feb: 28 Feb 2026 is not yet the 22nd birthday", birth: "2004-02-29", on: "2026-02-28", years: 21, months: 11 },
    { name: "born 29 Feb: the 22nd birthday falls on 1 Mar 2026", birth: "2004-02-29", on: "2026-03-01", years: 22, months: 0 },
    { name: "a centenarian", birth: "1926-12-25", on: "2026-12-25", years: 100, months: 0 },
    { name: "a date before birth counts as zero", birth: "2026-11-23", on: "2026-01-01", years: 0, months: 0 },
  ])("$name: $years years $months months", ({ birth, on, years, months }) => {
    expect(age(birth, on)).toEqual({ years, months });
  });

  it("grows by exactly one month on each monthly anniversary over two years", () => {
    for (let k = 0; k < 24; k++) {
      const on = new Date(Date.UTC(2024, 3 + k, 15));
      expect(ageOn(d("2024-04-15"), on)).toEqual({ years: Math.floor(k / 12), months: k % 12 });
      const dayBefore = new Date(on.getTime() - 86_400_000);
      if (k > 0) expect(ageOn(d("2024-04-15"), dayBefore)).toEqual({ years: Math.floor((k - 1) / 12), months: (k - 1) % 12 });
    }
  });
});

describe("todayInJapan and startOfJapanDay", () => {
  it.each([
    ["2026-11-22T14:59:59.999Z", "2026-11-22"],
    ["2026-11-22T15:00:00.000Z", "2026-11-23"],
    ["2026-11-22T15:30:00.000Z", "2026-11-23"],
    ["2026-11-23T00:00:00.000Z", "2026-11-23"],
    ["2026-11-23T14:59:59.999Z", "2026-11-23"],
    ["2026-12-31T14:59:59.999Z", "2026-12-31"],
    ["2026-12-31T15:00:00.000Z", "2027-01-01"],
    ["2028-02-28T15:00:00.000Z", "2028-02-29"],
    ["2027-02-28T15:00:00.000Z", "2027-03-01"],
  ])("at %s it is %s in Japan", (instant, ymd) => {
    const today = todayInJapan(new Date(instant));
    expect(today.toISOString()).toBe(`${ymd}T00:00:00.000Z`);
  });

  it("defaults to now", () => {
    const before = todayInJapan(new Date()).getTime();
    const today = todayInJapan().getTime();
    const after = todayInJapan(new Date()).getTime();
    expect([before, after]).toContain(today);
  });

  it("a Japanese day begins at 15:00 UTC the day before", () => {
    expect(startOfJapanDay(d("2026-11-23")).toISOString()).toBe("2026-11-22T15:00:00.000Z");
    expect(startOfJapanDay(d("2027-01-01")).toISOString()).toBe("2026-12-31T15:00:00.000Z");
  });

  it("the start of a Japanese day is that day, the millisecond before is the day before", () => {
    for (const ymd of ["2026-01-01", "2026-11-23", "2028-02-29", "2026-12-31"]) {
      const start = startOfJapanDay(d(ymd));
      expect(todayInJapan(start).getTime()).toBe(d(ymd).getTime());
      expect(todayInJapan(new Date(start.getTime() - 1)).getTime()).toBe(d(ymd).getTime() - 86_400_000);
    }
  });
});
