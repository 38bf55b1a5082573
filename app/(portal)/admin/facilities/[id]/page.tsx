import { notFound } from "next/navigation";
import { FacilityForm } from "@/components/admin/facility-form";
import { canManageFacilities } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { orNotFound } from "@/lib/server/or-not-found";
import { getFacility } from "@/lib/facilities/queries";
import { getT } from "@/lib/i18n/server";

export default async function EditFacilityPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ saved?: string }> }) {
  const viewer = await requireViewer();
  if (!canManageFacilities(viewer)) notFound();
  const [{ id }, { saved }, t] = await Promise.all([params, searchParams, getT()]);
  const facility = await orNotFound(getFacility(viewer, id));
  const { staffCount, id: facilityId, ...values } = facility;
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("facility.editTitle")}</h1>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-1 text-lg font-semibold">
          {t("facility.info")}: {facility.nameKanji}
        </h2>
        <p className="mb-4 text-sm text-slate-600">
          {t("facility.staffCount")}: {staffCount}
        </p>
        <FacilityForm key={facilityId} id={facilityId} initial={values} saved={saved === "1"} />
      </section>
    </div>
  );
}
