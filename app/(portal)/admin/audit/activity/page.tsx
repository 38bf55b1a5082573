import { ActivityTable } from "@/components/audit/activity-table";
import { Card, FacilitySelect, FilterField, FilterForm, fieldClass, PageTitle, SubmitButton, TableScroll } from "@/components/audit/parts";
import { getFacilityActivity } from "@/lib/audit/reports/queries";
import { ZActivityQuery } from "@/lib/audit/reports/schema";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/** A facility's reads in a month, one row per day (Japan time). */
export default async function FacilityActivityPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const q = ZActivityQuery.parse(await searchParams);
  const activity = await orNotFound(getFacilityActivity(viewer, q));
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), listFacilityOptions(viewer)]);
  const facility = activity.facility;
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.activity.title")} lead={t("auditReports.activity.lead")} />
      <Card>
        <FilterForm columns="lg:grid-cols-4">
          <FilterField label={t("auditReports.facility")} className="lg:col-span-2">
            <FacilitySelect value={facility?.code ?? q.facility} facilities={facilities} emptyLabel={t("auditReports.chooseFacility")} />
          </FilterField>
          <FilterField label={t("auditReports.activity.month")}>
            <input type="month" name="month" defaultValue={activity.month} className={fieldClass} required />
          </FilterField>
          <SubmitButton label={t("auditReports.show")} />
        </FilterForm>
      </Card>
      <Card testId="activity-results">
        {facility ? (
          <>
            <h2 className="mb-3 text-lg font-semibold">{t("auditReports.activity.caption", { facility: facility.name, month: activity.month.replace("-", "/") })}</h2>
            {activity.total.rows === 0 && <p className="mb-3 text-sm text-slate-500">{t("auditReports.activity.none")}</p>}
            <TableScroll>
              <ActivityTable activity={activity} facility={facility.code} t={t} locale={locale} />
            </TableScroll>
          </>
        ) : (
          <p className="text-sm text-slate-600">{t("auditReports.activity.pickFacility")}</p>
        )}
      </Card>
    </div>
  );
}
