import Link from "next/link";
import { notFound } from "next/navigation";
import { Card, PageTitle, TableScroll, td, th } from "@/components/audit/parts";
import { Alert } from "@/components/ui/form";
import { Pager, pageHref } from "@/components/ui/pager";
import { canSeeMailOutbox } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { MAIL_STATES, type MailState } from "@/lib/enums";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { listOutbox } from "@/lib/mail/queries";
import { ZOutboxFilter } from "@/lib/mail/schema";

const chip = "inline-flex min-h-11 items-center gap-2 rounded-full border px-4 text-sm";
const stateClass: Record<MailState, string> = {
  PENDING: "bg-amber-100 text-amber-900",
  SENT: "bg-emerald-100 text-emerald-900",
  FAILED: "bg-red-100 text-red-900",
};

function StateLabel({ state, label }: { state: MailState; label: string }) {
  return <span className={`rounded px-2 py-0.5 text-xs whitespace-nowrap ${stateClass[state]}`}>{label}</span>;
}

/** The mail outbox (secretariat): whether SMTP is set up, what waits, what was sent, what failed. */
export default async function MailOutboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  if (!canSeeMailOutbox(viewer)) notFound();
  const f = ZOutboxFilter.parse(await searchParams);
  const [t, locale, outbox] = await Promise.all([getT(), getLocale(), listOutbox(viewer, { state: f.state ?? null, page: f.page })]);
  const all = MAIL_STATES.reduce((sum, s) => sum + (outbox.counts[s] ?? 0), 0);
  const filters = [
    { href: "/admin/mail-outbox", label: t("common.all"), count: all, isCurrent: !f.state, state: "ALL" },
    ...MAIL_STATES.map((s) => ({ href: `/admin/mail-outbox?state=${s}`, label: t(`enum.MailState.${s}`), count: outbox.counts[s] ?? 0, isCurrent: f.state === s, state: s })),
  ];
  const hrefFor = (page: number) => pageHref("/admin/mail-outbox", { state: f.state }, page);
  return (
    <div className="space-y-6">
      <PageTitle title={t("outbox.title")} lead={t("outbox.lead")} />
      <div data-testid="smtp-banner" data-configured={outbox.smtpConfigured}>
        <Alert kind={outbox.smtpConfigured ? "success" : "warning"}>{outbox.smtpConfigured ? t("outbox.smtpOn") : t("outbox.smtpOff")}</Alert>
      </div>
      <Card testId="outbox">
        <nav className="mb-4 flex flex-wrap gap-2" aria-label={t("outbox.filter")} data-testid="outbox-counts">
          {filters.map((c) => (
            <Link
              key={c.state}
              href={c.href}
              aria-current={c.isCurrent ? "page" : undefined}
              data-state={c.state}
              className={`${chip} ${c.isCurrent ? "border-teal-700 bg-teal-700 font-semibold text-white" : "border-slate-300 bg-white text-teal-800 hover:bg-teal-50"}`}
            >
              {c.label}
              <span className={`rounded-full px-2 text-xs tabular-nums ${c.isCurrent ? "bg-white/20" : "bg-slate-100 text-slate-700"}`}>{c.count.toLocaleString("ja-JP")}</span>
            </Link>
          ))}
        </nav>
        {outbox.rows.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="outbox-empty">
            {t("outbox.empty")}
          </p>
        ) : (
          <>
            {/* A phone gets one card per message; a tablet or wider, the table. */}
            <ul className="space-y-2 md:hidden" data-testid="outbox-cards">
              {outbox.rows.map((m) => (
                <li key={m.id} className="rounded border border-slate-200 p-3 text-sm" data-testid="outbox-card" data-state={m.state}>
                  <div className="flex items-start gap-2">
                    <span className="min-w-0 flex-1 font-medium break-words">{m.subject}</span>
                    <StateLabel state={m.state} label={t(`enum.MailState.${m.state}`)} />
                  </div>
                  <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-slate-700">
                    <dt className="text-slate-500">{t("outbox.to")}</dt>
                    <dd className="break-all">{m.toAddress}</dd>
                    <dt className="text-slate-500">{t("outbox.createdAt")}</dt>
                    <dd>{formatDateTime(m.createdAt, locale)}</dd>
                    <dt className="text-slate-500">{t("outbox.attempts")}</dt>
                    <dd className="tabular-nums">{m.attempts}</dd>
                    {m.sentAt && (
                      <>
                        <dt className="text-slate-500">{t("outbox.sentAt")}</dt>
                        <dd>{formatDateTime(m.sentAt, locale)}</dd>
                      </>
                    )}
                    {m.lastError && (
                      <>
                        <dt className="text-slate-500">{t("outbox.lastError")}</dt>
                        <dd className="text-xs break-words text-red-800">{m.lastError}</dd>
                      </>
                    )}
                  </dl>
                </li>
              ))}
            </ul>
            <div className="hidden md:block">
              <TableScroll>
                <table className="min-w-full text-sm" data-testid="outbox-table">
                  <thead className="bg-slate-100 text-left">
                    <tr>
                      <th className={th}>{t("outbox.createdAt")}</th>
                      <th className={th}>{t("outbox.to")}</th>
                      <th className={th}>{t("outbox.subject")}</th>
                      <th className={th}>{t("outbox.state")}</th>
                      <th className={`${th} text-right`}>{t("outbox.attempts")}</th>
                      <th className={th}>{t("outbox.lastError")}</th>
                      <th className={th}>{t("outbox.sentAt")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {outbox.rows.map((m) => (
                      <tr key={m.id} className="border-b border-slate-200 align-top" data-testid="outbox-row" data-state={m.state}>
                        <td className={`${td} whitespace-nowrap`}>{formatDateTime(m.createdAt, locale)}</td>
                        <td className={`${td} whitespace-nowrap`}>{m.toAddress}</td>
                        <td className={`${td} min-w-48`}>{m.subject}</td>
                        <td className={td}>
                          <StateLabel state={m.state} label={t(`enum.MailState.${m.state}`)} />
                        </td>
                        <td className={`${td} text-right tabular-nums`}>{m.attempts}</td>
                        <td className={`${td} max-w-64 min-w-40 text-xs break-words text-red-800`}>{m.lastError ?? ""}</td>
                        <td className={`${td} whitespace-nowrap`}>{m.sentAt ? formatDateTime(m.sentAt, locale) : ""}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
            </div>
          </>
        )}
        <Pager page={outbox.page} total={outbox.total} pageSize={outbox.pageSize} hrefFor={hrefFor} t={t} />
      </Card>
    </div>
  );
}
