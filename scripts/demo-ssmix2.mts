/**
 * Writes the demo region's SS-MIX2 standardized storage (one tree per disclosing demo facility):
 *
 *   node --import tsx --import ./scripts/node-hooks.mjs scripts/demo-ssmix2.mts --out .data/demo-ssmix2
 *       [--patients 200] [--years 3] [--end 2026-03-31] [--seed 20250401] [--persons persons.json]
 *
 * Trees go to <out>/<facility code>/<pid[0:3]>/<pid[3:6]>/<pid>/<care date>/<data type>/; the
 * persons (names, demographics, each facility's patient ID) are printed as a summary and, with
 * --persons, written as JSON. Import a tree with `npm run import:ssmix2 -- --facility 2000101 --root <out>/2000101`.
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateDemoSsmix2 } from "./ssmix2/demo-region.mts";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    patients: { type: "string", default: "200" },
    years: { type: "string", default: "3" },
    end: { type: "string" },
    seed: { type: "string", default: "20250401" },
    persons: { type: "string" },
  },
  strict: true,
});
if (!values.out) {
  process.stderr.write("usage: demo-ssmix2 --out <dir> [--patients 200] [--years 3] [--end yyyy-mm-dd] [--seed N] [--persons persons.json]\n");
  process.exit(2);
}
const patients = Number(values.patients);
const years = Number(values.years);
if (!Number.isInteger(patients) || patients < 1) throw new Error("--patients: a whole number of at least 1");
if (!(years > 0 && years <= 30)) throw new Error("--years: more than 0, at most 30");
if (values.end !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.end)) throw new Error("--end: yyyy-mm-dd");

const result = generateDemoSsmix2({ outDir: path.resolve(values.out), patients, years, end: values.end, seed: Number(values.seed) });
for (const f of result.facilities) {
  const kinds = Object.entries(f.byDataType)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  process.stdout.write(`${f.code}: ${f.patients} patients, ${f.messages} messages (${(f.bytes / 1024 / 1024).toFixed(1)} MB) in ${f.root}\n  ${kinds}\n`);
}
process.stdout.write(`${result.persons.length} persons, ${result.messages} messages in ${(result.ms / 1000).toFixed(1)} s\n`);
if (values.persons) {
  fs.writeFileSync(values.persons, JSON.stringify(result.persons, null, 2));
  process.stdout.write(`persons written to ${values.persons}\n`);
}
