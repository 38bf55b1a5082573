import Link from "next/link";
import { redirect } from "next/navigation";
import { ageText, BirthCell, PatientName } from "@/components/patients/patient-name";
import { AddLinkForm } from "@/components/patients/add-link-form";
import { PatientSearchForm } from "@/components/patients/patient-search-form";
import { Pager, pageHref } from "@/components/ui/pager";
import { mayReadRecords, mayRegisterPatients } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { emsEntryHref, emsEntryOf } from "@/lib/ems/entry";
import { getT } from "@/lib/i18n/server";
import { listLinkableFacilities, searchForRegistration, searchPatients } from "@/lib/patients/queries";
import { ZPatientSearch, type TPatientSearch } from "@/lib/patients/schema";

type TParams = { regionalId?: string; facilityId?: string; facilityPatientId?: string; name?: string; birthDate?: string; sex?: string; mode?: string; page?: string };

const th = "px-3 py-2 whitespace-nowrap";

/** 地域患者一覧 (seed 004), and for liaison staff and the secretariat 個人情報検索 (seed 000). */
export default async function PatientsPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const params = await searchParams;
  // `<施設患者ID>#EMS` asks for emergency access, not a search: the EMS entry, with the ID filled in
  // (it tells a user without the privilege why not, and logs the refusal)
  const ems = emsEntryOf(params);
  if (ems) redirect(emsEntryHref(ems));
  const t = await getT();
  const canRegister = mayRegisterPatients(viewer.roles);
  const canRead = mayReadRecords(viewer.roles);
  const isRegistration = canRegister && (params.mode === "registration" || !canRead);
  const parsed = ZPatientSearch.safeParse({ ...params, mode: isRegistration ? "registration" : undefined });
  const filter: Partial<TPatientSearch> = parsed.success ? parsed.data : { page: 1 };
  const hasCriteria = parsed.success && !!(filter.regionalId || filter.facilityPatientId || filter.name || filter.birthDate || filter.sex);
  const facilities = await listLinkableFacilities();
  const ownFacility = facilities.find((f) => f.id === viewer.facilityId);
  const formValues = { ...params, mode: isRegistration ? "registration" : undefined };
  const hrefFor = (page: number) => pageHref("/patients", formValues, page);

  // Registration search lists nobody until asked: it spans every registered patient.
  const [visible, registration] = await Promise.all([
    !isRegistration && parsed.success ? searchPatients(viewer, filter) : null,
    isRegistration && hasCriteria ? searchForRegistration(viewer, filter) : null,
  ]);
  const result = visible ?? registration;
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="text-2xl font-bold">{isRegistration ? t("patients.registrationTitle") : t("patients.title")}</h1>
        {canRegister && (
          <Link href="/patients/new" className="ml-auto inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-medium text-white hover:bg-teal-800">
            {t("patients.register")}
          </Link>
        )}
      </div>
      {canRegister && canRead && (
        <nav className="flex gap-2 border-b border-slate-300" aria-label={t("patients.title")}>
          {[
            { href: "/patients", key: "patients.tab.visible", active: !isRegistration },
            { href: "/patients?mode=registration", key: "patients.tab.registration", active: isRegistration },
          ].map((tab) => (
            <a
              key={tab.href}
              href={tab.href}
              aria-current={tab.active ? "page" : undefined}
              className={`-mb-px inline-flex min-h-11 items-center rounded-t border px-4 text-sm ${tab.active ? "border-slate-300 border-b-white bg-white font-semibold" : "border-transparent text-teal-800"}`}
            >
              {t(tab.key)}
            </a>
          ))}
        </nav>
      )}
      <p className="text-sm text-slate-600">{isRegistration ? t("patients.registrationLead") : t("patients.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <PatientSearchForm values={formValues} facilities={facilities} ownFacilityId={viewer.facilityId} t={t} />
      </section>
      <section className="rounded-lg bg-white p-5 shadow" aria-live="polite">
        {!parsed.success && (
          <ul className="mb-3 text-sm text-red-700" role="alert">
            {parsed.error.issues.map((i) => (
              <li key={i.path.join(".")}>
                {t(`patient.${String(i.path[0])}`)}: {t(i.message)}
              </li>
            ))}
          </ul>
        )}
        {!result ? (
          <p className="text-sm text-slate-500">{t("patients.noCriteria")}</p>
        ) : (
          <>
            <p className="mb-2 text-sm text-slate-600" data-testid="patient-count">
              {result.isTotalCapped ? t("patients.resultsCapped", { count: result.total }) : t("common.results", { count: result.total })}
            </p>
            {result.rows.length === 0 ? (
              <p className="text-sm text-slate-500">{t("common.noResults")}</p>
            ) : visible ? (
              <div className="overflow-x-auto">
                <table className="min-w-full text-sm">
                  <thead className="bg-slate-100 text-left">
                    <tr>
                      <th className={th}>{t("patient.facilityPatientId")}</th>
                      <th className={th}>{t("patient.name")}</th>
                      <th className={th}>{t("patient.address")}</th>
                      <th className={th}>{t("patient.birthDate")}</th>
                      <th className={th}>{t("patient.age")}</th>
                      <th className={th}>{t("patient.sex")}</th>
                      <th className={th}>{t("patient.regionalId")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {visible.rows.map((r) => (
                      <tr key={r.id} className="border-b border-slate-200 align-top" data-testid={`patient-row-${r.regionalId}`}>
                        <td className="px-3 py-2 font-mono text-xs">{r.facilityPatientId}</td>
                        <td className="px-3 py-2">
                          <PatientName nameKanji={r.nameKanji} nameKana={r.nameKana} href={`/patients/${r.id}`} />
                        </td>
                        <td className="px-3 py-2">
                          {r.postalCode && <span className="block text-xs text-slate-500">〒{r.postalCode}</span>}
                          {r.address}
                        </td>
                        <td className="px-3 py-2">
                          <BirthCell birth={r.birth} />
                        </td>
                        <td className="px-3 py-2 whitespace-nowrap">{ageText(r.birth, t)}</td>
                        <td className="px-3 py-2 whitespace-nowrap">{t(`enum.Sex.${r.sex}`)}</td>
                        <td className="px-3 py-2 font-mono text-xs">{r.regionalId}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <ul className="divide-y divide-slate-200">
                {registration!.rows.map((r) => (
                  <li key={r.id} className="flex flex-wrap items-start gap-4 py-3" data-testid={`registration-row-${r.regionalId}`}>
                    <div className="min-w-48">
                      <PatientName nameKanji={r.nameKanji} nameKana={r.nameKana} href={r.canAdminister ? `/patients/${r.id}` : undefined} />
                    </div>
                    <div className="text-sm">
                      <BirthCell birth={r.birth} />
                    </div>
                    <div className="text-sm">
                      {t(`enum.Sex.${r.sex}`)} / {ageText(r.birth, t)}
                    </div>
                    <div className="font-mono text-xs">
                      {t("patient.regionalId")} {r.regionalId}
                    </div>
                    <div className="ml-auto text-sm">
                      {r.ownFacilityPatientId ? (
                        <span className="rounded bg-teal-50 px-2 py-1 text-teal-900">{t("patients.linkedHere", { id: r.ownFacilityPatientId })}</span>
                      ) : ownFacility ? (
                        <details>
                          <summary className="inline-flex min-h-11 cursor-pointer items-center rounded border border-teal-700 px-3 text-teal-800">{t("patients.addOwnId")}</summary>
                          <div className="mt-2 w-72 max-w-full">
                            <AddLinkForm patientId={r.id} fixedFacility={ownFacility} afterHref={`/patients/${r.id}`} compact />
                          </div>
                        </details>
                      ) : (
                        r.canAdminister && (
                          <Link href={`/patients/${r.id}`} className="inline-flex min-h-11 items-center rounded border border-slate-300 px-3">
                            {t("patients.open")}
                          </Link>
                        )
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            )}
            <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={hrefFor} t={t} />
          </>
        )}
      </section>
    </div>
  );
}
