import { MailingLists } from "@/components/mail/mailing-lists";
import { MailShell } from "@/components/mail/mail-shell";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";
import { listMailingLists } from "@/lib/securemail/queries";
import { loadMailShell } from "../load-shell";

/** メーリングリスト (seed 004): lists of people across facilities, addressed as one in メール作成. */
export default async function MailingListsPage() {
  const viewer = await requireViewer();
  const [t, lists, shell] = await Promise.all([getT(), listMailingLists(viewer), loadMailShell(viewer)]);
  return (
    <MailShell t={t} place="lists" data={shell}>
      <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="lists-page">
        <h2 className="text-xl font-semibold">{t("mail.lists.title")}</h2>
        <p className="text-sm text-slate-600">{t("mail.lists.lead")}</p>
        <MailingLists lists={lists} />
      </section>
    </MailShell>
  );
}
