"use client";

import { useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { CalendarIcon } from "@/components/calendar/calendar-icons";
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

const dayTone = (zoom: string, day: string) => (zoom !== "day" ? "" : weekdayOf(day) === 0 ? "text-red-700" : weekdayOf(day) === 6 ? "text-blue-700" : "");

/**
 * Seed 000's calendar grid: rows of categories, columns of days (weeks, months), an icon with the
 * count in each cell, inpatient periods as bars, the facility's colour. Arrow keys move between
 * cells (Home/End to the row's ends), Enter opens a cell's items in the side panel.
 */
export function CalendarGrid({ data, patientId }: { data: TCalendarData; patientId: string }) {
  const { t, locale } = useI18n();
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

  const columnsTemplate = `minmax(${locale === "ja" ? "6.5rem" : "7.5rem"}, 9rem) repeat(${n}, minmax(${w.zoom === "week" ? "4.75rem" : w.zoom === "month" ? "3.75rem" : "3.25rem"}, 1fr))`;

  return (
    <>
      <div className="overflow-x-auto rounded border border-slate-300 bg-white" data-testid="calendar">
        <div ref={gridRef} role="grid" aria-label={t("calendar.gridLabel", { from: w.from, to: w.to })} aria-rowcount={CALENDAR_ROWS.length + 1} className="grid text-sm" style={{ gridTemplateColumns: columnsTemplate }} onKeyDown={onKeyDown}>
          <div role="row" className="contents">
            <div role="columnheader" className="sticky left-0 z-20 border-b border-r border-slate-300 bg-slate-100 px-2 py-1 font-semibold" style={{ gridRow: 1 }}>
              {w.from.slice(0, 4)}
            </div>
            {w.columns.map((c, i) => {
              const label = columnLabel(w.zoom, c, locale);
              return (
                <div
                  key={c.start}
                  role="columnheader"
                  className={`border-b border-r border-slate-200 px-1 py-1 text-center text-xs leading-tight ${i === todayCol ? "bg-amber-100 font-semibold" : "bg-slate-50"} ${dayTone(w.zoom, c.start)}`}
                  style={{ gridRow: 1 }}
                  aria-current={i === todayCol ? "date" : undefined}
                >
                  <span className="block">{label.main}</span>
                  <span className="block">{label.sub}</span>
                </div>
              );
            })}
          </div>
          {CALENDAR_ROWS.map((row, r) => {
            const label = rowLabel(t, row.id);
            const firstOfGroup = r === 0 || CALENDAR_ROWS[r - 1]!.group !== row.group;
            return (
              <div role="row" key={row.id} className="contents" data-row={row.id}>
                <div
                  role="rowheader"
                  className={`sticky left-0 z-10 flex flex-wrap items-center gap-x-1 border-r border-slate-300 bg-slate-100 px-2 ${firstOfGroup ? "border-t border-t-slate-300" : "border-t border-t-slate-200"}`}
                  style={{ gridRow: r + 2 }}
                >
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
                      onFocus={() => setFocus({ r, c })}
                      onClick={() => {
                        setFocus({ r, c });
                        openCell(r, c);
                      }}
                      className={`flex min-h-11 flex-col items-center justify-center border-r border-slate-200 outline-none focus-visible:ring-2 focus-visible:ring-teal-600 focus-visible:ring-inset ${
                        firstOfGroup ? "border-t border-t-slate-300" : "border-t border-t-slate-200"
                      } ${c === todayCol ? "bg-amber-50" : ""} ${cell ? "cursor-pointer hover:bg-teal-50" : ""} ${row.id === "period" ? "relative" : ""}`}
                      style={{ gridRow: r + 2, gridColumn: c + 2, paddingTop: row.id === "period" ? `${lanes * 8 + 2}px` : undefined }}
                    >
                      {cell && (
                        <>
                          <span className="flex items-center gap-0.5" style={{ color: single ?? "#334155" }}>
                            {cell.qualifications?.length ? (
                              cell.qualifications.slice(0, 2).map((q) => <QualificationBadge key={q} qualification={q} />)
                            ) : (
                              <CalendarIcon row={row.id} />
                            )}
                            {cell.count > 1 && <span className="text-xs font-semibold tabular-nums">{cell.count}</span>}
                          </span>
                          {owners.length > 1 && (
                            <span className="mt-0.5 flex gap-0.5" aria-hidden="true">
                              {owners.map((o) => (
                                <span key={o} className="h-1.5 w-1.5 rounded-full" style={{ background: colorOf.get(o) }} />
                              ))}
                            </span>
                          )}
                        </>
                      )}
                    </div>
                  );
                })}
                {row.id === "period" && (
                  <div className="pointer-events-none relative" style={{ gridRow: r + 2, gridColumn: `2 / span ${n}` }} aria-hidden="true">
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
