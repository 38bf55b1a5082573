-- One gateway for every read of patient data (ADR 0015). The visibility rule (design.md rule 3,
-- ADR 0006) written once for the database, as SQL functions that lib/access alone calls: the
-- planner inlines them (LANGUAGE sql, STABLE or IMMUTABLE, one SELECT), so a caller's query runs
-- as if the rule were written into it, on the same indexes. lib/access/oracle.ts keeps the same
-- rule as pure TypeScript, for the tests only.

-- Identity reads are logged as what they are: the patients a list showed (bookmarks, recently
-- viewed, notices that name a patient) and the candidates of a registration's duplicate check.
ALTER TYPE "AccessType" ADD VALUE 'IDENTITY_LIST';
ALTER TYPE "AccessType" ADD VALUE 'DUPLICATE_CHECK';

-- Data in: the terminal (certificate serial) and the request that sent or fetched each item.
ALTER TABLE "clinical_contents" ADD COLUMN "received_cert_serial" VARCHAR(64);
ALTER TABLE "clinical_contents" ADD COLUMN "received_request_id" VARCHAR(64);

-- A system notice that names a patient (seed 004 ④, EMS) says which, so opening it is logged.
ALTER TABLE "secure_messages" ADD COLUMN "patient_id" UUID;

/* ---- the rule ---- */

-- Roles that read patient records (clinicians, liaison staff). Administrators and the
-- secretariat handle registrations, not records.
CREATE FUNCTION "chiikilink_reads_records"(roles TEXT[]) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT roles && ARRAY['CLINICIAN', 'LIAISON']::TEXT[]
$$;

-- Roles that register patients, link facility IDs and record consent (identifying fields only).
CREATE FUNCTION "chiikilink_registers_patients"(roles TEXT[]) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT roles && ARRAY['LIAISON', 'SECRETARIAT']::TEXT[]
$$;

-- A consent period (link_consent_periods, half-open) covers the instant t.
CREATE FUNCTION "chiikilink_covers"(valid_from TIMESTAMPTZ, valid_to TIMESTAMPTZ, t TIMESTAMPTZ) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT valid_from <= t AND (valid_to IS NULL OR valid_to > t)
$$;

-- The consent periods in force at t, by link: the consent covers that link's facility.
CREATE FUNCTION "chiikilink_consented_links"(t TIMESTAMPTZ)
RETURNS TABLE (link_id UUID, valid_from TIMESTAMPTZ)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT c.link_id, c.valid_from FROM "link_consent_periods" c WHERE "chiikilink_covers"(c.valid_from, c.valid_to, t)
$$;

-- Links through which their facility views its patient at t: active, 公開 or 閲覧のみ, and
-- covered by the consent in force.
CREATE FUNCTION "chiikilink_viewing_links"(t TIMESTAMPTZ)
RETURNS TABLE (link_id UUID, patient_id UUID, facility_id UUID)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT l.id, l.patient_id, l.facility_id
    FROM "facility_patient_links" l
   WHERE l.unlinked_at IS NULL
     AND l.publication_state IN ('PUBLISHED', 'VIEW_ONLY')
     AND EXISTS (SELECT 1 FROM "chiikilink_consented_links"(t) c WHERE c.link_id = l.id)
$$;

-- Links through which their facility shares its data about the patient at t: active, 公開 and
-- covered by the consent in force; with the scope it shares (基本情報, 診療情報).
CREATE FUNCTION "chiikilink_sharing_links"(t TIMESTAMPTZ)
RETURNS TABLE (link_id UUID, patient_id UUID, facility_id UUID, shares_basic BOOLEAN, shares_clinical BOOLEAN)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT l.id, l.patient_id, l.facility_id, l.share_basic, l.share_clinical
    FROM "facility_patient_links" l
   WHERE l.unlinked_at IS NULL
     AND l.publication_state = 'PUBLISHED'
     AND EXISTS (SELECT 1 FROM "chiikilink_consented_links"(t) c WHERE c.link_id = l.id)
$$;

-- Patients that staff of facility f holding `roles` may see at t (search results, bookmarks…).
CREATE FUNCTION "chiikilink_visible_patients"(f UUID, roles TEXT[], t TIMESTAMPTZ)
RETURNS TABLE (patient_id UUID)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT v.patient_id FROM "chiikilink_viewing_links"(t) v WHERE v.facility_id = f AND "chiikilink_reads_records"(roles)
$$;

