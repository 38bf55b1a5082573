/**
 * FHIR R4 (JP Core) Bundles for the demo region: imaging reading reports (読影レポート), discharge
 * summaries (退院時サマリ) and yearly health check-ups (特定健診), for the patients of one facility
 * of the SS-MIX2 demo (scripts/ssmix2/demo-region.mts), to be imported through the FHIR path
 * (ingestFhirBundle → parseFhirBundle).
 *
 * One Bundle (type "collection") per document, each with the Patient identified by the facility
 * patient ID in the JP Core namespace (urn:oid:1.2.392.100495.20.3.51.1 + medical institution code).
 * Deterministic: the same persons, seed and end date give the same bundles. No file output.
 *
 * Check-up item codes follow the JLAC10 codes of the 特定健診 data standard, and the ranges its
 * 保健指導判定値: demo master data, to be checked against the official tables before anyone relies
 * on them.
 */
import fs from "node:fs";
import path from "node:path";
import { FHIR_SYSTEMS } from "@/lib/clinical/ingest/fhir";
import { prng, type TDemoPerson } from "../ssmix2/demo-region.mts";

export type TDemoDocumentOptions = {
  persons: TDemoPerson[];
  /** the facility whose patients get documents (persons[].ids[facilityCode]) */
  facilityCode: string;
  seed?: number;
  /** last day of the history, yyyy-mm-dd (default: today in Japan) */
  end?: string;
  /** years of history up to `end` (default 3) */
  years?: number;
  /** 10-digit medical institution code for the patient-ID system (default: the demo facilities' codes) */
  medicalInstitutionCode?: string;
};

export type TDemoDocument = { fileName: string; json: string };

/** prisma/seed.ts DEMO_FACILITIES: facility code → medical institution code */
const MEDICAL_INSTITUTION_CODES: Record<string, string> = { "2000101": "2010110001", "2000201": "2010210002" };

/* ---------------------------------------------------------------- random, dates, ids */

type TRandom = ReturnType<typeof prng>;

const DAY = 86_400_000;
const dayOf = (ymd: string) => Math.floor(Date.UTC(Number(ymd.slice(0, 4)), Number(ymd.slice(5, 7)) - 1, Number(ymd.slice(8, 10))) / DAY);
const p2 = (n: number) => String(n).padStart(2, "0");
const ymd = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
/** a Japan wall-clock time on a day, as FHIR dateTime text */
const dateTime = (day: number, h: number, m = 0) => `${ymd(day)}T${p2(h)}:${p2(m)}:00+09:00`;
const todayJapan = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const compact = (day: number) => ymd(day).replaceAll("-", "");

/** a version-4 shaped UUID from the random stream */
function uuid(rnd: TRandom): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd.next() * 16).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(rnd.next() * 4)]!;
  const h = hex.join("");
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** a stable 32-bit number from text (FNV-1a), to give every patient their own stream */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const round = (v: number, decimals: number) => Number(v.toFixed(decimals));
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/* ---------------------------------------------------------------- master data */

const LOINC = "http://loinc.org";
const V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074";
const OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
const INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const JP_DOC_TYPE = "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes";

