import { Pager, pageHref } from "@/components/ui/pager";
import { QUALIFICATIONS } from "@/lib/enums";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getT } from "@/lib/i18n/server";
import { ZStaffSearch, type TStaffSearch } from "@/lib/staff/schema";
import { searchStaff } from "@/lib/staff/queries";

type TParams = { q?: string; facilityId?: string; qualification?: string; page?: string };

const fieldClass = "min-h-11 rounded border border-slate-300 bg-white px-2 py-2";

/** 職員情報検索 for every signed-in user. */
export default async function StaffSearchPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const params = await searchParams;
  const parsed = ZStaffSearch.safeParse({ q: params.q, facilityId: params.facilityId, qualification: params.qualification, page: params.page });
  const filter: Partial<TStaffSearch> = parsed.success ? parsed.data : { page: 1 };
  const [t, facilities, result] = await Promise.all([getT(), listFacilityOptions(viewer), searchStaff(viewer, filter)]);
  const hrefFor = (page: number) => pageHref("/staff", { q: params.q, facilityId: filter.facilityId, qualification: filter.qualification }, page);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("staff.searchTitle")}</h1>
      <p className="text-sm text-slate-600">{t("staff.searchLead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <form className="mb-4 flex flex-wrap items-end gap-3" method="get" role="search">
          <label className="text-sm">
            <span className="mb-1 block">{t("staff.q")}</span>
            <input name="q" type="search" defaultValue={params.q ?? ""} className={`${fieldClass} w-72 max-w-full`} />
          </label>
          <label className="text-sm">
            <span className="mb-1 block">{t("staff.facility")}</span>
            <select name="facilityId" defaultValue={filter.facilityId ?? ""} className={`${fieldClass} max-w-full`}>
              <option value="">{t("common.all")}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.code} {f.nameKanji}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            <span className="mb-1 block">{t("staff.qualification")}</span>
            <select name="qualification" defaultValue={filter.qualification ?? ""} className={fieldClass}>
              <option value="">{t("common.all")}</option>
              {QUALIFICATIONS.map((q) => (
                <option key={q} value={q}>
                  {t(`enum.Qualification.${q}`)}
                </option>
              ))}
            </select>
          </label>
          <button className="min-h-11 rounded border border-slate-300 bg-white px-4">{t("common.search")}</button>
        </form>
        {!parsed.success && <p className="mb-2 text-sm text-red-700" role="alert">{t("common.formError")}</p>}
        <p className="mb-2 text-sm text-slate-600" data-testid="staff-count">
          {t("common.results", { count: result.total })}
        </p>
        {result.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.noResults")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="bg-slate-100 text-left">
                <tr>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.loginId")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.name")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.qualification")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.facility")}</th>
                </tr>
              </thead>
              <tbody>
                {result.rows.map((r) => (
                  <tr key={r.id} className="border-b border-slate-200 align-top" data-testid={`staff-row-${r.loginId}`}>
                    <td className="px-3 py-2 font-mono text-xs">{r.loginId}</td>
                    <td className="px-3 py-2">
                      <div className="font-medium">{r.nameKanji}</div>
                      <div className="text-xs text-slate-500">{r.nameKana}</div>
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{t(`enum.Qualification.${r.qualification}`)}</td>
                    <td className="px-3 py-2">{r.facilityName}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={hrefFor} t={t} />
      </section>
    </div>
  );
}
