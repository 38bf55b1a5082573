import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, inject } from "vitest";
import { ensureDatabase } from "@/lib/db/embedded";
import { disconnectDb } from "@/lib/db/client";
import { closePgPool } from "@/lib/db/pg";
import { resetEnvCache } from "@/lib/env";

/** Each test file runs on its own fresh copy of the migrated template database. */
const adminUrl = inject("pgAdminUrl");
const name = `it_${crypto.randomBytes(6).toString("hex")}`;

beforeAll(async () => {
  await ensureDatabase(adminUrl, name, inject("pgTemplate"));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  process.env.FILE_STORE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-files-"));
  process.env.AUTH_SECRET ??= "integration-test-secret-integration-test-secret";
  process.env.CA_KEY_PASSPHRASE ??= "integration-test-ca-passphrase";
  resetEnvCache();
});

afterAll(async () => {
  await disconnectDb();
  await closePgPool();
  if (process.env.FILE_STORE_DIR) fs.rmSync(process.env.FILE_STORE_DIR, { recursive: true, force: true });
});
