"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input, Select } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { issueCertificateAction } from "@/lib/pki/actions";

type TIssued = { id: string; serial: string; oneTimePassword: string; expiresAt: string };

export function IssueCertificateForm({ facilities }: { facilities: { id: string; code: string; nameKanji: string }[] }) {
  const { t } = useI18n();
  const [issued, setIssued] = useState<TIssued | null>(null);
  const { pending, result, fieldErrors, onSubmit } = useActionForm(issueCertificateAction, (d) => setIssued(d));
  return (
    <div>
      {issued && (
        <div data-testid="issued-certificate">
          <Alert kind="success">
            <p className="font-semibold">{t("cert.issued")}</p>
            <p className="mt-2">
              {t("cert.oneTimePassword")}: <code className="rounded bg-white px-2 py-1 text-lg tracking-wider" data-testid="one-time-password">{issued.oneTimePassword}</code>
            </p>
            <p className="mt-1 text-xs">{t("cert.passwordOnce")}</p>
            <p className="mt-2">
              <a href={`/api/certificates/${issued.id}`} className="font-medium text-teal-800 underline" data-testid="download-p12" download>
                ⬇ {t("cert.download")}
              </a>
              <span className="ml-3 text-xs">serial {issued.serial}</span>
            </p>
          </Alert>
        </div>
      )}
      <form method="post" onSubmit={onSubmit} noValidate className="grid gap-x-4 md:grid-cols-3">
        <div className="md:col-span-3">
          <FormResultAlert result={result} />
        </div>
        <Field label={t("cert.facility")} name="facilityId" errors={fieldErrors} required>
          <Select name="facilityId" defaultValue="" errors={fieldErrors}>
            <option value="">{t("cert.chooseFacility")}</option>
            {facilities.map((f) => (
              <option key={f.id} value={f.id}>
                {f.code} {f.nameKanji}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("cert.terminalName")} name="terminalName" errors={fieldErrors} hint={t("cert.terminalHint")} required>
          <Input name="terminalName" errors={fieldErrors} />
        </Field>
        <Field label={t("cert.days")} name="days" errors={fieldErrors} required>
          <Input name="days" type="number" inputMode="numeric" defaultValue={730} errors={fieldErrors} />
        </Field>
        <div className="md:col-span-3">
          <Button type="submit" disabled={pending}>
            {pending ? t("common.saving") : t("cert.issueSubmit")}
          </Button>
        </div>
      </form>
    </div>
  );
}
