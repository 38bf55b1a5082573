-- The calendar's reads, each logged (design.md rule 4).
ALTER TYPE "AccessType" ADD VALUE 'CALENDAR_VIEW';
ALTER TYPE "AccessType" ADD VALUE 'TAB_VIEW';
ALTER TYPE "AccessType" ADD VALUE 'LAB_TREND';
ALTER TYPE "AccessType" ADD VALUE 'FILE_VIEW';
ALTER TYPE "AccessType" ADD VALUE 'FILE_DOWNLOAD';

-- The access log becomes a table partitioned by month (Japan time: the monthly CSV's month is a
-- partition), so a month is exported, verified and archived as one unit and old months can be
-- detached without touching the current one. The rows written so far move across unchanged.
ALTER TABLE "access_logs" RENAME TO "access_logs_unpartitioned";
ALTER TABLE "access_logs_unpartitioned" RENAME CONSTRAINT "access_logs_pkey" TO "access_logs_unpartitioned_pkey";
DROP INDEX "access_logs_facility_id_at_idx";
DROP INDEX "access_logs_patient_id_at_idx";
DROP INDEX "access_logs_user_id_at_idx";

CREATE TABLE "access_logs" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "cert_serial" VARCHAR(64),
    "access_type" "AccessType" NOT NULL,
    "patient_id" UUID,
    "owner_facility_id" UUID,
    "content_id" VARCHAR(64),
    "is_emergency" BOOLEAN NOT NULL DEFAULT false,
    "detail" VARCHAR(500),
    "request_id" VARCHAR(64),

    CONSTRAINT "access_logs_pkey" PRIMARY KEY ("id","at")
) PARTITION BY RANGE ("at");

-- CreateIndex
CREATE INDEX "access_logs_facility_id_at_idx" ON "access_logs"("facility_id", "at");

-- CreateIndex
CREATE INDEX "access_logs_patient_id_at_idx" ON "access_logs"("patient_id", "at");

-- CreateIndex
CREATE INDEX "access_logs_user_id_at_idx" ON "access_logs"("user_id", "at");

-- CreateIndex
CREATE INDEX "access_logs_owner_facility_id_at_idx" ON "access_logs"("owner_facility_id", "at");

-- A row whose month has no partition yet is never lost: it lands here (the app creates the
-- partitions ahead, see ensureAccessLogPartitions in lib/audit/mutations.ts, so this stays empty in normal operation).
CREATE TABLE "access_logs_default" PARTITION OF "access_logs" DEFAULT;

-- Creates the monthly partitions access_logs_yYYYYmMM covering [first, last] (Japan-time months).
-- A month whose rows already sit in the default partition is left there (moving them would need
-- a DELETE, which the append-only trigger refuses); they stay readable and exportable.
CREATE FUNCTION "chiikilink_ensure_access_log_partitions"(first_month DATE, last_month DATE) RETURNS INTEGER
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
      created := created + 1;
    END IF;
    m := (m + INTERVAL '1 month')::date;
  END LOOP;
  RETURN created;
END;
$$;

SELECT "chiikilink_ensure_access_log_partitions"(
  COALESCE((SELECT min("at" AT TIME ZONE 'Asia/Tokyo')::date FROM "access_logs_unpartitioned"), (now() AT TIME ZONE 'Asia/Tokyo')::date),
  ((now() AT TIME ZONE 'Asia/Tokyo') + INTERVAL '3 months')::date
);

INSERT INTO "access_logs" ("id", "at", "user_id", "facility_id", "cert_serial", "access_type", "patient_id", "owner_facility_id", "content_id", "is_emergency", "detail")
SELECT "id", "at", "user_id", "facility_id", "cert_serial", "access_type", "patient_id", "owner_facility_id", "content_id", "is_emergency", "detail"
FROM "access_logs_unpartitioned";

DROP TABLE "access_logs_unpartitioned";

-- Append-only: the row trigger on the partitioned table applies to every partition, present and future.
CREATE TRIGGER "access_logs_append_only" BEFORE UPDATE OR DELETE ON "access_logs"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_refuse_change"();