-- Patients whose registration (personal information, links, consent) staff of facility f holding
-- `roles` manage: the secretariat any; liaison staff those their facility registered or links.
CREATE FUNCTION "chiikilink_administrable_patients"(f UUID, roles TEXT[])
RETURNS TABLE (patient_id UUID)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT p.id FROM "patients" p WHERE 'SECRETARIAT' = ANY (roles)
  UNION ALL
  SELECT p.id FROM "patients" p
   WHERE 'LIAISON' = ANY (roles) AND NOT 'SECRETARIAT' = ANY (roles)
     AND (p.created_by_facility_id = f
          OR EXISTS (SELECT 1 FROM "facility_patient_links" l WHERE l.patient_id = p.id AND l.facility_id = f AND l.unlinked_at IS NULL))
$$;

-- What staff of facility f holding `roles` may do with patient p at t, decided once:
--   sees_patient   see the patient at all (a viewing link of f, consent covering f; a record-reading role)
--   administers    manage its registration (identifying fields, links, consent)
--   reports        see who viewed its data (the secretariat; a facility's admins where f links it)
--   own_links      f's own active links: its own data about its own patient, whatever the consent
--   basic_links    other facilities' links whose 基本情報 f may see (only when sees_patient)
--   clinical_links other facilities' links whose 診療情報 f may see (only when sees_patient)
-- The one place where EMS and disaster access will join the rule, as another way to sees_patient.
CREATE FUNCTION "chiikilink_patient_access"(f UUID, roles TEXT[], p UUID, t TIMESTAMPTZ)
RETURNS TABLE (sees_patient BOOLEAN, administers BOOLEAN, reports BOOLEAN, own_links UUID[], basic_links UUID[], clinical_links UUID[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT s.sees,
         EXISTS (SELECT 1 FROM "chiikilink_administrable_patients"(f, roles) a WHERE a.patient_id = p),
         'SECRETARIAT' = ANY (roles)
           OR ('FACILITY_ADMIN' = ANY (roles)
               AND EXISTS (SELECT 1 FROM "facility_patient_links" l WHERE l.patient_id = p AND l.facility_id = f AND l.unlinked_at IS NULL)),
         ARRAY(SELECT l.id FROM "facility_patient_links" l
                WHERE "chiikilink_reads_records"(roles) AND l.patient_id = p AND l.facility_id = f AND l.unlinked_at IS NULL),
         ARRAY(SELECT o.link_id FROM "chiikilink_sharing_links"(t) o
                WHERE s.sees AND o.patient_id = p AND o.facility_id <> f AND o.shares_basic ORDER BY o.link_id),
         ARRAY(SELECT o.link_id FROM "chiikilink_sharing_links"(t) o
                WHERE s.sees AND o.patient_id = p AND o.facility_id <> f AND o.shares_clinical ORDER BY o.link_id)
    FROM (SELECT EXISTS (SELECT 1 FROM "chiikilink_visible_patients"(f, roles, t) v WHERE v.patient_id = p) AS sees) s
$$;

-- May a content with these columns be seen by one whose access to its patient is (own, basic,
-- clinical) from chiikilink_patient_access? Its owner's own staff always (unless withdrawn);
-- others when the owner did not restrict it to its own staff and shares its kind: PATIENT_INFO
-- (the facility's demographics) is 基本情報, every other category 診療情報.
-- A CASE, so the planner reads a patient's window through its (patient, date) index and tests
-- each row, instead of walking the owner links' index.
CREATE FUNCTION "chiikilink_content_visible"(
  owner_link UUID, restriction "ContentRestriction", category "ContentCategory", is_deleted BOOLEAN, own UUID[], basic UUID[], clinical UUID[]
) RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT NOT is_deleted AND CASE
    WHEN owner_link = ANY (own) THEN true
    WHEN restriction = 'NONE' THEN owner_link = ANY (CASE WHEN category = 'PATIENT_INFO' THEN basic ELSE clinical END)
    ELSE false
  END
$$;

/* ---- the log's insert, on every read ---- */

-- The chain's head also keeps the hash before the last, so that one UPDATE advances it and returns
-- all a new row needs (the previous hash, its sequence number, its own hash): one statement per
-- row instead of three (insert-if-missing, lock, update). The hashes are the same as before (ADR 0010).
ALTER TABLE "access_log_chain_heads" ADD COLUMN "prev_hash" BYTEA;

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
                      NEW.patient_id, NEW.owner_facility_id, NEW.content_id, NEW.is_emergency, NEW.detail, NEW.request_id, h."seq" + 1)
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
