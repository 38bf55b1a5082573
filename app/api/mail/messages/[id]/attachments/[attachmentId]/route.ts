import { requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { getAttachment } from "@/lib/securemail/queries";

/**
 * An attachment of a secure mail, for its sender and recipients only (anyone else: 404). JPEG, PNG
 * and PDF may show inline; everything else is a download.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; attachmentId: string }> }) {
  const viewer = await requireViewer();
  const { id, attachmentId } = await ctx.params;
  const wantsDownload = new URL(req.url).searchParams.get("download") === "1";
  try {
    const a = await getAttachment(viewer, id, attachmentId);
    return new Response(new Uint8Array(a.bytes), {
      headers: {
        "content-type": a.contentType,
        "content-disposition": `${a.download || wantsDownload ? "attachment" : "inline"}; filename="file"; filename*=UTF-8''${encodeURIComponent(a.fileName)}`,
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
