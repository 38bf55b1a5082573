import { ConsentForm } from "@/components/consent/consent-form";
import { getConsentHistory } from "@/lib/consent/queries";
import { formatSeireki, parseDateInput, todayInJapan } from "@/lib/dates";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { listLinkableFacilities } from "@/lib/patients/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../load-patient";

/** A date typed in the "show at" box means the end of that day in Japan (what was in force that day). */
function instantOf(at: string | undefined): Date | null {
  if (!at) return null;
  const d = parseDateInput(at);
  return d ? new Date(d.getTime() + 15 * 3600_000 - 1) : null;
}

/** 同意履歴: the consent in force (now or at a chosen day), every event, and the forms to add one. */
export default async function ConsentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ at?: string }> }) {
  const { id } = await params;
  const { at } = await searchParams;
  const { viewer, page } = await loadPatient(id);
  const atInstant = instantOf(at);
  const [t, locale, history, facilities] = await Promise.all([
    getT(),
    getLocale(),
    orNotFound(getConsentHistory(viewer, id, atInstant ?? new Date())),
    listLinkableFacilities(),
  ]);
  const s = history.summary;
  const names = (xs: { name: string }[]) => xs.map((x) => x.name).join("、");
  const today = formatSeireki(todayInJapan());
  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_24rem]">
      <div className="space-y-4">
        <section className="rounded-lg bg-white p-5 shadow" data-testid="consent-summary">
          <div className="mb-3 flex flex-wrap items-end gap-3">
            <h2 className="text-lg font-semibold">{atInstant ? t("consent.inForceAt", { at: at ?? "" }) : t("consent.inForceNow")}</h2>
            <form method="get" className="ml-auto flex items-end gap-2">
              <label className="text-sm">
                <span className="mb-1 block">{t("consent.showAt")}</span>
                <input name="at" defaultValue={at ?? ""} placeholder={today} className="min-h-11 w-36 rounded border border-slate-300 px-2" />
              </label>
              <button className="min-h-11 rounded border border-slate-300 bg-white px-3">{t("common.search")}</button>
            </form>
          </div>
          {at && !atInstant && <p className="mb-2 text-sm text-red-700" role="alert">{t("v.date.format")}</p>}
          <p className="font-medium" data-testid="consent-state">
            {s.isComprehensive ? t("consent.comprehensiveInForce") : s.included.length > 0 ? t("consent.facilitiesInForce", { names: names(s.included) }) : t("consent.noneInForce")}
          </p>
          {s.isComprehensive && s.excluded.length > 0 && <p className="text-sm">{t("consent.excluding", { names: names(s.excluded) })}</p>}
          <p className={`mt-1 text-sm ${s.coversViewer ? "text-teal-800" : "text-amber-800"}`}>{s.coversViewer ? t("consent.coversYou") : t("consent.notCoversYou")}</p>
        </section>
        <section className="rounded-lg bg-white p-5 shadow">
          <h2 className="mb-3 text-lg font-semibold">{t("consent.events")}</h2>
          {history.events.length === 0 ? (
            <p className="text-sm text-slate-500">{t("consent.noEvents")}</p>
          ) : (
            <ol className="space-y-3" data-testid="consent-events">
              {history.events.map((e) => (
                <li key={e.id} className={`rounded border p-3 text-sm ${e.action === "WITHDRAW" ? "border-red-200 bg-red-50" : "border-teal-200 bg-teal-50"}`}>
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-semibold">{t(`enum.ConsentAction.${e.action}`)}</span>
                    <span>
                      {t(e.action === "WITHDRAW" ? `enum.ConsentScope.WITHDRAW_${e.scope}` : `enum.ConsentScope.${e.scope}`)}
                      {e.facilities.length > 0 && `: ${names(e.facilities)}`}
                    </span>
                    <span className="ml-auto">{formatSeireki(e.consentDate)}</span>
                  </div>
                  {e.isPending && <p className="text-amber-800">{t("consent.pending", { date: formatDateTime(e.effectiveAt, locale) })}</p>}
                  <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-700">
                    <dt>{t("consent.method")}</dt>
                    <dd>{t(`enum.ConsentMethod.${e.method}`)}</dd>
                    <dt>{t("consent.signer")}</dt>
                    <dd>
                      {t(`enum.ConsentSigner.${e.signer}`)}
                      {e.signer === "PROXY" && `（${e.signerName ?? ""}・${e.proxyRelationship ?? ""}）`}
                    </dd>
                    {(e.responsibleName || e.explainedByName) && (
                      <>
                        <dt>{t("consent.explainedByName")}</dt>
                        <dd>{[e.responsibleName, e.explainedByName].filter(Boolean).join(" / ")}</dd>
                      </>
                    )}
                    {e.reason && (
                      <>
                        <dt>{t("consent.reason")}</dt>
                        <dd>{e.reason}</dd>
                      </>
                    )}
                    {e.note && (
                      <>
                        <dt>{t("consent.note")}</dt>
                        <dd>{e.note}</dd>
                      </>
                    )}
                    <dt>{t("consent.effectiveAt")}</dt>
                    <dd>{formatDateTime(e.effectiveAt, locale)}</dd>
                    <dt>{t("consent.recordedBy")}</dt>
                    <dd>
                      {e.recordedByFacilityName} {e.recordedByName}（{formatDateTime(e.recordedAt, locale)}）
                    </dd>
                  </dl>
                  {e.scan && (
                    <a href={`/api/consents/${e.id}/scan`} target="_blank" rel="noreferrer" className="mt-2 inline-flex min-h-11 items-center text-teal-800 underline">
                      {t("consent.scanView")}（{e.scan.fileName}）
                    </a>
                  )}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>
      {page.canAdminister && (
        <aside className="space-y-4">
          <details className="rounded-lg bg-white p-5 shadow" open={history.events.length === 0}>
            <summary className="min-h-11 cursor-pointer text-lg font-semibold">{t("consent.record")}</summary>
            <div className="mt-3">
              <ConsentForm patientId={id} action="GRANT" facilities={facilities} today={today} />
            </div>
          </details>
          <details className="rounded-lg bg-white p-5 shadow">
            <summary className="min-h-11 cursor-pointer text-lg font-semibold">{t("consent.withdraw")}</summary>
            <div className="mt-3">
              <ConsentForm patientId={id} action="WITHDRAW" facilities={facilities} today={today} />
            </div>
          </details>
        </aside>
      )}
    </div>
  );
}
