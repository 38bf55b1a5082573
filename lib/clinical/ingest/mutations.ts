import "server-only";
import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db/client";
import { assertIngestingFacility, importParsedMessage, importParsedMessages, type TImportOutcome, type TReceived } from "@/lib/clinical/mutations";
import { parseFhirBundle } from "@/lib/clinical/ingest/fhir";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { IngestError, type TParsedMessage } from "@/lib/clinical/ingest/types";
import { checkPatient } from "@/lib/access/gateway";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, notFound } from "@/lib/errors";
import { isUuid } from "@/lib/text";

/** Messages per database transaction when importing a storage tree. */
const TREE_BATCH = 200;

/** One message larger than this is refused before parsing (a whole storage tree is many small files). */
export const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

export type TMessageResult = { ok: true; dataType: string; outcome: TImportOutcome } | { ok: false; error: string; where: IngestError["where"] };

function failure(e: unknown, file?: string): TMessageResult {
  if (e instanceof IngestError) return { ok: false, error: e.message, where: { file, ...e.where } };
  throw e;
}

/** One SS-MIX2 message (a file of the storage, by its standard name), all or nothing; `received` says which terminal and request sent it. */
export async function ingestSsmix2Message(facilityId: string, bytes: Uint8Array, fileName: string, received?: TReceived): Promise<TMessageResult> {
  try {
    if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new IngestError(`message of ${bytes.byteLength} bytes exceeds the limit of ${MAX_MESSAGE_BYTES}`, { file: fileName });
    const parsed = parseSsmix2Message(bytes, fileName);
    return { ok: true, dataType: parsed.dataType, outcome: await importParsedMessage(facilityId, parsed, { received }) };
  } catch (e) {
    return failure(e, fileName);
  }
}

/** One FHIR R4 (JP Core) Bundle, all or nothing; `received` says which terminal and request sent it. */
export async function ingestFhirBundle(facilityId: string, text: string, fileName?: string, received?: TReceived): Promise<TMessageResult> {
  try {
    if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) throw new IngestError(`bundle exceeds the limit of ${MAX_MESSAGE_BYTES} bytes`, { file: fileName });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new IngestError(`not JSON: ${(e as Error).message}`, { file: fileName });
    }
    const parsed = parseFhirBundle(json, { fileName });
    return { ok: true, dataType: parsed.dataType, outcome: await importParsedMessage(facilityId, parsed, { received }) };
  } catch (e) {
    return failure(e, fileName);
  }
}

export type TTreeProgress = { files: number; done: number; created: number; replaced: number; unchanged: number; failed: number };
export type TTreeReport = TTreeProgress & { errors: { file: string; error: string }[]; runId: string };

/** Every message file under a folder (a storage root, or one patient's folder in it), in name order. */
export async function listMessageFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith("."))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** The folder of one patient in a storage root: `<root>/<pid[0:3]>/<pid[3:6]>/<pid>`. */
export const patientFolder = (root: string, facilityPatientId: string) =>
  path.join(root, facilityPatientId.slice(0, 3), facilityPatientId.slice(3, 6), facilityPatientId);

/**
 * Imports every message under `dir` for the facility: each file on its own (all or nothing per
 * message), errors collected, progress reported. Recorded as an import run.
 */
export async function importStorageTree(
  facilityId: string,
  dir: string,
  opts: { source: string; startedById?: string | null; received?: TReceived; onProgress?: (p: TTreeProgress) => void } = { source: "tree" },
): Promise<TTreeReport> {
  await assertIngestingFacility(db(), facilityId);
  const run = await db().importRun.create({ data: { facilityId, source: opts.source, startedById: opts.startedById ?? null }, select: { id: true } });
  let files: string[] = [];
  try {
    files = await listMessageFiles(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const p: TTreeProgress = { files: files.length, done: 0, created: 0, replaced: 0, unchanged: 0, failed: 0 };
  const errors: TTreeReport["errors"] = [];
  // Messages go to the database in batches (one transaction each, every message still all or
  // nothing). The next batch is read and parsed while the current one is being written.
  type TRead = { parsed: { name: string; parsed: TParsedMessage }[]; refused: { name: string; error: string }[] };
  const readBatch = async (slice: string[]): Promise<TRead> => {
    // Small files read synchronously: far cheaper per file than the promise API, and the
    // database write of the previous batch runs meanwhile.
    const loaded = slice.map((file) => ({ file, bytes: new Uint8Array(readFileSync(file)) }));
    const out: TRead = { parsed: [], refused: [] };
    for (const { file, bytes } of loaded) {
      const name = path.relative(dir, file);
      try {
        if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new IngestError(`message of ${bytes.byteLength} bytes exceeds the limit of ${MAX_MESSAGE_BYTES}`);
        out.parsed.push({ name, parsed: parseSsmix2Message(bytes, path.basename(file)) });
      } catch (e) {
        if (!(e instanceof IngestError)) throw e;
        out.refused.push({ name, error: e.message });
      }
    }
    return out;
  };
  let next: Promise<TRead> | null = files.length > 0 ? readBatch(files.slice(0, TREE_BATCH)) : null;
  for (let i = 0; next; i += TREE_BATCH) {
    const current = await next;
    next = i + TREE_BATCH < files.length ? readBatch(files.slice(i + TREE_BATCH, i + 2 * TREE_BATCH)) : null;
    // Handled when awaited next round; until then a failure must not count as unhandled.
    next?.catch(() => undefined);
    for (const r of current.refused) {
      p.done++;
      p.failed++;
      errors.push({ file: r.name, error: r.error });
    }
    const outcomes = await importParsedMessages(facilityId, current.parsed.map((b) => b.parsed), { isFacilityChecked: i > 0, received: opts.received });
    outcomes.forEach((o, k) => {
      p.done++;
      if (o instanceof IngestError) {
        p.failed++;
        errors.push({ file: current.parsed[k]!.name, error: o.message });
      } else {
        p.created += o.created;
        p.replaced += o.replaced;
        p.unchanged += o.unchanged;
      }
    });
    opts.onProgress?.({ ...p });
  }
  await db().importRun.update({
    where: { id: run.id },
    data: { finishedAt: new Date(), messages: p.done, created: p.created, replaced: p.replaced, unchanged: p.unchanged, failed: p.failed, errors: errors.slice(0, 200) },
  });
  return { ...p, errors, runId: run.id };
}

/**
 * 最新データ取得 (seed 000, after linking): imports that patient's folder of the linked facility's
 * SS-MIX2 storage now. For those who manage the patient's registration.
 */
export async function fetchLatestData(viewer: TViewer, linkId: string): Promise<TTreeReport> {
  const link = isUuid(linkId)
    ? await db().facilityPatientLink.findFirst({
        where: { id: linkId, unlinkedAt: null },
        select: { patientId: true, facilityId: true, facilityPatientId: true, facility: { select: { ssmix2StorageRoot: true } } },
      })
    : null;
  if (!link) throw notFound("link");
  await checkPatient(viewer, "registration", link.patientId);
  const root = link.facility.ssmix2StorageRoot;
  if (!root) throw new AppError("CONFLICT", "links.noDataSource", { _form: ["links.noDataSource"] });
  return importStorageTree(link.facilityId, patientFolder(root, link.facilityPatientId), {
    source: "latest",
    startedById: viewer.userId,
    received: { certSerial: viewer.certSerial || null, requestId: viewer.requestId ?? null },
  });
}
