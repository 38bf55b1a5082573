"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { createStaff, reinstateStaff, resetStaffPassword, resetStaffSecondFactor, retireStaff, updateStaff } from "@/lib/staff/mutations";
import { ZCreateStaff, ZUpdateStaff } from "@/lib/staff/schema";

/** The account an action is about; the mutations answer NOT_FOUND for an id that names no account. */
const ZStaffId = z.object({ id: z.string().trim().min(1, { message: "common.notFound" }) });

/** The list, the search and every account page under /admin/staff. */
function revalidateStaff() {
  revalidatePath("/admin/staff", "layout");
  revalidatePath("/staff");
}

export async function createStaffAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZCreateStaff, input, (data) => createStaff(viewer, data));
  if (result.ok) revalidateStaff();
  return result;
}

export async function updateStaffAction(id: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZUpdateStaff, input, (data) => updateStaff(viewer, String(id), data));
  if (result.ok) revalidateStaff();
  return result;
}

export async function retireStaffAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZStaffId, input, ({ id }) => retireStaff(viewer, id));
  if (result.ok) revalidateStaff();
  return result;
}

export async function reinstateStaffAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZStaffId, input, ({ id }) => reinstateStaff(viewer, id));
  if (result.ok) revalidateStaff();
  return result;
}

export async function resetStaffPasswordAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZStaffId, input, ({ id }) => resetStaffPassword(viewer, id));
  if (result.ok) revalidateStaff();
  return result;
}

export async function resetStaffSecondFactorAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZStaffId, input, ({ id }) => resetStaffSecondFactor(viewer, id));
  if (result.ok) revalidateStaff();
  return result;
}
