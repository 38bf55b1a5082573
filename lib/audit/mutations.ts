import "server-only";
import type { AccessType } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";

export type TAccessLogEntry = {
  accessType: AccessType;
  patientId?: string | null;
  ownerFacilityId?: string | null;
  contentId?: string | null;
  isEmergency?: boolean;
  /** what was asked for, e.g. the search criteria or the id a refused request named */
  detail?: string | null;
};

const row = (viewer: TViewer, entry: TAccessLogEntry) => ({
  userId: viewer.userId,
  facilityId: viewer.facilityId,
  certSerial: viewer.certSerial || null,
  accessType: entry.accessType,
  patientId: entry.patientId ?? null,
  ownerFacilityId: entry.ownerFacilityId ?? null,
  contentId: entry.contentId ?? null,
  isEmergency: entry.isEmergency ?? false,
  detail: entry.detail ? entry.detail.slice(0, 500) : null,
  requestId: viewer.requestId ?? null,
});

/**
 * Writes one access-log row (design.md rule 4). Callers pass the transaction of the read they
 * log, so a read and its log row commit together.
 */
export async function writeAccessLog(tx: TTx, viewer: TViewer, entry: TAccessLogEntry): Promise<void> {
  await tx.accessLog.create({ data: row(viewer, entry), select: { id: true } });
}

/** Several rows of one read (e.g. one per owner facility, one per content shown), in one statement. */
export async function writeAccessLogs(tx: TTx, viewer: TViewer, entries: TAccessLogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.accessLog.createMany({ data: entries.map((e) => row(viewer, e)) });
}

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
