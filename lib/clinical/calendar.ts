/**
 * The patient calendar's model (seed 000's grid), pure: rows, the window for a zoom, the
 * columns, bucketing of per-day counts into cells, and admission periods as bars. The data
 * layer (lib/clinical/queries.ts) feeds it rows the visibility rule let through.
 */
import type { TContentCategory } from "@/lib/clinical/ingest/types";

/** Dates are Japan calendar days as "yyyy-mm-dd" (the database's occurred_date). */
export type TDay = string;

export const CALENDAR_ZOOMS = ["day", "week", "month"] as const;
export type TCalendarZoom = (typeof CALENDAR_ZOOMS)[number];

/** Columns per window: two weeks of days (as seed 000's screen), a quarter of weeks, a year of months. */
export const DAY_SPANS = [7, 14, 28] as const;
export const ZOOM_COLUMNS: Record<TCalendarZoom, number> = { day: 14, week: 13, month: 12 };

export const CALENDAR_ROW_IDS = [
  "period",
  "rxOrder",
  "rxDone",
  "injOrder",
  "injDone",
  "lab",
  "image",
  "report",
  "file",
  "checkup",
  "noteRecord",
  "noteContact",
] as const;
export type TCalendarRowId = (typeof CALENDAR_ROW_IDS)[number];

/** Seed 000's rows: 期間, 処方 指示/実施, 注射 指示/実施, 検査, 画像, レポート, ファイル, 健診, ノート 記録/連絡. */
export const CALENDAR_ROWS: { id: TCalendarRowId; group: string; categories: TContentCategory[] }[] = [
  { id: "period", group: "period", categories: ["ADMISSION"] },
  { id: "rxOrder", group: "prescription", categories: ["PRESCRIPTION_ORDER"] },
  { id: "rxDone", group: "prescription", categories: ["PRESCRIPTION_DISPENSED"] },
  { id: "injOrder", group: "injection", categories: ["INJECTION_ORDER"] },
  { id: "injDone", group: "injection", categories: ["INJECTION_ADMINISTERED"] },
  { id: "lab", group: "lab", categories: ["LAB"] },
  { id: "image", group: "image", categories: ["IMAGING"] },
  // 退院時サマリ, 診療情報提供書 and other documents sit with the reports, as in ID-Link
  { id: "report", group: "report", categories: ["REPORT", "DOCUMENT"] },
  { id: "file", group: "file", categories: ["FILE"] },
  { id: "checkup", group: "checkup", categories: ["CHECKUP"] },
  // ノート 記録 / 連絡 (seed 000); notes received from systems count as 記録
  { id: "noteRecord", group: "note", categories: ["NOTE"] },
  { id: "noteContact", group: "note", categories: ["NOTE_CONTACT"] },
];

export const CALENDAR_CATEGORIES: TContentCategory[] = CALENDAR_ROWS.flatMap((r) => r.categories);

const ROW_OF = new Map<TContentCategory, TCalendarRowId>(CALENDAR_ROWS.flatMap((r) => r.categories.map((c) => [c, r.id] as const)));
export const rowOfCategory = (c: TContentCategory): TCalendarRowId | undefined => ROW_OF.get(c);
export const categoriesOfRow = (id: TCalendarRowId): TContentCategory[] => CALENDAR_ROWS.find((r) => r.id === id)?.categories ?? [];

// ------------------------------------------------------------------ days

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(s: unknown): s is TDay {
  if (typeof s !== "string") return false;
  const m = DAY_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === s;
}

export const dayOf = (d: Date): TDay => d.toISOString().slice(0, 10);
export const dateOfDay = (s: TDay): Date => new Date(`${s}T00:00:00Z`);
export const addDays = (s: TDay, n: number): TDay => dayOf(new Date(dateOfDay(s).getTime() + n * 86_400_000));
export function addMonths(s: TDay, n: number): TDay {
  const d = dateOfDay(s);
  return dayOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
}
export const diffDays = (a: TDay, b: TDay): number => Math.round((dateOfDay(b).getTime() - dateOfDay(a).getTime()) / 86_400_000);
/** 0 = Sunday … 6 = Saturday */
export const weekdayOf = (s: TDay): number => dateOfDay(s).getUTCDay();
export const mondayOf = (s: TDay): TDay => addDays(s, -((weekdayOf(s) + 6) % 7));
export const monthStartOf = (s: TDay): TDay => `${s.slice(0, 7)}-01`;

