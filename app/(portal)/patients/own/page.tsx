import { ageText, BirthCell, PatientName } from "@/components/patients/patient-name";
import { PublicationForm } from "@/components/patients/publication-form";
import { Pager, pageHref } from "@/components/ui/pager";
import { canPublish, isSecretariat } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { PUBLICATION_STATES } from "@/lib/enums";
import { getT } from "@/lib/i18n/server";
import { listLinkableFacilities, listOwnFacilityPatients } from "@/lib/patients/queries";
import { ZOwnPatientFilter, type TOwnPatientFilter } from "@/lib/patients/schema";
import { orNotFound } from "@/lib/server/or-not-found";

type TParams = { facilityId?: string; facilityPatientId?: string; name?: string; publicationState?: string; consent?: string; page?: string };

const th = "px-3 py-2 whitespace-nowrap";
const fieldClass = "min-h-11 w-full rounded border border-slate-300 bg-white px-2 py-2";

/** 自施設患者一覧 (seed 004): own patients with 公開状態 and 公開範囲; the secretariat picks a facility. */
export default async function OwnPatientsPage({ searchParams }: { searchParams: Promise<TParams> }) {
  const viewer = await requireViewer();
  const params = await searchParams;
  const parsed = ZOwnPatientFilter.safeParse(params);
  const filter: Partial<TOwnPatientFilter> = parsed.success ? parsed.data : { page: 1 };
  const [t, result, facilities] = await Promise.all([getT(), orNotFound(listOwnFacilityPatients(viewer, filter)), isSecretariat(viewer) ? listLinkableFacilities() : Promise.resolve([])]);
  const mayPublish = canPublish(viewer, result.facilityId);
  const hrefFor = (page: number) => pageHref("/patients/own", { ...params, page: undefined }, page);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("own.title")}</h1>
      <p className="text-sm text-slate-600">{t("own.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <form method="get" role="search" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-6">
          {isSecretariat(viewer) && (
            <label className="text-sm lg:col-span-2">
              <span className="mb-1 block">{t("own.facility")}</span>
              <select name="facilityId" defaultValue={params.facilityId ?? ""} className={fieldClass}>
                <option value="">―</option>
                {facilities.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.nameKanji}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label className="text-sm">
            <span className="mb-1 block">{t("patient.facilityPatientId")}</span>
            <input name="facilityPatientId" defaultValue={params.facilityPatientId ?? ""} className={fieldClass} />
          </label>
          <label className="text-sm">
            <span className="mb-1 block">{t("patient.name")}</span>
            <input name="name" type="search" defaultValue={params.name ?? ""} className={fieldClass} />
          </label>
          <label className="text-sm">
            <span className="mb-1 block">{t("own.state")}</span>
            <select name="publicationState" defaultValue={params.publicationState ?? ""} className={fieldClass}>
              <option value="">{t("common.all")}</option>
              {PUBLICATION_STATES.map((s) => (
                <option key={s} value={s}>
                  {t(`enum.PublicationState.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            <span className="mb-1 block">{t("own.consent")}</span>
            <select name="consent" defaultValue={params.consent ?? ""} className={fieldClass}>
              <option value="">{t("own.consentAll")}</option>
              <option value="consented">{t("own.consentYes")}</option>
              <option value="none">{t("own.consentNo")}</option>
            </select>
          </label>
          <div className="flex items-end">
            <button className="min-h-11 w-full rounded bg-teal-700 px-6 font-medium text-white">{t("common.search")}</button>
          </div>
        </form>
      </section>
      <section className="rounded-lg bg-white p-5 shadow">
        <p className="mb-2 text-sm text-slate-600" data-testid="own-count">
          {result.isTotalCapped ? t("patients.resultsCapped", { count: result.total }) : t("common.results", { count: result.total })}
        </p>
        {result.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.noResults")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead className="bg-slate-100 text-left">
                <tr>
                  <th className={th}>{t("patient.facilityPatientId")}</th>
                  <th className={th}>{t("patient.name")}</th>
                  <th className={th}>{t("patient.birthDate")}</th>
                  <th className={th}>{t("patient.age")}</th>
                  <th className={th}>{t("patient.sex")}</th>
                  <th className={th}>{t("own.addressPhone")}</th>
                  <th className={th}>{t("patient.regionalId")}</th>
                  <th className={th}>{t("own.state")}</th>
                  <th className={th}>{t("own.scope")}</th>
                  {mayPublish && <th className={th}>{t("own.operation")}</th>}
                </tr>
              </thead>
              <tbody>
                {result.rows.map((r) => (
                  <tr key={r.linkId} className="border-b border-slate-200 align-top" data-testid={`own-row-${r.facilityPatientId}`}>
                    <td className="px-3 py-2 font-mono text-xs">{r.facilityPatientId}</td>
                    <td className="min-w-36 px-3 py-2">
                      <PatientName nameKanji={r.nameKanji} nameKana={r.nameKana} href={r.canOpen ? `/patients/${r.patientId}` : undefined} />
                    </td>
                    <td className="px-3 py-2">
                      <BirthCell birth={r.birth} />
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">{ageText(r.birth, t)}</td>
                    <td className="px-3 py-2 whitespace-nowrap">{t(`enum.Sex.${r.sex}`)}</td>
                    <td className="px-3 py-2">
                      {r.address}
                      {r.phone && <span className="block text-xs text-slate-500">{r.phone}</span>}
                    </td>
                    <td className="px-3 py-2 font-mono text-xs">{r.regionalId}</td>
                    <td className="px-3 py-2 whitespace-nowrap" data-testid={`own-state-${r.facilityPatientId}`}>
                      {r.isConsentInForce ? t(`enum.PublicationState.${r.publicationState}`) : t("own.consentNo")}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">
                      {r.isConsentInForce && r.publicationState === "PUBLISHED"
                        ? [r.shareBasic && t("own.scopeBasic"), r.shareClinical && t("own.scopeClinical")].filter(Boolean).join(" ")
                        : "-"}
                    </td>
                    {mayPublish && (
                      <td className="px-3 py-2">
                        <PublicationForm linkId={r.linkId} state={r.publicationState} shareBasic={r.shareBasic} shareClinical={r.shareClinical} />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={result.page} total={result.total} pageSize={result.pageSize} hrefFor={hrefFor} t={t} />
      </section>
    </div>
  );
}
