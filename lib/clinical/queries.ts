import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { readContent, readPatient, type TSourceFacility } from "@/lib/access/gateway";
import {
  admissionPeriods,
  bucketCounts,
  CALENDAR_CATEGORIES,
  calendarWindow,
  categoriesOfRow,
  dayOf,
  facilityColors,
  filePeriodCounts,
  periodBars,
  windowEndingAt,
  ZOOM_COLUMNS,
  type TCalendarGrid,
  type TCalendarRowId,
  type TCalendarWindow,
  type TCalendarZoom,
  categoriesOfTab,
  RECORD_PAGE_SIZE,
  type TRecordSort,
  type TRecordTabId,
  type TDay,
  type TDayCount,
  type TPeriodBar,
} from "@/lib/clinical/calendar";
import type { TContentView } from "@/lib/clinical/dto";
import { todayInJapan } from "@/lib/dates";
import type { TViewer } from "@/lib/auth/viewer-type";
import { readBytes } from "@/lib/files/store";
import { isInlineSafe } from "@/lib/files/upload-type";
import { isUuid, likeWithin, searchTerms } from "@/lib/text";
import { labItemHead, labItemOf, type TLabFlag } from "@/lib/clinical/lab-items";

export const viewSelect = {
  id: true,
  patientId: true,
  category: true,
  occurredAt: true,
  occurredDate: true,
  title: true,
  payload: true,
  ownerFacilityId: true,
  ownerFacility: { select: { nameKanji: true } },
} satisfies Prisma.ClinicalContentSelect;

type TViewRow = Prisma.ClinicalContentGetPayload<{ select: typeof viewSelect }>;

/** The files a content lists, as a view names them (no size). */
const fileRefsOf = (payload: unknown): TContentView["files"] => filesOf(payload).map(({ id, fileName, contentType }) => ({ id, fileName, contentType }));

export const toView = ({ ownerFacility, patientId: _patientId, ...r }: TViewRow): TContentView => ({
  ...r,
  occurredDate: dayOf(r.occurredDate),
  ownerFacilityName: ownerFacility.nameKanji,
  files: fileRefsOf(r.payload),
});

/** The columns of a content as the screens show it, selected in SQL from a relation aliased `c`. */
const VIEW_COLUMNS = Prisma.sql`c.id, c.category::text AS category, c.occurred_at, c.occurred_date::text AS occurred_date, c.title, c.payload, c.owner_facility_id,
  (SELECT f.name_kanji FROM "facilities" f WHERE f.id = c.owner_facility_id) AS owner_facility_name`;

type TViewSqlRow = { id: string; category: TContentView["category"]; occurred_at: Date; occurred_date: string; title: string; payload: unknown; owner_facility_id: string; owner_facility_name: string };

const viewOfRow = (r: TViewSqlRow): TContentView => ({
  id: r.id,
  category: r.category,
  occurredAt: r.occurred_at,
  occurredDate: r.occurred_date,
  title: r.title,
  payload: r.payload,
  ownerFacilityId: r.owner_facility_id,
  ownerFacilityName: r.owner_facility_name,
  files: fileRefsOf(r.payload),
});

const categoryList = (categories: readonly string[]) => Prisma.sql`${[...categories]}::"ContentCategory"[]`;

/** The facilities a read may show, with their calendar colours. */
const calendarFacilities = (sources: TSourceFacility[]): TCalendarFacility[] => {
  const colors = facilityColors(sources.map((f) => f.id));
  return sources.map((f) => ({ id: f.id, name: f.name, color: colors[f.id]!, isOwn: f.isOwn }));
};

export type TCalendarFacility = { id: string; name: string; color: string; isOwn: boolean };

export type TCalendarQuery = { zoom: TCalendarZoom; start?: TDay | null; days?: number; facilityId?: string | null; jump?: "today" | "first" | "last" | null };

