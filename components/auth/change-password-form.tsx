"use client";

import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { changePasswordAction } from "@/lib/auth/actions";

export function ChangePasswordForm({ afterSuccess = "/" }: { afterSuccess?: string }) {
  const { t } = useI18n();
  const { pending, result, fieldErrors, onSubmit } = useActionForm(changePasswordAction, () => window.location.assign(afterSuccess));
  return (
    <form method="post" onSubmit={onSubmit} noValidate>
      <FormResultAlert result={result} />
      {result?.ok && <Alert kind="success">{t("password.changed")}</Alert>}
      <Field label={t("password.current")} name="currentPassword" errors={fieldErrors} required>
        <Input name="currentPassword" type="password" autoComplete="current-password" errors={fieldErrors} />
      </Field>
      <Field label={t("password.new")} name="newPassword" errors={fieldErrors} hint={t("password.rules")} required>
        <Input name="newPassword" type="password" autoComplete="new-password" errors={fieldErrors} />
      </Field>
      <Field label={t("password.confirm")} name="confirmPassword" errors={fieldErrors} hint={t("password.confirmHint")} required>
        <Input name="confirmPassword" type="password" autoComplete="new-password" errors={fieldErrors} />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("common.saving") : t("password.submit")}
      </Button>
    </form>
  );
}
