import { notFound } from "next/navigation";
import { z } from "zod";
import { MailShell } from "@/components/mail/mail-shell";
import { MessageActions } from "@/components/mail/message-actions";
import { Attachments, Receipts, Sender, Thread } from "@/components/mail/message-view";
import { requireViewer } from "@/lib/auth/viewer";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { getMessage } from "@/lib/securemail/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadMailShell } from "../load-shell";

/** One message (opening it marks the viewer's copy read), its attachments, the sender's 既読確認 and the conversation. */
export default async function MailMessagePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const viewer = await requireViewer();
  const [t, locale, { message, thread }] = await Promise.all([getT(), getLocale(), orNotFound(getMessage(viewer, id))]);
  const shell = await loadMailShell(viewer);
  const backHref = message.isOwn ? "/mail?folder=sent" : "/mail";
  const rows: [string, React.ReactNode, string][] = [
    [t("mail.message.from"), <Sender key="from" party={message.from} t={t} />, "from"],
    [t("mail.message.to"), message.to.join("、"), "to"],
    [t("mail.message.date"), <time key="date" dateTime={message.sentAt?.toISOString()}>{formatDateTime(message.sentAt, locale)}</time>, "date"],
  ];
  return (
    <MailShell t={t} place={message.isOwn ? "sent" : "inbox"} data={shell}>
      <div className="space-y-4">
        <article className="space-y-4 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="mail-message" data-message-id={message.id}>
          <MessageActions messageId={message.id} entryId={message.entryId} isOwn={message.isOwn} canReply={message.canReply} backHref={backHref} />
          <h2 className="text-xl font-semibold break-words" data-testid="mail-subject">
            {message.subject || t("mail.noSubject")}
            {message.systemKind && <span className="ml-2 align-middle text-sm font-normal text-slate-600">（{t(`enum.MessageSystemKind.${message.systemKind}`)}）</span>}
          </h2>
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 border-y border-slate-200 py-2 text-sm">
            {rows.map(([label, value, key]) => (
              <div key={key} className="contents" data-testid={`mail-${key}`}>
                <dt className="text-slate-600">{label}</dt>
                <dd className="break-words">{value}</dd>
              </div>
            ))}
          </dl>
          {/* plain text only: line breaks kept, nothing interpreted as markup */}
          <div className="text-base leading-relaxed break-words whitespace-pre-wrap" data-testid="mail-body">
            {message.body.replace(/\r\n?/g, "\n")}
          </div>
          <Attachments message={message} t={t} />
          {message.receipts && <Receipts receipts={message.receipts} t={t} locale={locale} />}
        </article>
        <Thread thread={thread} currentId={message.id} t={t} locale={locale} />
      </div>
    </MailShell>
  );
}