export type TCalendarData = {
  window: TCalendarWindow;
  today: TDay;
  grid: TCalendarGrid;
  bars: TPeriodBar[];
  facilities: TCalendarFacility[];
  facilityId: string | null;
  firstDay: TDay | null;
  lastDay: TDay | null;
};

/** The column a day falls in, in SQL: its day, its week's Monday, its month's first day (bucketCounts takes any day of a column). */
const COLUMN_OF: Record<TCalendarZoom, Prisma.Sql> = {
  day: Prisma.sql`v.occurred_date`,
  week: Prisma.sql`date_trunc('week', v.occurred_date::timestamp)::date`,
  month: Prisma.sql`date_trunc('month', v.occurred_date::timestamp)::date`,
};

/** What the stay bars need of an ADMISSION item's payload (lib/clinical/calendar.ts admissionPeriods). */
const ADMISSION_FIELDS = ["event", "cancelled", "admittedAt", "dischargedAt", "dataType", "resourceType", "start", "end"] as const;

type TCalendarRow = {
  first_day: string | null;
  last_day: string | null;
  /** [column's day, category, owner facility, author's qualification, count] */
  groups: [TDay, TDayCount["category"], string, string | null, number][] | null;
  /** [owner facility, occurred at, the payload's admission fields] */
  admissions: [string, string, Record<string, unknown>][] | null;
  /** [owner facility, first day, last day] of files whose validity period reaches into the window */
  files: [string, TDay, TDay][] | null;
};

/** The first and last day with an item on the calendar (the jump buttons), index-ordered, of the calendar's items `cal`. */
const FIRST_LAST = Prisma.sql`
  (SELECT v.occurred_date::text FROM cal v ORDER BY v.occurred_date LIMIT 1) AS first_day,
  (SELECT v.occurred_date::text FROM cal v ORDER BY v.occurred_date DESC LIMIT 1) AS last_day`;

/**
 * The calendar of a patient for one window, in one statement after the gate: per row and column
 * (grouped in SQL by the zoom's column), how many items (by facility, notes by the author's
 * qualification), the inpatient stays as bars, files spread over their validity period, and the
 * first and last day with an item. Logged once per owner facility whose items it counted.
 */