// ------------------------------------------------------------------ the window

export type TCalendarColumn = { start: TDay; end: TDay };

export type TCalendarWindow = {
  zoom: TCalendarZoom;
  /** day zoom: the number of day columns */
  days: number;
  /** first and last day covered (inclusive) */
  from: TDay;
  to: TDay;
  columns: TCalendarColumn[];
};

/** Where a window starts for a zoom: any day for days, the Monday for weeks, the 1st for months. */
export function alignStart(zoom: TCalendarZoom, day: TDay): TDay {
  return zoom === "week" ? mondayOf(day) : zoom === "month" ? monthStartOf(day) : day;
}

export function calendarWindow(zoom: TCalendarZoom, start: TDay, days: number = ZOOM_COLUMNS.day): TCalendarWindow {
  const from = alignStart(zoom, start);
  const columns: TCalendarColumn[] = [];
  if (zoom === "day") {
    for (let i = 0; i < days; i++) columns.push({ start: addDays(from, i), end: addDays(from, i) });
  } else if (zoom === "week") {
    for (let i = 0; i < ZOOM_COLUMNS.week; i++) columns.push({ start: addDays(from, i * 7), end: addDays(from, i * 7 + 6) });
  } else {
    for (let i = 0; i < ZOOM_COLUMNS.month; i++) columns.push({ start: addMonths(from, i), end: addDays(addMonths(from, i + 1), -1) });
  }
  return { zoom, days: zoom === "day" ? days : columns.length, from, to: columns[columns.length - 1]!.end, columns };
}

/** The window whose last column holds `day` (today, the last record). */
export function windowEndingAt(zoom: TCalendarZoom, day: TDay, days: number = ZOOM_COLUMNS.day): TCalendarWindow {
  if (zoom === "day") return calendarWindow("day", addDays(day, -(days - 1)), days);
  if (zoom === "week") return calendarWindow("week", addDays(mondayOf(day), -7 * (ZOOM_COLUMNS.week - 1)));
  return calendarWindow("month", addMonths(monthStartOf(day), -(ZOOM_COLUMNS.month - 1)));
}

/** The previous or next window (a whole window's width). */
export function shiftWindow(w: TCalendarWindow, direction: -1 | 1): TCalendarWindow {
  if (w.zoom === "day") return calendarWindow("day", addDays(w.from, direction * w.days), w.days);
  if (w.zoom === "week") return calendarWindow("week", addDays(w.from, direction * 7 * ZOOM_COLUMNS.week));
  return calendarWindow("month", addMonths(w.from, direction * ZOOM_COLUMNS.month));
}

/**
 * The same place at another zoom: the new window ends where the old one ends (or today, if the old
 * one runs into the future), so zooming out shows what led up to what was on screen.
 */
export function rezoom(w: TCalendarWindow, zoom: TCalendarZoom, today: TDay, days: number = w.zoom === "day" ? w.days : ZOOM_COLUMNS.day): TCalendarWindow {
  return windowEndingAt(zoom, w.to < today ? w.to : today, days);
}

export function columnIndexOf(w: TCalendarWindow, day: TDay): number {
  if (day < w.from || day > w.to) return -1;
  if (w.zoom === "day") return diffDays(w.from, day);
  if (w.zoom === "week") return Math.floor(diffDays(w.from, day) / 7);
  const [fy, fm] = [+w.from.slice(0, 4), +w.from.slice(5, 7)];
  return (+day.slice(0, 4) - fy) * 12 + (+day.slice(5, 7) - fm);
}

// ------------------------------------------------------------------ cells

