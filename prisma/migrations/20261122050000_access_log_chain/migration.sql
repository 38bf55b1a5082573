-- Exports and verifications of the access log are themselves logged.
ALTER TYPE "AccessType" ADD VALUE 'ACCESS_LOG_EXPORT';
ALTER TYPE "AccessType" ADD VALUE 'ACCESS_LOG_VERIFY';

-- Tamper evidence: each row carries the hash of its content chained to the previous row of the
-- same facility in the same month (a partition holds one chain per facility, so facilities do not
-- wait on each other). A changed row breaks its own hash; a removed or inserted row breaks the
-- sequence and the next row's link. The chain head (last seq and hash) is kept per facility-month.
-- (The defaults only stand in until the insert trigger sets the real values.)
ALTER TABLE "access_logs" ADD COLUMN "chain_seq" BIGINT DEFAULT 0;
ALTER TABLE "access_logs" ADD COLUMN "prev_hash" BYTEA DEFAULT '\x';
ALTER TABLE "access_logs" ADD COLUMN "row_hash" BYTEA DEFAULT '\x';

CREATE TABLE "access_log_chain_heads" (
    "month" DATE NOT NULL,
    "facility_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "access_log_chain_heads_pkey" PRIMARY KEY ("month","facility_id")
);

CREATE INDEX "access_logs_facility_id_chain_seq_idx" ON "access_logs"("facility_id", "chain_seq");

