import { z } from "zod";
import { PublicationState, Sex } from "@/generated/prisma/enums";
import { parseDateInput, todayInJapan } from "@/lib/dates";
import { cleaned, emptyAsUndefined, zCheckbox, zKanaName, zOptionalPhone, zOptionalPostalCode, zOptionalText, zPage, zRequiredText } from "@/lib/fields";
import { ZConsentInput } from "@/lib/consent/schema";
import { nfkc } from "@/lib/text";

/* Form messages are dictionary keys (lib/i18n), so they show in the user's language. */

/** A birth date typed in 西暦 or 和暦; not in the future, not before 1870. */
export const zBirthDate = z.preprocess(
  cleaned((s) => s.trim()),
  z
    .string({ message: "v.patient.birthDate.required" })
    .min(1, { message: "v.patient.birthDate.required" })
    .transform((s, ctx) => {
      const d = parseDateInput(s);
      if (!d) {
        ctx.addIssue({ code: "custom", message: "v.date.format" });
        return z.NEVER;
      }
      if (d > todayInJapan() || d.getUTCFullYear() < 1870) {
        ctx.addIssue({ code: "custom", message: "v.patient.birthDate.range" });
        return z.NEVER;
      }
      return d;
    }),
);

/** 個人情報: what registration and editing take. */
export const ZPatientInfo = z.object({
  nameKanji: zRequiredText(100, "v.patient.nameKanji.required"),
  nameKana: zKanaName(200, true),
  sex: z.enum(Sex, { message: "v.patient.sex.required" }),
  birthDate: zBirthDate,
  postalCode: zOptionalPostalCode,
  address: zOptionalText(z.string().max(200, { message: "v.tooLong" })),
  phone: zOptionalPhone,
  mobilePhone: zOptionalPhone,
});
export type TPatientInfo = z.infer<typeof ZPatientInfo>;

/** A facility patient ID (MRN) as the facility prints it: letters, digits and hyphens, width folded. */
export const zFacilityPatientId = z.preprocess(
  cleaned((s) => nfkc(s).trim()),
  z
    .string({ message: "v.link.facilityPatientId.required" })
    .min(1, { message: "v.link.facilityPatientId.required" })
    .max(20, { message: "v.tooLong" })
    .regex(/^[0-9A-Za-z-]*$/, { message: "v.link.facilityPatientId.format" }),
);

export const zFacilityId = z.preprocess(
  (v) => (v == null ? "" : v),
  z.string({ message: "v.link.facilityId.required" }).trim().pipe(z.uuid({ message: "v.link.facilityId.required" })),
);

export const ZLinkInput = z.object({ facilityId: zFacilityId, facilityPatientId: zFacilityPatientId });
export type TLinkInput = z.infer<typeof ZLinkInput>;

/** The registration wizard's one submission: personal information, facility IDs, consent. */
export const ZRegisterPatient = z
  .object({
    patient: ZPatientInfo,
    links: z.array(ZLinkInput).max(30, { message: "v.tooLong" }),
    /** null: registered before consent is obtained (未同意; e.g. a facility's own patients arriving by data feed) */
    consent: ZConsentInput.nullable(),
    /** the liaison saw the possible duplicates and registers anyway */
    confirmDuplicate: zCheckbox,
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.links.forEach((l, i) => {
      if (seen.has(l.facilityId)) ctx.addIssue({ code: "custom", path: ["links", i, "facilityId"], message: "v.link.facilityTwice" });
      seen.add(l.facilityId);
    });
    if (v.consent && v.consent.action !== "GRANT") ctx.addIssue({ code: "custom", path: ["consent", "action"], message: "v.consent.action.grantFirst" });
  });
export type TRegisterPatient = z.infer<typeof ZRegisterPatient>;

