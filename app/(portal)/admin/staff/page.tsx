import Link from "next/link";
import { notFound } from "next/navigation";
import { isSecretariat } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { orNotFound } from "@/lib/server/or-not-found";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { canAdministerStaff, listFacilityStaff, type TStaffAdminRow } from "@/lib/staff/queries";

type TStatus = "active" | "retired" | "locked";

/** 状態, decided on the server at request time (retired wins over a lock). */
function statusOf(r: Pick<TStaffAdminRow, "isRetired" | "lockedUntil">, now: number): TStatus {
  if (r.isRetired) return "retired";
  if (r.lockedUntil && r.lockedUntil.getTime() > now) return "locked";
  return "active";
}

const statusClass: Record<TStatus, string> = { active: "text-emerald-700", retired: "text-slate-500", locked: "text-red-700" };

function toRows(rows: TStaffAdminRow[]) {
  const now = Date.now();
  return rows.map((r) => ({ ...r, status: statusOf(r, now) }));
}

export default async function AdminStaffPage({ searchParams }: { searchParams: Promise<{ facilityId?: string }> }) {
  const viewer = await requireViewer();
  if (!canAdministerStaff(viewer)) notFound();
  const params = await searchParams;
  const secretariat = isSecretariat(viewer);
  const facilityId = secretariat && params.facilityId ? params.facilityId : viewer.facilityId;
  const [t, locale, facilities, staff] = await Promise.all([
    getT(),
    getLocale(),
    secretariat ? listFacilityOptions(viewer) : Promise.resolve([]),
    orNotFound(listFacilityStaff(viewer, facilityId)),
  ]);
  const rows = toRows(staff);
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("staff.adminTitle")}</h1>
        <Link
          href={`/admin/staff/new?facilityId=${encodeURIComponent(facilityId)}`}
          className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-medium text-white hover:bg-teal-800"
        >
          {t("staff.new")}
        </Link>
      </div>
      <p className="text-sm text-slate-600">{t("staff.adminLead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        {secretariat ? (
          <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
            <label className="text-sm">
              <span className="mb-1 block">{t("staff.facility")}</span>
              <select name="facilityId" defaultValue={facilityId} className="min-h-11 rounded border border-slate-300 bg-white px-2 py-2">
                {facilities.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.code} {f.nameKanji}
                  </option>
                ))}
              </select>
            </label>
            <button className="min-h-11 rounded border border-slate-300 bg-white px-4">{t("common.search")}</button>
          </form>
        ) : (
          <p className="mb-4 text-sm">
            {t("staff.facility")}: {viewer.facilityName}
          </p>
        )}
        {rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.noResults")}</p>
        ) : (
          <div className="overflow-x-auto">
            <p className="mb-2 text-sm text-slate-600">{t("common.results", { count: rows.length })}</p>
            <table className="min-w-full text-sm">
              <thead className="bg-slate-100 text-left">
                <tr>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.loginId")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.name")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.qualification")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.roles")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.status")}</th>
                  <th className="px-3 py-2 whitespace-nowrap">{t("staff.lastSignIn")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} className="border-b border-slate-200 align-top" data-testid={`staff-row-${r.loginId}`}>
                    <td className="px-3 py-2 font-mono text-xs">
                      <Link href={`/admin/staff/${r.id}`} className="inline-flex min-h-11 items-center text-teal-700 underline">
                        {r.loginId}
                      </Link>
                    </td>
                    <td className="px-3 py-2">
                      <Link href={`/admin/staff/${r.id}`} className="font-medium hover:underline">
                        {r.nameKanji}
                      </Link>
                      <div className="text-xs text-slate-500">{r.nameKana}</div>
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{t(`enum.Qualification.${r.qualification}`)}</td>
                    <td className="px-3 py-2">{r.roles.map((role) => t(`enum.StaffRole.${role}`)).join("、")}</td>
                    <td className={`px-3 py-2 whitespace-nowrap ${statusClass[r.status]}`}>{t(`staff.status.${r.status}`)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(r.lastSignInAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
