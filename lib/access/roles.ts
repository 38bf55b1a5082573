import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError } from "@/lib/errors";

/**
 * Role permissions (who may use which administrative function). Patient-data visibility is a
 * separate rule that arrives with the patients issue, in this same folder.
 */
export const isSecretariat = (v: TViewer) => v.roles.includes("SECRETARIAT");
export const isFacilityAdmin = (v: TViewer) => v.roles.includes("FACILITY_ADMIN");

/** Facility register and terminal certificates belong to the network secretariat. */
export const canManageFacilities = isSecretariat;
export const canManageCertificates = isSecretariat;

/** Facility admins manage their own facility's staff; the secretariat any facility's. */
export const canManageStaffOf = (v: TViewer, facilityId: string) =>
  isSecretariat(v) || (isFacilityAdmin(v) && v.facilityId === facilityId);

export const canSeeAdminMenu = (v: TViewer) => isSecretariat(v) || isFacilityAdmin(v);

/** Throws FORBIDDEN; callers that must not reveal existence use NOT_FOUND themselves. */
export function assertAllowed(allowed: boolean, what: string): asserts allowed {
  if (!allowed) throw new AppError("FORBIDDEN", `not allowed: ${what}`);
}
