-- Notes, comments, documents and files posted in the portal; participants, notifications and the mail outbox (issue: notes and files).
-- CreateEnum
CREATE TYPE "NotificationKind" AS ENUM ('NOTE_POSTED', 'COMMENT_POSTED', 'DOCUMENT_POSTED', 'FILE_POSTED');

-- CreateEnum
CREATE TYPE "MailState" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- AlterEnum


ALTER TYPE "AccessType" ADD VALUE 'CONTENT_POST';
ALTER TYPE "AccessType" ADD VALUE 'CONTENT_EDIT';
ALTER TYPE "AccessType" ADD VALUE 'CONTENT_DELETE';
ALTER TYPE "AccessType" ADD VALUE 'COMMENT_POST';

-- AlterEnum
ALTER TYPE "ContentCategory" ADD VALUE 'NOTE_CONTACT';

-- AlterEnum
ALTER TYPE "SourceKind" ADD VALUE 'PORTAL';

-- AlterTable
ALTER TABLE "stored_files" ADD COLUMN     "scan_engine" VARCHAR(100),
ADD COLUMN     "scan_state" VARCHAR(20) NOT NULL DEFAULT 'NOT_SCANNED';

-- AlterTable
ALTER TABLE "clinical_contents" ADD COLUMN     "author_id" UUID,
ADD COLUMN     "author_qualification" "Qualification",
ADD COLUMN     "period_end_date" DATE,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "content_revisions" (
    "id" UUID NOT NULL,
    "content_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "category" "ContentCategory" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "title" VARCHAR(200) NOT NULL,
    "payload" JSONB NOT NULL,
    "action" VARCHAR(10) NOT NULL,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "changed_by_id" UUID NOT NULL,

    CONSTRAINT "content_revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_comments" (
    "id" UUID NOT NULL,
    "content_id" UUID NOT NULL,
    "author_id" UUID NOT NULL,
    "author_facility_id" UUID NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "content_comments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "content_reads" (
    "content_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "read_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "content_reads_pkey" PRIMARY KEY ("content_id","user_id")
);

-- CreateTable
CREATE TABLE "patient_participants" (
    "patient_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "added_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "added_by_id" UUID NOT NULL,

    CONSTRAINT "patient_participants_pkey" PRIMARY KEY ("patient_id","user_id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "kind" "NotificationKind" NOT NULL,
    "patient_id" UUID NOT NULL,
    "content_id" UUID NOT NULL,
    "actor_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mail_outbox" (
    "id" UUID NOT NULL,
    "to_address" VARCHAR(254) NOT NULL,
    "to_user_id" UUID,
    "subject" VARCHAR(200) NOT NULL,
    "body_text" TEXT NOT NULL,
    "state" "MailState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(500),
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "mail_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "content_revisions_content_id_version_key" ON "content_revisions"("content_id", "version");

-- CreateIndex
CREATE INDEX "content_comments_content_id_created_at_idx" ON "content_comments"("content_id", "created_at");

-- CreateIndex
CREATE INDEX "patient_participants_user_id_idx" ON "patient_participants"("user_id");

-- CreateIndex
CREATE INDEX "notifications_user_id_read_at_created_at_idx" ON "notifications"("user_id", "read_at", "created_at");

-- CreateIndex
CREATE INDEX "mail_outbox_state_next_attempt_at_idx" ON "mail_outbox"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "mail_outbox_created_at_idx" ON "mail_outbox"("created_at");

-- CreateIndex
CREATE INDEX "clinical_contents_patient_id_category_period_end_date_idx" ON "clinical_contents"("patient_id", "category", "period_end_date");

-- AddForeignKey
ALTER TABLE "clinical_contents" ADD CONSTRAINT "clinical_contents_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_revisions" ADD CONSTRAINT "content_revisions_content_id_fkey" FOREIGN KEY ("content_id") REFERENCES "clinical_contents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_comments" ADD CONSTRAINT "content_comments_content_id_fkey" FOREIGN KEY ("content_id") REFERENCES "clinical_contents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_comments" ADD CONSTRAINT "content_comments_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_reads" ADD CONSTRAINT "content_reads_content_id_fkey" FOREIGN KEY ("content_id") REFERENCES "clinical_contents"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "content_reads" ADD CONSTRAINT "content_reads_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_participants" ADD CONSTRAINT "patient_participants_patient_id_fkey" FOREIGN KEY ("patient_id") REFERENCES "patients"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "patient_participants" ADD CONSTRAINT "patient_participants_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

