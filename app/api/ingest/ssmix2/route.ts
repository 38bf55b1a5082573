import { ingestingTerminal, ingestResponse, noTerminal } from "@/lib/clinical/ingest/http";
import { ingestSsmix2Message, MAX_MESSAGE_BYTES } from "@/lib/clinical/ingest/mutations";

/**
 * POST one SS-MIX2 message: the body is the file's bytes as stored (ISO-2022-JP…), `?file=` its
 * standard file name (which carries the data type, order number, timestamp and valid flag).
 * Answers what was stored, or 422 with the file, segment, field and reason; nothing is half-stored.
 */
export async function POST(req: Request) {
  const sender = await ingestingTerminal();
  if (!sender) return noTerminal();
  const fileName = new URL(req.url).searchParams.get("file") ?? "";
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_MESSAGE_BYTES) return Response.json({ ok: false, error: `message exceeds ${MAX_MESSAGE_BYTES} bytes`, where: { file: fileName } }, { status: 413 });
  const bytes = new Uint8Array(await req.arrayBuffer());
  return ingestResponse(await ingestSsmix2Message(sender.facilityId, bytes, fileName, sender.received));
}
