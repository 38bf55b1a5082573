import type { EmergencyBasis } from "@/lib/enums";
import type { TTranslate } from "@/lib/i18n";

const STYLE: Record<EmergencyBasis, string> = {
  EMS: "bg-red-700 text-white",
  CORE_HOSPITAL: "bg-indigo-700 text-white",
  DISASTER: "bg-orange-600 text-white",
};

/** The ground in words: EMS, 中核病院, or 災害：<the declaration>. */
export const groundText = (basis: EmergencyBasis, disasterName: string | null, t: TTranslate): string =>
  basis === "DISASTER" ? t("ems.basis.DISASTER", { name: disasterName ?? "" }) : t(`ems.basis.${basis}`);

/** The ground of an emergency grant as a badge: EMS, 中核病院, 災害. */
export function GroundBadge({ basis, disasterName, t }: { basis: EmergencyBasis; disasterName: string | null; t: TTranslate }) {
  return (
    <span className={`inline-flex items-center rounded px-2 py-1 text-sm font-bold ${STYLE[basis]}`} data-testid="ems-ground">
      {groundText(basis, disasterName, t)}
    </span>
  );
}
