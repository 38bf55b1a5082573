import type { TEmergencyCandidate } from "@/lib/access/emergency";
import { ageText } from "@/components/patients/patient-name";
import type { TTranslate } from "@/lib/i18n";
import { birthOf } from "@/lib/patients/dto";
import { GroundBadge, groundText } from "@/components/ems/ground-badge";

/**
 * The identity check (seed 000): the patient as the disclosing facility registered them (name,
 * kana, sex, birth date) and the ground the grant would be opened on. Nothing of the records.
 */
export function IdentityCard({ candidate: c, t }: { candidate: TEmergencyCandidate; t: TTranslate }) {
  const birth = birthOf(new Date(`${c.birthDate}T00:00:00Z`));
  const row = "grid grid-cols-[8rem_1fr] gap-x-3 border-b border-slate-200 py-2 last:border-b-0 sm:grid-cols-[10rem_1fr]";
  return (
    <section className="rounded-lg border-2 border-amber-400 bg-white p-5 shadow" data-testid="ems-identity" aria-labelledby="ems-identity-title">
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <h2 id="ems-identity-title" className="text-lg font-bold">
          {t("ems.confirm.title")}
        </h2>
        <GroundBadge basis={c.basis} disasterName={c.disaster?.name ?? null} t={t} />
      </div>
      <p className="mb-4 text-sm text-slate-700">{t("ems.confirm.lead")}</p>
      <dl className="text-base">
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.name")}</dt>
          <dd className="text-2xl font-bold" data-testid="ems-identity-name">
            {c.nameKanji}
          </dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.kana")}</dt>
          <dd data-testid="ems-identity-kana">{c.nameKana}</dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.sex")}</dt>
          <dd data-testid="ems-identity-sex">{t(`enum.Sex.${c.sex}`)}</dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.birthDate")}</dt>
          <dd data-testid="ems-identity-birth">
            {birth.wareki}（{birth.seireki}）　{ageText(birth, t)}
          </dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.facility")}</dt>
          <dd>
            {c.facility.name} <span className="font-mono text-xs text-slate-500">{c.facility.code}</span>
          </dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.facilityPatientId")}</dt>
          <dd className="font-mono">{c.facilityPatientId}</dd>
        </div>
        <div className={row}>
          <dt className="text-sm text-slate-500">{t("ems.confirm.ground")}</dt>
          <dd data-testid="ems-identity-ground">{groundText(c.basis, c.disaster?.name ?? null, t)}</dd>
        </div>
      </dl>
      {c.withdrawn && <p className="mt-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">{t("ems.confirm.withdrawnOverride")}</p>}
    </section>
  );
}
