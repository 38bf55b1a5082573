import Link from "next/link";
import { Alert } from "@/components/ui/form";
import { listPatientContents } from "@/lib/clinical/queries";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { loadPatient } from "./load-patient";

const th = "px-3 py-2 whitespace-nowrap";

/** The patient's overview: the records the viewer may see, newest first (the calendar view comes on top of this). */
export default async function PatientOverviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [{ viewer, page }, t, locale] = await Promise.all([loadPatient(id), getT(), getLocale()]);
  const contents = page.canSeeRecords ? await listPatientContents(viewer, id) : [];
  return (
    <section className="rounded-lg bg-white p-5 shadow">
      {page.canSeeRecords ? (
        <div data-testid="records-access">
          <h2 className="mb-2 text-lg font-semibold">{t("patientPage.contents")}</h2>
          <p className="mb-3 text-xs text-slate-500">{t("patientPage.calendarLater")}</p>
          {contents.length === 0 ? (
            <p className="text-sm text-slate-500">{t("patientPage.noContents")}</p>
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm" data-testid="contents">
                <thead className="bg-slate-100 text-left">
                  <tr>
                    <th className={th}>{t("patientPage.contentDate")}</th>
                    <th className={th}>{t("patientPage.contentCategory")}</th>
                    <th className={th}>{t("patientPage.contentTitle")}</th>
                    <th className={th}>{t("patientPage.contentFacility")}</th>
                  </tr>
                </thead>
                <tbody>
                  {contents.map((c) => (
                    <tr key={c.id} className="border-b border-slate-200 align-top">
                      <td className="px-3 py-2 whitespace-nowrap">{formatDateTime(c.occurredAt, locale)}</td>
                      <td className="px-3 py-2 whitespace-nowrap">{t(`enum.ContentCategory.${c.category}`)}</td>
                      <td className="px-3 py-2">
                        {c.title}
                        {c.files.length > 0 && (
                          <span className="mt-1 flex flex-wrap gap-2">
                            {c.files.map((f) => (
                              <a key={f.id} href={`/api/contents/${c.id}/files/${f.id}`} target="_blank" rel="noreferrer" className="inline-block text-teal-800 underline">
                                {f.contentType.startsWith("image/") ? (
                                  // Served through the visibility rule, never cached or resized by an optimizer.
                                  // eslint-disable-next-line @next/next/no-img-element
                                  <img src={`/api/contents/${c.id}/files/${f.id}`} alt={f.fileName} className="h-20 w-20 rounded border border-slate-300 object-cover" loading="lazy" />
                                ) : (
                                  f.fileName
                                )}
                              </a>
                            ))}
                          </span>
                        )}
                      </td>
                      <td className="px-3 py-2">{c.ownerFacilityName}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ) : (
        <Alert kind="warning">{t("patientPage.noRecordsAccess")}</Alert>
      )}
      <div className="mt-4 flex flex-wrap gap-3">
        <Link href={`/patients/${id}/consent`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
          {t("patientPage.consent")}
        </Link>
        {page.canAdminister && (
          <Link href={`/patients/${id}/links`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
            {t("patientPage.links")}
          </Link>
        )}
      </div>
    </section>
  );
}
