"use client";

import { useI18n } from "@/components/i18n-provider";
import type { TCalendarView } from "@/components/calendar/calendar-view";
import { calendarWindow, CALENDAR_ZOOMS, DAY_SPANS, rezoom, shiftWindow, type TCalendarWindow } from "@/lib/clinical/calendar";

type THrefParams = { zoom: string; start?: string; days?: number; facility?: string | null; jump?: string };

/** The calendar's URL: every view (zoom, place, facility) can be bookmarked and reloaded. */
export function calendarHref(patientId: string, p: THrefParams): string {
  const sp = new URLSearchParams({ zoom: p.zoom });
  if (p.start) sp.set("start", p.start);
  if (p.zoom === "day" && p.days) sp.set("days", String(p.days));
  if (p.facility) sp.set("facility", p.facility);
  if (p.jump) sp.set("jump", p.jump);
  return `/patients/${patientId}?${sp.toString()}`;
}

// app/globals.css
const btn = "cal-btn";
const btnOn = "cal-btn-on";
const btnOff = "cal-btn-off";

/**
 * Zoom (日・週・月), previous/next, today, first/last record, jump to a date, and the facility filter;
 * plain links and a GET form. A client component only so that the page sends the calendar's data
 * once (the grid gets the same object) rather than this markup twice, as HTML and as flight data.
 */
export function CalendarToolbar({ patientId, calendar: data }: { patientId: string; calendar: TCalendarView }) {
  const { t } = useI18n();
  const w: TCalendarWindow = calendarWindow(data.zoom, data.from, data.days);
  const keep = { facility: data.facilityId };
  const days = w.zoom === "day" ? w.days : undefined;
  const to = (win: TCalendarWindow) => calendarHref(patientId, { zoom: win.zoom, start: win.from, days: win.zoom === "day" ? win.days : undefined, ...keep });
  return (
    <div className="space-y-3" data-testid="calendar-toolbar">
      <div className="flex flex-wrap items-center gap-2">
        <nav className="flex gap-1" aria-label={t("calendar.zoom")}>
          {CALENDAR_ZOOMS.map((z) => (
            <a key={z} href={to(rezoom(w, z, data.today))} className={z === w.zoom ? btnOn : btn} aria-current={z === w.zoom ? "true" : undefined}>
              {t(`calendar.zoom.${z}`)}
            </a>
          ))}
        </nav>
        {w.zoom === "day" && (
          <nav className="flex gap-1" aria-label={t("calendar.span")}>
            {DAY_SPANS.map((d) => (
              <a key={d} href={to(rezoom(w, "day", data.today, d))} className={d === w.days ? btnOn : btn} aria-current={d === w.days ? "true" : undefined}>
                {t("calendar.days", { days: d })}
              </a>
            ))}
          </nav>
        )}
        <span className="mx-1 hidden h-8 border-l border-slate-300 sm:block" aria-hidden="true" />
        <nav className="flex flex-wrap gap-1" aria-label={t("calendar.move")}>
          {data.firstDay ? (
            <a href={calendarHref(patientId, { zoom: w.zoom, days, jump: "first", ...keep })} className={btn} title={t("calendar.firstRecordAt", { day: data.firstDay })}>
              ⇤ {t("calendar.first")}
            </a>
          ) : (
            <span className={btnOff}>⇤ {t("calendar.first")}</span>
          )}
          <a href={to(shiftWindow(w, -1))} className={btn} rel="prev" aria-keyshortcuts="Alt+ArrowLeft">
            ◀ {t("calendar.prev")}
          </a>
          <a href={calendarHref(patientId, { zoom: w.zoom, days, jump: "today", ...keep })} className={btn}>
            {t("calendar.today")}
          </a>
          <a href={to(shiftWindow(w, 1))} className={btn} rel="next" aria-keyshortcuts="Alt+ArrowRight">
            {t("calendar.next")} ▶
          </a>
          {data.lastDay ? (
            <a href={calendarHref(patientId, { zoom: w.zoom, days, jump: "last", ...keep })} className={btn} title={t("calendar.lastRecordAt", { day: data.lastDay })}>
              {t("calendar.last")} ⇥
            </a>
          ) : (
            <span className={btnOff}>{t("calendar.last")} ⇥</span>
          )}
        </nav>
        <form method="get" action={`/patients/${patientId}`} className="flex items-center gap-1">
          <input type="hidden" name="zoom" value={w.zoom} />
          {days && <input type="hidden" name="days" value={days} />}
          {data.facilityId && <input type="hidden" name="facility" value={data.facilityId} />}
          <label className="sr-only" htmlFor="calendar-start">
            {t("calendar.jumpTo")}
          </label>
          <input id="calendar-start" type="date" name="start" defaultValue={w.from} className="min-h-11 rounded border border-slate-300 px-2 text-sm" />
          <button type="submit" className={btn}>
            {t("calendar.go")}
          </button>
        </form>
      </div>
      <nav className="flex flex-wrap items-center gap-1" aria-label={t("calendar.facilityFilter")} data-testid="facility-filter">
        <span className="mr-1 text-sm text-slate-600">{t("calendar.facilityFilter")}:</span>
        <a href={calendarHref(patientId, { zoom: w.zoom, start: w.from, days })} className={data.facilityId ? btn : btnOn} aria-current={data.facilityId ? undefined : "true"}>
          {t("calendar.allFacilities")}
        </a>
        {data.facilities.map((f) => (
          <a
            key={f.id}
            href={calendarHref(patientId, { zoom: w.zoom, start: w.from, days, facility: f.id })}
            className={data.facilityId === f.id ? btnOn : btn}
            aria-current={data.facilityId === f.id ? "true" : undefined}
          >
            <span className="mr-1.5 inline-block h-3 w-3 rounded-full border border-white" style={{ background: f.color }} aria-hidden="true" />
            {f.name}
            {f.isOwn && <span className="ml-1 text-xs">({t("calendar.ownFacility")})</span>}
          </a>
        ))}
      </nav>
    </div>
  );
}
