"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckboxField } from "@/components/admin/facility-form";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, FormResultAlert, Input, inputClass } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { declareDisasterAction } from "@/lib/ems/disasters/actions";
import { DISASTER_VIEWER_SCOPES } from "@/lib/ems/disasters/schema";

export type TDisasterFacilityOption = { id: string; code: string; name: string };

/**
 * 災害宣言の発令 (secretariat): the name, the affected area, who may open evacuees, the period,
 * and the temporary rule's easements, checked as the Noto rule had them.
 */
export function DisasterForm({ facilities, defaultEndsAt }: { facilities: TDisasterFacilityOption[]; defaultEndsAt: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const [scope, setScope] = useState<(typeof DISASTER_VIEWER_SCOPES)[number]>("ALL");
  // a new form after each declaration, so its fields start empty again
  const [formKey, setFormKey] = useState(0);
  const { pending, result, fieldErrors, onSubmit } = useActionForm(declareDisasterAction, () => {
    setFormKey((k) => k + 1);
    setScope("ALL");
    // the page anew, without the message of an earlier extension or closing
    router.replace("/admin/disasters", { scroll: false });
  });
  const invalid = (name: string) => (fieldErrors[name]?.length ?? 0) > 0;
  return (
    <form key={formKey} method="post" onSubmit={onSubmit} noValidate className="grid gap-x-6 md:grid-cols-2" data-testid="disaster-form">
      <div className="md:col-span-2">
        <FormResultAlert result={result} />
        {result?.ok && <Alert kind="success">{t("disaster.declared")}</Alert>}
      </div>
      <div className="md:col-span-2">
        <Field label={t("disaster.name")} name="name" errors={fieldErrors} hint={t("disaster.nameHint")} required>
          <Input name="name" errors={fieldErrors} maxLength={100} autoComplete="off" />
        </Field>
      </div>
      <div className="md:col-span-2">
        <Field label={t("disaster.areas")} name="areas" errors={fieldErrors} hint={t("disaster.areasHint")} required>
          <textarea
            id="areas"
            name="areas"
            rows={3}
            className={inputClass}
            aria-invalid={invalid("areas")}
            aria-describedby={invalid("areas") ? "areas-error" : undefined}
          />
        </Field>
      </div>
      <fieldset className="mb-4 md:col-span-2" data-field="viewerScope">
        <legend className="mb-1 block text-sm font-medium text-slate-700">
          {t("disaster.viewers")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </legend>
        <div className="flex flex-wrap gap-2" role="radiogroup">
          {DISASTER_VIEWER_SCOPES.map((s) => (
            <label
              key={s}
              className="inline-flex min-h-11 cursor-pointer items-center gap-2 rounded border border-slate-300 px-4 has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50 has-[:checked]:font-semibold"
            >
              <input type="radio" name="viewerScope" value={s} checked={scope === s} onChange={() => setScope(s)} className="h-4 w-4 accent-teal-700" />
              {t(`disaster.viewerScope.${s}`)}
            </label>
          ))}
        </div>
        <FieldErrors name="viewerScope" errors={fieldErrors} />
        {scope === "CHOSEN" && (
          <div className="mt-2 rounded border border-slate-200 p-3" data-field="viewerFacilityIds">
            <p className="mb-1 text-sm text-slate-700">{t("disaster.viewersChoose")}</p>
            <div className="grid max-h-64 gap-x-4 overflow-y-auto sm:grid-cols-2">
              {facilities.map((f) => (
                <label key={f.id} className="flex min-h-11 cursor-pointer items-center gap-3 text-sm">
                  <input type="checkbox" name="viewerFacilityIds" value={f.id} className="h-5 w-5 accent-teal-700" />
                  <span>
                    <span className="font-mono text-xs text-slate-500">{f.code}</span> {f.name}
                  </span>
                </label>
              ))}
            </div>
            <FieldErrors name="viewerFacilityIds" errors={fieldErrors} />
          </div>
        )}
      </fieldset>
      <Field label={t("disaster.startsAt")} name="startsAt" errors={fieldErrors} hint={t("disaster.startsAtHint")}>
        <Input type="datetime-local" name="startsAt" errors={fieldErrors} />
      </Field>
      <Field label={t("disaster.endsAt")} name="endsAt" errors={fieldErrors} hint={t("disaster.endsAtHint")} required>
        <Input type="datetime-local" name="endsAt" defaultValue={defaultEndsAt} errors={fieldErrors} />
      </Field>
      <fieldset className="md:col-span-2">
        <legend className="mb-1 block text-sm font-medium text-slate-700">{t("disaster.rules")}</legend>
        <CheckboxField name="skipNotice" label={t("disaster.skipNotice")} hint={t("disaster.skipNoticeHint")} defaultChecked errors={fieldErrors} />
        <CheckboxField name="consentAfterFact" label={t("disaster.consentAfterFact")} hint={t("disaster.consentAfterFactHint")} defaultChecked errors={fieldErrors} />
        <CheckboxField name="overridesWithdrawal" label={t("disaster.overridesWithdrawal")} hint={t("disaster.overridesWithdrawalHint")} errors={fieldErrors} />
      </fieldset>
      <div className="md:col-span-2">
        <Field label={t("disaster.note")} name="note" errors={fieldErrors}>
          <textarea id="note" name="note" rows={2} maxLength={1000} className={inputClass} aria-invalid={invalid("note")} />
        </Field>
      </div>
      <div className="md:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? t("common.saving") : t("disaster.submit")}
        </Button>
      </div>
    </form>
  );
}
