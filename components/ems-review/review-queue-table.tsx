import { PersonCell, td, th } from "@/components/audit/parts";
import { EmergencyBadge, reviewHref } from "@/components/ems-review/emergency-badge";
import type { TReviewRow } from "@/lib/ems/review/queries";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

const statePill: Record<TReviewRow["state"], string> = {
  IN_FORCE: "bg-amber-100 text-amber-900",
  ENDED_EARLY: "bg-slate-100 text-slate-700",
  EXPIRED: "bg-slate-100 text-slate-700",
};

/** Emergency grants: when and by whom, whose records, on what ground, how much was read, and the review. */
export function ReviewQueueTable({ rows, t, locale, reviewer }: { rows: TReviewRow[]; t: TTranslate; locale: TLocale; reviewer: boolean }) {
  const time = (d: Date) => formatDateTime(d, locale);
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>
            <span className="sr-only">{t("emsReview.open")}</span>
          </th>
          <th className={th}>{t("emsReview.col.start")}</th>
          <th className={th}>{t("emsReview.col.viewer")}</th>
          <th className={th}>{t("emsReview.col.patient")}</th>
          <th className={th}>{t("emsReview.col.disclosing")}</th>
          <th className={th}>{t("emsReview.col.ground")}</th>
          <th className={`${th} text-right`}>{t("emsReview.col.reads")}</th>
          <th className={th}>{t("emsReview.col.due")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} className={`border-b border-slate-200 align-top ${r.isOverdue ? "bg-red-50/60" : ""}`} data-testid="review-row" data-grant={r.id} data-overdue={r.isOverdue || undefined}>
            <td className={`${td} py-0`}>
              <a href={reviewHref(r.id)} className="inline-flex min-h-11 items-center font-medium whitespace-nowrap text-teal-800 underline underline-offset-2">
                {reviewer && !r.reviewedAt ? t("emsReview.open") : t("emsReview.view")}
              </a>
            </td>
            <td className={`${td} whitespace-nowrap`}>
              {time(r.startsAt)}
              <span className="block text-xs text-slate-500">{t("emsReview.until", { at: time(r.endsAt) })}</span>
              <span className={`mt-1 inline-block rounded px-1.5 py-0.5 text-xs ${statePill[r.state]}`}>{t(`emsReview.grantState.${r.state}`)}</span>
            </td>
            <td className={td}>
              <PersonCell person={r.viewer} />
              <span className="block text-xs text-slate-600">{r.viewerFacility.name}</span>
            </td>
            <td className={`${td} min-w-32`}>
              <span className="block">{r.patient.name}</span>
              <span className="block font-mono text-xs text-slate-500">{r.patient.regionalId}</span>
            </td>
            <td className={`${td} min-w-32`}>{r.disclosingFacility?.name ?? t("emsReview.allDisclosing")}</td>
            <td className={`${td} min-w-36`}>
              <EmergencyBadge grant={{ grantId: r.id, basis: r.basis, disasterName: r.disasterName }} t={t} />
              <span className="mt-1 block text-xs text-slate-600">{t(`emsReview.reason.${r.reason}`)}</span>
            </td>
            <td className={`${td} text-right`} data-testid="review-reads">
              {r.reads}
            </td>
            <td className={`${td} whitespace-nowrap`}>
              {r.reviewedAt ? (
                <>
                  <span className="block font-medium text-emerald-800">{t(`emsReview.outcome.${r.outcome}`)}</span>
                  <span className="block text-xs text-slate-500">{time(r.reviewedAt)}</span>
                </>
              ) : (
                <>
                  <span className={`block ${r.isOverdue ? "font-semibold text-red-700" : ""}`}>{time(r.reviewDueAt)}</span>
                  {r.isOverdue ? (
                    <span className="mt-1 inline-block rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold text-red-800" data-testid="overdue">
                      {t("emsReview.overdue")}
                    </span>
                  ) : (
                    <span className="block text-xs text-slate-500">{t("emsReview.notReviewed")}</span>
                  )}
                </>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
