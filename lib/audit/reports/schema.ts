import { z } from "zod";
import { AccessType, SignInEventKind } from "@/generated/prisma/enums";
import { zMonth } from "@/lib/audit/schema";
import { SIGN_IN_KIND_GROUP_NAMES, parseJstLocal } from "@/lib/audit/reports/rules";
import { zDay } from "@/lib/clinical/schema";
import { lenient, zPage } from "@/lib/fields";
import { nfkc } from "@/lib/text";

/*
 * The audit views' URLs. Filters come from GET forms and links; a value not understood is
 * dropped (the form then shows what was applied), so a hand-edited URL still opens the page.
 */

/** 施設ID (the network's facility code). */
const zFacilityCode = lenient(z.string().transform((s) => nfkc(s).trim()).pipe(z.string().min(1).max(16)));
/** A login ID as people type it (width folded). */
const zLoginId = lenient(z.string().transform((s) => nfkc(s).trim()).pipe(z.string().min(1).max(64)));
/** 地域患者ID: ten digits, spaces and dashes ignored. */
const zRegionalId = lenient(z.string().transform((s) => nfkc(s).replace(/[\s-]/g, "")).pipe(z.string().regex(/^\d{10}$/)));
/** A Japan-time date-time, YYYY-MM-DDTHH:mm(:ss). */
const zLocalTime = lenient(
  z.string().transform((s, ctx) => {
    const at = parseJstLocal(s.trim());
    if (!at) ctx.addIssue({ code: "custom", message: "v.date.format" });
    return at ?? z.NEVER;
  }),
);
const zListPage = zPage.catch(1);

/** サインイン履歴: facility, login ID (part of what was typed), kind or group, Japan-time days. */
export const ZSignInFilter = z.object({
  facility: zFacilityCode,
  login: zLoginId,
  kind: lenient(z.enum([...Object.values(SignInEventKind), ...SIGN_IN_KIND_GROUP_NAMES])),
  from: lenient(zDay),
  to: lenient(zDay),
  page: zListPage,
});
export type TSignInFilter = z.infer<typeof ZSignInFilter>;

/** A facility's activity in a Japan-time month. */
export const ZActivityQuery = z.object({
  facility: zFacilityCode,
  month: lenient(zMonth),
});
export type TActivityQuery = z.infer<typeof ZActivityQuery>;

/** The unusual-access report's days (Japan time, both included). */
export const ZUnusualQuery = z.object({
  from: lenient(zDay),
  to: lenient(zDay),
});
export type TUnusualQuery = z.infer<typeof ZUnusualQuery>;

/** The access-log rows behind a count or a finding. */
export const ZAccessRowsFilter = z.object({
  facility: zFacilityCode,
  user: zLoginId,
  patient: zRegionalId,
  type: lenient(z.enum(AccessType)),
  from: zLocalTime,
  to: zLocalTime,
  emergency: lenient(z.enum(["1"])).transform((v) => v === "1"),
  page: zListPage,
});
export type TAccessRowsFilter = z.infer<typeof ZAccessRowsFilter>;

/** One patient's access report: by regional ID, or by a facility's patient ID. */
export const ZPatientReportQuery = z.object({
  regionalId: zRegionalId,
  facility: zFacilityCode,
  facilityPatientId: lenient(z.string().transform((s) => nfkc(s).trim()).pipe(z.string().min(1).max(20))),
  page: zListPage,
});
export type TPatientReportQuery = z.infer<typeof ZPatientReportQuery>;
