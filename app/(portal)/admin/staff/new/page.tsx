import { notFound } from "next/navigation";
import { StaffForm } from "@/components/admin/staff-form";
import { canManageStaffOf, isSecretariat } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getT } from "@/lib/i18n/server";
import { canAdministerStaff } from "@/lib/staff/queries";

export default async function NewStaffPage({ searchParams }: { searchParams: Promise<{ facilityId?: string }> }) {
  const viewer = await requireViewer();
  if (!canAdministerStaff(viewer)) notFound();
  const params = await searchParams;
  const secretariat = isSecretariat(viewer);
  const [t, options] = await Promise.all([getT(), listFacilityOptions(viewer)]);
  // A facility admin registers staff of their own facility only.
  const facilities = secretariat ? options : options.filter((f) => canManageStaffOf(viewer, f.id));
  const facilityId = secretariat && params.facilityId && facilities.some((f) => f.id === params.facilityId) ? params.facilityId : viewer.facilityId;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("staff.newTitle")}</h1>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("staff.info")}</h2>
        <StaffForm facilities={facilities} facilityId={facilityId} canGrantSecretariat={secretariat} />
      </section>
    </div>
  );
}
