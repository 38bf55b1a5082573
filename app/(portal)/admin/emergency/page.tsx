import { notFound } from "next/navigation";
import { Card, FacilitySelect, FilterField, FilterForm, fieldClass, PageTitle, ResultCount, SubmitButton, TableScroll } from "@/components/audit/parts";
import { ReviewQueueTable } from "@/components/ems-review/review-queue-table";
import { Pager, pageHref } from "@/components/ui/pager";
import { canSeeAuditReports, isFacilityAdmin } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { BASES } from "@/lib/ems/review/report";
import { listEmergencyReviews } from "@/lib/ems/review/queries";
import { REVIEW_STATES, ZReviewQueueFilter } from "@/lib/ems/review/schema";
import { env } from "@/lib/env";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/**
 * 救急時閲覧の確認 (seed 000 平時のルール): the secretariat's queue of emergency grants to review, by
 * due date; a facility's admins see their own staff's uses, read-only.
 */
export default async function EmergencyReviewQueuePage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const network = canSeeAuditReports(viewer);
  if (!network && !isFacilityAdmin(viewer)) notFound();
  const f = ZReviewQueueFilter.parse(await searchParams);
  const list = await orNotFound(listEmergencyReviews(viewer, f));
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), network ? listFacilityOptions(viewer) : Promise.resolve([])]);
  const params = { facility: network ? f.facility : undefined, basis: f.basis, state: f.state };
  return (
    <div className="space-y-6">
      <PageTitle title={network ? t("emsReview.title") : t("menu.adminEmergencyOwn")} lead={network ? t("emsReview.lead", { days: env().EMS_REVIEW_DAYS }) : t("emsReview.leadFacility")} />
      <Card>
        <FilterForm columns="lg:grid-cols-[minmax(12rem,2fr)_minmax(8rem,1fr)_minmax(8rem,1fr)_auto]">
          {network ? (
            <FilterField label={t("emsReview.facility")}>
              <FacilitySelect value={list.facility?.code ?? f.facility} facilities={facilities} emptyLabel={t("common.all")} />
            </FilterField>
          ) : (
            <FilterField label={t("emsReview.facility")}>
              <span className="flex min-h-11 items-center">{list.facility?.name ?? viewer.facilityName}</span>
            </FilterField>
          )}
          <FilterField label={t("emsReview.basis")}>
            <select name="basis" defaultValue={f.basis ?? ""} className={fieldClass}>
              <option value="">{t("common.all")}</option>
              {BASES.map((b) => (
                <option key={b} value={b}>
                  {t(`emsReview.basis.${b}`)}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label={t("emsReview.state")}>
            <select name="state" defaultValue={list.state} className={fieldClass}>
              {REVIEW_STATES.map((s) => (
                <option key={s} value={s}>
                  {t(`emsReview.state.${s}`)}
                </option>
              ))}
            </select>
          </FilterField>
          <SubmitButton label={t("auditReports.show")} />
        </FilterForm>
        <p className={`mt-3 text-sm ${list.counts.overdue ? "font-semibold text-red-700" : "text-slate-600"}`} data-testid="review-counts">
          {t("emsReview.counts", list.counts)}
        </p>
      </Card>
      <Card testId="review-queue">
        {list.unmatchedFacility && (
          <p role="alert" className="mb-2 text-sm text-red-700">
            {t("emsReview.unmatchedFacility", { value: f.facility ?? "" })}
          </p>
        )}
        <ResultCount total={list.total} t={t} testId="review-total" />
        {list.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("emsReview.none")}</p>
        ) : (
          <TableScroll>
            <ReviewQueueTable rows={list.rows} t={t} locale={locale} reviewer={network} />
          </TableScroll>
        )}
        <Pager page={list.page} total={list.total} pageSize={list.pageSize} hrefFor={(page) => pageHref("/admin/emergency", params, page)} t={t} />
      </Card>
    </div>
  );
}
