import { notFound } from "next/navigation";
import { AccessRowTable } from "@/components/audit/access-row-table";
import { Card, FacilitySelect, FilterField, FilterForm, fieldClass, PageTitle, ResultCount, SubmitButton, TableScroll } from "@/components/audit/parts";
import { FacilitySummaryTable, ReportPatientHeader } from "@/components/audit/patient-access-summary";
import { Pager, pageHref } from "@/components/ui/pager";
import { canSeePatientAccessReports, isSecretariat } from "@/lib/access/roles";
import { getPatientAccessReport } from "@/lib/audit/reports/queries";
import { ZPatientReportQuery } from "@/lib/audit/reports/schema";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/**
 * 患者別閲覧履歴 (seed 004: 診療情報を開示・閲覧している参加施設の確認): who viewed one patient's data.
 * The secretariat for any patient; a facility's admins for patients linked at their facility.
 */
export default async function PatientAccessReportPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  if (!canSeePatientAccessReports(viewer)) notFound();
  const q = ZPatientReportQuery.parse(await searchParams);
  const secretariat = isSecretariat(viewer);
  const hasKey = Boolean(q.regionalId || q.facilityPatientId);
  const report = hasKey ? await orNotFound(getPatientAccessReport(viewer, q)) : null;
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), secretariat ? listFacilityOptions(viewer) : Promise.resolve([])]);
  const hrefFor = (page: number) => pageHref("/admin/audit/patient", { regionalId: q.regionalId, facility: q.facility, facilityPatientId: q.facilityPatientId }, page);
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.patient.title")} lead={t("auditReports.patient.lead")} />
      <Card>
        {!secretariat && <p className="mb-3 text-sm text-slate-600">{t("auditReports.patient.leadAdmin")}</p>}
        <FilterForm columns="lg:grid-cols-[minmax(9rem,13rem)_auto_minmax(10rem,18rem)_minmax(8rem,12rem)_minmax(8rem,10rem)]">
          <FilterField label={t("patient.regionalId")}>
            <input name="regionalId" defaultValue={q.regionalId ?? ""} inputMode="numeric" className={fieldClass} autoComplete="off" />
          </FilterField>
          <p className="flex items-end px-2 pb-3 text-sm text-slate-500">{t("auditReports.patient.or")}</p>
          {secretariat ? (
            <FilterField label={t("auditReports.facility")}>
              <FacilitySelect value={q.facility} facilities={facilities} emptyLabel={t("auditReports.chooseFacility")} />
            </FilterField>
          ) : (
            <FilterField label={t("auditReports.facility")}>
              <span className="flex min-h-11 items-center">{viewer.facilityName}</span>
            </FilterField>
          )}
          <FilterField label={t("patient.facilityPatientId")}>
            <input name="facilityPatientId" defaultValue={q.facilityPatientId ?? ""} className={fieldClass} autoComplete="off" />
          </FilterField>
          <SubmitButton label={t("auditReports.show")} />
        </FilterForm>
        {!hasKey && <p className="mt-3 text-sm text-slate-500">{t("auditReports.patient.enterKey")}</p>}
      </Card>
      {report && (
        <>
          <ReportPatientHeader patient={report.patient} t={t} />
          <Card testId="report-facilities">
            <h2 className="mb-3 text-lg font-semibold">{t("auditReports.patient.byFacility")}</h2>
            {report.facilities.length === 0 ? (
              <p className="text-sm text-slate-500">{t("auditReports.patient.noViews")}</p>
            ) : (
              <TableScroll>
                <FacilitySummaryTable rows={report.facilities} t={t} locale={locale} />
              </TableScroll>
            )}
          </Card>
          <Card testId="report-rows">
            <h2 className="mb-3 text-lg font-semibold">{t("auditReports.patient.rows")}</h2>
            <ResultCount total={report.rows.total} t={t} />
            {report.rows.rows.length > 0 && (
              <TableScroll>
                {/* the secretariat reviews any grant; a facility's admins open their own staff's uses */}
                <AccessRowTable rows={report.rows.rows} t={t} locale={locale} full={false} reviewable={(r) => secretariat || r.facility?.id === viewer.facilityId} />
              </TableScroll>
            )}
            <Pager page={report.rows.page} total={report.rows.total} pageSize={report.rows.pageSize} hrefFor={hrefFor} t={t} />
          </Card>
        </>
      )}
    </div>
  );
}
