import { PatientTabs } from "@/components/patients/patient-tabs";
import { canSeeAuditReports } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

/** The secretariat's review queue and monthly report side by side; a facility's admins see their staff's uses alone. */
export default async function EmergencyReviewLayout({ children }: { children: React.ReactNode }) {
  const [viewer, t] = await Promise.all([requireViewer(), getT()]);
  if (!canSeeAuditReports(viewer)) return children;
  const tabs = [
    { href: "/admin/emergency", label: t("emsReview.tab.queue") },
    { href: "/admin/emergency/report", label: t("emsReview.tab.report") },
  ];
  return (
    <div className="space-y-6">
      <PatientTabs tabs={tabs} />
      {children}
    </div>
  );
}
