"use client";

import { useEffect, useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { ContentDetail } from "@/components/calendar/content-detail";
import { TrendChart } from "@/components/calendar/trend-chart";
import { seriesByFacility } from "@/components/calendar/trend-series";
import { Alert } from "@/components/ui/form";
import { labTrendAction, openCalendarCellAction } from "@/lib/clinical/actions";
import { CALENDAR_ROWS, type TCalendarRowId, type TDay } from "@/lib/clinical/calendar";
import type { TContentView } from "@/lib/clinical/dto";
import type { TLabValue } from "@/lib/clinical/lab-items";
import type { TCalendarFacility, TTrendSeries } from "@/lib/clinical/queries";

export type TOpenCell = { rowId: TCalendarRowId; from: TDay; to: TDay; count: number };

type TState = { status: "loading" } | { status: "error" } | { status: "ready"; items: TContentView[]; total: number };

/**
 * The side panel of one calendar cell: the items of that row over the column's days, each
 * rendered in full (prescription lines, lab tables, images, reports). A lab item's 推移 button
 * draws its trend across dates and facilities at the top of the panel.
 */
export function CellPanel({ patientId, cell, facilityId, facilities, onClose }: { patientId: string; cell: TOpenCell; facilityId: string | null; facilities: TCalendarFacility[]; onClose: () => void }) {
  const { t, locale } = useI18n();
  const [state, setState] = useState<TState>({ status: "loading" });
  const [trend, setTrend] = useState<{ item: TLabValue; series: TTrendSeries | null; loading: boolean } | null>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const group = t(`calendar.group.${CALENDAR_ROWS.find((r) => r.id === cell.rowId)!.group}`);
  const sub = t(`calendar.row.${cell.rowId}`);

  useEffect(() => {
    let live = true;
    openCalendarCellAction({ patientId, rowId: cell.rowId, from: cell.from, to: cell.to, facilityId }).then(
      (r) => live && setState(r.ok ? { status: "ready", items: r.data.items, total: r.data.total } : { status: "error" }),
      () => live && setState({ status: "error" }),
    );
    return () => {
      live = false;
    };
  }, [patientId, cell, facilityId]);

  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const showTrend = (item: TLabValue) => {
    setTrend({ item, series: null, loading: true });
    labTrendAction({ patientId, keys: [item.key] }).then(
      (r) => setTrend({ item, series: r.ok ? (r.data.series[0] ?? null) : null, loading: false }),
      () => setTrend({ item, series: null, loading: false }),
    );
  };

  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-slate-900/30" onClick={onClose}>
      <aside
        role="dialog"
        aria-modal="true"
        aria-labelledby="cell-panel-title"
        data-testid="cell-panel"
        className="flex h-full w-full max-w-2xl flex-col bg-slate-50 shadow-xl"
        onClick={(e) => e.stopPropagation()}
      >
        <header className="flex items-center gap-3 border-b border-slate-300 bg-white px-4 py-3">
          <h2 id="cell-panel-title" className="flex-1 font-semibold">
            {group} {sub !== group ? sub : ""} {cell.from === cell.to ? cell.from : `${cell.from}〜${cell.to}`}
            <span className="ml-2 text-sm font-normal text-slate-600">{t("calendar.itemCount", { count: cell.count })}</span>
          </h2>
          <button ref={closeRef} type="button" onClick={onClose} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
            {t("calendar.close")}
          </button>
        </header>
        <div className="flex-1 space-y-4 overflow-y-auto p-4" aria-live="polite" aria-busy={state.status === "loading"}>
          {trend && (
            <section className="rounded border border-teal-300 bg-white p-3" data-testid="trend">
              <div className="mb-2 flex items-center gap-2">
                <h3 className="flex-1 font-semibold">{t("calendar.trendOf", { item: trend.item.name })}</h3>
                <a className="text-sm text-teal-800 underline" href={`/patients/${patientId}/labs?item=${encodeURIComponent(trend.item.key)}`}>
                  {t("calendar.openTrendPage")}
                </a>
                <button type="button" className="inline-flex min-h-11 items-center px-2 text-sm" onClick={() => setTrend(null)}>
                  {t("calendar.close")}
                </button>
              </div>
              {trend.loading ? (
                <Spinner label={t("calendar.loading")} />
              ) : trend.series ? (
                <TrendChart series={seriesByFacility(trend.series, facilities)} unit={trend.series.unit} low={trend.series.low} high={trend.series.high} title={trend.series.name} locale={locale} width={560} />
              ) : (
                <p className="text-sm text-slate-600">{t("calendar.noTrend")}</p>
              )}
            </section>
          )}
          {state.status === "loading" && <Spinner label={t("calendar.loading")} />}
          {state.status === "error" && <Alert kind="error">{t("calendar.loadFailed")}</Alert>}
          {state.status === "ready" && (
            <>
              {state.items.length === 0 && <p className="text-sm text-slate-600">{t("calendar.nothingHere")}</p>}
              {state.total > state.items.length && <Alert kind="info">{t("calendar.moreThanShown", { shown: state.items.length, total: state.total })}</Alert>}
              {state.items.map((c) => (
                <article key={c.id} className="rounded border border-slate-300 bg-white p-3" data-testid="content-item">
                  <ContentDetail content={c} patientId={patientId} onTrend={c.category === "LAB" || c.category === "CHECKUP" ? showTrend : undefined} />
                  <p className="mt-2 text-right text-xs">
                    <a className="text-teal-800 underline" href={`/patients/${patientId}/contents/${c.id}`}>
                      {t("calendar.openContentPage")}
                    </a>
                  </p>
                </article>
              ))}
            </>
          )}
        </div>
      </aside>
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <p role="status" className="flex items-center gap-2 text-sm text-slate-600">
      <span className="h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-teal-700" aria-hidden="true" />
      {label}
    </p>
  );
}
