import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { AccessType } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TSql } from "@/lib/access/session";
import { isUuid } from "@/lib/text";

/** One access-log row as the gateway writes it; the viewer, terminal and request come from the viewer. */
export type TLogRow = {
  accessType: AccessType;
  patientId?: string | null;
  ownerFacilityId?: string | null;
  /** the content read: its id (a UUID), never text from the request (that goes in `detail`) */
  contentId?: string | null;
  /** EMS or disaster access (the only exceptions to the rule) */
  isEmergency?: boolean;
  /** the emergency grant the read was made under (set with isEmergency) */
  emergencyGrantId?: string | null;
  /** what was asked for or shown: the criteria, the window, the id a refused request named */
  detail?: string | null;
};

/**
 * The access log's only writer (design.md rule 4): every row of one read in one INSERT, in the
 * read's transaction. The table's trigger chains each row to its facility-month's previous row.
 */
export async function writeLog(sql: TSql, viewer: TViewer, rows: readonly TLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  // Ids name what the database holds; what a request asked for goes in `detail` (ADR 0010).
  for (const r of rows) if (r.contentId != null && !isUuid(r.contentId)) throw new Error(`an access-log row's content id must be a content's id (a UUID), not ${JSON.stringify(r.contentId.slice(0, 80))}`);
  const col = <K extends keyof TLogRow>(k: K) => rows.map((r) => r[k] ?? null);
  await sql(Prisma.sql`
    INSERT INTO "access_logs" ("id", "user_id", "facility_id", "cert_serial", "access_type", "patient_id", "owner_facility_id", "content_id", "is_emergency", "detail", "request_id", "emergency_grant_id")
    SELECT gen_random_uuid(), ${viewer.userId}::uuid, ${viewer.facilityId}::uuid, ${viewer.certSerial || null}, r.t::"AccessType", r.p, r.o, r.c, r.e, r.d, ${viewer.requestId ?? null}, r.g
      FROM unnest(${col("accessType")}::text[], ${col("patientId")}::uuid[], ${col("ownerFacilityId")}::uuid[],
                  ${col("contentId")}::text[], ${rows.map((r) => r.isEmergency ?? r.emergencyGrantId != null)}::boolean[],
                  ${rows.map((r) => r.detail?.slice(0, 500) ?? null)}::text[], ${col("emergencyGrantId")}::uuid[]) AS r(t, p, o, c, e, d, g)`);
}
