/**
 * What the calendar page sends its client components (components/calendar/calendar-view.ts) and
 * what the grid renders from it: the same calendar after the round trip, and markup that grows
 * with the cells on screen, not with repeated class lists and icon drawings.
 */
import { createElement, type ComponentProps } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { CalendarGrid } from "@/components/calendar/calendar-grid";
import { CalendarToolbar } from "@/components/calendar/calendar-toolbar";
import { compactCalendar, expandCalendar } from "@/components/calendar/calendar-view";
import { I18nProvider } from "@/components/i18n-provider";
import { bucketCounts, calendarWindow, CALENDAR_ROWS, periodBars, type TCalendarZoom, type TDayCount } from "@/lib/clinical/calendar";
import type { TCalendarData } from "@/lib/clinical/queries";
import { en } from "@/lib/i18n/en";
import { ja } from "@/lib/i18n/ja";

const HOSPITAL = { id: "6f1c2d3e-0000-4000-8000-000000000001", name: "飯田中央病院", color: "#0072B2", isOwn: false };
const CLINIC = { id: "6f1c2d3e-0000-4000-8000-000000000002", name: "下伊那内科クリニック", color: "#D55E00", isOwn: true };

/** A busy window: prescriptions every day at both facilities, labs at one, notes with their authors, a stay. */
function busy(zoom: TCalendarZoom, start: string, days = 28): TCalendarData {
  const window = calendarWindow(zoom, start, days);
  const counts: TDayCount[] = [];
  window.columns.forEach((c, i) => {
    counts.push({ day: c.start, category: "PRESCRIPTION_ORDER", facilityId: HOSPITAL.id, count: 3 + i });
    counts.push({ day: c.start, category: "PRESCRIPTION_ORDER", facilityId: CLINIC.id, count: 1 });
    if (i % 2 === 0) counts.push({ day: c.start, category: "LAB", facilityId: CLINIC.id, count: 1 });
  });
  counts.push({ day: window.columns[1]!.start, category: "NOTE", facilityId: CLINIC.id, count: 2, qualification: "NURSE" });
  counts.push({ day: window.columns[1]!.start, category: "NOTE", facilityId: HOSPITAL.id, count: 1, qualification: "DOCTOR" });
  const today = window.columns[window.columns.length - 3]!.start;
  return {
    window,
    today,
    grid: bucketCounts(window, counts),
    bars: periodBars(window, [{ facilityId: HOSPITAL.id, start: window.columns[2]!.start, end: window.columns[5]!.end }], today),
    facilities: [HOSPITAL, CLINIC],
    facilityId: null,
    firstDay: "2020-01-06",
    lastDay: today,
  };
}

function render(node: React.ReactElement, locale: "ja" | "en" = "ja"): string {
  // the children go as createElement's third argument
  const props: ComponentProps<typeof I18nProvider> = { locale, dictionary: locale === "ja" ? ja : en, children: undefined };
  return renderToStaticMarkup(createElement(I18nProvider, props, node));
}

