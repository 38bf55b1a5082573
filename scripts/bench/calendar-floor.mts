/**
 * The raw SQL floor of the calendar's data: hand-written SQL returning the rows getCalendar and
 * listCalendarCell show, under the same visibility rule, with `pg` and no transaction or log.
 * calendar.mts compares the data layer with it; http.mts drives it beside the pages.
 */
import type pg from "pg";
import type { TViewer } from "@/lib/auth/viewer-type";
import { CELL_LIMIT, type TCalendarData } from "@/lib/clinical/queries";
import { admissionPeriods, bucketCounts, CALENDAR_CATEGORIES, categoriesOfRow, periodBars, type TCalendarWindow, type TDay, type TDayCount } from "@/lib/clinical/calendar";

/**
 * The links whose contents the viewer may see ($1 patient, $2 the viewer's facility, $3 now), as
 * two arrays: its own facility's active link (own_ids), and every other active link published with
 * 診療情報 shared and covered by the consent in force, provided the viewer's own link views
 * (公開/閲覧のみ, consent in force) (shared_ids). The same rule as the database's
 * chiikilink_patient_access and chiikilink_content_visible (migration 20261207000000_access_gateway)
 * for 診療情報, written out by hand here as the floor to compare with.
 */
export const VISIBLE_LINKS = `
  viewer_link AS (
    SELECT 1 FROM facility_patient_links v
    WHERE v.patient_id = $1 AND v.facility_id = $2 AND v.unlinked_at IS NULL AND v.publication_state IN ('PUBLISHED', 'VIEW_ONLY')
      AND EXISTS (SELECT 1 FROM link_consent_periods p WHERE p.link_id = v.id AND p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to > $3))
  ),
  visible AS (
    SELECT l.id, l.facility_id = $2 AS own FROM facility_patient_links l
    WHERE l.patient_id = $1 AND l.unlinked_at IS NULL
      AND (l.facility_id = $2
           OR (l.publication_state = 'PUBLISHED' AND l.share_clinical
               AND EXISTS (SELECT 1 FROM link_consent_periods p WHERE p.link_id = l.id AND p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to > $3))
               AND EXISTS (SELECT 1 FROM viewer_link)))
  ),
  vis AS MATERIALIZED (
    SELECT coalesce(array_agg(id) FILTER (WHERE own), '{}') AS own_ids, coalesce(array_agg(id) FILTER (WHERE NOT own), '{}') AS shared_ids FROM visible
  )`;

/**
 * A content row the viewer may see: its owner link is the viewer's own, or a shared one and the
 * item unrestricted. A CASE, so the planner reads the window through the (patient_id,
 * occurred_date, category) index and tests each row, rather than walking the owner links' index
 * (as a plain OR or a join lets it: it takes a link for ~80 rows when each of the patient's owns ~10,000).
 */
export const VISIBLE_ROW = `CASE WHEN c.owner_link_id = ANY (vis.own_ids) THEN true WHEN c.restriction = 'NONE' THEN c.owner_link_id = ANY (vis.shared_ids) ELSE false END`;

/** The calendar's cells: items per day, category and owner facility in the window ($4..$5), calendar categories ($6). */
export const FLOOR_COUNTS_SQL = `
WITH ${VISIBLE_LINKS}
SELECT to_char(c.occurred_date, 'YYYY-MM-DD') AS day, c.category::text AS category, c.owner_facility_id AS "facilityId", count(*)::int AS count
FROM clinical_contents c CROSS JOIN vis
WHERE c.patient_id = $1 AND c.occurred_date BETWEEN $4::date AND $5::date AND c.category = ANY ($6::"ContentCategory"[]) AND NOT c.is_deleted
  AND ${VISIBLE_ROW}
GROUP BY c.occurred_date, c.category, c.owner_facility_id`;

/** The inpatient bars' source: every visible ADMISSION item of the patient. */
export const FLOOR_ADMISSIONS_SQL = `
WITH ${VISIBLE_LINKS}
SELECT c.owner_facility_id AS "facilityId", c.occurred_at AS "occurredAt", c.payload
FROM clinical_contents c CROSS JOIN vis
WHERE c.patient_id = $1 AND c.category = 'ADMISSION' AND NOT c.is_deleted
  AND ${VISIBLE_ROW}`;

