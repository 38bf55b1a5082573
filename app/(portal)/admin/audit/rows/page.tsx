import { AccessRowTable } from "@/components/audit/access-row-table";
import { Card, FacilitySelect, FilterField, FilterForm, fieldClass, PageTitle, ResultCount, SubmitButton, TableScroll } from "@/components/audit/parts";
import { Pager, pageHref } from "@/components/ui/pager";
import { listAccessRows } from "@/lib/audit/reports/queries";
import { toJstLocal, UNUSUAL_DEFAULT_DAYS } from "@/lib/audit/reports/rules";
import { ZAccessRowsFilter } from "@/lib/audit/reports/schema";
import { requireViewer } from "@/lib/auth/viewer";
import { ACCESS_TYPES } from "@/lib/enums";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/** The access-log rows behind a count or a finding, or any filter the secretariat sets. */
export default async function AccessRowsPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const f = ZAccessRowsFilter.parse(await searchParams);
  const result = await orNotFound(listAccessRows(viewer, f));
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), listFacilityOptions(viewer)]);
  const from = toJstLocal(result.from);
  const to = result.to ? toJstLocal(result.to) : undefined;
  const params = { facility: f.facility, user: f.user, patient: f.patient, type: f.type, from, to, emergency: f.emergency ? "1" : undefined };
  const asked: Record<string, string | undefined> = { facility: f.facility, user: f.user, patient: f.patient };
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.rows.title")} lead={t("auditReports.rows.lead", { days: UNUSUAL_DEFAULT_DAYS })} />
      <Card>
        <FilterForm columns="lg:grid-cols-4">
          <FilterField label={t("auditReports.facility")} className="lg:col-span-2">
            <FacilitySelect value={f.facility} facilities={facilities} emptyLabel={t("common.all")} />
          </FilterField>
          <FilterField label={t("auditReports.loginId")}>
            <input name="user" defaultValue={f.user ?? ""} className={fieldClass} autoComplete="off" />
          </FilterField>
          <FilterField label={t("patient.regionalId")}>
            <input name="patient" defaultValue={f.patient ?? ""} inputMode="numeric" className={fieldClass} autoComplete="off" />
          </FilterField>
          <FilterField label={t("auditReports.type")}>
            <select name="type" defaultValue={f.type ?? ""} className={fieldClass}>
              <option value="">{t("common.all")}</option>
              {ACCESS_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`enum.AccessType.${type}`)}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label={t("auditReports.from")}>
            <input type="datetime-local" step={1} name="from" defaultValue={from} className={fieldClass} />
          </FilterField>
          <FilterField label={t("auditReports.to")}>
            <input type="datetime-local" step={1} name="to" defaultValue={to ?? ""} className={fieldClass} />
          </FilterField>
          <label className="flex min-h-11 items-center gap-2 self-end text-sm">
            <input type="checkbox" name="emergency" value="1" defaultChecked={f.emergency} className="h-5 w-5" />
            {t("auditReports.rows.emergencyOnly")}
          </label>
          <SubmitButton label={t("common.search")} />
        </FilterForm>
      </Card>
      <Card testId="rows-results">
        {result.unmatched.map((key) => (
          <p key={key} role="alert" className="mb-2 text-sm text-red-700">
            {t(`auditReports.rows.unmatched.${key}`, { value: asked[key] ?? "" })}
          </p>
        ))}
        <p className="mb-1 text-sm text-slate-600">
          {t("auditReports.rows.range", { from: formatDateTime(result.from, locale, true, true), to: result.to ? formatDateTime(result.to, locale, true, true) : t("auditReports.rows.now") })}
        </p>
        <ResultCount total={result.total} t={t} testId="rows-count" />
        {result.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.noResults")}</p>
        ) : (
          <TableScroll>
            <AccessRowTable rows={result.rows} t={t} locale={locale} reviewable={() => true} />
          </TableScroll>
        )}
        <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={(page) => pageHref("/admin/audit/rows", params, page)} t={t} />
      </Card>
    </div>
  );
}
