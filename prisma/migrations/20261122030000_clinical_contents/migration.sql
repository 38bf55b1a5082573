-- New access types for reading contents (usable from the next transaction on).
ALTER TYPE "AccessType" ADD VALUE 'CONTENT_LIST';
ALTER TYPE "AccessType" ADD VALUE 'CONTENT_VIEW';

-- CreateEnum
CREATE TYPE "ContentCategory" AS ENUM ('PATIENT_INFO', 'ADMISSION', 'PRESCRIPTION_ORDER', 'PRESCRIPTION_DISPENSED', 'INJECTION_ORDER', 'INJECTION_ADMINISTERED', 'LAB', 'IMAGING', 'REPORT', 'DOCUMENT', 'FILE', 'CHECKUP', 'NOTE', 'DIAGNOSIS', 'ALLERGY');

-- CreateEnum
CREATE TYPE "ContentRestriction" AS ENUM ('NONE', 'OWN_FACILITY');

-- CreateEnum
CREATE TYPE "SourceKind" AS ENUM ('SSMIX2', 'FHIR');

-- CreateTable
CREATE TABLE "clinical_contents" (
    "id" UUID NOT NULL,
    "owner_facility_id" UUID NOT NULL,
    "facility_patient_id" VARCHAR(20) NOT NULL,
    "owner_link_id" UUID,
    "patient_id" UUID,
    "category" "ContentCategory" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "occurred_date" DATE NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "payload" JSONB NOT NULL,
    "restriction" "ContentRestriction" NOT NULL DEFAULT 'NONE',
    "source_kind" "SourceKind" NOT NULL,
    "source_key" VARCHAR(200) NOT NULL,
    "source_version" VARCHAR(40) NOT NULL,
    "source_hash" CHAR(64) NOT NULL,
    "is_deleted" BOOLEAN NOT NULL DEFAULT false,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "clinical_contents_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_runs" (
    "id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "source" VARCHAR(32) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "messages" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "replaced" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB,
    "started_by_id" UUID,

    CONSTRAINT "import_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "clinical_contents_patient_id_occurred_date_category_idx" ON "clinical_contents"("patient_id", "occurred_date", "category");

-- CreateIndex
CREATE INDEX "clinical_contents_owner_facility_id_facility_patient_id_idx" ON "clinical_contents"("owner_facility_id", "facility_patient_id");

-- CreateIndex
CREATE INDEX "clinical_contents_owner_link_id_idx" ON "clinical_contents"("owner_link_id");

-- CreateIndex
CREATE UNIQUE INDEX "clinical_contents_owner_facility_id_source_kind_source_key_key" ON "clinical_contents"("owner_facility_id", "source_kind", "source_key");

-- CreateIndex
CREATE INDEX "import_runs_facility_id_started_at_idx" ON "import_runs"("facility_id", "started_at");

-- AddForeignKey
ALTER TABLE "clinical_contents" ADD CONSTRAINT "clinical_contents_owner_facility_id_fkey" FOREIGN KEY ("owner_facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_contents" ADD CONSTRAINT "clinical_contents_owner_link_id_fkey" FOREIGN KEY ("owner_link_id") REFERENCES "facility_patient_links"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "clinical_contents" ADD CONSTRAINT "clinical_contents_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The facility's SS-MIX2 storage root on this server.
ALTER TABLE "facilities" ADD COLUMN "ssmix2_storage_root" VARCHAR(500);
