import Link from "next/link";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { Pager } from "@/components/ui/pager";
import { RECORD_TABS, type TRecordSort, type TRecordTabId } from "@/lib/clinical/calendar";
import { listRecordTab } from "@/lib/clinical/queries";
import { ZRecordTabQuery } from "@/lib/clinical/schema";
import { diagnosisFields, summaryOf } from "@/lib/clinical/summary";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { loadPatient } from "../load-patient";

type TParams = { tab: TRecordTabId; from?: string; to?: string; facility?: string; q?: string; sort?: TRecordSort; dir?: "asc" | "desc"; page?: number };

function recordsHref(id: string, p: TParams): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== "") sp.set(k, String(v));
  return `/patients/${id}/records?${sp.toString()}`;
}

const th = "px-3 py-2 whitespace-nowrap";
const td = "px-3 py-2 align-top";

/** Seed 004's tab views (受付・入退院, アレルギー, 病名, 処方, 注射, 検査, 画像・文書) over a date range, sortable and filterable. */
export default async function RecordsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ viewer, page }, t, locale] = await Promise.all([loadPatient(id), getT(), getLocale()]);
  if (!page.canSeeRecords) return <NoRecordsAccess t={t} />;
  const q = ZRecordTabQuery.parse(sp);
  const current: TParams = { tab: q.tab, from: q.from, to: q.to, facility: q.facility, q: q.q, sort: q.sort, dir: q.dir };
  const result = await listRecordTab(viewer, id, { tab: q.tab, from: q.from, to: q.to, facilityId: q.facility, q: q.q, sort: q.sort, dir: q.dir, page: q.page });
  const sort = q.sort ?? "date";
  const dir = q.dir ?? (sort === "date" ? "desc" : "asc");
  const sortLink = (s: TRecordSort, label: string) => {
    const active = sort === s;
    const nextDir = active ? (dir === "asc" ? "desc" : "asc") : s === "date" ? "desc" : "asc";
    return (
      <Link href={recordsHref(id, { ...current, sort: s, dir: nextDir, page: undefined })} className="text-teal-900 underline">
        {label}
        {active && <span aria-hidden="true">{dir === "asc" ? " ▲" : " ▼"}</span>}
      </Link>
    );
  };
  const ariaSort = (s: TRecordSort) => (sort === s ? (dir === "asc" ? "ascending" : "descending") : undefined);
  const isDiagnoses = q.tab === "diagnoses";
  return (
    <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="records">
      <nav className="flex flex-wrap gap-1 border-b border-slate-300" aria-label={t("records.tabs")}>
        {RECORD_TABS.map((tab) => (
          <Link
            key={tab.id}
            href={recordsHref(id, { tab: tab.id, from: q.from, to: q.to, facility: q.facility })}
            aria-current={tab.id === q.tab ? "page" : undefined}
            className={`-mb-px inline-flex min-h-11 items-center rounded-t border px-3 text-sm ${tab.id === q.tab ? "border-slate-300 border-b-white bg-white font-semibold" : "border-transparent text-teal-800 hover:bg-slate-50"}`}
          >
            {t(`records.tab.${tab.id}`)}
          </Link>
        ))}
      </nav>
      <form method="get" className="flex flex-wrap items-end gap-2 text-sm" data-testid="records-filter">
        <input type="hidden" name="tab" value={q.tab} />
        {q.sort && <input type="hidden" name="sort" value={q.sort} />}
        {q.dir && <input type="hidden" name="dir" value={q.dir} />}
        <label className="flex flex-col">
          {t("records.from")}
          <input type="date" name="from" defaultValue={q.from} className="min-h-11 rounded border border-slate-300 px-2" />
        </label>
        <label className="flex flex-col">
          {t("records.to")}
          <input type="date" name="to" defaultValue={q.to} className="min-h-11 rounded border border-slate-300 px-2" />
        </label>
        <label className="flex flex-col">
          {t("records.facility")}
          <select name="facility" defaultValue={q.facility ?? ""} className="min-h-11 rounded border border-slate-300 px-2">
            <option value="">{t("calendar.allFacilities")}</option>
            {result.facilities.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col">
          {t("records.keyword")}
          <input type="search" name="q" defaultValue={q.q} className="min-h-11 rounded border border-slate-300 px-2" placeholder={t("records.keywordHint")} />
        </label>
        <button type="submit" className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-semibold text-white">
          {t("common.search")}
        </button>
      </form>
      <p className="text-sm text-slate-600" role="status">
        {t("records.count", { total: result.total })}
      </p>
      {result.items.length === 0 ? (
        <p className="text-sm text-slate-600">{t("records.none")}</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm" data-testid="records-table">
            <thead className="bg-slate-100 text-left">
              <tr>
                <th className={th} aria-sort={ariaSort("date")}>{sortLink("date", isDiagnoses ? t("records.diagnosedOn") : t("records.date"))}</th>
                {isDiagnoses ? (
                  <>
                    <th className={th}>{t("records.startDate")}</th>
                    <th className={th}>{t("records.endDate")}</th>
                    <th className={th} aria-sort={ariaSort("title")}>{sortLink("title", t("records.diagnosis"))}</th>
                    <th className={th}>{t("records.outcome")}</th>
                  </>
                ) : (
                  <>
                    <th className={th} aria-sort={ariaSort("category")}>{sortLink("category", t("records.category"))}</th>
                    <th className={th} aria-sort={ariaSort("title")}>{sortLink("title", t("records.content"))}</th>
                  </>
                )}
                <th className={th} aria-sort={ariaSort("facility")}>{sortLink("facility", t("records.facility"))}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((c) => {
                const dx = isDiagnoses ? diagnosisFields(c.payload) : null;
                const summary = summaryOf(c.category, c.payload);
                const color = result.facilities.find((f) => f.id === c.ownerFacilityId)?.color;
                return (
                  <tr key={c.id} className="border-b border-slate-200">
                    <td className={`${td} whitespace-nowrap`}>{formatDateTime(c.occurredAt, locale, !isDiagnoses)}</td>
                    {dx ? (
                      <>
                        <td className={`${td} whitespace-nowrap`}>{dx.start ?? ""}</td>
                        <td className={`${td} whitespace-nowrap`}>{dx.end ?? ""}</td>
                        <td className={td}>
                          <Link href={`/patients/${id}/contents/${c.id}`} className="text-teal-800 underline">
                            {c.title}
                          </Link>
                        </td>
                        <td className={td}>{dx.outcome ?? ""}</td>
                      </>
                    ) : (
                      <>
                        <td className={`${td} whitespace-nowrap`}>{t(`enum.ContentCategory.${c.category}`)}</td>
                        <td className={td}>
                          <Link href={`/patients/${id}/contents/${c.id}`} className="text-teal-800 underline">
                            {c.title}
                          </Link>
                          {summary && summary !== c.title && <span className="mt-0.5 block text-xs text-slate-600">{summary}</span>}
                          {c.files.length > 0 && <span className="mt-0.5 block text-xs text-slate-600">{t("records.files", { count: c.files.length })}</span>}
                        </td>
                      </>
                    )}
                    <td className={`${td} whitespace-nowrap`}>
                      <span className="mr-1.5 inline-block h-2.5 w-2.5 rounded-full" style={{ background: color ?? "#94a3b8" }} aria-hidden="true" />
                      {c.ownerFacilityName}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={(p) => recordsHref(id, { ...current, page: p })} t={t} />
    </section>
  );
}
