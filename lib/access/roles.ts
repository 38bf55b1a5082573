import type { StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError } from "@/lib/errors";

/**
 * Role permissions (who may use which function), for the screens and the data layer alike.
 * Whether a read of patient data is allowed is decided by the gateway (./gateway.ts) alone; the
 * role clauses of that rule are written into its SQL (chiikilink_reads_records,
 * chiikilink_registers_patients) and match the two below, which shape menus and pages.
 */

/** Roles that read patient records. Administrators and the secretariat handle registrations, not records. */
export const mayReadRecords = (roles: readonly StaffRole[]) => roles.includes("CLINICIAN") || roles.includes("LIAISON");

/** Roles that register patients, link facility IDs and record consent (identifying fields only). */
export const mayRegisterPatients = (roles: readonly StaffRole[]) => roles.includes("LIAISON") || roles.includes("SECRETARIAT");
export const isSecretariat = (v: TViewer) => v.roles.includes("SECRETARIAT");
export const isFacilityAdmin = (v: TViewer) => v.roles.includes("FACILITY_ADMIN");

/** Facility register and terminal certificates belong to the network secretariat. */
export const canManageFacilities = isSecretariat;
export const canManageCertificates = isSecretariat;
/** Disaster declarations (the Noto rule) are declared, extended and closed by the secretariat. */
export const canManageDisasters = isSecretariat;

/** Facility admins manage their own facility's staff; the secretariat any facility's. */
export const canManageStaffOf = (v: TViewer, facilityId: string) =>
  isSecretariat(v) || (isFacilityAdmin(v) && v.facilityId === facilityId);

export const canSeeAdminMenu = (v: TViewer) => isSecretariat(v) || isFacilityAdmin(v);

/** Who may remove a link: the secretariat, or liaison staff of the linked facility or of the facility that made it. */
export const canUnlink = (v: TViewer, link: { facilityId: string; linkedByFacilityId: string | null }) =>
  isSecretariat(v) || (v.roles.includes("LIAISON") && (v.facilityId === link.facilityId || v.facilityId === link.linkedByFacilityId));

/** 公開設定 belongs to the facility (its administrator or liaison staff) and the secretariat (seed 004). */
export const canPublish = (v: TViewer, facilityId: string) =>
  isSecretariat(v) || ((isFacilityAdmin(v) || v.roles.includes("LIAISON")) && v.facilityId === facilityId);

/** Every role of a facility may list its own patients (自施設患者一覧); the secretariat any facility's. */
export const canSeeOwnPatientList = (v: TViewer) => v.roles.length > 0;

/** The monthly access-log CSV (seed 000 コンテンツ参照記録): a facility's admins for their facility, the secretariat for any. */
export const canExportAccessLogsOf = (v: TViewer, facilityId: string) => isSecretariat(v) || (isFacilityAdmin(v) && v.facilityId === facilityId);

/** Network-wide audit views (sign-in history, activity, unusual access) belong to the secretariat. */
export const canSeeAuditReports = isSecretariat;

/**
 * One patient's access report (seed 004: 診療情報を開示・閲覧している参加施設の確認): the secretariat for
 * any patient, a facility's admins for patients linked at their facility (checked with the patient).
 */
export const canSeePatientAccessReports = (v: TViewer) => isSecretariat(v) || isFacilityAdmin(v);

/** The mail outbox (what waits for SMTP, what failed) belongs to the secretariat that runs the server. */
export const canSeeMailOutbox = isSecretariat;

/** Throws FORBIDDEN; callers that must not reveal existence use NOT_FOUND themselves. */
export function assertAllowed(allowed: boolean, what: string): asserts allowed {
  if (!allowed) throw new AppError("FORBIDDEN", `not allowed: ${what}`);
}
