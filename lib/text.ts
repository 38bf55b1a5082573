/*
 * Text folding shared by forms and searches: people type names, numbers and kana in every width
 * and in hiragana or katakana; stored values and search keys are folded the same way.
 */

/** Width variants (full-width digits and letters, half-width kana, the ideographic space) folded. */
export const nfkc = (s: string) => s.normalize("NFKC");

/** Dashes people type in postal codes and phone numbers (NFKC keeps most of them as they are). */
const DASHES = /[\u2010-\u2015\u2212\u30FC\uFF0D\uFF70]/g;
export const foldDashes = (s: string) => s.replace(DASHES, "-");

/** Hiragana → katakana, so a search typed in hiragana finds names stored in katakana. */
export function toKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309D\u309E]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Kana names: width folded, runs of spaces (full-width included) collapsed to one. */
export const normalizeKana = (s: string) => nfkc(s).replace(/\s+/g, " ").trim();

/** A kana name as stored: katakana (hiragana converted), width folded, one space between parts. */
export const toKanaName = (s: string) => toKatakana(normalizeKana(s));

/** The search key of a kana name or search term: katakana without any spaces. */
export const kanaKey = (s: string) => toKatakana(nfkc(s)).replace(/\s+/g, "");

/**
 * Katakana letters (ァ–ヺ, ヴ included), the long vowel mark ー and spaces. Format patterns here let
 * the empty string pass: zod runs every check, and an empty field should report "required" only.
 */
export const KATAKANA_NAME = /^[\u30A1-\u30FA\u30FC ]*$/;

/** Whether a search term (after folding) is kana only, so it can use the kana index. */
export const isKanaTerm = (s: string) => s.length > 0 && /^[\u30A1-\u30FA\u30FC]+$/.test(kanaKey(s));

/** Splits a search box's text into terms that must all match (so "やまだ はなこ" finds "ヤマダ ハナコ"). */
export function searchTerms(q: string | undefined | null): string[] {
  if (!q) return [];
  return nfkc(q)
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .slice(0, 5);
}

/** A LIKE pattern (backslash escapes) matching text that starts with `s`, its wildcards taken literally. */
export const likePrefix = (s: string) => `${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** A LIKE pattern matching text that contains `s`, its wildcards taken literally. */
export const likeWithin = (s: string) => `%${likePrefix(s)}`;

/** Ids come from URLs; anything not shaped like a UUID cannot name a row (and PostgreSQL would reject it). */
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
