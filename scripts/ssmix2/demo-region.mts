/**
 * SS-MIX2 standardized storage trees for the demo region (and the import benchmark): chronic
 * outpatients with visits every 4–8 weeks and repeat prescriptions, lab panels with believable
 * trends (JLAC10), some admissions with injection orders and administrations, imaging orders,
 * diagnoses, and ADT-00 demographics with Japanese names and 長野県 addresses.
 *
 * Deterministic: the same seed and end date give the same files. Pure file output, no database.
 * Images are not written: SS-MIX2 standardized storage has no data type for image files (studies
 * are referenced by the OMG orders only).
 *
 * Drug codes are in the HOT9 format, diagnosis codes are local codes with their ICD-10, and exam
 * codes follow the JJ1017 layout: demo master data, to be checked against the MEDIS masters before
 * anyone relies on them.
 */
import fs from "node:fs";
import path from "node:path";
import {
  composeAdministration,
  composeAdmissionEvent,
  composeDiagnoses,
  composeImagingOrder,
  composeLabResult,
  composeMedicationOrder,
  composePatientInfo,
  isJisEncodable,
  ssmix2Path,
  type TDiagnosis,
  type THl7Context,
  type THl7Doctor,
  type TLabItem,
  type TRp,
} from "@/lib/clinical/ingest/hl7-writer";
import { FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES, MUNICIPALITIES, TOWNS } from "../bench/names.mts";

/* ---------------------------------------------------------------- options and results */

export type TDemoFacilityKind = "hospital" | "clinic";
export type TDemoSsmix2Facility = {
  /** the facility's code (the folder under outDir) */
  code: string;
  kind: TDemoFacilityKind;
  name: string;
  doctor: THl7Doctor;
};

/** The disclosing facilities of the demo region (prisma/seed.ts DEMO_FACILITIES 2000101 and 2000201). */
export const DEMO_SSMIX2_FACILITIES: TDemoSsmix2Facility[] = [
  { code: "2000101", kind: "hospital", name: "飯田中央病院", doctor: { id: "D0101", family: "医師", given: "一郎" } },
  { code: "2000201", kind: "clinic", name: "下伊那内科クリニック", doctor: { id: "D0201", family: "内科", given: "次郎" } },
];

export type TCondition = "HT" | "DM" | "DL" | "GERD" | "CKD" | "HU";

export type TDemoPerson = {
  /** "P0001": the same person at every facility */
  key: string;
  /** "南 信太郎" (family and given name separated by a space, as registration takes them) */
  nameKanji: string;
  nameKana: string;
  sex: "MALE" | "FEMALE";
  /** yyyy-mm-dd */
  birthDate: string;
  postalCode: string;
  address: string;
  phone: string;
  conditions: TCondition[];
  /** facility code → the facility's patient ID */
  ids: Record<string, string>;
};

export type TGenerateOptions = {
  /** each facility's tree goes to outDir/<facility code> */
  outDir: string;
  /** persons in the region (default 200); with maxMessages, the cap on messages decides */
  patients?: number;
  /** years of history up to `end` (default 3) */
  years?: number;
  /** last day of the history, yyyy-mm-dd (default: today in Japan) */
  end?: string;
  seed?: number;
  facilities?: TDemoSsmix2Facility[];
  /** stop after this many message files in all (the benchmark's size) */
  maxMessages?: number;
  /** remove the facilities' folders first (default true) */
  clean?: boolean;
};

export type TGenerateResult = {
  persons: TDemoPerson[];
  facilities: { code: string; root: string; patients: number; messages: number; bytes: number; byDataType: Record<string, number> }[];
  messages: number;
  ms: number;
};

/* ---------------------------------------------------------------- random and dates */

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    range: (lo: number, hi: number) => lo + next() * (hi - lo),
    chance: (p: number) => next() < p,
    pick: <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** about normal, mean 0, sd 1 */
    gauss: () => (next() + next() + next() + next() + next() + next() - 3) * Math.SQRT2,
  };
}
type TRandom = ReturnType<typeof prng>;

