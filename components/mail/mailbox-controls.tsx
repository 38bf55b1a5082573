"use client";

import { useI18n } from "@/components/i18n-provider";
import { PAGE_SIZES } from "@/lib/securemail/schema";

const fieldClass = "min-h-11 w-full rounded border border-slate-300 bg-white px-2 py-2 text-base";

/** The mailbox's filters as they are in the URL (strings; absent when not set). */
export type TMailboxParams = { folder?: string; q?: string; from?: string; affiliation?: string; since?: string; until?: string; unread?: string; size?: string };

function Hidden({ params, keep }: { params: TMailboxParams; keep: (keyof TMailboxParams)[] }) {
  return (
    <>
      {keep.map((k) => (params[k] ? <input key={k} type="hidden" name={k} value={params[k]} /> : null))}
    </>
  );
}

/**
 * 件名/差出人/所属 検索 (seed 004), with 期間 and 未読のみ. A GET form: the search lives in the URL
 * and a new search starts at page 1. The less used conditions fold away until one is set.
 */
export function MailSearchForm({ params, isOutgoing }: { params: TMailboxParams; isOutgoing: boolean }) {
  const { t } = useI18n();
  const hasMore = Boolean(params.from || params.affiliation || params.since || params.until || params.unread);
  const hasAny = hasMore || Boolean(params.q);
  const base = params.folder ? `/mail?folder=${encodeURIComponent(params.folder)}` : "/mail";
  return (
    <form method="get" action="/mail" role="search" className="space-y-2" data-testid="mail-search">
      <Hidden params={params} keep={["folder", "size"]} />
      <div className="flex flex-wrap items-end gap-2">
        <label className="min-w-0 flex-1 basis-56 text-sm">
          <span className="mb-1 block">{t("mail.search.q")}</span>
          <input name="q" type="search" defaultValue={params.q ?? ""} className={fieldClass} autoComplete="off" maxLength={100} />
        </label>
        <button className="min-h-11 rounded bg-teal-700 px-6 font-medium text-white hover:bg-teal-800">{t("common.search")}</button>
        {hasAny && (
          <a href={base} className="inline-flex min-h-11 items-center px-2 text-sm text-teal-800 underline underline-offset-2">
            {t("mail.search.clear")}
          </a>
        )}
      </div>
      <details open={hasMore} className="group text-sm">
        <summary className="inline-flex min-h-11 cursor-pointer items-center text-teal-800 underline-offset-2 hover:underline">{t(isOutgoing ? "mail.search.moreOutgoing" : "mail.search.more")}</summary>
        <div className="grid gap-3 pt-1 sm:grid-cols-2 lg:grid-cols-3">
          <label>
            <span className="mb-1 block">{isOutgoing ? t("mail.search.to") : t("mail.search.from")}</span>
            <input name="from" defaultValue={params.from ?? ""} className={fieldClass} autoComplete="off" maxLength={100} />
          </label>
          {!isOutgoing && (
            <label>
              <span className="mb-1 block">{t("mail.search.affiliation")}</span>
              <input name="affiliation" defaultValue={params.affiliation ?? ""} className={fieldClass} autoComplete="off" maxLength={100} />
            </label>
          )}
          <fieldset className="sm:col-span-2 lg:col-span-1">
            <legend className="mb-1 block">{t("mail.search.period")}</legend>
            <div className="flex items-center gap-1">
              <input type="date" name="since" defaultValue={params.since ?? ""} aria-label={t("mail.search.since")} className={fieldClass} />
              <span aria-hidden>〜</span>
              <input type="date" name="until" defaultValue={params.until ?? ""} aria-label={t("mail.search.until")} className={fieldClass} />
            </div>
          </fieldset>
          {!isOutgoing && (
            <label className="inline-flex min-h-11 items-center gap-2 self-end">
              <input type="checkbox" name="unread" value="1" defaultChecked={params.unread === "1"} className="h-5 w-5" />
              {t("mail.search.unreadOnly")}
            </label>
          )}
        </div>
      </details>
    </form>
  );
}

/** 「10 件ずつ表示」: changing the size goes back to page 1 with the same search. */
export function PageSizeForm({ params, size }: { params: TMailboxParams; size: number }) {
  const { t } = useI18n();
  return (
    <form method="get" action="/mail" className="flex items-center gap-2 text-sm" data-testid="mail-page-size">
      <Hidden params={params} keep={["folder", "q", "from", "affiliation", "since", "until", "unread"]} />
      <select
        id="mail-size"
        name="size"
        defaultValue={String(size)}
        aria-label={t("mail.pageSizeLabel")}
        className="min-h-11 rounded border border-slate-300 bg-white px-2 text-base"
        onChange={(e) => e.currentTarget.form?.requestSubmit()}
      >
        {PAGE_SIZES.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
      <span aria-hidden>{t("mail.pageSizeSuffix")}</span>
      <noscript>
        <button className="min-h-11 rounded border border-slate-300 bg-white px-3">{t("mail.pageSizeApply")}</button>
      </noscript>
    </form>
  );
}
