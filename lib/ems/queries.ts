import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { EmergencyBasis, EmergencyConsent, EmergencyReason } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { readIdentities } from "@/lib/access/gateway";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TEmergencySearchInput } from "@/lib/ems/schema";
import { isUuid, kanaKey } from "@/lib/text";

/** An ID the name search found: use it as `<施設患者ID>#EMS` with that facility. */
export type TEmergencyMatchId = { facilityId: string; facilityCode: string; facilityName: string; facilityPatientId: string };

/** The name search's answer: the one patient's IDs at the disclosing facilities, or "narrow the search". */
export type TEmergencySearchResult = { found: true; ids: TEmergencyMatchId[] } | { found: false; matches: number };

const digits = (s: string) => s.replace(/\D/g, "");

/**
 * EMS name search (PDQ, seed 001): for EMS-privileged staff only; kana name, birth date and sex
 * (and the address or a phone number, when given) must match exactly one registered patient, else
 * the answer is to narrow the search (how many matched is said, never who). The one patient's
 * IDs at disclosing facilities are returned, to use with `#EMS`. Every search is logged (EMS_SEARCH),
 * a hit naming its patient.
 */
export async function searchForEmergency(viewer: TViewer, input: TEmergencySearchInput, now: Date = new Date()): Promise<TEmergencySearchResult> {
  return readIdentities<TEmergencySearchResult>(
    viewer,
    "emsSearch",
    async (scope) => {
      const narrow: Prisma.Sql[] = [];
      if (input.address) narrow.push(Prisma.sql`position(${input.address.replace(/\s+/g, "")} IN replace(coalesce(p.address, ''), ' ', '')) > 0`);
      if (input.phone) {
        const phone = digits(input.phone);
        narrow.push(Prisma.sql`(regexp_replace(coalesce(p.phone, ''), '\\D', '', 'g') = ${phone} OR regexp_replace(coalesce(p.mobile_phone, ''), '\\D', '', 'g') = ${phone})`);
      }
      const rows = await scope.sql<{ id: string }>(Prisma.sql`
        SELECT p.id::text AS id FROM ${scope.patients} p
         WHERE p.kana_key = ${kanaKey(input.nameKana)} AND p.birth_date = ${input.birthDate.toISOString().slice(0, 10)}::date AND p.sex = ${input.sex}::"Sex"
           ${narrow.length ? Prisma.sql`AND ${Prisma.join(narrow, " AND ")}` : Prisma.empty}
         ORDER BY p.id LIMIT 3`);
      const criteria = `EMS search${input.address ? " +address" : ""}${input.phone ? " +phone" : ""}`;
      if (rows.length !== 1) return { value: { found: false, matches: rows.length }, patients: [], detail: `${criteria} → ${rows.length > 2 ? "3+" : rows.length}` };
      const id = rows[0]!.id;
      const ids = await scope.sql<{ facility_id: string; code: string; name: string; facility_patient_id: string }>(Prisma.sql`
        SELECT f.id::text AS facility_id, f.code, f.name_kanji AS name, l.facility_patient_id
          FROM "facility_patient_links" l JOIN "facilities" f ON f.id = l.facility_id
         WHERE l.patient_id = ${id}::uuid AND l.unlinked_at IS NULL AND f.is_disclosing AND f.is_active AND f.id <> ${viewer.facilityId}::uuid
         ORDER BY f.code, l.facility_patient_id`);
      return {
        value: { found: true, ids: ids.map((r) => ({ facilityId: r.facility_id, facilityCode: r.code, facilityName: r.name, facilityPatientId: r.facility_patient_id })) },
        patients: [id],
        detail: `${criteria} → 1`,
      };
    },
    { now },
  );
}

/** The viewer's own grant in force for a patient (the grant banner): its ground, reason, consent and end. */
export type TActiveGrant = {
  id: string;
  basis: EmergencyBasis;
  reason: EmergencyReason;
  reasonText: string;
  consent: EmergencyConsent;
  consentConfirmedBy: string | null;
  disclosingFacilityName: string | null;
  facilityPatientId: string | null;
  disasterName: string | null;
  startsAt: Date;
  endsAt: Date;
  windowFrom: string;
};

/**
 * When a grant ends: its own end, its early end, and for the disaster ground the end of its
 * declaration (a declaration that runs out ends the grants opened under it, as the rule says).
 * Over `g` (emergency_grants) and `d` (its declaration, LEFT JOINed).
 */
