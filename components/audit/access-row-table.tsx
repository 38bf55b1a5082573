import { PersonCell, td, th } from "@/components/audit/parts";
import { EmergencyBadge } from "@/components/ems-review/emergency-badge";
import type { TAccessRow, TFacilityRef } from "@/lib/audit/reports/queries";
import { isNightTime } from "@/lib/audit/reports/rules";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

function FacilityCell({ facility }: { facility: TFacilityRef | null }) {
  if (!facility) return <span className="text-slate-400">―</span>;
  return (
    <span className="block min-w-32">
      {facility.name}
      <span className="block font-mono text-xs text-slate-500">{facility.code}</span>
    </span>
  );
}

/**
 * Access-log rows. `full` (the rows page) has every column; the patient report leaves out the
 * patient (it is the report's) and the technical ones. A read under an emergency grant shows its
 * ground, linked to the grant's review where `reviewable` says the viewer may open it.
 */
export function AccessRowTable({
  rows,
  t,
  locale,
  full = true,
  reviewable = () => false,
}: {
  rows: TAccessRow[];
  t: TTranslate;
  locale: TLocale;
  full?: boolean;
  reviewable?: (row: TAccessRow) => boolean;
}) {
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>{t("auditReports.at")}</th>
          <th className={th}>{t("auditReports.facility")}</th>
          <th className={th}>{t("auditReports.user")}</th>
          <th className={th}>{t("auditReports.type")}</th>
          {full && <th className={th}>{t("auditReports.rows.patient")}</th>}
          <th className={th}>{t("auditReports.rows.contentId")}</th>
          <th className={th}>{t("auditReports.rows.owner")}</th>
          <th className={th}>{t("auditReports.detail")}</th>
          {full && (
            <th className={th}>
              {t("auditReports.certSerial")}
              <span className="block text-xs font-normal text-slate-500">{t("auditReports.requestId")}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.id}${r.at.toISOString()}`} className="border-b border-slate-200 align-top" data-testid="access-row" data-type={r.accessType} data-login={r.user?.loginId}>
            <td className={`${td} whitespace-nowrap`}>
              {formatDateTime(r.at, locale, true, true)}
              {isNightTime(r.at) && <span className="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-800">{t("auditReports.rows.night")}</span>}
            </td>
            <td className={td}>
              <FacilityCell facility={r.facility} />
            </td>
            <td className={td}>
              <PersonCell person={r.user} />
            </td>
            <td className={`${td} whitespace-nowrap ${r.accessType === "DENIED" ? "font-medium text-red-700" : ""}`}>
              {t(`enum.AccessType.${r.accessType}`)}
              {r.isEmergency && (
                <span className="block">
                  <EmergencyBadge grant={r.emergency} t={t} linked={r.emergency !== null && reviewable(r)} />
                </span>
              )}
            </td>
            {full && (
              <td className={`${td} min-w-28`}>
                {r.patient ? (
                  <>
                    <span className="block">{r.patient.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{r.patient.regionalId}</span>
                  </>
                ) : (
                  <span className="text-slate-400">―</span>
                )}
              </td>
            )}
            <td className={`${td} max-w-40 font-mono text-xs break-all`}>{r.contentId ?? ""}</td>
            <td className={td}>
              <FacilityCell facility={r.owner} />
            </td>
            <td className={`${td} max-w-72 min-w-48 text-xs break-all text-slate-600`}>{r.detail ?? ""}</td>
            {full && (
              <td className={`${td} max-w-48 min-w-44 font-mono text-xs break-all`}>
                {r.certSerial ?? ""}
                <span className="block text-slate-500">{r.requestId ?? ""}</span>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
