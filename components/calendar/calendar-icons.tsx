import type { TCalendarRowId } from "@/lib/clinical/calendar";

/**
 * The calendar's category icons (seed 000 shows 📄 💉 🧪 📷 👤). Drawn as SVG so they look the
 * same on every terminal, with or without a colour-emoji font; decorative (the cell's label says
 * what it is). Each is drawn once per page as a symbol (CalendarIconSprite) and every cell refers to
 * it, so a busy month costs a short <use> per cell instead of the whole drawing.
 */
const PATHS: Record<TCalendarRowId, React.ReactNode> = {
  period: <path d="M3 18V7m0 7h18v4M6 11h4a2 2 0 0 1 2 2v1M14 10h5a2 2 0 0 1 2 2v2" />,
  rxOrder: (
    <>
      <path d="M6 3h9l4 4v14H6z" />
      <path d="M9 11h7M9 15h7M9 7h4" />
    </>
  ),
  rxDone: (
    <>
      <rect x="4" y="9" width="16" height="7" rx="3.5" />
      <path d="M12 9v7" />
    </>
  ),
  injOrder: <path d="M18 3l3 3M16 5l3 3M17.5 6.5 8 16l-3 1 1-3 9.5-9.5M10 10l4 4M4 20l2-2" />,
  injDone: <path d="M18 3l3 3M16 5l3 3M17.5 6.5 8 16l-3 1 1-3 9.5-9.5M10 10l4 4M4 20l2-2" />,
  lab: <path d="M9 3h6M10 3v6l-5 9a2 2 0 0 0 2 3h10a2 2 0 0 0 2-3l-5-9V3M7.5 14h9" />,
  image: (
    <>
      <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
      <circle cx="12" cy="13" r="3.5" />
    </>
  ),
  report: (
    <>
      <path d="M6 3h9l4 4v14H6z" />
      <path d="M14 3v5h5M9 13h7M9 17h5" />
    </>
  ),
  file: <path d="M20 11.5 12 19.5a5 5 0 0 1-7-7l8-8a3.5 3.5 0 0 1 5 5l-8 8a2 2 0 0 1-3-3l7.5-7.5" />,
  checkup: (
    <>
      <rect x="5" y="4" width="14" height="17" rx="2" />
      <path d="M9 4h6v3H9zM8.5 14h2l1-2.5 2 5 1-2.5h1" />
    </>
  ),
  noteRecord: (
    <>
      <circle cx="12" cy="8" r="4" />
      <path d="M4 21a8 8 0 0 1 16 0" />
    </>
  ),
  noteContact: <path d="M4 5h16v11H9l-5 4z" />,
};

const symbolId = (row: TCalendarRowId) => `cal-icon-${row}`;

/** The symbols every CalendarIcon on the page refers to: render once, before or beside the icons. */
export function CalendarIconSprite() {
  return (
    // Laid out but out of sight, rather than display:none, the usual way for a sprite to stay usable by every browser.
    <svg aria-hidden="true" focusable="false" className="absolute h-0 w-0 overflow-hidden">
      <defs>
        {(Object.keys(PATHS) as TCalendarRowId[]).map((row) => (
          <symbol key={row} id={symbolId(row)} viewBox="0 0 24 24">
            {PATHS[row]}
          </symbol>
        ))}
      </defs>
    </svg>
  );
}

/** A row's icon (the stroke style is the cal-icon class, app/globals.css); needs CalendarIconSprite on the page. */
export function CalendarIcon({ row }: { row: TCalendarRowId }) {
  return (
    <svg className="cal-icon" aria-hidden="true">
      <use href={`#${symbolId(row)}`} />
    </svg>
  );
}
