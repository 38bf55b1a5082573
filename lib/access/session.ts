import "server-only";
import crypto from "node:crypto";
import pg from "pg";
import type { Prisma } from "@/generated/prisma/client";
import { db, dbPool, type TTx } from "@/lib/db/client";

/*
 * The transaction a read runs in. Reads that load relations or keep bookkeeping (read marks) run
 * in a Prisma transaction; the hot reads (calendar, cell, tab, trend, content) run as plain SQL
 * on a connection of the same pool, at the floor's cost: Prisma spends ~1 ms of node CPU on each
 * statement, which at twenty callers queues in the one node thread (docs/benchmarks.md).
 */

/** One statement of the read's transaction; its rows. Cast what you select (counts ::int, dates ::text): both kinds of session then return the same values. */
export type TSql = <T = Record<string, unknown>>(query: Prisma.Sql) => Promise<T[]>;

/**
 * `sql` runs a read's own statements; `fixed` the gateway's statements of fixed shape (the gate,
 * the log insert), which on a plain-SQL session run as named prepared statements: the gate's
 * inlined rule costs more to plan than to run, and its plan does not depend on its values. A
 * read's own statements are planned for their values each time (a generic plan of a date window
 * over a patient's items can be many times slower).
 */
export type TSession = { sql: TSql; fixed: TSql; generic: TSql; tx: TTx | null };

/*
 * `generic` runs a fixed statement with its one generic plan. PostgreSQL replans a prepared
 * statement for its values whenever its generic plan looks costlier than the custom ones, and the
 * gate's always does: each custom plan took ~5 ms to make and ~0.5 ms to run, twice per patient
 * page. plan_cache_mode applies to every statement with parameters, a read's own too (whose
 * windows want plans for their values), so it is switched for the gate and back before the next
 * statement: a SET costs a round trip, far less than the planning.
 */
const GENERIC = "SET plan_cache_mode = force_generic_plan";
const AUTO = "SET plan_cache_mode = auto";

const DATE_OID = 1082;
const INT8_OID = 20;
// DATE as its text (pg would make a Date at the node process's local midnight); int8 (counts) as a number
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === DATE_OID ? (v: string) => v : oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Names of the fixed statements (a handful: each connection prepares each once). */
const names = new Map<string, string>();
const nameOf = (text: string) => {
  let name = names.get(text);
  if (!name) names.set(text, (name = `cl_${crypto.createHash("sha1").update(text).digest("hex").slice(0, 24)}`));
  return name;
};

/**
 * A plain-SQL read on one connection of the shared pool. Such a read writes nothing but its log
 * rows, in one INSERT (a statement commits whole), after its SELECTs and before its value is
 * returned: so it needs no BEGIN and COMMIT around them, which on this machine cost a round trip
 * each (about 1 ms, as much as the gate). A read with bookkeeping runs in a Prisma transaction.
 */
export async function inSqlSession<T>(fn: (s: TSession) => Promise<T>): Promise<T> {
  const client = await dbPool().connect();
  let generic = false;
  const mode = async (wanted: boolean) => {
    if (generic === wanted) return;
    await client.query(wanted ? GENERIC : AUTO);
    generic = wanted;
  };
  let released = false;
  try {
    const sql: TSql = async <R,>(q: Prisma.Sql) => {
      await mode(false);
      return (await client.query({ text: q.text, values: q.values as unknown[], types })).rows as R[];
    };
    const fixed: TSql = async <R,>(q: Prisma.Sql) => {
      await mode(false);
      return (await client.query({ name: nameOf(q.text), text: q.text, values: q.values as unknown[], types })).rows as R[];
    };
    const planned: TSql = async <R,>(q: Prisma.Sql) => {
      await mode(true);
      return (await client.query({ name: nameOf(q.text), text: q.text, values: q.values as unknown[], types })).rows as R[];
    };
    const out = await fn({ sql, fixed, generic: planned, tx: null });
    // the pool's next user (Prisma's statements too) gets the connection as it was
    await mode(false);
    return out;
  } catch (err) {
    // a connection whose mode cannot be restored is not given back to the pool
    if (generic) {
      released = true;
      client.release(true);
    }
    throw err;
  } finally {
    // no transaction is left open (a broken connection is dropped by the pool itself)
    if (!released) client.release();
  }
}

/** A Prisma transaction, with the same statement runner over it. */
export function inPrismaSession<T>(fn: (s: TSession & { tx: TTx }) => Promise<T>, opts: { timeout?: number } = {}): Promise<T> {
  return db().$transaction(
    async (tx) => {
      const sql = sqlOf(tx);
      return fn({ sql, fixed: sql, generic: sql, tx });
    },
    opts.timeout ? { timeout: opts.timeout } : undefined,
  );
}

/** The statement runner over a transaction the caller already holds (the system's own questions, inside a mutation). */
export const sqlOf = (tx: TTx): TSql => <R,>(q: Prisma.Sql) => tx.$queryRaw<R[]>(q);
