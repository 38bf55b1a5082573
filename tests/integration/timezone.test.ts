import { describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";

describe("time zone of the database", () => {
  it("stores and compares instants correctly even when the database's default time zone is Japan", async () => {
    const [current] = await db().$queryRaw<{ name: string }[]>`SELECT current_database() AS name`;
    const name = current!.name;
    await db().$executeRawUnsafe(`ALTER DATABASE "${name}" SET timezone = 'Asia/Tokyo'`);
    await disconnectDb(); // new connections pick up the database's setting
    const at = new Date("2026-04-01T00:30:00.000Z");
    const row = await db().announcement.create({ data: { title: "tz", body: "tz", publishedAt: at }, select: { id: true } });
    const [stored] = await db().$queryRaw<{ epoch: number }[]>`SELECT extract(epoch FROM published_at)::float8 AS epoch FROM announcements WHERE id = ${row.id}::uuid`;
    expect(stored!.epoch * 1000).toBe(at.getTime());
    // A comparison in SQL with a bound instant agrees with JavaScript's.
    const before = await db().announcement.count({ where: { id: row.id, publishedAt: { lt: new Date(at.getTime() + 1) } } });
    const after = await db().announcement.count({ where: { id: row.id, publishedAt: { gt: new Date(at.getTime() - 1) } } });
    expect([before, after]).toEqual([1, 1]);
    expect((await db().announcement.findUniqueOrThrow({ where: { id: row.id } })).publishedAt.getTime()).toBe(at.getTime());
  });
});
