import "server-only";
import crypto from "node:crypto";
import { Prisma } from "@/generated/prisma/client";
import { db, inTurn, type TTx } from "@/lib/db/client";
import { todayInJapan } from "@/lib/dates";
import { deleteBytes, putBytes, sniffFileType } from "@/lib/files/store";
import { IngestError, type TContentDraft, type TParsedMessage, type TPatientDraft } from "@/lib/clinical/ingest/types";

export type TItemOutcome = "created" | "replaced" | "unchanged";

/** Who sent a message: the terminal's certificate serial and the request (the ingest API), or the request that fetched it (最新データ取得). */
export type TReceived = { certSerial: string | null; requestId: string | null };
export type TImportOutcome = { created: number; replaced: number; unchanged: number; items: { sourceKey: string; outcome: TItemOutcome }[] };

/** The care date in Japan of an instant (the calendar's day). */
const japanDate = (at: Date) => todayInJapan(at);

/** The stored form's fingerprint: a re-sent identical message matches it and changes nothing. */
function hashOf(d: TContentDraft): string {
  const files = (d.files ?? []).map((f) => [f.fileName, f.contentType, crypto.createHash("sha256").update(f.bytes).digest("hex")]);
  return crypto
    .createHash("sha256")
    .update(JSON.stringify([d.category, d.occurredAt.toISOString(), d.title, d.payload, d.isDeleted, d.sourceVersion, ...(files.length ? [files] : [])]))
    .digest("hex");
}

/**
 * Files of an item go to the file store (checked by content) and are listed in its payload;
 * their storage keys are collected so a failed message can remove them again.
 */
async function storeDraftFiles(tx: TTx, d: TContentDraft, written: string[]): Promise<Record<string, unknown>> {
  if (!d.files?.length) return d.payload;
  const files = [];
  for (const f of d.files) {
    const sniffed = sniffFileType(f.bytes);
    if (!sniffed || sniffed.contentType !== f.contentType) throw new IngestError(`file "${f.fileName}" is not the ${f.contentType} it claims to be`);
    const stored = await putBytes(f.bytes);
    written.push(stored.storageKey);
    const row = await tx.storedFile.create({
      data: { storageKey: stored.storageKey, fileName: f.fileName.slice(0, 255), contentType: sniffed.contentType, size: stored.size, sha256: stored.sha256 },
      select: { id: true },
    });
    files.push({ id: row.id, fileName: f.fileName, contentType: sniffed.contentType, size: stored.size });
  }
  return { ...d.payload, files };
}

/** What the table can hold, checked before anything of the message is written. */
function assertStorable(d: TContentDraft): void {
  if (!d.facilityPatientId || d.facilityPatientId.length > 20) throw new IngestError(`facility patient ID "${d.facilityPatientId}" is empty or longer than 20 characters`);
  if (d.sourceKey.length > 200) throw new IngestError(`source key longer than 200 characters: ${d.sourceKey.slice(0, 40)}…`);
  if (!(d.occurredAt instanceof Date) || Number.isNaN(d.occurredAt.getTime())) throw new IngestError(`invalid date for ${d.sourceKey}`);
}

/** The facility's demographics of the patient, kept as a 基本情報 content (shown with the owner's scope 基本情報). */
function patientInfoDraft(p: TPatientDraft, sourceVersion: string, occurredAt: Date): TContentDraft {
  return {
    facilityPatientId: p.facilityPatientId,
    category: "PATIENT_INFO",
    occurredAt,
    title: [p.nameKanji, p.nameKana].filter(Boolean).join(" ") || p.facilityPatientId,
    payload: { ...p },
    sourceKey: `PATIENT:${p.facilityPatientId}`,
    sourceVersion,
    isDeleted: false,
  };
}

/** The facility is a disclosing participant that may send data (else the whole message is refused). */
/** A message's items as stored: its contents, plus the demographics as a 基本情報 item when it carries them. */
function draftsOf(m: TParsedMessage): TContentDraft[] {
  const drafts = [...m.contents];
  if (m.patient && !drafts.some((d) => d.category === "PATIENT_INFO")) {
    drafts.push(patientInfoDraft(m.patient, m.sourceVersion ?? drafts[0]?.sourceVersion ?? "0", drafts[0]?.occurredAt ?? new Date()));
  }
  return drafts;
}

