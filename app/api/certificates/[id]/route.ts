import { requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { getLocale, getT } from "@/lib/i18n/server";
import { downloadCertificateFile } from "@/lib/pki/mutations";
import { getCertificateFileState } from "@/lib/pki/queries";
import { keyFileRefusal } from "@/lib/pki/wording";

/**
 * The one download of a terminal's .p12 (secretariat only; unauthorized or unknown answers 404).
 * A file already downloaded, past its window, revoked or never made is refused: a browser goes back
 * to the certificate list, which says when and by whom; anything else gets 410 with the same words.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  const id = (await ctx.params).id;
  try {
    const { fileName, bytes } = await downloadCertificateFile(viewer, id);
    return new Response(new Uint8Array(bytes), {
      headers: {
        "content-type": "application/x-pkcs12",
        "content-disposition": `attachment; filename="terminal.p12"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") {
      if (req.headers.get("sec-fetch-mode") === "navigate") {
        return Response.redirect(new URL(`/admin/certificates?gone=${encodeURIComponent(id)}`, req.url), 303);
      }
      const text = keyFileRefusal(await getT(), await getLocale(), await getCertificateFileState(viewer, id));
      return new Response(`${text}\n`, { status: 410, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
    }
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
