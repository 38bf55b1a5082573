"use client";

import { browserSupportsWebAuthn, startAuthentication } from "@simplewebauthn/browser";
import { signOut } from "next-auth/react";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { passkeySignInAction, passkeySignInOptionsAction, verifySecondFactorCodeAction } from "@/lib/auth/second-factor/actions";
import { passkeyErrorKey } from "@/components/auth/second-factor/passkey-errors";

/**
 * The second step of signing in: a code from the authenticator app, a recovery code, or a passkey.
 * After a recovery code the user lands on the two-factor page (they may have lost the app).
 */
export function VerifyForm({ hasTotp, hasPasskey, recoveryCodesLeft }: { hasTotp: boolean; hasPasskey: boolean; recoveryCodesLeft: number }) {
  const { t } = useI18n();
  const [mode, setMode] = useState<"totp" | "recovery">(hasTotp ? "totp" : "recovery");
  const [passkeyError, setPasskeyError] = useState<string | null>(null);
  const [passkeyPending, setPasskeyPending] = useState(false);
  const code = useActionForm(verifySecondFactorCodeAction, (d) =>
    window.location.replace(d.recoveryCodesLeft === null ? "/" : `/profile/second-factor?recoveryLeft=${d.recoveryCodesLeft}`),
  );

  async function signInWithPasskey() {
    setPasskeyError(null);
    if (!browserSupportsWebAuthn()) return setPasskeyError("sf.passkey.unsupported");
    setPasskeyPending(true);
    try {
      const options = await passkeySignInOptionsAction();
      if (!options.ok) return setPasskeyError(options.fieldErrors._form?.[0] ?? "sf.passkeyRefused");
      let response;
      try {
        response = await startAuthentication({ optionsJSON: options.data });
      } catch (err) {
        return setPasskeyError(passkeyErrorKey(err));
      }
      const result = await passkeySignInAction({ response });
      if (result.ok) return window.location.replace("/");
      setPasskeyError(result.fieldErrors._form?.[0] ?? "sf.passkeyRefused");
    } finally {
      setPasskeyPending(false);
    }
  }

  const isTotp = mode === "totp";
  return (
    <div className="space-y-6">
      {(hasTotp || recoveryCodesLeft > 0) && (
        <form method="post" onSubmit={code.onSubmit} noValidate>
          <FormResultAlert result={code.result?.ok === false && !code.result.fieldErrors.code ? code.result : null} />
          <Field label={isTotp ? t("sf.verify.totpLabel") : t("sf.verify.recoveryLabel")} name="code" errors={code.fieldErrors}>
            <Input
              key={mode}
              name="code"
              autoComplete="one-time-code"
              inputMode={isTotp ? "numeric" : "text"}
              autoCapitalize="none"
              spellCheck={false}
              maxLength={isTotp ? 12 : 20}
              autoFocus
              className="block w-full max-w-xs rounded border border-slate-300 bg-white px-3 py-2 font-mono text-xl tracking-widest shadow-sm focus:border-teal-600 focus:ring-2 focus:ring-teal-600/30 focus:outline-none aria-[invalid=true]:border-red-500"
              errors={code.fieldErrors}
            />
          </Field>
          <div className="flex flex-wrap items-center gap-4">
            <Button type="submit" disabled={code.pending}>
              {code.pending ? t("sf.verify.submitting") : t("sf.verify.submit")}
            </Button>
            {hasTotp && recoveryCodesLeft > 0 && (
              <button
                type="button"
                className="min-h-11 text-sm text-teal-700 underline"
                onClick={() => {
                  setMode(isTotp ? "recovery" : "totp");
                  code.setResult(null);
                }}
              >
                {isTotp ? t("sf.verify.useRecovery") : t("sf.verify.useTotp")}
              </button>
            )}
          </div>
          {!isTotp && <p className="mt-2 text-xs text-slate-500">{t("sf.verify.recoveryLeft", { count: recoveryCodesLeft })}</p>}
        </form>
      )}
      {hasPasskey && (
        <div className="border-t border-slate-200 pt-4">
          {(hasTotp || recoveryCodesLeft > 0) && <p className="mb-2 text-sm text-slate-500">{t("sf.verify.or")}</p>}
          {passkeyError && <Alert kind="error">{t(passkeyError)}</Alert>}
          <Button type="button" variant="secondary" onClick={() => void signInWithPasskey()} disabled={passkeyPending}>
            {passkeyPending ? t("sf.passkey.working") : t("sf.verify.passkey")}
          </Button>
        </div>
      )}
      <div className="border-t border-slate-200 pt-4 text-sm">
        <p className="mb-3 text-slate-600">{t("sf.verify.help")}</p>
        <button type="button" className="min-h-11 text-teal-700 underline" onClick={() => void signOut({ callbackUrl: "/login?reason=signed_out" })}>
          {t("sf.verify.cancel")}
        </button>
      </div>
    </div>
  );
}
