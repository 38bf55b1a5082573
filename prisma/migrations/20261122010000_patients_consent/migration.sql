-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('MALE', 'FEMALE', 'OTHER', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "PublicationState" AS ENUM ('PUBLISHED', 'VIEW_ONLY', 'UNPUBLISHED');

-- CreateEnum
CREATE TYPE "ConsentAction" AS ENUM ('GRANT', 'WITHDRAW');

-- CreateEnum
CREATE TYPE "ConsentScope" AS ENUM ('COMPREHENSIVE', 'FACILITIES');

-- CreateEnum
CREATE TYPE "ConsentMethod" AS ENUM ('WRITTEN', 'ORAL');

-- CreateEnum
CREATE TYPE "ConsentSigner" AS ENUM ('SELF', 'PROXY');

-- CreateEnum
CREATE TYPE "AccessType" AS ENUM ('PATIENT_SEARCH', 'REGISTRATION_SEARCH', 'PATIENT_VIEW', 'PATIENT_ADMIN_VIEW', 'CONSENT_SCAN_VIEW', 'OWN_PATIENT_LIST', 'DENIED');

-- CreateTable
CREATE TABLE "patients" (
    "id" UUID NOT NULL,
    "regional_id" VARCHAR(10) NOT NULL,
    "name_kanji" VARCHAR(100) NOT NULL,
    "name_kana" VARCHAR(200) NOT NULL,
    "kana_key" VARCHAR(200) NOT NULL,
    "kana_given_key" VARCHAR(200) NOT NULL,
    "sex" "Sex" NOT NULL,
    "birth_date" DATE NOT NULL,
    "postal_code" VARCHAR(8),
    "address" VARCHAR(200),
    "phone" VARCHAR(20),
    "mobile_phone" VARCHAR(20),
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "created_by_id" UUID,
    "created_by_facility_id" UUID,

    CONSTRAINT "patients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_revisions" (
    "id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "data" JSONB NOT NULL,
    "reason" VARCHAR(200),
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_by_id" UUID,
    "changed_by_facility_id" UUID,

    CONSTRAINT "patient_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "facility_patient_links" (
    "id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "facility_patient_id" VARCHAR(20) NOT NULL,
    "publication_state" "PublicationState" NOT NULL DEFAULT 'PUBLISHED',
    "share_basic" BOOLEAN NOT NULL DEFAULT true,
    "share_clinical" BOOLEAN NOT NULL DEFAULT true,
    "publication_changed_at" TIMESTAMPTZ(3),
    "publication_changed_by_id" UUID,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "linked_by_id" UUID,
    "linked_by_facility_id" UUID,
    "unlinked_at" TIMESTAMPTZ(3),
    "unlinked_by_id" UUID,
    "unlink_reason" VARCHAR(200),

    CONSTRAINT "facility_patient_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "link_consent_periods" (
    "id" UUID NOT NULL,
    "link_id" UUID NOT NULL,
    "valid_from" TIMESTAMPTZ(3) NOT NULL,
    "valid_to" TIMESTAMPTZ(3),

    CONSTRAINT "link_consent_periods_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_events" (
    "id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "action" "ConsentAction" NOT NULL,
    "scope" "ConsentScope" NOT NULL,
    "method" "ConsentMethod" NOT NULL,
    "consent_date" DATE NOT NULL,
    "effective_at" TIMESTAMPTZ(3) NOT NULL,
    "responsible_name" VARCHAR(100),
    "explained_by_name" VARCHAR(100),
    "obtained_at_facility_id" UUID,
    "signer" "ConsentSigner" NOT NULL,
    "signer_name" VARCHAR(100),
    "proxy_relationship" VARCHAR(50),
    "reason" VARCHAR(500),
    "note" VARCHAR(500),
    "scan_file_id" UUID,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "recorded_by_id" UUID NOT NULL,
    "recorded_by_facility_id" UUID NOT NULL,

    CONSTRAINT "consent_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_event_facilities" (
    "event_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,

    CONSTRAINT "consent_event_facilities_pkey" PRIMARY KEY ("event_id","facility_id")
);

-- CreateTable
CREATE TABLE "stored_files" (
    "id" UUID NOT NULL,
    "storage_key" VARCHAR(200) NOT NULL,
    "file_name" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(100) NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "stored_files_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "patient_bookmarks" (
    "user_id" UUID NOT NULL,
    "patient_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patient_bookmarks_pkey" PRIMARY KEY ("user_id","patient_id")
);

-- CreateTable
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

    CONSTRAINT "access_logs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "patients_regional_id_key" ON "patients"("regional_id");

-- CreateIndex
CREATE INDEX "patients_birth_date_idx" ON "patients"("birth_date");

-- CreateIndex
CREATE UNIQUE INDEX "patient_revisions_patient_id_version_key" ON "patient_revisions"("patient_id", "version");

-- CreateIndex
CREATE INDEX "facility_patient_links_patient_id_idx" ON "facility_patient_links"("patient_id");

-- CreateIndex
CREATE INDEX "facility_patient_links_facility_id_facility_patient_id_idx" ON "facility_patient_links"("facility_id", "facility_patient_id");

-- CreateIndex
CREATE INDEX "link_consent_periods_link_id_valid_from_idx" ON "link_consent_periods"("link_id", "valid_from");

-- CreateIndex
CREATE INDEX "consent_events_patient_id_effective_at_idx" ON "consent_events"("patient_id", "effective_at");

-- CreateIndex
CREATE UNIQUE INDEX "stored_files_storage_key_key" ON "stored_files"("storage_key");

-- CreateIndex
CREATE INDEX "access_logs_facility_id_at_idx" ON "access_logs"("facility_id", "at");

-- CreateIndex
CREATE INDEX "access_logs_patient_id_at_idx" ON "access_logs"("patient_id", "at");

-- CreateIndex
CREATE INDEX "access_logs_user_id_at_idx" ON "access_logs"("user_id", "at");

-- AddForeignKey
ALTER TABLE "patient_revisions" ADD CONSTRAINT "patient_revisions_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "facility_patient_links" ADD CONSTRAINT "facility_patient_links_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "facility_patient_links" ADD CONSTRAINT "facility_patient_links_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "link_consent_periods" ADD CONSTRAINT "link_consent_periods_link_id_fkey" FOREIGN KEY ("link_id") REFERENCES "facility_patient_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_events" ADD CONSTRAINT "consent_events_scan_file_id_fkey" FOREIGN KEY ("scan_file_id") REFERENCES "stored_files"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_event_facilities" ADD CONSTRAINT "consent_event_facilities_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "consent_events"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_event_facilities" ADD CONSTRAINT "consent_event_facilities_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_bookmarks" ADD CONSTRAINT "patient_bookmarks_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_bookmarks" ADD CONSTRAINT "patient_bookmarks_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- ---------------------------------------------------------------------------------------------
-- Written by hand: what the Prisma schema cannot express.

-- 地域患者ID: 9 digits from this sequence, then a Damm check digit (lib/patients/regional-id.ts).
CREATE SEQUENCE "regional_patient_seq" START WITH 100000001 MINVALUE 100000001 MAXVALUE 999999999 NO CYCLE;

-- Kana prefix search (LIKE 'ヤマダ%') whatever the database's collation.
CREATE INDEX "patients_kana_key_prefix_idx" ON "patients" ("kana_key" varchar_pattern_ops, "birth_date");
CREATE INDEX "patients_kana_given_key_prefix_idx" ON "patients" ("kana_given_key" varchar_pattern_ops);

-- PIX: a facility links a patient once, and a facility patient ID names one patient, among the
-- active links. Unlinked rows stay as history and do not count.
CREATE UNIQUE INDEX "facility_patient_links_active_patient_key"
  ON "facility_patient_links" ("facility_id", "patient_id") WHERE "unlinked_at" IS NULL;
CREATE UNIQUE INDEX "facility_patient_links_active_fpid_key"
  ON "facility_patient_links" ("facility_id", "facility_patient_id") WHERE "unlinked_at" IS NULL;

-- Consent events and the access log are append-only: history is never overwritten.
CREATE FUNCTION "chiikilink_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "consent_events_append_only" BEFORE UPDATE OR DELETE ON "consent_events"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_refuse_change"();
CREATE TRIGGER "consent_event_facilities_append_only" BEFORE UPDATE OR DELETE ON "consent_event_facilities"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_refuse_change"();
CREATE TRIGGER "patient_revisions_append_only" BEFORE UPDATE OR DELETE ON "patient_revisions"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_refuse_change"();
CREATE TRIGGER "access_logs_append_only" BEFORE UPDATE OR DELETE ON "access_logs"
  FOR EACH ROW EXECUTE FUNCTION "chiikilink_refuse_change"();
