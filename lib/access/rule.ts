import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { StaffRole } from "@/generated/prisma/enums";

/*
 * The rule's SQL as the gateway calls it. The rule itself lives in the database (migration
 * 20261207000000_access_gateway: chiikilink_patient_access, chiikilink_content_visible,
 * chiikilink_visible_patients, chiikilink_administrable_patients, chiikilink_viewing_links); this
 * file only names the calls. Private to lib/access (eslint.config.mjs): callers get relations
 * that are already filtered, never these parts.
 */

export type TWho = { facilityId: string; roles: readonly StaffRole[] };

const rolesOf = (who: TWho) => Prisma.sql`${[...who.roles]}::text[]`;

/** A viewer in SQL: its facility and roles as values, or as a staff row's columns (`u`) when the system asks about its users. */
type TWhoSql = { facility: Prisma.Sql; roles: Prisma.Sql };
const whoSql = (who: TWho): TWhoSql => ({ facility: Prisma.sql`${who.facilityId}::uuid`, roles: rolesOf(who) });
const STAFF_ROW: TWhoSql = { facility: Prisma.sql`u.facility_id`, roles: Prisma.sql`u.roles::text[]` };

/** An emergency grant in force (chiikilink_emergency_access): the disclosing links it opens, the window's first date, each one's latest discharge summary. */
export type TEmergencyAccess = { grantId: string; links: string[]; windowFrom: string; extra: string[] };

/** A viewer's access to one patient, decided once: the link ids whose contents it may see, by how (and under an emergency grant). */
export type TAccessLinks = { own_links: string[]; basic_links: string[]; clinical_links: string[]; emergency?: TEmergencyAccess | null };

/** A user's emergency access to a patient (chiikilink_emergency_access) as a FROM item, joined LEFT LATERAL to the rule's row. */
const emergencyAccess = (userId: string, who: TWhoSql, patient: Prisma.Sql, at: Date) =>
  Prisma.sql`LEFT JOIN LATERAL "chiikilink_emergency_access"(${userId}::uuid, ${who.facility}, ${who.roles}, ${patient}, ${at}::timestamptz) e ON true`;

/** chiikilink_patient_access as a FROM item. */
const patientAccess = (who: TWhoSql, patient: Prisma.Sql, at: Date) => Prisma.sql`"chiikilink_patient_access"(${who.facility}, ${who.roles}, ${patient}, ${at}::timestamptz)`;

/** What a gate asks beyond whether the viewer sees the patient and which links' contents it may see. */
export type TGateAsks = { administers: boolean; reports: boolean; registers: boolean; facilities: boolean };

/**
 * The gate of a read of one patient: whether the patient exists, the viewer's access, and what the
 * read asks besides (each costs a little; a calendar cell asks for nothing more): whether the
 * viewer manages the registration or may report on it, and the facilities whose records the
 * viewer sees (its own, and those sharing 診療情報), in code order. What is not asked is false or empty.
 */
export const gateSql = (who: TWho & { userId: string }, patientId: string, at: Date, asks: TGateAsks) => Prisma.sql`
  SELECT EXISTS (SELECT 1 FROM "patients" WHERE "id" = ${patientId}::uuid) AS "exists",
         a.sees_patient, ${asks.administers ? Prisma.sql`a.administers` : Prisma.sql`false`} AS administers, ${asks.reports ? Prisma.sql`a.reports` : Prisma.sql`false`} AS reports,
         ${asks.registers ? Prisma.sql`"chiikilink_registers_patients"(${rolesOf(who)})` : Prisma.sql`false`} AS registers,
         a.own_links::text[] AS own_links, a.basic_links::text[] AS basic_links, a.clinical_links::text[] AS clinical_links,
         e.grant_id::text AS em_grant, coalesce(e.links, '{}')::text[] AS em_links, e.window_from::text AS em_from, coalesce(e.extra, '{}')::text[] AS em_extra,
         ${
           asks.facilities
             ? Prisma.sql`coalesce((SELECT json_agg(json_build_object('id', f.id, 'code', f.code, 'name', f.name_kanji) ORDER BY f.code)
                     FROM "facility_patient_links" l JOIN "facilities" f ON f.id = l.facility_id
                    WHERE l.id = ANY (a.own_links || a.clinical_links || coalesce(e.links, '{}'))), '[]'::json)`
             : Prisma.sql`'[]'::json`
         } AS facilities
    FROM ${patientAccess(whoSql(who), Prisma.sql`${patientId}::uuid`, at)} a
    ${emergencyAccess(who.userId, whoSql(who), Prisma.sql`${patientId}::uuid`, at)}`;

