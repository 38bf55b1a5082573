"use client";

import { useI18n } from "@/components/i18n-provider";
import { Alert, Button } from "@/components/ui/form";

/** Recovery codes in clear, shown once (after enrolment or when new ones are issued). */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const { t } = useI18n();
  return (
    <div className="rounded border border-amber-300 bg-amber-50 p-4" data-testid="recovery-codes">
      <h3 className="mb-2 font-semibold">{t("sf.recovery.title")}</h3>
      <p className="mb-3 text-sm text-amber-950">{t("sf.recovery.shownOnce")}</p>
      <ol className="mb-3 grid grid-cols-1 gap-x-6 gap-y-1 font-mono text-lg tracking-wider sm:grid-cols-2">
        {codes.map((c) => (
          <li key={c} data-testid="recovery-code">
            {c}
          </li>
        ))}
      </ol>
      <Button type="button" variant="secondary" onClick={() => window.print()}>
        {t("sf.recovery.print")}
      </Button>
    </div>
  );
}

export function RecoveryCodesLow({ left }: { left: number }) {
  const { t } = useI18n();
  return left <= 3 ? <Alert kind="warning">{t("sf.recovery.low")}</Alert> : null;
}
