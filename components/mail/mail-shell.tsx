import Link from "next/link";
import { FolderCreate } from "@/components/mail/folder-actions";
import { UnreadSync } from "@/components/layout/unread-sync";
import type { TTranslate } from "@/lib/i18n";
import type { TMailFolderInfo } from "@/lib/securemail/dto";

/** Which entry of the folder list is open: a system folder, a user folder's id, or another mail screen. */
export type TMailPlace = "inbox" | "sent" | "drafts" | "trash" | "lists" | "templates" | "compose" | { folderId: string } | null;

export type TMailShellData = { inboxUnread: number; folders: TMailFolderInfo[]; drafts?: number; trash?: number };

const itemClass = "inline-flex min-h-11 items-center gap-2 rounded px-3 text-sm whitespace-nowrap md:flex md:w-full md:justify-between";
const idle = "border border-slate-300 bg-white text-teal-900 hover:bg-teal-50 md:border-transparent md:bg-transparent";
const active = "border border-teal-700 bg-teal-700 font-semibold text-white";

function Count({ n, strong, isCurrent }: { n: number; strong?: boolean; isCurrent: boolean }) {
  if (n <= 0) return null;
  const tone = isCurrent ? "bg-white/25 text-white" : strong ? "bg-amber-400 font-bold text-slate-900" : "bg-slate-100 text-slate-700";
  return <span className={`min-w-6 rounded-full px-2 text-center text-xs leading-5 tabular-nums ${tone}`}>{n}</span>;
}

function NavLink({ href, label, count, strong, isCurrent, testId }: { href: string; label: string; count?: number; strong?: boolean; isCurrent: boolean; testId?: string }) {
  return (
    <li>
      <Link href={href} aria-current={isCurrent ? "page" : undefined} className={`${itemClass} ${isCurrent ? active : idle}`} data-testid={testId}>
        <span className="truncate">{label}</span>
        <Count n={count ?? 0} strong={strong} isCurrent={isCurrent} />
      </Link>
    </li>
  );
}

/**
 * The frame of every mail screen (seed 004): メール作成, then 受信トレイ (unread), 送信済み, 下書き,
 * ゴミ箱, the user's folders (フォルダー一覧, with 作成), メーリングリスト and 定型文管理. A sidebar on a
 * tablet or wider; a block of chips above the content on a phone. The pages render it themselves
 * (not a layout) so the counts are read after the page's own reads, e.g. after opening a message.
 */
export function MailShell({ t, place, data, children }: { t: TTranslate; place: TMailPlace; data: TMailShellData; children: React.ReactNode }) {
  const is = (p: Exclude<TMailPlace, null | { folderId: string }>) => place === p;
  const folderOpen = place && typeof place === "object" ? place.folderId : null;
  return (
    <div className="space-y-4">
      <UnreadSync kind="mail" count={data.inboxUnread} />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-bold">{t("mail.title")}</h1>
        <Link
          href="/mail/compose"
          aria-current={is("compose") ? "page" : undefined}
          className="inline-flex min-h-11 items-center gap-2 rounded bg-teal-700 px-4 font-medium text-white hover:bg-teal-800"
          data-testid="mail-compose-link"
        >
          <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
            <path d="M12 20h9" />
            <path d="M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z" />
          </svg>
          {t("mail.compose")}
        </Link>
      </div>
      <div className="grid gap-4 md:grid-cols-[13rem_minmax(0,1fr)]">
        {/* a phone: one block of chips (the sections' lists dissolve into it); wider: a sidebar in sections */}
        <nav aria-label={t("mail.folders")} className="flex flex-wrap gap-2 md:block md:self-start md:rounded-lg md:bg-white md:p-2 md:shadow" data-testid="mail-nav">
          <ul role="list" className="contents md:flex md:flex-col md:gap-0.5">
            <NavLink href="/mail" label={t("mail.folder.inbox")} count={data.inboxUnread} strong isCurrent={is("inbox")} testId="nav-inbox" />
            <NavLink href="/mail?folder=sent" label={t("mail.folder.sent")} isCurrent={is("sent")} testId="nav-sent" />
            <NavLink href="/mail?folder=drafts" label={t("mail.folder.drafts")} count={data.drafts} isCurrent={is("drafts")} testId="nav-drafts" />
            <NavLink href="/mail?folder=trash" label={t("mail.folder.trash")} count={data.trash} isCurrent={is("trash")} testId="nav-trash" />
          </ul>
          <div className="contents md:mt-2 md:block md:border-t md:border-slate-200 md:pt-2">
            <h2 className="hidden px-3 pb-1 text-xs font-semibold text-slate-600 md:block">{t("mail.folderList")}</h2>
            {data.folders.length > 0 && (
              <ul role="list" className="contents md:flex md:flex-col md:gap-0.5" data-testid="mail-folders">
                {data.folders.map((f) => (
                  <NavLink key={f.id} href={`/mail?folder=${f.id}`} label={f.name} count={f.unread} strong isCurrent={folderOpen === f.id} />
                ))}
              </ul>
            )}
            <FolderCreate />
          </div>
          <ul role="list" className="contents md:mt-2 md:flex md:flex-col md:gap-0.5 md:border-t md:border-slate-200 md:pt-2">
            <NavLink href="/mail/lists" label={t("mail.lists.title")} isCurrent={is("lists")} testId="nav-lists" />
            <NavLink href="/mail/templates" label={t("mail.templates.title")} isCurrent={is("templates")} testId="nav-templates" />
          </ul>
        </nav>
        <div className="min-w-0">{children}</div>
      </div>
    </div>
  );
}
