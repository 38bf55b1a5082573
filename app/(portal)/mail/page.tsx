import { notFound } from "next/navigation";
import { FolderDelete } from "@/components/mail/folder-actions";
import { MailboxList, type TMailboxKind } from "@/components/mail/mailbox-list";
import { MailSearchForm, PageSizeForm, type TMailboxParams } from "@/components/mail/mailbox-controls";
import { MailShell } from "@/components/mail/mail-shell";
import { Pager } from "@/components/ui/pager";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";
import { listMailbox } from "@/lib/securemail/queries";
import { SYSTEM_FOLDERS, ZMailboxQuery, type TMailboxQuery, type TSystemFolder } from "@/lib/securemail/schema";
import { orNotFound } from "@/lib/server/or-not-found";

/** The query's filters back as URL parameters (defaults left out, so links stay short). */
function paramsOf(q: TMailboxQuery): TMailboxParams {
  return {
    folder: q.folder === "inbox" ? undefined : q.folder,
    q: q.q,
    from: q.from,
    affiliation: q.affiliation,
    since: q.since,
    until: q.until,
    unread: q.unread ? "1" : undefined,
    size: q.size === 10 ? undefined : String(q.size),
  };
}

function hrefOf(params: TMailboxParams, page: number): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) sp.set(k, v);
  if (page > 1) sp.set("page", String(page));
  const s = sp.toString();
  return s ? `/mail?${s}` : "/mail";
}

/** セキュアメール (seed 004): a mailbox (受信トレイ, 送信済み, 下書き, ゴミ箱 or a folder of one's own). */
export default async function MailboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const viewer = await requireViewer();
  const query = ZMailboxQuery.parse(await searchParams);
  const [t, box] = await Promise.all([getT(), orNotFound(listMailbox(viewer, query))]);
  const isSystem = (SYSTEM_FOLDERS as readonly string[]).includes(query.folder);
  const folder = isSystem ? null : box.folders.find((f) => f.id === query.folder);
  if (!isSystem && !folder) notFound();
  const kind: TMailboxKind = isSystem ? (query.folder as TSystemFolder) : "folder";
  const params = paramsOf(query);
  const isOutgoing = kind === "sent" || kind === "drafts";
  const isSearch = Boolean(query.q || query.from || query.affiliation || query.since || query.until || query.unread);
  const first = box.total === 0 ? 0 : (box.page - 1) * box.size + 1;
  const last = Math.min(box.total, box.page * box.size);
  const title = folder ? folder.name : t(`mail.folder.${kind}`);
  return (
    <MailShell
      t={t}
      place={folder ? { folderId: folder.id } : (kind as TSystemFolder)}
      data={{ inboxUnread: box.counts.inboxUnread, folders: box.folders, drafts: box.counts.drafts, trash: box.counts.trash }}
    >
      <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="mailbox" data-folder={kind}>
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-xl font-semibold">
            {title}
            {kind === "inbox" && box.counts.inboxUnread > 0 && <span className="ml-2 text-base font-normal text-slate-600">{t("mail.unreadCount", { count: box.counts.inboxUnread })}</span>}
          </h2>
          {folder && <FolderDelete id={folder.id} name={folder.name} />}
        </div>
        {kind === "trash" && <p className="text-sm text-slate-600">{t("mail.trash.lead")}</p>}
        <MailSearchForm params={params} isOutgoing={isOutgoing} />
        <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
          <p className="text-slate-700" data-testid="mail-range" aria-live="polite">
            {t("mail.range", { first, last, total: box.total })}
          </p>
          <PageSizeForm params={params} size={box.size} />
        </div>
        <MailboxList key={query.folder} kind={kind} folderId={folder?.id ?? null} items={box.items} folders={box.folders} />
        {box.items.length === 0 && (
          <p className="py-4 text-sm text-slate-500" data-testid="mail-empty">
            {isSearch ? t("mail.emptySearch") : t(`mail.empty.${kind}`)}
          </p>
        )}
        <Pager page={box.page} total={box.total} pageSize={box.size} hrefFor={(p) => hrefOf(params, p)} t={t} />
      </section>
    </MailShell>
  );
}
