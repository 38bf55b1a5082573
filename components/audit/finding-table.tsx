import { PersonCell, td, th } from "@/components/audit/parts";
import { EmergencyBadge } from "@/components/ems-review/emergency-badge";
import type { TFinding } from "@/lib/audit/reports/queries";
import type { TUnusualRule } from "@/lib/audit/reports/rules";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

/** The findings of one rule, each with a link to the rows behind it. */
export function FindingTable({ rule, findings, t, locale }: { rule: TUnusualRule; findings: TFinding[]; t: TTranslate; locale: TLocale }) {
  const hasPatient = rule === "EMERGENCY" || rule === "NEW_LINK";
  const time = (d: Date) => formatDateTime(d, locale, true, true);
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>
            <span className="sr-only">{t("auditReports.unusual.showRows")}</span>
          </th>
          <th className={th}>{t("auditReports.user")}</th>
          <th className={th}>{t("auditReports.facility")}</th>
          {hasPatient && <th className={th}>{t("auditReports.unusual.patient")}</th>}
          {rule === "NEW_LINK" && <th className={th}>{t("auditReports.unusual.linkedAt")}</th>}
          {rule === "EMERGENCY" && <th className={th}>{t("emsReview.basis")}</th>}
          <th className={th}>{t("auditReports.unusual.period")}</th>
          <th className={`${th} text-right`}>{t("auditReports.unusual.rows")}</th>
          {!hasPatient && <th className={`${th} text-right`}>{t("auditReports.unusual.patients")}</th>}
        </tr>
      </thead>
      <tbody>
        {findings.map((f, i) => (
          <tr key={`${i}-${f.href}`} className="border-b border-slate-200 align-top" data-testid={`finding-${rule}`} data-login={f.user?.loginId}>
            <td className={`${td} py-0`}>
              <a href={f.href} className="inline-flex min-h-11 items-center whitespace-nowrap text-teal-800 underline underline-offset-2">
                {t("auditReports.unusual.showRows")}
              </a>
            </td>
            <td className={td}>
              <PersonCell person={f.user} />
            </td>
            <td className={`${td} min-w-36`}>{f.user?.facilityName ?? "―"}</td>
            {hasPatient && (
              <td className={`${td} min-w-32`}>
                {f.patient ? (
                  <>
                    <span className="block">{f.patient.name}</span>
                    <span className="block font-mono text-xs text-slate-500">{f.patient.regionalId}</span>
                  </>
                ) : (
                  "―"
                )}
              </td>
            )}
            {rule === "NEW_LINK" && <td className={`${td} whitespace-nowrap`}>{time(f.linkedAt!)}</td>}
            {rule === "EMERGENCY" && (
              <td className={`${td} min-w-32`}>
                {/* the unusual-access report is the secretariat's, who reviews every grant */}
                {f.grants.length === 0 ? (
                  <EmergencyBadge grant={null} t={t} />
                ) : (
                  f.grants.map((g) => (
                    <span key={g.grantId} className="block">
                      <EmergencyBadge grant={g} t={t} linked />
                    </span>
                  ))
                )}
              </td>
            )}
            <td className={`${td} whitespace-nowrap`}>
              {time(f.first)}
              <span className="block text-slate-500">〜 {time(f.last)}</span>
            </td>
            <td className={`${td} text-right`} data-testid="finding-rows">
              {f.rows}
            </td>
            {!hasPatient && <td className={`${td} text-right`}>{f.patients}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
