import { td, th } from "@/components/audit/parts";
import { BASES, type TReportLine } from "@/lib/ems/review/report";
import type { TTranslate } from "@/lib/i18n";

const num = `${td} text-right tabular-nums`;

/** The month's lines of one side (per viewing or per disclosing facility), with the total under them. */
export function MonthReportTable({ lines, total, t, side }: { lines: TReportLine[]; total: TReportLine; t: TTranslate; side: "viewing" | "disclosing" }) {
  const cells = (l: TReportLine) => (
    <>
      <td className={num}>{l.grants}</td>
      {BASES.map((b) => (
        <td key={b} className={num}>
          {l.byBasis[b]}
        </td>
      ))}
      <td className={num}>{l.reads}</td>
      <td className={num}>{l.patients}</td>
      <td className={num}>{l.reviewed}</td>
      <td className={num}>{l.pending}</td>
      <td className={`${num} ${l.overdue ? "font-semibold text-red-700" : ""}`}>{l.overdue}</td>
      <td className={num}>{l.followUp}</td>
      <td className={`${num} ${l.inappropriate ? "font-semibold text-red-700" : ""}`}>{l.inappropriate}</td>
    </>
  );
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>{t("auditReports.facility")}</th>
          <th className={`${th} text-right`}>{t("emsReview.report.grants")}</th>
          {BASES.map((b) => (
            <th key={b} className={`${th} text-right`}>
              {t(`emsReview.basis.${b}`)}
            </th>
          ))}
          <th className={`${th} text-right`}>{t("emsReview.report.reads")}</th>
          <th className={`${th} text-right`}>{t("emsReview.report.patients")}</th>
          <th className={`${th} text-right`}>{t("emsReview.report.reviewed")}</th>
          <th className={`${th} text-right`}>{t("emsReview.report.pending")}</th>
          <th className={`${th} text-right`}>{t("emsReview.report.overdue")}</th>
          <th className={`${th} text-right`}>{t("emsReview.outcome.FOLLOW_UP")}</th>
          <th className={`${th} text-right`}>{t("emsReview.outcome.INAPPROPRIATE")}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l) => (
          <tr key={l.facility?.id ?? "all"} className="border-b border-slate-200" data-testid={`report-${side}`} data-code={l.facility?.code}>
            <td className={`${td} min-w-40`}>
              {l.facility ? (
                <>
                  {l.facility.name}
                  <span className="block font-mono text-xs text-slate-500">{l.facility.code}</span>
                </>
              ) : (
                t("emsReview.report.allFacilities")
              )}
            </td>
            {cells(l)}
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr className="bg-slate-50 font-semibold" data-testid={`report-${side}-total`}>
          <td className={td}>{t("emsReview.report.total")}</td>
          {cells(total)}
        </tr>
      </tfoot>
    </table>
  );
}
