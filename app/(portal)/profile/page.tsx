import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { SecretQuestionForm } from "@/components/auth/secret-question-form";
import Link from "next/link";
import { MailAlertToggle } from "@/components/mail/mail-alert-toggle";
import { getMySecondFactor } from "@/lib/auth/second-factor/queries";
import { getSessionState, requireViewer } from "@/lib/auth/viewer";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { getMailAlert } from "@/lib/securemail/queries";
import { getProfile } from "@/lib/staff/queries";

/** 利用者情報: the viewer's own account, read-only, with the password and secret-question changes. */
export default async function ProfilePage({ searchParams }: { searchParams: Promise<{ changed?: string }> }) {
  const viewer = await requireViewer();
  const [{ changed }, t, locale, profile, state, mailAlert, secondFactor] = await Promise.all([
    searchParams,
    getT(),
    getLocale(),
    getProfile(viewer),
    getSessionState(),
    getMailAlert(viewer),
    getMySecondFactor(viewer),
  ]);
  const factorCount = (secondFactor.totpEnabledAt ? 1 : 0) + secondFactor.passkeys.length;
  const expiresAt = state.ok ? state.passwordExpiresAt : null;
  const items: [string, string][] = [
    [t("staff.name"), profile.nameKanji],
    [t("staff.nameKana"), profile.nameKana],
    [t("staff.loginId"), profile.loginId],
    [t("staff.facility"), profile.facilityName],
    [t("staff.qualification"), t(`enum.Qualification.${profile.qualification}`)],
    [t("staff.roles"), profile.roles.map((r) => t(`enum.StaffRole.${r}`)).join("、")],
    [t("staff.email"), profile.email ?? t("common.none")],
    [t("profile.passwordChangedAt"), formatDateTime(profile.passwordChangedAt, locale)],
    [t("profile.passwordExpiresAt"), expiresAt ? formatDateTime(expiresAt, locale, false) : ""],
    [t("staff.lastSignIn"), formatDateTime(profile.lastSignInAt, locale) || t("common.none")],
  ];
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("profile.title")}</h1>
      {changed === "1" && (
        <div role="status" className="rounded border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          {t("password.changed")}
        </div>
      )}
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("profile.info")}</h2>
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]" data-testid="profile">
          {items.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="font-medium text-slate-600">{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="rounded-lg bg-white p-5 shadow" data-testid="profile-second-factor">
        <h2 className="mb-2 text-lg font-semibold">{t("sf.profile.title")}</h2>
        <p className="mb-3 text-sm">
          {factorCount > 0 ? t("sf.profile.statusOn") : t("sf.profile.statusOff")}（{t("sf.profile.requirement")}: {t(`enum.SecondFactorRequirement.${secondFactor.requirement}`)}）
        </p>
        <Link href="/profile/second-factor" className="inline-flex min-h-11 items-center rounded border border-slate-300 px-4 text-teal-800 hover:bg-slate-50">
          {t("sf.profile.manage")}
        </Link>
      </section>
      {mailAlert.hasEmail && profile.email && (
        <section className="rounded-lg bg-white p-5 shadow">
          <h2 className="mb-3 text-lg font-semibold">{t("mail.alert.title")}</h2>
          <MailAlertToggle initial={mailAlert.on} email={profile.email} />
        </section>
      )}
      <div className="grid gap-6 lg:grid-cols-2">
        <section className="rounded-lg bg-white p-5 shadow">
          <h2 className="mb-3 text-lg font-semibold">{t("profile.changePassword")}</h2>
          <ChangePasswordForm afterSuccess="/profile?changed=1" />
        </section>
        <section className="rounded-lg bg-white p-5 shadow">
          <h2 className="mb-3 text-lg font-semibold">{t("profile.secretQuestion")}</h2>
          {profile.secretQuestion && (
            <p className="mb-3 text-sm">
              {t("profile.currentQuestion")}: {profile.secretQuestion}
            </p>
          )}
          <SecretQuestionForm afterSuccess={null} />
        </section>
      </div>
    </div>
  );
}