type TExam = { name: string; modality: string; findings: Array<{ conclusion: string; findings: string }> };
const EXAMS: TExam[] = [
  {
    name: "胸部X線",
    modality: "CR",
    findings: [
      { conclusion: "両肺野に明らかな異常陰影を認めません。", findings: "両肺野に明らかな浸潤影、結節影を認めません。心胸郭比は48%で心拡大はありません。両側肋横隔膜角は鋭です。縦隔の拡大はありません。" },
      { conclusion: "心拡大を認めます（CTR 56%）。肺うっ血は目立ちません。", findings: "心胸郭比は56%と拡大しています。肺血管陰影の増強は軽度で、明らかな胸水は認めません。両肺野に浸潤影はありません。前回と比較して著変ありません。" },
      { conclusion: "右下肺野に浸潤影を認め、肺炎を疑います。", findings: "右下肺野に淡い浸潤影を認めます。右肋横隔膜角はやや鈍です。左肺野に明らかな異常はありません。心胸郭比は50%です。臨床所見と併せてご判断ください。" },
    ],
  },
  {
    name: "胸部CT",
    modality: "CT",
    findings: [
      { conclusion: "右上葉に5mm大の小結節を認めます。6か月後の経過観察をお勧めします。", findings: "右上葉S2に5mm大の充実性結節を認めます。辺縁は平滑です。その他の肺野に結節、浸潤影は認めません。縦隔、肺門リンパ節の腫大はありません。胸水はありません。" },
      { conclusion: "両肺に軽度の気腫性変化を認めます。悪性を疑う所見はありません。", findings: "両上葉優位に小葉中心性の気腫性変化を認めます。明らかな結節、腫瘤はありません。気管支壁の肥厚は軽度です。縦隔リンパ節の腫大はありません。" },
    ],
  },
  {
    name: "腹部CT",
    modality: "CT",
    findings: [
      { conclusion: "腹部に明らかな異常所見を認めません。", findings: "肝臓の形態、濃度に異常はありません。胆嚢、膵臓、脾臓、両側腎臓に明らかな異常を認めません。腹水はありません。腹部大動脈に軽度の石灰化を認めます。有意なリンパ節腫大はありません。" },
      { conclusion: "脂肪肝を認めます。胆嚢結石を認めます。", findings: "肝実質のCT値は脾臓より低下しており、脂肪肝の所見です。胆嚢内に10mm大の高吸収結石を認めます。胆嚢壁の肥厚はありません。膵臓、腎臓に異常はありません。" },
      { conclusion: "左腎に単純性嚢胞を認めます。経過観察で差し支えありません。", findings: "左腎下極に20mm大の境界明瞭な低吸収域を認め、単純性嚢胞と考えます。右腎に異常はありません。肝臓、胆嚢、膵臓、脾臓に明らかな異常はありません。" },
    ],
  },
  {
    name: "頭部MRI",
    modality: "MR",
    findings: [
      { conclusion: "年齢相応の変化のみで、急性期脳梗塞を認めません。", findings: "拡散強調像で急性期梗塞を示す高信号域はありません。両側大脳白質にT2強調像/FLAIRで小さな高信号域が散在し、慢性虚血性変化と考えます。脳室の拡大はありません。MRAで主幹動脈に有意狭窄はありません。" },
      { conclusion: "右基底核にラクナ梗塞（陳旧性）を認めます。", findings: "右基底核に径5mmのT2強調像高信号、FLAIRで辺縁高信号の病変を認め、陳旧性ラクナ梗塞と考えます。拡散強調像で新鮮病変はありません。脳萎縮は年齢相応です。" },
    ],
  },
];

const CONDITION_NAMES: Record<TDemoPerson["conditions"][number], string> = { HT: "高血圧症", DM: "２型糖尿病", DL: "脂質異常症", GERD: "逆流性食道炎", CKD: "慢性腎臓病", HU: "高尿酸血症" };

type TStay = { reason: string; days: [number, number]; course: string; medication: string };
const STAYS: TStay[] = [
  {
    reason: "肺炎",
    days: [7, 14],
    course: "発熱、咳嗽を主訴に受診し、胸部X線で右下肺野に浸潤影を認め入院。セフトリアキソン点滴にて加療し、解熱、炎症反応の改善を確認した。食事摂取良好で独歩にて自宅退院とした。",
    medication: "入院前の内服を継続。抗菌薬は退院時に終了。",
  },
  {
    reason: "うっ血性心不全",
    days: [8, 18],
    course: "労作時呼吸困難、下腿浮腫にて入院。フロセミド静注にて利尿を図り、体重は入院時より3kg減少した。心エコーで左室駆出率45%。塩分制限の指導を行い退院とした。",
    medication: "フロセミド錠20mg 1日1回朝食後を追加。",
  },
  {
    reason: "２型糖尿病（血糖コントロール目的）",
    days: [10, 14],
    course: "HbA1c高値のため血糖コントロールおよび教育目的に入院。インスリン強化療法の後、内服薬の調整を行った。栄養指導、運動療法の指導を実施した。低血糖なく経過し退院とした。",
    medication: "シタグリプチン錠50mg 1日1回朝食後を継続、メトホルミンを増量。",
  },
];

