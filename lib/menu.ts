import type { TViewer } from "@/lib/auth/viewer-type";
import { mayUseEms } from "@/lib/ems/privilege";
import {
  canManageCertificates,
  canManageDisasters,
  canManageFacilities,
  canSeeAdminMenu,
  canSeeAuditReports,
  canSeeMailOutbox,
  canSeeOwnPatientList,
  canSeePatientAccessReports,
  isFacilityAdmin,
  isSecretariat,
  mayReadRecords,
  mayRegisterPatients,
} from "@/lib/access/roles";

export type TMenuItem = { href: string; key: string };

/**
 * The portal menu of seed 004 (地域患者管理, 参加施設一覧, メール, 包括同意照会, ファイル共有,
 * 管理機能, 自施設患者一覧, 公開・閲覧履歴…): items appear as their capabilities are built.
 */
export function menuFor(viewer: TViewer): { main: TMenuItem[]; admin: TMenuItem[] } {
  const main: TMenuItem[] = [
    { href: "/", key: "menu.home" },
    ...(mayReadRecords(viewer.roles) || mayRegisterPatients(viewer.roles) ? [{ href: "/patients", key: "menu.patients" }] : []),
    ...(mayRegisterPatients(viewer.roles) ? [{ href: "/patients/new", key: "menu.patientRegister" }] : []),
    ...(canSeeOwnPatientList(viewer) ? [{ href: "/patients/own", key: "menu.ownPatients" }] : []),
    // 救急時閲覧 (seed 000): only for staff with the EMS privilege
    ...(mayUseEms(viewer) ? [{ href: "/ems", key: "menu.ems" }] : []),
    { href: "/facilities", key: "menu.facilities" },
    { href: "/staff", key: "menu.staffSearch" },
    { href: "/mail", key: "menu.mail" },
    ...(mayReadRecords(viewer.roles) ? [{ href: "/notifications", key: "menu.notifications" }] : []),
  ];
  const admin: TMenuItem[] = [];
  if (canManageFacilities(viewer)) admin.push({ href: "/admin/facilities", key: "menu.adminFacilities" });
  if (canSeeAdminMenu(viewer)) admin.push({ href: "/admin/staff", key: "menu.adminStaff" });
  if (canManageCertificates(viewer)) admin.push({ href: "/admin/certificates", key: "menu.adminCertificates" });
  if (canSeeAdminMenu(viewer)) admin.push({ href: "/admin/access-logs", key: "menu.adminAccessLogs" });
  if (canSeeAuditReports(viewer)) admin.push({ href: "/admin/audit", key: "menu.adminAudit" });
  else if (canSeePatientAccessReports(viewer)) admin.push({ href: "/admin/audit/patient", key: "menu.adminPatientAccess" });
  // Emergency access (issue 16): the secretariat reviews every use; a facility's admins see their own staff's.
  if (canSeeAuditReports(viewer)) admin.push({ href: "/admin/emergency", key: "menu.adminEmergency" });
  else if (isFacilityAdmin(viewer)) admin.push({ href: "/admin/emergency", key: "menu.adminEmergencyOwn" });
  if (canSeeMailOutbox(viewer)) admin.push({ href: "/admin/mail-outbox", key: "menu.adminMailOutbox" });
  // The network's two-factor policy is the secretariat's (issue 15).
  if (isSecretariat(viewer)) admin.push({ href: "/admin/second-factor", key: "menu.adminSecondFactor" });
  // Declaring a disaster (the Noto rule) is the secretariat's (issue 16).
  if (canManageDisasters(viewer)) admin.push({ href: "/admin/disasters", key: "menu.adminDisasters" });
  return { main, admin };
}
