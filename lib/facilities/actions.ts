"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { createFacility, updateFacility } from "@/lib/facilities/mutations";
import { ZFacility } from "@/lib/facilities/schema";

function revalidateFacilities(id?: string) {
  revalidatePath("/facilities");
  revalidatePath("/admin/facilities");
  if (id) revalidatePath(`/admin/facilities/${id}`);
}

export async function createFacilityAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZFacility, input, (data) => createFacility(viewer, data));
  if (result.ok) revalidateFacilities(result.data.id);
  return result;
}

/** The id comes from the page (bound in the form), the fields from the form. */
export async function updateFacilityAction(id: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZFacility, input, async (data) => {
    await updateFacility(viewer, String(id), data);
    return { id: String(id) };
  });
  if (result.ok) revalidateFacilities(String(id));
  return result;
}
