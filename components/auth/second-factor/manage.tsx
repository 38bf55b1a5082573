"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { PasskeyRegister } from "@/components/auth/second-factor/passkey-register";
import { RecoveryCodes } from "@/components/auth/second-factor/recovery-codes";
import { TotpEnrolment } from "@/components/auth/second-factor/totp-enrolment";
import { regenerateRecoveryCodesAction, removePasskeyAction, removeTotpAction } from "@/lib/auth/second-factor/actions";

/*
 * The pieces of the profile's two-factor page. A change refreshes the page from the server; what
 * must outlive that refresh (a success message, recovery codes shown once) sits in ManageShell
 * above the sections, which the refresh does not remount.
 */

type TNotice = { message: string; codes?: string[] | null };
const NoticeContext = createContext<(n: TNotice) => void>(() => {});

export function ManageShell({ children }: { children: React.ReactNode }) {
  const { t } = useI18n();
  const [notice, setNotice] = useState<TNotice | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      {notice && (
        <div className="space-y-3" data-testid="sf-notice">
          <Alert kind="success">{t(notice.message)}</Alert>
          {notice.codes && <RecoveryCodes codes={notice.codes} />}
        </div>
      )}
      {children}
    </NoticeContext.Provider>
  );
}

/** Tells ManageShell, reloads the page's data, and brings the message into view. */
function useChanged() {
  const notify = useContext(NoticeContext);
  const router = useRouter();
  return (n: TNotice) => {
    notify(n);
    router.refresh();
    window.scrollTo({ top: 0 });
  };
}

const codeInputClass =
  "block w-full max-w-xs rounded border border-slate-300 bg-white px-3 py-2 font-mono text-lg tracking-widest shadow-sm focus:border-teal-600 focus:ring-2 focus:ring-teal-600/30 focus:outline-none aria-[invalid=true]:border-red-500";

export function TotpSetup() {
  const changed = useChanged();
  return <TotpEnrolment onEnrolled={(codes) => changed({ message: "sf.totp.enabled", codes })} />;
}

export function PasskeySetup() {
  const changed = useChanged();
  return <PasskeyRegister onEnrolled={(codes) => changed({ message: "sf.passkey.added", codes })} />;
}

/** A removal confirmed with a current code; wrong codes count toward the lock like wrong passwords. */
function ConfirmWithCode({
  action,
  hidden,
  label,
  button,
  done,
  testId,
}: {
  action: (input: Record<string, unknown>) => ReturnType<typeof removeTotpAction>;
  hidden?: Record<string, string>;
  label: string;
  button: string;
  done: string;
  testId: string;
}) {
  const { t } = useI18n();
  const changed = useChanged();
  const [open, setOpen] = useState(false);
  const form = useActionForm(action, () => changed({ message: done }));
  if (!open) {
    return (
      <Button type="button" variant="secondary" onClick={() => setOpen(true)}>
        {button}
      </Button>
    );
  }
  return (
    <form method="post" onSubmit={form.onSubmit} noValidate className="rounded border border-red-200 bg-red-50 p-3" data-testid={testId}>
      <FormResultAlert result={form.result?.ok === false && !form.result.fieldErrors.code ? form.result : null} />
      {Object.entries(hidden ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <Field label={label} name="code" errors={form.fieldErrors}>
        <Input name="code" autoComplete="one-time-code" maxLength={20} className={codeInputClass} errors={form.fieldErrors} />
      </Field>
      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="danger" disabled={form.pending}>
          {button}
        </Button>
        <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
          {t("common.cancel")}
        </Button>
      </div>
    </form>
  );
}

export function RemoveTotp() {
  const { t } = useI18n();
  return <ConfirmWithCode action={removeTotpAction} label={t("sf.totp.removeLabel")} button={t("sf.totp.remove")} done="sf.totp.removed" testId="remove-totp" />;
}

export function RemovePasskey({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <ConfirmWithCode action={removePasskeyAction} hidden={{ id }} label={t("sf.passkey.removeLabel")} button={t("sf.passkey.remove")} done="sf.passkey.removed" testId="remove-passkey" />
  );
}

export function RegenerateRecoveryCodes() {
  const { t } = useI18n();
  const changed = useChanged();
  const form = useActionForm(regenerateRecoveryCodesAction, (d) => changed({ message: "sf.recovery.regenerated", codes: d.recoveryCodes }));
  return (
    <form method="post" onSubmit={form.onSubmit}>
      <FormResultAlert result={form.result} />
      <p className="mb-2 text-xs text-slate-500">{t("sf.recovery.regenerateNote")}</p>
      <Button type="submit" variant="secondary" disabled={form.pending}>
        {t("sf.recovery.regenerate")}
      </Button>
    </form>
  );
}
