import type { TDocumentType, TNoteIcon, TNoteKind, TNoteType } from "@/lib/notes/schema";
import type { TContentCategory } from "@/lib/clinical/ingest/types";

/*
 * The payloads of portal posts (clinical_contents.payload with sourceKind PORTAL) and small pure
 * helpers shared by the mutations and the screens.
 */

export type TPostFileEntry = {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** CLEAN: the configured scanner passed it; NOT_SCANNED: no scanner is configured */
  scan: "CLEAN" | "NOT_SCANNED";
  kind: "image" | "pdf" | "office" | "csv" | "text";
  label: string;
  /** rendition: the PDF made from an Office original */
  role: "original" | "rendition";
};

type TPostBase = { authorName: string; authorFacilityName: string; files: TPostFileEntry[]; editedAt?: string };

export type TNotePayload = TPostBase & {
  post: "note";
  noteType: TNoteType;
  noteKind: TNoteKind;
  qualification: string;
  icon: TNoteIcon;
  body: string;
};

export type TDocumentPayload = TPostBase & {
  post: "document";
  documentType: TDocumentType;
  /** the PDF rendition of an Office original */
  conversion: "NOT_NEEDED" | "CONVERTED" | "NO_CONVERTER" | "FAILED";
};

export type TFilePayload = TPostBase & { post: "file"; description: string; periodLabel: string | null; from: string; to: string };

export type TPostPayload = TNotePayload | TDocumentPayload | TFilePayload;

/** The payload of a portal post, or null for data sent by systems. */
export function postPayloadOf(payload: unknown): TPostPayload | null {
  const p = payload as { post?: unknown } | null;
  return p && (p.post === "note" || p.post === "document" || p.post === "file") ? (payload as TPostPayload) : null;
}

/** 記録 → the calendar's ノート 記録 row, 連絡 → ノート 連絡. */
export const noteCategoryOf = (kind: TNoteKind): TContentCategory => (kind === "CONTACT" ? "NOTE_CONTACT" : "NOTE");

export const NOTE_CATEGORIES: TContentCategory[] = ["NOTE", "NOTE_CONTACT"];

/** A document's title when none is given: its 種別 as users know it. */
const DOCUMENT_TITLES: Record<TDocumentType, string> = {
  NURSING_SUMMARY: "看護要約",
  DISCHARGE_SUMMARY: "退院時サマリ",
  REFERRAL: "診療情報提供書",
  OTHER: "文書",
};
export const documentTitleOf = (t: TDocumentType) => DOCUMENT_TITLES[t];

/** Whether the author may still edit or delete (the window counts from posting). */
export const isWithinEditWindow = (postedAt: Date, now: Date, minutes: number) => now.getTime() - postedAt.getTime() <= minutes * 60_000;

/** Bytes as users read sizes in the seed's form ("0.037MB / 30MB"). */
export const formatMegabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 3 : 1)}MB`;

/**
 * The user's file name, ending in the extension of what the bytes are (a JPEG called 薬.pdf is
 * saved as 薬.pdf.jpg), so a download never opens in a program its content does not belong to.
 */
export function nameWithExtension(name: string, extension: string): string {
  const same = extension === "jpg" ? /\.(jpe?g)$/i : new RegExp(`\\.${extension}$`, "i");
  const base = name.trim() || "file";
  return (same.test(base) ? base : `${base.slice(0, 240)}.${extension}`).slice(0, 255);
}
