"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, FormResultAlert, inputClass } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { closeEmergencyReviewAction } from "@/lib/ems/review/actions";

const OUTCOMES = ["APPROPRIATE", "FOLLOW_UP", "INAPPROPRIATE"] as const;

/**
 * 確認を完了: the outcome of one grant's review and the note (required unless the use was
 * appropriate). Stays mounted when the refreshed page shows the review closed (`open` false), so
 * its message shows.
 */
export function CloseReviewForm({ grantId, open }: { grantId: string; open: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const [outcome, setOutcome] = useState<string>("");
  const close = useActionForm(closeEmergencyReviewAction, () => router.refresh());
  const errors = close.fieldErrors;
  if (close.result?.ok) return <Alert kind="success">{t("emsReview.close.done")}</Alert>;
  if (!open) return null;
  return (
    <form method="post" onSubmit={close.onSubmit} noValidate data-testid="close-review-form">
      <FormResultAlert result={close.result} />
      <input type="hidden" name="grantId" value={grantId} />
      <fieldset className="mb-4" aria-describedby={errors.outcome ? "outcome-error" : undefined}>
        <legend className="mb-1 block text-sm font-medium text-slate-700">
          {t("emsReview.close.outcome")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </legend>
        <div className="flex flex-wrap gap-2">
          {OUTCOMES.map((o) => (
            <label
              key={o}
              className={`inline-flex min-h-11 cursor-pointer items-center gap-2 rounded border px-4 ${outcome === o ? "border-teal-700 bg-teal-50 font-medium" : "border-slate-300 bg-white"}`}
            >
              <input type="radio" name="outcome" value={o} checked={outcome === o} onChange={() => setOutcome(o)} className="h-5 w-5" />
              {t(`emsReview.outcome.${o}`)}
            </label>
          ))}
        </div>
        <FieldErrors name="outcome" errors={errors} />
      </fieldset>
      <Field label={t("emsReview.close.note")} name="note" errors={errors} hint={t("emsReview.close.noteHint")} required={outcome === "FOLLOW_UP" || outcome === "INAPPROPRIATE"}>
        <textarea id="note" name="note" rows={4} maxLength={1000} className={inputClass} aria-invalid={(errors.note?.length ?? 0) > 0} />
      </Field>
      <Button type="submit" disabled={!hydrated || close.pending}>
        {close.pending ? t("common.saving") : t("emsReview.close.submit")}
      </Button>
    </form>
  );
}
