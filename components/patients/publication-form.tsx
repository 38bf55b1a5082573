"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { Button, FieldErrors } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { PUBLICATION_STATES, type PublicationState } from "@/lib/enums";
import { setPublicationAction } from "@/lib/patients/actions";

/** 公開する / 非公開にする / 修正する (seed 004 自施設患者一覧). */
export function PublicationForm({ linkId, state, shareBasic, shareClinical }: { linkId: string; state: PublicationState; shareBasic: boolean; shareClinical: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const { pending, result, fieldErrors, onSubmit } = useActionForm((input) => setPublicationAction({ ...input, linkId }), () => router.refresh());
  return (
    <details>
      <summary className="inline-flex min-h-11 cursor-pointer items-center rounded border border-slate-300 px-3 text-sm whitespace-nowrap">{t("own.modify")}</summary>
      <form method="post" onSubmit={onSubmit} className="mt-2 w-64 space-y-2 rounded border border-slate-200 bg-slate-50 p-3 text-sm">
        <fieldset>
          <legend className="mb-1 font-medium">{t("own.state")}</legend>
          {PUBLICATION_STATES.map((s) => (
            <label key={s} className="flex min-h-11 items-center gap-2">
              <input type="radio" name="publicationState" value={s} defaultChecked={s === state} />
              {t(`enum.PublicationState.${s}`)}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend className="mb-1 font-medium">{t("own.scope")}</legend>
          <label className="flex min-h-11 items-center gap-2">
            <input type="checkbox" name="shareBasic" defaultChecked={shareBasic} />
            {t("own.scopeBasic")}
          </label>
          <label className="flex min-h-11 items-center gap-2">
            <input type="checkbox" name="shareClinical" defaultChecked={shareClinical} />
            {t("own.scopeClinical")}
          </label>
          <FieldErrors name="shareBasic" errors={fieldErrors} />
        </fieldset>
        {result && !result.ok && Object.keys(fieldErrors).length === 0 && <p className="text-red-700">{t("common.error")}</p>}
        <Button type="submit" disabled={pending}>
          {pending ? t("common.saving") : t("common.save")}
        </Button>
      </form>
    </details>
  );
}
