"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, Input } from "@/components/ui/form";

export function LoginForm({ reason, initialError, callbackUrl }: { reason: string; initialError: string | null; callbackUrl: string }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(initialError);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const loginId = String(form.get("loginId") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const errors: Record<string, string[]> = {};
    if (!loginId) errors.loginId = ["v.loginId.required"];
    if (!password) errors.password = ["v.password.required"];
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { loginId, password, redirect: false });
    if (result?.ok && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError(result?.error ?? "default");
  }

  const errorText = error ? (t(`signin.${error}`).startsWith("signin.") ? t("signin.default") : t(`signin.${error}`)) : null;
  return (
    <form method="post" onSubmit={onSubmit} noValidate>
      {reason && <Alert kind="info">{reason}</Alert>}
      {errorText && (
        <Alert kind="error">
          <span data-testid="login-error">{errorText}</span>
        </Alert>
      )}
      <Field label={t("login.loginId")} name="loginId" errors={fieldErrors}>
        <Input name="loginId" autoComplete="username" autoCapitalize="none" spellCheck={false} errors={fieldErrors} />
      </Field>
      <Field label={t("login.password")} name="password" errors={fieldErrors}>
        <Input name="password" type="password" autoComplete="current-password" errors={fieldErrors} />
      </Field>
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? t("login.submitting") : t("login.submit")}
      </Button>
      <p className="mt-4 text-sm">
        <Link href="/password/forgot" className="text-teal-700 underline">
          ▶ {t("login.forgot")}
        </Link>
      </p>
    </form>
  );
}
