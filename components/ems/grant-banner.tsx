import { EndGrantButton } from "@/components/ems/end-grant-button";
import { GroundBadge } from "@/components/ems/ground-badge";
import type { TActiveGrant } from "@/lib/ems/queries";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

/** A care date (yyyy-mm-dd) as the screens write dates. */
const dayText = (ymd: string, locale: TLocale) => formatDateTime(new Date(`${ymd}T00:00:00+09:00`), locale, false);

/**
 * While an emergency grant is in force, every page of the patient says so, above all else: the
 * ground, the reason, until when, and the window the records are limited to; with "end now".
 */
export function GrantBanner({ grant: g, t, locale }: { grant: TActiveGrant; t: TTranslate; locale: TLocale }) {
  return (
    <section className="rounded-lg border-2 border-red-600 bg-red-50 p-4 text-red-950 shadow" role="status" aria-labelledby="ems-banner-title" data-testid="ems-banner">
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1 space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <h2 id="ems-banner-title" className="text-lg font-bold">
              {t("ems.banner.title")}
            </h2>
            <GroundBadge basis={g.basis} disasterName={g.disasterName} t={t} />
          </div>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            {g.disclosingFacilityName && (
              <>
                <dt className="font-semibold">{t("ems.banner.facility")}</dt>
                <dd>
                  {g.disclosingFacilityName}
                  {g.facilityPatientId && <span className="ml-2 font-mono text-xs">{g.facilityPatientId}</span>}
                </dd>
              </>
            )}
            <dt className="font-semibold">{t("ems.banner.reason")}</dt>
            <dd data-testid="ems-banner-reason">
              {t(`ems.reason.${g.reason}`)}：{g.reasonText}
            </dd>
            <dt className="font-semibold">{t("ems.banner.consent")}</dt>
            <dd>
              {t(`ems.consent.${g.consent}`)}
              {g.consentConfirmedBy && `（${g.consentConfirmedBy}）`}
            </dd>
            <dt className="font-semibold">{t("ems.banner.until")}</dt>
            <dd className="font-semibold" data-testid="ems-banner-until">
              {formatDateTime(g.endsAt, locale)}
            </dd>
          </dl>
          <p className="text-sm" data-testid="ems-banner-window">
            {t("ems.banner.window", { date: dayText(g.windowFrom, locale) })}
          </p>
        </div>
        <EndGrantButton grantId={g.id} />
      </div>
    </section>
  );
}
