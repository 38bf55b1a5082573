import type { TTranslate } from "@/lib/i18n";

const linkClass = "inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4";
const idleClass = "inline-flex min-h-11 items-center px-4 text-slate-400";

/** 前へ / 次へ for a paged list; plain links, so the page number lives in the URL. */
export function Pager({ page, total, pageSize, hrefFor, t }: { page: number; total: number; pageSize: number; hrefFor: (page: number) => string; t: TTranslate }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav className="mt-4 flex items-center gap-4 text-sm" aria-label={t("common.page", { page, pages })}>
      {page > 1 ? (
        <a href={hrefFor(page - 1)} className={linkClass} rel="prev">
          {t("common.prev")}
        </a>
      ) : (
        <span className={idleClass}>{t("common.prev")}</span>
      )}
      <span>{t("common.page", { page, pages })}</span>
      {page < pages ? (
        <a href={hrefFor(page + 1)} className={linkClass} rel="next">
          {t("common.next")}
        </a>
      ) : (
        <span className={idleClass}>{t("common.next")}</span>
      )}
    </nav>
  );
}

/** Builds a list page's URL from its current filters and a page number. */
export function pageHref(path: string, params: Record<string, string | undefined>, page: number): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) sp.set(k, v);
  sp.set("page", String(page));
  return `${path}?${sp.toString()}`;
}
