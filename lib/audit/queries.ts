import "server-only";
import { PassThrough, pipeline } from "node:stream";
import iconv from "iconv-lite";
import { to as copyTo } from "pg-copy-streams";
import { Prisma } from "@/generated/prisma/client";
import { AccessType, EmergencyBasis } from "@/generated/prisma/enums";
import { canExportAccessLogsOf, isSecretariat } from "@/lib/access/roles";
import { readAudit } from "@/lib/access/gateway";
import { crlfRowEnds, neutraliseCsvCell } from "@/lib/audit/csv";
import { monthBounds, type TAccessLogExport, type TExportDirection } from "@/lib/audit/schema";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db, type TTx } from "@/lib/db/client";
import { pgPool } from "@/lib/db/pg";
import { AppError, notFound } from "@/lib/errors";
import type { TLocale } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";
import { isValidRegionalId } from "@/lib/patients/regional-id";

/** The facilities whose logs the viewer may export or verify: its own (facility admin), any (secretariat). */
export async function listExportableFacilities(viewer: TViewer) {
  return db().facility.findMany({
    where: isSecretariat(viewer) ? {} : { id: viewer.facilityId },
    select: { id: true, code: true, nameKanji: true },
    orderBy: { code: "asc" },
  });
}

type TResolved = { facility: { id: string; nameKanji: string; code: string }; patient: { id: string; regionalId: string } | null };

/** Authorizes the export (own facility for its admins, any for the secretariat) and resolves the optional patient. */
async function resolveExport(tx: TTx, viewer: TViewer, q: Pick<TAccessLogExport, "facilityId" | "patientId">): Promise<TResolved> {
  const facility = canExportAccessLogsOf(viewer, q.facilityId)
    ? await tx.facility.findUnique({ where: { id: q.facilityId }, select: { id: true, nameKanji: true, code: true } })
    : null;
  if (!facility) throw notFound("facility");
  if (!q.patientId) return { facility, patient: null };
  // a regional ID (10 digits with its check digit), else this facility's own patient ID
  const patient = isValidRegionalId(q.patientId)
    ? await tx.patient.findUnique({ where: { regionalId: q.patientId }, select: { id: true, regionalId: true } })
    : ((await tx.facilityPatientLink.findFirst({ where: { facilityId: facility.id, facilityPatientId: q.patientId }, orderBy: { linkedAt: "desc" }, select: { patient: { select: { id: true, regionalId: true } } } }))?.patient ?? null);
  if (!patient) throw new AppError("VALIDATION", "patient", { patientId: ["audit.patient.notFound"] });
  return { facility, patient };
}

/** The WHERE of one export: the month (partition pruned), the direction, the patient. */
function exportWhere(r: TResolved, month: string, direction: TExportDirection): Prisma.Sql {
  const { from, to } = monthBounds(month);
  const side = direction === "viewing" ? Prisma.sql`l.facility_id = ${r.facility.id}::uuid` : Prisma.sql`l.owner_facility_id = ${r.facility.id}::uuid AND l.facility_id <> ${r.facility.id}::uuid`;
  return Prisma.sql`l.at >= ${from} AND l.at < ${to} AND ${side}${r.patient ? Prisma.sql` AND l.patient_id = ${r.patient.id}::uuid` : Prisma.empty}`;
}

