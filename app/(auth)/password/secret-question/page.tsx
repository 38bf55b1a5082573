import { redirect } from "next/navigation";
import { SecretQuestionForm } from "@/components/auth/secret-question-form";
import { getSessionState, requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export default async function SecretQuestionPage() {
  await requireViewer({ passwordFlow: true });
  const [t, state] = await Promise.all([getT(), getSessionState()]);
  if (state.ok && state.mustChangePassword) redirect("/password/change");
  return (
    <section className="mx-auto max-w-lg rounded-lg bg-white p-6 shadow">
      <h1 className="mb-2 text-xl font-bold">{t("secret.title")}</h1>
      <p className="mb-4 text-sm text-slate-700">{t("secret.lead")}</p>
      <SecretQuestionForm />
    </section>
  );
}
