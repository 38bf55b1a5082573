"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { scanFromForm } from "@/lib/files/form";

const listFields = new Set(["facilityIds"]);

/** A consent or withdrawal form (multipart: the fields and an optional `scan`). */
export async function recordConsentAction(patientId: string, form: FormData) {
  const viewer = await requireViewer();
  const input: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string" || key.startsWith("$")) continue;
    if (listFields.has(key)) input[key] = [...((input[key] as string[] | undefined) ?? []), value];
    else input[key] = value;
  }
  const scan = await scanFromForm(form.get("scan"));
  const result = await runAction(ZConsentInput, input, (data) => recordConsent(viewer, String(patientId), data, scan));
  if (result.ok) revalidatePath(`/patients/${patientId}`, "layout");
  return result;
}
