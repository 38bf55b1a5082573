-- Terminal keys are not kept (ADR 0017). A server-made terminal key (.p12) stays only until its
-- first download or TERMINAL_P12_DOWNLOAD_HOURS after issuing; a terminal may instead send a
-- PKCS#10 request and keep its key to itself. Stored files of existing certificates past the
-- window are deleted at start (purgeUndownloadedKeys, with the configured window), not here:
-- the window is a setting, and one place applies it.

CREATE TYPE "TerminalKeySource" AS ENUM ('SERVER', 'CSR');

ALTER TABLE "terminal_certificates" ALTER COLUMN "pkcs12" DROP NOT NULL;
ALTER TABLE "terminal_certificates" ADD COLUMN "key_source" "TerminalKeySource" NOT NULL DEFAULT 'SERVER';
ALTER TABLE "terminal_certificates" ADD COLUMN "certificate_pem" TEXT;
ALTER TABLE "terminal_certificates" ADD COLUMN "public_key_sha256" CHAR(64);
ALTER TABLE "terminal_certificates" ADD COLUMN "downloaded_at" TIMESTAMPTZ(3);
ALTER TABLE "terminal_certificates" ADD COLUMN "downloaded_by_id" UUID;

-- The server never holds a key it did not make, and never one it has handed over.
ALTER TABLE "terminal_certificates" ADD CONSTRAINT "terminal_certificates_pkcs12_server_only"
  CHECK ("pkcs12" IS NULL OR "key_source" = 'SERVER');
ALTER TABLE "terminal_certificates" ADD CONSTRAINT "terminal_certificates_pkcs12_until_download"
  CHECK ("pkcs12" IS NULL OR "downloaded_at" IS NULL);
ALTER TABLE "terminal_certificates" ADD CONSTRAINT "terminal_certificates_downloaded_with_who"
  CHECK (("downloaded_at" IS NULL) = ("downloaded_by_id" IS NULL));

CREATE INDEX "terminal_certificates_public_key_sha256_idx" ON "terminal_certificates"("public_key_sha256");
