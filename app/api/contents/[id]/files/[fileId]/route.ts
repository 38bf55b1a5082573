import { requireViewer } from "@/lib/auth/viewer";
import { getContentFile } from "@/lib/clinical/queries";
import { AppError } from "@/lib/errors";

/**
 * A file of a content item (an image, a PDF), through the visibility rule: shown inline, or with
 * `?download=1` saved as an attachment; each is logged as what it was (FILE_VIEW / FILE_DOWNLOAD).
 * Only JPEG, PNG and PDF are ever inline: Office, CSV and text files are always attachments, and
 * HTML or SVG never enter the store.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; fileId: string }> }) {
  const viewer = await requireViewer();
  const { id, fileId } = await ctx.params;
  const download = new URL(req.url).searchParams.get("download") === "1";
  try {
    const f = await getContentFile(viewer, id, fileId, { download });
    return new Response(new Uint8Array(f.bytes), {
      headers: {
        "content-type": f.contentType,
        "content-disposition": `${f.download ? "attachment" : "inline"}; filename="file"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
