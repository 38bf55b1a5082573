"use client";

import { useMemo, useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { CalendarIcon, CalendarIconSprite } from "@/components/calendar/calendar-icons";
import { expandCalendar, type TCalendarView } from "@/components/calendar/calendar-view";
import { QualificationBadge } from "@/components/notes/qualification-badge";
import { CellPanel, type TOpenCell } from "@/components/calendar/cell-panel";
import { CALENDAR_ROWS, columnIndexOf, weekdayOf, type TCalendarColumn, type TCalendarRowId } from "@/lib/clinical/calendar";
import type { TCalendarData } from "@/lib/clinical/queries";
import type { TTranslate } from "@/lib/i18n";

const WEEKDAYS_JA = "日月火水木金土";
const WEEKDAYS_EN = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

const md = (d: string) => `${d.slice(5, 7)}/${d.slice(8, 10)}`;

export function columnLabel(zoom: TCalendarData["window"]["zoom"], c: TCalendarColumn, locale: string): { main: string; sub: string } {
  const wd = (d: string) => (locale === "ja" ? WEEKDAYS_JA[weekdayOf(d)]! : WEEKDAYS_EN[weekdayOf(d)]!);
  if (zoom === "day") return { main: md(c.start), sub: `(${wd(c.start)})` };
  if (zoom === "week") return { main: `${md(c.start)}(${wd(c.start)})`, sub: `-${md(c.end)}` };
  return { main: c.start.slice(0, 4), sub: locale === "ja" ? `${Number(c.start.slice(5, 7))}月` : new Intl.DateTimeFormat("en", { month: "short", timeZone: "UTC" }).format(new Date(c.start)) };
}

export const rowLabel = (t: TTranslate, id: TCalendarRowId) => ({ group: t(`calendar.group.${CALENDAR_ROWS.find((r) => r.id === id)!.group}`), sub: t(`calendar.row.${id}`) });

const dayTone = (zoom: string, day: string) => (zoom !== "day" ? "" : weekdayOf(day) === 0 ? " text-red-700" : weekdayOf(day) === 6 ? " text-blue-700" : "");

/** The cell of an event inside the grid (its data-cell is "row-column"). */
function cellAt(target: EventTarget): { r: number; c: number } | null {
  const at = target instanceof Element ? target.closest<HTMLElement>("[data-cell]")?.dataset.cell : undefined;
  if (!at) return null;
  const [r, c] = at.split("-").map(Number);
  return { r: r!, c: c! };
}

/**
 * Seed 000's calendar grid: rows of categories, columns of days (weeks, months), an icon with the
 * count in each cell, inpatient periods as bars, the facility's colour. Arrow keys move between
 * cells (Home/End to the row's ends), Enter opens a cell's items in the side panel.
 *
 * A 4-week page has ~340 cells, so each is kept to what differs between cells: short classes
 * (app/globals.css), the icon as a reference to a symbol drawn once, the place in the grid by
 * order (no per-cell grid position), and the mouse and focus handled once for the whole grid.
 */
export function CalendarGrid({ calendar, patientId }: { calendar: TCalendarView; patientId: string }) {
  const { t, locale } = useI18n();
  const data = useMemo(() => expandCalendar(calendar), [calendar]);
  const { window: w, grid, bars, facilities } = data;
  const n = w.columns.length;
  const colorOf = new Map(facilities.map((f) => [f.id, f.color]));
  const nameOf = new Map(facilities.map((f) => [f.id, f.name]));
  const todayCol = columnIndexOf(w, data.today);
  const [focus, setFocus] = useState<{ r: number; c: number }>({ r: 0, c: Math.max(0, todayCol) });
  const [open, setOpen] = useState<TOpenCell | null>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const lanes = Math.max(1, ...bars.map((_, i) => i + 1));

  const openCell = (r: number, c: number) => {
    const row = CALENDAR_ROWS[r]!;
    const cell = grid[row.id][c];
    if (!cell) return;
    const col = w.columns[c]!;
    setOpen({ rowId: row.id, from: col.start, to: col.end, count: cell.count });
  };

  const moveTo = (r: number, c: number) => {
    const next = { r: Math.min(CALENDAR_ROWS.length - 1, Math.max(0, r)), c: Math.min(n - 1, Math.max(0, c)) };
    setFocus(next);
    gridRef.current?.querySelector<HTMLElement>(`[data-cell="${next.r}-${next.c}"]`)?.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const { r, c } = focus;
    const keys: Record<string, () => void> = {
      ArrowRight: () => moveTo(r, c + 1),
      ArrowLeft: () => moveTo(r, c - 1),
      ArrowDown: () => moveTo(r + 1, c),
      ArrowUp: () => moveTo(r - 1, c),
      Home: () => moveTo(r, 0),
      End: () => moveTo(r, n - 1),
      Enter: () => openCell(r, c),
      " ": () => openCell(r, c),
    };
    const act = keys[e.key];
    if (act) {
      e.preventDefault();
      act();
    }
  };

  const gridStyle = {
    gridTemplateColumns: `minmax(${locale === "ja" ? "6.5rem" : "7.5rem"}, 9rem) repeat(${n}, minmax(${w.zoom === "week" ? "4.75rem" : w.zoom === "month" ? "3.75rem" : "3.25rem"}, 1fr))`,
    // the period row's cells keep room above their icons for the stay bars
    "--cal-bar-pad": `${lanes * 8 + 2}px`,
  } as React.CSSProperties;

  return (
    <>
      <div className="overflow-x-auto rounded border border-slate-300 bg-white" data-testid="calendar">
        <CalendarIconSprite />
        {/* Every item is placed by order (header row, then each row: its header and one cell per
            column); only the stay bars' layer is placed, and it is absolute so it takes no cell. */}
        <div
          ref={gridRef}
          role="grid"
          aria-label={t("calendar.gridLabel", { from: w.from, to: w.to })}
          aria-rowcount={CALENDAR_ROWS.length + 1}
          className="relative grid text-sm"
          style={gridStyle}
          onKeyDown={onKeyDown}
          onFocus={(e) => {
            const at = cellAt(e.target);
            if (at) setFocus(at);
          }}
          onClick={(e) => {
            const at = cellAt(e.target);
            if (!at) return;
            setFocus(at);
            openCell(at.r, at.c);
          }}
        >
          <div role="row" className="contents">
            <div role="columnheader" className="sticky left-0 z-20 border-r border-b border-slate-300 bg-slate-100 px-2 py-1 font-semibold">
              {w.from.slice(0, 4)}
            </div>
            {w.columns.map((c, i) => {
              const label = columnLabel(w.zoom, c, locale);
              return (
                <div key={c.start} role="columnheader" className={`cal-colhead${i === todayCol ? " cal-colhead-today" : ""}${dayTone(w.zoom, c.start)}`} aria-current={i === todayCol ? "date" : undefined}>
                  <span>{label.main}</span>
                  <span>{label.sub}</span>
                </div>
              );
            })}
          </div>
          {CALENDAR_ROWS.map((row, r) => {
            const label = rowLabel(t, row.id);
            const firstOfGroup = r === 0 || CALENDAR_ROWS[r - 1]!.group !== row.group;
            return (
              <div role="row" key={row.id} className={firstOfGroup ? "contents cal-first" : "contents"} data-row={row.id}>
                <div role="rowheader" className="cal-rowhead">
                  {firstOfGroup && <span className="font-semibold">{label.group}</span>}
                  {label.sub !== label.group && <span className="ml-auto text-right text-xs text-slate-600">{label.sub}</span>}
                </div>
                {w.columns.map((col, c) => {
                  const cell = grid[row.id][c];
                  const owners = cell ? Object.keys(cell.byFacility) : [];
                  const single = owners.length === 1 ? colorOf.get(owners[0]!) : undefined;
                  const isFocus = focus.r === r && focus.c === c;
                  const aria = cell
                    ? t("calendar.cellLabel", {
                        row: `${label.group} ${label.sub}`,
                        from: col.start,
                        to: col.end,
                        count: cell.count,
                        facilities: owners.map((o) => `${nameOf.get(o) ?? ""} ${cell.byFacility[o]}`).join("、"),
                      })
                    : t("calendar.emptyCellLabel", { row: `${label.group} ${label.sub}`, from: col.start });
                  return (
                    <div
                      key={col.start}
                      role="gridcell"
                      data-cell={`${r}-${c}`}
                      data-day={col.start}
                      data-count={cell?.count ?? 0}
                      tabIndex={isFocus ? 0 : -1}
                      aria-label={aria}
                      className={c === todayCol ? "cal-cell cal-today" : "cal-cell"}
                    >
                      {cell && (
                        <>
                          <span className="cal-mark" style={single ? { color: single } : undefined}>
                            {cell.qualifications?.length ? (
                              cell.qualifications.slice(0, 2).map((q) => <QualificationBadge key={q} qualification={q} />)
                            ) : (
                              <CalendarIcon row={row.id} />
                            )}
                            {cell.count > 1 && <span className="cal-n">{cell.count}</span>}
                          </span>
                          {owners.length > 1 && (
                            <span className="cal-dots" aria-hidden="true">
                              {owners.map((o) => (
                                <span key={o} className="cal-dot" style={{ background: colorOf.get(o) }} />
                              ))}
                            </span>
                          )}
                        </>
                      )}
                    </div>
                  );
                })}
                {row.id === "period" && bars.length > 0 && (
                  <div className="pointer-events-none absolute inset-0" style={{ gridRow: r + 2, gridColumn: `2 / span ${n}` }} aria-hidden="true">
                    {bars.map((b, i) => (
                      <span
                        key={`${b.facilityId}-${b.start}`}
                        data-testid="admission-bar"
                        title={`${nameOf.get(b.facilityId) ?? ""} ${b.start}〜${b.end ?? ""}`}
                        className={`absolute h-1.5 ${b.continuesBefore ? "" : "rounded-l-full"} ${b.continuesAfter ? "" : "rounded-r-full"}`}
                        style={{ top: 4 + i * 8, left: `calc(${(b.first / n) * 100}% + 2px)`, width: `calc(${((b.last - b.first + 1) / n) * 100}% - 4px)`, background: colorOf.get(b.facilityId) ?? "#475569" }}
                      />
                    ))}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
      {bars.length > 0 && (
        <ul className="mt-2 space-y-0.5 text-xs text-slate-700" aria-label={t("calendar.admissions")}>
          {bars.map((b) => (
            <li key={`${b.facilityId}-${b.start}`}>
              <span className="mr-1 inline-block h-1.5 w-4 rounded-full align-middle" style={{ background: colorOf.get(b.facilityId) }} aria-hidden="true" />
              {t("calendar.admissionPeriod", { facility: nameOf.get(b.facilityId) ?? "", start: b.start, end: b.end ?? t("calendar.ongoing") })}
            </li>
          ))}
        </ul>
      )}
      {open && <CellPanel key={`${open.rowId}-${open.from}`} patientId={patientId} cell={open} facilityId={data.facilityId} facilities={facilities} onClose={() => setOpen(null)} />}
    </>
  );
}
