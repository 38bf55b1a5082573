-- The review of emergency grants (issue 16): a grant's reads are found by its id (the review page,
-- the monthly report's counts), whenever they were written. Only rows read under a grant carry
-- one, so the index holds those alone.
CREATE INDEX "access_logs_emergency_grant_id_at_idx" ON "access_logs" ("emergency_grant_id", "at") WHERE "emergency_grant_id" IS NOT NULL;
