import { requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { getCertificateFile } from "@/lib/pki/queries";

/** Download of a terminal's .p12 (secretariat only; unauthorized or unknown answers 404). */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  try {
    const { fileName, bytes } = await getCertificateFile(viewer, (await ctx.params).id);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/x-pkcs12",
        "content-disposition": `attachment; filename="terminal.p12"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
