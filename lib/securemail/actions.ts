"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import type { TUploadFile } from "@/lib/files/uploads";
import { bulkMail, createFolder, deleteFolder, deleteMailingList, deleteTemplate, emptyTrash, saveDraft, saveMailingList, saveTemplate, sendMessage, setMailAlert } from "@/lib/securemail/mutations";
import { searchAddressees } from "@/lib/securemail/queries";
import { ZBulkMail, ZMailFolder, ZMailingList, ZMailTemplate, ZSaveDraft, ZSendMessage } from "@/lib/securemail/schema";

const ZId = z.object({ id: z.uuid({ message: "common.notFound" }) });

function fieldsOf(form: FormData): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) input[key] = value;
  return input;
}

async function filesOf(form: FormData): Promise<TUploadFile[]> {
  const out: TUploadFile[] = [];
  for (const value of form.getAll("files")) {
    if (typeof value === "string" || value.size === 0) continue;
    out.push({ bytes: new Uint8Array(await value.arrayBuffer()), fileName: value.name });
  }
  return out;
}

const revalidateMail = () => revalidatePath("/mail", "layout");

export async function saveDraftAction(form: FormData) {
  const viewer = await requireViewer();
  const files = await filesOf(form);
  const result = await runAction(ZSaveDraft, fieldsOf(form), (data) => saveDraft(viewer, data, files));
  if (result.ok) revalidateMail();
  return result;
}

export async function sendMessageAction(form: FormData) {
  const viewer = await requireViewer();
  const files = await filesOf(form);
  const result = await runAction(ZSendMessage, fieldsOf(form), (data) => sendMessage(viewer, data, files));
  if (result.ok) revalidateMail();
  return result;
}

export async function bulkMailAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZBulkMail, input, (data) => bulkMail(viewer, data));
  if (result.ok) revalidateMail();
  return result;
}

export async function emptyTrashAction() {
  const viewer = await requireViewer();
  const result = await runAction(z.object({}), {}, () => emptyTrash(viewer));
  if (result.ok) revalidateMail();
  return result;
}

export async function createFolderAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZMailFolder, input, (data) => createFolder(viewer, data.name));
  if (result.ok) revalidateMail();
  return result;
}

export async function deleteFolderAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZId, input, (data) => deleteFolder(viewer, data.id));
  if (result.ok) revalidateMail();
  return result;
}

export async function saveMailingListAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZMailingList, input, (data) => saveMailingList(viewer, data));
  if (result.ok) revalidateMail();
  return result;
}

export async function deleteMailingListAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZId, input, (data) => deleteMailingList(viewer, data.id));
  if (result.ok) revalidateMail();
  return result;
}

export async function saveTemplateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZMailTemplate, input, (data) => saveTemplate(viewer, data));
  if (result.ok) revalidateMail();
  return result;
}

export async function deleteTemplateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZId, input, (data) => deleteTemplate(viewer, data.id));
  if (result.ok) revalidateMail();
  return result;
}

export async function setMailAlertAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(z.object({ on: z.boolean() }), input, (data) => setMailAlert(viewer, data.on));
  if (result.ok) revalidatePath("/profile");
  return result;
}

export async function searchAddresseesAction(input: unknown) {
  const viewer = await requireViewer();
  return runAction(z.object({ term: z.string().max(50) }), input, (data) => searchAddressees(viewer, data.term));
}
