-- A second factor per user (issue 15; docs/decisions/0016-second-factor.md): an authenticator app
-- (TOTP), one-time recovery codes and passkeys (WebAuthn); the network's policy per role; and on
-- each session, when and how its second factor was passed.

-- AlterEnum
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_SUCCESS';
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_FAILURE';
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_ENROLLED';
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_REMOVED';
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_RESET_BY_ADMIN';
ALTER TYPE "SignInEventKind" ADD VALUE 'RECOVERY_CODE_USED';
ALTER TYPE "SignInEventKind" ADD VALUE 'SECOND_FACTOR_POLICY_CHANGED';

-- CreateEnum
CREATE TYPE "SecondFactorRequirement" AS ENUM ('OFF', 'OPTIONAL', 'REQUIRED');

-- CreateEnum
CREATE TYPE "SecondFactorSubject" AS ENUM ('CLINICIAN', 'LIAISON', 'FACILITY_ADMIN', 'SECRETARIAT', 'EMS_PRIVILEGED');

-- CreateEnum
CREATE TYPE "SecondFactorMethod" AS ENUM ('TOTP', 'RECOVERY_CODE', 'WEBAUTHN');

-- CreateEnum
CREATE TYPE "WebauthnCeremony" AS ENUM ('REGISTRATION', 'AUTHENTICATION');

-- AlterTable
ALTER TABLE "user_sessions" ADD COLUMN "second_factor_at" TIMESTAMPTZ(3),
ADD COLUMN "second_factor_method" "SecondFactorMethod";

-- CreateTable
CREATE TABLE "second_factor_policies" (
    "subject" "SecondFactorSubject" NOT NULL,
    "requirement" "SecondFactorRequirement" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by_id" UUID,

    CONSTRAINT "second_factor_policies_pkey" PRIMARY KEY ("subject")
);

-- CreateTable
CREATE TABLE "totp_factors" (
    "user_id" UUID NOT NULL,
    "secret_sealed" TEXT NOT NULL,
    "enabled_at" TIMESTAMPTZ(3),
    "last_step" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "totp_factors_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "recovery_codes" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(3),

    CONSTRAINT "recovery_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webauthn_credentials" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "credential_id" VARCHAR(1400) NOT NULL,
    "public_key" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL DEFAULT 0,
    "transports" TEXT[],
    "rp_id" VARCHAR(253) NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "webauthn_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webauthn_challenges" (
    "id" UUID NOT NULL,
    "session_id" UUID NOT NULL,
    "ceremony" "WebauthnCeremony" NOT NULL,
    "challenge" VARCHAR(128) NOT NULL,
    "rp_id" VARCHAR(253) NOT NULL,
    "origin" VARCHAR(300) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webauthn_challenges_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "recovery_codes_user_id_idx" ON "recovery_codes"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "webauthn_credentials_credential_id_key" ON "webauthn_credentials"("credential_id");

-- CreateIndex
CREATE INDEX "webauthn_credentials_user_id_idx" ON "webauthn_credentials"("user_id");

-- CreateIndex
CREATE INDEX "webauthn_challenges_session_id_ceremony_idx" ON "webauthn_challenges"("session_id", "ceremony");

-- AddForeignKey
ALTER TABLE "second_factor_policies" ADD CONSTRAINT "second_factor_policies_updated_by_id_fkey" FOREIGN KEY ("updated_by_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "totp_factors" ADD CONSTRAINT "totp_factors_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "recovery_codes" ADD CONSTRAINT "recovery_codes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webauthn_credentials" ADD CONSTRAINT "webauthn_credentials_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webauthn_challenges" ADD CONSTRAINT "webauthn_challenges_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "user_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
