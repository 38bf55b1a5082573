import { SEXES } from "@/lib/enums";
import type { TTranslate } from "@/lib/i18n";

const fieldClass = "min-h-11 w-full rounded border border-slate-300 bg-white px-2 py-2";

export type TSearchFormValues = { regionalId?: string; facilityId?: string; facilityPatientId?: string; name?: string; birthDate?: string; sex?: string; mode?: string };

/** The search fields of seed 004's 地域患者一覧 (施設患者ID, 地域患者ID, 氏名, 生年月日) plus 性別. GET, so results can be bookmarked and paged. */
export function PatientSearchForm({
  values,
  facilities,
  ownFacilityId,
  t,
  action = "/patients",
}: {
  values: TSearchFormValues;
  facilities: { id: string; nameKanji: string }[];
  ownFacilityId: string;
  t: TTranslate;
  action?: string;
}) {
  return (
    <form method="get" action={action} role="search" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="patient-search-form">
      {values.mode && <input type="hidden" name="mode" value={values.mode} />}
      <label className="text-sm">
        <span className="mb-1 block">{t("patients.facility")}</span>
        <select name="facilityId" defaultValue={values.facilityId ?? ""} className={fieldClass}>
          <option value="">{t("patients.ownFacility")}</option>
          {facilities
            .filter((f) => f.id !== ownFacilityId)
            .map((f) => (
              <option key={f.id} value={f.id}>
                {f.nameKanji}
              </option>
            ))}
        </select>
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("patient.facilityPatientId")}</span>
        <input name="facilityPatientId" defaultValue={values.facilityPatientId ?? ""} className={fieldClass} inputMode="text" autoComplete="off" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("patient.regionalId")}</span>
        <input name="regionalId" defaultValue={values.regionalId ?? ""} className={fieldClass} inputMode="numeric" autoComplete="off" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("patients.nameSearch")}</span>
        <input name="name" type="search" defaultValue={values.name ?? ""} className={fieldClass} autoComplete="off" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("patient.birthDate")}</span>
        <input name="birthDate" defaultValue={values.birthDate ?? ""} placeholder="S41/06/06" className={fieldClass} autoComplete="off" />
      </label>
      <label className="text-sm">
        <span className="mb-1 block">{t("patient.sex")}</span>
        <select name="sex" defaultValue={values.sex ?? ""} className={fieldClass}>
          <option value="">{t("common.all")}</option>
          {SEXES.map((s) => (
            <option key={s} value={s}>
              {t(`enum.Sex.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <div className="flex items-end">
        <button className="min-h-11 w-full rounded bg-teal-700 px-6 font-medium text-white hover:bg-teal-800">{t("patients.search")}</button>
      </div>
    </form>
  );
}