/** Step 1 of the wizard asks for likely duplicates before going on. */
export const ZDuplicateCheck = z.object({
  patient: ZPatientInfo,
  links: z.array(ZLinkInput).max(30).default([]),
});
export type TDuplicateCheck = z.infer<typeof ZDuplicateCheck>;

export const ZUpdatePatient = ZPatientInfo.extend({
  reason: zOptionalText(z.string().max(200, { message: "v.tooLong" })),
  /** the version the form was opened on: a save over someone else's newer edit is refused */
  version: z.coerce.number({ message: "common.error" }).int().min(1),
});
export type TUpdatePatient = z.infer<typeof ZUpdatePatient>;

export const ZAddLink = ZLinkInput.extend({ patientId: z.uuid({ message: "common.notFound" }) });
export type TAddLink = z.infer<typeof ZAddLink>;

export const ZUnlink = z.object({
  linkId: z.uuid({ message: "common.notFound" }),
  reason: zRequiredText(200, "v.link.unlinkReason.required"),
});
export type TUnlink = z.infer<typeof ZUnlink>;

export const ZPublication = z
  .object({
    linkId: z.uuid({ message: "common.notFound" }),
    publicationState: z.enum(PublicationState, { message: "v.link.publicationState.required" }),
    shareBasic: zCheckbox,
    shareClinical: zCheckbox,
  })
  .refine((v) => v.publicationState !== "PUBLISHED" || v.shareBasic || v.shareClinical, {
    path: ["shareBasic"],
    message: "v.link.scope.required",
  });
export type TPublication = z.infer<typeof ZPublication>;

export const PATIENT_PAGE_SIZE = 20;

const zOptionalQuery = (max: number) =>
  z.preprocess((v) => (typeof v === "string" ? nfkc(v).trim() || undefined : emptyAsUndefined(v)), z.string().max(max, { message: "v.tooLong" }).optional());

/**
 * 地域患者一覧 search, read from the query string (empty values mean "no filter").
 * `mode=registration` is the liaison's and the secretariat's 個人情報検索 (identifying fields only).
 */
export const ZPatientSearch = z.object({
  regionalId: z.preprocess(
    (v) => (typeof v === "string" ? nfkc(v).replace(/[\s-]/g, "") || undefined : emptyAsUndefined(v)),
    z.string().regex(/^\d{10}$/, { message: "v.patient.regionalId.format" }).optional(),
  ),
  facilityId: z.preprocess(emptyAsUndefined, z.uuid({ message: "v.link.facilityId.required" }).optional()),
  facilityPatientId: zOptionalQuery(20),
  name: zOptionalQuery(100),
  birthDate: z.preprocess(
    (v) => (typeof v === "string" ? v.trim() || undefined : emptyAsUndefined(v)),
    z
      .string()
      .optional()
      .transform((s, ctx) => {
        if (s === undefined) return undefined;
        const d = parseDateInput(s);
        if (!d) {
          ctx.addIssue({ code: "custom", message: "v.date.format" });
          return z.NEVER;
        }
        return d;
      }),
  ),
  sex: z.preprocess(emptyAsUndefined, z.enum(Sex, { message: "v.patient.sex.required" }).optional()),
  mode: z.preprocess(emptyAsUndefined, z.enum(["registration"]).optional()),
  page: zPage,
});
export type TPatientSearch = z.infer<typeof ZPatientSearch>;

/** 自施設患者一覧 filters. */
export const ZOwnPatientFilter = z.object({
  facilityId: z.preprocess(emptyAsUndefined, z.uuid({ message: "v.link.facilityId.required" }).optional()),
  facilityPatientId: zOptionalQuery(20),
  name: zOptionalQuery(100),
  publicationState: z.preprocess(emptyAsUndefined, z.enum(PublicationState).optional()),
  consent: z.preprocess(emptyAsUndefined, z.enum(["consented", "none"]).optional()),
  page: zPage,
});
export type TOwnPatientFilter = z.infer<typeof ZOwnPatientFilter>;