/** The row of an item as written (the same for a new and a replaced item). */
function rowOf(facilityId: string, kind: TParsedMessage["kind"], d: TContentDraft, link: { id: string; patientId: string } | null, sourceHash: string, received?: TReceived) {
  return {
    receivedCertSerial: received?.certSerial?.slice(0, 64) ?? null,
    receivedRequestId: received?.requestId?.slice(0, 64) ?? null,
    ownerFacilityId: facilityId,
    sourceKind: kind,
    sourceKey: d.sourceKey,
    facilityPatientId: d.facilityPatientId,
    ownerLinkId: link?.id ?? null,
    patientId: link?.patientId ?? null,
    category: d.category,
    occurredAt: d.occurredAt,
    occurredDate: japanDate(d.occurredAt),
    title: d.title.slice(0, 200),
    payload: d.payload as Prisma.InputJsonValue,
    sourceVersion: d.sourceVersion.slice(0, 40),
    sourceHash,
    isDeleted: d.isDeleted,
  } satisfies Prisma.ClinicalContentUncheckedCreateInput;
}

/** A stored item is kept when the same item comes again, or an older version of it arrives late. */
const isUnchanged = (stored: { hash: string; version: string } | undefined, sourceHash: string, sourceVersion: string) =>
  stored !== undefined && (stored.hash === sourceHash || stored.version > sourceVersion);

function outcomeOf(items: TImportOutcome["items"]): TImportOutcome {
  const n = (o: TItemOutcome) => items.filter((i) => i.outcome === o).length;
  return { created: n("created"), replaced: n("replaced"), unchanged: n("unchanged"), items };
}

export async function assertIngestingFacility(tx: TTx, facilityId: string) {
  const f = await tx.facility.findUnique({ where: { id: facilityId }, select: { isActive: true, isDisclosing: true, type: true } });
  if (!f || !f.isActive) throw new IngestError("unknown or inactive facility");
  if (!f.isDisclosing) throw new IngestError("this facility is not a disclosing facility (公開施設) and cannot send data");
}

async function storeDraft(
  tx: TTx,
  facilityId: string,
  kind: TParsedMessage["kind"],
  d: TContentDraft,
  links: Map<string, { id: string; patientId: string } | null>,
  written: string[],
  received?: TReceived,
): Promise<TItemOutcome> {
  assertStorable(d);
  if (!links.has(d.facilityPatientId)) {
    const link = await tx.facilityPatientLink.findFirst({
      where: { facilityId, facilityPatientId: d.facilityPatientId, unlinkedAt: null },
      select: { id: true, patientId: true },
    });
    links.set(d.facilityPatientId, link);
  }
  const link = links.get(d.facilityPatientId) ?? null;
  const sourceHash = hashOf(d);
  const { ownerFacilityId: _o, sourceKind: _k, sourceKey: _s, ...data } = rowOf(facilityId, kind, d, link, sourceHash, received);
  const existing = await tx.clinicalContent.findUnique({
    where: { ownerFacilityId_sourceKind_sourceKey: { ownerFacilityId: facilityId, sourceKind: kind, sourceKey: d.sourceKey } },
    select: { id: true, sourceHash: true, sourceVersion: true },
  });
  if (existing && isUnchanged({ hash: existing.sourceHash, version: existing.sourceVersion }, sourceHash, data.sourceVersion)) return "unchanged";
  data.payload = (await storeDraftFiles(tx, d, written)) as Prisma.InputJsonValue;
  if (!existing) {
    await tx.clinicalContent.create({ data: { ...data, ownerFacilityId: facilityId, sourceKind: kind, sourceKey: d.sourceKey }, select: { id: true } });
    return "created";
  }
  await tx.clinicalContent.update({ where: { id: existing.id }, data, select: { id: true } });
  return "replaced";
}

/**
 * Stores one parsed message for the sending facility, all or nothing (its own transaction unless
 * one is given). Items join their regional patient through the facility's link when it exists;
 * each stored item keeps which terminal and request sent it.
 */