describe("the calendar as sent to the browser", () => {
  it.each([
    ["day", "2026-11-11", 28],
    ["day", "2026-11-11", 7],
    ["week", "2026-11-16", 28],
    ["month", "2026-01-01", 28],
  ] as const)("%s zoom from %s: expanded again it is the calendar getCalendar returned", (zoom, start, days) => {
    const data = busy(zoom, start, days);
    const view = compactCalendar(data);
    expect(expandCalendar(JSON.parse(JSON.stringify(view)))).toEqual(data);
  });

  it("names each facility once (cells refer to it by position) and leaves out the columns and the empty cells", () => {
    const data = busy("day", "2026-11-11");
    const sent = JSON.stringify(compactCalendar(data));
    expect(sent.split(HOSPITAL.id)).toHaveLength(1 + 1 + data.bars.length);
    expect(sent).not.toContain("null,null");
    expect(sent).not.toContain('"columns"');
    expect(sent.length).toBeLessThan(JSON.stringify(data).length / 3);
  });

  it("a cell of a facility the calendar does not list is an error, not a cell without a name", () => {
    const data = busy("day", "2026-11-11", 7);
    data.grid.lab[0] = { count: 1, byFacility: { "6f1c2d3e-0000-4000-8000-00000000ffff": 1 } };
    expect(() => compactCalendar(data)).toThrow(/not among the calendar's facilities/);
  });
});

describe("the grid's markup", () => {
  const data = busy("day", "2026-11-11");
  const html = render(createElement(CalendarGrid, { calendar: compactCalendar(data), patientId: "p1" }));
  const cells = [...html.matchAll(/<div role="gridcell"[^>]*>/g)].map((m) => m[0]);

  it("has one cell per row and column, each with its day, count, label and a short class", () => {
    expect(cells).toHaveLength(CALENDAR_ROWS.length * 28);
    const first = cells.find((c) => c.includes('data-cell="1-0"'))!;
    expect(first).toContain('data-day="2026-11-11"');
    expect(first).toContain('data-count="4"');
    expect(first).toContain("aria-label=\"処方 指示 2026-11-11〜2026-11-11: 4件（飯田中央病院 3、下伊那内科クリニック 1）\"");
    expect(first).toContain('class="cal-cell"');
    // the place in the grid comes from the order, not from a style on each cell
    expect(cells.filter((c) => c.includes("style="))).toEqual([]);
    expect(cells.filter((c) => c.includes("cal-today"))).toHaveLength(CALENDAR_ROWS.length);
  });

  it("draws each icon once, as a symbol, and refers to it from the cells", () => {
    expect(html.match(/<symbol /g)).toHaveLength(CALENDAR_ROWS.length);
    const uses = html.match(/<use href="#cal-icon-[a-zA-Z]+"/g) ?? [];
    expect(uses.length).toBe(28 + 14); // a prescription icon a day, a lab icon every other day
    expect(html.match(/<path /g)?.length).toBeLessThan(30); // only inside the symbols
    expect(html).toContain('<use href="#cal-icon-rxOrder"');
  });

  it("shows the note authors' qualifications instead of the icon, and both facilities' dots", () => {
    const notes = cells.findIndex((c) => c.includes('data-cell="10-1"'));
    expect(notes).toBeGreaterThan(-1);
    expect(html).toMatch(/data-cell="10-1"[^>]*>.*?role="img" aria-label="医師"/);
    // every prescription cell and the notes cell hold both facilities
    expect(html.match(/class="cal-dot" style="background:#0072B2"/g)).toHaveLength(28 + 1);
  });

  it("keeps the stay bars in their layer above the period row, with room for them in its cells", () => {
    expect(html).toContain('data-testid="admission-bar"');
    expect(html).toMatch(/style="[^"]*--cal-bar-pad:10px/);
    expect(html).toMatch(/class="pointer-events-none absolute inset-0" style="grid-row:2;grid-column:2 \/ span 28"/);
  });

  it("costs about 0.2 kB a cell (spelled out in utilities with inline icons, more than twice that)", () => {
    expect(html.length / cells.length).toBeLessThan(330);
  });

  it("English labels from the English dictionary", () => {
    const english = render(createElement(CalendarGrid, { calendar: compactCalendar(data), patientId: "p1" }), "en");
    expect(english).toContain('aria-label="Prescriptions ordered 2026-11-11');
  });
});

describe("the toolbar from the same object", () => {
  it("links every zoom, the window's moves and each facility, with the selected ones marked", () => {
    const data = busy("day", "2026-11-11");
    const html = render(createElement(CalendarToolbar, { calendar: compactCalendar({ ...data, facilityId: CLINIC.id }), patientId: "p1" }));
    expect(html).toContain(`href="/patients/p1?zoom=day&amp;start=2026-10-14&amp;days=28&amp;facility=${CLINIC.id}"`);
    expect(html).toContain(`href="/patients/p1?zoom=day&amp;start=2026-11-11&amp;days=28&amp;facility=${HOSPITAL.id}" class="cal-btn"`);
    expect(html).toMatch(new RegExp(`facility=${CLINIC.id}" class="cal-btn-on" aria-current="true"`));
    expect(html).toContain('value="2026-11-11"');
  });
});
