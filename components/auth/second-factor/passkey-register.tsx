"use client";

import { browserSupportsWebAuthn, startRegistration } from "@simplewebauthn/browser";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, Input } from "@/components/ui/form";
import { passkeyRegistrationOptionsAction, registerPasskeyAction } from "@/lib/auth/second-factor/actions";
import { passkeyErrorKey } from "@/components/auth/second-factor/passkey-errors";

/** Registering a passkey: a name, then the browser's own dialog (biometrics, PIN or a security key). */
export function PasskeyRegister({ onEnrolled }: { onEnrolled: (recoveryCodes: string[] | null) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(t("sf.passkey.defaultName"));
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    if (!browserSupportsWebAuthn()) return setError("sf.passkey.unsupported");
    setPending(true);
    try {
      const options = await passkeyRegistrationOptionsAction({ name });
      if (!options.ok) {
        setFieldErrors(options.fieldErrors);
        return setError(options.fieldErrors._form?.[0] ?? (options.fieldErrors.name ? null : "common.error"));
      }
      let response;
      try {
        response = await startRegistration({ optionsJSON: options.data });
      } catch (err) {
        return setError(passkeyErrorKey(err));
      }
      const result = await registerPasskeyAction({ name, response });
      if (result.ok) return onEnrolled(result.data.recoveryCodes);
      setFieldErrors(result.fieldErrors);
      setError(result.fieldErrors._form?.[0] ?? "sf.passkeyRefused");
    } finally {
      setPending(false);
    }
  }

  return (
    <form method="post" onSubmit={(e) => void onSubmit(e)} noValidate>
      {error && <Alert kind="error">{t(error)}</Alert>}
      <div className="max-w-md">
        <Field label={t("sf.passkey.name")} name="passkeyName" hint={t("sf.passkey.nameHint")} errors={{ passkeyName: fieldErrors.name ?? [] }}>
          <Input name="passkeyName" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} errors={{ passkeyName: fieldErrors.name ?? [] }} />
        </Field>
      </div>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? t("sf.passkey.working") : t("sf.passkey.add")}
      </Button>
    </form>
  );
}
