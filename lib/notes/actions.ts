"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { addParticipant, deleteNote, editNote, markNotificationsRead, postComment, postDocument, postFile, postNote, removeParticipant, type TUploadFile } from "@/lib/notes/mutations";
import { ZAddParticipant, ZEditNote, ZPostComment, ZPostDocument, ZPostFile, ZPostNote } from "@/lib/notes/schema";

/** The text fields of a multipart form (files are read separately). */
function fieldsOf(form: FormData): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) input[key] = value;
  return input;
}

/** Every non-empty file of a form field (an empty file input sends an empty, nameless file). */
async function filesOf(form: FormData, name: string): Promise<TUploadFile[]> {
  const out: TUploadFile[] = [];
  for (const value of form.getAll(name)) {
    if (typeof value === "string" || value.size === 0) continue;
    out.push({ bytes: new Uint8Array(await value.arrayBuffer()), fileName: value.name });
  }
  return out;
}

const revalidatePatient = (patientId: string) => revalidatePath(`/patients/${patientId}`, "layout");

export async function postNoteAction(patientId: string, form: FormData) {
  const viewer = await requireViewer();
  const files = await filesOf(form, "files");
  const result = await runAction(ZPostNote, fieldsOf(form), (data) => postNote(viewer, String(patientId), data, files));
  if (result.ok) revalidatePatient(patientId);
  return result;
}

export async function postDocumentAction(patientId: string, form: FormData) {
  const viewer = await requireViewer();
  const [file] = await filesOf(form, "file");
  const result = await runAction(ZPostDocument, fieldsOf(form), (data) => postDocument(viewer, String(patientId), data, file ?? null));
  if (result.ok) revalidatePatient(patientId);
  return result;
}

export async function postFileAction(patientId: string, form: FormData) {
  const viewer = await requireViewer();
  const [file] = await filesOf(form, "file");
  const result = await runAction(ZPostFile, fieldsOf(form), (data) => postFile(viewer, String(patientId), data, file ?? null));
  if (result.ok) revalidatePatient(patientId);
  return result;
}

export async function editNoteAction(contentId: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZEditNote, input, (data) => editNote(viewer, String(contentId), data));
  if (result.ok) revalidatePatient(result.data.patientId ?? "");
  return result;
}

export async function deleteNoteAction(contentId: string) {
  const viewer = await requireViewer();
  const result = await runAction(z.object({}), {}, () => deleteNote(viewer, String(contentId)));
  if (result.ok) revalidatePatient(result.data.patientId ?? "");
  return result;
}

export async function postCommentAction(contentId: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZPostComment, input, (data) => postComment(viewer, String(contentId), data));
  if (result.ok) revalidatePatient(result.data.patientId);
  return result;
}

export async function addParticipantAction(patientId: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZAddParticipant, input, (data) => addParticipant(viewer, String(patientId), data.userId));
  if (result.ok) revalidatePatient(patientId);
  return result;
}

export async function removeParticipantAction(patientId: string, input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZAddParticipant, input, (data) => removeParticipant(viewer, String(patientId), data.userId));
  if (result.ok) revalidatePatient(patientId);
  return result;
}

export async function markNotificationsReadAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(z.object({ ids: z.union([z.literal("all"), z.array(z.uuid()).max(200)]) }), input, (data) => markNotificationsRead(viewer, data.ids));
  if (result.ok) revalidatePath("/notifications");
  return result;
}
