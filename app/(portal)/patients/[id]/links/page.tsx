import { notFound } from "next/navigation";
import { AddLinkForm } from "@/components/patients/add-link-form";
import { FetchLatestButton } from "@/components/patients/fetch-latest-button";
import { UnlinkForm } from "@/components/patients/unlink-form";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { listLinkableFacilities } from "@/lib/patients/queries";
import { loadPatient } from "../load-patient";

const th = "px-3 py-2 whitespace-nowrap";

/** 患者ID連携: register facility patient IDs (seed 000, both flows), unlink with a reason, and the history. */
export default async function PatientLinksPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { page } = await loadPatient(id);
  if (!page.canAdminister) notFound();
  const [t, locale, facilities] = await Promise.all([getT(), getLocale(), listLinkableFacilities()]);
  const linked = new Set(page.links.map((l) => l.facilityId));
  return (
    <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
      <div className="space-y-4">
        <section className="rounded-lg bg-white p-5 shadow">
          <h2 className="mb-3 text-lg font-semibold">{t("links.title")}</h2>
          {page.links.length === 0 ? (
            <p className="text-sm text-slate-500">{t("links.none")}</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm" data-testid="links-table">
                <thead className="bg-slate-100 text-left">
                  <tr>
                    <th className={th}>{t("patientPage.facilityName")}</th>
                    <th className={th}>{t("patient.facilityPatientId")}</th>
                    <th className={th}>{t("links.linkedAt")}</th>
                    <th className={th}>{t("links.linkedBy")}</th>
                    <th className={th}>{t("own.operation")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.links.map((l) => (
                    <tr key={l.id} className="border-b border-slate-200 align-top">
                      <td className="px-3 py-2">{l.facilityName}</td>
                      <td className="px-3 py-2 font-mono text-xs">{l.facilityPatientId}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(l.linkedAt, locale)}</td>
                      <td className="px-3 py-2">{l.linkedByName}</td>
                      <td className="px-3 py-2">
                        <div className="flex flex-wrap gap-2">
                          {l.canUnlink && <UnlinkForm linkId={l.id} />}
                          {l.hasDataSource ? (
                            <FetchLatestButton linkId={l.id} />
                          ) : (
                            <span className="inline-flex min-h-11 items-center text-xs text-slate-500">{t("links.noDataSource")}</span>
                          )}
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {page.pastLinks.length > 0 && (
          <section className="rounded-lg bg-white p-5 shadow">
            <h2 className="mb-3 text-lg font-semibold">{t("links.history")}</h2>
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm" data-testid="past-links-table">
                <thead className="bg-slate-100 text-left">
                  <tr>
                    <th className={th}>{t("patientPage.facilityName")}</th>
                    <th className={th}>{t("patient.facilityPatientId")}</th>
                    <th className={th}>{t("links.linkedAt")}</th>
                    <th className={th}>{t("links.unlinkedAt")}</th>
                    <th className={th}>{t("links.unlinkedBy")}</th>
                    <th className={th}>{t("links.unlinkReason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.pastLinks.map((l) => (
                    <tr key={l.id} className="border-b border-slate-200 align-top text-slate-600">
                      <td className="px-3 py-2">{l.facilityName}</td>
                      <td className="px-3 py-2 font-mono text-xs">{l.facilityPatientId}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(l.linkedAt, locale)}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{l.unlinkedAt && formatDateTime(l.unlinkedAt, locale)}</td>
                      <td className="px-3 py-2">{l.unlinkedByName}</td>
                      <td className="px-3 py-2">{l.unlinkReason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </div>
      <aside className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("links.add")}</h2>
        <AddLinkForm patientId={id} facilities={facilities.filter((f) => !linked.has(f.id)).map(({ id: fid, nameKanji }) => ({ id: fid, nameKanji }))} />
      </aside>
    </div>
  );
}
