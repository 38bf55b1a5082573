"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, FormResultAlert } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { endEmergencyGrantAction } from "@/lib/ems/review/actions";

/** 今すぐ終了: the secretariat stops a use still in force; asks once more first. Stays mounted after, so its message shows. */
export function EndGrantButton({ grantId, inForce }: { grantId: string; inForce: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const end = useActionForm(endEmergencyGrantAction, () => {
    setConfirming(false);
    router.refresh();
  });
  if (end.result?.ok) return <Alert kind="success">{t("emsReview.end.done")}</Alert>;
  if (!inForce) return null;
  return (
    <div>
      <FormResultAlert result={end.result} />
      {!confirming ? (
        <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
          {t("emsReview.end.button")}
        </Button>
      ) : (
        <form method="post" onSubmit={end.onSubmit} className="rounded border border-red-200 bg-red-50 p-3">
          <input type="hidden" name="grantId" value={grantId} />
          <p className="mb-2 text-sm text-red-900">{t("emsReview.end.question")}</p>
          <div className="flex flex-wrap gap-3">
            <Button type="submit" variant="danger" disabled={end.pending}>
              {t("emsReview.end.confirm")}
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
