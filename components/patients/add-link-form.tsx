"use client";

import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input, Select } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { addLinkAction } from "@/lib/patients/actions";

/**
 * 施設患者ID登録: one facility's patient ID for this patient. With `fixedFacility` only that facility
 * (a liaison adding their own facility, seed 000 "閲覧側で付与"); else a choice of facilities.
 */
export function AddLinkForm({
  patientId,
  facilities,
  fixedFacility,
  afterHref,
  compact = false,
}: {
  patientId: string;
  facilities?: { id: string; nameKanji: string }[];
  fixedFacility?: { id: string; nameKanji: string };
  /** where to go once linked (default: stay and refresh) */
  afterHref?: string;
  compact?: boolean;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const { pending, result, fieldErrors, onSubmit } = useActionForm((input) => addLinkAction({ ...input, patientId }), () => {
    if (afterHref) router.push(afterHref);
    else router.refresh();
  });
  // Errors come back on "link.facilityId" / "link.facilityPatientId" (the mutation's field) or the plain names (the schema's).
  const errors = Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k.replace(/^link\./, ""), v]));
  return (
    <form method="post" onSubmit={onSubmit} className={compact ? "flex flex-wrap items-end gap-2" : ""} data-testid="add-link-form">
      {!compact && <FormResultAlert result={result} />}
      {result?.ok && <Alert kind="success">{t("links.added")}</Alert>}
      {fixedFacility ? (
        <input type="hidden" name="facilityId" value={fixedFacility.id} />
      ) : (
        <Field label={t("patients.facility")} name="facilityId" errors={errors} required>
          <Select name="facilityId" errors={errors} defaultValue="">
            <option value="">―</option>
            {(facilities ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.nameKanji}
              </option>
            ))}
          </Select>
        </Field>
      )}
      <Field label={fixedFacility ? `${fixedFacility.nameKanji} ${t("patient.facilityPatientId")}` : t("patient.facilityPatientId")} name="facilityPatientId" errors={errors} required>
        <Input name="facilityPatientId" errors={errors} autoComplete="off" />
      </Field>
      <div className={compact ? "mb-4" : ""}>
        <Button type="submit" disabled={pending}>
          {pending ? t("common.saving") : t("links.addSubmit")}
        </Button>
      </div>
      {compact && result && !result.ok && !errors.facilityPatientId && <p className="w-full text-sm text-red-700" role="alert">{t(result.code === "NOT_FOUND" ? "common.notFound" : "common.error")}</p>}
    </form>
  );
}
