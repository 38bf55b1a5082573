"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { CheckboxField } from "@/components/admin/facility-form";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, FormResultAlert, Input, Select } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { QUALIFICATIONS, STAFF_ROLES, type Qualification, type StaffRole } from "@/lib/enums";
import { createStaffAction, reinstateStaffAction, resetStaffPasswordAction, retireStaffAction, updateStaffAction } from "@/lib/staff/actions";

export type TStaffFormValues = {
  nameKanji: string;
  nameKana: string;
  qualification: Qualification | "";
  roles: StaffRole[];
  hasEmsPrivilege: boolean;
  email: string | null;
};

type TFacilityOption = { id: string; code: string; nameKanji: string };

const EMPTY: TStaffFormValues = { nameKanji: "", nameKana: "", qualification: "", roles: ["CLINICIAN"], hasEmsPrivilege: false, email: null };

/** The temporary password, shown once after creating an account or resetting its password. */
function TemporaryPassword({ title, password, detailHref }: { title: string; password: string; detailHref?: string }) {
  const { t } = useI18n();
  return (
    <Alert kind="success">
      <p className="font-semibold">{title}</p>
      <p className="mt-2">
        {t("staff.temporaryPassword")}:{" "}
        <code className="rounded bg-white px-2 py-1 text-lg tracking-wider" data-testid="temporary-password">
          {password}
        </code>
      </p>
      <p className="mt-1 text-xs">{t("staff.temporaryPasswordNote")}</p>
      {detailHref && (
        <p className="mt-2">
          <Link href={detailHref} className="font-medium text-teal-800 underline">
            {t("staff.openDetail")}
          </Link>
        </p>
      )}
    </Alert>
  );
}

/**
 * 職員情報の登録 (no staffId) or 編集 (staffId). On create the facility is chosen (secretariat) or
 * fixed to the administrator's own; the login ID and facility cannot change afterwards.
 */
