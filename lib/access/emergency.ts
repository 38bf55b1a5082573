import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { EmergencyBasis } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TTx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { isUuid, nfkc } from "@/lib/text";
import { mayReadRecords } from "@/lib/access/roles";
import { writeLog } from "@/lib/access/log";
import { inPrismaSession, type TSql } from "@/lib/access/session";

/*
 * THE GATEWAY'S EMERGENCY BRANCH (C8; docs/decisions/0019-emergency-access.md): the way in to an
 * emergency grant. `<施設患者ID>#EMS` names a patient by a disclosing facility's own ID; before
 * any record shows, the patient's identity is shown for confirmation (an EMS_LOOKUP row); then
 * the user states the reason and the consent, and a grant opens (an EMERGENCY_GRANT row). The
 * grant itself is read by the rule (chiikilink_emergency_access) on every read: ./gateway.ts.
 *
 * A refusal names its reason (the user is privileged staff in an emergency: a clear answer
 * matters more than hiding that the ID exists), and writes one DENIED row with it, committed.
 */

/** Why an emergency lookup or grant was refused (each has its message: `ems.refused.<reason>`). */
export type TEmergencyRefusal =
  /** the user lacks the EMS privilege, or a role that reads records */
  | "NOT_PRIVILEGED"
  /** the disclosing facility is not one (inactive, not disclosing, or the viewer's own) */
  | "NO_SUCH_FACILITY"
  /** no active patient with that ID at that facility */
  | "NO_SUCH_PATIENT"
  /** the ID names more than one patient there */
  | "AMBIGUOUS"
  /** the patient withdrew from sharing (and no disaster declaration overrides it) */
  | "WITHDRAWN"
  /** the viewer's facility may not use EMS (not allowed, not a core hospital, no declaration covers it) */
  | "FACILITY_NOT_ALLOWED"
  /** EMS needs the patient's consent registration at the disclosing facility, and it has none in force */
  | "NOT_SHARED";

