import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests in Debian's Chromium against the real HTTPS server with mutual TLS.
 * Two servers, each with its own embedded PostgreSQL and demo region under .test-data/:
 * "main" with the normal settings, "idle" with a 6-second idle time-out. Both run as production
 * does on two cores, a primary and two worker processes (docs/decisions/0020-one-process-per-core.md).
 * A third, "cluster", is started and stopped by tests/e2e/cluster.spec.ts itself.
 */
/** The notes test's SMTP server (smtp-server, on loopback) that the portal sends its notice e-mails to. */
export const E2E_SMTP_PORT = 2526;

export const SERVERS = {
  main: { port: 3543, pgPort: 56543, dataDir: ".test-data/e2e-main", idle: 300 },
  idle: { port: 3544, pgPort: 56544, dataDir: ".test-data/e2e-idle", idle: 6 },
  cluster: { port: 3545, pgPort: 56545, dataDir: ".test-data/e2e-cluster", idle: 300 },
} as const;

/** Worker processes of each server: fixed, so a machine with more cores runs the suite as this one does. */
export const E2E_WEB_CONCURRENCY = 2;

const serverCommand = "node --import tsx --import ./scripts/node-hooks.mjs server.ts";

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    ignoreHTTPSErrors: true,
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: [SERVERS.main, SERVERS.idle].map((s) => ({
    command: serverCommand,
    url: `https://127.0.0.1:${s.port}/healthz`,
    ignoreHTTPSErrors: true,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore" as const,
    stderr: "pipe" as const,
    env: {
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: String(s.port),
      EMBEDDED_PG_PORT: String(s.pgPort),
      DATA_DIR: s.dataDir,
      DEMO_SEED: "true",
      IDLE_TIMEOUT_SECONDS: String(s.idle),
      NEXTAUTH_URL: `https://localhost:${s.port}`,
      SMTP_URL: `smtp://127.0.0.1:${E2E_SMTP_PORT}`,
      WEB_CONCURRENCY: String(E2E_WEB_CONCURRENCY),
    },
  })),
});