-- The text a row's hash covers: every column but the chain's hashes, in a fixed order, NULL as \N.
-- (Columns, not the row type: a trigger on a partition sees the partition's own row type.)
CREATE FUNCTION "chiikilink_access_log_text"(
  id UUID, at TIMESTAMPTZ, user_id UUID, facility_id UUID, cert_serial TEXT, access_type TEXT, patient_id UUID,
  owner_facility_id UUID, content_id TEXT, is_emergency BOOLEAN, detail TEXT, request_id TEXT, chain_seq BIGINT
) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|',
    id::text,
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    user_id::text,
    facility_id::text,
    coalesce(replace(cert_serial, '\', '\\'), '\N'),
    access_type,
    coalesce(patient_id::text, '\N'),
    coalesce(owner_facility_id::text, '\N'),
    coalesce(replace(content_id, '\', '\\'), '\N'),
    is_emergency::text,
    coalesce(replace(detail, '\', '\\'), '\N'),
    coalesce(replace(request_id, '\', '\\'), '\N'),
    chain_seq::text)
$$;

-- The hash of a row given the previous row's hash.
CREATE FUNCTION "chiikilink_access_log_hash"(
  prev BYTEA, id UUID, at TIMESTAMPTZ, user_id UUID, facility_id UUID, cert_serial TEXT, access_type TEXT, patient_id UUID,
  owner_facility_id UUID, content_id TEXT, is_emergency BOOLEAN, detail TEXT, request_id TEXT, chain_seq BIGINT
) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(prev || convert_to("chiikilink_access_log_text"(id, at, user_id, facility_id, cert_serial, access_type, patient_id,
    owner_facility_id, content_id, is_emergency, detail, request_id, chain_seq), 'UTF8'))
$$;

-- The first link of a facility's chain in a month.
CREATE FUNCTION "chiikilink_access_log_genesis"(month DATE, facility_id UUID) RETURNS BYTEA
LANGUAGE sql IMMUTABLE AS $$
  SELECT sha256(convert_to('chiikilink access log ' || to_char(month, 'YYYY-MM') || ' ' || facility_id::text, 'UTF8'))
$$;

CREATE FUNCTION "chiikilink_access_log_month"(at TIMESTAMPTZ) RETURNS DATE
LANGUAGE sql IMMUTABLE AS $$
  SELECT date_trunc('month', at AT TIME ZONE 'Asia/Tokyo')::date
$$;

CREATE FUNCTION "chiikilink_chain_access_log"() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
DECLARE
  m DATE := "chiikilink_access_log_month"(NEW.at);
  head RECORD;
BEGIN
  INSERT INTO "access_log_chain_heads" ("month", "facility_id", "seq", "hash")
  VALUES (m, NEW.facility_id, 0, "chiikilink_access_log_genesis"(m, NEW.facility_id))
  ON CONFLICT DO NOTHING;
  SELECT "seq", "hash" INTO head FROM "access_log_chain_heads" WHERE "month" = m AND "facility_id" = NEW.facility_id FOR UPDATE;
  NEW.chain_seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.row_hash := "chiikilink_access_log_hash"(head.hash, NEW.id, NEW.at, NEW.user_id, NEW.facility_id, NEW.cert_serial, NEW.access_type::text,
    NEW.patient_id, NEW.owner_facility_id, NEW.content_id, NEW.is_emergency, NEW.detail, NEW.request_id, NEW.chain_seq);
  UPDATE "access_log_chain_heads" SET "seq" = NEW.chain_seq, "hash" = NEW.row_hash WHERE "month" = m AND "facility_id" = NEW.facility_id;
  RETURN NEW;
END;
$$;

-- The rows written so far join their chains in the order they were written.
ALTER TABLE "access_logs" DISABLE TRIGGER "access_logs_append_only";
DO $$
DECLARE
  r RECORD;
  m DATE;
  head RECORD;
BEGIN
  FOR r IN SELECT * FROM "access_logs" ORDER BY "at", "id" LOOP
    m := "chiikilink_access_log_month"(r.at);
    INSERT INTO "access_log_chain_heads" VALUES (m, r.facility_id, 0, "chiikilink_access_log_genesis"(m, r.facility_id)) ON CONFLICT DO NOTHING;
    SELECT "seq", "hash" INTO head FROM "access_log_chain_heads" WHERE "month" = m AND "facility_id" = r.facility_id;
    r.chain_seq := head.seq + 1;
    r.prev_hash := head.hash;
    r.row_hash := "chiikilink_access_log_hash"(head.hash, r.id, r.at, r.user_id, r.facility_id, r.cert_serial, r.access_type::text,
      r.patient_id, r.owner_facility_id, r.content_id, r.is_emergency, r.detail, r.request_id, r.chain_seq);
    UPDATE "access_logs" SET "chain_seq" = r.chain_seq, "prev_hash" = r.prev_hash, "row_hash" = r.row_hash WHERE "id" = r.id AND "at" = r.at;
    UPDATE "access_log_chain_heads" SET "seq" = r.chain_seq, "hash" = r.row_hash WHERE "month" = m AND "facility_id" = r.facility_id;
  END LOOP;
END $$;
ALTER TABLE "access_logs" ENABLE TRIGGER "access_logs_append_only";

ALTER TABLE "access_logs" ALTER COLUMN "chain_seq" SET NOT NULL;
ALTER TABLE "access_logs" ALTER COLUMN "prev_hash" SET NOT NULL;
ALTER TABLE "access_logs" ALTER COLUMN "row_hash" SET NOT NULL;

CREATE TRIGGER "access_logs_chain" BEFORE INSERT ON "access_logs"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_chain_access_log"();

-- TRUNCATE is no row change, so the row trigger does not see it: refuse it on the log and on
-- every partition (the partition function adds the trigger to the partitions it creates).
CREATE FUNCTION "chiikilink_refuse_truncate"() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "access_logs_no_truncate" BEFORE TRUNCATE ON "access_logs" FOR EACH STATEMENT EXECUTE FUNCTION "chiikilink_refuse_truncate"();
DO $$
DECLARE p TEXT;
BEGIN
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"access_logs"'::regclass LOOP
    EXECUTE format('CREATE TRIGGER "access_logs_no_truncate" BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "chiikilink_refuse_truncate"()', p);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION "chiikilink_ensure_access_log_partitions"(first_month DATE, last_month DATE) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  m DATE := date_trunc('month', first_month)::date;
  lo TIMESTAMPTZ;
  hi TIMESTAMPTZ;
  name TEXT;
  created INTEGER := 0;
BEGIN
  WHILE m <= last_month LOOP
    name := format('access_logs_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
    lo := (m::timestamp AT TIME ZONE 'Asia/Tokyo');
    hi := ((m + INTERVAL '1 month')::timestamp AT TIME ZONE 'Asia/Tokyo');
    IF to_regclass(format('%I', name)) IS NULL
       AND NOT EXISTS (SELECT 1 FROM "access_logs_default" WHERE "at" >= lo AND "at" < hi) THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF "access_logs" FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
      EXECUTE format('CREATE TRIGGER "access_logs_no_truncate" BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "chiikilink_refuse_truncate"()', name);
      created := created + 1;
    END IF;
    m := (m + INTERVAL '1 month')::date;
  END LOOP;
  RETURN created;
END;
$$;

-- Nobody changes the log through ordinary privileges either (the triggers above hold even for
-- the table's owner; a superuser can still switch triggers off, which the hash chain shows).
REVOKE UPDATE, DELETE, TRUNCATE ON "access_logs" FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON "access_log_chain_heads" FROM PUBLIC;
