"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { scanFromForm } from "@/lib/files/form";
import { findDuplicates } from "@/lib/patients/queries";
import { linkFacilityPatient, registerPatient, setBookmark, setPublication, unlinkFacilityPatient, updatePatientInfo } from "@/lib/patients/mutations";
import { ZAddLink, ZDuplicateCheck, ZPublication, ZRegisterPatient, ZUnlink, ZUpdatePatient } from "@/lib/patients/schema";

/** The wizard's step 1: likely duplicates of what was typed, before anything is saved. */
export async function checkDuplicatesAction(input: unknown) {
  const viewer = await requireViewer();
  return runAction(ZDuplicateCheck, input, (data) => findDuplicates(viewer, data));
}

/**
 * The wizard's one submission: `payload` (JSON: patient, links, consent, confirmDuplicate) and
 * an optional `scan` file, saved together or not at all.
 */
export async function registerPatientAction(form: FormData) {
  const viewer = await requireViewer();
  let payload: unknown = null;
  try {
    payload = JSON.parse(String(form.get("payload") ?? "null"));
  } catch {
    payload = null;
  }
  const scan = await scanFromForm(form.get("scan"));
  const result = await runAction(ZRegisterPatient, payload, (data) => registerPatient(viewer, data, scan));
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}

export async function updatePatientAction(id: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZUpdatePatient, input, (data) => updatePatientInfo(viewer, String(id), data));
  if (result.ok) revalidatePath(`/patients/${id}`, "layout");
  return result;
}

export async function addLinkAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZAddLink, input, (data) => linkFacilityPatient(viewer, data));
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}

export async function unlinkAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZUnlink, input, (data) => unlinkFacilityPatient(viewer, data));
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}

export async function setPublicationAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZPublication, input, (data) => setPublication(viewer, data));
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}

const ZBookmark = z.object({ patientId: z.uuid({ message: "common.notFound" }), isOn: z.boolean() });

export async function setBookmarkAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZBookmark, input, ({ patientId, isOn }) => setBookmark(viewer, patientId, isOn));
  if (result.ok) revalidatePath("/", "layout");
  return result;
}