const DAY = 86_400_000;
/** Japan calendar day number (days since 1970-01-01) */
const dayOf = (ymd: string) => Math.floor(Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7)) - 1, Number(ymd.slice(8, 10))) / DAY);
/** The instant of a Japan wall-clock time on a day. */
const at = (day: number, h: number, m = 0, s = 0, ms = 0) => new Date(day * DAY + ((h - 9) * 3600 + m * 60 + s) * 1000 + ms);
const p2 = (n: number) => String(n).padStart(2, "0");
const ymd8 = (day: number) => {
  const d = new Date(day * DAY);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`;
};
/** yyyymmddHHMMSSfff in Japan time */
const stamp = (t: Date) => {
  const j = new Date(t.getTime() + 9 * 3600_000);
  return `${j.getUTCFullYear()}${p2(j.getUTCMonth() + 1)}${p2(j.getUTCDate())}${p2(j.getUTCHours())}${p2(j.getUTCMinutes())}${p2(j.getUTCSeconds())}${String(j.getUTCMilliseconds()).padStart(3, "0")}`;
};
const todayJapan = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

/* ---------------------------------------------------------------- master data */

type TCode = { code: string; name: string; system?: string };
const TAB = { code: "TAB", name: "錠" };
const PO = { code: "PO", name: "口" };
const IV = { code: "IV", name: "静脈内" };
const SC = { code: "SC", name: "皮下" };
const USAGE = {
  morning: { code: "1011040000000000", name: "内服・経口・１日１回朝食後" },
  evening: { code: "1011000400000000", name: "内服・経口・１日１回夕食後" },
  twice: { code: "1012040400000000", name: "内服・経口・１日２回朝夕食後" },
  thrice: { code: "1013044400000000", name: "内服・経口・１日３回朝昼夕食後" },
  drip: { code: "3000000000000000", name: "注射・点滴静注" },
  subcut: { code: "3100000000000000", name: "注射・皮下注" },
};

type TDrug = { drug: TCode; dose: number; usage: TCode; perDay: number };
/** Oral drugs by condition: the first fits most patients, the rest are alternatives or add-ons. */
const DRUGS: Record<TCondition, TDrug[]> = {
  HT: [
    { drug: { code: "112834101", name: "アムロジピン錠5mg" }, dose: 1, usage: USAGE.morning, perDay: 1 },
    { drug: { code: "118521601", name: "テルミサルタン錠40mg" }, dose: 1, usage: USAGE.morning, perDay: 1 },
    { drug: { code: "114706401", name: "カンデサルタン錠8mg" }, dose: 1, usage: USAGE.morning, perDay: 1 },
  ],
  DM: [
    { drug: { code: "106239101", name: "メトホルミン塩酸塩錠250mg" }, dose: 1, usage: USAGE.twice, perDay: 2 },
    { drug: { code: "118693401", name: "シタグリプチン錠50mg" }, dose: 1, usage: USAGE.morning, perDay: 1 },
  ],
  DL: [
    { drug: { code: "116232401", name: "ロスバスタチン錠2.5mg" }, dose: 1, usage: USAGE.evening, perDay: 1 },
    { drug: { code: "113415101", name: "アトルバスタチン錠10mg" }, dose: 1, usage: USAGE.evening, perDay: 1 },
  ],
  GERD: [{ drug: { code: "111822501", name: "ランソプラゾールOD錠15mg" }, dose: 1, usage: USAGE.morning, perDay: 1 }],
  CKD: [{ drug: { code: "105896701", name: "炭酸水素ナトリウム錠500mg" }, dose: 1, usage: USAGE.thrice, perDay: 3 }],
  HU: [{ drug: { code: "121540501", name: "フェブキソスタット錠10mg" }, dose: 1, usage: USAGE.morning, perDay: 1 }],
};

const DIAGNOSES: Record<TCondition, { code: string; name: string; icd10: string }> = {
  HT: { code: "8833421", name: "高血圧症", icd10: "I10" },
  DM: { code: "8846765", name: "２型糖尿病", icd10: "E119" },
  DL: { code: "8846587", name: "脂質異常症", icd10: "E785" },
  GERD: { code: "8843851", name: "逆流性食道炎", icd10: "K210" },
  CKD: { code: "8849375", name: "慢性腎臓病", icd10: "N189" },
  HU: { code: "8843963", name: "高尿酸血症", icd10: "E790" },
};

type TAdmissionKind = { reason: { code: string; name: string; icd10: string }; injections: { drug: TCode; dose: number; unit: TCode; rate?: string }[]; route: TCode; usage: TCode; days: [number, number] };
const ADMISSIONS: TAdmissionKind[] = [
  {
    reason: { code: "8838853", name: "肺炎", icd10: "J189" },
    injections: [
      { drug: { code: "620008401", name: "セフトリアキソンナトリウム静注用1g" }, dose: 1, unit: { code: "VIL", name: "瓶" } },
      { drug: { code: "620007601", name: "生理食塩液100mL" }, dose: 1, unit: { code: "BTL", name: "本" }, rate: "200ml/hr" },
    ],
    route: IV,
    usage: USAGE.drip,
    days: [6, 14],
  },
  {
    reason: { code: "8834301", name: "うっ血性心不全", icd10: "I500" },
    injections: [{ drug: { code: "620004501", name: "フロセミド注20mg" }, dose: 1, unit: { code: "AMP", name: "アンプル" } }],
    route: IV,
    usage: USAGE.drip,
    days: [7, 18],
  },
  {
    reason: { code: "8846766", name: "２型糖尿病・血糖コントロール不良", icd10: "E116" },
    injections: [{ drug: { code: "620009301", name: "ヒューマリンR注100単位/mL" }, dose: 4, unit: { code: "UNT", name: "単位" } }],
    route: SC,
    usage: USAGE.subcut,
    days: [10, 14],
  },
];
const DRIP = { drug: { code: "620007329", name: "ソルデム3A輸液500mL" }, dose: 1, unit: { code: "BTL", name: "本" }, rate: "100ml/hr" };

/** JLAC10 (analyte 5, identification 4, material 3, method 3, result 2) */
const LAB = {
  HbA1c: { code: "3D046000001906202", name: "HbA1c(NGSP)", unit: "%", decimals: 1 },
  GLU: { code: "3D010000001926101", name: "血糖", unit: "mg/dL", decimals: 0 },
  LDL: { code: "3F077000002327101", name: "LDL-C", unit: "mg/dL", decimals: 0 },
  HDL: { code: "3F070000002327101", name: "HDL-C", unit: "mg/dL", decimals: 0 },
  TG: { code: "3F015000002327101", name: "中性脂肪", unit: "mg/dL", decimals: 0 },
  AST: { code: "3B035000002327201", name: "AST", unit: "U/L", decimals: 0 },
  ALT: { code: "3B045000002327201", name: "ALT", unit: "U/L", decimals: 0 },
  CRE: { code: "3C015000002327101", name: "クレアチニン", unit: "mg/dL", decimals: 2 },
  EGFR: { code: "8A065000002391901", name: "eGFR", unit: "mL/min/1.73m2", decimals: 1 },
  UA: { code: "3C020000002327101", name: "尿酸", unit: "mg/dL", decimals: 1 },
  HB: { code: "2A030000001930101", name: "Hb", unit: "g/dL", decimals: 1 },
} as const;
type TLabKey = keyof typeof LAB;
/** JCCLS common reference ranges [low, high] by sex */
const RANGE: Record<TLabKey, { M: [number, number | null]; F: [number, number | null] }> = {
  HbA1c: { M: [4.9, 6.0], F: [4.9, 6.0] },
  GLU: { M: [73, 109], F: [73, 109] },
  LDL: { M: [65, 163], F: [65, 163] },
  HDL: { M: [38, 90], F: [48, 103] },
  TG: { M: [40, 234], F: [30, 117] },
  AST: { M: [13, 30], F: [13, 30] },
  ALT: { M: [10, 42], F: [7, 23] },
  CRE: { M: [0.65, 1.07], F: [0.46, 0.79] },
  EGFR: { M: [60, null], F: [60, null] },
  UA: { M: [3.7, 7.8], F: [2.6, 5.5] },
  HB: { M: [13.7, 16.8], F: [11.6, 14.8] },
};

const IMAGING = {
  chest: { order: { code: "1000000000000000", name: "Ｘ線単純撮影" }, exams: [{ code: { code: "10000002000102000000010000000000", name: "胸部.Ｘ線単純撮影.立位正面(P→A)" } }], reason: "経過観察" },
  abdomenCt: { order: { code: "2000000000000000", name: "ＣＴ" }, exams: [{ code: { code: "20000002500100000000010000000000", name: "腹部.ＣＴ.単純" } }], reason: "腹部精査" },
  headMri: { order: { code: "3000000000000000", name: "ＭＲＩ" }, exams: [{ code: { code: "30000001000100000000010000000000", name: "頭部.ＭＲＩ.単純" } }], reason: "めまい精査" },
};

const ALLERGENS = [
  { type: { code: "DA", name: "薬剤アレルギー" }, allergen: { code: "1", name: "ペニシリン" } },
  { type: { code: "DA", name: "薬剤アレルギー" }, allergen: { code: "2", name: "ヨード造影剤" } },
  { type: { code: "FA", name: "食物アレルギー" }, allergen: { code: "3", name: "そば" } },
];

/* ---------------------------------------------------------------- persons */

type TLatent = {
  hba1c0: number;
  hba1cTarget: number;
  ldl0: number;
  ldlTarget: number;
  hdl: number;
  tg: number;
  cre0: number;
  creSlope: number;
  ast: number;
  alt: number;
  hb: number;
  ua: number;
  height: number;
  weight: number;
};
type TPerson = TDemoPerson & { birthDay: number; age: number; latent: TLatent; sexCode: "M" | "F"; kanji: [string, string]; kana: [string, string]; blood: "A" | "B" | "O" | "AB"; allergy: (typeof ALLERGENS)[number] | null };

function makePerson(rnd: TRandom, i: number, endDay: number): TPerson {
  const male = rnd.chance(0.5);
  const fam = FAMILY_NAMES[Math.floor(Math.pow(rnd.next(), 1.3) * FAMILY_NAMES.length)]!;
  const given = rnd.pick(male ? MALE_GIVEN_NAMES : FEMALE_GIVEN_NAMES);
  const age = Math.min(95, Math.max(35, Math.round(70 + rnd.gauss() * 11)));
  const endYear = new Date(endDay * DAY).getUTCFullYear();
  const birthYear = endYear - age;
  const birthDay = Math.floor(Date.UTC(birthYear, rnd.int(0, 11), rnd.int(1, 28)) / DAY);
  const [city, postal] = rnd.pick(MUNICIPALITIES);
  const conditions = new Set<TCondition>();
  if (rnd.chance(0.7)) conditions.add("HT");
  if (rnd.chance(0.4)) conditions.add("DM");
  if (rnd.chance(0.5)) conditions.add("DL");
  if (rnd.chance(0.2)) conditions.add("GERD");
  if ((conditions.has("HT") || conditions.has("DM")) && rnd.chance(0.2)) conditions.add("CKD");
  if (male && rnd.chance(0.15)) conditions.add("HU");
  if (conditions.size === 0) conditions.add(rnd.pick(["HT", "DL", "GERD"] as const));
  const dm = conditions.has("DM");
  const ckd = conditions.has("CKD");
  const height = male ? rnd.range(156, 178) : rnd.range(144, 162);
  const latent: TLatent = {
    hba1c0: dm ? rnd.range(7.0, 9.6) : rnd.range(5.2, 6.0),
    hba1cTarget: dm ? rnd.range(6.4, 7.4) : 0,
    ldl0: conditions.has("DL") ? rnd.range(150, 205) : rnd.range(85, 140),
    ldlTarget: rnd.range(80, 118),
    hdl: male ? rnd.range(38, 65) : rnd.range(45, 78),
    tg: rnd.range(70, 230),
    cre0: (male ? rnd.range(0.75, 1.1) : rnd.range(0.52, 0.8)) * (ckd ? rnd.range(1.5, 2.1) : 1),
    creSlope: ckd ? rnd.range(0.04, 0.12) : rnd.range(0, 0.02),
    ast: rnd.range(16, 28),
    alt: male ? rnd.range(12, 32) : rnd.range(9, 22),
    hb: (male ? rnd.range(13.4, 15.6) : rnd.range(11.6, 13.6)) - (ckd ? 1 : 0),
    ua: male ? rnd.range(5.0, 8.6) : rnd.range(3.6, 6.0),
    height,
    weight: ((height / 100) ** 2) * rnd.range(19, 29),
  };
  const p: TPerson = {
    key: `P${String(i + 1).padStart(4, "0")}`,
    nameKanji: `${fam[0]} ${given[0]}`,
    nameKana: `${fam[1]} ${given[1]}`,
    sex: male ? "MALE" : "FEMALE",
    birthDate: new Date(birthDay * DAY).toISOString().slice(0, 10),
    postalCode: `${postal.slice(0, 3)}-${postal.slice(3)}${p2(rnd.int(0, 99))}`,
    address: `${city}${rnd.pick(TOWNS)}${rnd.int(1, 30)}-${rnd.int(1, 40)}`,
    phone: `0265-${p2(rnd.int(20, 99))}-${String(rnd.int(0, 9999)).padStart(4, "0")}`,
    conditions: [...conditions],
    ids: {},
    birthDay,
    age,
    latent,
    sexCode: male ? "M" : "F",
    kanji: [fam[0], given[0]],
    kana: [fam[1], given[1]],
    blood: rnd.pick(["A", "A", "A", "O", "O", "B", "B", "AB"] as const),
    allergy: rnd.chance(0.1) ? rnd.pick(ALLERGENS) : null,
  };
  if (!isJisEncodable(p.nameKanji + p.address)) throw new Error(`demo name or address outside JIS X 0208: ${p.nameKanji} ${p.address}`);
  return p;
}

/* ---------------------------------------------------------------- the tree writer */

class TreeWriter {
  readonly dirs = new Set<string>();
  messages = 0;
  bytes = 0;
  readonly byDataType: Record<string, number> = {};
  constructor(
    readonly root: string,
    readonly budget: { left: number },
  ) {}
  get full() {
    return this.budget.left <= 0;
  }
  write(parts: Parameters<typeof ssmix2Path>[0], bytes: () => Uint8Array): void {
    if (this.budget.left <= 0) return;
    const f = ssmix2Path(parts);
    const dir = path.join(this.root, f.dir);
    if (!this.dirs.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    const b = bytes();
    fs.writeFileSync(path.join(dir, f.name), b);
    this.budget.left--;
    this.messages++;
    this.bytes += b.byteLength;
    this.byDataType[parts.dataType] = (this.byDataType[parts.dataType] ?? 0) + 1;
  }
}

type TFacilityState = { spec: TDemoSsmix2Facility; writer: TreeWriter; order: number; patients: number; prefix: string };

function nextOrder(fs_: TFacilityState, step = 1): string {
  fs_.order += step;
  return `${fs_.prefix}${String(fs_.order).padStart(14, "0")}`;
}

const ageAt = (p: TPerson, day: number) => Math.floor((day - p.birthDay) / 365.25);

/** A lab value for the person on a day (days since the first visit), with its flag. */
function labItem(p: TPerson, key: TLabKey, value: number): TLabItem {
  const def = LAB[key];
  const [lo, hi] = RANGE[key][p.sexCode];
  const v = Number(value.toFixed(def.decimals));
  const flag = v < lo ? "L" : hi !== null && v > hi ? "H" : null;
  const range = hi === null ? `${lo}-` : `${lo}-${hi}`;
  return { code: { code: def.code, name: def.name }, value: v, decimals: def.decimals, unit: def.unit, range, flag };
}

function labPanel(rnd: TRandom, p: TPerson, dayInCare: number, full: boolean, ageNow: number): TLabItem[] {
  const L = p.latent;
  const years = dayInCare / 365;
  const items: TLabItem[] = [];
  const dm = p.conditions.includes("DM");
  // treatment brings HbA1c and LDL-C toward their targets over months
  const hba1c = dm ? L.hba1cTarget + (L.hba1c0 - L.hba1cTarget) * Math.exp(-dayInCare / 150) + rnd.gauss() * 0.2 : L.hba1c0 + years * 0.03 + rnd.gauss() * 0.1;
  const glu = 28.7 * hba1c - 62 + rnd.gauss() * 10; // fasting: a little under the HbA1c-estimated average
  if (dm || full) items.push(labItem(p, "HbA1c", hba1c), labItem(p, "GLU", glu));
  if (!full) return items;
  const ldl = p.conditions.includes("DL") ? L.ldlTarget + (L.ldl0 - L.ldlTarget) * Math.exp(-dayInCare / 45) + rnd.gauss() * 8 : L.ldl0 + rnd.gauss() * 10;
  const spike = rnd.chance(0.03) ? rnd.range(2, 3.5) : 1;
  const cre = Math.max(0.35, L.cre0 + L.creSlope * years + rnd.gauss() * 0.04);
  const egfr = 194 * Math.pow(cre, -1.094) * Math.pow(ageNow, -0.287) * (p.sexCode === "F" ? 0.739 : 1);
  items.push(
    labItem(p, "LDL", ldl),
    labItem(p, "HDL", L.hdl + rnd.gauss() * 4),
    labItem(p, "TG", Math.max(30, L.tg + rnd.gauss() * 30)),
    labItem(p, "AST", (L.ast + rnd.gauss() * 3) * spike),
    labItem(p, "ALT", (L.alt + rnd.gauss() * 5) * spike),
    labItem(p, "CRE", cre),
    labItem(p, "EGFR", egfr),
    labItem(p, "HB", L.hb - years * 0.15 + rnd.gauss() * 0.3),
  );
  if (p.conditions.includes("HU")) items.push(labItem(p, "UA", Math.max(3, L.ua - Math.min(2, dayInCare / 120) + rnd.gauss() * 0.4)));
  return items;
}

function regimen(rnd: TRandom, p: TPerson): TDrug[] {
  const out: TDrug[] = [];
  for (const c of p.conditions) {
    const list = DRUGS[c];
    out.push(rnd.chance(0.7) ? list[0]! : rnd.pick(list));
    if (c === "DM" && rnd.chance(0.35) && list[1] && !out.includes(list[1])) out.push(list[1]);
  }
  return out;
}

/** Rp: drugs of the same usage together. */
function rps(drugs: TDrug[], days: number): TRp[] {
  const byUsage = new Map<string, TDrug[]>();
  for (const d of drugs) byUsage.set(d.usage.code, [...(byUsage.get(d.usage.code) ?? []), d]);
  return [...byUsage.values()].map((ds, i) => ({
    rp: String(i + 1),
    drugs: ds.map((d) => ({ drug: { ...d.drug, system: "HOT9" }, dose: d.dose, unit: TAB, dispenseAmount: d.dose * d.perDay * days })),
    usage: ds[0]!.usage,
    days,
    route: PO,
  }));
}

/** One person's history at one facility. */
function writeHistory(rnd: TRandom, fst: TFacilityState, p: TPerson, facilityPatientId: string, window: { start: number; end: number }): void {
  const w = fst.writer;
  const spec = fst.spec;
  const hospital = spec.kind === "hospital";
  const patient = {
    id: facilityPatientId,
    nameKanji: p.kanji,
    nameKana: p.kana,
    birthDate: ymd8(p.birthDay),
    sex: p.sexCode,
    postalCode: p.postalCode,
    address: p.address,
    phone: p.phone,
  };
  const dept = { code: "01", name: "内科" };
  const outpatient = { patientClass: "O" as const, department: "01", doctor: spec.doctor };
  let seq = 0;
  const header = (t: Date) => ({ at: t, controlId: `${stamp(t).slice(0, 14)}${String(++seq).padStart(4, "0")}`, sendingApplication: hospital ? "HIS" : "EMR", sendingFacility: spec.code });
  const ctx = (t: Date, visit: THl7Context["visit"] = outpatient): THl7Context => ({ header: header(t), patient: { ...patient, updatedAt: null }, visit, facilityName: spec.name, department: dept });

  const first = window.start + rnd.int(0, 56);
  const drugs = regimen(rnd, p);

  // ADT-00 at the first visit; a later update for some (a new phone number)
  const adt00 = (t: Date, phone: string) =>
    w.write({ patientId: facilityPatientId, careDate: null, dataType: "ADT-00", timestamp: stamp(t) }, () =>
      composePatientInfo(
        { ...ctx(t), patient: { ...patient, phone, updatedAt: t } },
        { recordedAt: t, heightCm: Math.round(p.latent.height * 10) / 10, weightKg: Math.round(p.latent.weight * 10) / 10, aboBloodType: p.blood, allergies: p.allergy ? [p.allergy] : [] },
      ),
    );
  adt00(at(first, 8, 40, rnd.int(0, 59), rnd.int(0, 999)), p.phone);
  if (rnd.chance(0.1)) adt00(at(window.end - rnd.int(10, 200), 10, 5, 0, rnd.int(0, 999)), `090-${String(rnd.int(0, 9999)).padStart(4, "0")}-${String(rnd.int(0, 9999)).padStart(4, "0")}`);

  // diagnoses: one PPR-01 message with every problem, as of the last change
  const problems: TDiagnosis[] = p.conditions.map((c, i) => ({
    instanceId: `${facilityPatientId}${String(i + 1).padStart(3, "0")}`,
    code: { code: DIAGNOSES[c].code, name: DIAGNOSES[c].name, system: "99XYZ" },
    icd10: DIAGNOSES[c].icd10,
    startDate: ymd8(first - rnd.int(0, 2000)),
    main: i === 0,
  }));

  // admissions (hospital): about one patient in five, once
  const admissions: { start: number; end: number; kind: TAdmissionKind }[] = [];
  if (hospital && rnd.chance(0.2)) {
    const kind = p.conditions.includes("DM") && rnd.chance(0.3) ? ADMISSIONS[2]! : rnd.pick(ADMISSIONS.slice(0, 2));
    const start = rnd.int(first + 60, Math.max(first + 61, window.end - 30));
    const end = start + rnd.int(kind.days[0], kind.days[1]);
    if (end <= window.end) admissions.push({ start, end, kind });
  }
  if (admissions[0]) {
    const kind = admissions[0].kind;
    const start = admissions[0].start;
    problems.push({
      instanceId: `${facilityPatientId}${String(problems.length + 1).padStart(3, "0")}`,
      code: { code: kind.reason.code, name: kind.reason.name, system: "99XYZ" },
      icd10: kind.reason.icd10,
      startDate: ymd8(start),
      endDate: ymd8(admissions[0].end),
    });
  }
  const lastChange = Math.max(first, ...admissions.map((a) => a.end));
  const tDx = at(lastChange, 17, 30, rnd.int(0, 59), rnd.int(0, 999));
  w.write({ patientId: facilityPatientId, careDate: null, dataType: "PPR-01", timestamp: stamp(tDx), department: "01" }, () => composeDiagnoses(ctx(tDx), { recordedAt: tDx, problems }));

  // outpatient visits every 4–8 weeks
  let day = first;
  let visit = 0;
  let lastFull = -999;
  const inAdmission = (d: number) => admissions.some((a) => d >= a.start - 3 && d <= a.end + 3);
  while (day <= window.end && !w.full) {
    if (!inAdmission(day)) {
      const weeks = rnd.pick([4, 4, 4, 6, 6, 8]);
      const careDate = ymd8(day);
      const tOrder = at(day, rnd.int(9, 11), rnd.int(0, 59), rnd.int(0, 59));
      const orderNumber = nextOrder(fst);
      w.write({ patientId: facilityPatientId, careDate, dataType: "OMP-01", orderNumber, timestamp: stamp(new Date(tOrder.getTime() + 90_000 + rnd.int(0, 999))), department: "01" }, () =>
        composeMedicationOrder(ctx(tOrder), { orderNumber, orderedAt: tOrder, rps: rps(drugs, weeks * 7) }),
      );
      // labs: HbA1c for diabetics at every visit, a full panel about every 3 months
      const full = day - lastFull >= 80 || visit === 0;
      if (full || p.conditions.includes("DM")) {
        if (full) lastFull = day;
        const tDraw = at(day, 8, rnd.int(30, 59));
        const tReport = at(day, 10, rnd.int(0, 59), rnd.int(0, 59));
        const labOrder = nextOrder(fst);
        const items = labPanel(rnd, p, day - first, full, ageAt(p, day));
        w.write({ patientId: facilityPatientId, careDate, dataType: "OML-11", orderNumber: labOrder, timestamp: stamp(new Date(tReport.getTime() + rnd.int(0, 59_999))), department: "01" }, () =>
          composeLabResult(ctx(tReport), {
            orderNumber: labOrder,
            specimenNumber: `${careDate.slice(2)}${String(fst.order % 100000).padStart(5, "0")}`,
            specimen: { code: "023", name: "血清" },
            group: { code: "L001", name: "生化学・血液学検査" },
            collectedAt: tDraw,
            reportedAt: tReport,
            items,
          }),
        );
      }
      // imaging (hospital): a yearly chest X-ray, the odd CT or MRI
      if (hospital && (visit % 8 === 3 || rnd.chance(0.03))) {
        const kind = visit % 8 === 3 ? IMAGING.chest : rnd.chance(0.6) ? IMAGING.abdomenCt : IMAGING.headMri;
        const tImg = at(day, 9, rnd.int(0, 59), rnd.int(0, 59));
        const imgOrder = nextOrder(fst, 100);
        w.write({ patientId: facilityPatientId, careDate, dataType: "OMG-01", orderNumber: imgOrder, timestamp: stamp(new Date(tImg.getTime() + rnd.int(1000, 60_000))), department: "01" }, () =>
          composeImagingOrder(ctx(tImg), { orderNumber: imgOrder, orderedAt: tImg, order: kind.order, exams: kind.exams, reason: kind.reason }),
        );
      }
      visit++;
      day += weeks * 7 + rnd.int(-3, 3);
    } else day += 7;
  }

  for (const a of admissions) writeAdmission(rnd, fst, p, facilityPatientId, a, drugs, ctx);
}

function writeAdmission(
  rnd: TRandom,
  fst: TFacilityState,
  p: TPerson,
  facilityPatientId: string,
  a: { start: number; end: number; kind: TAdmissionKind },
  drugs: TDrug[],
  ctx: (t: Date, visit?: THl7Context["visit"]) => THl7Context,
): void {
  const w = fst.writer;
  const ward = { ward: rnd.pick(["3E", "4W", "5E"]), room: String(rnd.int(301, 320)), bed: String(rnd.int(1, 4)) };
  const inpatient = { patientClass: "I" as const, location: ward, department: "01", doctor: fst.spec.doctor };
  const tIn = at(a.start, rnd.int(10, 15), rnd.int(0, 59));
  const tOut = at(a.end, rnd.int(10, 11), rnd.int(0, 59));
  w.write({ patientId: facilityPatientId, careDate: ymd8(a.start), dataType: "ADT-22", timestamp: stamp(new Date(tIn.getTime() + rnd.int(60_000, 600_000))), department: "01" }, () =>
    composeAdmissionEvent(ctx(tIn, { ...inpatient, admittedAt: tIn }), { event: "admit", recordedAt: tIn, at: tIn }),
  );
  // inpatient oral medicines: one order, then a 処方実施 each morning
  const oralOrder = nextOrder(fst);
  const tOral = at(a.start, 16, rnd.int(0, 59));
  const stay = a.end - a.start;
  w.write({ patientId: facilityPatientId, careDate: ymd8(a.start), dataType: "OMP-01", orderNumber: oralOrder, timestamp: stamp(new Date(tOral.getTime() + rnd.int(1000, 60_000))), department: "01" }, () =>
    composeMedicationOrder(ctx(tOral, inpatient), { orderNumber: oralOrder, orderedAt: tOral, rps: rps(drugs, stay) }),
  );
  // injections: an order every 3 days, each day's administration recorded
  let injOrder = "";
  let tInjOrder = tIn;
  for (let d = a.start; d < a.end && !w.full; d++) {
    const careDate = ymd8(d);
    if ((d - a.start) % 3 === 0) {
      injOrder = nextOrder(fst);
      tInjOrder = at(d, d === a.start ? 16 : 11, rnd.int(0, 59), rnd.int(0, 59));
      const days = Math.min(3, a.end - d);
      const o = injOrder;
      const t = tInjOrder;
      w.write({ patientId: facilityPatientId, careDate, dataType: "OMP-02", orderNumber: o, timestamp: stamp(new Date(t.getTime() + rnd.int(1000, 60_000))), department: "01" }, () =>
        composeMedicationOrder(ctx(t, inpatient), {
          injection: true,
          orderNumber: o,
          orderedAt: t,
          rps: [...a.kind.injections, DRIP].map((inj, i) => ({
            rp: String(i + 1),
            drugs: [{ drug: { ...inj.drug, system: "HOT9" }, dose: inj.dose, unit: inj.unit, dispenseAmount: inj.dose * days }],
            usage: inj === DRIP ? USAGE.drip : a.kind.usage,
            days,
            start: at(d + (d === a.start ? 0 : 1), 9),
            end: at(d + days, 9),
            route: inj === DRIP ? IV : a.kind.route,
            instruction: inj.rate ? `${inj.rate}で投与` : null,
          })),
        }),
      );
    }
    const tGiven = at(d, d === a.start ? 17 : 9, rnd.int(0, 40));
    const tDone = new Date(tGiven.getTime() + rnd.int(60, 300) * 60_000);
    const o = injOrder;
    const ot = tInjOrder;
    w.write({ patientId: facilityPatientId, careDate, dataType: "OMP-12", orderNumber: nextOrder(fst), timestamp: stamp(new Date(tDone.getTime() + rnd.int(1000, 60_000))), department: "01" }, () =>
      composeAdministration(ctx(tDone, inpatient), {
        orderNumber: o,
        orderedAt: ot,
        route: a.kind.route,
        nurse: { id: "N0101", family: "看護", given: "花子" },
        items: [...a.kind.injections, DRIP].map((inj) => ({ drug: { ...inj.drug, system: "HOT9" }, dose: inj.dose, unit: inj.unit, start: tGiven, end: tDone, rate: inj.rate ?? null, note: inj === DRIP ? "左前腕に実施" : null })),
      }),
    );
    if (d > a.start) {
      const tMed = at(d, 8, rnd.int(0, 30));
      w.write({ patientId: facilityPatientId, careDate, dataType: "OMP-11", orderNumber: nextOrder(fst), timestamp: stamp(new Date(tMed.getTime() + rnd.int(1000, 600_000))), department: "01" }, () =>
        composeAdministration(ctx(tMed, inpatient), {
          orderNumber: oralOrder,
          orderedAt: tOral,
          route: PO,
          nurse: { id: "N0101", family: "看護", given: "花子" },
          items: drugs.map((dr) => ({ drug: { ...dr.drug, system: "HOT9" }, dose: dr.dose, unit: TAB, start: tMed })),
        }),
      );
    }
  }
  // admission and discharge labs
  for (const d of [a.start, a.end - 1]) {
    const tDraw = at(d, 6, rnd.int(0, 59));
    const tReport = at(d, 9, rnd.int(0, 59), rnd.int(0, 59));
    const labOrder = nextOrder(fst);
    const careDate = ymd8(d);
    w.write({ patientId: facilityPatientId, careDate, dataType: "OML-11", orderNumber: labOrder, timestamp: stamp(new Date(tReport.getTime() + rnd.int(0, 59_999))), department: "01" }, () =>
      composeLabResult(ctx(tReport, inpatient), {
        orderNumber: labOrder,
        specimenNumber: `${careDate.slice(2)}${String(fst.order % 100000).padStart(5, "0")}`,
        specimen: { code: "023", name: "血清" },
        group: { code: "L001", name: "生化学・血液学検査" },
        collectedAt: tDraw,
        reportedAt: tReport,
        items: labPanel(rnd, p, d - a.start + 365, true, ageAt(p, d)),
      }),
    );
  }
  w.write({ patientId: facilityPatientId, careDate: ymd8(a.end), dataType: "ADT-52", timestamp: stamp(new Date(tOut.getTime() + rnd.int(60_000, 600_000))), department: "01" }, () =>
    composeAdmissionEvent(ctx(tOut, { ...inpatient, admittedAt: tIn, dischargedAt: tOut }), { event: "discharge", recordedAt: tOut, at: tOut }),
  );
}

/* ---------------------------------------------------------------- entry point */

/**
 * Writes one SS-MIX2 storage tree per facility under outDir/<code> and returns the persons (with
 * their facility patient IDs) so a seed can register some of them. Hospital IDs are 7 digits from
 * 1000001, clinic IDs "C" + 6 digits from C100001. About a quarter of the persons are patients of
 * both facilities.
 */
export function generateDemoSsmix2(opts: TGenerateOptions): TGenerateResult {
  const t0 = performance.now();
  const facilities = opts.facilities ?? DEMO_SSMIX2_FACILITIES;
  const endDay = dayOf(opts.end ?? todayJapan());
  const window = { start: endDay - Math.round((opts.years ?? 3) * 365), end: endDay };
  const budget = { left: opts.maxMessages ?? Number.POSITIVE_INFINITY };
  const limit = opts.patients ?? (opts.maxMessages ? Number.POSITIVE_INFINITY : 200);
  const rnd = prng(opts.seed ?? 20250401);
  const states: TFacilityState[] = facilities.map((spec, i) => {
    const root = path.join(opts.outDir, spec.code);
    if (opts.clean ?? true) fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root, { recursive: true });
    return { spec, writer: new TreeWriter(root, budget), order: 0, patients: 0, prefix: String(i + 1) };
  });
  const counters = { hospital: 0, clinic: 0 };
  const persons: TDemoPerson[] = [];
  for (let i = 0; i < limit && budget.left > 0; i++) {
    const p = makePerson(rnd, i, endDay);
    // where the person is a patient: hospital only, clinic only, or both
    const roll = rnd.next();
    const homes: TFacilityState[] =
      states.length === 1 ? states : states.filter((s) => (s.spec.kind === "hospital" ? roll < 0.65 : roll >= 0.4));
    for (const s of homes) {
      const n = s.spec.kind === "hospital" ? ++counters.hospital : ++counters.clinic;
      const id = s.spec.kind === "hospital" ? String(1_000_000 + n) : `C${100_000 + n}`;
      p.ids[s.spec.code] = id;
      s.patients++;
      writeHistory(prng(Math.floor(rnd.next() * 2 ** 32)), s, p, id, window);
    }
    const { birthDay: _b, age: _a, latent: _l, sexCode: _s, kanji: _k, kana: _kn, blood: _bl, allergy: _al, ...person } = p;
    persons.push(person);
  }
  const out = states.map((s) => ({ code: s.spec.code, root: s.writer.root, patients: s.patients, messages: s.writer.messages, bytes: s.writer.bytes, byDataType: s.writer.byDataType }));
  return { persons, facilities: out, messages: out.reduce((n, f) => n + f.messages, 0), ms: performance.now() - t0 };
}
