"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConsentFields } from "@/components/consent/consent-fields";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, FormResultAlert } from "@/components/ui/form";
import { recordConsentAction } from "@/lib/consent/actions";
import type { ConsentAction } from "@/lib/enums";
import type { TActionResult } from "@/lib/errors";

/** Records a consent or a withdrawal (with an optional scan of the signed form). */
export function ConsentForm({ patientId, action, facilities, today }: { patientId: string; action: ConsentAction; facilities: { id: string; nameKanji: string }[]; today: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TActionResult<{ id: string }> | null>(null);
  const [formKey, setFormKey] = useState(0);
  const errors = result && !result.ok ? result.fieldErrors : {};
  return (
    <form
      key={formKey}
      method="post"
      encType="multipart/form-data"
      data-testid={`consent-form-${action}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const fd = new FormData(e.currentTarget);
        setPending(true);
        try {
          const r = await recordConsentAction(patientId, fd);
          setResult(r);
          if (r.ok) {
            setFormKey(formKey + 1);
            router.refresh();
          }
        } catch {
          setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
        } finally {
          setPending(false);
        }
      }}
    >
      <FormResultAlert result={result} />
      {result?.ok && <Alert kind="success">{t("consent.saved")}</Alert>}
      <ConsentFields action={action} errors={errors} facilities={facilities} today={today} />
      <Button type="submit" variant={action === "WITHDRAW" ? "danger" : "primary"} disabled={pending}>
        {pending ? t("common.saving") : t("consent.submit")}
      </Button>
    </form>
  );
}
