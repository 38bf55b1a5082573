import { Card, FilterField, FilterForm, fieldClass, PageTitle, SubmitButton, TableScroll } from "@/components/audit/parts";
import { MonthReportTable } from "@/components/ems-review/month-report-table";
import { requireViewer } from "@/lib/auth/viewer";
import { getEmergencyMonthReport } from "@/lib/ems/review/queries";
import { ZReviewMonthQuery } from "@/lib/ems/review/schema";
import { getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/** 月次報告: the month's emergency access per viewing and per disclosing facility (the secretariat's). */
export default async function EmergencyMonthReportPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const q = ZReviewMonthQuery.parse(await searchParams);
  const report = await orNotFound(getEmergencyMonthReport(viewer, q));
  const t = await getT();
  const [year, month] = report.month.split("-");
  return (
    <div className="space-y-6">
      <PageTitle title={t("emsReview.report.title")} lead={t("emsReview.report.lead")} />
      <Card>
        <FilterForm columns="lg:grid-cols-[minmax(10rem,14rem)_auto_1fr]">
          <FilterField label={t("emsReview.report.month")}>
            <input type="month" name="month" defaultValue={report.month} className={fieldClass} required />
          </FilterField>
          <SubmitButton label={t("auditReports.show")} />
          <div className="flex items-end justify-end">
            <a
              href={`/api/emergency-review/report?month=${report.month}`}
              className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4 text-sm font-medium text-teal-800 hover:bg-slate-50"
              data-testid="report-csv"
            >
              {t("emsReview.report.csv")}
            </a>
          </div>
        </FilterForm>
      </Card>
      <Card testId="report-caption">
        <h2 className="text-lg font-semibold">{t("emsReview.report.caption", { month: `${year}/${month}` })}</h2>
        {report.total.grants === 0 && <p className="mt-2 text-sm text-slate-500">{t("emsReview.report.none")}</p>}
      </Card>
      {report.total.grants > 0 && (
        <>
          <Card testId="report-viewing-card">
            <h2 className="mb-3 text-lg font-semibold">{t("emsReview.report.viewing")}</h2>
            <TableScroll>
              <MonthReportTable lines={report.viewing} total={report.total} t={t} side="viewing" />
            </TableScroll>
          </Card>
          <Card testId="report-disclosing-card">
            <h2 className="mb-3 text-lg font-semibold">{t("emsReview.report.disclosing")}</h2>
            <TableScroll>
              <MonthReportTable lines={report.disclosing} total={report.total} t={t} side="disclosing" />
            </TableScroll>
          </Card>
        </>
      )}
    </div>
  );
}
