import { Alert } from "@/components/ui/form";
import type { TTranslate } from "@/lib/i18n";

/** Why emergency access was refused (`ems.refused.<reason>`), and that the attempt was logged. */
export function EmsRefusal({ message, isLogged, t }: { message: string; isLogged: boolean; t: TTranslate }) {
  return (
    <div data-testid="ems-refusal">
      <Alert kind="error">
        <p className="font-semibold">{t("ems.refused.title")}</p>
        <p className="mt-1">{t(message)}</p>
        {isLogged && <p className="mt-1 text-xs">{t("ems.refused.logged")}</p>}
      </Alert>
    </div>
  );
}

/** Where the user is in the EMS steps: 施設とID → 本人確認と理由 → 閲覧. */
export function EmsSteps({ current, t }: { current: 1 | 2 | 3; t: TTranslate }) {
  const steps = ["ems.step.entry", "ems.step.confirm", "ems.step.records"] as const;
  return (
    <ol className="flex flex-wrap gap-2 text-sm" aria-label={t("ems.title")}>
      {steps.map((key, i) => (
        <li
          key={key}
          aria-current={i + 1 === current ? "step" : undefined}
          className={`rounded-full px-3 py-1 ${i + 1 === current ? "bg-red-700 font-semibold text-white" : i + 1 < current ? "bg-red-100 text-red-900" : "bg-slate-200 text-slate-600"}`}
        >
          {t(key)}
        </li>
      ))}
    </ol>
  );
}
