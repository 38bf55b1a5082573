import { z } from "zod";
import { EmergencyConsent, EmergencyReason, Sex } from "@/generated/prisma/enums";
import { zCheckbox, zKanaName, zOptionalPhone, zOptionalText, zRequiredText } from "@/lib/fields";
import { zBirthDate, zFacilityId, zFacilityPatientId } from "@/lib/patients/schema";

/* Form messages are dictionary keys (lib/i18n), so they show in the user's language. */

/** `<施設患者ID>#EMS` and the disclosing facility picked for it. */
export const ZEmergencyTarget = z.object({ facilityId: zFacilityId, facilityPatientId: zFacilityPatientId });
export type TEmergencyTargetInput = z.infer<typeof ZEmergencyTarget>;

/**
 * The EMS form (seed 000 同意書の取得について, 閲覧先への連絡について): why, how consent was
 * obtained and who confirmed it, and the acknowledgement that the use is reviewed.
 */
export const ZOpenGrant = ZEmergencyTarget.extend({
  reason: z.enum(EmergencyReason, { message: "v.ems.reason.required" }),
  reasonText: zRequiredText(500, "v.ems.reasonText.required"),
  consent: z.enum(EmergencyConsent, { message: "v.ems.consent.required" }),
  consentConfirmedBy: zOptionalText(z.string().max(100, { message: "v.tooLong" })),
  acknowledged: zCheckbox.refine((v) => v, { message: "v.ems.acknowledged.required" }),
}).superRefine((v, ctx) => {
  // who confirmed the consent (or that it could not be had) is named, except where none is asked (a core hospital)
  if (v.consent !== "NOT_REQUIRED_CORE" && !v.consentConfirmedBy) ctx.addIssue({ code: "custom", path: ["consentConfirmedBy"], message: "v.ems.consentConfirmedBy.required" });
});
export type TOpenGrantInput = z.infer<typeof ZOpenGrant>;

/** Ending one's grant early. */
export const ZEndGrant = z.object({ grantId: z.uuid({ message: "v.ems.grant.required" }) });

/**
 * EMS name search (PDQ, seed 001): kana name, birth date and sex, and the address or a phone
 * number to narrow; it answers only when exactly one patient matches.
 */
export const ZEmergencySearch = z.object({
  nameKana: zKanaName(200, true).refine((s) => s.length > 0, { message: "v.ems.search.kana.required" }),
  birthDate: zBirthDate,
  sex: z.enum(Sex, { message: "v.patient.sex.required" }),
  address: zOptionalText(z.string().max(200, { message: "v.tooLong" })),
  phone: zOptionalPhone,
});
export type TEmergencySearchInput = z.infer<typeof ZEmergencySearch>;
