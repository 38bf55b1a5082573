"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { closeDisaster, declareDisaster, extendDisaster } from "@/lib/ems/disasters/mutations";
import { ZCloseDisaster, ZDeclareDisaster, ZExtendDisaster } from "@/lib/ems/disasters/schema";

/** The banner is in the portal layout: every page shows the change. */
function revalidateDisasters() {
  revalidatePath("/", "layout");
}

export async function declareDisasterAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZDeclareDisaster, input, (data) => declareDisaster(viewer, data));
  if (result.ok) revalidateDisasters();
  return result;
}

export async function extendDisasterAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZExtendDisaster, input, async (data) => {
    await extendDisaster(viewer, data);
    return { id: data.id };
  });
  if (result.ok) revalidateDisasters();
  return result;
}

export async function closeDisasterAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZCloseDisaster, input, (data) => closeDisaster(viewer, data));
  if (result.ok) revalidateDisasters();
  return result;
}
