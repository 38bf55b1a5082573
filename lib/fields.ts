import { z } from "zod";
import { foldDashes, KATAKANA_NAME, nfkc, normalizeKana, toKatakana } from "@/lib/text";

/*
 * Form fields every domain's schema shares. Messages are dictionary keys (lib/i18n), so they show
 * in the user's language.
 */

/** A missing form field reads as an empty one, so "required" and not "expected string" is reported. */
const asText = (v: unknown) => (v == null ? "" : v);
export const cleaned = (fold: (s: string) => string) => (v: unknown) => (typeof v === "string" ? fold(v) : asText(v));

/** Required text: trimmed, at least one character. */
export const zRequiredText = (max: number, requiredKey: string) =>
  z.preprocess(asText, z.string({ message: requiredKey }).trim().min(1, { message: requiredKey }).max(max, { message: "v.tooLong" }));

/** Optional text: trimmed; empty becomes null. */
export function zOptionalText<T extends z.ZodType<string>>(inner: T, fold: (s: string) => string = (s) => s.trim()) {
  return z.preprocess((v) => {
    const s = cleaned(fold)(v);
    return s === "" ? null : s;
  }, inner.nullable());
}

/** A checkbox: "on" (what a browser sends), "true" or true; anything else, absence included, false. */
export const zCheckbox = z.preprocess((v) => v === true || v === "on" || v === "true", z.boolean());

/** Kana names are stored in katakana; with `fromHiragana`, hiragana input is converted, not refused. */
export const zKanaName = (max: number, fromHiragana = false) =>
  z.preprocess(
    cleaned((s) => (fromHiragana ? toKatakana(normalizeKana(s)) : normalizeKana(s))),
    z
      .string({ message: "v.nameKana.required" })
      .min(1, { message: "v.nameKana.required" })
      .max(max, { message: "v.tooLong" })
      .regex(KATAKANA_NAME, { message: "v.nameKana.katakana" }),
  );

export const zOptionalEmail = zOptionalText(
  z.email({ message: "v.email.format" }).max(254, { message: "v.tooLong" }),
  (s) => nfkc(s).trim(),
);

const POSTAL_CODE = /^(\d{3})-?(\d{4})$/;

/** 〒 and any dash or width accepted; stored as 123-4567. */
export const zOptionalPostalCode = zOptionalText(
  z
    .string()
    .regex(POSTAL_CODE, { message: "v.postalCode.format" })
    .transform((s) => s.replace(POSTAL_CODE, "$1-$2")),
  (s) => foldDashes(nfkc(s)).replace(/\s/g, "").replace(/^〒/, ""),
);

export const zOptionalPhone = zOptionalText(
  z.string().regex(/^\d[\d-]{8,11}\d$/, { message: "v.phone.format" }),
  (s) => foldDashes(nfkc(s)).replace(/\s/g, ""),
);

/** Page numbers from the query string: empty is page 1. */
export const zPage = z.preprocess(
  (v) => (v === "" || v == null ? 1 : v),
  z.coerce.number({ message: "v.page.format" }).int({ message: "v.page.format" }).min(1, { message: "v.page.format" }).max(10_000, { message: "v.page.format" }),
);

/** A select's "no choice" is an empty string: undefined for the schema. */
export const emptyAsUndefined = (v: unknown) => (v === "" || v == null ? undefined : v);

/** A query-string value: the first of repeated values, an empty string as absent. */
export const queryValue = (v: unknown) => (Array.isArray(v) ? v[0] : v === "" ? undefined : v);

/** Anything not understood falls back to the default: a bookmarked or hand-edited URL still opens its page. */
export const lenient = <T extends z.ZodType>(schema: T) => z.preprocess(queryValue, schema.optional().catch(undefined));
