"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, FormResultAlert } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { setSecondFactorPolicyAction } from "@/lib/auth/second-factor/actions";
import { SECOND_FACTOR_REQUIREMENTS } from "@/lib/auth/second-factor/policy";
import { formatDateTime } from "@/lib/i18n";

export type TPolicyRow = {
  subject: string;
  requirement: string;
  isDefault: boolean;
  updatedAt: Date | null;
  updatedByName: string | null;
  users: number;
  enrolled: number;
};

/** The network's two-factor policy: one line per role and one for EMS privilege, each off / optional / required. */
export function SecondFactorPolicyForm({ lines }: { lines: TPolicyRow[] }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const form = useActionForm(setSecondFactorPolicyAction, () => router.refresh());
  return (
    <form method="post" onSubmit={form.onSubmit} noValidate>
      <FormResultAlert result={form.result} />
      {form.result?.ok && <Alert kind="success">{t("sf.policy.saved", { count: form.result.data.changed })}</Alert>}
      <div className="space-y-4">
        {lines.map((line) => (
          <fieldset key={line.subject} className="rounded border border-slate-200 p-4" data-testid={`policy-${line.subject}`}>
            <legend className="px-1 font-semibold">{t(`enum.SecondFactorSubject.${line.subject}`)}</legend>
            <div className="flex flex-wrap gap-2" role="radiogroup">
              {SECOND_FACTOR_REQUIREMENTS.map((r) => (
                <label
                  key={r}
                  className="inline-flex min-h-11 cursor-pointer items-center gap-2 rounded border border-slate-300 px-4 has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50 has-[:checked]:font-semibold"
                >
                  <input type="radio" name={line.subject} value={r} defaultChecked={line.requirement === r} className="h-4 w-4 accent-teal-700" />
                  {t(`enum.SecondFactorRequirement.${r}`)}
                </label>
              ))}
            </div>
            <p className="mt-2 text-xs text-slate-600">
              {t("sf.policy.enrolled")}: <span data-testid="policy-enrolled">{line.enrolled} / {line.users}</span>
              {" ・ "}
              {t("sf.policy.updated")}: {line.isDefault ? t("sf.policy.default") : `${formatDateTime(line.updatedAt, locale)}${line.updatedByName ? (locale === "ja" ? `（${line.updatedByName}）` : ` (${line.updatedByName})`) : ""}`}
            </p>
          </fieldset>
        ))}
      </div>
      <ul className="mt-4 space-y-1 text-xs text-slate-600">
        {SECOND_FACTOR_REQUIREMENTS.map((r) => (
          <li key={r}>
            <strong>{t(`enum.SecondFactorRequirement.${r}`)}</strong>: {t(`sf.requirementHelp.${r}`)}
          </li>
        ))}
        <li>{t("sf.policy.requiredNote")}</li>
      </ul>
      <Button type="submit" className="mt-4" disabled={form.pending}>
        {form.pending ? t("common.saving") : t("sf.policy.save")}
      </Button>
    </form>
  );
}
