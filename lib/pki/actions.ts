"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { issueCertificate, revokeCertificate } from "@/lib/pki/mutations";
import { ZIssueCertificate, ZRevokeCertificate } from "@/lib/pki/schema";

export async function issueCertificateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZIssueCertificate, input, (data) => issueCertificate(viewer, data));
  if (result.ok) revalidatePath("/admin/certificates");
  return result.ok ? { ...result, data: { ...result.data, expiresAt: result.data.expiresAt.toISOString() } } : result;
}

export async function revokeCertificateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZRevokeCertificate, input, (data) => revokeCertificate(viewer, data));
  if (result.ok) revalidatePath("/admin/certificates");
  return result;
}
