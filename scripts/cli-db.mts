/**
 * For the operator commands (npm run import:ssmix2, npm run access-log): DATABASE_URL if set, else
 * the embedded database of a running demo server, else start it. Returns how to stop what it started.
 */
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { env, resetEnvCache } from "@/lib/env";
import { prepareEnvironment } from "@/lib/server/prepare";

export async function connectCliDatabase(): Promise<(() => Promise<void>) | null> {
  if (env().DATABASE_URL) return null;
  const url = `postgresql://chiikilink:chiikilink-local@127.0.0.1:${env().EMBEDDED_PG_PORT}/chiikilink`;
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    await probe.end();
    process.env.DATABASE_URL = url;
    resetEnvCache();
    return null;
  } catch {
    const { embedded } = await prepareEnvironment((l) => process.stderr.write(`${l}\n`));
    await migrate(env().DATABASE_URL!);
    return embedded ? embedded.stop : null;
  }
}
