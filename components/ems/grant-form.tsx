"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, Input, inputClass } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { openEmergencyGrantAction } from "@/lib/ems/actions";
import { EMERGENCY_REASONS, type EmergencyConsent } from "@/lib/enums";
import { messageParts } from "@/lib/errors";

const choice =
  "flex min-h-11 cursor-pointer items-center gap-2 rounded border border-slate-300 bg-white px-3 py-2 text-base has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50 has-[:checked]:font-semibold";

/**
 * The EMS form after the identity check (seed 000 同意書の取得について): the reason (from the list,
 * with its details), how consent was obtained and who confirmed it (the modes the ground takes),
 * and the acknowledgement that the use is reviewed. On success: the patient's calendar.
 */
export function GrantForm({
  target,
  consentModes,
  windowText,
  noticeSkipped = false,
}: {
  target: { facilityId: string; facilityPatientId: string };
  consentModes: EmergencyConsent[];
  windowText: string;
  /** a disaster declaration skips the notice to the disclosing facility: the acknowledgement does not promise one */
  noticeSkipped?: boolean;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const [isOpening, setIsOpening] = useState(false);
  const { pending, result, fieldErrors, onSubmit } = useActionForm(
    (input) => openEmergencyGrantAction({ ...input, ...target }),
    (data) => {
      setIsOpening(true);
      router.push(`/patients/${data.patientId}`);
    },
  );
  // a core hospital may open without consent, and then names no one who confirmed it
  const mayGoWithoutConsent = consentModes.includes("NOT_REQUIRED_CORE");
  const formLevel = result && !result.ok ? (fieldErrors._form ?? []) : [];
  const refusals = formLevel.filter((m) => m.startsWith("ems.refused."));
  return (
    <form method="post" onSubmit={onSubmit} className="rounded-lg bg-white p-5 shadow" data-testid="ems-grant-form" noValidate>
      {result && !result.ok && (
        <Alert kind="error">
          {refusals.length > 0 ? t("ems.refused.title") : result.code === "VALIDATION" ? t("common.formError") : t("common.error")}
          {formLevel.map((m) => (
            <div key={m}>{t(messageParts(m).key, messageParts(m).vars)}</div>
          ))}
        </Alert>
      )}
      <fieldset className="mb-4" aria-describedby={fieldErrors.reason ? "reason-error" : undefined}>
        <legend className="mb-1 text-sm font-medium text-slate-700">
          {t("ems.form.reason")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </legend>
        <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-4">
          {EMERGENCY_REASONS.map((r) => (
            <label key={r} className={choice}>
              <input type="radio" name="reason" value={r} className="h-5 w-5" />
              {t(`ems.reason.${r}`)}
            </label>
          ))}
        </div>
        <FieldErrors name="reason" errors={fieldErrors} />
      </fieldset>
      <Field label={t("ems.form.reasonText")} name="reasonText" errors={fieldErrors} hint={t("ems.form.reasonTextHint")} required>
        <textarea id="reasonText" name="reasonText" rows={3} maxLength={500} aria-invalid={(fieldErrors.reasonText?.length ?? 0) > 0} className={inputClass} />
      </Field>
      <fieldset className="mb-4">
        <legend className="mb-1 text-sm font-medium text-slate-700">
          {t("ems.form.consent")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </legend>
        <div className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {consentModes.map((c) => (
            <label key={c} className={choice}>
              <input type="radio" name="consent" value={c} className="h-5 w-5" />
              {t(`ems.consent.${c}`)}
            </label>
          ))}
        </div>
        <FieldErrors name="consent" errors={fieldErrors} />
      </fieldset>
      <Field
        label={t("ems.form.consentConfirmedBy")}
        name="consentConfirmedBy"
        errors={fieldErrors}
        hint={t(mayGoWithoutConsent ? "ems.form.consentConfirmedByHintCore" : "ems.form.consentConfirmedByHint")}
        required={!mayGoWithoutConsent}
      >
        <Input name="consentConfirmedBy" errors={fieldErrors} maxLength={100} autoComplete="off" />
      </Field>
      <p className="mb-4 rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900" data-testid="ems-window-note">
        {windowText}
      </p>
      <div className="mb-4">
        <label className="flex min-h-11 cursor-pointer items-start gap-3 rounded border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
          <input type="checkbox" name="acknowledged" className="mt-0.5 h-5 w-5 shrink-0" />
          <span>{t(noticeSkipped ? "ems.form.acknowledgedNoNotice" : "ems.form.acknowledged")}</span>
        </label>
        <FieldErrors name="acknowledged" errors={fieldErrors} />
      </div>
      <Button type="submit" variant="danger" disabled={pending || isOpening} className="w-full sm:w-auto">
        {pending || isOpening ? t("ems.form.submitting") : t("ems.form.submit")}
      </Button>
    </form>
  );
}