/** 特定健診 items: JLAC10 code (where the standard gives one), unit, decimals, and the 保健指導判定値 */
type TCheckupKey = "HEIGHT" | "WEIGHT" | "BMI" | "WAIST" | "SBP" | "DBP" | "HBA1C" | "LDL" | "HDL" | "TG" | "AST" | "ALT" | "GGT";
type TCheckupItem = { code: string; name: string; unit: string; decimals: number; range?: (sex: TDemoPerson["sex"]) => { low?: number; high?: number } };
const CHECKUP_ITEMS: Record<TCheckupKey, TCheckupItem> = {
  HEIGHT: { code: "9N001000000000001", name: "身長", unit: "cm", decimals: 1 },
  WEIGHT: { code: "9N006000000000001", name: "体重", unit: "kg", decimals: 1 },
  BMI: { code: "9N011000000000001", name: "BMI", unit: "kg/m2", decimals: 1, range: () => ({ low: 18.5, high: 24.9 }) },
  WAIST: { code: "9N016160100000001", name: "腹囲", unit: "cm", decimals: 1, range: (sex) => ({ high: sex === "MALE" ? 84.9 : 89.9 }) },
  SBP: { code: "9A755000000000001", name: "収縮期血圧", unit: "mmHg", decimals: 0, range: () => ({ high: 129 }) },
  DBP: { code: "9A765000000000001", name: "拡張期血圧", unit: "mmHg", decimals: 0, range: () => ({ high: 84 }) },
  HBA1C: { code: "3D046000001906202", name: "HbA1c(NGSP)", unit: "%", decimals: 1, range: () => ({ high: 5.5 }) },
  LDL: { code: "3F077000002327101", name: "LDL-C", unit: "mg/dL", decimals: 0, range: () => ({ high: 119 }) },
  HDL: { code: "3F070000002327101", name: "HDL-C", unit: "mg/dL", decimals: 0, range: () => ({ low: 40 }) },
  TG: { code: "3F015000002327101", name: "中性脂肪", unit: "mg/dL", decimals: 0, range: () => ({ high: 149 }) },
  AST: { code: "3B035000002327201", name: "AST", unit: "U/L", decimals: 0, range: () => ({ high: 30 }) },
  ALT: { code: "3B045000002327201", name: "ALT", unit: "U/L", decimals: 0, range: () => ({ high: 30 }) },
  GGT: { code: "3B090000002327101", name: "γ-GTP", unit: "U/L", decimals: 0, range: (sex) => ({ high: sex === "MALE" ? 50 : 30 }) },
};

/* ---------------------------------------------------------------- resources */

type TJson = Record<string, unknown>;
type TEntry = { fullUrl: string; resource: TJson };

function patientEntry(rnd: TRandom, p: TDemoPerson, facilityPatientId: string, system: string): TEntry {
  const [family = "", given = ""] = p.nameKanji.split(" ");
  const [familyKana = "", givenKana = ""] = p.nameKana.split(" ");
  const rep = (code: "IDE" | "SYL") => [{ url: FHIR_SYSTEMS.NAME_REPRESENTATION, valueCode: code }];
  return {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "Patient",
      id: `pat-${facilityPatientId}`,
      identifier: [{ system, value: facilityPatientId }],
      name: [
        { extension: rep("IDE"), use: "official", text: p.nameKanji, family, given: [given] },
        { extension: rep("SYL"), use: "official", text: p.nameKana, family: familyKana, given: [givenKana] },
      ],
      gender: p.sex === "MALE" ? "male" : "female",
      birthDate: p.birthDate,
      address: [{ use: "home", text: p.address, postalCode: p.postalCode, country: "JP" }],
      telecom: [{ system: "phone", value: p.phone, use: "home" }],
    },
  };
}

function bundle(rnd: TRandom, timestamp: string, entries: TEntry[]): string {
  return JSON.stringify({ resourceType: "Bundle", id: uuid(rnd).slice(9), type: "collection", timestamp, entry: entries });
}

