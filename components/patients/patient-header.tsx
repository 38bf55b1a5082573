import { BookmarkButton } from "@/components/patients/bookmark-button";
import { ageText } from "@/components/patients/patient-name";
import type { TTranslate } from "@/lib/i18n";
import type { TPatientPage } from "@/lib/patients/dto";

/**
 * 患者情報 (seed 004): name in kanji and kana, regional ID, birth date in 和暦 (西暦) with age in years
 * and months, address, and the facilities attended with their patient IDs.
 */
export function PatientHeader({ page, t }: { page: TPatientPage; t: TTranslate }) {
  const h = page.header;
  return (
    <section className="rounded-lg bg-white p-5 shadow" data-testid="patient-header">
      <div className="flex flex-wrap items-start gap-4">
        <div>
          <p className="text-sm text-slate-500">{h.nameKana}</p>
          <h1 className="text-2xl font-bold">{h.nameKanji}</h1>
        </div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          <dt className="text-slate-500">{t("patient.regionalId")}</dt>
          <dd className="font-mono" data-testid="regional-id">
            {h.regionalId}
          </dd>
          <dt className="text-slate-500">{t("patient.birthDate")}</dt>
          <dd>
            {h.birth.wareki}（{h.birth.seireki}）　{ageText(h.birth, t, true)}
          </dd>
          <dt className="text-slate-500">{t("patient.sex")}</dt>
          <dd>{t(`enum.Sex.${h.sex}`)}</dd>
        </dl>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
          <dt className="text-slate-500">{t("patient.address")}</dt>
          <dd>
            {h.postalCode && `〒${h.postalCode} `}
            {h.address}
          </dd>
          {(h.phone || h.mobilePhone) && (
            <>
              <dt className="text-slate-500">{t("patient.phone")}</dt>
              <dd>{[h.phone, h.mobilePhone].filter(Boolean).join(" / ")}</dd>
            </>
          )}
        </dl>
        {page.canSeeRecords && !page.isEmergencyOnly && (
          <div className="ml-auto">
            <BookmarkButton patientId={h.id} isBookmarked={page.isBookmarked} />
          </div>
        )}
      </div>
      <h2 className="mt-4 mb-2 text-sm font-semibold text-slate-700">{t("patientPage.linkedFacilities")}</h2>
      <div className="overflow-x-auto">
        <table className="min-w-full text-sm" data-testid="linked-facilities">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2 whitespace-nowrap">{t("patientPage.facilityType")}</th>
              <th className="px-3 py-2 whitespace-nowrap">{t("patientPage.facilityName")}</th>
              <th className="px-3 py-2 whitespace-nowrap">{t("patient.facilityPatientId")}</th>
              <th className="px-3 py-2 whitespace-nowrap">{t("own.state")}</th>
              <th className="px-3 py-2 whitespace-nowrap">{t("patientPage.consentState")}</th>
            </tr>
          </thead>
          <tbody>
            {page.links.length === 0 && (
              <tr>
                <td colSpan={5} className="px-3 py-2 text-slate-500">
                  {t("links.none")}
                </td>
              </tr>
            )}
            {page.links.map((l) => (
              <tr key={l.id} className="border-b border-slate-200">
                <td className="px-3 py-2 whitespace-nowrap">{l.isDisclosingFacility ? t("patientPage.disclosing") : t("patientPage.viewing")}</td>
                <td className="px-3 py-2">{l.facilityName}</td>
                <td className="px-3 py-2 font-mono text-xs">{l.facilityPatientId}</td>
                <td className="px-3 py-2 whitespace-nowrap">{t(`enum.PublicationState.${l.publicationState}`)}</td>
                <td className="px-3 py-2 whitespace-nowrap">{l.isConsentInForce ? t("patientPage.consented") : t("patientPage.notConsented")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
