"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { runAction } from "@/lib/action-result";
import { requireViewer } from "@/lib/auth/viewer";
import { fetchLatestData } from "@/lib/clinical/ingest/mutations";
import { getLabTrend, listCalendarCell } from "@/lib/clinical/queries";
import { ZCalendarCell, ZLabTrend } from "@/lib/clinical/schema";

const ZFetchLatest = z.object({ linkId: z.uuid({ message: "common.notFound" }) });

/** 最新データ取得 for one linked facility patient ID. */
export async function fetchLatestDataAction(input: unknown) {
  const viewer = await requireViewer();
  const result = await runAction(ZFetchLatest, input, async ({ linkId }) => {
    const r = await fetchLatestData(viewer, linkId);
    return { files: r.files, created: r.created, replaced: r.replaced, unchanged: r.unchanged, failed: r.failed, errors: r.errors.slice(0, 10) };
  });
  if (result.ok) revalidatePath("/patients", "layout");
  return result;
}

/** Opens one calendar cell: the items of that row over the column's days, with their content (each logged as viewed). */
export async function openCalendarCellAction(input: unknown) {
  const viewer = await requireViewer();
  return runAction(ZCalendarCell, input, ({ patientId, ...cell }) => listCalendarCell(viewer, patientId, cell));
}

/** The trend of lab items across dates and facilities (the side panel's chart, the trend page). */
export async function labTrendAction(input: unknown) {
  const viewer = await requireViewer();
  return runAction(ZLabTrend, input, ({ patientId, keys, from, to }) => getLabTrend(viewer, patientId, { keys, from, to }));
}
