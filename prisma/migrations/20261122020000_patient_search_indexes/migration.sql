-- Patient search at a million patients (docs/benchmarks.md). Written by hand: Prisma's schema
-- cannot express column collations, INCLUDE columns or partial indexes.

-- Kana search keys compare byte-wise (collation "C"): one b-tree then serves both the prefix
-- match (LIKE 'ヤマ%') and the result order, so a page of 20 is read in index order instead of
-- fetching and sorting every match.
DROP INDEX "patients_kana_key_prefix_idx";
DROP INDEX "patients_kana_given_key_prefix_idx";
ALTER TABLE "patients"
  ALTER COLUMN "kana_key" SET DATA TYPE VARCHAR(200) COLLATE "C",
  ALTER COLUMN "kana_given_key" SET DATA TYPE VARCHAR(200) COLLATE "C";
CREATE INDEX "patients_kana_key_order_idx" ON "patients" ("kana_key", "birth_date", "id") INCLUDE ("kana_given_key");
CREATE INDEX "patients_kana_given_key_order_idx" ON "patients" ("kana_given_key", "kana_key", "birth_date", "id");

-- The visibility rule's lookups (the viewer's active link, its consent period) answered from
-- the indexes alone.
DROP INDEX "facility_patient_links_active_patient_key";
CREATE UNIQUE INDEX "facility_patient_links_active_patient_key"
  ON "facility_patient_links" ("facility_id", "patient_id") INCLUDE ("publication_state", "id") WHERE "unlinked_at" IS NULL;
DROP INDEX "link_consent_periods_link_id_valid_from_idx";
CREATE INDEX "link_consent_periods_link_id_valid_from_idx" ON "link_consent_periods" ("link_id", "valid_from") INCLUDE ("valid_to");
