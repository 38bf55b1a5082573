"use client";

import Link from "next/link";
import { useI18n } from "@/components/i18n-provider";
import { FACILITY_TYPES } from "@/lib/enums";
import type { TFacilityRow } from "@/lib/facilities/queries";

export type TFacilityTableRow = Pick<
  TFacilityRow,
  | "id"
  | "code"
  | "medicalInstitutionCode"
  | "nameKanji"
  | "nameKana"
  | "type"
  | "isDisclosing"
  | "isViewing"
  | "isCoreHospital"
  | "emsAllowed"
  | "isActive"
  | "postalCode"
  | "address"
  | "phone"
  | "linkedPatientCount"
  | "registeredPatientCount"
>;

const selectClass = "min-h-11 rounded border border-slate-300 bg-white px-2 py-2";

/** The search box of the facility list (a GET form, so the filter lives in the address). */
export function FacilitySearchForm({ q, type, action }: { q: string; type: string; action: string }) {
  const { t } = useI18n();
  return (
    <form className="mb-4 flex flex-wrap items-end gap-3" method="get" action={action} role="search">
      <label className="text-sm">
        <span className="mb-1 block">{t("facility.q")}</span>
        <input name="q" type="search" defaultValue={q} className={`${selectClass} w-72 max-w-full`} />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("facility.type")}</span>
        <select name="type" defaultValue={type} className={selectClass}>
          <option value="">{t("common.all")}</option>
          {FACILITY_TYPES.map((v) => (
            <option key={v} value={v}>
              {t(`enum.FacilityType.${v}`)}
            </option>
          ))}
        </select>
      </label>
      <button className="min-h-11 rounded border border-slate-300 bg-white px-4">{t("common.search")}</button>
    </form>
  );
}

function Badge({ children, tone }: { children: React.ReactNode; tone: "teal" | "sky" | "amber" | "slate" }) {
  const styles = {
    teal: "bg-teal-100 text-teal-900",
    sky: "bg-sky-100 text-sky-900",
    amber: "bg-amber-100 text-amber-900",
    slate: "bg-slate-200 text-slate-700",
  }[tone];
  return <span className={`mr-1 inline-block rounded px-2 py-0.5 text-xs font-medium whitespace-nowrap ${styles}`}>{children}</span>;
}

/** 参加施設一覧: the secretariat additionally gets an edit link per row. */
export function FacilityTable({ rows, canEdit }: { rows: TFacilityTableRow[]; canEdit: boolean }) {
  const { t } = useI18n();
  if (rows.length === 0) return <p className="text-sm text-slate-500">{t("common.noResults")}</p>;
  return (
    <div className="overflow-x-auto">
      <p className="mb-2 text-sm text-slate-600">{t("common.results", { count: rows.length })}</p>
      <table className="min-w-full text-sm">
        <thead className="bg-slate-100 text-left">
          <tr>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.medicalInstitutionCode")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.code")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.name")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.type")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.flags")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.address")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.phone")}</th>
            <th className="px-3 py-2 whitespace-nowrap">{t("facility.patientCounts")}</th>
            {canEdit && <th className="px-3 py-2"></th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-b border-slate-200 align-top" data-testid={`facility-row-${r.code}`}>
              <td className="px-3 py-2 font-mono text-xs">{r.medicalInstitutionCode ?? ""}</td>
              <td className="px-3 py-2 font-mono text-xs">{r.code}</td>
              <td className="px-3 py-2">
                <div className="font-medium">{r.nameKanji}</div>
                <div className="text-xs text-slate-500">{r.nameKana}</div>
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{t(`enum.FacilityType.${r.type}`)}</td>
              <td className="px-3 py-2">
                {r.isDisclosing && <Badge tone="teal">{t("facility.disclosingBadge")}</Badge>}
                {r.isViewing && <Badge tone="sky">{t("facility.viewingBadge")}</Badge>}
                {r.isCoreHospital && <Badge tone="amber">{t("facility.coreBadge")}</Badge>}
                {r.emsAllowed && <Badge tone="amber">{t("facility.emsBadge")}</Badge>}
                {!r.isActive && <Badge tone="slate">{t("facility.inactive")}</Badge>}
              </td>
              <td className="px-3 py-2">
                {r.postalCode && <span className="mr-1">〒{r.postalCode}</span>}
                {r.address ?? ""}
              </td>
              <td className="px-3 py-2 whitespace-nowrap">{r.phone ?? ""}</td>
              <td className="px-3 py-2 whitespace-nowrap" data-testid={`facility-patients-${r.code}`}>
                {t("facility.patientCountsValue", { linked: r.linkedPatientCount, registered: r.registeredPatientCount })}
              </td>
              {canEdit && (
                <td className="px-3 py-2">
                  <Link href={`/admin/facilities/${r.id}`} className="inline-flex min-h-11 items-center text-teal-700 underline">
                    {t("common.edit")}
                  </Link>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The whole list page body, shared by 参加施設一覧 (/facilities) and 施設管理 (/admin/facilities). */
export function FacilityList({
  rows,
  canEdit,
  q,
  type,
  action,
  titleKey,
}: {
  rows: TFacilityTableRow[];
  canEdit: boolean;
  q: string;
  type: string;
  action: string;
  titleKey: string;
}) {
  const { t } = useI18n();
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t(titleKey)}</h1>
        {canEdit && (
          <Link href="/admin/facilities/new" className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-medium text-white hover:bg-teal-800">
            {t("facility.new")}
          </Link>
        )}
      </div>
      <p className="text-sm text-slate-600">{t("facility.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <FacilitySearchForm q={q} type={type} action={action} />
        <FacilityTable rows={rows} canEdit={canEdit} />
      </section>
    </div>
  );
}
