-- Emergency access (issue 16, C8; docs/decisions/0019-emergency-access.md): EMS by a facility's
-- patient ID, core hospitals, and disaster declarations, as one more branch of the visibility rule.
-- A grant opens one patient's recent records to one user for a time; every read under it is
-- logged with the emergency flag and the grant's id.

-- AlterEnum
ALTER TYPE "AccessType" ADD VALUE 'EMS_LOOKUP';
ALTER TYPE "AccessType" ADD VALUE 'EMS_SEARCH';
ALTER TYPE "AccessType" ADD VALUE 'EMERGENCY_GRANT';

-- CreateEnum
CREATE TYPE "EmergencyBasis" AS ENUM ('EMS', 'CORE_HOSPITAL', 'DISASTER');
CREATE TYPE "EmergencyReason" AS ENUM ('EMERGENCY_TRANSPORT', 'NO_REFERRAL', 'DISASTER', 'OTHER');
CREATE TYPE "EmergencyConsent" AS ENUM ('WRITTEN_PATIENT', 'ORAL_PATIENT', 'ORAL_FAMILY', 'UNABLE_UNCONSCIOUS', 'AFTER_THE_FACT', 'NOT_REQUIRED_CORE');
CREATE TYPE "EmergencyReviewOutcome" AS ENUM ('APPROPRIATE', 'FOLLOW_UP', 'INAPPROPRIATE');

-- AlterTable
ALTER TABLE "facilities" ADD COLUMN "ems_allowed" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "access_logs" ADD COLUMN "emergency_grant_id" UUID;

-- CreateTable
CREATE TABLE "emergency_grants" (
    "id" UUID NOT NULL,
    "viewer_id" UUID NOT NULL,
    "viewer_facility_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "disclosing_facility_id" UUID,
    "facility_patient_id" VARCHAR(20),
    "basis" "EmergencyBasis" NOT NULL,
    "disaster_id" UUID,
    "reason" "EmergencyReason" NOT NULL,
    "reason_text" VARCHAR(500) NOT NULL,
    "consent" "EmergencyConsent" NOT NULL,
    "consent_confirmed_by" VARCHAR(100),
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "ended_by_id" UUID,
    "window_from" DATE NOT NULL,
    "notice_message_id" UUID,
    "review_due_at" TIMESTAMPTZ(3) NOT NULL,
    "reviewed_at" TIMESTAMPTZ(3),
    "reviewed_by_id" UUID,
    "review_outcome" "EmergencyReviewOutcome",
    "review_note" VARCHAR(1000),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "emergency_grants_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "emergency_grants_period" CHECK ("ends_at" > "starts_at"),
    CONSTRAINT "emergency_grants_disaster" CHECK (("basis" = 'DISASTER') = ("disaster_id" IS NOT NULL))
);

CREATE INDEX "emergency_grants_viewer_id_patient_id_ends_at_idx" ON "emergency_grants"("viewer_id", "patient_id", "ends_at");
CREATE INDEX "emergency_grants_reviewed_at_review_due_at_idx" ON "emergency_grants"("reviewed_at", "review_due_at");
CREATE INDEX "emergency_grants_viewer_facility_id_starts_at_idx" ON "emergency_grants"("viewer_facility_id", "starts_at");
CREATE INDEX "emergency_grants_disclosing_facility_id_starts_at_idx" ON "emergency_grants"("disclosing_facility_id", "starts_at");

CREATE TABLE "disaster_declarations" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "areas" VARCHAR(50)[],
    "viewer_facility_ids" UUID[],
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "skip_notice" BOOLEAN NOT NULL DEFAULT true,
    "consent_after_fact" BOOLEAN NOT NULL DEFAULT true,
    "overrides_withdrawal" BOOLEAN NOT NULL DEFAULT false,
    "note" VARCHAR(1000),
    "declared_by_id" UUID NOT NULL,
    "declared_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by_id" UUID,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "disaster_declarations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "disaster_declarations_period" CHECK ("ends_at" > "starts_at"),
    CONSTRAINT "disaster_declarations_areas" CHECK (cardinality("areas") > 0)
);

CREATE INDEX "disaster_declarations_starts_at_ends_at_idx" ON "disaster_declarations"("starts_at", "ends_at");

/* ---- the rule's emergency branch ---- */

