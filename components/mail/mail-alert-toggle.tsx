"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { useRun } from "@/components/mail/use-run";
import { FormResultAlert } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { setMailAlertAction } from "@/lib/securemail/actions";

/** 新着セキュアメールをメールで知らせる: saved as soon as it is ticked or cleared. */
export function MailAlertToggle({ initial, email }: { initial: boolean; email: string }) {
  const { t } = useI18n();
  const hydrated = useHydrated();
  const [on, setOn] = useState(initial);
  const [saved, setSaved] = useState(false);
  const { pending, result, run } = useRun();
  return (
    <div className="space-y-2" data-testid="mail-alert">
      <label className="flex min-h-11 items-center gap-3">
        <input
          type="checkbox"
          className="h-5 w-5"
          checked={on}
          disabled={!hydrated || pending !== null}
          onChange={async (e) => {
            const next = e.currentTarget.checked;
            setSaved(false);
            setOn(next);
            const r = await run("save", () => setMailAlertAction({ on: next }));
            if (r.ok) setSaved(true);
            else setOn(!next);
          }}
        />
        <span>{t("mail.alert.label")}</span>
      </label>
      <p className="text-xs text-slate-600">{t("mail.alert.hint", { email })}</p>
      {saved && (
        <p role="status" className="text-sm text-emerald-800">
          {on ? t("mail.alert.on") : t("mail.alert.off")}
        </p>
      )}
      <FormResultAlert result={result} />
    </div>
  );
}
