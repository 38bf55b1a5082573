-- Issue 15: sign-in and password-reset attempts are rate-limited per terminal and per login ID.
-- The counters live in PostgreSQL so that every app node sees the same ones.
ALTER TYPE "SignInEventKind" ADD VALUE 'RATE_LIMITED';

-- One row per key ('terminal:<certificate serial>' or 'login:<login ID as typed, lower case>'):
-- attempts since window_start; a window older than the configured length starts again at 1.
CREATE TABLE "sign_in_throttle" (
    "key" VARCHAR(200) NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "attempts" INTEGER NOT NULL,
    CONSTRAINT "sign_in_throttle_pkey" PRIMARY KEY ("key")
);
