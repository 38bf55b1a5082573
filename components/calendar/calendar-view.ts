import { calendarWindow, CALENDAR_ROW_IDS, type TCalendarCell, type TCalendarGrid, type TCalendarRowId, type TCalendarWindow, type TDay, type TPeriodBar } from "@/lib/clinical/calendar";
import type { TCalendarData, TCalendarFacility } from "@/lib/clinical/queries";

/**
 * A cell with items as the browser receives it: [column, count, [facility index, its count, …],
 * the notes' authors' qualifications]. Facilities are indexes into TCalendarView.facilities.
 */
export type TCompactCell = [column: number, count: number, byFacility: number[], qualifications?: string[]];

/**
 * The calendar as the page sends it to its client components (the toolbar and the grid get the
 * same object, so the flight data carries it once). TCalendarData repeats a facility's 36-character
 * id in every cell and spells out every column and every empty cell; this keeps only what cannot
 * be recomputed: the window's zoom, start and length, the cells with items, facilities by index.
 */
export type TCalendarView = {
  zoom: TCalendarWindow["zoom"];
  from: TDay;
  days: number;
  today: TDay;
  cells: Partial<Record<TCalendarRowId, TCompactCell[]>>;
  bars: TPeriodBar[];
  facilities: TCalendarFacility[];
  facilityId: string | null;
  firstDay: TDay | null;
  lastDay: TDay | null;
};

export function compactCalendar(data: TCalendarData): TCalendarView {
  const indexOf = new Map(data.facilities.map((f, i) => [f.id, i]));
  const cells: TCalendarView["cells"] = {};
  for (const id of CALENDAR_ROW_IDS) {
    const row: TCompactCell[] = [];
    data.grid[id].forEach((cell, column) => {
      if (!cell) return;
      const byFacility = Object.entries(cell.byFacility).flatMap(([facilityId, n]) => {
        const i = indexOf.get(facilityId);
        // getCalendar counts only the items of the facilities it lists (both come from the gateway's
        // scope); a cell of another would be records of a facility the viewer is not shown: refused
        if (i === undefined) throw new Error(`calendar cell of facility ${facilityId}, which is not among the calendar's facilities`);
        return [i, n];
      });
      row.push(cell.qualifications?.length ? [column, cell.count, byFacility, cell.qualifications] : [column, cell.count, byFacility]);
    });
    if (row.length > 0) cells[id] = row;
  }
  const { window: w } = data;
  return { zoom: w.zoom, from: w.from, days: w.days, today: data.today, cells, bars: data.bars, facilities: data.facilities, facilityId: data.facilityId, firstDay: data.firstDay, lastDay: data.lastDay };
}

/** The calendar back as getCalendar returned it (the window's columns recomputed, empty cells as null). */
export function expandCalendar(view: TCalendarView): TCalendarData {
  const window = calendarWindow(view.zoom, view.from, view.days);
  const grid = Object.fromEntries(
    CALENDAR_ROW_IDS.map((id) => {
      const row: (TCalendarCell | null)[] = window.columns.map(() => null);
      for (const [column, count, pairs, qualifications] of view.cells[id] ?? []) {
        const byFacility: Record<string, number> = {};
        for (let i = 0; i < pairs.length; i += 2) byFacility[view.facilities[pairs[i]!]!.id] = pairs[i + 1]!;
        row[column] = qualifications ? { count, byFacility, qualifications } : { count, byFacility };
      }
      return [id, row];
    }),
  ) as TCalendarGrid;
  return { window, today: view.today, grid, bars: view.bars, facilities: view.facilities, facilityId: view.facilityId, firstDay: view.firstDay, lastDay: view.lastDay };
}
