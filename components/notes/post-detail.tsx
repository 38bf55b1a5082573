"use client";

import { DefList, fileUrl, ImageThumbnails, TextBlock } from "@/components/calendar/detail-parts";
import { useI18n } from "@/components/i18n-provider";
import { QualificationBadge } from "@/components/notes/qualification-badge";
import { isInlineSafe } from "@/lib/files/upload-type";
import { formatMegabytes, type TPostFileEntry, type TPostPayload } from "@/lib/notes/model";

/**
 * A post written in the portal (note, document, file) as seed 000 shows it: "[date] 看護師ノート
 * 『title』 記載者: facility name", the text, and the files. Images open in the viewer; PDFs show
 * inline; Office, CSV and text files are downloads only (never shown by the browser). Each file
 * says whether a scanner checked it.
 */
export function PostDetail({ contentId, post, threadHref }: { contentId: string; post: TPostPayload; threadHref?: string }) {
  const { t } = useI18n();
  return (
    <div className="space-y-3" data-testid="post-detail" data-post={post.post}>
      {post.post === "note" && (
        <>
          <p className="flex flex-wrap items-center gap-2 text-sm">
            <QualificationBadge qualification={post.qualification} size="md" />
            <span className="font-medium">{t("notes.heading", { qualification: t(`enum.Qualification.${post.qualification}`), type: t(`notes.noteType.${post.noteType}`) })}</span>
            <span className="rounded bg-slate-100 px-2 py-0.5 text-xs">{t(`notes.noteKind.${post.noteKind}`)}</span>
            {post.icon !== "QUALIFICATION" && <span className="rounded bg-amber-100 px-2 py-0.5 text-xs text-amber-900">{t(`notes.icon.${post.icon}`)}</span>}
          </p>
          <p className="text-sm text-slate-700">{t("notes.writtenBy", { facility: post.authorFacilityName, name: post.authorName })}</p>
          <TextBlock text={post.body} />
          {post.editedAt && <p className="text-xs text-slate-500">{t("notes.edited")}</p>}
        </>
      )}
      {post.post === "document" && (
        <>
          <DefList
            rows={[
              { label: t("notes.document.type"), value: t(`notes.documentType.${post.documentType}`) },
              { label: t("notes.writtenByLabel"), value: `${post.authorFacilityName} ${post.authorName}` },
              { label: t("notes.document.conversion"), value: t(`notes.conversion.${post.conversion}`) },
            ]}
          />
        </>
      )}
      {post.post === "file" && (
        <DefList
          rows={[
            { label: t("notes.file.description"), value: post.description },
            { label: t("notes.file.period"), value: `${post.periodLabel ? `${post.periodLabel} ` : ""}${post.from}〜${post.to}` },
            { label: t("notes.writtenByLabel"), value: `${post.authorFacilityName} ${post.authorName}` },
          ]}
        />
      )}
      <PostFiles contentId={contentId} files={post.files} inlinePdf={post.post === "document"} />
      {threadHref && (
        <p>
          <a href={threadHref} className="inline-flex min-h-11 items-center text-teal-800 underline underline-offset-2">
            {t("notes.openThread")}
          </a>
        </p>
      )}
    </div>
  );
}

function PostFiles({ contentId, files, inlinePdf }: { contentId: string; files: TPostFileEntry[]; inlinePdf: boolean }) {
  const { t } = useI18n();
  if (files.length === 0) return null;
  const images = files.filter((f) => f.kind === "image");
  const pdfShown = inlinePdf ? (files.find((f) => f.role === "rendition") ?? files.find((f) => f.kind === "pdf")) : undefined;
  return (
    <section className="space-y-2" aria-label={t("content.files")}>
      <h4 className="text-sm font-medium text-slate-700">{t("content.files")}</h4>
      <ImageThumbnails contentId={contentId} images={images} />
      {pdfShown && (
        <iframe src={fileUrl(contentId, pdfShown.id)} title={t("content.file.pdfTitle", { name: pdfShown.fileName })} className="h-[70vh] min-h-80 w-full rounded border border-slate-300 bg-white" />
      )}
      <ul className="space-y-1 text-sm">
        {files.map((f) => (
          <li key={f.id} className="flex flex-wrap items-center gap-x-3 gap-y-1" data-file={f.fileName}>
            <a
              href={`${fileUrl(contentId, f.id)}${isInlineSafe(f.contentType) ? "" : "?download=1"}`}
              {...(isInlineSafe(f.contentType) ? { target: "_blank", rel: "noopener noreferrer" } : { download: f.fileName })}
              className="inline-flex min-h-11 items-center break-all text-teal-800 underline underline-offset-2"
            >
              {f.role === "rendition" ? t("notes.file.rendition", { name: f.fileName }) : f.fileName}
            </a>
            <span className="text-xs text-slate-600">
              {f.label} · {formatMegabytes(f.size)}
            </span>
            <span className={`rounded px-1.5 py-0.5 text-xs ${f.scan === "CLEAN" ? "bg-emerald-50 text-emerald-900" : "bg-slate-100 text-slate-700"}`}>{t(`notes.scan.${f.scan}`)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
