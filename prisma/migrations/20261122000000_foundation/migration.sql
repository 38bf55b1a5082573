-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "FacilityType" AS ENUM ('HOSPITAL', 'CLINIC', 'DENTAL_CLINIC', 'PHARMACY', 'VISITING_NURSING', 'CARE_PROVIDER', 'SECRETARIAT', 'OTHER');

-- CreateEnum
CREATE TYPE "Qualification" AS ENUM ('DOCTOR', 'DENTIST', 'PHARMACIST', 'NURSE', 'PUBLIC_HEALTH_NURSE', 'MIDWIFE', 'MEDICAL_TECHNOLOGIST', 'RADIOLOGIC_TECH', 'THERAPIST', 'DIETITIAN', 'CARE_MANAGER', 'CARE_WORKER', 'SOCIAL_WORKER', 'CLERK', 'OTHER');

-- CreateEnum
CREATE TYPE "StaffRole" AS ENUM ('CLINICIAN', 'LIAISON', 'FACILITY_ADMIN', 'SECRETARIAT');

-- CreateEnum
CREATE TYPE "SignInEventKind" AS ENUM ('SUCCESS', 'FAILURE', 'LOCKED', 'LOCKED_ATTEMPT', 'RETIRED_ATTEMPT', 'FACILITY_MISMATCH', 'NO_CERTIFICATE', 'PASSWORD_CHANGED', 'PASSWORD_RESET_BY_ADMIN', 'PASSWORD_RESET_BY_QUESTION', 'PASSWORD_RESET_FAILURE', 'SIGN_OUT', 'IDLE_TIMEOUT');

-- CreateTable
CREATE TABLE "facilities" (
    "id" UUID NOT NULL,
    "code" VARCHAR(16) NOT NULL,
    "medical_institution_code" VARCHAR(10),
    "domain" VARCHAR(63) NOT NULL,
    "name_kanji" VARCHAR(100) NOT NULL,
    "name_kana" VARCHAR(200) NOT NULL,
    "name_english" VARCHAR(200),
    "postal_code" VARCHAR(8),
    "address" VARCHAR(200),
    "phone" VARCHAR(20),
    "email" VARCHAR(254),
    "type" "FacilityType" NOT NULL,
    "is_disclosing" BOOLEAN NOT NULL DEFAULT false,
    "is_viewing" BOOLEAN NOT NULL DEFAULT true,
    "is_core_hospital" BOOLEAN NOT NULL DEFAULT false,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "facilities_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "staff_users" (
    "id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "login_id" VARCHAR(64) NOT NULL,
    "name_kanji" VARCHAR(100) NOT NULL,
    "name_kana" VARCHAR(200) NOT NULL,
    "qualification" "Qualification" NOT NULL,
    "roles" "StaffRole"[],
    "has_ems_privilege" BOOLEAN NOT NULL DEFAULT false,
    "email" VARCHAR(254),
    "is_retired" BOOLEAN NOT NULL DEFAULT false,
    "retired_at" TIMESTAMPTZ(3),
    "password_hash" TEXT NOT NULL,
    "password_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "must_change_password" BOOLEAN NOT NULL DEFAULT true,
    "secret_question" VARCHAR(200),
    "secret_answer_hash" TEXT,
    "failed_sign_in_count" INTEGER NOT NULL DEFAULT 0,
    "locked_until" TIMESTAMPTZ(3),
    "last_sign_in_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "staff_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "password_history" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "password_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_sessions" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "cert_serial" VARCHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" VARCHAR(32),

    CONSTRAINT "user_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "terminals" (
    "id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "terminals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "terminal_certificates" (
    "id" UUID NOT NULL,
    "serial" VARCHAR(64) NOT NULL,
    "terminal_id" UUID NOT NULL,
    "facility_id" UUID NOT NULL,
    "subject" VARCHAR(300) NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "issued_by_id" UUID,
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_by_id" UUID,
    "revoked_reason" VARCHAR(200),
    "pkcs12" BYTEA NOT NULL,

    CONSTRAINT "terminal_certificates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "certificate_authority" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "certificate_pem" TEXT NOT NULL,
    "encrypted_key_pem" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "certificate_authority_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sign_in_events" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" "SignInEventKind" NOT NULL,
    "login_id" VARCHAR(64) NOT NULL,
    "user_id" UUID,
    "facility_id" UUID,
    "cert_serial" VARCHAR(64),
    "ip" VARCHAR(64),
    "detail" VARCHAR(500),

    CONSTRAINT "sign_in_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "announcements" (
    "id" UUID NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "is_public" BOOLEAN NOT NULL DEFAULT false,
    "created_by_id" UUID,

    CONSTRAINT "announcements_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "facilities_code_key" ON "facilities"("code");

-- CreateIndex
CREATE UNIQUE INDEX "facilities_medical_institution_code_key" ON "facilities"("medical_institution_code");

-- CreateIndex
CREATE UNIQUE INDEX "facilities_domain_key" ON "facilities"("domain");

-- CreateIndex
CREATE UNIQUE INDEX "staff_users_login_id_key" ON "staff_users"("login_id");

-- CreateIndex
CREATE INDEX "staff_users_facility_id_idx" ON "staff_users"("facility_id");

-- CreateIndex
CREATE INDEX "staff_users_name_kana_idx" ON "staff_users"("name_kana");

-- CreateIndex
CREATE INDEX "password_history_user_id_created_at_idx" ON "password_history"("user_id", "created_at");

-- CreateIndex
CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "terminals_facility_id_name_key" ON "terminals"("facility_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "terminal_certificates_serial_key" ON "terminal_certificates"("serial");

-- CreateIndex
CREATE INDEX "terminal_certificates_facility_id_idx" ON "terminal_certificates"("facility_id");

-- CreateIndex
CREATE INDEX "sign_in_events_at_idx" ON "sign_in_events"("at");

-- CreateIndex
CREATE INDEX "sign_in_events_user_id_at_idx" ON "sign_in_events"("user_id", "at");

-- CreateIndex
CREATE INDEX "sign_in_events_facility_id_at_idx" ON "sign_in_events"("facility_id", "at");

-- CreateIndex
CREATE INDEX "announcements_published_at_idx" ON "announcements"("published_at");

-- AddForeignKey
ALTER TABLE "staff_users" ADD CONSTRAINT "staff_users_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "password_history" ADD CONSTRAINT "password_history_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "terminals" ADD CONSTRAINT "terminals_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "terminal_certificates" ADD CONSTRAINT "terminal_certificates_terminal_id_fkey" FOREIGN KEY ("terminal_id") REFERENCES "terminals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "terminal_certificates" ADD CONSTRAINT "terminal_certificates_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sign_in_events" ADD CONSTRAINT "sign_in_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sign_in_events" ADD CONSTRAINT "sign_in_events_facility_id_fkey" FOREIGN KEY ("facility_id") REFERENCES "facilities"("id") ON DELETE SET NULL ON UPDATE CASCADE;

