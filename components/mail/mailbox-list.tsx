"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { useRun } from "@/components/mail/use-run";
import { Alert, Button, FormResultAlert } from "@/components/ui/form";
import { Clip } from "@/components/mail/clip";
import { useHydrated } from "@/components/ui/use-hydrated";
import { formatDateTime } from "@/lib/i18n";
import { bulkMailAction, emptyTrashAction } from "@/lib/securemail/actions";
import type { TMailFolderInfo, TMailListItem } from "@/lib/securemail/dto";
import type { TBulkMail } from "@/lib/securemail/schema";

type TBulkAction = TBulkMail["action"];
/** The mailbox on screen: a system folder, or a user folder by its id. */
export type TMailboxKind = "inbox" | "sent" | "drafts" | "trash" | "folder";

/** What チェックした項目を… offers in each place. */
const ACTIONS: Record<TMailboxKind, TBulkAction[]> = {
  inbox: ["read", "unread", "trash", "move"],
  folder: ["read", "unread", "trash", "move"],
  // a folder holds received copies only
  sent: ["trash"],
  drafts: ["trash"],
  trash: ["restore", "delete"],
};

/** Moving out of a user folder: back where the message came from (inbox, or sent for one's own). */
const OUT_OF_FOLDER = "out";

const selectClass = "min-h-11 rounded border border-slate-300 bg-white px-2 text-base";
/** The table's columns on a tablet or wider: check, 状態, 添付, 差出人/所属 (or 宛先), 件名, 日時. */
const gridCols = "md:grid-cols-[2.75rem_3rem_1.5rem_minmax(7rem,11rem)_minmax(0,1fr)_9rem]";

/**
 * The mailbox list of seed 004 (状態, 添付, 差出人, 所属, 件名, 日時) with check boxes and
 * 「チェックした項目を [既読にする…] 実行」. Rows are a table's columns on a tablet or wider and a
 * two-line card on a phone, from the same markup.
 */