/** One cell's items with their content and the owner's name, the first CELL_LIMIT in time order, and how many there are. */
export const FLOOR_CELL_SQL = `
WITH ${VISIBLE_LINKS}
SELECT c.id, c.patient_id, c.category, c.occurred_at, c.occurred_date, c.title, c.payload, c.owner_facility_id, f.name_kanji, count(*) OVER () AS total
FROM clinical_contents c CROSS JOIN vis JOIN facilities f ON f.id = c.owner_facility_id
WHERE c.patient_id = $1 AND c.occurred_date BETWEEN $4::date AND $5::date AND c.category = ANY ($6::"ContentCategory"[]) AND NOT c.is_deleted
  AND ${VISIBLE_ROW}
ORDER BY c.occurred_at, c.id
LIMIT ${CELL_LIMIT}`;

export type TQueryable = { query: pg.Client["query"] };
export type TFloorResult = { counts: TDayCount[]; admissions: { facilityId: string; occurredAt: Date; payload: unknown }[] } | { ids: string[]; total: number };

/** What a floor call reads: a calendar window (its cells and the stays), or one lab cell over some days. */
export type TFloorInput = { window: TCalendarWindow | null; cell: { from: TDay; to: TDay } | null };

/** The floor's rows for `input`, as the viewer (`viewer.facilityId`) sees them at `now`. */
export async function floorCall(c: TQueryable, viewer: Pick<TViewer, "facilityId">, patientId: string, input: TFloorInput, now: Date): Promise<TFloorResult> {
  if (input.cell) {
    const r = await c.query<{ id: string; total: string }>(FLOOR_CELL_SQL, [patientId, viewer.facilityId, now, input.cell.from, input.cell.to, categoriesOfRow("lab")]);
    return { ids: r.rows.map((x) => x.id), total: r.rows.length ? Number(r.rows[0]!.total) : 0 };
  }
  const w = input.window!;
  const counts = await c.query<TDayCount>(FLOOR_COUNTS_SQL, [patientId, viewer.facilityId, now, w.from, w.to, CALENDAR_CATEGORIES]);
  const admissions = await c.query<{ facilityId: string; occurredAt: Date; payload: unknown }>(FLOOR_ADMISSIONS_SQL, [patientId, viewer.facilityId, now]);
  return { counts: counts.rows, admissions: admissions.rows };
}

/** JSON with object keys sorted, so the same cells built from rows in another order compare equal. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );

/** Does the floor return what the app showed? The grid and the bars rebuilt from its rows must be the same. */
export function sameRows(app: TCalendarData | { items: { id: string }[]; total: number }, floor: TFloorResult, input: TFloorInput, today: TDay): string | null {
  if ("ids" in floor) {
    const a = app as { items: { id: string }[]; total: number };
    if (a.total !== floor.total) return `cell total ${a.total} ≠ floor ${floor.total}`;
    const ids = a.items.map((x) => x.id).join(",");
    return ids === floor.ids.join(",") ? null : "cell items differ";
  }
  const a = app as TCalendarData;
  const w = input.window!;
  if (a.window.from !== w.from || a.window.to !== w.to) return `window ${a.window.from}..${a.window.to} ≠ ${w.from}..${w.to}`;
  const grid = bucketCounts(w, floor.counts.map((x) => ({ ...x, count: Number(x.count) })));
  if (canonical(grid) !== canonical(a.grid)) return "grid differs";
  const bars = periodBars(w, admissionPeriods(floor.admissions), today);
  if (canonical(bars) !== canonical(a.bars)) return "bars differ";
  return null;
}

/** Items a window counted (the cell: items behind it). */
export const itemCount = (r: TCalendarData | { total: number }) =>
  "grid" in r ? Object.values(r.grid).reduce((s, col) => s + col.reduce((t, cell) => t + (cell?.count ?? 0), 0), 0) : r.total;
