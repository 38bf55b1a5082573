import { FindingTable } from "@/components/audit/finding-table";
import { Card, FilterField, FilterForm, fieldClass, PageTitle, SubmitButton, TableScroll } from "@/components/audit/parts";
import { findUnusualAccess } from "@/lib/audit/reports/queries";
import {
  BURST_MIN_PATIENTS,
  BURST_WINDOW_MINUTES,
  DENIED_PER_DAY,
  NEW_LINK_HOURS,
  NIGHT_END_HOUR,
  NIGHT_START_HOUR,
  UNUSUAL_MAX_DAYS,
  UNUSUAL_RULES,
} from "@/lib/audit/reports/rules";
import { ZUnusualQuery } from "@/lib/audit/reports/schema";
import { requireViewer } from "@/lib/auth/viewer";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/** The thresholds, shown with each rule so the secretariat knows what was looked for. */
const THRESHOLDS = {
  minutes: BURST_WINDOW_MINUTES,
  patients: BURST_MIN_PATIENTS,
  hours: NEW_LINK_HOURS,
  start: NIGHT_START_HOUR,
  end: NIGHT_END_HOUR,
  count: DENIED_PER_DAY,
};

/** 不審なアクセス over a range of Japan-time days (default: the last 7). */
export default async function UnusualAccessPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const q = ZUnusualQuery.parse(await searchParams);
  const report = await orNotFound(findUnusualAccess(viewer, q));
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.unusual.title")} lead={t("auditReports.unusual.lead")} />
      <Card>
        <FilterForm columns="lg:grid-cols-4">
          <FilterField label={t("auditReports.fromDay")}>
            <input type="date" name="from" defaultValue={report.from} className={fieldClass} />
          </FilterField>
          <FilterField label={t("auditReports.toDay")}>
            <input type="date" name="to" defaultValue={report.to} className={fieldClass} />
          </FilterField>
          <SubmitButton label={t("auditReports.show")} />
        </FilterForm>
        <p className="mt-3 text-sm text-slate-600" data-testid="unusual-range">
          {t("auditReports.unusual.range", { from: report.from.replaceAll("-", "/"), to: report.to.replaceAll("-", "/"), max: UNUSUAL_MAX_DAYS })}
        </p>
      </Card>
      {UNUSUAL_RULES.map((rule) => {
        const findings = report.findings.filter((f) => f.rule === rule);
        return (
          <Card key={rule} testId={`rule-${rule}`}>
            <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
              <h2 className="text-lg font-semibold">{t(`auditReports.unusual.rule.${rule}`)}</h2>
              <span className={`text-sm ${findings.length ? "font-semibold text-red-700" : "text-slate-500"}`}>{t("auditReports.unusual.count", { count: findings.length })}</span>
            </div>
            <p className="mb-3 text-sm text-slate-600">{t(`auditReports.unusual.why.${rule}`, THRESHOLDS)}</p>
            {findings.length === 0 ? (
              <p className="text-sm text-slate-500">{t("auditReports.unusual.none")}</p>
            ) : (
              <TableScroll>
                <FindingTable rule={rule} findings={findings} t={t} locale={locale} />
              </TableScroll>
            )}
          </Card>
        );
      })}
    </div>
  );
}
