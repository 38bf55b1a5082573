"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { unlinkAction } from "@/lib/patients/actions";

/** 連携解除 with its reason (the link stays as history). */
export function UnlinkForm({ linkId }: { linkId: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const { pending, result, fieldErrors, onSubmit } = useActionForm((input) => unlinkAction({ ...input, linkId }), () => router.refresh());
  return (
    <details>
      <summary className="inline-flex min-h-11 cursor-pointer items-center rounded border border-red-300 px-3 text-sm text-red-800">{t("links.unlink")}</summary>
      <form method="post" onSubmit={onSubmit} className="mt-2 w-72 max-w-full">
        <FormResultAlert result={result} />
        <Field label={t("links.unlinkReason")} name="reason" errors={fieldErrors} required>
          <Input name="reason" errors={fieldErrors} autoComplete="off" />
        </Field>
        <Button type="submit" variant="danger" disabled={pending}>
          {pending ? t("common.saving") : t("links.unlinkConfirm")}
        </Button>
      </form>
    </details>
  );
}
