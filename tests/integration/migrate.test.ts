import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ensureDatabase } from "@/lib/db/embedded";
import { listMigrations, migrate, MigrationError } from "@/lib/db/migrate";

const adminUrl = inject("pgAdminUrl");
const MIGRATIONS_DIR = "prisma/migrations";

const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A new, EMPTY database (not a copy of the migrated template); returns its URL. */
async function freshDatabase(): Promise<string> {
  const name = `mig_${crypto.randomBytes(6).toString("hex")}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

type TRecord = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number };
const records = (url: string) =>
  query<TRecord>(url, `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`);
const tableExists = async (url: string, table: string) =>
  (await query<{ t: string | null }>(url, "SELECT to_regclass($1)::text AS t", [`public.${table}`]))[0]!.t !== null;

const sha256 = (s: string) => crypto.createHash("sha256").update(s).digest("hex");

/** A copy of the real migrations plus `extra` ({ name: sql }) in a temporary folder. */
function migrationsDirWith(extra: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chiikilink-migrations-"));
  tempDirs.push(dir);
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("listMigrations", () => {
  it("lists the migration folders in name order with the sha256 of their SQL", () => {
    const list = listMigrations(MIGRATIONS_DIR);
    expect(list.length).toBeGreaterThan(0);
    const names = list.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    for (const m of list) {
      const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, m.name, "migration.sql"), "utf8");
      expect(m.sql).toBe(sql);
      expect(m.checksum).toBe(sha256(sql));
    }
    // migration_lock.toml is a file, not a migration
    expect(names).not.toContain("migration_lock.toml");
  });

  it("skips folders without a migration.sql", () => {
    const dir = migrationsDirWith({});
    fs.mkdirSync(path.join(dir, "00000000000000_empty"));
    expect(listMigrations(dir).map((m) => m.name)).toEqual(listMigrations(MIGRATIONS_DIR).map((m) => m.name));
  });
});

describe("migrate", () => {
  it("applies every migration to an empty database and records each with its checksum", async () => {
    const url = await freshDatabase();
    const expected = listMigrations(MIGRATIONS_DIR);
    const lines: string[] = [];
    const { applied } = await migrate(url, MIGRATIONS_DIR, (l) => lines.push(l));
    expect(applied).toEqual(expected.map((m) => m.name));
    expect(lines).toEqual(expected.map((m) => `applied migration ${m.name}`));

    const rows = await records(url);
    expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(sha256(expected[i]!.sql));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
    // the schema is there
    for (const table of ["facilities", "staff_users", "user_sessions", "terminal_certificates", "sign_in_events"]) {
      expect(await tableExists(url, table)).toBe(true);
    }
  });

  it("applies nothing the second time", async () => {
    const url = await freshDatabase();
    await migrate(url, MIGRATIONS_DIR);
    const before = await records(url);
    expect(await migrate(url, MIGRATIONS_DIR)).toEqual({ applied: [] });
    expect(await records(url)).toEqual(before);
  });

  it("applies only the new migration to a migrated database", async () => {
    const url = await freshDatabase();
    await migrate(url, MIGRATIONS_DIR);
    const sql = `CREATE TABLE "later_addition" (id integer PRIMARY KEY);\n`;
    const dir = migrationsDirWith({ "99990101000000_later": sql });
    expect(await migrate(url, dir)).toEqual({ applied: ["99990101000000_later"] });
    expect(await tableExists(url, "later_addition")).toBe(true);
    const row = (await records(url)).find((r) => r.migration_name === "99990101000000_later");
    expect(row?.checksum).toBe(sha256(sql));
  });

  it("rolls a failing migration back entirely and names it", async () => {
    const url = await freshDatabase();
    const dir = migrationsDirWith({
      "99990101000000_broken": `CREATE TABLE "half_done" (id integer PRIMARY KEY);\nINSERT INTO "half_done" VALUES (1);\nSELEC oops FROM nowhere;\n`,
    });
    const err = await migrate(url, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrationError);
    const m = err as MigrationError;
    expect(m.migration).toBe("99990101000000_broken");
    expect(m.message).toContain("99990101000000_broken");
    expect(m.message).toContain("SQLSTATE 42601");

    // nothing of the broken migration remains
    expect(await tableExists(url, "half_done")).toBe(false);
    const rows = await records(url);
    expect(rows.map((r) => r.migration_name)).not.toContain("99990101000000_broken");
    // the migrations before it stay applied
    const earlier = listMigrations(MIGRATIONS_DIR).map((m) => m.name);
    expect(rows.map((r) => r.migration_name)).toEqual(earlier);
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    expect(await tableExists(url, "staff_users")).toBe(true);

    // and the real migrations alone now run clean: nothing left to apply
    expect(await migrate(url, MIGRATIONS_DIR)).toEqual({ applied: [] });
    // the lock was released despite the failure: a second attempt fails the same way instead of hanging
    await expect(migrate(url, dir)).rejects.toBeInstanceOf(MigrationError);
  });

  it("stops at a migration recorded as started but not finished", async () => {
    const url = await freshDatabase();
    await migrate(url, MIGRATIONS_DIR);
    const dir = migrationsDirWith({ "99990101000000_stuck": `CREATE TABLE "stuck" (id integer);\n` });
    await query(
      url,
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, '99990101000000_stuck', now())`,
      [crypto.randomUUID(), "0".repeat(64)],
    );
    const err = await migrate(url, dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).migration).toBe("99990101000000_stuck");
    expect(await tableExists(url, "stuck")).toBe(false);
  });

  it("runs safely when two processes migrate the same empty database at once", async () => {
    const url = await freshDatabase();
    const expected = listMigrations(MIGRATIONS_DIR).map((m) => m.name);
    const [a, b] = await Promise.all([migrate(url, MIGRATIONS_DIR), migrate(url, MIGRATIONS_DIR)]);
    // one did the work, the other found it done
    expect([a.applied, b.applied].sort((x, y) => y.length - x.length)).toEqual([expected, []]);
    const rows = await records(url);
    expect(rows.map((r) => r.migration_name)).toEqual(expected);
    const counts = await query<{ migration_name: string; n: number }>(
      url,
      `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY migration_name`,
    );
    expect(counts.every((c) => c.n === 1)).toBe(true);
  });
});