-- The patient withdrew from sharing (患者情報利用停止): a comprehensive withdrawal in effect at t,
-- with no consent given after it. (A withdrawal for some facilities only narrows the consent.)
CREATE FUNCTION "chiikilink_withdrawn"(p UUID, t TIMESTAMPTZ) RETURNS BOOLEAN
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT EXISTS (
    SELECT 1 FROM "consent_events" w
     WHERE w.patient_id = p AND w.action = 'WITHDRAW' AND w.scope = 'COMPREHENSIVE' AND w.effective_at <= t
       AND NOT EXISTS (SELECT 1 FROM "consent_events" g
                        WHERE g.patient_id = p AND g.action = 'GRANT' AND g.effective_at <= t
                          AND (g.effective_at, g.recorded_at) > (w.effective_at, w.recorded_at)))
$$;

-- Disaster declarations in force at t that allow staff of facility f to open patient p: the
-- patient's address names one of the areas, and the declaration names f or every facility.
CREATE FUNCTION "chiikilink_disasters"(f UUID, p UUID, t TIMESTAMPTZ)
RETURNS TABLE (id UUID, overrides_withdrawal BOOLEAN, skip_notice BOOLEAN, consent_after_fact BOOLEAN)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT d.id, d.overrides_withdrawal, d.skip_notice, d.consent_after_fact
    FROM "disaster_declarations" d JOIN "patients" pt ON pt.id = p
   WHERE d.starts_at <= t AND d.ends_at > t AND (d.closed_at IS NULL OR d.closed_at > t)
     AND (cardinality(d.viewer_facility_ids) IS NULL OR cardinality(d.viewer_facility_ids) = 0 OR f = ANY (d.viewer_facility_ids))
     AND EXISTS (SELECT 1 FROM unnest(d.areas) a WHERE a <> '' AND position(a IN coalesce(pt.address, '')) > 0)
$$;

-- The grounds on which an EMS-privileged user of facility f may open patient p's records held by
-- other facilities at t, in an emergency: one row per ground and disclosing link.
--   EMS            f is allowed EMS; the disclosing link shares 診療情報 under the patient's consent
--   CORE_HOSPITAL  f is a core hospital: any active link of a disclosing facility, without consent registration
--   DISASTER       a declaration in force covers f and the patient's area: any active disclosing link
-- A patient who withdrew from sharing is opened only by a declaration that says so.
CREATE FUNCTION "chiikilink_emergency_grounds"(f UUID, p UUID, t TIMESTAMPTZ)
RETURNS TABLE (basis TEXT, disaster_id UUID, link_id UUID, facility_id UUID)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  WITH cand AS (
    SELECT l.id, l.facility_id FROM "facility_patient_links" l JOIN "facilities" df ON df.id = l.facility_id
     WHERE l.patient_id = p AND l.unlinked_at IS NULL AND l.facility_id <> f AND df.is_disclosing AND df.is_active
  ), vf AS (
    SELECT v.ems_allowed, v.is_core_hospital FROM "facilities" v WHERE v.id = f AND v.is_active
  ), w AS (
    SELECT "chiikilink_withdrawn"(p, t) AS withdrawn
  )
  SELECT 'EMS', NULL::uuid, c.id, c.facility_id FROM cand c, vf, w
   WHERE vf.ems_allowed AND NOT w.withdrawn
     AND EXISTS (SELECT 1 FROM "chiikilink_sharing_links"(t) s WHERE s.link_id = c.id AND s.shares_clinical)
  UNION ALL
  SELECT 'CORE_HOSPITAL', NULL::uuid, c.id, c.facility_id FROM cand c, vf, w
   WHERE vf.is_core_hospital AND NOT w.withdrawn
  UNION ALL
  SELECT 'DISASTER', d.id, c.id, c.facility_id FROM cand c, w, "chiikilink_disasters"(f, p, t) d
   WHERE NOT w.withdrawn OR d.overrides_withdrawal
$$;

