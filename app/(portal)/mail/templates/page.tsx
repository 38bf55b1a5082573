import { MailShell } from "@/components/mail/mail-shell";
import { TemplatesEditor } from "@/components/mail/templates-editor";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";
import { listTemplates } from "@/lib/securemail/queries";
import { loadMailShell } from "../load-shell";

/** 定型文管理 (seed 004): the viewer's own saved subjects and bodies. */
export default async function MailTemplatesPage() {
  const viewer = await requireViewer();
  const [t, templates, shell] = await Promise.all([getT(), listTemplates(viewer), loadMailShell(viewer)]);
  return (
    <MailShell t={t} place="templates" data={shell}>
      <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="templates-page">
        <h2 className="text-xl font-semibold">{t("mail.templates.title")}</h2>
        <p className="text-sm text-slate-600">{t("mail.templates.lead")}</p>
        <TemplatesEditor templates={templates} />
      </section>
    </MailShell>
  );
}
