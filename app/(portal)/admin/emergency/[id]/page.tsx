import Link from "next/link";
import { notFound } from "next/navigation";
import { AccessRowTable } from "@/components/audit/access-row-table";
import { Card, PageTitle, ResultCount, TableScroll } from "@/components/audit/parts";
import { ReportPatientHeader } from "@/components/audit/patient-access-summary";
import { CloseReviewForm } from "@/components/ems-review/close-review-form";
import { EmergencyBadge } from "@/components/ems-review/emergency-badge";
import { EndGrantButton } from "@/components/ems-review/end-grant-button";
import { Pager, pageHref } from "@/components/ui/pager";
import { canSeeAuditReports, isFacilityAdmin } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { getEmergencyReview } from "@/lib/ems/review/queries";
import { ZReviewDetailQuery } from "@/lib/ems/review/schema";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = Record<string, string | string[] | undefined>;

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <>
      <dt className="pt-2 text-sm text-slate-500 sm:pt-0">{label}</dt>
      <dd className="text-sm" data-testid={testId}>
        {children}
      </dd>
    </>
  );
}

/**
 * One emergency grant for review: who opened whose records, on what ground, why and on what
 * consent, the notice, every read made under it, and the review (closed by the secretariat; a
 * facility's admins see their own staff's uses read-only).
 */
