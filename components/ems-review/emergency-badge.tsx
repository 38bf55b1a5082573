import type { TEmergencyRef } from "@/lib/audit/reports/queries";
import type { TTranslate } from "@/lib/i18n";

/** The review page of one emergency grant. */
export const reviewHref = (grantId: string) => `/admin/emergency/${grantId}`;

const pill = "inline-flex items-center rounded bg-red-100 px-1.5 py-0.5 text-xs font-semibold whitespace-nowrap text-red-800";

/**
 * An emergency read's mark: the ground of its grant (EMS, 中核病院, 災害 with the declaration), and
 * where the viewer may review it, a link to the grant's review. A row marked emergency without a
 * grant (an EMS lookup) gets the general mark.
 */
export function EmergencyBadge({ grant, t, linked = false }: { grant: TEmergencyRef | null; t: TTranslate; linked?: boolean }) {
  if (!grant) return <span className={pill}>{t("auditReports.rows.emergency")}</span>;
  const label = t(`emsReview.basis.${grant.basis}`);
  const text = grant.disasterName ? `${label}: ${grant.disasterName}` : label;
  return (
    <span className="inline-flex items-center gap-x-2 whitespace-nowrap" data-testid="emergency-badge" data-basis={grant.basis} data-grant={grant.grantId}>
      <span className={pill} title={t("emsReview.badge.title", { basis: text })}>
        {text}
      </span>
      {linked && (
        <a href={reviewHref(grant.grantId)} className="inline-flex min-h-11 items-center text-xs text-teal-800 underline underline-offset-2" data-testid="emergency-review-link">
          {t("emsReview.badge.review")}
        </a>
      )}
    </span>
  );
}
