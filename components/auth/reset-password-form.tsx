"use client";

import Link from "next/link";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { findSecretQuestionAction, resetPasswordAction } from "@/lib/auth/actions";

export function ResetPasswordForm() {
  const { t } = useI18n();
  const [loginId, setLoginId] = useState("");
  const [email, setEmail] = useState("");
  const [question, setQuestion] = useState<string | null>(null);
  const lookup = useActionForm(findSecretQuestionAction, (d) => setQuestion(d.question));
  const reset = useActionForm(resetPasswordAction);

  if (reset.result?.ok) {
    return (
      <div>
        <Alert kind="success">{t("reset.done")}</Alert>
        <Link href="/login" className="text-teal-700 underline">
          {t("reset.backToLogin")}
        </Link>
      </div>
    );
  }
  if (!question) {
    return (
      <form method="post" onSubmit={lookup.onSubmit} noValidate>
        <FormResultAlert result={lookup.result} />
        <Field label={t("login.loginId")} name="loginId" errors={lookup.fieldErrors} required>
          <Input name="loginId" value={loginId} onChange={(e) => setLoginId(e.target.value)} autoCapitalize="none" errors={lookup.fieldErrors} />
        </Field>
        <Field label={t("reset.email")} name="email" errors={lookup.fieldErrors} required>
          <Input name="email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoCapitalize="none" autoComplete="email" errors={lookup.fieldErrors} />
        </Field>
        <div className="flex gap-3">
          <Button type="submit" disabled={lookup.pending}>
            {lookup.pending ? t("common.loading") : t("reset.showQuestion")}
          </Button>
          <Link href="/login" className="self-center text-sm text-teal-700 underline">
            {t("reset.backToLogin")}
          </Link>
        </div>
      </form>
    );
  }
  return (
    <form method="post" onSubmit={reset.onSubmit} noValidate>
      <FormResultAlert result={reset.result} />
      <input type="hidden" name="loginId" value={loginId} />
      <input type="hidden" name="email" value={email} />
      <p className="mb-2 text-sm text-slate-600">
        {t("login.loginId")}: <strong>{loginId}</strong>
      </p>
      <Field label={`${t("secret.question")}: ${question}`} name="answer" errors={reset.fieldErrors} required>
        <Input name="answer" autoComplete="off" errors={reset.fieldErrors} />
      </Field>
      <Field label={t("password.new")} name="newPassword" errors={reset.fieldErrors} hint={t("password.rules")} required>
        <Input name="newPassword" type="password" autoComplete="new-password" errors={reset.fieldErrors} />
      </Field>
      <Field label={t("password.confirm")} name="confirmPassword" errors={reset.fieldErrors} required>
        <Input name="confirmPassword" type="password" autoComplete="new-password" errors={reset.fieldErrors} />
      </Field>
      <Button type="submit" disabled={reset.pending}>
        {reset.pending ? t("common.saving") : t("reset.submit")}
      </Button>
    </form>
  );
}
