import { nfkc } from "@/lib/text";

/*
 * Calendar dates as clinical staff write them: 西暦 (1966/06/06) or 和暦 (S41/06/06, 昭和41年6月6日),
 * shown as `S41/06/06 (1966/06/06)` (seed 004). Dates without time are UTC midnight Date objects
 * (PostgreSQL `date`); "today" is the date in Japan.
 */

type TEra = { letter: string; kanji: string; start: [number, number, number] };

/** Modern eras, newest first; each begins on the date given (the first day of the era). */
export const ERAS: TEra[] = [
  { letter: "R", kanji: "令和", start: [2019, 5, 1] },
  { letter: "H", kanji: "平成", start: [1989, 1, 8] },
  { letter: "S", kanji: "昭和", start: [1926, 12, 25] },
  { letter: "T", kanji: "大正", start: [1912, 7, 30] },
  { letter: "M", kanji: "明治", start: [1868, 1, 25] },
];

const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

/** A real calendar date (no 2/30), as a UTC-midnight Date, or null. */
export function makeDate(y: number, m: number, d: number): Date | null {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return null;
  if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = utc(y, m, d);
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

const eraOf = (token: string) => {
  const t = token.toUpperCase();
  return ERAS.find((e) => e.letter === t || e.kanji === token || e.kanji[0] === token);
};

/**
 * Parses 1966/06/06, 1966-6-6, 1966.6.6, 19660606, 1966年6月6日, S41/06/06, S41.6.6, s410606,
 * 昭和41年6月6日, 昭41.6.6, R元年5月1日 (any width). A 和暦 date outside its era is refused.
 */
export function parseDateInput(input: string): Date | null {
  const s = nfkc(input).trim().replace(/\s+/g, "").replace(/元年/g, "1年").replace(/元(?=[./-])/g, "1");
  let m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(s) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return makeDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m =
    /^([MTSHRmtshr]|明治|大正|昭和|平成|令和|明|大|昭|平|令)(\d{1,2})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(s) ??
    /^([MTSHRmtshr]|明治|大正|昭和|平成|令和|明|大|昭|平|令)(\d{1,2})年(\d{1,2})月(\d{1,2})日?$/.exec(s) ??
    /^([MTSHRmtshr])(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const era = eraOf(m[1] ?? "");
  const year = Number(m[2]);
  if (!era || year < 1) return null;
  const date = makeDate(era.start[0] + year - 1, Number(m[3]), Number(m[4]));
  if (!date) return null;
  // The date must fall inside the era: on or after its first day, before the next era's.
  const i = ERAS.indexOf(era);
  if (date < utc(...era.start)) return null;
  const newer = ERAS[i - 1];
  if (newer && date >= utc(...newer.start)) return null;
  return date;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** 1966/06/06 */
export const formatSeireki = (d: Date) => `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;

/** S41/06/06 (the era letter and the year of the era). */
export function formatWareki(d: Date): string {
  const era = ERAS.find((e) => d >= utc(...e.start));
  if (!era) return formatSeireki(d);
  return `${era.letter}${pad(d.getUTCFullYear() - era.start[0] + 1)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

/** Today's date in Japan (UTC midnight), whatever the server's time zone. */
export function todayInJapan(now: Date = new Date()): Date {
  const jst = new Date(now.getTime() + 9 * 3600_000);
  return utc(jst.getUTCFullYear(), jst.getUTCMonth() + 1, jst.getUTCDate());
}

/** Age in whole years and months on `on` (a birthday on 2/29 comes of age on 3/1 in common years). */
export function ageOn(birth: Date, on: Date): { years: number; months: number } {
  let months = (on.getUTCFullYear() - birth.getUTCFullYear()) * 12 + (on.getUTCMonth() - birth.getUTCMonth());
  if (on.getUTCDate() < birth.getUTCDate()) months -= 1;
  months = Math.max(0, months);
  return { years: Math.floor(months / 12), months: months % 12 };
}

/** The instant a date begins in Japan (00:00 JST). */
export const startOfJapanDay = (d: Date) => new Date(d.getTime() - 9 * 3600_000);

/** An instant as Japan's wall clock in the form <input type="datetime-local"> takes (2026-11-22T09:30). */
export const japanDateTimeLocal = (d: Date) => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 16);
