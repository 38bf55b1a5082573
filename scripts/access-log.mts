/**
 * Operator commands for the access log (ADR 0010):
 *
 *   npm run access-log -- verify --month 2026-11 [--facility 2000101]
 *       checks the hash chain of each facility's month; prints the first broken link; exit 1 if any
 *   npm run access-log -- archive --month 2025-09 --out /srv/archive/access-logs
 *       for a month older than the 13 kept online: checks its chains, writes the partition to
 *       <out>/access_logs_y2025m09.csv with a manifest (rows, SHA-256, chain heads), then detaches
 *       the partition. The detached table stays in the database: drop it yourself
 *       (DROP TABLE access_logs_y2025m09) once the archive is stored safely. Nothing is dropped here.
 *
 * Without DATABASE_URL it uses the embedded database of a running demo server, or starts it.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { archiveAccessLogMonth } from "@/lib/audit/mutations";
import { verifyAccessLogChain } from "@/lib/audit/queries";
import { zMonth } from "@/lib/audit/schema";
import { db, disconnectDb } from "@/lib/db/client";
import { closePgPool } from "@/lib/db/pg";
import { connectCliDatabase } from "./cli-db.mts";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { month: { type: "string" }, facility: { type: "string" }, out: { type: "string" } },
});
const command = positionals[0];
const usage = "usage: access-log verify --month YYYY-MM [--facility <施設ID>] | access-log archive --month YYYY-MM --out <dir>\n";
if ((command !== "verify" && command !== "archive") || !zMonth.safeParse(values.month).success || (command === "archive" && !values.out)) {
  process.stderr.write(usage);
  process.exit(2);
}
const month = values.month!;

const stop = await connectCliDatabase();
let exitCode = 0;
try {
  if (command === "verify") {
    const facilities = await db().facility.findMany({ where: values.facility ? { code: values.facility } : {}, select: { id: true, code: true, nameKanji: true }, orderBy: { code: "asc" } });
    if (values.facility && facilities.length === 0) throw new Error(`no facility with 施設ID ${values.facility}`);
    for (const f of facilities) {
      const r = await verifyAccessLogChain(f.id, month);
      if (r.rows === 0 && r.ok) continue;
      const where = r.firstBroken ? `BROKEN at seq ${r.firstBroken.seq} (${r.firstBroken.problem}${r.firstBroken.id ? `, row ${r.firstBroken.id} ${r.firstBroken.at?.toISOString()}` : ""})` : "ok";
      process.stdout.write(`${month} ${f.code} ${f.nameKanji}: ${r.rows} rows, ${where}\n`);
      if (!r.ok) exitCode = 1;
    }
  } else {
    const r = await archiveAccessLogMonth(month, path.resolve(values.out!), { verify: verifyAccessLogChain });
    process.stdout.write(
      `archived ${r.rows} rows of ${month} to ${r.file} (sha256 ${r.sha256}), manifest ${r.manifest}\n` +
        `partition ${r.partition} is detached and kept; drop it with DROP TABLE "${r.partition}" once the archive is stored.\n`,
    );
  }
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  exitCode = 2;
} finally {
  await disconnectDb();
  await closePgPool();
  await stop?.();
}
process.exit(exitCode);
