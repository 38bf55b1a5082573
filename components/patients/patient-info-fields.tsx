"use client";

import { useI18n } from "@/components/i18n-provider";
import { Field, Input, Select } from "@/components/ui/form";
import { SEXES } from "@/lib/enums";

export type TPatientInfoDefaults = Partial<Record<"nameKanji" | "nameKana" | "sex" | "birthDate" | "postalCode" | "address" | "phone" | "mobilePhone", string>>;

/** 個人情報 fields (registration and editing). Names carry `prefix` ("patient." in the wizard). */
export function PatientInfoFields({ prefix = "", errors, defaults = {} }: { prefix?: string; errors: Record<string, string[]>; defaults?: TPatientInfoDefaults }) {
  const { t } = useI18n();
  const n = (field: string) => `${prefix}${field}`;
  const text = (field: keyof TPatientInfoDefaults, label: string, opts: { required?: boolean; hint?: string; inputMode?: "numeric" | "tel"; placeholder?: string } = {}) => (
    <Field label={label} name={n(field)} errors={errors} required={opts.required} hint={opts.hint}>
      <Input name={n(field)} errors={errors} defaultValue={defaults[field] ?? ""} autoComplete="off" inputMode={opts.inputMode} placeholder={opts.placeholder} />
    </Field>
  );
  return (
    <div className="grid gap-x-4 sm:grid-cols-2">
      {text("nameKanji", t("patient.nameKanji"), { required: true })}
      {text("nameKana", t("patient.nameKana"), { required: true, hint: t("patient.nameKanaHint") })}
      <Field label={t("patient.sex")} name={n("sex")} errors={errors} required>
        <Select name={n("sex")} errors={errors} defaultValue={defaults.sex ?? ""}>
          <option value="">―</option>
          {SEXES.map((s) => (
            <option key={s} value={s}>
              {t(`enum.Sex.${s}`)}
            </option>
          ))}
        </Select>
      </Field>
      {text("birthDate", t("patient.birthDate"), { required: true, hint: t("patient.birthDateHint"), placeholder: "S41/06/06" })}
      {text("postalCode", t("patient.postalCode"), { inputMode: "numeric" })}
      {text("address", t("patient.address"))}
      {text("phone", t("patient.phone"), { inputMode: "tel" })}
      {text("mobilePhone", t("patient.mobilePhone"), { inputMode: "tel" })}
    </div>
  );
}
