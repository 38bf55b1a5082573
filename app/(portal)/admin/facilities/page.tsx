import { notFound } from "next/navigation";
import { FacilityList } from "@/components/admin/facility-table";
import { canManageFacilities } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilities } from "@/lib/facilities/queries";
import { ZFacilityFilter } from "@/lib/facilities/schema";

/** 施設管理: the same list as 参加施設一覧, with the edit links (secretariat only). */
export default async function AdminFacilitiesPage({ searchParams }: { searchParams: Promise<{ q?: string; type?: string }> }) {
  const viewer = await requireViewer();
  if (!canManageFacilities(viewer)) notFound();
  const params = await searchParams;
  const parsed = ZFacilityFilter.safeParse({ q: params.q ?? "", type: params.type ?? "" });
  const filter = parsed.success ? parsed.data : {};
  const rows = await listFacilities(viewer, filter);
  return (
    <FacilityList
      rows={rows}
      canEdit
      q={params.q ?? ""}
      type={filter.type ?? ""}
      action="/admin/facilities"
      titleKey="facility.adminTitle"
    />
  );
}
