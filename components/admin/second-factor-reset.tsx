"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, FormResultAlert } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { resetStaffSecondFactorAction } from "@/lib/staff/actions";

/**
 * 二要素認証のリセット: for a user who lost the phone or key; asks once more, then removes every
 * factor. Stays mounted when the refreshed page has nothing left to reset, so its message shows.
 */
export function SecondFactorReset({ staffId, hasFactor }: { staffId: string; hasFactor: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const reset = useActionForm(resetStaffSecondFactorAction, () => {
    setConfirming(false);
    router.refresh();
  });
  return (
    <div>
      <FormResultAlert result={reset.result} />
      {reset.result?.ok && <Alert kind="success">{t("sf.admin.resetDone")}</Alert>}
      {!hasFactor ? null : !confirming ? (
        <Button type="button" variant="secondary" onClick={() => setConfirming(true)}>
          {t("sf.admin.reset")}
        </Button>
      ) : (
        <form method="post" onSubmit={reset.onSubmit} className="rounded border border-red-200 bg-red-50 p-3">
          <input type="hidden" name="id" value={staffId} />
          <p className="mb-2 text-sm text-red-900">{t("sf.admin.resetQuestion")}</p>
          <div className="flex flex-wrap gap-3">
            <Button type="submit" variant="danger" disabled={reset.pending}>
              {t("sf.admin.resetConfirm")}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
              {t("common.cancel")}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
