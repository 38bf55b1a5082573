import { z } from "zod";
import { FacilityType } from "@/generated/prisma/enums";
import { cleaned, zCheckbox, zKanaName, zOptionalEmail, zOptionalPhone, zOptionalPostalCode, zOptionalText, zRequiredText } from "@/lib/fields";
import { nfkc } from "@/lib/text";

/* Form messages are dictionary keys (lib/i18n), so they show in the user's language. */

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
    postalCode: zOptionalPostalCode,
    address: zOptionalText(z.string().max(200, { message: "v.tooLong" })),
    phone: zOptionalPhone,
    email: zOptionalEmail,
    type: z.enum(FacilityType, { message: "v.facility.type.required" }),
    isDisclosing: zCheckbox,
    isViewing: zCheckbox,
    isCoreHospital: zCheckbox,
    /** the network allows this facility's EMS-privileged staff to use #EMS (seed 000 EMS機能; set by the secretariat) */
    emsAllowed: zCheckbox,
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