-- User u's (of facility f) emergency access to patient p at t: the grant in force, the disclosing
-- links it opens (its ground must still hold: the privilege, the facility's permission, the
-- declaration, the patient's consent), the first care date it shows of prescriptions, injections
-- and labs, and each opened facility's latest discharge summary.
CREATE FUNCTION "chiikilink_emergency_access"(u UUID, f UUID, roles TEXT[], p UUID, t TIMESTAMPTZ)
RETURNS TABLE (grant_id UUID, links UUID[], window_from DATE, extra UUID[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT g.id, x.links, g.window_from,
         ARRAY(SELECT DISTINCT ON (c.owner_link_id) c.id FROM "clinical_contents" c
                WHERE c.patient_id = p AND c.owner_link_id = ANY (x.links) AND c.category IN ('DOCUMENT', 'REPORT')
                  AND NOT c.is_deleted AND c.restriction = 'NONE' AND c.title LIKE '%退院%サマリ%'
                ORDER BY c.owner_link_id, c.occurred_at DESC, c.id)
    FROM "emergency_grants" g
    JOIN "staff_users" su ON su.id = g.viewer_id AND su.has_ems_privilege AND NOT su.is_retired
   CROSS JOIN LATERAL (
     SELECT ARRAY(SELECT DISTINCT gr.link_id FROM "chiikilink_emergency_grounds"(f, p, t) gr
                   WHERE gr.basis = g.basis::text AND gr.disaster_id IS NOT DISTINCT FROM g.disaster_id
                     AND (g.disclosing_facility_id IS NULL OR gr.facility_id = g.disclosing_facility_id)
                   ORDER BY gr.link_id) AS links
   ) x
   WHERE g.viewer_id = u AND g.viewer_facility_id = f AND g.patient_id = p
     AND "chiikilink_reads_records"("chiikilink_emergency_access".roles) -- the parameter, not staff_users.roles
     AND g.starts_at <= t AND g.ends_at > t AND (g.ended_at IS NULL OR g.ended_at > t)
     AND cardinality(x.links) > 0
   ORDER BY g.starts_at DESC, g.id
   LIMIT 1
$$;

-- May a content be seen under an emergency grant (links, window_from, extra from
-- chiikilink_emergency_access)? Only what the disclosing facility shares with others (not
-- restricted to its own staff): its demographics, allergies and diagnoses; prescriptions,
-- injections and labs from window_from; the latest discharge summary.
CREATE FUNCTION "chiikilink_emergency_visible"(
  owner_link UUID, restriction "ContentRestriction", category "ContentCategory", is_deleted BOOLEAN, occurred_date DATE, id UUID,
  links UUID[], window_from DATE, extra UUID[]
) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT links IS NOT NULL AND NOT is_deleted AND restriction = 'NONE' AND owner_link = ANY (links) AND CASE
    WHEN category IN ('PATIENT_INFO', 'ALLERGY', 'DIAGNOSIS') THEN true
    WHEN category IN ('PRESCRIPTION_ORDER', 'PRESCRIPTION_DISPENSED', 'INJECTION_ORDER', 'INJECTION_ADMINISTERED', 'LAB') THEN occurred_date >= window_from
    ELSE id = ANY (extra)
  END
$$;

/* ---- the log: the grant a row was read under, covered by its hash ---- */

-- The hash of a row with its emergency grant: the text as before, then the grant's id when there
-- is one. Rows without a grant (every row before this migration) hash exactly as before.
CREATE FUNCTION "chiikilink_access_log_hash"(
  prev BYTEA, id UUID, at TIMESTAMPTZ, user_id UUID, facility_id UUID, cert_serial TEXT, access_type TEXT, patient_id UUID,
  owner_facility_id UUID, content_id TEXT, is_emergency BOOLEAN, detail TEXT, request_id TEXT, chain_seq BIGINT, emergency_grant_id UUID
) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(prev || convert_to("chiikilink_access_log_text"(id, at, user_id, facility_id, cert_serial, access_type, patient_id,
    owner_facility_id, content_id, is_emergency, detail, request_id, chain_seq)
    || coalesce('|' || emergency_grant_id::text, ''), 'UTF8'))
$$;

CREATE OR REPLACE FUNCTION "chiikilink_chain_access_log"() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  m DATE := "chiikilink_access_log_month"(NEW.at);
  head RECORD;
BEGIN
  FOR attempt IN 1..2 LOOP
    UPDATE "access_log_chain_heads" h
       SET "prev_hash" = h."hash",
           "seq" = h."seq" + 1,
           "hash" = "chiikilink_access_log_hash"(h."hash", NEW.id, NEW.at, NEW.user_id, NEW.facility_id, NEW.cert_serial, NEW.access_type::text,
                      NEW.patient_id, NEW.owner_facility_id, NEW.content_id, NEW.is_emergency, NEW.detail, NEW.request_id, h."seq" + 1,
                      NEW.emergency_grant_id)
     WHERE h."month" = m AND h."facility_id" = NEW.facility_id
    RETURNING h."seq", h."prev_hash", h."hash" INTO head;
    EXIT WHEN FOUND;
    -- the facility's first row of the month
    INSERT INTO "access_log_chain_heads" ("month", "facility_id", "seq", "hash")
    VALUES (m, NEW.facility_id, 0, "chiikilink_access_log_genesis"(m, NEW.facility_id))
    ON CONFLICT DO NOTHING;
  END LOOP;
  NEW.chain_seq := head.seq;
  NEW.prev_hash := head.prev_hash;
  NEW.row_hash := head.hash;
  RETURN NEW;
END;
$$;
