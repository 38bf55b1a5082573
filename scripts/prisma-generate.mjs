// Generates the Prisma client without the native schema engine: Prisma's CLI otherwise tries to
// download one, and the client we use (prisma-client + adapter-pg) never needs it at run time.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("node_modules/prisma")) process.exit(0);
execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", PRISMA_HIDE_UPDATE_MESSAGE: "1", DATABASE_URL: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