export async function getCalendar(viewer: TViewer, patientId: string, q: TCalendarQuery, now: Date = new Date()): Promise<TCalendarData> {
  const today = dayOf(todayInJapan(now));
  return readPatient(
    viewer,
    "calendar",
    patientId,
    async (scope) => {
      const facilities = calendarFacilities(scope.facilities);
      const facilityId = q.facilityId && facilities.some((f) => f.id === q.facilityId) ? q.facilityId : null;
      // the calendar's items, named once (its parameters sent once) and inlined where used
      const cal = Prisma.sql`WITH cal AS NOT MATERIALIZED (
        SELECT c.* FROM ${scope.contents} c WHERE c.category = ANY (${categoryList(CALENDAR_CATEGORIES)})${facilityId ? Prisma.sql` AND c.owner_facility_id = ${facilityId}::uuid` : Prisma.empty})`;
      const days = q.zoom === "day" ? (q.days ?? ZOOM_COLUMNS.day) : ZOOM_COLUMNS.day;
      // a jump to the first or last record needs those days before the window is known
      const ends = q.jump === "first" || q.jump === "last" ? (await scope.sql<Pick<TCalendarRow, "first_day" | "last_day">>(Prisma.sql`${cal} SELECT ${FIRST_LAST}`))[0] : undefined;
      const window =
        q.jump === "first" && ends?.first_day
          ? calendarWindow(q.zoom, ends.first_day, days)
          : q.jump === "last" && ends?.last_day
            ? windowEndingAt(q.zoom, ends.last_day, days)
            : q.start && q.jump !== "today"
              ? calendarWindow(q.zoom, q.start, days)
              : windowEndingAt(q.zoom, today, days);
      const [r] = await scope.sql<TCalendarRow>(Prisma.sql`${cal}
        SELECT ${FIRST_LAST},
          (SELECT json_agg(json_build_array(g.day, g.category, g.owner, g.qualification, g.n))
             FROM (SELECT ${COLUMN_OF[window.zoom]}::text AS day, v.category, v.owner_facility_id AS owner, v.author_qualification AS qualification, count(*)::int AS n
                     FROM cal v
                    WHERE v.occurred_date BETWEEN ${window.from}::date AND ${window.to}::date
                    GROUP BY 1, 2, 3, 4) g) AS groups,
          (SELECT json_agg(json_build_array(v.owner_facility_id, v.occurred_at,
                    jsonb_strip_nulls(jsonb_build_object(${Prisma.join(ADMISSION_FIELDS.map((k) => Prisma.sql`${k}::text, v.payload -> ${k}::text`))}))))
             FROM cal v WHERE v.category = 'ADMISSION') AS admissions,
          (SELECT json_agg(json_build_array(f.owner_facility_id, f.occurred_date::text, f.period_end_date::text))
             FROM (SELECT v.owner_facility_id, v.occurred_date, v.period_end_date FROM cal v
                    WHERE v.category = 'FILE' AND v.occurred_date <= ${window.to}::date AND v.period_end_date >= ${window.from}::date LIMIT 1000) f) AS files`);
      const counts: TDayCount[] = [
        ...(r?.groups ?? []).map(([day, category, facilityId, qualification, count]) => ({ day, category, facilityId, count, qualification })),
        ...filePeriodCounts(window, (r?.files ?? []).map(([facilityId, from, to]) => ({ from, to, facilityId }))),
      ];
      const stays = admissionPeriods((r?.admissions ?? []).map(([facilityId, at, payload]) => ({ facilityId, occurredAt: new Date(at), payload })));
      const bars = periodBars(window, stays, today);
      return {
        value: { window, today, grid: bucketCounts(window, counts), bars, facilities, facilityId, firstDay: r?.first_day ?? null, lastDay: r?.last_day ?? null },
        owners: [...counts.map((c) => c.facilityId), ...bars.map((b) => b.facilityId)],
        detail: `${window.zoom} ${window.from}..${window.to}${facilityId ? ` facility ${facilityId}` : ""}`,
      };
    },
    { now },
  );
}

/** How many items one calendar cell may open at once (a busy ward day stays readable). */
export const CELL_LIMIT = 200;

/** The items behind one calendar cell (a row over a day, week or month), with their content; each is logged as viewed. */
export async function listCalendarCell(
  viewer: TViewer,
  patientId: string,
  cell: { rowId: TCalendarRowId; from: TDay; to: TDay; facilityId?: string | null },
  now: Date = new Date(),
): Promise<{ items: TContentView[]; total: number }> {
  return readPatient(
    viewer,
    "cell",
    patientId,
    async (scope) => {
      const dated = Prisma.sql`c.occurred_date BETWEEN ${cell.from}::date AND ${cell.to}::date`;
      // the file row also opens files whose validity period covers the cell
      const when = cell.rowId === "file" ? Prisma.sql`(${dated} OR (c.occurred_date <= ${cell.to}::date AND c.period_end_date >= ${cell.from}::date))` : dated;
      const rows = await scope.sql<TViewSqlRow & { total: number }>(Prisma.sql`
        SELECT ${VIEW_COLUMNS}, count(*) OVER ()::int AS total
          FROM ${scope.contents} c
         WHERE c.category = ANY (${categoryList(categoriesOfRow(cell.rowId))}) AND ${when}
               ${cell.facilityId ? (isUuid(cell.facilityId) ? Prisma.sql`AND c.owner_facility_id = ${cell.facilityId}::uuid` : Prisma.sql`AND false`) : Prisma.empty}
         ORDER BY c.occurred_at, c.id
         LIMIT ${CELL_LIMIT}`);
      const items = rows.map(viewOfRow);
      return {
        value: { items, total: rows[0]?.total ?? 0 },
        contents: items.map((i) => ({ id: i.id, ownerFacilityId: i.ownerFacilityId })),
        detail: `calendar ${cell.rowId} ${cell.from}..${cell.to}`,
      };
    },
    { now },
  );
}