function readingReport(rnd: TRandom, pid: string, subject: string, day: number, n: number): TEntry {
  const exam = rnd.pick(EXAMS);
  const finding = rnd.pick(exam.findings);
  const issuedDay = day + rnd.int(0, 2);
  const text = [
    `【検査】${exam.name}（${exam.modality}）`,
    `【検査日】${ymd(day)}`,
    `【臨床情報】${rnd.pick(["経過観察", "咳嗽精査", "腹痛精査", "めまい精査", "術前評価", "健診異常の精査"])}`,
    `【所見】${finding.findings}`,
    `【診断】${finding.conclusion}`,
    `【読影医】放射線科 読影 医師`,
  ].join("\n");
  const id = `rad-${pid}-${compact(day)}-${n}`;
  return {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "DiagnosticReport",
      id,
      meta: { lastUpdated: dateTime(issuedDay, 17, rnd.int(0, 59)) },
      status: "final",
      category: [{ coding: [{ system: V2_0074, code: "RAD", display: "Radiology" }] }],
      code: { coding: [{ system: LOINC, code: "18748-4", display: "Diagnostic imaging study" }], text: `${exam.name} 読影レポート` },
      subject: { reference: subject },
      effectiveDateTime: dateTime(day, rnd.int(9, 15), rnd.pick([0, 15, 30, 45])),
      issued: dateTime(issuedDay, 17, 0),
      conclusion: finding.conclusion,
      presentedForm: [{ contentType: "text/plain;charset=utf-8", language: "ja", data: base64(text), title: `${exam.name} 読影レポート` }],
    },
  };
}

/** Small real JPEGs shipped with the tests (tests/fixtures/images), one per kind of study. */
const IMAGES: Record<string, string> = { X線: "chest-xray.jpg", 胸部CT: "chest-xray.jpg", 腹部CT: "abdomen-ct.jpg", 頭部MRI: "head-mri.jpg" };
const imageCache = new Map<string, string>();
const imageBase64 = (file: string) => {
  if (!imageCache.has(file)) imageCache.set(file, fs.readFileSync(path.resolve("tests/fixtures/images", file)).toString("base64"));
  return imageCache.get(file)!;
};

/** The report's key image, as a DocumentReference with the JPEG inline (it becomes an 画像 item with the picture). */
function keyImage(rnd: TRandom, report: TEntry, subject: string): TEntry {
  const r = report.resource as { id: string; code: { text: string }; effectiveDateTime: string; meta: { lastUpdated: string } };
  const exam = r.code.text.replace(" 読影レポート", "");
  const file = Object.entries(IMAGES).find(([k]) => exam.includes(k))?.[1] ?? "chest-xray.jpg";
  return {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "DocumentReference",
      id: `img-${r.id}`,
      meta: { lastUpdated: r.meta.lastUpdated },
      status: "current",
      type: { text: "キー画像" },
      subject: { reference: subject },
      date: r.effectiveDateTime,
      description: `${exam} キー画像`,
      content: [{ attachment: { contentType: "image/jpeg", data: imageBase64(file), title: `${exam}.jpg` } }],
    },
  };
}

function dischargeSummary(rnd: TRandom, p: TDemoPerson, pid: string, subject: string, admitDay: number): TEntry {
  const stay = rnd.pick(STAYS);
  const dischargeDay = admitDay + rnd.int(stay.days[0], stay.days[1]);
  const text = [
    "退院時サマリ",
    `患者: ${p.nameKanji}（${p.sex === "MALE" ? "男性" : "女性"}、${p.birthDate} 生）`,
    `入院日: ${ymd(admitDay)}　退院日: ${ymd(dischargeDay)}`,
    `入院時診断: ${stay.reason}`,
    `既往歴: ${p.conditions.length ? p.conditions.map((c) => CONDITION_NAMES[c]).join("、") : "特記事項なし"}`,
    `入院経過: ${stay.course}`,
    `退院時処方: ${stay.medication}`,
    `退院後の方針: 2週間後に外来受診。かかりつけ医での定期診療を継続。`,
  ].join("\n");
  const id = `dsum-${pid}-${compact(dischargeDay)}`;
  return {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "DocumentReference",
      id,
      meta: { lastUpdated: dateTime(dischargeDay, 16, rnd.int(0, 59)) },
      status: "current",
      docStatus: "final",
      type: { coding: [{ system: JP_DOC_TYPE, code: "18842-5", display: "退院時サマリー" }, { system: LOINC, code: "18842-5", display: "Discharge summary" }], text: "退院時サマリ" },
      category: [{ coding: [{ system: LOINC, code: "18842-5", display: "Discharge summary" }] }],
      subject: { reference: subject },
      date: dateTime(dischargeDay, 16, 0),
      description: `退院時サマリ（${stay.reason}）`,
      content: [{ attachment: { contentType: "text/plain;charset=utf-8", language: "ja", data: base64(text), title: `退院時サマリ ${ymd(dischargeDay)}`, creation: dateTime(dischargeDay, 15, 0) } }],
      context: { period: { start: ymd(admitDay), end: ymd(dischargeDay) } },
    },
  };
}