/**
 * The gate of a read of one content: the content, its patient and owner, whether the viewer may
 * see it by the rule, and else under an emergency grant (which one).
 */
export const contentGateSql = (who: TWho & { userId: string }, contentId: string, at: Date, patientId?: string) => Prisma.sql`
  SELECT c.id, c.patient_id, c.owner_facility_id,
         "chiikilink_content_visible"(c.owner_link_id, c.restriction, c.category, c.is_deleted, a.own_links, a.basic_links, a.clinical_links) AS visible,
         CASE WHEN "chiikilink_emergency_visible"(c.owner_link_id, c.restriction, c.category, c.is_deleted, c.occurred_date, c.id, e.links, e.window_from, e.extra)
              THEN e.grant_id::text END AS em_grant
    FROM "clinical_contents" c
   CROSS JOIN LATERAL ${patientAccess(whoSql(who), Prisma.sql`c.patient_id`, at)} a
   ${emergencyAccess(who.userId, whoSql(who), Prisma.sql`c.patient_id`, at)}
   WHERE c.id = ${contentId}::uuid${patientId ? Prisma.sql` AND c.patient_id = ${patientId}::uuid` : Prisma.empty}`;

/**
 * One patient's contents the viewer may see, as a relation (link ids from the gate): by the rule,
 * or under the emergency grant in force (only then is its test added: the hot reads' plans stay as they were).
 */
export const contentsRelation = (patientId: string, access: TAccessLinks) => {
  const visible = Prisma.sql`"chiikilink_content_visible"(c.owner_link_id, c.restriction, c.category, c.is_deleted,
                                      ${access.own_links}::uuid[], ${access.basic_links}::uuid[], ${access.clinical_links}::uuid[])`;
  const em = access.emergency;
  return Prisma.sql`(
  SELECT c.* FROM "clinical_contents" c
   WHERE c.patient_id = ${patientId}::uuid
     AND ${
       em
         ? Prisma.sql`(${visible} OR "chiikilink_emergency_visible"(c.owner_link_id, c.restriction, c.category, c.is_deleted, c.occurred_date, c.id,
                                        ${em.links}::uuid[], ${em.windowFrom}::date, ${em.extra}::uuid[]))`
         : visible
     })`;
};

const administersExpr = (who: TWho, patient: Prisma.Sql) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "chiikilink_administrable_patients"(${who.facilityId}::uuid, ${rolesOf(who)}) a WHERE a.patient_id = ${patient})`;
const seesExpr = (who: TWhoSql, patient: Prisma.Sql, at: Date) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "chiikilink_visible_patients"(${who.facility}, ${who.roles}, ${at}::timestamptz) v WHERE v.patient_id = ${patient})`;

/** Patients the viewer may see, as a relation, with `administers` (whether the viewer also manages the registration). */
export const visiblePatientsRelation = (who: TWho, at: Date) => Prisma.sql`(
  SELECT p.*, true AS sees, ${administersExpr(who, Prisma.sql`p.id`)} AS administers
    FROM "patients" p WHERE ${seesExpr(whoSql(who), Prisma.sql`p.id`, at)})`;

/** Every registered patient, as a relation, with `sees` and `administers` for the viewer. */
export const registryRelation = (who: TWho, at: Date) => Prisma.sql`(
  SELECT p.*, ${seesExpr(whoSql(who), Prisma.sql`p.id`, at)} AS sees, ${administersExpr(who, Prisma.sql`p.id`)} AS administers
    FROM "patients" p)`;

/**
 * One facility's active links with their patients, as a relation: the link's columns (link_id,
 * facility_patient_id, publication_state, share_basic, share_clinical), whether the consent in
 * force covers the link, and whether the viewer may open the patient (sees or administers).
 */
