import type { AccessType, SignInEventKind } from "@/generated/prisma/enums";
import { addDays, dateOfDay, dayOf, isDay, type TDay } from "@/lib/clinical/calendar";
import { startOfJapanDay, todayInJapan } from "@/lib/dates";

/*
 * The secretariat's audit views, as pure rules: what counts as unusual, Japan-time days and
 * nights, and the rows page's links. The SQL in ./queries.ts applies the same thresholds.
 */

/** One user opening at least this many distinct patients… */
export const BURST_MIN_PATIENTS = 20;
/** …within less than this many minutes. */
export const BURST_WINDOW_MINUTES = 60;
/** Access by a facility within this many hours after its link for the patient was created. */
export const NEW_LINK_HOURS = 24;
/** Night time in Japan: from 22:00 to 06:00. */
export const NIGHT_START_HOUR = 22;
export const NIGHT_END_HOUR = 6;
/** Refusals (DENIED) by one user in one Japan-time day. */
export const DENIED_PER_DAY = 5;
/** The unusual-access report's default range (today and the days before) and its longest range. */
export const UNUSUAL_DEFAULT_DAYS = 7;
export const UNUSUAL_MAX_DAYS = 31;

export const AUDIT_PAGE_SIZE = 50;

export const UNUSUAL_RULES = ["BURST", "EMERGENCY", "NEW_LINK", "NIGHT", "DENIED"] as const;
export type TUnusualRule = (typeof UNUSUAL_RULES)[number];

/** Sign-in kinds chosen together in the history's filter. */
export const SIGN_IN_KIND_GROUPS = {
  FAILURES: ["FAILURE", "LOCKED", "LOCKED_ATTEMPT", "RETIRED_ATTEMPT", "FACILITY_MISMATCH", "NO_CERTIFICATE", "PASSWORD_RESET_FAILURE", "RATE_LIMITED", "SECOND_FACTOR_FAILURE"],
  LOCKS: ["LOCKED", "LOCKED_ATTEMPT"],
} as const satisfies Record<string, readonly SignInEventKind[]>;
export type TSignInKindGroup = keyof typeof SIGN_IN_KIND_GROUPS;
export const SIGN_IN_KIND_GROUP_NAMES = Object.keys(SIGN_IN_KIND_GROUPS) as TSignInKindGroup[];

const isKindGroup = (k: string): k is TSignInKindGroup => k in SIGN_IN_KIND_GROUPS;

/** The kinds a filter value stands for (a group or one kind); undefined: every kind. */
export function kindsOf(kind: SignInEventKind | TSignInKindGroup | undefined): SignInEventKind[] | undefined {
  if (!kind) return undefined;
  return isKindGroup(kind) ? [...SIGN_IN_KIND_GROUPS[kind]] : [kind];
}

export const isSignInFailure = (kind: SignInEventKind) => (SIGN_IN_KIND_GROUPS.FAILURES as readonly SignInEventKind[]).includes(kind);

/* Japan time (UTC+9, no daylight saving). */

const HOUR_MS = 3600_000;
const inJapan = (at: Date) => new Date(at.getTime() + 9 * HOUR_MS);

export const jstDayOf = (at: Date): TDay => dayOf(inJapan(at));
export const jstHourOf = (at: Date): number => inJapan(at).getUTCHours();

export function isNightTime(at: Date): boolean {
  const hour = jstHourOf(at);
  return hour >= NIGHT_START_HOUR || hour < NIGHT_END_HOUR;
}

/** The evening a night-time instant belongs to (02:00 on the 23rd is the night of the 22nd); null by day. */
export const nightOf = (at: Date): TDay | null => (isNightTime(at) ? jstDayOf(new Date(at.getTime() - NIGHT_END_HOUR * HOUR_MS)) : null);

/** 00:00 JST of a day. */
export const dayStart = (day: TDay): Date => startOfJapanDay(dateOfDay(day));

