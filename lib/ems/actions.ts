"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { endEmergencyGrant, openEmergencyGrant } from "@/lib/ems/mutations";
import { ZEndGrant, ZOpenGrant } from "@/lib/ems/schema";

/** The EMS form, after the identity check: opens the grant; the screen then goes to the patient's calendar. */
export async function openEmergencyGrantAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZOpenGrant, input, async (data) => {
    const g = await openEmergencyGrant(viewer, data);
    return { patientId: g.patientId, endsAt: g.endsAt.toISOString(), noticeSent: g.noticeSent };
  });
  if (result.ok) revalidatePath(`/patients/${result.data.patientId}`, "layout");
  return result;
}

/** The banner's "end now". */
export async function endEmergencyGrantAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZEndGrant, input, ({ grantId }) => endEmergencyGrant(viewer, grantId));
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}
