import Link from "next/link";
import { SecondFactorReset } from "@/components/admin/second-factor-reset";
import { StaffAccountActions, StaffForm } from "@/components/admin/staff-form";
import { isSecretariat } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { orNotFound } from "@/lib/server/or-not-found";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { getStaff, getStaffSecondFactor, type TStaffAdminRow } from "@/lib/staff/queries";

/** The lock that is still running at request time (decided on the server). */
function activeLock(r: Pick<TStaffAdminRow, "lockedUntil">): Date | null {
  return r.lockedUntil && r.lockedUntil.getTime() > Date.now() ? r.lockedUntil : null;
}

export default async function StaffDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const { id } = await params;
  const staff = await orNotFound(getStaff(viewer, id));
  const [t, locale, secondFactor] = await Promise.all([getT(), getLocale(), getStaffSecondFactor(viewer, id)]);
  const hasSecondFactor = !!secondFactor.totpEnabledAt || secondFactor.passkeys > 0;
  const lockedUntil = activeLock(staff);
  const status = staff.isRetired ? "retired" : lockedUntil ? "locked" : "active";
  const rows: [string, React.ReactNode][] = [
    [t("staff.loginId"), <span key="l" className="font-mono">{staff.loginId}</span>],
    [t("staff.facility"), staff.facilityName],
    [t("staff.status"), t(`staff.status.${status}`)],
    [t("staff.lockState"), lockedUntil ? t("staff.lockedUntil", { date: formatDateTime(lockedUntil, locale) }) : t("staff.notLocked")],
    [t("staff.lastSignIn"), formatDateTime(staff.lastSignInAt, locale) || t("common.none")],
    [
      t("staff.passwordChangedAt"),
      staff.mustChangePassword ? `${formatDateTime(staff.passwordChangedAt, locale)}（${t("staff.mustChangePassword")}）` : formatDateTime(staff.passwordChangedAt, locale),
    ],
    ...(staff.retiredAt ? [[t("staff.retiredAt"), formatDateTime(staff.retiredAt, locale, false)] as [string, React.ReactNode]] : []),
  ];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">
          {t("staff.editTitle")}: {staff.nameKanji}
        </h1>
        <Link href={`/admin/staff?facilityId=${encodeURIComponent(staff.facilityId)}`} className="inline-flex min-h-11 items-center text-teal-700 underline">
          {t("staff.backToList")}
        </Link>
      </div>
      <section className="rounded-lg bg-white p-5 shadow">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="staff-summary">
          {rows.map(([label, value], i) => (
            <div key={i} className="contents">
              <dt className="font-medium text-slate-600">{label}</dt>
              <dd data-testid={i === 2 ? "staff-status" : undefined}>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("staff.info")}</h2>
        <StaffForm
          key={staff.id}
          staffId={staff.id}
          canGrantSecretariat={isSecretariat(viewer)}
          initial={{
            nameKanji: staff.nameKanji,
            nameKana: staff.nameKana,
            qualification: staff.qualification,
            roles: staff.roles,
            hasEmsPrivilege: staff.hasEmsPrivilege,
            email: staff.email,
          }}
        />
      </section>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("staff.account")}</h2>
        <StaffAccountActions staffId={staff.id} isRetired={staff.isRetired} />
      </section>
      <section className="rounded-lg bg-white p-5 shadow" data-testid="staff-second-factor">
        <h2 className="mb-3 text-lg font-semibold">{t("sf.admin.title")}</h2>
        <dl className="mb-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="font-medium text-slate-600">{t("sf.admin.totp")}</dt>
          <dd>{secondFactor.totpEnabledAt ? t("sf.totp.on", { date: formatDateTime(secondFactor.totpEnabledAt, locale) }) : t("sf.totp.off")}</dd>
          <dt className="font-medium text-slate-600">{t("sf.admin.passkeys")}</dt>
          <dd>{t("sf.admin.count", { count: secondFactor.passkeys })}</dd>
          <dt className="font-medium text-slate-600">{t("sf.admin.recovery")}</dt>
          <dd>{t("sf.admin.count", { count: secondFactor.recoveryCodesLeft })}</dd>
        </dl>
        {viewer.userId !== staff.id && <SecondFactorReset staffId={staff.id} hasFactor={hasSecondFactor} />}
      </section>
    </div>
  );
}
