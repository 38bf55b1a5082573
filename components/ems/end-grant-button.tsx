"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button } from "@/components/ui/form";
import { endEmergencyGrantAction } from "@/lib/ems/actions";

/** The banner's "end now": asks once, ends the grant, and shows the page again (the records are gone). */
export function EndGrantButton({ grantId }: { grantId: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <div>
      <Button
        type="button"
        variant="danger"
        disabled={pending}
        data-testid="ems-end-grant"
        onClick={async () => {
          if (!window.confirm(t("ems.banner.endConfirm"))) return;
          setPending(true);
          setFailed(false);
          try {
            const r = await endEmergencyGrantAction({ grantId });
            if (!r.ok) setFailed(true);
            else router.refresh();
          } catch {
            setFailed(true);
          } finally {
            setPending(false);
          }
        }}
      >
        {pending ? t("ems.banner.ending") : t("ems.banner.end")}
      </Button>
      {failed && (
        <p role="alert" className="mt-1 text-sm text-red-800">
          {t("common.error")}
        </p>
      )}
    </div>
  );
}
