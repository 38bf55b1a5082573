import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";

/**
 * One throwaway embedded PostgreSQL for the whole integration run: migrated once into a template
 * database; each test file then gets its own copy (tests/integration/setup-file.ts).
 */
export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-it-"));
  // mkdtemp makes it owner-only; the embedded server runs as an unprivileged user when we are root.
  fs.chmodSync(dir, 0o755);
  // Clear of the browser tests' fixed ports (56543, 56544) and the demo's (54329).
  const port = 57000 + Math.floor(Math.random() * 2000);
  const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port, database: "template_chiikilink", quiet: true });
  await migrate(pg.url);
  project.provide("pgAdminUrl", pg.adminUrl);
  project.provide("pgTemplate", "template_chiikilink");
  return async () => {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}
