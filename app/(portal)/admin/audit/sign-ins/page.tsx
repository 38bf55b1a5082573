import { Card, FacilitySelect, FilterField, FilterForm, fieldClass, PageTitle, ResultCount, SubmitButton, TableScroll } from "@/components/audit/parts";
import { SignInTable } from "@/components/audit/sign-in-table";
import { Pager, pageHref } from "@/components/ui/pager";
import { listSignInEvents } from "@/lib/audit/reports/queries";
import { SIGN_IN_KIND_GROUP_NAMES } from "@/lib/audit/reports/rules";
import { ZSignInFilter } from "@/lib/audit/reports/schema";
import { requireViewer } from "@/lib/auth/viewer";
import { SIGN_IN_EVENT_KINDS } from "@/lib/enums";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

/** ログイン履歴 by facility, user, kind and Japan-time days. */
export default async function SignInHistoryPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const f = ZSignInFilter.parse(await searchParams);
  const result = await orNotFound(listSignInEvents(viewer, f));
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), listFacilityOptions(viewer)]);
  const hrefFor = (page: number) => pageHref("/admin/audit/sign-ins", { facility: f.facility, login: f.login, kind: f.kind, from: f.from, to: f.to }, page);
  return (
    <div className="space-y-6">
      <PageTitle title={t("auditReports.signIns.title")} lead={t("auditReports.signIns.lead")} />
      <Card>
        <FilterForm columns="lg:grid-cols-7">
          <FilterField label={t("auditReports.facility")} className="lg:col-span-2">
            <FacilitySelect value={f.facility} facilities={facilities} emptyLabel={t("common.all")} />
          </FilterField>
          <FilterField label={t("auditReports.loginId")} hint={t("auditReports.signIns.loginHint")}>
            <input name="login" defaultValue={f.login ?? ""} className={fieldClass} autoComplete="off" />
          </FilterField>
          <FilterField label={t("auditReports.signIns.kind")}>
            <select name="kind" defaultValue={f.kind ?? ""} className={fieldClass}>
              <option value="">{t("common.all")}</option>
              {SIGN_IN_KIND_GROUP_NAMES.map((g) => (
                <option key={g} value={g}>
                  {t(`auditReports.signIns.group.${g}`)}
                </option>
              ))}
              {SIGN_IN_EVENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`enum.SignInEventKind.${k}`)}
                </option>
              ))}
            </select>
          </FilterField>
          <FilterField label={t("auditReports.fromDay")}>
            <input type="date" name="from" defaultValue={f.from ?? ""} className={fieldClass} />
          </FilterField>
          <FilterField label={t("auditReports.toDay")}>
            <input type="date" name="to" defaultValue={f.to ?? ""} className={fieldClass} />
          </FilterField>
          <SubmitButton label={t("common.search")} />
        </FilterForm>
      </Card>
      <Card testId="signin-results">
        <ResultCount total={result.total} t={t} />
        {result.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.noResults")}</p>
        ) : (
          <TableScroll>
            <SignInTable rows={result.rows} t={t} locale={locale} />
          </TableScroll>
        )}
        <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={hrefFor} t={t} />
      </Card>
    </div>
  );
}
