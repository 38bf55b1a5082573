"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button } from "@/components/ui/form";
import { PasskeyRegister } from "@/components/auth/second-factor/passkey-register";
import { RecoveryCodes } from "@/components/auth/second-factor/recovery-codes";
import { TotpEnrolment } from "@/components/auth/second-factor/totp-enrolment";

/**
 * Enrolment during sign-in: an authenticator app or a passkey. Once one is confirmed the session
 * is complete; the recovery codes are shown (once) before the user goes on.
 */
export function EnrolFlow({ passkeyHost }: { passkeyHost: string | null }) {
  const { t } = useI18n();
  const [done, setDone] = useState<{ recoveryCodes: string[] | null } | null>(null);
  if (done) {
    return (
      <div className="space-y-4">
        <Alert kind="success">{t("sf.enrol.done")}</Alert>
        {done.recoveryCodes && <RecoveryCodes codes={done.recoveryCodes} />}
        <Button type="button" onClick={() => window.location.replace("/")}>
          {t("sf.enrol.continue")}
        </Button>
      </div>
    );
  }
  const enrolled = (recoveryCodes: string[] | null) => setDone({ recoveryCodes });
  return (
    <div className="space-y-6">
      <div className="rounded border border-slate-200 p-4">
        <h2 className="mb-1 font-semibold">{t("sf.totp.title")}</h2>
        <p className="mb-3 text-sm text-slate-600">{t("sf.totp.intro")}</p>
        <TotpEnrolment onEnrolled={enrolled} />
      </div>
      <div className="rounded border border-slate-200 p-4">
        <h2 className="mb-1 font-semibold">{t("sf.passkey.title")}</h2>
        {passkeyHost ? (
          <>
            <p className="mb-3 text-sm text-slate-600">{t("sf.passkey.intro", { host: passkeyHost })}</p>
            <PasskeyRegister onEnrolled={enrolled} />
          </>
        ) : (
          <p className="text-sm text-slate-600">{t("sf.passkey.unavailableHere")}</p>
        )}
      </div>
      <button type="button" className="min-h-11 text-sm text-teal-700 underline" onClick={() => void signOut({ callbackUrl: "/login?reason=signed_out" })}>
        {t("sf.verify.cancel")}
      </button>
    </div>
  );
}
