import { ResetPasswordForm } from "@/components/auth/reset-password-form";
import { getT } from "@/lib/i18n/server";

export default async function ForgotPasswordPage() {
  const t = await getT();
  return (
    <section className="mx-auto max-w-lg rounded-lg bg-white p-6 shadow">
      <h1 className="mb-2 text-xl font-bold">{t("reset.title")}</h1>
      <p className="mb-4 text-sm text-slate-700">{t("reset.lead")}</p>
      <ResetPasswordForm />
    </section>
  );
}
