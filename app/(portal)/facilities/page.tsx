import { FacilityList } from "@/components/admin/facility-table";
import { canManageFacilities } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilities } from "@/lib/facilities/queries";
import { ZFacilityFilter } from "@/lib/facilities/schema";

/** 参加施設一覧 for every signed-in user; the secretariat also gets the edit links. */
export default async function FacilitiesPage({ searchParams }: { searchParams: Promise<{ q?: string; type?: string }> }) {
  const viewer = await requireViewer();
  const params = await searchParams;
  const parsed = ZFacilityFilter.safeParse({ q: params.q ?? "", type: params.type ?? "" });
  const filter = parsed.success ? parsed.data : {};
  const rows = await listFacilities(viewer, filter);
  return (
    <FacilityList
      rows={rows}
      canEdit={canManageFacilities(viewer)}
      q={params.q ?? ""}
      type={filter.type ?? ""}
      action="/facilities"
      titleKey="facility.title"
    />
  );
}
