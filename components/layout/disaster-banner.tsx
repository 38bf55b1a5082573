import type { TActiveDisaster } from "@/lib/ems/disasters/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

/**
 * The declarations in force, on every page for every signed-in user (seed 000: the Noto rule was
 * announced to every facility): the name, the area, until when, and the rule in one line. It
 * scrolls away with the page, so on a tablet the fixed header alone stays on screen.
 */
export async function DisasterBanner({ disasters }: { disasters: TActiveDisaster[] }) {
  if (disasters.length === 0) return null;
  const [t, locale] = await Promise.all([getT(), getLocale()]);
  const separator = locale === "ja" ? "、" : ", ";
  // Japanese sentences follow one another after 。; English ones after a space
  const sentenceGap = locale === "ja" ? "" : " ";
  return (
    <div role="region" aria-label={t("disaster.banner.label")} className="border-b border-red-300 bg-red-50 text-red-950" data-testid="disaster-banner">
      <ul className="mx-auto max-w-6xl divide-y divide-red-200 px-4">
        {disasters.map((d) => (
          <li key={d.id} className="py-2 text-sm" data-testid="disaster-banner-item">
            <p className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
              <span className="rounded bg-red-700 px-2 py-0.5 text-xs font-bold text-white">{t("disaster.banner.label")}</span>
              <strong className="font-semibold">{t("disaster.banner.name", { name: d.name })}</strong>
              <span>{t("disaster.banner.areas", { areas: d.areas.join(separator) })}</span>
              <span className="whitespace-nowrap">{t("disaster.banner.until", { until: formatDateTime(d.until, locale) })}</span>
            </p>
            <p className="mt-1 text-xs text-red-900">
              {[
                "disaster.banner.rule",
                d.consentAfterFact && "disaster.banner.consentAfterFact",
                d.skipNotice && "disaster.banner.skipNotice",
                !d.allFacilities && "disaster.banner.chosenFacilities",
                !d.coversViewer && "disaster.banner.notCovered",
              ]
                .filter((k): k is string => !!k)
                .map((k) => t(k))
                .join(sentenceGap)}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