export function StaffForm({
  staffId,
  initial,
  facilities,
  facilityId,
  canGrantSecretariat,
}: {
  staffId?: string;
  initial?: TStaffFormValues;
  /** create only: the facilities to choose from (one entry: fixed, sent as a hidden field) */
  facilities?: TFacilityOption[];
  facilityId?: string;
  canGrantSecretariat: boolean;
}) {
  const { t } = useI18n();
  const router = useRouter();
  const [created, setCreated] = useState<{ id: string; temporaryPassword: string } | null>(null);
  const [saved, setSaved] = useState(false);
  const action = staffId
    ? async (input: Record<string, unknown>) => {
        const r = await updateStaffAction(staffId, input);
        return r.ok ? { ok: true as const, data: null } : r;
      }
    : async (input: Record<string, unknown>) => {
        const r = await createStaffAction(input);
        return r.ok ? { ok: true as const, data: r.data } : r;
      };
  const { pending, result, fieldErrors, onSubmit } = useActionForm<{ id: string; temporaryPassword: string } | null>(action, (data) => {
    if (data) {
      setCreated(data);
    } else {
      setSaved(true);
      router.refresh();
    }
  });

  if (created) {
    return (
      <div data-testid="staff-created">
        <TemporaryPassword title={t("staff.created")} password={created.temporaryPassword} detailHref={`/admin/staff/${created.id}`} />
        <Link href={`/admin/staff?facilityId=${facilityId ?? ""}`} className="inline-flex min-h-11 items-center text-teal-700 underline">
          {t("staff.backToList")}
        </Link>
      </div>
    );
  }

  const v = initial ?? EMPTY;
  const onlyFacility = facilities?.length === 1 ? facilities[0] : undefined;
  const roles = STAFF_ROLES.filter((r) => canGrantSecretariat || r !== "SECRETARIAT");
  const rolesInvalid = (fieldErrors.roles?.length ?? 0) > 0;
  return (
    <form
      onSubmit={(e) => {
        setSaved(false);
        return onSubmit(e);
      }}
      noValidate
      className="grid gap-x-6 md:grid-cols-2"
    >
      <div className="md:col-span-2">
        <FormResultAlert result={result} />
        {saved && (!result || result.ok) && <Alert kind="success">{t("common.saved")}</Alert>}
      </div>
      {!staffId && facilities && (
        <>
          {onlyFacility ? (
            <Field label={t("staff.facility")} name="facilityId" errors={fieldErrors}>
              <input type="hidden" name="facilityId" value={onlyFacility.id} />
              <p className="py-2">
                {onlyFacility.code} {onlyFacility.nameKanji}
              </p>
            </Field>
          ) : (
            <Field label={t("staff.facility")} name="facilityId" errors={fieldErrors} required>
              <Select name="facilityId" defaultValue={facilityId ?? ""} errors={fieldErrors}>
                <option value="">{t("cert.chooseFacility")}</option>
                {facilities.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.code} {f.nameKanji}
                  </option>
                ))}
              </Select>
            </Field>
          )}
          <Field label={t("staff.loginId")} name="loginId" errors={fieldErrors} hint={t("staff.loginIdHint")} required>
            <Input name="loginId" errors={fieldErrors} autoComplete="off" autoCapitalize="none" />
          </Field>
        </>
      )}
      <Field label={t("staff.nameKanji")} name="nameKanji" errors={fieldErrors} required>
        <Input name="nameKanji" defaultValue={v.nameKanji} errors={fieldErrors} />
      </Field>
      <Field label={t("staff.nameKana")} name="nameKana" errors={fieldErrors} required>
        <Input name="nameKana" defaultValue={v.nameKana} errors={fieldErrors} />
      </Field>
      <Field label={t("staff.qualification")} name="qualification" errors={fieldErrors} required>
        <Select name="qualification" defaultValue={v.qualification} errors={fieldErrors}>
          <option value="">{t("staff.chooseQualification")}</option>
          {QUALIFICATIONS.map((q) => (
            <option key={q} value={q}>
              {t(`enum.Qualification.${q}`)}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t("staff.email")} name="email" errors={fieldErrors}>
        <Input name="email" type="email" defaultValue={v.email ?? ""} errors={fieldErrors} />
      </Field>
      <fieldset className="mb-4 md:col-span-2" data-field="roles" aria-describedby={rolesInvalid ? "roles-error" : undefined}>
        <legend className="mb-1 text-sm font-medium text-slate-700">
          {t("staff.roles")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </legend>
        <div className="flex flex-wrap gap-x-6">
          {roles.map((r) => (
            <label key={r} className="flex min-h-11 cursor-pointer items-center gap-2">
              <input type="checkbox" name="roles" value={r} defaultChecked={v.roles.includes(r)} aria-invalid={rolesInvalid} className="h-5 w-5 accent-teal-700" />
              {t(`enum.StaffRole.${r}`)}
            </label>
          ))}
        </div>
        <FieldErrors name="roles" errors={fieldErrors} />
      </fieldset>
      <div className="md:col-span-2">
        <CheckboxField name="hasEmsPrivilege" label={t("staff.hasEmsPrivilege")} defaultChecked={v.hasEmsPrivilege} errors={fieldErrors} />
      </div>
      <div className="md:col-span-2">
        <Button type="submit" disabled={pending}>
          {pending ? t("common.saving") : staffId ? t("common.save") : t("staff.submitCreate")}
        </Button>
      </div>
    </form>
  );
}

/** パスワードリセット, 退職処理 (with a confirm step) and 復職 for one account. */
export function StaffAccountActions({ staffId, isRetired }: { staffId: string; isRetired: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [temporaryPassword, setTemporaryPassword] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const reset = useActionForm(resetStaffPasswordAction, (d) => {
    setDone(null);
    setTemporaryPassword(d.temporaryPassword);
    router.refresh();
  });
  const retire = useActionForm(retireStaffAction, () => {
    setConfirming(false);
    setDone("staff.retired");
    router.refresh();
  });
  const reinstate = useActionForm(reinstateStaffAction, () => {
    setDone("staff.reinstated");
    router.refresh();
  });
  const failed = [reset.result, retire.result, reinstate.result].find((r) => r && !r.ok) ?? null;
  return (
    <div>
      <FormResultAlert result={failed} />
      {temporaryPassword && <TemporaryPassword title={t("staff.resetDone")} password={temporaryPassword} />}
      {done && <Alert kind="success">{t(done)}</Alert>}
      <div className="flex flex-wrap items-start gap-3">
        <form method="post" onSubmit={reset.onSubmit}>
          <input type="hidden" name="id" value={staffId} />
          <Button type="submit" variant="secondary" disabled={reset.pending}>
            {t("staff.resetPassword")}
          </Button>
        </form>
        {isRetired ? (
          <form method="post" onSubmit={reinstate.onSubmit}>
            <input type="hidden" name="id" value={staffId} />
            <Button type="submit" variant="secondary" disabled={reinstate.pending}>
              {t("staff.reinstate")}
            </Button>
          </form>
        ) : (
          !confirming && (
            <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
              {t("staff.retire")}
            </Button>
          )
        )}
      </div>
      {!isRetired && confirming && (
        <form method="post" onSubmit={retire.onSubmit} className="mt-3 rounded border border-red-200 bg-red-50 p-3">
          <input type="hidden" name="id" value={staffId} />
          <p className="mb-2 text-sm text-red-900">{t("staff.retireQuestion")}</p>
          <div className="flex flex-wrap gap-3">
            <Button type="submit" variant="danger" disabled={retire.pending}>
              {t("staff.retireConfirm")}
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
