import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { env } from "@/lib/env";

function createClient(pool: pg.Pool) {
  return new PrismaClient({
    adapter: new PrismaPg(pool),
    // Secrets never leave the data layer by accident (design.md rule 6); the auth code asks for them.
    omit: {
      staffUser: { passwordHash: true, secretAnswerHash: true },
      passwordHistory: { passwordHash: true },
      certificateAuthority: { encryptedKeyPem: true },
      terminalCertificate: { pkcs12: true },
      totpFactor: { secretSealed: true },
      recoveryCode: { codeHash: true },
    },
  });
}

/** Connections one process's pool opens at most (docs/decisions/0020-one-process-per-core.md counts them). */
export const DB_POOL_MAX = 10;

/**
 * The connections of this process: Prisma's, and the same pool for the reads the access gateway
 * runs as plain SQL (lib/access/session.ts), so both count against one limit.
 */
function createPool(): pg.Pool {
  const url = env().DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: server.ts sets it after starting the database");
  // The pg adapter sends timestamps as UTC text without an offset (prisma/prisma#26786): the
  // session must read them as UTC, whatever time zone the server was initialised with.
  const pool = new pg.Pool({ connectionString: url, max: DB_POOL_MAX, options: "-c timezone=UTC" });
  // An idle connection the server closed (a restart, a fail-over) is dropped by the pool; without a
  // listener its error would end the process. The next query opens a new connection.
  pool.on("error", (err) => process.stderr.write(`[chiikilink] idle database connection closed: ${err.message}\n`));
  return pool;
}

export type TDb = ReturnType<typeof createClient>;
/** A transaction (or the client itself, where one statement needs no transaction). */
export type TTx = Omit<TDb, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const holder = globalThis as unknown as { __chiikilinkDb?: TDb; __chiikilinkPool?: pg.Pool };

/** The pool under the Prisma client (module copies share it through globalThis). */
export function dbPool(): pg.Pool {
  holder.__chiikilinkPool ??= createPool();
  return holder.__chiikilinkPool;
}

/** The one Prisma client of this process (module copies share it through globalThis). */
export function db(): TDb {
  holder.__chiikilinkDb ??= createClient(dbPool());
  return holder.__chiikilinkDb;
}

/**
 * A statement of fixed text on the pool, prepared once per connection under `name`: for the few
 * that every request sends (its terminal, its session, the header's counters), where Prisma's own
 * work per statement would be much of what the request costs. Cast in SQL what the caller needs
 * (ids ::text, enum arrays ::text[], counts ::int).
 */
export async function preparedRows<T extends object>(name: string, text: string, values: unknown[]): Promise<T[]> {
  return (await dbPool().query<T>({ name, text, values })).rows;
}

export async function disconnectDb(): Promise<void> {
  await holder.__chiikilinkDb?.$disconnect();
  holder.__chiikilinkDb = undefined;
  const pool = holder.__chiikilinkPool;
  holder.__chiikilinkPool = undefined;
  await pool?.end();
}

type TReads = readonly (() => unknown)[];

/**
 * A transaction's reads, one after another. A transaction has a single connection, so running
 * them "in parallel" only queues them inside pg, which warns that pg 9 will refuse it; this keeps
 * Promise.all's shape without the overlap.
 */
export async function inTurn<const T extends TReads>(reads: T): Promise<{ -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> }> {
  const out: unknown[] = [];
  for (const read of reads) out.push(await read());
  return out as { -readonly [K in keyof T]: Awaited<ReturnType<T[K]>> };
}
