/**
 * Lab and check-up items of a content payload, in one shape whatever the source: SS-MIX2 OBX
 * items (lib/clinical/ingest/ssmix2.ts observation(): value text, referenceRange text, flag) and
 * FHIR items (lib/clinical/ingest/fhir.ts TFhirLabItem: numeric value, comparator, low/high,
 * rangeText, interpretation flag). Pure: no database, no server-only; safe in client components.
 * Never throws: odd input gives nulls, unknown shapes give no items.
 */

export type TLabFlag = "H" | "L" | "HH" | "LL" | "A" | null;

export type TLabValue = {
  /** identity for trends (see labItemKey) */
  key: string;
  code: string | null;
  name: string;
  /** the value as the sender wrote it ("7.2", "<0.5", "陰性") */
  value: string | null;
  /** the value as a number, when it is one (comparators stripped: "<0.5" → 0.5) */
  numeric: number | null;
  unit: string | null;
  /** the reference range as text ("4.6-6.2", "60-", "<=10") */
  range: string | null;
  low: number | null;
  high: number | null;
  flag: TLabFlag;
  specimen: string | null;
  group: string | null;
  comment: string | null;
};

type TRecord = Record<string, unknown>;

const isRecord = (v: unknown): v is TRecord => typeof v === "object" && v !== null && !Array.isArray(v);

/** NFKC, with the dash look-alikes (−, ‐, –, —, ―) as "-" and the wave dashes (〜, ～) as "~" */
function normalise(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2010-\u2015\u2212\uFE63]/g, "-")
    .replace(/[\u301C\u223C]/g, "~")
    .trim();
}

/** trimmed text of a string (or a finite number); null for anything else or empty */
function text(v: unknown): string | null {
  if (typeof v === "string") {
    const t = v.trim();
    return t === "" ? null : t;
  }
  if (typeof v === "number" && Number.isFinite(v)) return formatNumber(v);
  return null;
}

const finite = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** thousands separators: 1,234 and 1,234,567.8 (a comma followed by exactly three digits) */
const THOUSANDS = /(\d),(?=\d{3}(?!\d))/g;
const LEADING_COMPARATOR = /^(?:<=|>=|=<|=>|<|>|≦|≧|≤|≥|=)\s*/;

/**
 * A lab value as a number: full-width digits, "1,234", a leading comparator ("<0.5" → 0.5)
 * are accepted; anything else (qualitative results, "1+", "2.5x10^3") is null.
 */
