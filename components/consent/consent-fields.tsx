"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Field, FieldErrors, Input } from "@/components/ui/form";
import { CONSENT_METHODS, CONSENT_SIGNERS, type ConsentAction } from "@/lib/enums";

const radioClass = "inline-flex min-h-11 items-center gap-2 rounded border border-slate-300 bg-white px-3";

/**
 * The fields of form 6 (患者同意書) or of the 患者情報利用停止届出書. Names carry `prefix`, so the
 * registration wizard nests them under "consent." and the consent page uses them bare; field
 * messages come back under the same names.
 */
export function ConsentFields({
  action,
  prefix = "",
  errors,
  facilities,
  today,
}: {
  action: ConsentAction;
  prefix?: string;
  errors: Record<string, string[]>;
  facilities: { id: string; nameKanji: string }[];
  /** the default date, yyyy/mm/dd in Japan */
  today: string;
}) {
  const { t } = useI18n();
  const [scope, setScope] = useState<"COMPREHENSIVE" | "FACILITIES">("COMPREHENSIVE");
  const [signer, setSigner] = useState<"SELF" | "PROXY">("SELF");
  const n = (field: string) => `${prefix}${field}`;
  const isWithdraw = action === "WITHDRAW";
  return (
    <div>
      <input type="hidden" name={n("action")} value={action} />
      <fieldset className="mb-4" data-field={n("scope")}>
        <legend className="mb-1 text-sm font-medium text-slate-700">{isWithdraw ? t("consent.withdrawScope") : t("consent.scope")}</legend>
        <div className="flex flex-wrap gap-2">
          {(["COMPREHENSIVE", "FACILITIES"] as const).map((s) => (
            <label key={s} className={radioClass}>
              <input type="radio" name={n("scope")} value={s} checked={scope === s} onChange={() => setScope(s)} />
              {t(isWithdraw ? `enum.ConsentScope.WITHDRAW_${s}` : `enum.ConsentScope.${s}`)}
            </label>
          ))}
        </div>
        <FieldErrors name={n("scope")} errors={errors} />
      </fieldset>
      {scope === "FACILITIES" && (
        <fieldset className="mb-4" data-field={n("facilityIds")}>
          <legend className="mb-1 text-sm font-medium text-slate-700">{t("consent.facilities")}</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {facilities.map((f) => (
              <label key={f.id} className={radioClass}>
                <input type="checkbox" name={n("facilityIds")} value={f.id} />
                {f.nameKanji}
              </label>
            ))}
          </div>
          <FieldErrors name={n("facilityIds")} errors={errors} />
        </fieldset>
      )}
      <div className="grid gap-x-4 sm:grid-cols-2">
        <fieldset className="mb-4" data-field={n("method")}>
          <legend className="mb-1 text-sm font-medium text-slate-700">{t("consent.method")}</legend>
          <div className="flex flex-wrap gap-2">
            {CONSENT_METHODS.map((m) => (
              <label key={m} className={radioClass}>
                <input type="radio" name={n("method")} value={m} defaultChecked={m === "WRITTEN"} />
                {t(`enum.ConsentMethod.${m}`)}
              </label>
            ))}
          </div>
          <FieldErrors name={n("method")} errors={errors} />
        </fieldset>
        <Field label={isWithdraw ? t("consent.withdrawDate") : t("consent.consentDate")} name={n("consentDate")} errors={errors} hint={t("consent.dateHint")} required>
          <Input name={n("consentDate")} errors={errors} defaultValue={today} autoComplete="off" />
        </Field>
        <Field label={t("consent.responsibleName")} name={n("responsibleName")} errors={errors}>
          <Input name={n("responsibleName")} errors={errors} autoComplete="off" />
        </Field>
        <Field label={t("consent.explainedByName")} name={n("explainedByName")} errors={errors}>
          <Input name={n("explainedByName")} errors={errors} autoComplete="off" />
        </Field>
      </div>
      <fieldset className="mb-4" data-field={n("signer")}>
        <legend className="mb-1 text-sm font-medium text-slate-700">{t("consent.signer")}</legend>
        <div className="flex flex-wrap gap-2">
          {CONSENT_SIGNERS.map((s) => (
            <label key={s} className={radioClass}>
              <input type="radio" name={n("signer")} value={s} checked={signer === s} onChange={() => setSigner(s)} />
              {t(`enum.ConsentSigner.${s}`)}
            </label>
          ))}
        </div>
        <FieldErrors name={n("signer")} errors={errors} />
      </fieldset>
      {signer === "PROXY" && (
        <div className="grid gap-x-4 sm:grid-cols-2">
          <Field label={t("consent.signerName")} name={n("signerName")} errors={errors} required>
            <Input name={n("signerName")} errors={errors} autoComplete="off" />
          </Field>
          <Field label={t("consent.proxyRelationship")} name={n("proxyRelationship")} errors={errors} required>
            <Input name={n("proxyRelationship")} errors={errors} autoComplete="off" />
          </Field>
        </div>
      )}
      {isWithdraw && (
        <Field label={t("consent.reason")} name={n("reason")} errors={errors} required>
          <Input name={n("reason")} errors={errors} autoComplete="off" />
        </Field>
      )}
      <Field label={t("consent.note")} name={n("note")} errors={errors}>
        <Input name={n("note")} errors={errors} autoComplete="off" />
      </Field>
      <Field label={t("consent.scan")} name={n("scan")} errors={errors}>
        <input id={n("scan")} name={n("scan")} type="file" accept="application/pdf,image/jpeg" className="block w-full text-sm" />
      </Field>
    </div>
  );
}