/** One group from the database: how many items of a category a facility has on a day (notes: by the author's qualification). */
export type TDayCount = { day: TDay; category: TContentCategory; facilityId: string; count: number; qualification?: string | null };

/** `qualifications`: the authors' 資格種別 of the notes in a note cell (seed 000: the icon shows who wrote it). */
export type TCalendarCell = { count: number; byFacility: Record<string, number>; qualifications?: string[] };
export type TCalendarGrid = Record<TCalendarRowId, (TCalendarCell | null)[]>;

export function bucketCounts(w: TCalendarWindow, counts: TDayCount[]): TCalendarGrid {
  const grid = Object.fromEntries(CALENDAR_ROW_IDS.map((id) => [id, w.columns.map(() => null)])) as TCalendarGrid;
  for (const c of counts) {
    const row = rowOfCategory(c.category);
    const col = columnIndexOf(w, c.day);
    if (!row || col < 0) continue;
    const cell = (grid[row][col] ??= { count: 0, byFacility: {} });
    cell.count += c.count;
    cell.byFacility[c.facilityId] = (cell.byFacility[c.facilityId] ?? 0) + c.count;
    if (c.qualification && (row === "noteRecord" || row === "noteContact")) {
      cell.qualifications = [...new Set([...(cell.qualifications ?? []), c.qualification])].sort();
    }
  }
  return grid;
}

/** A file with a validity period (登録先期間): shown in the ファイル row on every column it covers. */
export type TFilePeriod = { from: TDay; to: TDay; facilityId: string };

/**
 * Counts for the columns a file's period covers after its first day's column (the first day is
 * already counted where the item is dated), so a cell anywhere in the period opens the file.
 */
export function filePeriodCounts(w: TCalendarWindow, files: TFilePeriod[]): TDayCount[] {
  const out: TDayCount[] = [];
  for (const f of files) {
    const startCol = columnIndexOf(w, f.from);
    w.columns.forEach((col, i) => {
      if (i === startCol || col.end < f.from || col.start > f.to) return;
      out.push({ day: col.start < f.from ? f.from : col.start, category: "FILE", facilityId: f.facilityId, count: 1 });
    });
  }
  return out;
}

// ------------------------------------------------------------------ admissions

/** An ADMISSION item as the period builder needs it. */
export type TAdmissionEvent = { facilityId: string; occurredAt: Date; payload: unknown };
export type TAdmissionPeriod = { facilityId: string; start: TDay; end: TDay | null };

const japanDayOf = (d: Date): TDay => dayOf(new Date(d.getTime() + 9 * 3600_000));

function dayFromIso(v: unknown): TDay | null {
  if (typeof v !== "string" || v === "") return null;
  if (isDay(v)) return v;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : japanDayOf(d);
}

/**
 * Inpatient periods, per facility, from the admission items: an SS-MIX2 入院 (A01) opens one, 退院
 * (A03) closes it, and their cancellations (A11, A13) undo them; a FHIR inpatient Encounter is a
 * period by itself. An admission with no discharge yet runs to `end: null` (still in hospital).
 */
