import "server-only";
import { getTerminal } from "@/lib/auth/viewer";
import type { TMessageResult } from "@/lib/clinical/ingest/mutations";
import type { TReceived } from "@/lib/clinical/mutations";

/**
 * The data feed is machine to machine: the sender is the facility of the verified client
 * certificate (its uploader terminal), with no personal session. Each stored item keeps the
 * terminal's certificate serial and the request id.
 */
export async function ingestingTerminal(): Promise<{ facilityId: string; received: TReceived } | null> {
  const t = await getTerminal();
  return t ? { facilityId: t.facilityId, received: { certSerial: t.serial, requestId: t.requestId ?? null } } : null;
}

export function ingestResponse(r: TMessageResult): Response {
  if (r.ok) return Response.json({ ok: true, dataType: r.dataType, created: r.outcome.created, replaced: r.outcome.replaced, unchanged: r.outcome.unchanged, items: r.outcome.items });
  return Response.json({ ok: false, error: r.error, where: r.where }, { status: 422 });
}

export const noTerminal = () => Response.json({ ok: false, error: "a facility client certificate is required" }, { status: 401 });
