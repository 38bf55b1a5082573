import Link from "next/link";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";
import { isInlineSafe } from "@/lib/files/upload-type";
import { formatMegabytes } from "@/lib/notes/model";
import type { TMailMessage, TMailParty, TReadReceipt } from "@/lib/securemail/dto";

export const attachmentUrl = (messageId: string, attachmentId: string) => `/api/mail/messages/${messageId}/attachments/${attachmentId}`;

/** The sender: name and facility, or 「システム」 for the network's own messages. */
export function Sender({ party, t }: { party: TMailParty; t: TTranslate }) {
  if (party.isSystem) return <span className="rounded bg-sky-100 px-1.5 py-0.5 text-sm font-semibold text-sky-900">{t("mail.system")}</span>;
  return (
    <span>
      <span className="font-medium">{party.name}</span>
      {party.facilityName && <span className="ml-2 text-slate-600">{party.facilityName}</span>}
    </span>
  );
}

export function Attachments({ message, t }: { message: TMailMessage; t: TTranslate }) {
  if (message.attachments.length === 0) return null;
  return (
    <section className="rounded border border-slate-200 bg-slate-50 px-3 py-2" data-testid="mail-attachments">
      <h3 className="text-sm font-semibold text-slate-700">{t("mail.attachments", { count: message.attachments.length })}</h3>
      <ul className="text-sm">
        {message.attachments.map((a) => (
          <li key={a.id} className="flex flex-wrap items-center gap-x-3" data-file={a.fileName}>
            <a
              href={attachmentUrl(message.id, a.id)}
              {...(isInlineSafe(a.contentType) ? { target: "_blank", rel: "noopener noreferrer" } : { download: a.fileName })}
              className="inline-flex min-h-11 items-center break-all text-teal-800 underline underline-offset-2"
            >
              {a.fileName}
            </a>
            {isInlineSafe(a.contentType) && (
              <a href={`${attachmentUrl(message.id, a.id)}?download=1`} download={a.fileName} className="inline-flex min-h-11 items-center text-sm text-teal-800 underline underline-offset-2" data-testid="attachment-download">
                {t("mail.download")}
              </a>
            )}
            <span className="text-xs text-slate-600">{formatMegabytes(a.size)}</span>
            {(a.scan === "CLEAN" || a.scan === "NOT_SCANNED") && (
              <span className={`rounded px-1.5 py-0.5 text-xs ${a.scan === "CLEAN" ? "bg-emerald-50 text-emerald-900" : "bg-slate-100 text-slate-700"}`}>{t(`notes.scan.${a.scan}`)}</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** 既読確認 (seed 004): for the sender, each recipient and when they read it. */
export function Receipts({ receipts, t, locale }: { receipts: TReadReceipt[]; t: TTranslate; locale: TLocale }) {
  const read = receipts.filter((r) => r.readAt).length;
  return (
    <section className="space-y-2" data-testid="mail-receipts">
      <h3 className="font-semibold">
        {t("mail.receipts.title")} <span className="text-sm font-normal text-slate-600">{t("mail.receipts.summary", { read, total: receipts.length })}</span>
      </h3>
      <div className="overflow-x-auto rounded border border-slate-200">
        <table className="min-w-full text-sm">
          <thead className="bg-slate-100 text-left">
            <tr>
              <th className="px-3 py-2 whitespace-nowrap">{t("mail.receipts.recipient")}</th>
              <th className="hidden px-3 py-2 whitespace-nowrap sm:table-cell">{t("mail.receipts.addressedAs")}</th>
              <th className="px-3 py-2 whitespace-nowrap">{t("mail.receipts.readAt")}</th>
            </tr>
          </thead>
          <tbody>
            {receipts.map((r) => (
              <tr key={r.userId} className="border-t border-slate-200 align-top" data-testid="mail-receipt" data-name={r.name} data-read={r.readAt ? "1" : "0"}>
                <td className="px-3 py-2">
                  <span className="block font-medium">{r.name}</span>
                  <span className="block text-xs text-slate-600">{r.facilityName}</span>
                  {/* a phone has no room for the 宛先 column */}
                  {r.addressedAs !== `${r.name}（${r.facilityName}）` && (
                    <span className="mt-0.5 block text-xs text-slate-600 sm:hidden">
                      {t("mail.receipts.addressedAs")}: {r.addressedAs}
                    </span>
                  )}
                </td>
                <td className="hidden px-3 py-2 break-words sm:table-cell">{r.addressedAs}</td>
                <td className="px-3 py-2">
                  {r.readAt ? (
                    <span className="text-emerald-800">
                      {t("mail.read")} <time className="whitespace-nowrap" dateTime={r.readAt.toISOString()}>{formatDateTime(r.readAt, locale)}</time>
                    </span>
                  ) : (
                    <span className="rounded bg-amber-100 px-1.5 py-0.5 text-amber-900">{t("mail.unread")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The conversation, oldest first; the open message is marked, the others open by their subject. */
export function Thread({ thread, currentId, t, locale }: { thread: TMailMessage[]; currentId: string; t: TTranslate; locale: TLocale }) {
  if (thread.length <= 1) return null;
  return (
    <section className="space-y-2 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="mail-thread">
      <h2 className="text-lg font-semibold">{t("mail.thread.title", { count: thread.length })}</h2>
      <ol className="space-y-2">
        {thread.map((m) => {
          const isCurrent = m.id === currentId;
          return (
            <li
              key={m.id}
              className={`rounded border px-3 py-2 ${isCurrent ? "border-teal-600 bg-teal-50" : "border-slate-200"}`}
              data-testid="thread-message"
              data-current={isCurrent ? "1" : "0"}
              aria-current={isCurrent ? "true" : undefined}
            >
              <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1 text-sm">
                <Sender party={m.from} t={t} />
                <time dateTime={m.sentAt?.toISOString()} className="ml-auto text-xs whitespace-nowrap text-slate-600">
                  {formatDateTime(m.sentAt, locale)}
                </time>
              </div>
              {isCurrent ? (
                <p className="py-1 font-medium">
                  {m.subject} <span className="ml-1 rounded bg-teal-700 px-1.5 py-0.5 text-xs font-normal text-white">{t("mail.thread.current")}</span>
                </p>
              ) : (
                <Link href={`/mail/${m.id}`} className="inline-flex min-h-11 items-center font-medium break-words text-teal-800 underline underline-offset-2">
                  {m.subject}
                </Link>
              )}
              {!isCurrent && <p className="line-clamp-3 text-sm whitespace-pre-wrap text-slate-700">{m.body.replace(/\r\n?/g, "\n")}</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
