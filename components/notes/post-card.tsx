"use client";

import Link from "next/link";
import { useI18n } from "@/components/i18n-provider";
import { QualificationBadge } from "@/components/notes/qualification-badge";
import { formatDateTime } from "@/lib/i18n";
import { postPayloadOf } from "@/lib/notes/model";
import type { TPostListItem } from "@/lib/notes/queries";

/**
 * One post in the list, as seed 000 shows posted notes: "[2016-11-28 17:00] 看護師ノート 『title』
 * 記載者: facility name", the first lines of the text, the files and the comments (unread marked).
 */
export function PostCard({ item, patientId }: { item: TPostListItem; patientId: string }) {
  const { t, locale } = useI18n();
  const post = postPayloadOf(item.payload);
  const href = `/patients/${patientId}/notes/${item.id}`;
  const qualification = item.author?.qualification ?? (post?.post === "note" ? post.qualification : null);
  const kindLabel =
    post?.post === "note"
      ? t("notes.heading", { qualification: t(`enum.Qualification.${post.qualification}`), type: t(`notes.noteType.${post.noteType}`) })
      : t(`enum.ContentCategory.${item.category}`);
  const isNote = item.category === "NOTE" || item.category === "NOTE_CONTACT";
  const text = post?.post === "note" ? post.body : post?.post === "file" ? `${post.periodLabel ? `${post.periodLabel} ` : ""}${post.from}〜${post.to}` : null;
  return (
    <article className="rounded border border-slate-200 p-3" data-testid="post-card" data-category={item.category}>
      <header className="flex flex-wrap items-center gap-2">
        {qualification && <QualificationBadge qualification={qualification} size="md" />}
        {/* documents and files carry a date only */}
        <span className="text-sm text-slate-600 tabular-nums">[{formatDateTime(item.occurredAt, locale, isNote)}]</span>
        <span className="text-sm font-medium">{kindLabel}</span>
        {item.category === "NOTE_CONTACT" && <span className="rounded bg-sky-100 px-2 py-0.5 text-xs text-sky-900">{t("notes.noteKind.CONTACT")}</span>}
        {post?.post === "note" && post.icon !== "QUALIFICATION" && <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">{t(`notes.icon.${post.icon}`)}</span>}
      </header>
      <h3 className="mt-1 font-semibold break-words">
        <Link href={href} className="text-teal-900 underline-offset-2 hover:underline">
          『{item.title}』
        </Link>
      </h3>
      <p className="text-sm text-slate-700">
        {t("notes.writtenBy", { facility: item.ownerFacilityName, name: item.author?.name ?? (post ? post.authorName : "") })}
      </p>
      {text && <p className="mt-2 line-clamp-4 text-sm break-words whitespace-pre-wrap text-slate-800">{text}</p>}
      <footer className="mt-2 flex flex-wrap items-center gap-3 text-sm">
        {item.files.length > 0 && <span className="text-slate-600">{t("notes.card.files", { n: item.files.length })}</span>}
        {isNote ? (
          <Link href={href} className="inline-flex min-h-11 items-center text-teal-800 underline">
            {t("notes.card.comments", { n: item.commentCount })}
          </Link>
        ) : (
          <Link href={href} className="inline-flex min-h-11 items-center text-teal-800 underline">
            {t("notes.card.open")}
          </Link>
        )}
        {item.unreadComments > 0 && (
          <span className="rounded-full bg-amber-500 px-2 py-0.5 text-xs font-semibold text-white" data-testid="unread-comments">
            {t("notes.card.unread", { n: item.unreadComments })}
          </span>
        )}
      </footer>
    </article>
  );
}
