import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { getSessionState, requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export default async function ChangePasswordPage() {
  await requireViewer({ passwordFlow: true });
  const [t, state] = await Promise.all([getT(), getSessionState()]);
  const expired = state.ok && state.passwordExpiresAt <= new Date();
  const forced = state.ok && state.mustChangePassword;
  return (
    <section className="mx-auto max-w-lg rounded-lg bg-white p-6 shadow">
      <h1 className="mb-2 text-xl font-bold">{t("password.changeTitle")}</h1>
      <p className="mb-4 text-sm text-slate-700">{expired ? t("password.expiredLead") : forced ? t("password.firstLead") : t("password.changeLead")}</p>
      <ChangePasswordForm />
    </section>
  );
}