export const facilityPatientsRelation = (who: TWho, facilityId: string, at: Date) => Prisma.sql`(
  SELECT p.*, l.id AS link_id, l.facility_patient_id, l.publication_state, l.share_basic, l.share_clinical,
         EXISTS (SELECT 1 FROM "chiikilink_consented_links"(${at}::timestamptz) c WHERE c.link_id = l.id) AS consent_in_force,
         (${seesExpr(whoSql(who), Prisma.sql`p.id`, at)} OR ${administersExpr(who, Prisma.sql`p.id`)}) AS opens
    FROM "facility_patient_links" l JOIN "patients" p ON p.id = l.patient_id
   WHERE l.facility_id = ${facilityId}::uuid AND l.unlinked_at IS NULL)`;

/** Any patient, as a relation (a notice the viewer received names it; the caller has checked the notice is theirs). */
export const anyPatientRelation = () => Prisma.sql`"patients"`;

/** Links of one patient through which their facility views it at `at`, with the start of the consent period in force. */
export const viewingLinksSql = (patientId: string, at: Date) => Prisma.sql`
  SELECT v.link_id, v.facility_id,
         (SELECT max(c.valid_from) FROM "chiikilink_consented_links"(${at}::timestamptz) c WHERE c.link_id = v.link_id) AS consent_from
    FROM "chiikilink_viewing_links"(${at}::timestamptz) v
   WHERE v.patient_id = ${patientId}::uuid`;

/** Which of some links the consent in force covers at `at`. */
export const consentedLinksSql = (linkIds: readonly string[], at: Date) => Prisma.sql`
  SELECT l.id::text AS id FROM unnest(${[...linkIds]}::uuid[]) AS l(id)
   WHERE EXISTS (SELECT 1 FROM "chiikilink_consented_links"(${at}::timestamptz) c WHERE c.link_id = l.id)`;

/** Whether the consent in force at `at` covers the link whose id is the expression `link`. */
export const consentCoversSql = (link: Prisma.Sql, at: Date) => Prisma.sql`EXISTS (SELECT 1 FROM "chiikilink_consented_links"(${at}::timestamptz) c WHERE c.link_id = ${link})`;

/** The link, if it shares 診療情報 with the patient's other facilities at `at`. */
export const sharingLinkSql = (linkId: string, at: Date) => Prisma.sql`
  SELECT s.link_id::text AS id FROM "chiikilink_sharing_links"(${at}::timestamptz) s WHERE s.link_id = ${linkId}::uuid AND s.shares_clinical`;

/** The patient, if it exists (a refusal names it in the log: a pattern of guesses shows). */
export const existingPatientSql = (patientId: string) => Prisma.sql`SELECT id::text AS id FROM "patients" WHERE id = ${patientId}::uuid`;

/** The user, if active and the rule lets them see the patient at `at`. */
export const userSeesPatientSql = (userId: string, patientId: string, at: Date) => Prisma.sql`
  SELECT u.id::text AS id FROM "staff_users" u
   WHERE u.id = ${userId}::uuid AND NOT u.is_retired AND ${seesExpr(STAFF_ROW, Prisma.sql`${patientId}::uuid`, at)}`;

/** Active users who may see the patient at `at` (the care team's candidates), by facility code and kana. */
export const usersSeeingSql = (patientId: string, at: Date, limit: number) => Prisma.sql`
  SELECT u.id::text AS id FROM "staff_users" u JOIN "facilities" f ON f.id = u.facility_id
   WHERE NOT u.is_retired AND ${seesExpr(STAFF_ROW, Prisma.sql`${patientId}::uuid`, at)}
   ORDER BY f.code, u.name_kana, u.id
   LIMIT ${limit}`;

/** Of some users, those who may see one content at `at` (and are not retired). */
export const usersSeeingContentSql = (contentId: string, userIds: readonly string[], at: Date) => Prisma.sql`
  SELECT u.id::text AS id FROM "staff_users" u
   CROSS JOIN "clinical_contents" c
   CROSS JOIN LATERAL ${patientAccess(STAFF_ROW, Prisma.sql`c.patient_id`, at)} a
   WHERE u.id = ANY (${[...userIds]}::uuid[]) AND NOT u.is_retired AND c.id = ${contentId}::uuid
     AND "chiikilink_content_visible"(c.owner_link_id, c.restriction, c.category, c.is_deleted, a.own_links, a.basic_links, a.clinical_links)`;
