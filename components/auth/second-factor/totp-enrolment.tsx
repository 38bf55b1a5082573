"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { confirmTotpEnrolmentAction, startTotpEnrolmentAction } from "@/lib/auth/second-factor/actions";

type TEnrolment = { uri: string; secret: string; qrSvg: string; account: string; issuer: string };

/**
 * Adding an authenticator app: a QR code drawn on the server (no outside QR service) and the key
 * as text for typing in by hand; the app is on once a code from it is confirmed.
 */
export function TotpEnrolment({ onEnrolled }: { onEnrolled: (recoveryCodes: string[] | null) => void }) {
  const { t } = useI18n();
  const [enrolment, setEnrolment] = useState<TEnrolment | null>(null);
  const start = useActionForm(startTotpEnrolmentAction, setEnrolment);
  const confirm = useActionForm(confirmTotpEnrolmentAction, (d) => onEnrolled(d.recoveryCodes));

  if (!enrolment) {
    return (
      <form method="post" onSubmit={start.onSubmit}>
        <FormResultAlert result={start.result} />
        <Button type="submit" disabled={start.pending}>
          {start.pending ? t("sf.totp.starting") : t("sf.totp.start")}
        </Button>
      </form>
    );
  }
  return (
    <div className="grid gap-6 md:grid-cols-[auto_1fr]" data-testid="totp-enrolment">
      <div>
        <p className="mb-2 text-sm font-medium">{t("sf.totp.scan")}</p>
        <div
          role="img"
          aria-label={t("sf.qrAlt")}
          data-testid="totp-qr"
          className="h-52 w-52 rounded border border-slate-200 bg-white [&>svg]:h-full [&>svg]:w-full"
          // The SVG is drawn by the qrcode library on the server from our own otpauth:// URI.
          dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
        />
      </div>
      <div className="min-w-0">
        <p className="mb-2 text-sm">{t("sf.totp.manual")}</p>
        <p className="mb-1 text-xs text-slate-500">{t("sf.totp.secretLabel")}</p>
        <code className="mb-2 block rounded bg-slate-100 px-3 py-2 font-mono text-base tracking-wider break-all select-all" data-testid="totp-secret">
          {enrolment.secret}
        </code>
        <p className="mb-4 text-xs text-slate-500">{t("sf.totp.account", { account: enrolment.account, issuer: enrolment.issuer })}</p>
        <form method="post" onSubmit={confirm.onSubmit} noValidate>
          <FormResultAlert result={confirm.result?.ok === false && !confirm.result.fieldErrors.code ? confirm.result : null} />
          <Field label={t("sf.totp.confirmLabel")} name="code" errors={confirm.fieldErrors}>
            <Input
              name="code"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={12}
              className="block w-full max-w-xs rounded border border-slate-300 bg-white px-3 py-2 font-mono text-xl tracking-widest shadow-sm focus:border-teal-600 focus:ring-2 focus:ring-teal-600/30 focus:outline-none aria-[invalid=true]:border-red-500"
              errors={confirm.fieldErrors}
            />
          </Field>
          <Button type="submit" disabled={confirm.pending}>
            {confirm.pending ? t("sf.verify.submitting") : t("sf.totp.confirm")}
          </Button>
        </form>
      </div>
    </div>
  );
}
