"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { closeEmergencyReview, endGrantUnderReview } from "@/lib/ems/review/mutations";
import { ZCloseReview, ZReviewGrantId } from "@/lib/ems/review/schema";

const revalidateReview = () => revalidatePath("/admin/emergency", "layout");

/** 確認を完了: the outcome and the note of one grant's review. */
export async function closeEmergencyReviewAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZCloseReview, input, (data) => closeEmergencyReview(viewer, data));
  if (result.ok) revalidateReview();
  return result;
}

/** 今すぐ終了: ends a grant still in force. */
export async function endEmergencyGrantAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZReviewGrantId, input, ({ grantId }) => endGrantUnderReview(viewer, grantId));
  if (result.ok) revalidateReview();
  return result;
}
