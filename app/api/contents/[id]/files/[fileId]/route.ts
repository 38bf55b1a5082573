import { requireViewer } from "@/lib/auth/viewer";
import { getContentFile } from "@/lib/clinical/queries";
import { AppError } from "@/lib/errors";

/** A file of a content item (an image, a PDF), shown inline, through the visibility rule; logged. */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string; fileId: string }> }) {
  const viewer = await requireViewer();
  const { id, fileId } = await ctx.params;
  try {
    const f = await getContentFile(viewer, id, fileId);
    return new Response(new Uint8Array(f.bytes), {
      headers: {
        "content-type": f.contentType,
        "content-disposition": `inline; filename="file"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
