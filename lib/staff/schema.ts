import { z } from "zod";
import { Qualification, StaffRole } from "@/generated/prisma/enums";
import { zCheckbox, zKanaName, zOptionalEmail, zOptionalText, zPage, zRequiredText } from "@/lib/fields";
import { nfkc } from "@/lib/text";

/* Form messages are dictionary keys (lib/i18n), so they show in the user's language. */

const STAFF_ROLES = Object.values(StaffRole) as string[];
const isStaffRole = (r: string): r is StaffRole => STAFF_ROLES.includes(r);

/** A group of checkboxes sends nothing, one value or several. */
const asList = (v: unknown) => (v == null || v === "" ? [] : Array.isArray(v) ? v : [v]);

const zRoles = z.preprocess(
  asList,
  z
    .array(z.string(), { message: "v.staff.roles.required" })
    .min(1, { message: "v.staff.roles.required" })
    // Reported on "roles" itself (not "roles.0"): that is where the form shows it.
    .refine((roles) => roles.every(isStaffRole), { message: "v.staff.roles.invalid" })
    .transform((roles) => [...new Set(roles)] as StaffRole[]),
);

const zFacilityId = z.preprocess(
  (v) => (v == null ? "" : v),
  z.string({ message: "v.staff.facilityId.required" }).trim().pipe(z.uuid({ message: "v.staff.facilityId.required" })),
);

export const ZCreateStaff = z.object({
  facilityId: zFacilityId,
  /** Personal login ID; width folded so a full-width "ｙａｍａｄａ" is "yamada". */
  loginId: z.preprocess(
    (v) => (typeof v === "string" ? nfkc(v).trim() : v == null ? "" : v),
    z
      .string({ message: "v.loginId.required" })
      .min(1, { message: "v.loginId.required" })
      .regex(/^(?:[A-Za-z0-9._-]{3,64})?$/, { message: "v.staff.loginId.format" }),
  ),
  nameKanji: zRequiredText(100, "v.nameKanji.required"),
  nameKana: zKanaName(200),
  qualification: z.enum(Qualification, { message: "v.staff.qualification.required" }),
  roles: zRoles,
  hasEmsPrivilege: zCheckbox,
  email: zOptionalEmail,
});
export type TCreateStaff = z.infer<typeof ZCreateStaff>;

/** The login ID and the facility are fixed once an account exists. */
export const ZUpdateStaff = ZCreateStaff.omit({ facilityId: true, loginId: true });
export type TUpdateStaff = z.infer<typeof ZUpdateStaff>;

export const STAFF_PAGE_SIZE = 20;

/** 職員情報検索: read from the query string, so empty values mean "no filter". */
export const ZStaffSearch = z.object({
  q: zOptionalText(z.string().max(100, { message: "v.tooLong" }))
    .transform((q) => q ?? undefined)
    .optional(),
  facilityId: z.preprocess(
    (v) => (v === "" || v == null ? undefined : v),
    z.uuid({ message: "v.staff.facilityId.required" }).optional(),
  ),
  qualification: z.preprocess(
    (v) => (v === "" || v == null ? undefined : v),
    z.enum(Qualification, { message: "v.staff.qualification.required" }).optional(),
  ),
  includeRetired: zCheckbox,
  page: zPage,
});
export type TStaffSearch = z.infer<typeof ZStaffSearch>;
