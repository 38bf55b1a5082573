import Link from "next/link";
import { z } from "zod";
import { MarkAllReadButton } from "@/components/notes/mark-all-read-button";
import { Pager, pageHref } from "@/components/ui/pager";
import { requireViewer } from "@/lib/auth/viewer";
import { lenient, zPage } from "@/lib/fields";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { listNotifications } from "@/lib/notes/queries";

const ZNotificationsQuery = z.object({ unread: lenient(z.literal("1")), page: zPage.catch(1) });

const chip = "inline-flex min-h-11 items-center rounded-full border px-4 text-sm";

/** 通知: new notes, comments, documents and files for the patients the viewer participates in, newest first. */
export default async function NotificationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const q = ZNotificationsQuery.parse(await searchParams);
  const unreadOnly = q.unread === "1";
  const [t, locale, data] = await Promise.all([getT(), getLocale(), listNotifications(viewer, { page: q.page, unreadOnly })]);
  const hrefFor = (page: number) => pageHref("/notifications", { unread: unreadOnly ? "1" : undefined }, page);
  const filters = [
    { href: "/notifications", label: t("notices.all"), isCurrent: !unreadOnly },
    { href: "/notifications?unread=1", label: t("notices.unreadOnly"), isCurrent: unreadOnly },
  ];
  return (
    <div className="space-y-4">
      <div className="space-y-2">
        <h1 className="text-2xl font-bold">{t("notices.title")}</h1>
        <p className="text-sm text-slate-600">{t("notices.lead")}</p>
      </div>
      <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="notifications">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="space-y-2">
            <nav className="flex flex-wrap gap-2" aria-label={t("notices.filter")}>
              {filters.map((f) => (
                <Link
                  key={f.href}
                  href={f.href}
                  aria-current={f.isCurrent ? "page" : undefined}
                  className={`${chip} ${f.isCurrent ? "border-teal-700 bg-teal-700 font-semibold text-white" : "border-slate-300 bg-white text-teal-800 hover:bg-teal-50"}`}
                >
                  {f.label}
                </Link>
              ))}
            </nav>
            <p className="text-sm text-slate-600" data-testid="notifications-summary">
              {unreadOnly ? t("notices.unreadSummary", { unread: data.unread }) : t("notices.summary", { unread: data.unread, total: data.total })}
            </p>
          </div>
          <MarkAllReadButton disabled={data.unread === 0} />
        </div>
        {data.items.length === 0 ? (
          <p className="py-4 text-sm text-slate-500" data-testid="notifications-empty">
            {unreadOnly ? t("notices.emptyUnread") : t("notices.empty")}
          </p>
        ) : (
          <ul className="divide-y divide-slate-200 rounded border border-slate-200" data-testid="notification-list">
            {data.items.map((n) => {
              const isUnread = n.readAt === null;
              return (
                <li
                  key={n.id}
                  className={`flex gap-3 px-3 py-2 ${isUnread ? "border-l-4 border-l-amber-400 bg-amber-50/60" : "border-l-4 border-l-transparent"}`}
                  data-testid="notification"
                  data-unread={isUnread}
                  data-kind={n.kind}
                >
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                      {isUnread && <span className="rounded bg-amber-400 px-1.5 py-0.5 text-xs font-bold text-slate-900">{t("notices.unread")}</span>}
                      <span className={isUnread ? "font-semibold" : ""}>{t(`notices.kind.${n.kind}`)}</span>
                    </div>
                    <div className="flex flex-wrap items-center gap-x-3">
                      {n.patient ? (
                        <Link href={`/patients/${n.patient.id}/notes/${n.contentId}`} className="inline-flex min-h-11 items-center font-medium text-teal-800 underline underline-offset-2 hover:text-teal-950">
                          {n.patient.name}
                        </Link>
                      ) : (
                        <span className="inline-flex min-h-11 items-center text-slate-500" title={t("notices.hiddenPatientHint")}>
                          {t("notices.hiddenPatient")}
                        </span>
                      )}
                      <span className="text-sm text-slate-600">{t("notices.from", { name: n.actorName, facility: n.actorFacilityName })}</span>
                    </div>
                  </div>
                  <time dateTime={n.createdAt.toISOString()} className="shrink-0 pt-0.5 text-right text-xs text-slate-500">
                    {formatDateTime(n.createdAt, locale)}
                  </time>
                </li>
              );
            })}
          </ul>
        )}
        <Pager page={data.page} total={data.total} pageSize={data.pageSize} hrefFor={hrefFor} t={t} />
      </section>
    </div>
  );
}
