import { requireViewer } from "@/lib/auth/viewer";
import { openAccessLogExport } from "@/lib/audit/queries";
import { ZAccessLogExport } from "@/lib/audit/schema";
import { AppError } from "@/lib/errors";
import { getLocale } from "@/lib/i18n/server";

/**
 * コンテンツ参照記録 CSV: ?facilityId=&month=YYYY-MM&direction=viewing|viewed&patientId=&encoding=cp932|utf8.
 * Streamed from the database; only a facility's admins (their facility) and the secretariat.
 */
export async function GET(req: Request) {
  const viewer = await requireViewer();
  const url = new URL(req.url);
  const params = Object.fromEntries(url.searchParams);
  // Bad input goes back to the form, which says what is wrong and where.
  const backToForm = () => Response.redirect(new URL(`/admin/access-logs?${new URLSearchParams({ ...params, action: "preview" })}`, url), 303);
  const parsed = ZAccessLogExport.safeParse(params);
  if (!parsed.success) return backToForm();
  try {
    const out = await openAccessLogExport(viewer, parsed.data, await getLocale());
    return new Response(out.body, {
      headers: {
        "content-type": out.contentType,
        "content-disposition": `attachment; filename="${out.fileName}"; filename*=UTF-8''${encodeURIComponent(out.fileName)}`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return new Response("Not found", { status: 404 });
    if (err instanceof AppError && err.code === "VALIDATION") return backToForm();
    throw err;
  }
}
