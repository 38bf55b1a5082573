import { z } from "zod";
import { ConsentAction, ConsentMethod, ConsentScope, ConsentSigner } from "@/generated/prisma/enums";
import { parseDateInput } from "@/lib/dates";
import { cleaned, zOptionalText } from "@/lib/fields";

/* Form messages are dictionary keys (lib/i18n), so they show in the user's language. */

const asList = (v: unknown) => (v == null || v === "" ? [] : Array.isArray(v) ? v : [v]);

const zName = (max: number) => zOptionalText(z.string().max(max, { message: "v.tooLong" }));

/** 同意日 / 利用停止日: 西暦 or 和暦. */
export const zConsentDate = z.preprocess(
  cleaned((s) => s.trim()),
  z
    .string({ message: "v.consent.consentDate.required" })
    .min(1, { message: "v.consent.consentDate.required" })
    .transform((s, ctx) => {
      const d = parseDateInput(s);
      if (!d) {
        ctx.addIssue({ code: "custom", message: "v.date.format" });
        return z.NEVER;
      }
      return d;
    }),
);

/**
 * One consent or withdrawal as written on form 6 (患者同意書) or the 患者情報利用停止届出書.
 * The scan, if any, travels beside it (a file field), checked by content in the mutation.
 */
export const ZConsentInput = z
  .object({
    action: z.enum(ConsentAction, { message: "v.consent.action.required" }),
    scope: z.enum(ConsentScope, { message: "v.consent.scope.required" }),
    facilityIds: z.preprocess(asList, z.array(z.uuid({ message: "v.consent.facilityIds.required" })).max(100)),
    method: z.enum(ConsentMethod, { message: "v.consent.method.required" }),
    consentDate: zConsentDate,
    responsibleName: zName(100),
    explainedByName: zName(100),
    signer: z.enum(ConsentSigner, { message: "v.consent.signer.required" }),
    signerName: zName(100),
    proxyRelationship: zName(50),
    reason: zName(500),
    note: zName(500),
  })
  .superRefine((v, ctx) => {
    const add = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.scope === "FACILITIES" && v.facilityIds.length === 0) add("facilityIds", "v.consent.facilityIds.required");
    if (v.signer === "PROXY" && !v.signerName) add("signerName", "v.consent.signerName.required");
    if (v.signer === "PROXY" && !v.proxyRelationship) add("proxyRelationship", "v.consent.proxyRelationship.required");
    if (v.action === "WITHDRAW" && !v.reason) add("reason", "v.consent.reason.required");
  })
  .transform((v) => ({ ...v, facilityIds: v.scope === "FACILITIES" ? [...new Set(v.facilityIds)] : [] }));
export type TConsentInput = z.infer<typeof ZConsentInput>;

/** The largest consent scan accepted (a few pages of a scanned form). */
export const CONSENT_SCAN_MAX_BYTES = 10 * 1024 * 1024;
