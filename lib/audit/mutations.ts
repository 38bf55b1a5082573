import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { to as copyTo } from "pg-copy-streams";
import { db } from "@/lib/db/client";
import { pgPool } from "@/lib/db/pg";
import { AppError } from "@/lib/errors";

/**
 * Creates the access log's monthly partitions from this month to `monthsAhead` months on
 * (Japan-time months), so rows never land in the default partition. Run at start and daily.
 */
export async function ensureAccessLogPartitions(now: Date = new Date(), monthsAhead = 3): Promise<number> {
  const [r] = await db().$queryRaw<{ created: number }[]>`
    SELECT "chiikilink_ensure_access_log_partitions"(
      (${now}::timestamptz AT TIME ZONE 'Asia/Tokyo')::date,
      ((${now}::timestamptz AT TIME ZONE 'Asia/Tokyo') + make_interval(months => ${monthsAhead}::int))::date
    ) AS created`;
  return r?.created ?? 0;
}

/** How many months of access logs stay online at least (seeds 000/004: one year, and the month in progress). */
export const MONTHS_KEPT_ONLINE = 13;

/** The archive's text columns: neutralised against CSV injection and always quoted. */
const ARCHIVE_TEXT_COLUMNS = ["cert_serial", "content_id", "detail", "request_id"] as const;
const cell = (column: (typeof ARCHIVE_TEXT_COLUMNS)[number]) => `"chiikilink_csv_cell"(${column}) AS ${column}`;
/** Said in the manifest, so whoever recomputes the chain from the file knows to undo it (lib/audit/csv.ts restoreCsvCell). */
const ARCHIVE_CELLS_NOTE =
  `${ARCHIVE_TEXT_COLUMNS.join(", ")}: a value that begins with = + - @ TAB CR or ＝ ＋ － ＠, at once or after blanks and quotes, ` +
  "is written with a single quote before it (CSV injection); remove that quote to get the stored value. Empty unquoted cells are NULL.";

export type TArchiveResult = { partition: string; file: string; manifest: string; rows: number; sha256: string };

/**
 * Archives one month of the access log: checks every facility's chain of that month, writes the
 * partition (every column, hashes in hex, formula-like text neutralised) to
 * `<outDir>/<partition>.csv` with a manifest (row count, SHA-256 of the file, each chain's head,
 * how cells are written), then DETACHES the partition. The detached table
 * stays in the database until an operator drops it after storing the archive; nothing is dropped
 * here. Months within MONTHS_KEPT_ONLINE are refused.
 */
export async function archiveAccessLogMonth(month: string, outDir: string, opts: { now?: Date; verify: (facilityId: string, month: string) => Promise<{ ok: boolean; firstBroken: unknown }> }): Promise<TArchiveResult> {
  const now = opts.now ?? new Date();
  const current = new Date(now.getTime() + 9 * 3600_000);
  const oldestOnline = new Date(Date.UTC(current.getUTCFullYear(), current.getUTCMonth() - (MONTHS_KEPT_ONLINE - 1), 1)).toISOString().slice(0, 7);
  if (month >= oldestOnline) throw new AppError("VALIDATION", `${month} is within the ${MONTHS_KEPT_ONLINE} months kept online (from ${oldestOnline})`);
  const partition = `access_logs_y${month.slice(0, 4)}m${month.slice(5, 7)}`;
  const [found] = await db().$queryRaw<{ attached: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_logs'::regclass AND c.relname = ${partition}) AS attached`;
  if (!found?.attached) throw new AppError("NOT_FOUND", `no attached partition ${partition}`);
  const heads = await db().accessLogChainHead.findMany({ where: { month: new Date(`${month}-01T00:00:00Z`) }, select: { facilityId: true, seq: true, hash: true } });
  for (const h of heads) {
    const r = await opts.verify(h.facilityId, month);
    if (!r.ok) throw new AppError("CONFLICT", `the chain of facility ${h.facilityId} in ${month} does not hold: ${JSON.stringify(r.firstBroken)}; not archived`);
  }
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${partition}.csv`);
  const hash = crypto.createHash("sha256");
  let rows = 0;
  const client = await pgPool().connect();
  try {
    // The text columns pass through the CSV-injection rule (ADR 0010) and are quoted; the others
    // are uuids, instants, numbers, booleans, an enum and hex, which never begin with = + - @.
    // Every column the row's hash covers is here, the emergency grant's id last (it joined the hash
    // in migration 20261208000000, after the columns the archives had before).
    const copy = copyTo(`COPY (SELECT id, at, user_id, facility_id, ${cell("cert_serial")}, access_type, patient_id, owner_facility_id, ${cell("content_id")}, is_emergency,
                                      ${cell("detail")}, ${cell("request_id")}, chain_seq, encode(prev_hash, 'hex') AS prev_hash, encode(row_hash, 'hex') AS row_hash,
                                      emergency_grant_id
                                 FROM "${partition}" ORDER BY facility_id, chain_seq)
                            TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE (${ARCHIVE_TEXT_COLUMNS.join(", ")}))`);
    client.query(copy);
    copy.on("data", (chunk: Buffer) => hash.update(chunk));
    await pipeline(copy, fs.createWriteStream(file, { flags: "wx" }));
    // the server's own count: a line feed inside a cell is not a row
    rows = copy.rowCount;
    client.release();
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  const sha256 = hash.digest("hex");
  const manifest = path.join(outDir, `${partition}.manifest.json`);
  const chains = heads.map((h) => ({ facilityId: h.facilityId, lastSeq: Number(h.seq), lastHash: Buffer.from(h.hash).toString("hex") }));
  fs.writeFileSync(manifest, `${JSON.stringify({ month, partition, rows, file: path.basename(file), sha256, cells: ARCHIVE_CELLS_NOTE, chains, archivedAt: now.toISOString() }, null, 2)}\n`, { flag: "wx" });
  await db().$executeRawUnsafe(`ALTER TABLE "access_logs" DETACH PARTITION "${partition}"`);
  return { partition, file, manifest, rows, sha256 };
}
