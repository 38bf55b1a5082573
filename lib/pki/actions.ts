"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { issueCertificate, issueCertificateFromCsr, revokeCertificate } from "@/lib/pki/mutations";
import { ZIssueCertificate, ZIssueCertificateFromCsr, ZRevokeCertificate } from "@/lib/pki/schema";

export async function issueCertificateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZIssueCertificate, input, (data) => issueCertificate(viewer, data));
  if (result.ok) revalidatePath("/admin/certificates");
  return result.ok
    ? { ...result, data: { ...result.data, expiresAt: result.data.expiresAt.toISOString(), downloadUntil: result.data.downloadUntil.toISOString() } }
    : result;
}

export async function issueCertificateFromCsrAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZIssueCertificateFromCsr, input, (data) => issueCertificateFromCsr(viewer, data));
  if (result.ok) revalidatePath("/admin/certificates");
  return result.ok ? { ...result, data: { ...result.data, expiresAt: result.data.expiresAt.toISOString() } } : result;
}

export async function revokeCertificateAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZRevokeCertificate, input, (data) => revokeCertificate(viewer, data));
  if (result.ok) revalidatePath("/admin/certificates");
  return result;
}
