-- Secure mail between portal users (C9): messages, each recipient's copy, attachments, folders, mailing lists, templates; system notices.
-- CreateEnum
CREATE TYPE "MessageSystemKind" AS ENUM ('PUBLICATION_NOTICE', 'PUBLICATION_ADDED', 'EMS_NOTICE', 'PASSWORD_EXPIRY');

-- AlterTable
ALTER TABLE "staff_users" ADD COLUMN     "secure_mail_alert" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "secure_messages" (
    "id" UUID NOT NULL,
    "sender_id" UUID,
    "sender_facility_id" UUID,
    "system_kind" "MessageSystemKind",
    "subject" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "thread_id" UUID NOT NULL,
    "in_reply_to_id" UUID,
    "draft_to" JSONB,
    "sender_folder_id" UUID,
    "sender_trashed_at" TIMESTAMPTZ(3),
    "sender_deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "secure_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_recipients" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "addressed_as" VARCHAR(200) NOT NULL,
    "read_at" TIMESTAMPTZ(3),
    "first_read_at" TIMESTAMPTZ(3),
    "folder_id" UUID,
    "trashed_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "message_recipients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_attachments" (
    "id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "stored_file_id" UUID NOT NULL,
    "file_name" VARCHAR(255) NOT NULL,
    "content_type" VARCHAR(100) NOT NULL,
    "size" INTEGER NOT NULL,
    "scan" VARCHAR(20) NOT NULL,

    CONSTRAINT "message_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mail_folders" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(50) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mail_folders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailing_lists" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" VARCHAR(200),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mailing_lists_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mailing_list_members" (
    "list_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,

    CONSTRAINT "mailing_list_members_pkey" PRIMARY KEY ("list_id","user_id")
);

-- CreateTable
CREATE TABLE "mail_templates" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "mail_templates_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "secure_messages_sender_id_sent_at_idx" ON "secure_messages"("sender_id", "sent_at");

-- CreateIndex
CREATE INDEX "secure_messages_thread_id_idx" ON "secure_messages"("thread_id");

-- CreateIndex
CREATE INDEX "message_recipients_user_id_deleted_at_trashed_at_folder_id_idx" ON "message_recipients"("user_id", "deleted_at", "trashed_at", "folder_id");

-- CreateIndex
CREATE UNIQUE INDEX "message_recipients_message_id_user_id_key" ON "message_recipients"("message_id", "user_id");

-- CreateIndex
CREATE INDEX "message_attachments_message_id_idx" ON "message_attachments"("message_id");

-- CreateIndex
CREATE UNIQUE INDEX "mail_folders_owner_id_name_key" ON "mail_folders"("owner_id", "name");

-- CreateIndex
CREATE INDEX "mailing_list_members_user_id_idx" ON "mailing_list_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "mail_templates_owner_id_name_key" ON "mail_templates"("owner_id", "name");

-- AddForeignKey
ALTER TABLE "secure_messages" ADD CONSTRAINT "secure_messages_sender_id_fkey" FOREIGN KEY ("sender_id") REFERENCES "staff_users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_recipients" ADD CONSTRAINT "message_recipients_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "secure_messages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_recipients" ADD CONSTRAINT "message_recipients_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_attachments" ADD CONSTRAINT "message_attachments_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "secure_messages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mail_folders" ADD CONSTRAINT "mail_folders_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailing_lists" ADD CONSTRAINT "mailing_lists_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailing_list_members" ADD CONSTRAINT "mailing_list_members_list_id_fkey" FOREIGN KEY ("list_id") REFERENCES "mailing_lists"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mailing_list_members" ADD CONSTRAINT "mailing_list_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mail_templates" ADD CONSTRAINT "mail_templates_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "staff_users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

