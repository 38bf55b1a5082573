import Link from "next/link";
import { TrendChart } from "@/components/calendar/trend-chart";
import { seriesByFacility } from "@/components/calendar/trend-series";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { getLabTrend } from "@/lib/clinical/queries";
import { ZLabTrendQuery } from "@/lib/clinical/schema";
import { getLocale, getT } from "@/lib/i18n/server";
import { loadPatient } from "../load-patient";

const flagClass = (flag: string | null) => (flag === "H" || flag === "HH" ? "font-semibold text-red-700" : flag === "L" || flag === "LL" ? "font-semibold text-blue-700" : "");

/** 検査結果の推移: chosen items (e.g. HbA1c, eGFR, Cr) over years and facilities, as charts and a table. */
export default async function LabTrendPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ viewer, page }, t, locale] = await Promise.all([loadPatient(id), getT(), getLocale()]);
  if (!page.canSeeRecords) return <NoRecordsAccess t={t} />;
  const q = ZLabTrendQuery.parse(sp);
  const trend = await getLabTrend(viewer, id, { keys: q.item, from: q.from, to: q.to });
  const chosen = new Set(q.item);
  // the table: one row per date and facility, one column per chosen item
  const rows = new Map<string, { day: string; facilityId: string; values: Record<string, { text: string; flag: string | null; contentId: string }> }>();
  for (const s of trend.series)
    for (const p of s.points) {
      const k = `${p.day}|${p.facilityId}`;
      const row = rows.get(k) ?? { day: p.day, facilityId: p.facilityId, values: {} };
      row.values[s.key] = { text: p.text, flag: p.flag, contentId: p.contentId };
      rows.set(k, row);
    }
  const tableRows = [...rows.values()].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
  const facilityName = (fid: string) => trend.facilities.find((f) => f.id === fid)?.name ?? "";
  return (
    <section className="space-y-4 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="lab-trend">
      <h2 className="text-lg font-semibold">{t("labs.title")}</h2>
      <form method="get" className="space-y-3" data-testid="lab-items">
        <fieldset>
          <legend className="mb-1 text-sm font-semibold">{t("labs.chooseItems")}</legend>
          {trend.catalog.length === 0 ? (
            <p className="text-sm text-slate-600">{t("labs.noResults")}</p>
          ) : (
            <div className="flex max-h-64 flex-wrap gap-1 overflow-y-auto rounded border border-slate-200 p-2">
              {trend.catalog.map((c) => (
                <label key={c.key} className="inline-flex min-h-11 cursor-pointer items-center gap-1.5 rounded border border-slate-300 px-2 text-sm has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50">
                  <input type="checkbox" name="item" value={c.key} defaultChecked={chosen.has(c.key)} className="h-5 w-5" />
                  <span>{c.name}</span>
                  <span className="text-xs text-slate-500">({c.count})</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <div className="flex flex-wrap items-end gap-2 text-sm">
          <label className="flex flex-col">
            {t("records.from")}
            <input type="date" name="from" defaultValue={q.from} className="min-h-11 rounded border border-slate-300 px-2" />
          </label>
          <label className="flex flex-col">
            {t("records.to")}
            <input type="date" name="to" defaultValue={q.to} className="min-h-11 rounded border border-slate-300 px-2" />
          </label>
          <button type="submit" className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-semibold text-white">
            {t("labs.show")}
          </button>
          {chosen.size > 0 && (
            <Link href={`/patients/${id}/labs`} className="inline-flex min-h-11 items-center px-2 text-teal-800 underline">
              {t("labs.clear")}
            </Link>
          )}
        </div>
      </form>
      {chosen.size === 0 && trend.catalog.length > 0 && <p className="text-sm text-slate-600">{t("labs.hint")}</p>}
      {trend.series.map((s) => (
        <div key={s.key} className="rounded border border-slate-200 p-3" data-testid="trend-figure">
          <TrendChart series={seriesByFacility(s, trend.facilities)} unit={s.unit} low={s.low} high={s.high} title={s.name} locale={locale} />
          <p className="mt-1 text-right text-xs text-slate-600">{t("labs.points", { count: s.points.length })}</p>
        </div>
      ))}
      {chosen.size > 0 && trend.series.length === 0 && <p className="text-sm text-slate-600">{t("labs.noNumeric")}</p>}
      {tableRows.length > 0 && (
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm" data-testid="trend-table">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className="px-3 py-2 whitespace-nowrap">{t("records.date")}</th>
                <th className="px-3 py-2 whitespace-nowrap">{t("records.facility")}</th>
                {trend.series.map((s) => (
                  <th key={s.key} className="px-3 py-2 text-right whitespace-nowrap">
                    {s.name}
                    {s.unit ? ` (${s.unit})` : ""}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {tableRows.map((r) => (
                <tr key={`${r.day}|${r.facilityId}`} className="border-b border-slate-200">
                  <td className="px-3 py-1.5 whitespace-nowrap">{r.day}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap">{facilityName(r.facilityId)}</td>
                  {trend.series.map((s) => {
                    const v = r.values[s.key];
                    return (
                      <td key={s.key} className={`px-3 py-1.5 text-right tabular-nums whitespace-nowrap ${flagClass(v?.flag ?? null)}`}>
                        {v ? (
                          <Link href={`/patients/${id}/contents/${v.contentId}`} className="underline decoration-slate-300">
                            {v.text}
                            {v.flag && ` ${v.flag}`}
                          </Link>
                        ) : (
                          ""
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
