import type { TBirth } from "@/lib/patients/dto";
import type { TTranslate } from "@/lib/i18n";

/** カナ above 漢字, as seed 004 lists patients. */
export function PatientName({ nameKanji, nameKana, href }: { nameKanji: string; nameKana: string; href?: string }) {
  const inner = (
    <>
      <span className="block text-xs text-slate-500">{nameKana}</span>
      <span className="block font-medium">{nameKanji}</span>
    </>
  );
  return href ? (
    <a href={href} className="block text-teal-800 hover:underline">
      {inner}
    </a>
  ) : (
    <span className="block">{inner}</span>
  );
}

/** `S41/06/06` over `1966/06/06` (seed 004's 生年月日 column). */
export function BirthCell({ birth }: { birth: TBirth }) {
  return (
    <span className="whitespace-nowrap">
      <span className="block">{birth.wareki}</span>
      <span className="block text-xs text-slate-500">{birth.seireki}</span>
    </span>
  );
}

export const ageText = (birth: TBirth, t: TTranslate, withMonths = false) =>
  withMonths ? t("patient.ageFull", { years: birth.years, months: birth.months }) : t("patient.ageValue", { years: birth.years });