export async function importParsedMessage(facilityId: string, parsed: TParsedMessage, opts: { tx?: TTx; received?: TReceived } = {}): Promise<TImportOutcome> {
  const run = async (t: TTx) => {
    await assertIngestingFacility(t, facilityId);
    const links = new Map<string, { id: string; patientId: string } | null>();
    const items: TImportOutcome["items"] = [];
    for (const d of draftsOf(parsed)) items.push({ sourceKey: d.sourceKey, outcome: await storeDraft(t, facilityId, parsed.kind, d, links, written, opts.received) });
    return outcomeOf(items);
  };
  const written: string[] = [];
  try {
    return await (opts.tx ? run(opts.tx) : db().$transaction(run, { timeout: 30_000 }));
  } catch (e) {
    // Nothing half-written: files stored for a message that did not commit are removed.
    await Promise.all(written.map((k) => deleteBytes(k)));
    throw e;
  }
}

/** A link was made: the facility's data already received for that patient ID joins the patient. */
export async function attachContentsToLink(tx: TTx, link: { id: string; facilityId: string; facilityPatientId: string; patientId: string }): Promise<number> {
  const { count } = await tx.clinicalContent.updateMany({
    where: { ownerFacilityId: link.facilityId, facilityPatientId: link.facilityPatientId },
    data: { ownerLinkId: link.id, patientId: link.patientId },
  });
  return count;
}

/** A link was removed: its data leaves the patient (kept, unseen, until the ID is linked again). */
export async function detachContentsFromLink(tx: TTx, linkId: string): Promise<void> {
  await tx.clinicalContent.updateMany({ where: { ownerLinkId: linkId }, data: { ownerLinkId: null, patientId: null } });
}

/**
 * New items in one statement with the whole batch as a single JSON parameter: the database
 * unpacks it (jsonb_to_recordset), sparing the client per-row work (docs/benchmarks.md).
 */
async function insertContents(tx: TTx, rows: Prisma.ClinicalContentUncheckedCreateInput[]): Promise<void> {
  const json = JSON.stringify(
    rows.map((r) => ({
      owner_facility_id: r.ownerFacilityId,
      source_kind: r.sourceKind,
      source_key: r.sourceKey,
      facility_patient_id: r.facilityPatientId,
      owner_link_id: r.ownerLinkId ?? null,
      patient_id: r.patientId ?? null,
      category: r.category,
      occurred_at: (r.occurredAt as Date).toISOString(),
      occurred_date: (r.occurredDate as Date).toISOString().slice(0, 10),
      title: r.title,
      payload: r.payload,
      source_version: r.sourceVersion,
      source_hash: r.sourceHash,
      is_deleted: r.isDeleted ?? false,
      received_cert_serial: r.receivedCertSerial ?? null,
      received_request_id: r.receivedRequestId ?? null,
    })),
  );
  await tx.$executeRawUnsafe(
    `INSERT INTO "clinical_contents" ("id", "owner_facility_id", "source_kind", "source_key", "facility_patient_id", "owner_link_id", "patient_id", "category",
       "occurred_at", "occurred_date", "title", "payload", "source_version", "source_hash", "is_deleted", "received_at", "updated_at",
       "received_cert_serial", "received_request_id")
     SELECT gen_random_uuid(), r.owner_facility_id::uuid, r.source_kind::"SourceKind", r.source_key, r.facility_patient_id, r.owner_link_id::uuid, r.patient_id::uuid,
       r.category::"ContentCategory", r.occurred_at::timestamptz, r.occurred_date::date, r.title, r.payload, r.source_version, r.source_hash, r.is_deleted, now(), now(),
       r.received_cert_serial, r.received_request_id
     FROM jsonb_to_recordset($1::jsonb) AS r(owner_facility_id text, source_kind text, source_key text, facility_patient_id text, owner_link_id text, patient_id text,
       category text, occurred_at text, occurred_date text, title text, payload jsonb, source_version text, source_hash text, is_deleted boolean,
       received_cert_serial text, received_request_id text)`,
    json,
  );
}

type TPlanned = { data: Prisma.ClinicalContentUncheckedCreateInput; existingId: string | null };

/**
 * Many messages in one transaction, for storage-tree imports: existing items and links are read
 * with one query each, new items are written with one INSERT, replaced ones one by one. Every
 * message is still all or nothing: the batch is one transaction, and if it fails the messages
 * are retried one by one so a bad one cannot take the others down. Returns one outcome per message.
 */
