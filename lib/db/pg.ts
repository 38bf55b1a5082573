import "server-only";
import pg from "pg";
import { env } from "@/lib/env";

const holder = globalThis as unknown as { __chiikilinkPg?: pg.Pool };

/** Connections this pool opens at most, beside lib/db/client.ts's. */
export const PG_POOL_MAX = 4;

/**
 * A small plain `pg` pool for what Prisma cannot do: streaming a COPY out of PostgreSQL (the
 * access-log CSV), so a month of a large hospital never sits in memory. Same database, same
 * session settings as the Prisma client (lib/db/client.ts).
 */
export function pgPool(): pg.Pool {
  if (!holder.__chiikilinkPg) {
    const url = env().DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: server.ts sets it after starting the database");
    holder.__chiikilinkPg = new pg.Pool({ connectionString: url, max: PG_POOL_MAX, options: "-c timezone=UTC" });
  }
  return holder.__chiikilinkPg;
}

export async function closePgPool(): Promise<void> {
  await holder.__chiikilinkPg?.end();
  holder.__chiikilinkPg = undefined;
}