export function MailboxList({ kind, folderId, items, folders }: { kind: TMailboxKind; folderId: string | null; items: TMailListItem[]; folders: TMailFolderInfo[] }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const actions = ACTIONS[kind];
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [action, setAction] = useState<TBulkAction>(actions[0]!);
  const moveTargets = folders.filter((f) => f.id !== folderId);
  const [target, setTarget] = useState<string>(kind === "folder" ? OUT_OF_FOLDER : (moveTargets[0]?.id ?? ""));
  const [confirming, setConfirming] = useState<"delete" | "empty" | null>(null);
  const [done, setDone] = useState<{ key: string; count: number } | null>(null);
  const { pending, result, run } = useRun();

  // Rows that left the list after a refresh drop out of the selection.
  const visible = new Set(items.map((i) => i.entryId));
  const chosen = [...selected].filter((id) => visible.has(id));
  const allChosen = items.length > 0 && chosen.length === items.length;
  const showsSender = kind !== "sent" && kind !== "drafts";

  function toggle(id: string, on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function execute(a: TBulkAction) {
    setDone(null);
    const input: TBulkMail = { ids: chosen, action: a, ...(a === "move" ? { folderId: target === OUT_OF_FOLDER ? null : target } : {}) };
    const r = await run(a, () => bulkMailAction(input));
    setConfirming(null);
    if (r.ok) {
      setDone({ key: `mail.bulk.done.${a}`, count: chosen.length });
      setSelected(new Set());
      router.refresh();
    }
  }

  async function emptyTrash() {
    setDone(null);
    const r = await run("empty", () => emptyTrashAction());
    setConfirming(null);
    if (r.ok) {
      setDone({ key: "mail.trash.emptied", count: 0 });
      setSelected(new Set());
      router.refresh();
    }
  }

  const canMove = action !== "move" || (kind === "folder" ? true : moveTargets.length > 0);
  const disabled = !hydrated || pending !== null;

  return (
    <div className="space-y-3">
      <FormResultAlert result={result} />
      {done && <Alert kind="success">{t(done.key, { count: done.count })}</Alert>}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded border border-slate-200 bg-slate-50 px-2 py-1" data-testid="mail-bulk">
        <label className="inline-flex min-h-11 items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="h-5 w-5"
            checked={allChosen}
            disabled={!hydrated || items.length === 0}
            onChange={(e) => setSelected(e.currentTarget.checked ? new Set(items.map((i) => i.entryId)) : new Set())}
            data-testid="mail-select-all"
          />
          {t("mail.selectAll")}
        </label>
        <label htmlFor="mail-bulk-action" className="text-sm">
          {t("mail.bulk.label")}
        </label>
        {/* on a phone the choice and 実行 share the second line */}
        <div className="flex w-full min-w-0 items-center gap-2 pb-1 sm:w-auto sm:pb-0">
          <select id="mail-bulk-action" className={`${selectClass} min-w-0 flex-1 sm:flex-none`} value={action} onChange={(e) => setAction(e.currentTarget.value as TBulkAction)} disabled={!hydrated}>
            {actions.map((a) => (
              <option key={a} value={a}>
                {t(`mail.bulk.${a}`)}
              </option>
            ))}
          </select>
          {action === "move" && (
            <select
              aria-label={t("mail.bulk.moveTo")}
              className={`${selectClass} min-w-0 flex-1 sm:flex-none`}
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
              disabled={!hydrated}
              data-testid="mail-move-target"
            >
              {kind === "folder" && <option value={OUT_OF_FOLDER}>{t("mail.bulk.outOfFolder")}</option>}
              {moveTargets.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
          )}
          <Button
            type="button"
            variant="secondary"
            disabled={disabled || chosen.length === 0 || !canMove}
            className="shrink-0 disabled:text-slate-400"
            onClick={() => (action === "delete" ? setConfirming("delete") : void execute(action))}
            data-testid="mail-bulk-run"
          >
            {pending && pending !== "empty" ? t("common.saving") : t("mail.bulk.run")}
          </Button>
        </div>
        {action === "move" && !canMove && <p className="w-full pb-1 text-xs text-slate-600">{t("mail.bulk.noFolders")}</p>}
        {kind === "trash" && (
          <Button type="button" variant="danger" className="mb-1 sm:mb-0 sm:ml-auto" disabled={disabled || items.length === 0} onClick={() => setConfirming("empty")} data-testid="mail-empty-trash">
            {t("mail.trash.empty")}
          </Button>
        )}
      </div>
      {confirming && (
        <div role="alertdialog" aria-labelledby="mail-confirm-text" className="flex flex-wrap items-center gap-3 rounded border border-red-300 bg-red-50 px-3 py-2" data-testid="mail-confirm">
          <p id="mail-confirm-text" className="text-sm text-red-900">
            {confirming === "delete" ? t("mail.bulk.deleteConfirm", { count: chosen.length }) : t("mail.trash.emptyConfirm")}
          </p>
          <Button type="button" variant="danger" disabled={pending !== null} onClick={() => void (confirming === "delete" ? execute("delete") : emptyTrash())}>
            {confirming === "delete" ? t("mail.bulk.deleteYes") : t("mail.trash.emptyYes")}
          </Button>
          <Button type="button" variant="secondary" onClick={() => setConfirming(null)}>
            {t("common.cancel")}
          </Button>
        </div>
      )}

      {items.length === 0 ? null : (
        <div role="table" aria-label={t(`mail.folder.${kind === "folder" ? "custom" : kind}`)} className="rounded border border-slate-200" data-testid="mail-list">
          <div role="row" className={`hidden ${gridCols} items-center border-b border-slate-200 bg-slate-100 text-left text-sm font-medium md:grid`}>
            <span role="columnheader">
              <span className="sr-only">{t("mail.col.select")}</span>
            </span>
            <span role="columnheader" className="px-1 text-xs whitespace-nowrap">
              {t("mail.col.state")}
            </span>
            <span role="columnheader" className="text-xs whitespace-nowrap">
              <Clip label={t("mail.col.attach")} />
            </span>
            <span role="columnheader" className="px-2 py-2">
              {showsSender ? t("mail.col.fromAffiliation") : t("mail.col.to")}
            </span>
            <span role="columnheader" className="px-2">
              {t("mail.col.subject")}
            </span>
            <span role="columnheader" className="px-2">
              {kind === "drafts" ? t("mail.col.saved") : t("mail.col.date")}
            </span>
          </div>
          <div role="rowgroup" className="divide-y divide-slate-200">
            {items.map((m) => {
              const isUnread = !m.isOwn && !m.isRead;
              // a draft (also one in the trash) opens in the compose screen
              const isDraft = m.isDraft;
              const href = isDraft ? `/mail/compose?draft=${m.messageId}` : `/mail/${m.messageId}`;
              const subject = m.subject || t("mail.noSubject");
              return (
                <div
                  role="row"
                  key={m.entryId}
                  className={`grid grid-cols-[2.75rem_minmax(0,1fr)] items-center ${gridCols} ${isUnread ? "font-semibold" : ""} ${selected.has(m.entryId) ? "bg-teal-50" : isUnread ? "bg-amber-50/60" : ""}`}
                  data-testid="mail-row"
                  data-unread={isUnread}
                  data-subject={m.subject}
                  data-entry-id={m.entryId}
                  data-system={m.systemKind ?? undefined}
                >
                  <label role="cell" className="flex h-full min-h-11 w-11 cursor-pointer items-center justify-center">
                    <input
                      type="checkbox"
                      className="h-5 w-5"
                      checked={selected.has(m.entryId)}
                      disabled={!hydrated}
                      onChange={(e) => toggle(m.entryId, e.currentTarget.checked)}
                      aria-label={t("mail.selectOne", { subject })}
                    />
                  </label>
                  {/* a phone: state, who, date on one line and the subject under them; wider: the table's cells */}
                  <div className="flex min-w-0 flex-wrap items-center gap-x-2 py-2 pr-2 md:contents">
                    <span role="cell" className="order-1 md:order-none md:px-1">
                      {!m.isOwn && (
                        <span
                          className={`inline-block rounded px-1.5 py-0.5 text-xs ${isUnread ? "bg-amber-400 font-bold text-slate-900" : "bg-slate-100 font-normal text-slate-600"}`}
                          title={isUnread ? t("mail.unread") : t("mail.read")}
                        >
                          {isUnread ? t("mail.state.unread") : t("mail.state.read")}
                          <span className="sr-only">({isUnread ? t("mail.unread") : t("mail.read")})</span>
                        </span>
                      )}
                    </span>
                    <span role="cell" className="hidden md:flex md:justify-center">
                      {m.hasAttachments && <Clip label={t("mail.hasAttachments")} />}
                    </span>
                    <span role="cell" className="order-2 flex min-w-0 flex-1 flex-wrap items-baseline gap-x-2 md:order-none md:flex-col md:gap-0 md:px-2 md:py-2" data-testid="mail-from">
                      {m.isOwn ? (
                        <span className="min-w-0 break-words">{m.toSummary || t("mail.noAddressee")}</span>
                      ) : m.from.isSystem ? (
                        <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs font-semibold text-sky-900">{t("mail.system")}</span>
                      ) : (
                        <>
                          <span className="min-w-0 break-words">{m.from.name}</span>
                          {m.from.facilityName && <span className="min-w-0 text-xs font-normal break-words text-slate-600">{m.from.facilityName}</span>}
                        </>
                      )}
                    </span>
                    <span role="cell" className="order-4 flex min-w-0 basis-full items-center gap-1 md:order-none md:basis-auto md:px-2">
                      {m.hasAttachments && (
                        <span className="md:hidden">
                          <Clip label={t("mail.hasAttachments")} />
                        </span>
                      )}
                      <Link href={href} className="block min-w-0 flex-1 py-1 break-words text-teal-800 underline-offset-2 hover:underline md:py-2" data-testid="mail-open">
                        {subject}
                      </Link>
                    </span>
                    <span role="cell" className="order-3 ml-auto text-xs font-normal whitespace-nowrap text-slate-600 tabular-nums md:order-none md:ml-0 md:px-2 md:text-sm">
                      <time dateTime={new Date(m.at).toISOString()}>{formatDateTime(m.at, locale)}</time>
                    </span>
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