export async function importParsedMessages(
  facilityId: string,
  messages: TParsedMessage[],
  opts: { isFacilityChecked?: boolean; received?: TReceived } = {},
): Promise<(TImportOutcome | IngestError)[]> {
  if (messages.length === 0) return [];
  // Items with files take the one-message path (their bytes go to the file store with them).
  if (messages.some((m) => m.contents.some((d) => d.files?.length))) {
    const out: (TImportOutcome | IngestError)[] = [];
    for (const m of messages) {
      try {
        out.push(await importParsedMessage(facilityId, m, { received: opts.received }));
      } catch (e) {
        if (e instanceof IngestError) out.push(e);
        else throw e;
      }
    }
    return out;
  }
  try {
    return await db().$transaction(async (tx) => {
      if (!opts.isFacilityChecked) await assertIngestingFacility(tx, facilityId);
      const withPatient = messages.map((m) => ({ kind: m.kind, drafts: draftsOf(m) }));
      const all = withPatient.flatMap((m) => m.drafts.map((d) => ({ kind: m.kind, d })));
      for (const { d } of all) assertStorable(d);
      const [existing, links] = await inTurn([
        () => tx.clinicalContent.findMany({
          where: { ownerFacilityId: facilityId, OR: [...new Set(all.map((a) => a.kind))].map((kind) => ({ sourceKind: kind, sourceKey: { in: all.filter((a) => a.kind === kind).map((a) => a.d.sourceKey) } })) },
          select: { id: true, sourceKind: true, sourceKey: true, sourceHash: true, sourceVersion: true },
        }),
        () => tx.facilityPatientLink.findMany({
          where: { facilityId, unlinkedAt: null, facilityPatientId: { in: [...new Set(all.map((a) => a.d.facilityPatientId))] } },
          select: { id: true, patientId: true, facilityPatientId: true },
        }),
      ]);
      const linkOf = new Map(links.map((l) => [l.facilityPatientId, l]));
      const current = new Map(existing.map((e) => [`${e.sourceKind}\u0000${e.sourceKey}`, { id: e.id as string | null, hash: e.sourceHash, version: e.sourceVersion }]));
      const planned = new Map<string, TPlanned>();
      const outcomes = withPatient.map((m) => {
        const items: TImportOutcome["items"] = m.drafts.map((d) => {
          const key = `${m.kind}\u0000${d.sourceKey}`;
          const link = linkOf.get(d.facilityPatientId) ?? null;
          const sourceHash = hashOf(d);
          const was = current.get(key);
          const data = rowOf(facilityId, m.kind, d, link, sourceHash, opts.received);
          if (isUnchanged(was, sourceHash, data.sourceVersion)) return { sourceKey: d.sourceKey, outcome: "unchanged" as const };
          planned.set(key, { data, existingId: was?.id ?? planned.get(key)?.existingId ?? null });
          current.set(key, { id: was?.id ?? null, hash: sourceHash, version: data.sourceVersion });
          return { sourceKey: d.sourceKey, outcome: was ? ("replaced" as const) : ("created" as const) };
        });
        return outcomeOf(items);
      });
      const creates = [...planned.values()].filter((p) => p.existingId === null).map((p) => p.data);
      if (creates.length > 0) await insertContents(tx, creates);
      for (const p of planned.values()) {
        if (p.existingId === null) continue;
        const { ownerFacilityId: _o, sourceKind: _k, sourceKey: _s, ...data } = p.data;
        await tx.clinicalContent.update({ where: { id: p.existingId }, data, select: { id: true } });
      }
      return outcomes;
    }, { timeout: 60_000 });
  } catch (e) {
    if (messages.length === 1) {
      if (e instanceof IngestError) return [e];
      throw e;
    }
    // One message spoiled the batch: each on its own, so only that one fails.
    const out: (TImportOutcome | IngestError)[] = [];
    for (const m of messages) {
      try {
        out.push(await importParsedMessage(facilityId, m, { received: opts.received }));
      } catch (err) {
        if (err instanceof IngestError) out.push(err);
        else throw err;
      }
    }
    return out;
  }
}
