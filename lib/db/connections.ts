import "server-only";
import { db, DB_POOL_MAX } from "@/lib/db/client";
import { PG_POOL_MAX } from "@/lib/db/pg";

/** Database connections one serving process may hold: both of its pools full (lib/db/client.ts, lib/db/pg.ts). */
export const CONNECTIONS_PER_PROCESS = DB_POOL_MAX + PG_POOL_MAX;

/**
 * Connections a server of `workers` processes may hold at once (docs/decisions/0020-one-process-per-core.md).
 * One process: its two pools. More: each worker's two pools, and the primary's Prisma pool (the
 * timers; its migration client is closed before the workers start, and it never streams an export).
 */
export function connectionsNeeded(workers: number): number {
  return workers === 1 ? CONNECTIONS_PER_PROCESS : workers * CONNECTIONS_PER_PROCESS + DB_POOL_MAX;
}

/**
 * A warning when the database lets fewer ordinary connections in than the server may open: under
 * load a worker would then fail requests with "too many clients" instead of queueing in its pool.
 * Other clients of the same database (a second app node, a backup) need their room besides.
 */
export async function connectionLimitWarning(workers: number): Promise<string | null> {
  // reserved_connections is PostgreSQL 16's; 15 has only the superusers' reserve
  const [row] = await db().$queryRaw<{ max: number; reserved: number }[]>`
    SELECT current_setting('max_connections')::int AS max,
           current_setting('superuser_reserved_connections')::int + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved`;
  const need = connectionsNeeded(workers);
  const room = row!.max - row!.reserved;
  if (room >= need) return null;
  return `the database lets ${room} connections in (max_connections ${row!.max}, ${row!.reserved} reserved) but ${workers} worker process(es) may open ${need}: raise max_connections or lower WEB_CONCURRENCY`;
}