const GRANT_END = Prisma.sql`least(g.ends_at, coalesce(g.ended_at, 'infinity'::timestamptz),
  CASE WHEN g.basis = 'DISASTER' THEN least(d.ends_at, coalesce(d.closed_at, 'infinity'::timestamptz)) ELSE 'infinity'::timestamptz END)`;

/**
 * The viewer's grant in force for the patient, if any (their own record: it names no patient
 * data). As the rule reads it: a user who lost the EMS privilege has none in force.
 */
export async function findActiveGrant(viewer: TViewer, patientId: string, now: Date = new Date()): Promise<TActiveGrant | null> {
  if (!isUuid(patientId)) return null;
  const [g] = await db().$queryRaw<
    {
      id: string;
      basis: EmergencyBasis;
      reason: EmergencyReason;
      reason_text: string;
      consent: EmergencyConsent;
      consent_confirmed_by: string | null;
      facility: string | null;
      facility_patient_id: string | null;
      disaster: string | null;
      starts_at: Date;
      ends_at: Date;
      window_from: string;
    }[]
  >`
    SELECT g.id::text, g.basis, g.reason, g.reason_text, g.consent, g.consent_confirmed_by, f.name_kanji AS facility, g.facility_patient_id, d.name AS disaster,
           g.starts_at, ${GRANT_END} AS ends_at, g.window_from::text AS window_from
      FROM "emergency_grants" g
      JOIN "staff_users" u ON u.id = g.viewer_id AND u.has_ems_privilege AND NOT u.is_retired
      LEFT JOIN "facilities" f ON f.id = g.disclosing_facility_id
      LEFT JOIN "disaster_declarations" d ON d.id = g.disaster_id
     WHERE g.viewer_id = ${viewer.userId}::uuid AND g.patient_id = ${patientId}::uuid
       AND g.starts_at <= ${now} AND ${GRANT_END} > ${now}
       AND (g.basis <> 'DISASTER' OR d.starts_at <= ${now})
     ORDER BY g.starts_at DESC LIMIT 1`;
  if (!g) return null;
  return {
    id: g.id,
    basis: g.basis,
    reason: g.reason,
    reasonText: g.reason_text,
    consent: g.consent,
    consentConfirmedBy: g.consent_confirmed_by,
    disclosingFacilityName: g.facility,
    facilityPatientId: g.facility_patient_id,
    disasterName: g.disaster,
    startsAt: g.starts_at,
    endsAt: g.ends_at,
    windowFrom: g.window_from,
  };
}

/** The viewer's last grant for a patient that has ended (its time up, or ended early): what the "ended" page says. */
export type TEndedGrant = { disclosingFacilityId: string | null; disclosingFacilityName: string | null; facilityPatientId: string | null; endedAt: Date };

/**
 * When a patient page is refused, whether it is because the viewer's own emergency grant ended
 * (none in force, the latest ended): the page then says so, instead of a bare "not found". Only
 * the viewer's own record is read; it names no patient data.
 */
export async function findEndedGrant(viewer: TViewer, patientId: string, now: Date = new Date()): Promise<TEndedGrant | null> {
  if (!isUuid(patientId)) return null;
  const [g] = await db().$queryRaw<{ facility_id: string | null; facility: string | null; facility_patient_id: string | null; ended_at: Date; in_force: boolean }[]>`
    SELECT g.disclosing_facility_id::text AS facility_id, f.name_kanji AS facility, g.facility_patient_id,
           ${GRANT_END} AS ended_at, ${GRANT_END} > ${now} AS in_force
      FROM "emergency_grants" g
      LEFT JOIN "facilities" f ON f.id = g.disclosing_facility_id
      LEFT JOIN "disaster_declarations" d ON d.id = g.disaster_id
     WHERE g.viewer_id = ${viewer.userId}::uuid AND g.patient_id = ${patientId}::uuid AND g.starts_at <= ${now}
     ORDER BY ${GRANT_END} DESC LIMIT 1`;
  if (!g || g.in_force) return null;
  return { disclosingFacilityId: g.facility_id, disclosingFacilityName: g.facility, facilityPatientId: g.facility_patient_id, endedAt: g.ended_at };
}

/** Disclosing facilities the viewer may name with `#EMS` (every active disclosing facility but its own), by code. */
export async function listDisclosingFacilities(viewer: TViewer): Promise<{ id: string; code: string; name: string }[]> {
  const rows = await db().facility.findMany({
    where: { isActive: true, isDisclosing: true, id: { not: viewer.facilityId } },
    select: { id: true, code: true, nameKanji: true },
    orderBy: { code: "asc" },
  });
  return rows.map((f) => ({ id: f.id, code: f.code, name: f.nameKanji }));
}