/** `ID#EMS` as typed (full-width ＃, any case, spaces around): the facility patient ID, else null. */
export function parseEmsQuery(q: string): string | null {
  const m = /^\s*(.+?)\s*#\s*ems\s*$/i.exec(nfkc(q));
  const id = m?.[1]?.trim();
  return id && id.length <= 20 && !/[#\s]/.test(id) ? id : null;
}

/** What the user names: the disclosing facility and its patient ID. */
export type TEmergencyTarget = { facilityId: string; facilityPatientId: string };

/** A declaration in force that covers this viewer and patient (the strongest ground, when there is one). */
export type TDisasterGround = { id: string; name: string; skipNotice: boolean; consentAfterFact: boolean; overridesWithdrawal: boolean };

/** The patient named, as the disclosing facility knows them, and on what ground they may be opened. */
export type TEmergencyCandidate = {
  patientId: string;
  facilityPatientId: string;
  facility: { id: string; code: string; name: string };
  nameKanji: string;
  nameKana: string;
  sex: string;
  birthDate: string;
  /** the ground a grant would be opened on: a disaster declaration before EMS, EMS before a core hospital's */
  basis: EmergencyBasis;
  disaster: TDisasterGround | null;
  /** the patient withdrew from sharing (only a declaration that overrides it opens them) */
  withdrawn: boolean;
};

type TFound = { ok: true; candidate: TEmergencyCandidate } | { ok: false; refusal: TEmergencyRefusal; patientId: string | null; facilityCode: string | null };

const BASIS_ORDER: EmergencyBasis[] = ["DISASTER", "EMS", "CORE_HOSPITAL"];

/** Decides, in the caller's transaction, whether the viewer may open the named patient in an emergency, and on what ground. */
async function find(sql: TSql, viewer: TViewer, target: TEmergencyTarget, now: Date): Promise<TFound> {
  const refuse = (refusal: TEmergencyRefusal, patientId: string | null = null, facilityCode: string | null = null): TFound => ({ ok: false, refusal, patientId, facilityCode });
  const [user] = await sql<{ ems: boolean }>(Prisma.sql`SELECT has_ems_privilege AND NOT is_retired AS ems FROM "staff_users" WHERE id = ${viewer.userId}::uuid`);
  if (!user?.ems || !mayReadRecords(viewer.roles)) return refuse("NOT_PRIVILEGED");
  if (!isUuid(target.facilityId) || target.facilityId === viewer.facilityId) return refuse("NO_SUCH_FACILITY");
  const [facility] = await sql<{ id: string; code: string; name: string }>(Prisma.sql`
    SELECT id::text, code, name_kanji AS name FROM "facilities" WHERE id = ${target.facilityId}::uuid AND is_active AND is_disclosing`);
  if (!facility) return refuse("NO_SUCH_FACILITY");
  const patients = await sql<{ id: string; name_kanji: string; name_kana: string; sex: string; birth_date: string }>(Prisma.sql`
    SELECT DISTINCT p.id::text, p.name_kanji, p.name_kana, p.sex::text, p.birth_date::text
      FROM "facility_patient_links" l JOIN "patients" p ON p.id = l.patient_id
     WHERE l.facility_id = ${facility.id}::uuid AND l.facility_patient_id = ${target.facilityPatientId} AND l.unlinked_at IS NULL
     LIMIT 2`);
  if (patients.length === 0) return refuse("NO_SUCH_PATIENT", null, facility.code);
  if (patients.length > 1) return refuse("AMBIGUOUS", null, facility.code);
  const p = patients[0]!;
  const grounds = await sql<{ basis: EmergencyBasis; disaster_id: string | null }>(Prisma.sql`
    SELECT DISTINCT g.basis, g.disaster_id::text FROM "chiikilink_emergency_grounds"(${viewer.facilityId}::uuid, ${p.id}::uuid, ${now}::timestamptz) g
     WHERE g.facility_id = ${facility.id}::uuid`);
  const [state] = await sql<{ withdrawn: boolean; allowed: boolean; disasters: number }>(Prisma.sql`
    SELECT "chiikilink_withdrawn"(${p.id}::uuid, ${now}::timestamptz) AS withdrawn,
           (SELECT ems_allowed OR is_core_hospital FROM "facilities" WHERE id = ${viewer.facilityId}::uuid) AS allowed,
           (SELECT count(*) FROM "chiikilink_disasters"(${viewer.facilityId}::uuid, ${p.id}::uuid, ${now}::timestamptz))::int AS disasters`);
  const basis = BASIS_ORDER.find((b) => grounds.some((g) => g.basis === b));
  if (!basis) {
    if (state?.withdrawn) return refuse("WITHDRAWN", p.id, facility.code);
    if (!state?.allowed && !state?.disasters) return refuse("FACILITY_NOT_ALLOWED", p.id, facility.code);
    return refuse("NOT_SHARED", p.id, facility.code);
  }
  let disaster: TDisasterGround | null = null;
  if (basis === "DISASTER") {
    const ids = grounds.filter((g) => g.basis === "DISASTER").map((g) => g.disaster_id!);
    const [d] = await sql<{ id: string; name: string; skip_notice: boolean; consent_after_fact: boolean; overrides_withdrawal: boolean }>(Prisma.sql`
      SELECT id::text, name, skip_notice, consent_after_fact, overrides_withdrawal FROM "disaster_declarations"
       WHERE id = ANY (${ids}::uuid[]) ORDER BY starts_at DESC, id LIMIT 1`);
    disaster = { id: d!.id, name: d!.name, skipNotice: d!.skip_notice, consentAfterFact: d!.consent_after_fact, overridesWithdrawal: d!.overrides_withdrawal };
  }
  return {
    ok: true,
    candidate: {
      patientId: p.id,
      facilityPatientId: target.facilityPatientId,
      facility,
      nameKanji: p.name_kanji,
      nameKana: p.name_kana,
      sex: p.sex,
      birthDate: p.birth_date,
      basis,
      disaster,
      withdrawn: state?.withdrawn ?? false,
    },
  };
}

const refusalError = (r: TEmergencyRefusal) => new AppError(r === "NOT_PRIVILEGED" ? "FORBIDDEN" : "NOT_FOUND", `ems.refused.${r}`, { _form: [`ems.refused.${r}`] });

const asked = (target: TEmergencyTarget, code: string | null) => `${code ?? target.facilityId.slice(0, 40)}:${target.facilityPatientId.slice(0, 20)}#EMS`;

/**
 * `<施設患者ID>#EMS`: the patient's identity from the disclosing facility, for the user to confirm
 * before any record shows; logged as EMS_LOOKUP (emergency). A refusal throws with its reason
 * (`ems.refused.<reason>` on `_form`), after its DENIED row is committed.
 */
export async function lookUpEmergency(viewer: TViewer, target: TEmergencyTarget, opts: { now?: Date } = {}): Promise<TEmergencyCandidate> {
  const now = opts.now ?? new Date();
  const found = await inPrismaSession(async (s) => {
    const f = await find(s.sql, viewer, target, now);
    if (!f.ok) {
      await writeLog(s.sql, viewer, [{ accessType: "DENIED", patientId: f.patientId, detail: `EMS ${asked(target, f.facilityCode)} ${f.refusal}` }]);
      return f;
    }
    const c = f.candidate;
    await writeLog(s.sql, viewer, [
      { accessType: "EMS_LOOKUP", patientId: c.patientId, ownerFacilityId: c.facility.id, isEmergency: true, detail: `EMS ${asked(target, c.facility.code)} ${c.basis}` },
    ]);
    return f;
  });
  if (!found.ok) throw refusalError(found.refusal);
  return found.candidate;
}

/** What `grantEmergency`'s writer receives: the decided candidate and the transaction to record the grant in. */
export type TGrantScope = { tx: TTx; now: Date; candidate: TEmergencyCandidate };

/**
 * Opens an emergency grant: decides again, in one transaction, what lookUpEmergency decided; then
 * `write` records the grant (and its notice) and returns its id; the EMERGENCY_GRANT row names it.
 * A refusal throws as lookUpEmergency does, after its DENIED row is committed.
 */
export async function grantEmergency<T extends { grantId: string }>(
  viewer: TViewer,
  target: TEmergencyTarget,
  write: (scope: TGrantScope) => Promise<T>,
  opts: { now?: Date } = {},
): Promise<T> {
  const now = opts.now ?? new Date();
  const result = await inPrismaSession(async (s) => {
    const f = await find(s.sql, viewer, target, now);
    if (!f.ok) {
      await writeLog(s.sql, viewer, [{ accessType: "DENIED", patientId: f.patientId, detail: `EMS grant ${asked(target, f.facilityCode)} ${f.refusal}` }]);
      return { ok: false as const, refusal: f.refusal };
    }
    const c = f.candidate;
    const value = await write({ tx: s.tx, now, candidate: c });
    if (!isUuid(value.grantId)) throw new Error("an emergency grant's writer must return the grant's id");
    await writeLog(s.sql, viewer, [
      {
        accessType: "EMERGENCY_GRANT",
        patientId: c.patientId,
        ownerFacilityId: c.facility.id,
        emergencyGrantId: value.grantId,
        detail: `EMS ${asked(target, c.facility.code)} ${c.basis}${c.disaster ? ` ${c.disaster.name.slice(0, 60)}` : ""}`,
      },
    ]);
    return { ok: true as const, value };
  });
  if (!result.ok) {
    // a validation error of the form (thrown by `write`) rolls back above; a refusal is committed
    throw refusalError(result.refusal);
  }
  return result.value;
}
