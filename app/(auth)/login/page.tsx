import { redirect } from "next/navigation";
import { LoginForm } from "@/components/auth/login-form";
import { Announcements } from "@/components/layout/announcements";
import { listPublicAnnouncements } from "@/lib/announcements/queries";
import { getSessionState, getTerminal } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ reason?: string; error?: string; callbackUrl?: string }> }) {
  const [t, terminal, state, params] = await Promise.all([getT(), getTerminal(), getSessionState(), searchParams]);
  if (state.ok) redirect("/");
  const announcements = await listPublicAnnouncements();
  const reasonText = params.reason ? t(`login.reason.${params.reason}`) : "";
  const callbackUrl = params.callbackUrl?.startsWith("/") && !params.callbackUrl.startsWith("//") ? params.callbackUrl : "/";
  return (
    <div className="grid gap-8 md:grid-cols-2">
      <section className="rounded-lg bg-white p-6 shadow">
        <h1 className="mb-4 text-xl font-bold">{t("login.title")}</h1>
        {terminal && <p className="mb-4 text-sm text-slate-600">{t("login.terminal", { facility: terminal.facilityName, terminal: terminal.terminalName })}</p>}
        <LoginForm reason={reasonText && !reasonText.startsWith("login.reason") ? reasonText : ""} initialError={params.error ?? null} callbackUrl={callbackUrl} />
        <p className="mt-6 text-xs text-slate-500">{t("login.personal")}</p>
      </section>
      <section>
        <h2 className="mb-3 text-lg font-semibold">{t("login.notice")}</h2>
        <Announcements items={announcements} />
      </section>
    </div>
  );
}