/** The instants of whole Japan-time days, `to` included: [00:00 of from, 00:00 of the day after to). */
export const daysRange = (from: TDay, to: TDay) => ({ from: dayStart(from), to: dayStart(addDays(to, 1)) });

/** From 22:00 JST of the day to 06:00 JST of the next. */
export const nightWindow = (day: TDay) => ({
  from: new Date(dayStart(day).getTime() + NIGHT_START_HOUR * HOUR_MS),
  to: new Date(dayStart(addDays(day, 1)).getTime() + NIGHT_END_HOUR * HOUR_MS),
});

/** Every day of a month (YYYY-MM). */
export function monthDays(month: string): TDay[] {
  const days: TDay[] = [];
  for (let d = `${month}-01`; d.startsWith(month); d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * The unusual-access report's days: as asked, else the last UNUSUAL_DEFAULT_DAYS days up to today;
 * reversed ends are swapped and a range longer than UNUSUAL_MAX_DAYS keeps its last days.
 */
export function unusualDays(asked: { from?: TDay; to?: TDay }, now: Date = new Date()): { from: TDay; to: TDay } {
  const today = dayOf(todayInJapan(now));
  let to = asked.to ?? today;
  let from = asked.from ?? addDays(to, -(UNUSUAL_DEFAULT_DAYS - 1));
  if (from > to) [from, to] = [to, from];
  const earliest = addDays(to, -(UNUSUAL_MAX_DAYS - 1));
  return { from: from < earliest ? earliest : from, to };
}

/* The rows page's from/to: Japan-time local date-times (a datetime-local input's value). */

/** "2026-11-22T10:05:03", the instant in Japan time (to the second, rounded down). */
export const toJstLocal = (at: Date): string => inJapan(at).toISOString().slice(0, 19);

const LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2026-11-22T10:05" or "2026-11-22T10:05:03" in Japan time; null if not a real date-time. */
export function parseJstLocal(s: string): Date | null {
  const m = LOCAL.exec(s);
  if (!m || !isDay(m[1])) return null;
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return null;
  return new Date(dayStart(m[1]!).getTime() + hour * HOUR_MS + minute * 60_000 + second * 1000);
}

/** The rows from `first` to `last` in whole seconds: [first's second, the second after last's). */
export function secondsBounds(first: Date, last: Date): { from: Date; to: Date } {
  return { from: new Date(Math.floor(first.getTime() / 1000) * 1000), to: new Date(Math.floor(last.getTime() / 1000) * 1000 + 1000) };
}

/** secondsBounds as the rows page's from/to: the rows a finding links to. */
export function secondsSpan(first: Date, last: Date): { from: string; to: string } {
  const b = secondsBounds(first, last);
  return { from: toJstLocal(b.from), to: toJstLocal(b.to) };
}

export type TRowsLink = { facility?: string; user?: string; patient?: string; type?: AccessType; from?: string; to?: string; emergency?: boolean };

/** A link to the access-log rows page with its filters (facility code, login ID, regional ID). */
export function rowsHref(link: TRowsLink): string {
  const sp = new URLSearchParams();
  for (const [key, value] of Object.entries(link)) {
    if (value === undefined || value === false || value === "") continue;
    sp.set(key, value === true ? "1" : String(value));
  }
  return `/admin/audit/rows?${sp.toString()}`;
}

/* One user opening many patients in a short time. */

/** A user's log row; `patientId` only where it read a patient's data (a search or a refusal has none). */
export type TUserRow = { userId: string; patientId: string | null; at: Date };
export type TBurst = { userId: string; first: Date; last: Date; patients: number; rows: number };

/**
 * Stretches of a user's reads in which some window shorter than `windowMinutes` holds at least
 * `minPatients` distinct patients. Overlapping windows make one stretch, reported with its first
 * and last read, its distinct patients, and the user's rows in it as the rows page shows them
 * (whole seconds, see secondsBounds), searches and refusals included.
 */
export function findBursts(rows: TUserRow[], minPatients = BURST_MIN_PATIENTS, windowMinutes = BURST_WINDOW_MINUTES): TBurst[] {
  const byUser = new Map<string, TUserRow[]>();
  for (const r of rows) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  return [...byUser.values()]
    .flatMap((list) => burstsOfUser([...list].sort((a, b) => a.at.getTime() - b.at.getTime()), minPatients, windowMinutes * 60_000))
    .sort((a, b) => a.first.getTime() - b.first.getTime() || a.userId.localeCompare(b.userId));
}

/** Index ranges of `reads` (sorted) whose sliding windows reach `minPatients` distinct patients, overlapping ones merged. */
function burstSpans(reads: TUserRow[], minPatients: number, windowMs: number): { first: number; last: number }[] {
  const spans: { first: number; last: number }[] = [];
  const inWindow = new Map<string | null, number>();
  let left = 0;
  reads.forEach((read, right) => {
    inWindow.set(read.patientId, (inWindow.get(read.patientId) ?? 0) + 1);
    while (read.at.getTime() - reads[left]!.at.getTime() >= windowMs) {
      const id = reads[left]!.patientId;
      const n = inWindow.get(id)! - 1;
      if (n === 0) inWindow.delete(id);
      else inWindow.set(id, n);
      left++;
    }
    if (inWindow.size < minPatients) return;
    const previous = spans.at(-1);
    if (previous && left <= previous.last) previous.last = right;
    else spans.push({ first: left, last: right });
  });
  return spans;
}

function burstsOfUser(rows: TUserRow[], minPatients: number, windowMs: number): TBurst[] {
  const reads = rows.filter((r) => r.patientId !== null);
  return burstSpans(reads, minPatients, windowMs).map(({ first, last }) => {
    const part = reads.slice(first, last + 1);
    const bounds = secondsBounds(part[0]!.at, part.at(-1)!.at);
    return {
      userId: part[0]!.userId,
      first: part[0]!.at,
      last: part.at(-1)!.at,
      patients: new Set(part.map((p) => p.patientId)).size,
      rows: rows.filter((r) => r.at >= bounds.from && r.at < bounds.to).length,
    };
  });
}

/**
 * Where to look for bursts, from the database's candidates: any window shorter than W that starts
 * in bucket b (b = ⌊epoch seconds / W⌋) lies inside [b·W, (b+2)·W), so a user's candidate buckets
 * bound the reads to load.
 */
export function bucketBounds(buckets: number[], windowMinutes = BURST_WINDOW_MINUTES): { from: Date; to: Date } {
  const w = windowMinutes * 60_000;
  return { from: new Date(Math.min(...buckets) * w), to: new Date((Math.max(...buckets) + 2) * w) };
}

/* A facility's activity by day. */

export type TActivityCount = { day: TDay | null; type: AccessType | null; rows: number; users: number; patients: number };
export type TActivityCells = { byType: Partial<Record<AccessType, number>>; rows: number; users: number; patients: number };
export type TActivityDay = TActivityCells & { day: TDay };

const emptyCells = (): TActivityCells => ({ byType: {}, rows: 0, users: 0, patients: 0 });

/**
 * The month's table from grouped counts (per day and type, per day, and the month: a null day or
 * type stands for "all"): every day of the month, the types that occur in `order`'s order, totals.
 */
export function activityTable(days: TDay[], counts: TActivityCount[], order: readonly AccessType[]) {
  const byDay = new Map<TDay, TActivityCells>(days.map((d) => [d, emptyCells()]));
  const total = emptyCells();
  const seen = new Set<AccessType>();
  for (const c of counts) {
    const cells = c.day === null ? total : byDay.get(c.day);
    if (!cells) continue;
    if (c.type === null) Object.assign(cells, { rows: c.rows, users: c.users, patients: c.patients });
    else {
      cells.byType[c.type] = c.rows;
      seen.add(c.type);
    }
  }
  return {
    days: days.map((day): TActivityDay => ({ day, ...byDay.get(day)! })),
    types: order.filter((t) => seen.has(t)),
    total,
  };
}