/**
 * A one-page PDF of text lines in Japanese, with no embedded font: the predefined CJK font
 * HeiseiKakuGo-W5 and the UniJIS-UCS2-H encoding, which PDF viewers map to an installed Japanese
 * font. Enough for a demo letter that opens inline like a real one.
 */
export function textPdf(lines: string[]): Uint8Array {
  const hex = (text: string) =>
    [...text].map((ch) => (ch.codePointAt(0)! <= 0xffff ? ch.codePointAt(0)!.toString(16).padStart(4, "0") : "30fb")).join("").toUpperCase();
  const stream = ["BT", "/F1 11 Tf", "56 780 Td", "18 TL", ...lines.map((l, i) => `${i === 0 ? "/F1 16 Tf " : i === 1 ? "/F1 11 Tf " : ""}<${hex(l)}> Tj T*`), "ET"].join("\n");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
    "<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiKakuGo-W5 /Encoding /UniJIS-UCS2-H /DescendantFonts [6 0 R] >>",
    `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiKakuGo-W5 /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
    "<< /Type /FontDescriptor /FontName /HeiseiKakuGo-W5 /Flags 4 /FontBBox [-92 -250 1010 922] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 93 >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, "latin1"));
}

/** 診療情報提供書 (a referral letter back to the family doctor) as a PDF, the way letters are scanned or printed to PDF. */
function referralLetter(rnd: TRandom, p: TDemoPerson, subject: string, day: number): TEntry {
  const conditions = p.conditions.length ? p.conditions.map((c) => CONDITION_NAMES[c]).join("、") : "経過観察";
  const pdf = textPdf([
    "診療情報提供書",
    `${ymd(day)}`,
    "下伊那内科クリニック 御侍史",
    "飯田中央病院 内科",
    "",
    `患者氏名: ${p.nameKanji} 様（${p.birthDate} 生）`,
    `傷病名: ${conditions}`,
    "紹介目的: 当院での精査を終えましたので、今後の継続加療をお願い申し上げます。",
    "経過: 外来にて検査を行い、現在の治療方針で病状は安定しています。",
    "処方: 現在の処方を継続してください（詳細は処方歴をご参照ください）。",
    "",
    "ご高配のほど、よろしくお願い申し上げます。",
  ]);
  return {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "DocumentReference",
      id: `ref-${compact(day)}-${rnd.int(1000, 9999)}`,
      meta: { lastUpdated: dateTime(day, 17, 0) },
      status: "current",
      docStatus: "final",
      type: { coding: [{ system: JP_DOC_TYPE, code: "57133-1", display: "診療情報提供書" }], text: "診療情報提供書" },
      category: [{ text: "紹介状" }],
      subject: { reference: subject },
      date: dateTime(day, 16, 30),
      description: "診療情報提供書（かかりつけ医へ）",
      content: [{ attachment: { contentType: "application/pdf", language: "ja", data: Buffer.from(pdf).toString("base64"), title: `診療情報提供書_${ymd(day)}.pdf`, creation: dateTime(day, 16, 0) } }],
    },
  };
}

/** the person's check-up baseline: body and blood values shaped by sex and conditions */
function checkupBaseline(rnd: TRandom, p: TDemoPerson): Record<TCheckupKey, number> {
  const male = p.sex === "MALE";
  const has = (c: TDemoPerson["conditions"][number]) => p.conditions.includes(c);
  const height = (male ? 165 : 152) + rnd.gauss() * 6;
  const bmi = clamp(23 + rnd.gauss() * 3 + (has("DM") ? 2 : 0), 16.5, 35);
  return {
    HEIGHT: height,
    WEIGHT: bmi * (height / 100) ** 2,
    BMI: bmi,
    WAIST: 0,
    SBP: 124 + rnd.gauss() * 10 + (has("HT") ? 12 : 0),
    DBP: 76 + rnd.gauss() * 7 + (has("HT") ? 6 : 0),
    HBA1C: 5.5 + Math.abs(rnd.gauss()) * 0.3 + (has("DM") ? 1.4 : 0),
    LDL: 115 + rnd.gauss() * 20 + (has("DL") ? 20 : 0),
    HDL: (male ? 52 : 62) + rnd.gauss() * 10,
    TG: 110 + Math.abs(rnd.gauss()) * 50 + (has("DL") ? 40 : 0),
    AST: 22 + Math.abs(rnd.gauss()) * 6,
    ALT: 20 + Math.abs(rnd.gauss()) * 9,
    GGT: (male ? 35 : 22) + Math.abs(rnd.gauss()) * 20,
  };
}

function checkup(
  rnd: TRandom,
  p: TDemoPerson,
  pid: string,
  subject: string,
  day: number,
  base: Record<TCheckupKey, number>,
): TEntry[] {
  const age = Math.floor((dayOf(ymd(day)) - dayOf(p.birthDate)) / 365.25);
  const title = age >= 75 ? "後期高齢者健康診査" : age >= 40 ? "特定健康診査" : "健康診断";
  const weight = base.WEIGHT * (1 + rnd.gauss() * 0.02);
  const bmi = weight / (base.HEIGHT / 100) ** 2;
  const values: Record<TCheckupKey, number> = {
    HEIGHT: base.HEIGHT,
    WEIGHT: weight,
    BMI: bmi,
    WAIST: (p.sex === "MALE" ? 3.1 : 3.4) * bmi + 6 + rnd.gauss() * 2,
    SBP: base.SBP + rnd.gauss() * 6,
    DBP: base.DBP + rnd.gauss() * 4,
    HBA1C: base.HBA1C + rnd.gauss() * 0.2,
    LDL: base.LDL + rnd.gauss() * 10,
    HDL: base.HDL + rnd.gauss() * 4,
    TG: base.TG * (1 + rnd.gauss() * 0.15),
    AST: base.AST + rnd.gauss() * 3,
    ALT: base.ALT + rnd.gauss() * 4,
    GGT: base.GGT * (1 + rnd.gauss() * 0.1),
  };
  const when = dateTime(day, rnd.int(8, 10), rnd.pick([0, 10, 20, 30, 40, 50]));
  const lastUpdated = dateTime(day + rnd.int(7, 14), 10, 0);
  const reportId = `hc-${pid}-${compact(day)}`;
  const observations: TEntry[] = (Object.keys(CHECKUP_ITEMS) as TCheckupKey[]).map((key) => {
    const item = CHECKUP_ITEMS[key];
    const value = round(Math.max(values[key], 1), item.decimals);
    const range = item.range?.(p.sex);
    const flag = range?.high !== undefined && value > range.high ? "H" : range?.low !== undefined && value < range.low ? "L" : null;
    const vital = ["HEIGHT", "WEIGHT", "BMI", "WAIST", "SBP", "DBP"].includes(key);
    return {
      fullUrl: uuid(rnd),
      resource: {
        resourceType: "Observation",
        id: `${reportId}-${key.toLowerCase()}`,
        meta: { lastUpdated },
        status: "final",
        category: [{ coding: [{ system: OBS_CATEGORY, code: vital ? "vital-signs" : "laboratory" }] }],
        code: { coding: [{ system: FHIR_SYSTEMS.JLAC10, code: item.code, display: item.name }], text: item.name },
        subject: { reference: subject },
        effectiveDateTime: when,
        valueQuantity: { value, unit: item.unit, system: "http://unitsofmeasure.org", code: item.unit },
        ...(flag ? { interpretation: [{ coding: [{ system: INTERPRETATION, code: flag }] }] } : {}),
        ...(range ? { referenceRange: [{ ...(range.low !== undefined ? { low: { value: range.low, unit: item.unit } } : {}), ...(range.high !== undefined ? { high: { value: range.high, unit: item.unit } } : {}) }] } : {}),
      },
    };
  });
  const flagged = observations.filter((o) => o.resource.interpretation).length;
  const report: TEntry = {
    fullUrl: uuid(rnd),
    resource: {
      resourceType: "DiagnosticReport",
      id: reportId,
      meta: { lastUpdated },
      status: "final",
      category: [{ coding: [{ code: "checkup", display: "健診" }], text: "健診" }],
      code: { text: title },
      subject: { reference: subject },
      effectiveDateTime: when,
      issued: lastUpdated,
      result: observations.map((o) => ({ reference: o.fullUrl })),
      conclusion: flagged === 0 ? "異常なし" : flagged <= 2 ? "要経過観察" : "要保健指導",
    },
  };
  return [report, ...observations];
}

/* ---------------------------------------------------------------- entry point */

/**
 * The demo documents of one facility's patients, one Bundle per document: for about a third of
 * the patients 1–3 reading reports, for about one in eight a discharge summary, for about half a
 * yearly check-up; all within the last `years` (default 3) up to `end`.
 */
export function generateDemoDocuments(opts: TDemoDocumentOptions): TDemoDocument[] {
  const seed = opts.seed ?? 20250401;
  const endDay = dayOf(opts.end ?? todayJapan());
  const startDay = endDay - Math.round((opts.years ?? 3) * 365);
  const institution = opts.medicalInstitutionCode ?? MEDICAL_INSTITUTION_CODES[opts.facilityCode] ?? opts.facilityCode.padStart(10, "0");
  const system = `${FHIR_SYSTEMS.PATIENT_ID_PREFIX}${institution}`;
  const out: TDemoDocument[] = [];
  for (const p of opts.persons) {
    const pid = p.ids[opts.facilityCode];
    if (!pid) continue;
    const rnd = prng((seed ^ hash(`${opts.facilityCode}/${p.key}`)) >>> 0);
    /** one Bundle: the Patient and the document's entries, which refer to it by its fullUrl */
    const add = (kind: string, day: number, build: (subject: string) => TEntry[]) => {
      const patient = patientEntry(rnd, p, pid, system);
      const entries = [patient, ...build(patient.fullUrl)];
      out.push({ fileName: `${opts.facilityCode}_${pid}_${kind}_${compact(day)}.json`, json: bundle(rnd, dateTime(Math.min(day + 1, endDay), 18, 0), entries) });
    };

    if (rnd.chance(0.35)) {
      const n = rnd.int(1, 3);
      const days = Array.from({ length: n }, () => rnd.int(startDay, endDay - 3)).sort((a, b) => a - b);
      days.forEach((day, i) =>
        add(`RAD${i + 1}`, day, (subject) => {
          const report = readingReport(rnd, pid, subject, day, i + 1);
          return [report, keyImage(rnd, report, subject)];
        }),
      );
    }
    if (rnd.chance(0.12)) {
      const admitDay = rnd.int(startDay, endDay - 30);
      add("DSUM", admitDay, (subject) => [dischargeSummary(rnd, p, pid, subject, admitDay)]);
    }
    if (rnd.chance(0.5)) {
      const base = checkupBaseline(rnd, p);
      // one a year, the same season each year, the latest within the window
      const offset = rnd.int(30, 300);
      for (let day = endDay - offset; day >= startDay; day -= 365 + rnd.int(-10, 10)) {
        add("HC", day, (subject) => checkup(rnd, p, pid, subject, day, base));
      }
    }
    // drawn last, so the documents above stay as they were for the same seed
    if (rnd.chance(0.3)) {
      const day = rnd.int(startDay, endDay - 1);
      add("REF", day, (subject) => [referralLetter(rnd, p, subject, day)]);
    }
  }
  return out;
}
