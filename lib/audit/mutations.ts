import "server-only";
import type { AccessType } from "@/generated/prisma/enums";
import type { TTx } from "@/lib/db/client";
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

/**
 * Writes one access-log row (design.md rule 4). Callers pass the transaction of the read they
 * log, so a read and its log row commit together.
 */
export async function writeAccessLog(tx: TTx, viewer: TViewer, entry: TAccessLogEntry): Promise<void> {
  await tx.accessLog.create({
    data: {
      userId: viewer.userId,
      facilityId: viewer.facilityId,
      certSerial: viewer.certSerial || null,
      accessType: entry.accessType,
      patientId: entry.patientId ?? null,
      ownerFacilityId: entry.ownerFacilityId ?? null,
      contentId: entry.contentId ?? null,
      isEmergency: entry.isEmergency ?? false,
      detail: entry.detail ? entry.detail.slice(0, 500) : null,
    },
    select: { id: true },
  });
}