/** How many rows an export would have (the page's preview). Not a read of patient data: no rows are shown. */
export async function countAccessLogExport(viewer: TViewer, q: TAccessLogExport): Promise<number> {
  const r = await resolveExport(db(), viewer, q);
  const [row] = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM access_logs l WHERE ${exportWhere(r, q.month, q.direction)}`;
  return Number(row?.n ?? 0);
}

/**
 * The CSV's columns: seed 000's six, then both sides' patient IDs, the certificate serial, the
 * emergency mark (the ground of the grant the row was read under: EMS, 中核病院 or 災害; a row
 * marked emergency without a grant, an EMS lookup, is EMS) and that grant's id (for its review).
 */
export const EXPORT_COLUMNS = [
  "ContentID",
  "AccessFacilityName",
  "AccessPersonName",
  "AccessTime",
  "AccessType",
  "AccessDetail",
  "RegionalPatientID",
  "AccessFacilityPatientID",
  "ContentFacilityName",
  "ContentFacilityPatientID",
  "CertificateSerial",
  "Emergency",
  "EmergencyGrantID",
] as const;

const ACCESS_TYPES = Object.values(AccessType);

/** Inlines a value as an SQL string literal (COPY takes no parameters); only for our own, validated values. */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The COPY statement of one export; every value in it is validated (uuids, dates) or ours (labels). */
function exportCopySql(r: TResolved, month: string, direction: TExportDirection, locale: TLocale): string {
  const where = exportWhere(r, month, direction);
  // Prisma.sql keeps parameters apart ($1, $2…); COPY takes none, so they are written as literals.
  const inline = where.text.replace(/\$(\d+)/g, (_, n: string) => {
    const v = where.values[Number(n) - 1];
    return v instanceof Date ? `${literal(v.toISOString())}::timestamptz` : literal(String(v));
  });
  // Every cell that holds stored text passes through the CSV-injection rule (ADR 0010), called on
  // the column itself, inside the look-ups' sub-selects rather than around them: PostgreSQL inlines
  // the function only for a cheap argument, and around a sub-select (or the label's CASE) it runs as
  // a function call per cell (measured: +37 % of the COPY's CPU, against +4 % this way). Our own
  // labels pass the same rule here, as the statement is built; the time is a fixed format that
  // begins with the year; the emergency mark is one of our labels and the grant's id a uuid.
  const csvCell = (column: string) => `"chiikilink_csv_cell"(${column})`;
  const dict = dictionaries[locale];
  const typeLabel = `CASE l.access_type::text ${ACCESS_TYPES.map((t) => `WHEN ${literal(t)} THEN ${literal(neutraliseCsvCell(dict[`enum.AccessType.${t}`] ?? t))}`).join(" ")} ELSE l.access_type::text END`;
  const groundLabel = (b: EmergencyBasis) => literal(neutraliseCsvCell(dict[`emsReview.basis.${b}`] ?? b));
  const emergencyLabel = `CASE WHEN NOT l.is_emergency THEN NULL ${Object.values(EmergencyBasis)
    .filter((b) => b !== "EMS")
    .map((b) => `WHEN eg.basis::text = ${literal(b)} THEN ${groundLabel(b)}`)
    .join(" ")} ELSE ${groundLabel("EMS")} END`;
  const linkOf = (facility: string) =>
    `(SELECT ${csvCell("k.facility_patient_id")} FROM facility_patient_links k WHERE k.patient_id = l.patient_id AND k.facility_id = ${facility} ORDER BY k.unlinked_at DESC NULLS FIRST, k.linked_at DESC LIMIT 1)`;
  // one expression per column of EXPORT_COLUMNS, in its order
  const cells: Record<(typeof EXPORT_COLUMNS)[number], string> = {
    ContentID: csvCell("l.content_id"),
    AccessFacilityName: csvCell("vf.name_kanji"),
    AccessPersonName: csvCell("u.name_kanji"),
    AccessTime: "to_char(l.at AT TIME ZONE 'Asia/Tokyo', 'YYYY/MM/DD HH24:MI:SS')",
    AccessType: typeLabel,
    AccessDetail: csvCell("l.detail"),
    RegionalPatientID: csvCell("p.regional_id"),
    AccessFacilityPatientID: linkOf("l.facility_id"),
    ContentFacilityName: csvCell("ofc.name_kanji"),
    ContentFacilityPatientID: linkOf("l.owner_facility_id"),
    CertificateSerial: csvCell("l.cert_serial"),
    Emergency: emergencyLabel,
    EmergencyGrantID: "l.emergency_grant_id::text",
  };
  // FORCE_QUOTE quotes every cell, as OWASP asks of a neutralised one.
  const select = `SELECT ${EXPORT_COLUMNS.map((c) => cells[c]).join(",\n      ")}
    FROM access_logs l
    JOIN staff_users u ON u.id = l.user_id
    JOIN facilities vf ON vf.id = l.facility_id
    LEFT JOIN facilities ofc ON ofc.id = l.owner_facility_id
    LEFT JOIN patients p ON p.id = l.patient_id
    LEFT JOIN emergency_grants eg ON eg.id = l.emergency_grant_id
    WHERE ${inline}
    ORDER BY l.at, l.facility_id, l.chain_seq`;
  return `COPY (${select}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *, NULL '')`;
}

export type TAccessLogExportStream = { fileName: string; contentType: string; body: ReadableStream<Uint8Array> };

/**
 * The monthly CSV, streamed straight from PostgreSQL (COPY … TO STDOUT), re-encoded on the way
 * for Excel on Japanese Windows (CP932, the default) or as UTF-8 with a BOM. RFC 4180 quoting,
 * CRLF row ends, times in JST, formula-like cells neutralised. The export is logged (committed
 * before the first byte).
 */
export async function openAccessLogExport(viewer: TViewer, q: TAccessLogExport, locale: TLocale = "ja"): Promise<TAccessLogExportStream> {
  const r = await readAudit(
    viewer,
    "export",
    async ({ tx }) => {
      const resolved = await resolveExport(tx, viewer, q);
      return {
        value: resolved,
        patientId: resolved.patient?.id ?? null,
        detail: `${resolved.facility.code} ${q.month} ${q.direction}${resolved.patient ? ` patient ${resolved.patient.regionalId}` : ""} ${q.encoding}`,
      };
    },
    { facilityId: q.facilityId },
  );
  const client = await pgPool().connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  const copy = client.query(copyTo(exportCopySql(r, q.month, q.direction, locale)));
  const header = `${EXPORT_COLUMNS.join(",")}\r\n`;
  const out = new PassThrough();
  const encode = q.encoding === "cp932" ? [iconv.decodeStream("utf8"), iconv.encodeStream("cp932")] : [];
  out.write(q.encoding === "cp932" ? iconv.encode(header, "cp932") : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(header, "utf8")]));
  pipeline([copy, crlfRowEnds(), ...encode, out] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (err) => release(err ?? undefined));
  const name = `access-log_${r.facility.code}_${q.month}_${q.direction}${r.patient ? `_${r.patient.regionalId}` : ""}${q.encoding === "utf8" ? "_utf8" : ""}.csv`;
  return {
    fileName: name,
    contentType: q.encoding === "cp932" ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8",
    body: webStreamOf(out, () => out.destroy(new Error("the client stopped the download"))),
  };
}

/**
 * A web stream that pulls from a Node stream one chunk per read, and stops the Node side when the
 * client goes away (the pipeline then releases the connection, which ends the COPY). Unlike
 * Readable.toWeb, a chunk that arrives after the cancel is dropped instead of being enqueued into
 * a closed stream, which threw an uncaught "Controller is already closed" (nodejs/node#64529).
 */
function webStreamOf(source: PassThrough, stop: () => void): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (cancelled) return;
          if (next.done) controller.close();
          else controller.enqueue(new Uint8Array(next.value as Buffer));
        } catch (err) {
          if (!cancelled) controller.error(err);
        }
      },
      cancel() {
        cancelled = true;
        stop();
      },
    },
    { highWaterMark: 0 },
  );
}

export type TChainProblem = "hash" | "gap" | "link" | "tail";
export type TChainReport = {
  facilityId: string;
  month: string;
  rows: number;
  ok: boolean;
  /** the first row that does not hold (or the chain's end, for "tail") */
  firstBroken: { seq: number; id: string | null; at: Date | null; problem: TChainProblem } | null;
};

/**
 * Checks one facility's chain of one month: every row's hash over its columns, the sequence
 * without gaps, each row linked to the previous one (the first to the month's genesis), and the
 * chain head equal to the last row. Reports the first link that does not hold.
 */
export async function verifyAccessLogChain(facilityId: string, month: string): Promise<TChainReport> {
  const { from, to } = monthBounds(month);
  const monthStart = `${month}-01`;
  const [summary] = await db().$queryRaw<{ rows: bigint; last_seq: bigint | null; last_hash: Uint8Array | null; broken_seq: bigint | null }[]>`
    WITH chain AS (
      SELECT l.id, l.at, l.chain_seq, l.prev_hash, l.row_hash,
             "chiikilink_access_log_hash"(l.prev_hash, l.id, l.at, l.user_id, l.facility_id, l.cert_serial, l.access_type::text, l.patient_id,
               l.owner_facility_id, l.content_id, l.is_emergency, l.detail, l.request_id, l.chain_seq, l.emergency_grant_id) AS recomputed,
             lag(l.row_hash) OVER (ORDER BY l.chain_seq) AS before_hash,
             lag(l.chain_seq) OVER (ORDER BY l.chain_seq) AS before_seq
        FROM access_logs l
       WHERE l.at >= ${from} AND l.at < ${to} AND l.facility_id = ${facilityId}::uuid
    )
    SELECT count(*) AS rows,
           max(chain_seq) AS last_seq,
           (SELECT row_hash FROM chain ORDER BY chain_seq DESC LIMIT 1) AS last_hash,
           min(chain_seq) FILTER (WHERE recomputed <> row_hash
                                     OR chain_seq <> coalesce(before_seq, 0) + 1
                                     OR prev_hash <> coalesce(before_hash, "chiikilink_access_log_genesis"(${monthStart}::date, ${facilityId}::uuid))) AS broken_seq
      FROM chain`;
  const rows = Number(summary?.rows ?? 0);
  const report = (firstBroken: TChainReport["firstBroken"]): TChainReport => ({ facilityId, month, rows, ok: firstBroken === null, firstBroken });
  if (summary?.broken_seq != null) {
    const seq = summary.broken_seq;
    const [row] = await db().$queryRaw<{ id: string; at: Date; hash_ok: boolean; seq_ok: boolean }[]>`
      WITH chain AS (
        SELECT l.id, l.at, l.chain_seq, l.row_hash,
               "chiikilink_access_log_hash"(l.prev_hash, l.id, l.at, l.user_id, l.facility_id, l.cert_serial, l.access_type::text, l.patient_id,
                 l.owner_facility_id, l.content_id, l.is_emergency, l.detail, l.request_id, l.chain_seq, l.emergency_grant_id) = l.row_hash AS hash_ok,
               l.chain_seq = coalesce(lag(l.chain_seq) OVER (ORDER BY l.chain_seq), 0) + 1 AS seq_ok
          FROM access_logs l
         WHERE l.at >= ${from} AND l.at < ${to} AND l.facility_id = ${facilityId}::uuid
      )
      SELECT id, at, hash_ok, seq_ok FROM chain WHERE chain_seq = ${seq}`;
    return report({ seq: Number(seq), id: row?.id ?? null, at: row?.at ?? null, problem: !row?.hash_ok ? "hash" : !row.seq_ok ? "gap" : "link" });
  }
  const head = await db().accessLogChainHead.findUnique({ where: { month_facilityId: { month: new Date(`${monthStart}T00:00:00Z`), facilityId } } });
  const lastSeq = summary?.last_seq ?? null;
  const tailOk = head ? lastSeq !== null && head.seq === lastSeq && Buffer.from(head.hash).equals(Buffer.from(summary!.last_hash ?? [])) : lastSeq === null;
  return report(tailOk ? null : { seq: Number(head?.seq ?? 0), id: null, at: null, problem: "tail" });
}

/** The verification from the admin page: authorized like the export, and logged. */
export async function verifyAccessLogFor(viewer: TViewer, facilityId: string, month: string): Promise<TChainReport> {
  return readAudit(
    viewer,
    "verify",
    async () => {
      const result = await verifyAccessLogChain(facilityId, month);
      return { value: result, detail: `${facilityId} ${month} ${result.ok ? "ok" : `broken at ${result.firstBroken?.seq} (${result.firstBroken?.problem})`}` };
    },
    { facilityId, timeout: 60_000 },
  );
}