export function admissionPeriods(events: TAdmissionEvent[]): TAdmissionPeriod[] {
  const out: TAdmissionPeriod[] = [];
  const byFacility = new Map<string, TAdmissionEvent[]>();
  for (const e of events) byFacility.set(e.facilityId, [...(byFacility.get(e.facilityId) ?? []), e]);
  for (const [facilityId, list] of byFacility) {
    list.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    const periods: TAdmissionPeriod[] = [];
    let open: TAdmissionPeriod | null = null;
    let lastClosed: TAdmissionPeriod | null = null;
    for (const e of list) {
      const p = (e.payload ?? {}) as Record<string, unknown>;
      const day = japanDayOf(e.occurredAt);
      if (p.resourceType === "Encounter") {
        const start = dayFromIso(p.start) ?? day;
        periods.push({ facilityId, start, end: dayFromIso(p.end) });
        continue;
      }
      const cancelled = p.cancelled === true;
      if (p.event === "A01" && !cancelled) {
        open = { facilityId, start: dayFromIso(p.admittedAt) ?? day, end: null };
        periods.push(open);
      } else if ((p.event === "A11" && p.dataType !== "ADT-12") || (p.event === "A01" && cancelled)) {
        // A11 also cancels an outpatient visit (ADT-12), which is no stay
        if (open) periods.splice(periods.indexOf(open), 1);
        open = null;
      } else if (p.event === "A03" && !cancelled) {
        const end = dayFromIso(p.dischargedAt) ?? day;
        if (open) {
          open.end = end;
          lastClosed = open;
          open = null;
        } else {
          // a discharge whose admission came before the data starts: the stay is known to end here
          lastClosed = { facilityId, start: end, end };
          periods.push(lastClosed);
        }
      } else if (p.event === "A13" || (p.event === "A03" && cancelled)) {
        if (lastClosed) {
          lastClosed.end = null;
          open = lastClosed;
          lastClosed = null;
        }
      }
    }
    out.push(...periods);
  }
  return out.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.facilityId < b.facilityId ? -1 : 1));
}

/** A bar over the window's columns: first and last column index (inclusive), and whether it runs on past either edge. */
export type TPeriodBar = { facilityId: string; first: number; last: number; start: TDay; end: TDay | null; continuesBefore: boolean; continuesAfter: boolean };

export function periodBars(w: TCalendarWindow, periods: TAdmissionPeriod[], today: TDay): TPeriodBar[] {
  const bars: TPeriodBar[] = [];
  for (const p of periods) {
    const end = p.end ?? (today > w.to ? w.to : today);
    if (end < w.from || p.start > w.to || end < p.start) continue;
    const first = columnIndexOf(w, p.start < w.from ? w.from : p.start);
    const last = columnIndexOf(w, end > w.to ? w.to : end);
    bars.push({ facilityId: p.facilityId, first, last, start: p.start, end: p.end, continuesBefore: p.start < w.from, continuesAfter: p.end === null ? today > w.to : p.end > w.to });
  }
  return bars;
}

// ------------------------------------------------------------------ facility colours

/** Distinguishable on white, and for common colour blindness (Okabe–Ito), darkened for text contrast. */
export const FACILITY_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#E69F00", "#000000"] as const;

/** Stable colours: facilities in the order given (e.g. by facility code) take the palette in turn. */
export function facilityColors(facilityIds: string[]): Record<string, string> {
  return Object.fromEntries(facilityIds.map((id, i) => [id, FACILITY_COLORS[i % FACILITY_COLORS.length]!]));
}

// ------------------------------------------------------------------ tab views (seed 004)

/** Seed 004's tabs: 受付・入退院, アレルギー, 病名, 処方, 注射, 検査, 画像・文書. */
export const RECORD_TABS = [
  { id: "visits", categories: ["ADMISSION"] },
  { id: "allergies", categories: ["ALLERGY"] },
  { id: "diagnoses", categories: ["DIAGNOSIS"] },
  { id: "prescriptions", categories: ["PRESCRIPTION_ORDER", "PRESCRIPTION_DISPENSED"] },
  { id: "injections", categories: ["INJECTION_ORDER", "INJECTION_ADMINISTERED"] },
  { id: "labs", categories: ["LAB", "CHECKUP"] },
  { id: "images", categories: ["IMAGING", "REPORT", "DOCUMENT", "FILE"] },
] as const satisfies readonly { id: string; categories: readonly TContentCategory[] }[];
export type TRecordTabId = (typeof RECORD_TABS)[number]["id"];
export const RECORD_TAB_IDS = RECORD_TABS.map((t) => t.id) as TRecordTabId[];
export const categoriesOfTab = (id: TRecordTabId): TContentCategory[] => [...(RECORD_TABS.find((t) => t.id === id)?.categories ?? [])];

export const RECORD_SORTS = ["date", "title", "facility", "category"] as const;
export type TRecordSort = (typeof RECORD_SORTS)[number];
export const RECORD_PAGE_SIZE = 50;
