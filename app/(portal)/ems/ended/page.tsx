import { notFound } from "next/navigation";
import { requireViewer } from "@/lib/auth/viewer";
import { findEndedGrant } from "@/lib/ems/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";

/**
 * Where a patient page sends its user once their emergency grant has ended (its time up, or ended
 * early) and nothing else lets them see the patient: it says so, and how to ask again.
 */
export default async function EmsEndedPage({ searchParams }: { searchParams: Promise<{ patient?: string | string[] }> }) {
  const viewer = await requireViewer();
  const sp = await searchParams;
  const patientId = Array.isArray(sp.patient) ? sp.patient[0] : sp.patient;
  const [t, locale, ended] = await Promise.all([getT(), getLocale(), patientId ? findEndedGrant(viewer, patientId) : null]);
  if (!ended) notFound();
  return (
    <section className="mx-auto max-w-2xl space-y-4 rounded-lg bg-white p-6 shadow" data-testid="ems-ended">
      <h1 className="text-xl font-bold">{t("ems.ended.title")}</h1>
      <p className="text-slate-800">
        {t("ems.ended.lead", { facility: ended.disclosingFacilityName ?? "", id: ended.facilityPatientId ?? "", at: formatDateTime(ended.endedAt, locale) })}
      </p>
      <p className="text-sm text-slate-600">{t("ems.ended.again")}</p>
      {/* a form, not a link: the identity check is a logged read, never prefetched */}
      <form method="get" action="/ems">
        {ended.disclosingFacilityId && ended.facilityPatientId && <input type="hidden" name="facility" value={ended.disclosingFacilityId} />}
        {ended.facilityPatientId && <input type="hidden" name="id" value={ended.facilityPatientId} />}
        <button className="inline-flex min-h-11 items-center rounded border border-red-700 px-4 text-red-800 hover:bg-red-50">{t("ems.ended.reapply")}</button>
      </form>
    </section>
  );
}