export type TRecordTabQuery = {
  tab: TRecordTabId;
  from?: TDay | null;
  to?: TDay | null;
  facilityId?: string | null;
  /** words in the title (drug, item, diagnosis names…) */
  q?: string | null;
  sort?: TRecordSort;
  dir?: "asc" | "desc";
  page?: number;
};

const RECORD_ORDER: Record<TRecordSort, Prisma.Sql> = {
  date: Prisma.sql`c.occurred_at`,
  title: Prisma.sql`c.title`,
  facility: Prisma.sql`(SELECT f.code FROM "facilities" f WHERE f.id = c.owner_facility_id)`,
  category: Prisma.sql`c.category`,
};

/**
 * A tab view (seed 004) over a date range: one page of items with their content, sorted and
 * filtered (words match the title or the content: a drug that is not the first of a
 * prescription, a lab item, a finding); logged per owner facility.
 */
export async function listRecordTab(viewer: TViewer, patientId: string, q: TRecordTabQuery, now: Date = new Date()) {
  const page = Math.max(1, q.page ?? 1);
  return readPatient(
    viewer,
    "tab",
    patientId,
    async (scope) => {
      const facilities = calendarFacilities(scope.facilities);
      const words = searchTerms(q.q ?? "");
      const sort = q.sort ?? "date";
      const dir = (q.dir ?? (q.sort && q.sort !== "date" ? "asc" : "desc")) === "asc" ? Prisma.sql`ASC` : Prisma.sql`DESC`;
      const conditions = [
        Prisma.sql`c.category = ANY (${categoryList(categoriesOfTab(q.tab))})`,
        ...(q.from ? [Prisma.sql`c.occurred_date >= ${q.from}::date`] : []),
        ...(q.to ? [Prisma.sql`c.occurred_date <= ${q.to}::date`] : []),
        ...(q.facilityId && isUuid(q.facilityId) ? [Prisma.sql`c.owner_facility_id = ${q.facilityId}::uuid`] : q.facilityId ? [Prisma.sql`false`] : []),
        ...words.map((w) => Prisma.sql`(c.title ILIKE ${likeWithin(w)} OR c.payload::text ILIKE ${likeWithin(w)})`),
      ];
      const where = Prisma.join(conditions, " AND ");
      const order = sort === "date" ? Prisma.sql`c.occurred_at ${dir}, c.id` : Prisma.sql`${RECORD_ORDER[sort]} ${dir}, c.occurred_at DESC, c.id`;
      const rows = await scope.sql<TViewSqlRow & { total: number }>(Prisma.sql`
        SELECT ${VIEW_COLUMNS}, count(*) OVER ()::int AS total
          FROM ${scope.contents} c WHERE ${where}
         ORDER BY ${order}
         OFFSET ${(page - 1) * RECORD_PAGE_SIZE} LIMIT ${RECORD_PAGE_SIZE}`);
      // a page past the end has no row to carry the total
      const total = rows[0]?.total ?? (page > 1 ? ((await scope.sql<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM ${scope.contents} c WHERE ${where}`))[0]?.n ?? 0) : 0);
      const items = rows.map(viewOfRow);
      const detail = `${q.tab} ${q.from ?? ""}..${q.to ?? ""}${q.facilityId ? ` facility ${q.facilityId}` : ""}${words.length ? ` q ${words.join(" ")}` : ""} page ${page}`;
      return { value: { items, total, page, pageSize: RECORD_PAGE_SIZE, facilities }, owners: items.map((i) => i.ownerFacilityId), detail };
    },
    { now },
  );
}

export type TTrendPoint = { day: TDay; value: number; text: string; flag: TLabFlag; facilityId: string; contentId: string };
export type TTrendSeries = { key: string; name: string; unit: string | null; low: number | null; high: number | null; points: TTrendPoint[] };
export type TLabCatalogItem = { key: string; name: string; unit: string | null; count: number; lastDay: TDay };
export type TLabTrend = { catalog: TLabCatalogItem[]; series: TTrendSeries[]; facilities: TCalendarFacility[] };

/** A LAB or CHECKUP payload's items as labItemsOf reads them (the payload itself, or its `items`), objects only, with their place; from rows `r`. */
const labItemsOfRows = (rows: Prisma.Sql) => Prisma.sql`${rows} r
   CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(r.payload) = 'array' THEN r.payload
                                                WHEN jsonb_typeof(r.payload -> 'items') = 'array' THEN r.payload -> 'items'
                                                ELSE '[]'::jsonb END) WITH ORDINALITY AS e(item, ord)`;

/** JavaScript's white space (what String.prototype.trim() removes), as a bracket class of PostgreSQL's regular expressions. */
const JS_WHITE_SPACE = String.raw`\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff`;

/**
 * Whether an item has a value for labItemOf (a boolean, a number JavaScript reads as finite, a
 * string with more than white space) — asked only where it matters: an item whose code starts with
 * a printable ASCII character has an identity whatever its value.
 */
const HAS_VALUE = Prisma.sql`CASE WHEN jsonb_typeof(e.item -> 'code') = 'string' AND left(e.item ->> 'code', 1) COLLATE "C" BETWEEN '!' AND '~' THEN true
  ELSE jsonb_typeof(e.item -> 'value') = 'boolean'
    OR (jsonb_typeof(e.item -> 'value') = 'number' AND abs((e.item ->> 'value')::numeric) < 1.7976931348623158e308)
    OR (jsonb_typeof(e.item -> 'value') = 'string' AND (e.item ->> 'value') ~ ${`[^${JS_WHITE_SPACE}]`}) END`;

/** An item's raw identity: its code, local code and name as stored (JSON text), and whether it has a value. */
const IDENTITY = Prisma.sql`(e.item -> 'code')::text AS code, (e.item -> 'localCode')::text AS local_code, (e.item -> 'name')::text AS name, ${HAS_VALUE} AS has_value`;
/** The same item (of `e`) as an identity `g`. */
const SAME_IDENTITY = Prisma.sql`(e.item -> 'code')::text IS NOT DISTINCT FROM g.code AND (e.item -> 'localCode')::text IS NOT DISTINCT FROM g.local_code
  AND (e.item -> 'name')::text IS NOT DISTINCT FROM g.name AND (${HAS_VALUE}) = g.has_value`;

/**
 * One raw identity of the items read (code, local code, name as JSON text exactly as stored, to
 * find its items again): how many, the last day, and its first item (occurred_at, content id, place) with that item's unit.
 */
type TLabIdentityRow = {
  code: string | null;
  local_code: string | null;
  name: string | null;
  has_value: boolean;
  n: number;
  last_day: TDay;
  first_at: Date;
  first_id: string;
  first_ord: number;
  unit: string | null;
};

/**
 * Lab values over time across facilities: the catalog of items the patient has (for choosing),
 * and for the chosen items every numeric value with its date, facility and flag. Logged once per
 * owner facility whose results were read.
 *
 * SQL expands every item of the range (twenty years of labs are ~30,000 rows × 15 items) and
 * counts them per raw identity (code, local code, name, whether it has a value): a patient has a
 * few dozen of those. Node keys each identity once with labItemKey (lib/clinical/lab-items.ts,
 * the one definition of a key) and merges those of one key; a second statement reads only the
 * chosen keys' items, which node parses as the screens do. No payload travels to node.
 */
export async function getLabTrend(viewer: TViewer, patientId: string, q: { keys: string[]; from?: TDay | null; to?: TDay | null }, now: Date = new Date()): Promise<TLabTrend> {
  const keys = new Set(q.keys.slice(0, 12));
  return readPatient(
    viewer,
    "trend",
    patientId,
    async (scope) => {
      const facilities = calendarFacilities(scope.facilities);
      const rows = Prisma.sql`(SELECT c.id, c.occurred_at, c.occurred_date, c.owner_facility_id, c.payload
          FROM ${scope.contents} c
         WHERE c.category IN ('LAB', 'CHECKUP')${q.from ? Prisma.sql` AND c.occurred_date >= ${q.from}::date` : Prisma.empty}${q.to ? Prisma.sql` AND c.occurred_date <= ${q.to}::date` : Prisma.empty})`;
      const [found] = await scope.sql<{ owners: string[] | null; identities: (Omit<TLabIdentityRow, "first_at"> & { first_at: string })[] | null }>(Prisma.sql`
        WITH g AS (
          SELECT ${IDENTITY}, count(*)::int AS n, min(r.occurred_at) AS first_at, max(r.occurred_date)::text AS last_day
            FROM ${labItemsOfRows(rows)}
           WHERE jsonb_typeof(e.item) = 'object'
           GROUP BY 1, 2, 3, 4)
        SELECT (SELECT json_agg(DISTINCT r.owner_facility_id) FROM ${rows} r) AS owners,
               (SELECT json_agg(json_build_object('code', g.code, 'local_code', g.local_code, 'name', g.name, 'has_value', g.has_value, 'n', g.n, 'last_day', g.last_day, 'first_at', g.first_at, 'first_id', f.id, 'first_ord', f.ord, 'unit', f.unit))
                  FROM g CROSS JOIN LATERAL (
                    -- the identity's first item (in occurred_at, id, place order): its unit names the catalog's entry
                    SELECT r.id, e.ord, (e.item -> 'unit')::text AS unit
                      FROM ${labItemsOfRows(Prisma.sql`(SELECT c.* FROM ${rows} c WHERE c.occurred_date = (g.first_at AT TIME ZONE 'Asia/Tokyo')::date AND c.occurred_at = g.first_at)`)}
                     WHERE jsonb_typeof(e.item) = 'object' AND ${SAME_IDENTITY}
                     ORDER BY r.id, e.ord LIMIT 1) f) AS identities`);
      // one entry per key: counts summed, name and unit of the key's first item, its last day
      type TEntry = TLabCatalogItem & { first: [number, string, number] };
      const before = (a: TEntry["first"], b: TEntry["first"]) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2];
      const catalog = new Map<string, TEntry>();
      const chosen: { code: string | null; local_code: string | null; name: string | null }[] = [];
      const parse = (t: string | null): unknown => (t === null ? undefined : JSON.parse(t));
      for (const g of found?.identities ?? []) {
        const head = labItemHead({ code: parse(g.code), localCode: parse(g.local_code), name: parse(g.name), unit: parse(g.unit) }, g.has_value);
        if (!head) continue;
        const first: TEntry["first"] = [new Date(g.first_at).getTime(), g.first_id, g.first_ord];
        const c = catalog.get(head.key);
        if (!c) catalog.set(head.key, { key: head.key, name: head.name, unit: head.unit, count: g.n, lastDay: g.last_day, first });
        else {
          c.count += g.n;
          if (g.last_day > c.lastDay) c.lastDay = g.last_day;
          if (before(first, c.first) < 0) Object.assign(c, { name: head.name, unit: head.unit, first });
        }
        if (keys.has(head.key)) chosen.push(g);
      }
      const series = new Map<string, TTrendSeries>();
      const readFrom = new Set<string>();
      if (chosen.length) {
        const items = await scope.sql<{ id: string; day: TDay; owner: string; item: unknown }>(Prisma.sql`
          SELECT r.id, r.occurred_date::text AS day, r.owner_facility_id AS owner, e.item
            FROM ${labItemsOfRows(rows)}
           WHERE jsonb_typeof(e.item) = 'object'
             AND EXISTS (SELECT 1 FROM unnest(${chosen.map((g) => g.code)}::text[], ${chosen.map((g) => g.local_code)}::text[], ${chosen.map((g) => g.name)}::text[]) AS k(code, local_code, name)
                          WHERE (e.item -> 'code')::text IS NOT DISTINCT FROM k.code AND (e.item -> 'localCode')::text IS NOT DISTINCT FROM k.local_code AND (e.item -> 'name')::text IS NOT DISTINCT FROM k.name)
           ORDER BY r.occurred_at, r.id, e.ord`);
        for (const r of items) {
          const item = labItemOf(r.item);
          if (!item || !keys.has(item.key) || item.numeric === null) continue;
          const s = series.get(item.key) ?? { key: item.key, name: item.name, unit: item.unit, low: item.low, high: item.high, points: [] };
          s.unit ??= item.unit;
          if (item.low !== null) s.low = item.low;
          if (item.high !== null) s.high = item.high;
          s.points.push({ day: r.day, value: item.numeric, text: item.value ?? String(item.numeric), flag: item.flag, facilityId: r.owner, contentId: r.id });
          series.set(item.key, s);
          readFrom.add(r.owner);
        }
      }
      return {
        value: {
          catalog: [...catalog.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, "ja") || before(a.first, b.first)).map(({ first: _first, ...c }) => c),
          series: [...keys].flatMap((k) => series.get(k) ?? []),
          facilities,
        },
        owners: readFrom.size ? readFrom : (found?.owners ?? []),
        detail: `items ${[...keys].join(",").slice(0, 300)} ${q.from ?? ""}..${q.to ?? ""}`,
      };
    },
    { now },
  );
}

/** One content with its payload, through the rule; a refusal is "not found" and logged. With `patientId`, it must be that patient's. */
export async function getContent(viewer: TViewer, id: string, opts: { patientId?: string; now?: Date } = {}): Promise<TContentView> {
  return readContent(
    viewer,
    "content",
    id,
    async (scope) => {
      const [row] = await scope.sql<TViewSqlRow>(Prisma.sql`SELECT ${VIEW_COLUMNS} FROM "clinical_contents" c WHERE c.id = ${scope.content.id}::uuid`);
      return { value: viewOfRow(row!) };
    },
    { now: opts.now, patientId: opts.patientId },
  );
}

/** The files listed in a content's payload (images, PDFs). */
export function filesOf(payload: unknown): { id: string; fileName: string; contentType: string; size: number }[] {
  const files = (payload as { files?: unknown } | null)?.files;
  return Array.isArray(files) ? (files as { id: string; fileName: string; contentType: string; size: number }[]) : [];
}

/**
 * One file of a content (an image, a PDF): the content goes through the rule, and the file's
 * showing or download is logged (FILE_VIEW / FILE_DOWNLOAD) with the content and its owner.
 */
export async function getContentFile(viewer: TViewer, contentId: string, fileId: string, opts: { download?: boolean; now?: Date } = {}) {
  const { file, asDownload } = await readContent(
    viewer,
    "file",
    contentId,
    async (scope) => {
      const row = await scope.tx.clinicalContent.findUniqueOrThrow({ where: { id: scope.content.id }, select: { payload: true } });
      const listed = filesOf(row.payload).find((f) => f.id === fileId);
      const file = listed && isUuid(fileId) ? await scope.tx.storedFile.findUnique({ where: { id: fileId } }) : null;
      if (!file) return scope.deny();
      // only JPEG, PNG and PDF are ever shown by the browser; anything else is sent as a download
      const asDownload = Boolean(opts.download) || !isInlineSafe(file.contentType);
      return { value: { file, asDownload }, type: asDownload ? "FILE_DOWNLOAD" : "FILE_VIEW", detail: `${file.fileName} (${file.contentType})` };
    },
    { now: opts.now, asked: fileId },
  );
  return { fileName: file.fileName, contentType: file.contentType, download: asDownload, bytes: await readBytes(file.storageKey, file.sha256) };
}
