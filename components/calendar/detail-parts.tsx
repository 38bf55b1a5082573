"use client";

import { ImageViewer } from "@/components/calendar/image-viewer";
import { useI18n } from "@/components/i18n-provider";
import type { TContentFileRef } from "@/lib/clinical/dto";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

/*
 * Shared pieces of the content detail views: defensive payload readers (a payload is whatever
 * the importer stored, SS-MIX2 or FHIR shaped; nothing in it is trusted to exist), a definition
 * list, a horizontally scrolling table and the files of an item.
 */

export type TRec = Record<string, unknown>;

/** the value as an object, or an empty one */
export const rec = (v: unknown): TRec => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as TRec) : {});

/** the value as an array, or an empty one */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** trimmed non-empty text (a finite number as text too), else null */
export function str(v: unknown): string | null {
  if (typeof v === "string") return v.trim() === "" ? null : v.trim();
  if (typeof v === "number" && Number.isFinite(v)) return formatNumber(v);
  return null;
}

export const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** the text of a coded value: SS-MIX2 { code, name }, FHIR { text | display | code }, or plain text */
export function codedText(v: unknown): string | null {
  if (typeof v === "string" || typeof v === "number") return str(v);
  const r = rec(v);
  return str(r.name) ?? str(r.text) ?? str(r.display) ?? str(r.code);
}

/** texts of a list of strings or coded values, joined */
export function joinTexts(v: unknown, sep = "、"): string | null {
  const texts = list(v).map(codedText).filter((x): x is string => x !== null);
  return texts.length ? texts.join(sep) : null;
}

/** "value unit", or null without a value */
export function amount(value: unknown, unit: unknown): string | null {
  const v = str(value);
  if (v === null) return null;
  const u = str(unit);
  return u ? `${v} ${u}` : v;
}

/** a translated code (`${prefix}.${code}`), or the code itself when there is no wording for it */
export function coded(t: TTranslate, prefix: string, code: unknown): string | null {
  const c = str(code);
  if (c === null) return null;
  const key = `${prefix}.${c}`;
  const text = t(key);
  return text === key ? c : text;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const PARTIAL_DATE = /^\d{4}(-\d{2})?$/;
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * A date or date-time from a payload (ISO text, FHIR date, yyyy-mm-dd) as the users read it in
 * Japan time; dates stay dates, partial dates and unreadable text are shown as they are.
 */
export function when(v: unknown, locale: TLocale): string | null {
  const s = str(v);
  if (s === null) return null;
  if (DATE_ONLY.test(s)) {
    const d = new Date(`${s}T00:00:00+09:00`);
    return Number.isNaN(d.getTime()) ? s : formatDateTime(d, locale, false);
  }
  if (PARTIAL_DATE.test(s)) return s.replace("-", "/");
  // a date-time without an offset is Japan time (as the importers read it)
  const d = new Date(NO_OFFSET.test(s) ? `${s}+09:00` : s);
  return Number.isNaN(d.getTime()) ? s : formatDateTime(d, locale, true);
}

export type TDefRow = { label: string; value: React.ReactNode };

const present = (v: React.ReactNode) => v !== null && v !== undefined && v !== false && v !== "";

/** label / value pairs; rows without a value are left out */
export function DefList({ rows, className = "" }: { rows: TDefRow[]; className?: string }) {
  const shown = rows.filter((r) => present(r.value));
  if (shown.length === 0) return null;
  return (
    <dl className={`grid grid-cols-[minmax(6rem,auto)_1fr] gap-x-4 gap-y-1 text-sm ${className}`}>
      {shown.map((r, i) => (
        <div key={`${r.label}-${i}`} className="contents">
          <dt className="text-slate-600">{r.label}</dt>
          <dd className="min-w-0 break-words text-slate-900">{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** a table that scrolls sideways inside its container (tablets) */
export function ScrollTable({ caption, children }: { caption?: string; children: React.ReactNode }) {
  return (
    <div className="-mx-1 overflow-x-auto px-1" tabIndex={0} role="region" aria-label={caption}>
      <table className="min-w-full border-collapse text-sm">
        {caption && <caption className="sr-only">{caption}</caption>}
        {children}
      </table>
    </div>
  );
}

export const th = "whitespace-nowrap border-b border-slate-300 bg-slate-50 px-2 py-2 text-left font-medium text-slate-700";
export const td = "border-b border-slate-200 px-2 py-2 align-top";

/** free text as written (line breaks kept) */
export function TextBlock({ label, text }: { label?: string; text: string | null }) {
  if (!text) return null;
  return (
    <section className="text-sm">
      {label && <h4 className="mb-1 font-medium text-slate-700">{label}</h4>}
      <p className="whitespace-pre-wrap break-words rounded border border-slate-200 bg-slate-50 px-3 py-2 text-slate-900">{text}</p>
    </section>
  );
}

export const fileUrl = (contentId: string, fileId: string) => `/api/contents/${encodeURIComponent(contentId)}/files/${encodeURIComponent(fileId)}`;

const isImage = (f: TContentFileRef) => f.contentType.startsWith("image/") || /\.(jpe?g|png|gif|webp)$/i.test(f.fileName);
const isPdf = (f: TContentFileRef) => f.contentType === "application/pdf" || /\.pdf$/i.test(f.fileName);

/** An item's images as thumbnails that open the zooming viewer. */
export function ImageThumbnails({ contentId, images }: { contentId: string; images: { id: string; fileName: string }[] }) {
  if (images.length === 0) return null;
  return (
    <ul className="flex flex-wrap gap-3">
      {images.map((f) => (
        <li key={f.id}>
          <ImageViewer url={fileUrl(contentId, f.id)} fileName={f.fileName} />
        </li>
      ))}
    </ul>
  );
}

/**
 * The files of an item: images as viewer thumbnails; PDFs inline (`pdf="inline"`, with a link
 * for browsers that do not show them) or as links; anything else as a link.
 */
export function ContentFiles({ contentId, files, pdf = "link" }: { contentId: string; files: TContentFileRef[]; pdf?: "inline" | "link" }) {
  const { t } = useI18n();
  if (files.length === 0) return null;
  const images = files.filter(isImage);
  const others = files.filter((f) => !isImage(f));
  return (
    <section className="space-y-3" aria-label={t("content.files")}>
      <h4 className="text-sm font-medium text-slate-700">{t("content.files")}</h4>
      <ImageThumbnails contentId={contentId} images={images} />
      {others.map((f) =>
        pdf === "inline" && isPdf(f) ? (
          <figure key={f.id} className="space-y-1">
            <iframe src={fileUrl(contentId, f.id)} title={t("content.file.pdfTitle", { name: f.fileName })} className="h-[70vh] min-h-80 w-full rounded border border-slate-300 bg-white" />
            <figcaption className="flex flex-wrap items-center gap-x-3 text-sm">
              <span className="break-all text-slate-700">{f.fileName}</span>
              <FileLink url={fileUrl(contentId, f.id)} label={t("content.file.openPdf")} />
            </figcaption>
          </figure>
        ) : (
          <p key={f.id} className="text-sm">
            <FileLink url={fileUrl(contentId, f.id)} label={isPdf(f) ? t("content.file.pdfLink", { name: f.fileName }) : f.fileName} />
          </p>
        ),
      )}
    </section>
  );
}

function FileLink({ url, label }: { url: string; label: string }) {
  return (
    <a href={url} target="_blank" rel="noopener noreferrer" className="inline-flex min-h-11 items-center break-all text-teal-800 underline underline-offset-2 hover:text-teal-900">
      {label}
    </a>
  );
}
