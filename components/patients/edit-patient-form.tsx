"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { PatientInfoFields, type TPatientInfoDefaults } from "@/components/patients/patient-info-fields";
import { Alert, Button, Field, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { updatePatientAction } from "@/lib/patients/actions";

/** 個人情報の修正: saved as a new version, refused if someone saved a newer one meanwhile. */
export function EditPatientForm({ patientId, version, defaults }: { patientId: string; version: number; defaults: TPatientInfoDefaults }) {
  const { t } = useI18n();
  const router = useRouter();
  const { pending, result, fieldErrors, onSubmit } = useActionForm((input) => updatePatientAction(patientId, input), () => router.refresh());
  return (
    <form method="post" onSubmit={onSubmit}>
      <FormResultAlert result={result} />
      {result?.ok && <Alert kind="success">{t("edit.saved", { version: result.data.version })}</Alert>}
      <input type="hidden" name="version" value={version} />
      <PatientInfoFields errors={fieldErrors} defaults={defaults} />
      <Field label={t("edit.reason")} name="reason" errors={fieldErrors}>
        <Input name="reason" errors={fieldErrors} autoComplete="off" />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("common.saving") : t("common.save")}
      </Button>
    </form>
  );
}
