import { z } from "zod";
import { FacilityType } from "@/generated/prisma/enums";

/*
 * Form messages are dictionary keys (lib/i18n), so they show in the user's language.
 * The text helpers below are shared with lib/staff/schema.ts and the search queries.
 */

/** Width variants (full-width digits and letters, half-width kana, the ideographic space) folded. */
export const nfkc = (s: string) => s.normalize("NFKC");

/** Dashes people type in postal codes and phone numbers (NFKC keeps most of them as they are). */
const DASHES = /[\u2010-\u2015\u2212\u30FC\uFF0D\uFF70]/g;
const foldDashes = (s: string) => s.replace(DASHES, "-");

/** Hiragana → katakana, so a search typed in hiragana finds names stored in katakana. */
export function toKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096\u309D\u309E]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** Kana names: width folded, runs of spaces (full-width included) collapsed to one. */
export const normalizeKana = (s: string) => nfkc(s).replace(/\s+/g, " ").trim();

/**
 * Katakana letters (ァ–ヺ, ヴ included), the long vowel mark ー and spaces. Format patterns here let
 * the empty string pass: zod runs every check, and an empty field should report "required" only.
 */
export const KATAKANA_NAME = /^[\u30A1-\u30FA\u30FC ]*$/;

/** Splits a search box's text into terms that must all match (so "やまだ はなこ" finds "ヤマダ ハナコ"). */
export function searchTerms(q: string | undefined | null): string[] {
  if (!q) return [];
  return nfkc(q)
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .slice(0, 5);
}

/** Ids come from URLs; anything not shaped like a UUID cannot name a row (and PostgreSQL would reject it). */
export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** A missing form field reads as an empty one, so "required" and not "expected string" is reported. */
const asText = (v: unknown) => (v == null ? "" : v);
const cleaned = (fold: (s: string) => string) => (v: unknown) => (typeof v === "string" ? fold(v) : asText(v));

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

export const zKanaName = (max: number) =>
  z.preprocess(
    cleaned(normalizeKana),
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

export const ZFacility = z
  .object({
    /** 施設ID: the network's own number for the facility (carried in terminal certificates). */
    code: z.preprocess(
      cleaned((s) => nfkc(s).trim()),
      z
        .string({ message: "v.facility.code.required" })
        .min(1, { message: "v.facility.code.required" })
        .regex(/^[0-9A-Za-z]{0,16}$/, { message: "v.facility.code.format" }),
    ),
    /** 医療機関コード: 10 digits (2 prefecture + 1 score table + 7 institution). */
    medicalInstitutionCode: zOptionalText(
      z.string().regex(/^\d{10}$/, { message: "v.facility.medicalInstitutionCode.format" }),
      (s) => nfkc(s).trim(),
    ),
    /** 施設ドメイン: one DNS label, so lower case (upper case is folded) and no edge hyphens. */
    domain: z.preprocess(
      cleaned((s) => nfkc(s).trim().toLowerCase()),
      z
        .string({ message: "v.facility.domain.required" })
        .min(1, { message: "v.facility.domain.required" })
        .regex(/^(?:[a-z0-9][a-z0-9-]{0,61}[a-z0-9])?$/, { message: "v.facility.domain.format" }),
    ),
    nameKanji: zRequiredText(100, "v.nameKanji.required"),
    nameKana: zKanaName(200),
    nameEnglish: zOptionalText(z.string().max(200, { message: "v.tooLong" }), (s) => nfkc(s).trim()),
    postalCode: zOptionalText(
      z
        .string()
        .regex(POSTAL_CODE, { message: "v.facility.postalCode.format" })
        .transform((s) => s.replace(POSTAL_CODE, "$1-$2")),
      (s) => foldDashes(nfkc(s)).replace(/\s/g, "").replace(/^〒/, ""),
    ),
    address: zOptionalText(z.string().max(200, { message: "v.tooLong" })),
    phone: zOptionalText(
      z.string().regex(/^\d[\d-]{8,11}\d$/, { message: "v.facility.phone.format" }),
      (s) => foldDashes(nfkc(s)).replace(/\s/g, ""),
    ),
    email: zOptionalEmail,
    type: z.enum(FacilityType, { message: "v.facility.type.required" }),
    isDisclosing: zCheckbox,
    isViewing: zCheckbox,
    isCoreHospital: zCheckbox,
    isActive: zCheckbox,
  })
  .refine((v) => v.isDisclosing || v.isViewing, {
    path: ["isViewing"],
    message: "v.facility.isViewing.oneRequired",
    // Shown together with the other fields' errors, not only once they are all fixed.
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  });
/** Create and edit take the same fields. */
export type TFacility = z.infer<typeof ZFacility>;

export const ZFacilityFilter = z.object({
  q: zOptionalText(z.string().max(100, { message: "v.tooLong" })).optional(),
  type: z.preprocess((v) => (v === "" ? undefined : v), z.enum(FacilityType, { message: "v.facility.type.required" }).optional()),
});
export type TFacilityFilter = z.infer<typeof ZFacilityFilter>;
