import { notFound } from "next/navigation";
import { FacilityForm } from "@/components/admin/facility-form";
import { canManageFacilities } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { getT } from "@/lib/i18n/server";

export default async function NewFacilityPage() {
  const viewer = await requireViewer();
  if (!canManageFacilities(viewer)) notFound();
  const t = await getT();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("facility.newTitle")}</h1>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("facility.info")}</h2>
        <FacilityForm />
      </section>
    </div>
  );
}
