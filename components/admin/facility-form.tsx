"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, FormResultAlert, Input, Select } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import type { TFacilityRow } from "@/lib/facilities/queries";
import { FACILITY_TYPES } from "@/lib/enums";
import { createFacilityAction, updateFacilityAction } from "@/lib/facilities/actions";

/** The editable fields of a facility: the list row without what the server derives. */
export type TFacilityFormValues = Omit<TFacilityRow, "id" | "staffCount" | "linkedPatientCount" | "registeredPatientCount">;

/** A checkbox that sends "on" when ticked, with its label, hint and messages. */
export function CheckboxField({
  name,
  label,
  hint,
  defaultChecked,
  errors,
}: {
  name: string;
  label: string;
  hint?: string;
  defaultChecked?: boolean;
  errors: Record<string, string[]>;
}) {
  const invalid = (errors[name]?.length ?? 0) > 0;
  return (
    <div className="mb-3" data-field={name}>
      <label htmlFor={name} className="flex min-h-11 cursor-pointer items-center gap-3 text-base">
        <input
          type="checkbox"
          id={name}
          name={name}
          value="on"
          defaultChecked={defaultChecked}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${name}-error` : undefined}
          className="h-5 w-5 accent-teal-700"
        />
        {label}
      </label>
      {hint && <p className="ml-8 text-xs text-slate-500">{hint}</p>}
      <FieldErrors name={name} errors={errors} />
    </div>
  );
}

const EMPTY: TFacilityFormValues = {
  code: "",
  medicalInstitutionCode: null,
  domain: "",
  nameKanji: "",
  nameKana: "",
  nameEnglish: null,
  postalCode: null,
  address: null,
  phone: null,
  email: null,
  type: "CLINIC",
  isDisclosing: false,
  isViewing: true,
  isCoreHospital: false,
  emsAllowed: false,
  isActive: true,
};

/** 施設情報の登録・編集 (secretariat). */
export function FacilityForm({ id, initial, saved = false }: { id?: string; initial?: TFacilityFormValues; saved?: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [showSaved, setShowSaved] = useState(saved);
  const action = id ? (input: Record<string, unknown>) => updateFacilityAction(id, input) : createFacilityAction;
  const { pending, result, fieldErrors, onSubmit } = useActionForm(action, (data) => {
    if (!id) {
      router.push(`/admin/facilities/${data.id}?saved=1`);
      return;
    }
    setShowSaved(true);
    router.refresh();
  });
  const v = initial ?? EMPTY;
  const text = (name: keyof TFacilityFormValues) => (v[name] as string | null) ?? "";
  return (
    <form
      onSubmit={(e) => {
        setShowSaved(false);
        return onSubmit(e);
      }}
      noValidate
      className="grid gap-x-6 md:grid-cols-2"
    >
      <div className="md:col-span-2">
        <FormResultAlert result={result} />
        {showSaved && (!result || result.ok) && <Alert kind="success">{t("common.saved")}</Alert>}
      </div>
      <Field label={t("facility.code")} name="code" errors={fieldErrors} hint={t("facility.codeHint")} required>
        <Input name="code" defaultValue={text("code")} errors={fieldErrors} autoComplete="off" />
      </Field>
      <Field label={t("facility.medicalInstitutionCode")} name="medicalInstitutionCode" errors={fieldErrors} hint={t("facility.medicalInstitutionCodeHint")}>
        <Input name="medicalInstitutionCode" defaultValue={text("medicalInstitutionCode")} inputMode="numeric" errors={fieldErrors} autoComplete="off" />
      </Field>
      <Field label={t("facility.domain")} name="domain" errors={fieldErrors} hint={t("facility.domainHint")} required>
        <Input name="domain" defaultValue={text("domain")} errors={fieldErrors} autoComplete="off" />
      </Field>
      <Field label={t("facility.type")} name="type" errors={fieldErrors} required>
        <Select name="type" defaultValue={v.type} errors={fieldErrors}>
          <option value="">{t("facility.chooseType")}</option>
          {FACILITY_TYPES.map((ft) => (
            <option key={ft} value={ft}>
              {t(`enum.FacilityType.${ft}`)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t("facility.nameKanji")} name="nameKanji" errors={fieldErrors} required>
        <Input name="nameKanji" defaultValue={text("nameKanji")} errors={fieldErrors} />
      </Field>
      <Field label={t("facility.nameKana")} name="nameKana" errors={fieldErrors} required>
        <Input name="nameKana" defaultValue={text("nameKana")} errors={fieldErrors} />
      </Field>
      <Field label={t("facility.nameEnglish")} name="nameEnglish" errors={fieldErrors}>
        <Input name="nameEnglish" defaultValue={text("nameEnglish")} errors={fieldErrors} />
      </Field>
      <Field label={t("facility.postalCode")} name="postalCode" errors={fieldErrors}>
        <Input name="postalCode" defaultValue={text("postalCode")} inputMode="numeric" autoComplete="postal-code" errors={fieldErrors} />
      </Field>
      <div className="md:col-span-2">
        <Field label={t("facility.address")} name="address" errors={fieldErrors}>
          <Input name="address" defaultValue={text("address")} errors={fieldErrors} />
        </Field>
      </div>
      <Field label={t("facility.phone")} name="phone" errors={fieldErrors}>
        <Input name="phone" type="tel" defaultValue={text("phone")} errors={fieldErrors} />
      </Field>
      <Field label={t("facility.email")} name="email" errors={fieldErrors}>
        <Input name="email" type="email" defaultValue={text("email")} errors={fieldErrors} />
      </Field>
      <div className="md:col-span-2">
        <CheckboxField name="isDisclosing" label={t("facility.isDisclosing")} hint={t("facility.isDisclosingHint")} defaultChecked={v.isDisclosing} errors={fieldErrors} />
        <CheckboxField name="isViewing" label={t("facility.isViewing")} hint={t("facility.isViewingHint")} defaultChecked={v.isViewing} errors={fieldErrors} />
        <CheckboxField name="isCoreHospital" label={t("facility.isCoreHospital")} hint={t("facility.isCoreHospitalHint")} defaultChecked={v.isCoreHospital} errors={fieldErrors} />
        <CheckboxField name="emsAllowed" label={t("facility.emsAllowed")} hint={t("facility.emsAllowedHint")} defaultChecked={v.emsAllowed} errors={fieldErrors} />
        <CheckboxField name="isActive" label={t("facility.isActive")} defaultChecked={v.isActive} errors={fieldErrors} />
      </div>
      <div className="flex flex-wrap items-center gap-4 md:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? t("common.saving") : id ? t("common.save") : t("facility.submitCreate")}
        </Button>
        <Link href="/admin/facilities" className="inline-flex min-h-11 items-center text-teal-700 underline">
          {t("facility.backToList")}
        </Link>
      </div>
    </form>
  );
}
