import { ingestingTerminal, ingestResponse, noTerminal } from "@/lib/clinical/ingest/http";
import { ingestFhirBundle, MAX_MESSAGE_BYTES } from "@/lib/clinical/ingest/mutations";

/** POST one FHIR R4 (JP Core) Bundle as JSON. Answers what was stored, or 422 with the entry, field and reason. */
export async function POST(req: Request) {
  const sender = await ingestingTerminal();
  if (!sender) return noTerminal();
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_MESSAGE_BYTES) return Response.json({ ok: false, error: `bundle exceeds ${MAX_MESSAGE_BYTES} bytes` }, { status: 413 });
  return ingestResponse(await ingestFhirBundle(sender.facilityId, await req.text(), undefined, sender.received));
}
