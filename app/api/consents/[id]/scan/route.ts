import { requireViewer } from "@/lib/auth/viewer";
import { getConsentScan } from "@/lib/consent/queries";
import { AppError } from "@/lib/errors";

/** The scanned consent form, shown inline (PDF or JPEG), for those who may read the consent. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  try {
    const { fileName, contentType, bytes } = await getConsentScan(viewer, (await ctx.params).id);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": contentType,
        "content-disposition": `inline; filename="consent"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
