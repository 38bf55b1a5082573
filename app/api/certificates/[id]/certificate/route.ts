import { requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { getCertificateChain } from "@/lib/pki/queries";

/**
 * A terminal certificate with the network CA's after it (PEM, no key), for a terminal that made its
 * own key from a CSR; it can be fetched again at any time (secretariat only; otherwise 404).
 */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  try {
    const { fileName, pem } = await getCertificateChain(viewer, (await ctx.params).id);
    return new Response(pem, {
      headers: {
        "content-type": "application/x-pem-file",
        "content-disposition": `attachment; filename="terminal.crt"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
        "cache-control": "no-store",
      },
    });
  } catch (err) {
    if (err instanceof AppError) return new Response("Not found", { status: 404 });
    throw err;
  }
}
