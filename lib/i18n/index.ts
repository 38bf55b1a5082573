import type { TMessageKey } from "@/lib/i18n/ja";

export type TLocale = "ja" | "en";
export const LOCALES: TLocale[] = ["ja", "en"];
export const LOCALE_COOKIE = "locale";
export type { TMessageKey };

export type TDictionary = Record<string, string>;

export const toLocale = (value: string | undefined | null): TLocale => (value === "en" ? "en" : "ja");

export type TTranslate = (key: string, vars?: Record<string, string | number>) => string;

/** Unknown keys come back as they are, so a plain message still shows. */
export function translator(dict: TDictionary): TTranslate {
  return (key, vars) => {
    const text = dict[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`)) : text;
  };
}

/** Dates in JST, as the users read them: 2026/11/22 (R8/11/22) style where `wareki`; audit screens show seconds. */
export function formatDateTime(d: Date | string | null | undefined, locale: TLocale, withTime = true, withSeconds = false): string {
  if (!d) return "";
  const date = typeof d === "string" ? new Date(d) : d;
  return new Intl.DateTimeFormat(locale === "ja" ? "ja-JP" : "en-GB", {
    timeZone: "Asia/Tokyo",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    ...(withTime ? { hour: "2-digit", minute: "2-digit" } : {}),
    ...(withTime && withSeconds ? { second: "2-digit" } : {}),
  }).format(date);
}
