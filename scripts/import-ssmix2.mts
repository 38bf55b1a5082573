/**
 * Nightly batch import of a facility's SS-MIX2 standardized storage (or one patient's folder):
 *
 *   npm run import:ssmix2 -- --facility 2000101 --root /srv/ssmix2/iida-chuo [--patient 0000123] [--report errors.json]
 *
 * Each message is stored all or nothing; a failed one is listed (file, segment, field, reason)
 * and the rest go on. Re-running changes nothing that did not change. Without DATABASE_URL it
 * uses the embedded database of a running demo server, or starts it.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { db, disconnectDb } from "@/lib/db/client";
import { importStorageTree, patientFolder } from "@/lib/clinical/ingest/mutations";
import { connectCliDatabase } from "./cli-db.mts";

const { values } = parseArgs({
  options: { facility: { type: "string" }, root: { type: "string" }, patient: { type: "string" }, report: { type: "string" } },
});
if (!values.facility) {
  process.stderr.write("usage: import-ssmix2 --facility <施設ID> [--root <storage root>] [--patient <施設患者ID>] [--report <file.json>]\n");
  process.exit(2);
}

const stop = await connectCliDatabase();
let exitCode = 0;
try {
  const facility = await db().facility.findUnique({ where: { code: values.facility }, select: { id: true, nameKanji: true, ssmix2StorageRoot: true } });
  if (!facility) throw new Error(`no facility with 施設ID ${values.facility}`);
  const root = values.root ?? facility.ssmix2StorageRoot;
  if (!root) throw new Error(`no storage root: pass --root or set the facility's SS-MIX2 storage root`);
  const dir = values.patient ? patientFolder(root, values.patient) : root;
  if (!fs.existsSync(dir)) throw new Error(`not found: ${dir}`);
  const started = performance.now();
  const bar = (done: number, files: number) => {
    const width = 30;
    const filled = files ? Math.round((done / files) * width) : width;
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${files}`;
  };
  const report = await importStorageTree(facility.id, dir, {
    source: "cli",
    onProgress: (p) => {
      if (p.done % 200 === 0 || p.done === p.files) process.stderr.write(`\r${bar(p.done, p.files)}  failed ${p.failed}`);
    },
  });
  const secs = (performance.now() - started) / 1000;
  process.stderr.write("\n");
  process.stdout.write(
    `${facility.nameKanji}: ${report.done} messages in ${secs.toFixed(1)} s (${Math.round(report.done / Math.max(secs, 0.001))}/s): ` +
      `${report.created} created, ${report.replaced} replaced, ${report.unchanged} unchanged, ${report.failed} failed\n`,
  );
  if (values.report) {
    fs.writeFileSync(path.resolve(values.report), JSON.stringify({ runId: report.runId, errors: report.errors }, null, 2));
    process.stdout.write(`error report: ${values.report}\n`);
  } else {
    for (const e of report.errors.slice(0, 20)) process.stdout.write(`  ${e.file}: ${e.error}\n`);
  }
  if (report.failed > 0) exitCode = 1;
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  exitCode = 2;
} finally {
  await disconnectDb();
  await stop?.();
}
process.exit(exitCode);
