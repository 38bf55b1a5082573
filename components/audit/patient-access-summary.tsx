import { td, th } from "@/components/audit/parts";
import { ageText } from "@/components/patients/patient-name";
import type { TPatientAccessFacility } from "@/lib/audit/reports/queries";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";
import type { TPatientIdentity } from "@/lib/patients/dto";

/** Who the report is about (seed 004 患者情報, identifying fields only). */
export function ReportPatientHeader({ patient, t }: { patient: TPatientIdentity; t: TTranslate }) {
  return (
    <section className="flex flex-wrap items-start gap-x-8 gap-y-3 rounded-lg bg-white p-5 shadow" data-testid="report-patient">
      <div>
        <p className="text-sm text-slate-500">{patient.nameKana}</p>
        <p className="text-2xl font-bold">{patient.nameKanji}</p>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-slate-500">{t("patient.regionalId")}</dt>
        <dd className="font-mono">{patient.regionalId}</dd>
        <dt className="text-slate-500">{t("patient.birthDate")}</dt>
        <dd>
          {patient.birth.wareki}（{patient.birth.seireki}）　{ageText(patient.birth, t)}
        </dd>
        <dt className="text-slate-500">{t("patient.sex")}</dt>
        <dd>{t(`enum.Sex.${patient.sex}`)}</dd>
      </dl>
    </section>
  );
}

/** Per viewing facility: first and last access, reads, refusals and the people involved. */
export function FacilitySummaryTable({ rows, t, locale }: { rows: TPatientAccessFacility[]; t: TTranslate; locale: TLocale }) {
  const time = (d: Date) => formatDateTime(d, locale, true, true);
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>{t("auditReports.facility")}</th>
          <th className={th}>{t("auditReports.patient.first")}</th>
          <th className={th}>{t("auditReports.patient.last")}</th>
          <th className={`${th} text-right`}>{t("auditReports.patient.views")}</th>
          <th className={`${th} text-right`}>{t("emsReview.patientEmergency")}</th>
          <th className={`${th} text-right`}>{t("auditReports.patient.denied")}</th>
          <th className={`${th} text-right`}>{t("auditReports.patient.people")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={r.facility?.id ?? i} className="border-b border-slate-200" data-testid="report-facility" data-code={r.facility?.code}>
            <td className={`${td} min-w-40`}>
              {r.facility?.name ?? "―"}
              {r.facility && <span className="block font-mono text-xs text-slate-500">{r.facility.code}</span>}
            </td>
            <td className={`${td} whitespace-nowrap`}>{time(r.first)}</td>
            <td className={`${td} whitespace-nowrap`}>{time(r.last)}</td>
            <td className={`${td} text-right`}>{r.views}</td>
            <td className={`${td} text-right ${r.emergency ? "font-medium text-red-700" : ""}`} data-testid="report-facility-emergency">
              {r.emergency}
            </td>
            <td className={`${td} text-right ${r.denied ? "font-medium text-red-700" : ""}`}>{r.denied}</td>
            <td className={`${td} text-right`}>{r.people}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
