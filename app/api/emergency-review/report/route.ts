import iconv from "iconv-lite";
import { requireViewer } from "@/lib/auth/viewer";
import { getEmergencyMonthReport } from "@/lib/ems/review/queries";
import { monthReportCsv } from "@/lib/ems/review/report";
import { ZReviewMonthQuery } from "@/lib/ems/review/schema";
import { AppError } from "@/lib/errors";
import { translator } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";
import { getLocale } from "@/lib/i18n/server";

/**
 * 救急時閲覧の月次報告 CSV: ?month=YYYY-MM&encoding=cp932|utf8 (CP932 for Excel on Japanese Windows
 * by default, as the access-log CSV). The secretariat's; the download is logged.
 */
export async function GET(req: Request) {
  const viewer = await requireViewer();
  const url = new URL(req.url);
  const q = ZReviewMonthQuery.parse(Object.fromEntries(url.searchParams));
  const utf8 = url.searchParams.get("encoding") === "utf8";
  try {
    const report = await getEmergencyMonthReport(viewer, q, new Date(), "csv");
    const text = monthReportCsv(report, translator(dictionaries[await getLocale()]));
    const body = utf8 ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]) : iconv.encode(text, "cp932");
    const name = `emergency-access_${report.month}${utf8 ? "_utf8" : ""}.csv`;
    return new Response(new Uint8Array(body), {
      headers: {
        "content-type": utf8 ? "text/csv; charset=utf-8" : "text/csv; charset=Shift_JIS",
        "content-disposition": `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") return new Response("Not found", { status: 404 });
    throw err;
  }
}
