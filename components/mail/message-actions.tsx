"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useI18n } from "@/components/i18n-provider";
import { useRun } from "@/components/mail/use-run";
import { Button, FormResultAlert } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { bulkMailAction } from "@/lib/securemail/actions";

const linkButton = "inline-flex min-h-11 items-center justify-center gap-2 rounded px-4 py-2 text-base font-medium";

/** 返信, 未読にする, ゴミ箱へ for the open message; back to the list it came from afterwards. */
export function MessageActions({ messageId, entryId, isOwn, canReply, backHref }: { messageId: string; entryId: string; isOwn: boolean; canReply: boolean; backHref: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const { pending, result, run } = useRun();
  async function apply(action: "trash" | "unread") {
    const r = await run(action, () => bulkMailAction({ ids: [entryId], action }));
    if (r.ok) router.push(backHref);
  }
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2" data-testid="message-actions">
        <Link href={backHref} className={`${linkButton} px-2 font-normal text-teal-800 underline underline-offset-2`}>
          {t("mail.backToList")}
        </Link>
        <span className="flex-1" />
        {canReply && (
          <Link href={`/mail/compose?reply=${messageId}`} className={`${linkButton} bg-teal-700 text-white hover:bg-teal-800`} data-testid="mail-reply">
            <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
              <path d="M9 14 4 9l5-5" />
              <path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />
            </svg>
            {t("mail.reply")}
          </Link>
        )}
        {!isOwn && (
          <Button type="button" variant="secondary" disabled={!hydrated || pending !== null} onClick={() => void apply("unread")}>
            {t("mail.markUnread")}
          </Button>
        )}
        <Button type="button" variant="secondary" disabled={!hydrated || pending !== null} onClick={() => void apply("trash")} data-testid="mail-trash">
          {pending === "trash" ? t("common.saving") : t("mail.toTrash")}
        </Button>
      </div>
      <FormResultAlert result={result} />
    </div>
  );
}