export default async function EmergencyReviewPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const reviewer = canSeeAuditReports(viewer);
  if (!reviewer && !isFacilityAdmin(viewer)) notFound();
  const { id } = await params;
  const { page } = ZReviewDetailQuery.parse(await searchParams);
  const g = await orNotFound(getEmergencyReview(viewer, id, { page }));
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  const time = (d: Date) => formatDateTime(d, locale);
  const inForce = g.state === "IN_FORCE";
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <PageTitle title={t("emsReview.title")} />
        <Link href="/admin/emergency" className="inline-flex min-h-11 items-center text-sm text-teal-800 underline underline-offset-2">
          {t("emsReview.detail.back")}
        </Link>
      </div>
      <ReportPatientHeader patient={g.patient} t={t} />
      <Card testId="review-use">
        <h2 className="mb-3 text-lg font-semibold">{t("emsReview.detail.use")}</h2>
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-[minmax(10rem,auto)_1fr]">
          <Row label={t("emsReview.detail.viewer")} testId="review-viewer">
            <span className="font-medium">{g.viewer.name}</span>
            <span className="ml-2 font-mono text-xs text-slate-500">{g.viewer.loginId}</span>
            <span className="ml-2 text-slate-600">{t(`enum.Qualification.${g.viewer.qualification}`)}</span>
            <span className="block text-slate-600">
              {g.viewerFacility.name}
              <span className="ml-2 font-mono text-xs text-slate-500">{g.viewerFacility.code}</span>
            </span>
          </Row>
          <Row label={t("emsReview.detail.disclosing")}>
            {g.disclosingFacility ? (
              <>
                {g.disclosingFacility.name}
                <span className="ml-2 font-mono text-xs text-slate-500">{g.disclosingFacility.code}</span>
              </>
            ) : (
              t("emsReview.allDisclosing")
            )}
            {g.facilityPatientId && (
              <span className="block text-slate-600">
                {t("emsReview.detail.facilityPatientId")}: <span className="font-mono">{g.facilityPatientId}</span>
              </span>
            )}
          </Row>
          <Row label={t("emsReview.detail.ground")} testId="review-ground">
            <EmergencyBadge grant={{ grantId: g.id, basis: g.basis, disasterName: g.disaster?.name ?? null }} t={t} />
          </Row>
          <Row label={t("emsReview.detail.reason")} testId="review-reason">
            <span className="font-medium">{t(`emsReview.reason.${g.reason}`)}</span>
            <span className="block whitespace-pre-wrap">{g.reasonText}</span>
          </Row>
          <Row label={t("emsReview.detail.consent")} testId="review-consent">
            {t(`emsReview.consent.${g.consent}`)}
            {g.consentConfirmedBy && (
              <span className="block text-slate-600">
                {t("emsReview.detail.confirmedBy")}: {g.consentConfirmedBy}
              </span>
            )}
          </Row>
          <Row label={t("emsReview.detail.period")} testId="review-period">
            {time(g.startsAt)} 〜 {time(g.endsAt)}
            <span className={`ml-2 rounded px-1.5 py-0.5 text-xs ${inForce ? "bg-amber-100 text-amber-900" : "bg-slate-100 text-slate-700"}`}>{t(`emsReview.grantState.${g.state}`)}</span>
            {g.state === "ENDED_EARLY" && (
              <span className="block text-slate-600">
                {t("emsReview.detail.plannedEnd", { at: time(g.plannedEndsAt) })}
                {g.endedBy && <span className="ml-3">{t("emsReview.detail.endedBy", { name: g.endedBy.name })}</span>}
              </span>
            )}
          </Row>
          <Row label={t("emsReview.detail.window")}>{t("emsReview.detail.windowFrom", { from: g.windowFrom.replaceAll("-", "/") })}</Row>
          <Row label={t("emsReview.detail.notice")} testId="review-notice">
            {g.notice
              ? t("emsReview.detail.noticeSent", { at: g.notice.sentAt ? time(g.notice.sentAt) : "", recipients: g.notice.recipients, read: g.notice.read })
              : g.disaster?.skipsNotice
                ? t("emsReview.detail.noticeSkipped")
                : t("emsReview.detail.noticeNone")}
          </Row>
        </dl>
      </Card>
      <Card testId="review-reads">
        <h2 className="mb-1 text-lg font-semibold">{t("emsReview.detail.reads")}</h2>
        <p className="mb-3 text-sm text-slate-600">{t("emsReview.detail.readsLead")}</p>
        {g.reads.total === 0 ? (
          <p className="text-sm text-slate-500">{t("emsReview.detail.noReads")}</p>
        ) : (
          <>
            <ul className="mb-3 flex flex-wrap gap-2 text-sm" aria-label={t("emsReview.detail.byType")} data-testid="review-reads-by-type">
              {g.reads.byType.map((x) => (
                <li key={x.type} className="rounded border border-slate-200 bg-slate-50 px-2 py-1" data-type={x.type}>
                  {t(`enum.AccessType.${x.type}`)} <span className="font-semibold">{x.count}</span>
                </li>
              ))}
            </ul>
            <ResultCount total={g.reads.rows.total} t={t} />
            <TableScroll>
              <AccessRowTable rows={g.reads.rows.rows} t={t} locale={locale} full={false} />
            </TableScroll>
            <Pager page={g.reads.rows.page} total={g.reads.rows.total} pageSize={g.reads.rows.pageSize} hrefFor={(p) => pageHref(`/admin/emergency/${g.id}`, {}, p)} t={t} />
          </>
        )}
      </Card>
      <Card testId="review-review">
        <h2 className="mb-3 text-lg font-semibold">{t("emsReview.detail.review")}</h2>
        <dl className="mb-4 grid gap-x-6 gap-y-3 sm:grid-cols-[minmax(10rem,auto)_1fr]">
          <Row label={t("emsReview.detail.due")} testId="review-due">
            <span className={g.review.isOverdue ? "font-semibold text-red-700" : ""}>{time(g.review.dueAt)}</span>
            {g.review.isOverdue && <span className="ml-2 rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-800">{t("emsReview.overdue")}</span>}
          </Row>
          {g.review.reviewedAt && (
            <>
              <Row label={t("emsReview.detail.outcome")} testId="review-outcome">
                <span className="font-medium">{t(`emsReview.outcome.${g.review.outcome}`)}</span>
              </Row>
              <Row label={t("emsReview.detail.reviewedAt")}>
                {time(g.review.reviewedAt)}
                {g.review.reviewedBy && <span className="ml-2 text-slate-600">{g.review.reviewedBy.name}</span>}
              </Row>
              {g.review.note && (
                <Row label={t("emsReview.detail.note")} testId="review-note">
                  <span className="whitespace-pre-wrap">{g.review.note}</span>
                </Row>
              )}
            </>
          )}
        </dl>
        {reviewer ? (
          <div className="space-y-4">
            {!g.review.reviewedAt && <p className="text-sm text-slate-600">{t("emsReview.detail.checklist")}</p>}
            {inForce && g.canReview && <p className="text-sm text-amber-900">{t("emsReview.close.inForce")}</p>}
            <EndGrantButton grantId={g.id} inForce={g.canEnd} />
            <CloseReviewForm grantId={g.id} open={g.canReview && !inForce} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">{t("emsReview.detail.readOnly")}</p>
        )}
      </Card>
    </div>
  );
}
