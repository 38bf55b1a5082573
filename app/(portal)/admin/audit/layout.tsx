import { PatientTabs } from "@/components/patients/patient-tabs";
import { canSeeAuditReports } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

/** The audit views side by side for the secretariat; a facility admin sees the patient report alone. */
export default async function AuditLayout({ children }: { children: React.ReactNode }) {
  const [viewer, t] = await Promise.all([requireViewer(), getT()]);
  if (!canSeeAuditReports(viewer)) return children;
  const tabs = [
    { href: "/admin/audit", label: t("auditReports.index") },
    { href: "/admin/audit/sign-ins", label: t("auditReports.signIns.title") },
    { href: "/admin/audit/activity", label: t("auditReports.activity.title") },
    { href: "/admin/audit/unusual", label: t("auditReports.unusual.title") },
    { href: "/admin/audit/rows", label: t("auditReports.rows.title") },
    { href: "/admin/audit/patient", label: t("auditReports.patient.title") },
  ];
  return (
    <div className="space-y-6">
      <PatientTabs tabs={tabs} />
      {children}
    </div>
  );
}