export function parseLabNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const t = normalise(value).replace(LEADING_COMPARATOR, "").replace(THOUSANDS, "$1").replace(/\s+/g, "");
  if (!NUMBER.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)`;
/** trailing unit text after a range ("3.5-5.0 g/dL"), never digits */
const TAIL = String.raw`(?:\s*[^\d\s.,~-][^\d]*)?`;
const UPPER_ONLY = new RegExp(String.raw`^(?:<=|=<|≦|≤|<)\s*(${NUM})${TAIL}$`);
const LOWER_ONLY = new RegExp(String.raw`^(?:>=|=>|≧|≥|>)\s*(${NUM})${TAIL}$`);
const UPPER_WORD = new RegExp(String.raw`^(${NUM})\s*(?:以下|未満)${TAIL}$`);
const LOWER_WORD = new RegExp(String.raw`^(${NUM})\s*(?:以上|超)${TAIL}$`);
const BETWEEN = new RegExp(String.raw`^(${NUM})?\s*[-~]\s*(${NUM})?${TAIL}$`);

/**
 * Low and high limits of a reference range text: "4.6-6.2", "4.6～6.2", "60-" (low only),
 * "-5.0" (high only), "<=10", "≦10", "10以下", ">=60", "60以上", "-2.0-2.0". Anything else
 * (sex-specific texts, qualitative "陰性") gives nulls.
 */
export function parseReferenceRange(input: string | null): { low: number | null; high: number | null } {
  const none = { low: null, high: null };
  if (typeof input !== "string") return none;
  const t = normalise(input).replace(THOUSANDS, "$1");
  if (t === "") return none;
  const num = (s: string | undefined) => (s === undefined ? null : Number(s));
  let m = UPPER_ONLY.exec(t) ?? UPPER_WORD.exec(t);
  if (m) return { low: null, high: num(m[1]) };
  m = LOWER_ONLY.exec(t) ?? LOWER_WORD.exec(t);
  if (m) return { low: num(m[1]), high: null };
  m = BETWEEN.exec(t);
  if (!m || (m[1] === undefined && m[2] === undefined)) return none;
  const low = num(m[1]);
  const high = num(m[2]);
  if (low !== null && high !== null && low > high) return none;
  return { low, high };
}

const FLAG_ALIASES: Record<string, Exclude<TLabFlag, null>> = {
  H: "H",
  ">": "H",
  L: "L",
  "<": "L",
  HH: "HH",
  ">>": "HH",
  HU: "HH",
  LL: "LL",
  "<<": "LL",
  LU: "LL",
  A: "A",
  AA: "A",
};

/**
 * The abnormal flag of a value. The sender's flag wins when it is H / L / HH / LL / A (also
 * "<" / ">", lower case, full width, HL7 "AA", FHIR "HU"/"LU"); otherwise (no flag, "N", unknown
 * codes) it is computed from the range: below low → L, above high → H.
 */
export function flagOf(numeric: number | null, low: number | null, high: number | null, given: string | null): TLabFlag {
  if (typeof given === "string") {
    const g = normalise(given).toUpperCase();
    const hit = FLAG_ALIASES[g];
    if (hit) return hit;
  }
  if (typeof numeric !== "number" || !Number.isFinite(numeric)) return null;
  if (typeof low === "number" && Number.isFinite(low) && numeric < low) return "L";
  if (typeof high === "number" && Number.isFinite(high) && numeric > high) return "H";
  return null;
}

/**
 * A stable identity of a lab item for trends: its code (JLAC10 or the facility's local code)
 * when there is one, else "name:" and the NFKC-normalised name (spaces collapsed).
 */
export function labItemKey(code: string | null, name: string | null): string {
  const c = typeof code === "string" ? normalise(code).replace(/\s+/g, "").toUpperCase() : "";
  if (c !== "") return c;
  const n = typeof name === "string" ? normalise(name).replace(/\s+/g, " ") : "";
  return `name:${n}`;
}

/** the value as display text: FHIR numbers with their comparator, booleans, SS-MIX2 text */
function valueText(v: unknown, comparator: string | null): string | null {
  if (typeof v === "boolean") return String(v);
  const t = text(v);
  if (t === null) return null;
  return typeof v === "number" && comparator ? `${comparator}${t}` : t;
}

/** HL7 value types whose text is never a measurement (dates, codes, names) */
const NOT_NUMERIC_TYPES = new Set(["TS", "DT", "DTM", "TM", "CWE", "CE", "CNE", "XCN", "XPN", "ED", "RP"]);

/**
 * One item of a LAB or CHECKUP payload (an element of what labItemsOf reads); null when it is not
 * an object or has neither code, name nor value.
 */
export function labItemOf(raw: unknown): TLabValue | null {
  if (!isRecord(raw)) return null;
  const code = text(raw.code) ?? text(raw.localCode);
  const name = text(raw.name);
  const comparator = text(raw.comparator);
  const value = valueText(raw.value, comparator);
  if (code === null && name === null && value === null) return null;

  // FHIR gives numeric limits (and maybe a text); SS-MIX2 a range text only.
  const rangeText = text(raw.referenceRange) ?? text(raw.rangeText) ?? text(raw.range);
  const parsed = parseReferenceRange(rangeText);
  const low = finite(raw.low) ?? parsed.low;
  const high = finite(raw.high) ?? parsed.high;
  const range = rangeText ?? (low !== null || high !== null ? `${low !== null ? formatNumber(low) : ""}-${high !== null ? formatNumber(high) : ""}` : null);

  const valueType = text(raw.valueType)?.toUpperCase() ?? null;
  const numeric = typeof raw.value === "boolean" || (valueType !== null && NOT_NUMERIC_TYPES.has(valueType)) ? null : parseLabNumber(raw.value);
  return {
    key: labItemKey(code, name),
    code,
    name: name ?? code ?? "",
    value,
    numeric,
    unit: text(raw.unit),
    range,
    low,
    high,
    flag: flagOf(numeric, low, high, text(raw.flag)),
    specimen: text(raw.specimen),
    group: text(raw.group),
    comment: text(raw.comment) ?? text(raw.note),
  };
}

/**
 * What identifies an item in a trend, from its code, local code, name and unit alone (as
 * labItemOf would key and name it), for items counted in SQL without their values; null where
 * labItemOf drops the item (no code, no name, and no value).
 */
export function labItemHead(raw: { code?: unknown; localCode?: unknown; name?: unknown; unit?: unknown }, hasValue: boolean): { key: string; name: string; unit: string | null } | null {
  const code = text(raw.code) ?? text(raw.localCode);
  const name = text(raw.name);
  if (code === null && name === null && !hasValue) return null;
  return { key: labItemKey(code, name), name: name ?? code ?? "", unit: text(raw.unit) };
}

/**
 * The items of a LAB or CHECKUP payload (SS-MIX2 or FHIR, including a DiagnosticReport's items),
 * in their order. Items that are not objects, or have neither code, name nor value, are left out.
 */
export function labItemsOf(payload: unknown): TLabValue[] {
  const items = Array.isArray(payload) ? payload : isRecord(payload) ? payload.items : null;
  if (!Array.isArray(items)) return [];
  const out: TLabValue[] = [];
  for (const raw of items) {
    const item = labItemOf(raw);
    if (item) out.push(item);
  }
  return out;
}
