"use client";

import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { setSecretQuestionAction } from "@/lib/auth/actions";

export function SecretQuestionForm({ afterSuccess = "/" }: { afterSuccess?: string | null }) {
  const { t } = useI18n();
  const { pending, result, fieldErrors, onSubmit } = useActionForm(setSecretQuestionAction, () => {
    if (afterSuccess) window.location.assign(afterSuccess);
  });
  return (
    <form method="post" onSubmit={onSubmit} noValidate>
      <FormResultAlert result={result} />
      {result?.ok && <Alert kind="success">{t("secret.saved")}</Alert>}
      <Field label={t("secret.question")} name="question" errors={fieldErrors} required>
        <Input name="question" errors={fieldErrors} />
      </Field>
      <Field label={t("secret.answer")} name="answer" errors={fieldErrors} required>
        <Input name="answer" errors={fieldErrors} autoComplete="off" />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("common.saving") : t("secret.submit")}
      </Button>
    </form>
  );
}
