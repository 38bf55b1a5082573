/**
 * Composes HL7 v2.5 messages as SS-MIX2 standardized storage holds them (the counterpart of
 * hl7.ts / ssmix2.ts): escaping, segments joined by CR, MSH-18 "~ISO IR87" / MSH-20
 * "ISO2022-1994", and an ISO-2022-JP (JIS X 0208) encoder. Pure: no file system, no clock.
 *
 * Used by the demo region generator and the import benchmark; every message type it writes is
 * read back by parseSsmix2Message in tests/unit/hl7-writer.test.ts.
 */

// ---------------------------------------------------------------- ISO-2022-JP encoder

const ESC_JIS0208 = [0x1b, 0x24, 0x42]; // ESC $ B
const ESC_ASCII = [0x1b, 0x28, 0x42]; // ESC ( B

/** JIS X 0208 rows as standardized (1–8 symbols and kana, 16–84 kanji). */
const isStandardRow = (row: number) => (row >= 1 && row <= 8) || (row >= 16 && row <= 84);
/** Vendor rows the WHATWG decoder (and so our parser) also reads: 13 (NEC special characters ① ㈱ ㍻…), 89–92 (NEC-selected IBM extensions: 髙 﨑 …). */
const isExtensionRow = (row: number) => row === 13 || (row >= 89 && row <= 92);

/**
 * Characters that text often carries in their Windows (CP932) or half-width form, mapped to the
 * JIS X 0208 character the decoder gives back. The encoded text then decodes to the right-hand one.
 */
const ALIASES: [number, number][] = [
  [0xff5e, 0x301c], // ～ → 〜
  [0x2225, 0x2016], // ∥ → ‖
  [0xff0d, 0x2212], // － → −
  [0xffe0, 0x00a2], // ￠ → ¢
  [0xffe1, 0x00a3], // ￡ → £
  [0xffe2, 0x00ac], // ￢ → ¬
  [0x00a5, 0xffe5], // ¥ → ￥
  [0x203e, 0xffe3], // ‾ → ￣
];

type TTable = { standard: Map<number, number>; extended: Map<number, number> };
let table: TTable | undefined;

/**
 * Built on first use: every 2-byte code 0x21–0x7E × 0x21–0x7E decoded by the platform's
 * ISO-2022-JP decoder; the first code of a character wins (duplicates in row 13 map to the
 * standard rows).
 */
function jisTable(): TTable {
  if (table) return table;
  const bytes = new Uint8Array(3 + 94 * 94 * 2 + 3);
  bytes.set(ESC_JIS0208, 0);
  let o = 3;
  for (let hi = 0x21; hi <= 0x7e; hi++)
    for (let lo = 0x21; lo <= 0x7e; lo++) {
      bytes[o++] = hi;
      bytes[o++] = lo;
    }
  bytes.set(ESC_ASCII, o);
  const text = new TextDecoder("iso-2022-jp").decode(bytes);
  const chars = Array.from(text);
  if (chars.length !== 94 * 94) throw new Error(`unexpected ISO-2022-JP decoder output (${chars.length} characters for ${94 * 94} codes)`);
  const standard = new Map<number, number>();
  const extended = new Map<number, number>();
  chars.forEach((ch, i) => {
    const cp = ch.codePointAt(0)!;
    if (cp === 0xfffd) return;
    const row = Math.floor(i / 94) + 1;
    const code = ((0x21 + row - 1) << 8) | (0x21 + (i % 94));
    if (isStandardRow(row) && !standard.has(cp)) standard.set(cp, code);
    if ((isStandardRow(row) || isExtensionRow(row)) && !extended.has(cp)) extended.set(cp, code);
  });
  for (const m of [standard, extended])
    for (const [from, to] of ALIASES) {
      const code = m.get(to);
      if (code !== undefined && !m.has(from)) m.set(from, code);
    }
  table = { standard, extended };
  return table;
}

/** Half-width katakana (U+FF61–U+FF9F) → full-width, with their voiced marks joined (ｶﾞ → ガ). */
export function toFullWidthKatakana(text: string): string {
  return /[\uFF61-\uFF9F]/.test(text) ? text.replace(/[\uFF61-\uFF9F]+/g, (run) => run.normalize("NFKC")) : text;
}

export type TEncodeOptions = {
  /**
   * A character outside the table: "replace" writes 〓 (げた, JIS 0x222E) in its place, "throw"
   * refuses the text. Default "replace".
   */
  unmappable?: "replace" | "throw";
  /**
   * Also write NEC row 13 (①, ㈱, ㍻) and the NEC-selected IBM extension rows 89–92 (髙, 﨑, 德):
   * CP932 vendor codes that many Japanese systems and the WHATWG decoder accept, but that are not
   * JIS X 0208. Default false (strict JIS X 0208).
   */
  extensions?: boolean;
};

export class UnmappableCharacterError extends Error {
  constructor(
    readonly character: string,
    readonly index: number,
  ) {
    super(`"${character}" (U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) at ${index} is not in JIS X 0208`);
    this.name = "UnmappableCharacterError";
  }
}

const GETA = 0x222e;

/**
 * Encodes text as ISO-2022-JP: ASCII as is, JIS X 0208 between ESC $ B and ESC ( B; half-width
 * katakana become full-width first. The result always ends in ASCII mode.
 */
export function encodeIso2022jp(text: string, opts: TEncodeOptions = {}): Uint8Array {
  let ascii = true;
  for (let i = 0; i < text.length; i++)
    if (text.charCodeAt(i) >= 0x80 || text.charCodeAt(i) === 0x1b) {
      ascii = false;
      break;
    }
  if (ascii) return Uint8Array.from(Buffer.from(text, "latin1"));
  const map = opts.extensions ? jisTable().extended : jisTable().standard;
  const src = toFullWidthKatakana(text);
  const out = new Uint8Array(src.length * 2 + 8 * Math.ceil(src.length / 2) + 3);
  let o = 0;
  let inJis = false;
  let index = 0;
  const toJis = () => {
    if (inJis) return;
    out.set(ESC_JIS0208, o);
    o += 3;
    inJis = true;
  };
  const toAscii = () => {
    if (!inJis) return;
    out.set(ESC_ASCII, o);
    o += 3;
    inJis = false;
  };
  const jis = (code: number) => {
    toJis();
    out[o++] = code >> 8;
    out[o++] = code & 0xff;
  };
  for (const ch of src) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80 && cp !== 0x1b && cp !== 0x0e && cp !== 0x0f) {
      toAscii();
      out[o++] = cp;
    } else {
      // an escape or shift byte would change the decoder's state: never written as is
      const code = cp < 0x80 ? undefined : map.get(cp);
      if (code === undefined && opts.unmappable === "throw") throw new UnmappableCharacterError(ch, index);
      jis(code ?? GETA);
    }
    index += ch.length;
  }
  toAscii();
  return out.slice(0, o);
}

/** Whether every character of the text has a JIS X 0208 code (after the half-width katakana fold). */
export function isJisEncodable(text: string, opts: Pick<TEncodeOptions, "extensions"> = {}): boolean {
  const map = opts.extensions ? jisTable().extended : jisTable().standard;
  for (const ch of toFullWidthKatakana(text)) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80 ? cp === 0x1b || cp === 0x0e || cp === 0x0f : !map.has(cp)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- escaping and segments

/** Already composed (escaped) HL7 text: inserted as is. */
export class Hl7Raw {
  constructor(readonly raw: string) {}
}

/** A value of a field, component or subcomponent: text (escaped when written), a number, nothing, or composed text. */
export type THl7Value = string | number | null | undefined | Hl7Raw;

// C0 controls other than TAB, LF, CR; and DEL: HL7 text must not carry them
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Escapes text for a field: \ | ^ & ~ as \E\ \F\ \S\ \T\ \R\, line breaks as \.br\. */
export function escapeHl7(text: string): string {
  if (FORBIDDEN.test(text)) throw new Error(`control character in HL7 text: ${JSON.stringify(text.slice(0, 40))}`);
  if (!/[\\|^&~\r\n]/.test(text)) return text;
  return text.replace(/\r\n|[\\|^&~\r\n]/g, (c) =>
    c === "\\" ? "\\E\\" : c === "|" ? "\\F\\" : c === "^" ? "\\S\\" : c === "&" ? "\\T\\" : c === "~" ? "\\R\\" : "\\.br\\",
  );
}

const valueText = (v: THl7Value): string => (v === null || v === undefined ? "" : v instanceof Hl7Raw ? v.raw : escapeHl7(typeof v === "number" ? String(v) : v));

const joinTrimmed = (parts: string[], sep: string) => {
  let n = parts.length;
  while (n > 0 && parts[n - 1] === "") n--;
  return parts.slice(0, n).join(sep);
};

/** Components of one field (or repetition): c("110", "医師", "一郎") → 110^医師^一郎. */
export const c = (...parts: THl7Value[]) => new Hl7Raw(joinTrimmed(parts.map(valueText), "^"));
/** Subcomponents of one component: s("1013044400000000", "内服・経口・１日３回朝昼夕食後", "JAMISDP01"). */
export const s = (...parts: THl7Value[]) => new Hl7Raw(joinTrimmed(parts.map(valueText), "&"));
/** Repetitions of one field: r(c(…), c(…)) → …~…. */
export const r = (...parts: THl7Value[]) => new Hl7Raw(parts.map(valueText).join("~"));

/** One segment: fields[0] is field 1. Trailing empty fields are left out. */
export function segment(id: string, fields: THl7Value[]): string {
  if (!/^[A-Z][A-Z0-9]{2}$/.test(id) || id === "MSH") throw new Error(`bad segment id ${id}`);
  const body = joinTrimmed(fields.map(valueText), "|");
  return body === "" ? id : `${id}|${body}`;
}

// ---------------------------------------------------------------- times

/** Japan wall-clock time as TS: yyyymmddHHMM[SS[.fff]]. Accepts a Date (an instant) or ready text. */
export function hl7Time(at: Date | string, precision: "day" | "minute" | "second" | "millisecond" = "minute"): string {
  if (typeof at === "string") return at;
  const j = new Date(at.getTime() + 9 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const day = `${p(j.getUTCFullYear(), 4)}${p(j.getUTCMonth() + 1)}${p(j.getUTCDate())}`;
  if (precision === "day") return day;
  const minute = `${day}${p(j.getUTCHours())}${p(j.getUTCMinutes())}`;
  if (precision === "minute") return minute;
  const second = `${minute}${p(j.getUTCSeconds())}`;
  return precision === "second" ? second : `${second}.${p(j.getUTCMilliseconds(), 3)}`;
}

// ---------------------------------------------------------------- common segments

export type THl7Header = {
  /** MSH-9, e.g. "RDE^O11^RDE_O11" */
  messageType: string;
  /** MSH-7 (Japan time) */
  at: Date | string;
  /** MSH-10 */
  controlId: string;
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
};

/** MSH with the SS-MIX2 character set declaration (MSH-18 "~ISO IR87", MSH-20 "ISO2022-1994") and profile (MSH-21). */
export function msh(h: THl7Header): string {
  const [code, event, structure] = h.messageType.split("^");
  const fields: THl7Value[] = [
    h.sendingApplication ?? "HIS",
    h.sendingFacility ?? "SEND",
    h.receivingApplication ?? "GW",
    h.receivingFacility ?? "RCV",
    hl7Time(h.at, "millisecond"),
    "",
    c(code, event, structure),
    h.controlId,
    "P",
    "2.5",
    "",
    "",
    "",
    "",
    "",
    new Hl7Raw("~ISO IR87"),
    "",
    "ISO2022-1994",
    c("SS-MIX2_1.20", "SS-MIX2", "1.2.392.200250.2.1.100.1.2.120", "ISO"),
  ];
  return `MSH|^~\\&|${joinTrimmed(fields.map(valueText), "|")}`;
}

export type THl7Patient = {
  /** PID-3: the facility's patient ID */
  id: string;
  /** [family, given] in kanji (PID-5, representation I) */
  nameKanji: [string, string];
  /** [family, given] in katakana (PID-5, representation P) */
  nameKana?: [string, string] | null;
  /** yyyymmdd */
  birthDate?: string | null;
  sex?: "M" | "F" | "O" | "U" | null;
  /** "395-0001" */
  postalCode?: string | null;
  /** free-text address, written whole in XAD-8 (other geographic designation) as the samples do */
  address?: string | null;
  phone?: string | null;
  /** PID-33 last update */
  updatedAt?: Date | string | null;
};

/** PID with names (漢字 I, カナ P), birth date, sex, home address and phone, as in the samples. */
export function pid(p: THl7Patient, full = true): string {
  const names = [c(p.nameKanji[0], p.nameKanji[1], "", "", "", "", "L", "I")];
  if (p.nameKana) names.push(c(p.nameKana[0], p.nameKana[1], "", "", "", "", "L", "P"));
  const fields: THl7Value[] = ["0001", "", c(p.id, "", "", "", "PI"), "", r(...names), "", p.birthDate ?? "", p.sex ?? ""];
  if (full) {
    fields.push("", "", p.postalCode || p.address ? c("", "", "", "", p.postalCode ?? "", "JPN", "H", p.address ?? "") : "", "");
    fields.push(p.phone ? c("", "PRN", "PH", "", "", "", "", "", "", "", "", p.phone) : "");
    if (p.updatedAt) {
      while (fields.length < 32) fields.push("");
      fields.push(hl7Time(p.updatedAt, "second"));
    }
  }
  return segment("PID", fields);
}

export type THl7Doctor = { id: string; family: string; given: string };
export const xcn = (d: THl7Doctor | null | undefined) => (d ? c(d.id, d.family, d.given, "", "", "", "", "", "", "L", "", "", "", "", "I") : "");

export type THl7Visit = {
  /** "O" outpatient, "I" inpatient */
  patientClass: "O" | "I";
  /** PV1-3: outpatient: department code (point of care); inpatient: ward, room, bed */
  location?: { ward?: string; room?: string; bed?: string } | null;
  doctor?: THl7Doctor | null;
  /** PV1-10 department code */
  department?: string | null;
  admittedAt?: Date | string | null;
  dischargedAt?: Date | string | null;
};

export function pv1(v: THl7Visit): string {
  const loc = v.location
    ? c(v.location.ward ?? "", v.location.room ?? "", v.location.bed ?? "", "", "", v.patientClass === "I" ? "N" : "C")
    : v.department
      ? c(v.department, "", "", "", "", "C")
      : "";
  const fields: THl7Value[] = ["0001", v.patientClass, loc, "", "", "", xcn(v.doctor), "", "", v.department ?? ""];
  if (v.admittedAt || v.dischargedAt) {
    while (fields.length < 16) fields.push("");
    fields.push(xcn(v.doctor)); // PV1-17 admitting doctor
    while (fields.length < 43) fields.push("");
    fields.push(v.admittedAt ? hl7Time(v.admittedAt) : "", v.dischargedAt ? hl7Time(v.dischargedAt) : "");
  }
  return segment("PV1", fields);
}

/** The message: segments joined and ended by CR, encoded as ISO-2022-JP. */
export function encodeMessage(segments: string[], opts?: TEncodeOptions): Uint8Array {
  return encodeIso2022jp(`${segments.join("\r")}\r`, opts);
}

// ---------------------------------------------------------------- message composers

export type THl7Context = {
  header: Omit<THl7Header, "messageType">;
  patient: THl7Patient;
  visit: THl7Visit;
  /** facility name for ORC-21 */
  facilityName?: string;
  /** department (ORC-17), e.g. { code: "01", name: "内科" } */
  department?: { code: string; name: string } | null;
};

type TCode = { code: string; name: string; system?: string };
const ce = (x: TCode | null | undefined, system?: string) => (x ? c(x.code, x.name, x.system ?? system ?? "") : "");

function orc(ctx: THl7Context, o: { control: string; orderNumber: string; fillerNumber?: string; group?: string; orderedAt: Date | string; status?: string; parent?: string; enteredBy?: THl7Doctor | null; orderer?: THl7Doctor | null }): string {
  const f: THl7Value[] = [
    o.control,
    o.orderNumber,
    o.fillerNumber ?? "",
    o.group ?? "",
    o.status ?? "",
    "",
    "",
    o.parent ?? "",
    hl7Time(o.orderedAt, "second"),
    xcn(o.enteredBy),
    "",
    xcn(o.orderer ?? ctx.visit.doctor),
    "",
    "",
    "",
    "",
    ctx.department ? c(ctx.department.code, ctx.department.name, "99XY1") : "",
    "",
    "",
    "",
    ctx.facilityName ?? "",
  ];
  while (f.length < 28) f.push("");
  f.push(ctx.visit.patientClass === "I" ? c("I", "入院患者オーダ", "HL70482") : c("O", "外来患者オーダ", "HL70482"));
  return segment("ORC", f);
}

export type TDrugLine = {
  /** HOT9 code and name */
  drug: TCode;
  /** dose per administration (RXE-3) */
  dose: number;
  unit: TCode;
  /** dosage form, e.g. { code: "TAB", name: "錠" } */
  form?: TCode | null;
  /** total amount to dispense (RXE-10) */
  dispenseAmount?: number | null;
};

export type TRp = {
  /** Rp number (ORC-4) */
  rp: string;
  drugs: TDrugLine[];
  /** JAMI usage code and text, e.g. { code: "1013044400000000", name: "内服・経口・１日３回朝昼夕食後" } */
  usage: TCode;
  days?: number | null;
  start?: Date | string | null;
  end?: Date | string | null;
  route: TCode;
  /** free-text instruction (RXE-7), e.g. "５時間一定速度で" */
  instruction?: string | null;
};

/** OMP-01 処方オーダ / OMP-02 注射オーダ: RDE^O11, one ORC + RXE + TQ1 + RXR per drug of each Rp. */
export function composeMedicationOrder(ctx: THl7Context, order: { orderNumber: string; orderedAt: Date | string; rps: TRp[]; injection?: boolean; enteredBy?: THl7Doctor | null }): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "RDE^O11^RDE_O11" }), pid(ctx.patient), pv1(ctx.visit)];
  const kind = order.injection
    ? ctx.visit.patientClass === "I"
      ? r(c("IHP", "入院処方", "MR9P"), c("FTP", "定時処方", "99I01"))
      : r(c("OHP", "外来処方", "MR9P"))
    : ctx.visit.patientClass === "I"
      ? r(c("IHP", "入院処方", "MR9P"), c("IHI", "院内処方", "MR9P"))
      : r(c("OHP", "外来処方", "MR9P"), c("OHO", "院外処方", "MR9P"));
  for (const rp of order.rps)
    for (const d of rp.drugs) {
      segs.push(orc(ctx, { control: "NW", orderNumber: order.orderNumber, group: rp.rp, orderedAt: order.orderedAt, enteredBy: order.enteredBy }));
      const rxe: THl7Value[] = ["", ce(d.drug, "HOT9"), d.dose, "", ce(d.unit, "MR9P"), ce(d.form, "MR9P"), rp.instruction ? c("", rp.instruction, "99IC6") : "", "", "", d.dispenseAmount ?? "", d.dispenseAmount != null ? ce(d.unit, "MR9P") : ""];
      while (rxe.length < 20) rxe.push("");
      rxe.push(kind);
      segs.push(segment("RXE", rxe));
      const tq1: THl7Value[] = ["1", "", c(s(rp.usage.code, rp.usage.name, rp.usage.system ?? "JAMISDP01")), "", "", rp.days != null ? c(rp.days, "d") : "", rp.start ? hl7Time(rp.start) : "", rp.end ? hl7Time(rp.end) : ""];
      segs.push(segment("TQ1", tq1));
      segs.push(segment("RXR", [ce(rp.route, "HL70162")]));
    }
  return encodeMessage(segs);
}

export type TAdministration = {
  drug: TCode;
  dose: number;
  unit: TCode;
  start: Date | string;
  end?: Date | string | null;
  /** RXA-9 note, e.g. "左手に実施" */
  note?: string | null;
  /** RXA-12 rate text, e.g. "100ml/hr" */
  rate?: string | null;
};

/** OMP-11 処方実施 / OMP-12 注射実施: RAS^O17 with ORC, one RXA per drug given, RXR. */
export function composeAdministration(ctx: THl7Context, a: { orderNumber: string; orderedAt: Date | string; items: TAdministration[]; route: TCode; nurse?: THl7Doctor | null }): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "RAS^O17^RAS_O17" }), pid(ctx.patient, false), pv1(ctx.visit)];
  segs.push(orc(ctx, { control: "NW", orderNumber: a.orderNumber, group: "1", orderedAt: a.orderedAt }));
  for (const it of a.items) {
    const f: THl7Value[] = ["0", "1", hl7Time(it.start), hl7Time(it.end ?? it.start), ce(it.drug, "HOT9"), it.dose, ce(it.unit, "MR9P"), "", it.note ? c("", it.note, "99IC2") : "", xcn(a.nurse), "", it.rate ?? ""];
    while (f.length < 19) f.push("");
    f.push("CP");
    segs.push(segment("RXA", f));
  }
  segs.push(segment("RXR", [ce(a.route, "HL70162")]));
  return encodeMessage(segs);
}

export type TLabItem = {
  /** JLAC10 code (17 characters) and name */
  code: TCode;
  /** NM: a number (written as given); ST: text */
  value: number | string;
  /** decimals to write a number with */
  decimals?: number;
  unit?: string | null;
  /** "73-109", "60-" */
  range?: string | null;
  /** H, L, or empty */
  flag?: "H" | "L" | "HH" | "LL" | "N" | null;
};

/** OML-11 検体検査結果: OUL^R22 with SPM, OBR, ORC and one OBX per item (JLAC10). */
export function composeLabResult(
  ctx: THl7Context,
  lab: { orderNumber: string; specimenNumber: string; specimen: TCode; group: TCode; collectedAt: Date | string; reportedAt: Date | string; items: TLabItem[] },
): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "OUL^R22^OUL_R22" }), pid(ctx.patient, false), pv1(ctx.visit)];
  const spm: THl7Value[] = ["1", lab.specimenNumber, "", ce(lab.specimen, "JC10")];
  while (spm.length < 16) spm.push("");
  spm.push(hl7Time(lab.collectedAt));
  segs.push(segment("SPM", spm));
  const obr: THl7Value[] = ["1", lab.orderNumber, lab.specimenNumber, ce(lab.group, "99O03"), "", "", hl7Time(lab.collectedAt), ""];
  while (obr.length < 15) obr.push("");
  obr.push(xcn(ctx.visit.doctor));
  while (obr.length < 21) obr.push("");
  obr.push(hl7Time(lab.reportedAt, "second"));
  segs.push(segment("OBR", obr));
  segs.push(orc(ctx, { control: "SC", orderNumber: lab.orderNumber, fillerNumber: lab.specimenNumber, status: "CM", orderedAt: lab.reportedAt }));
  lab.items.forEach((it, i) => {
    const nm = typeof it.value === "number";
    const value = nm ? (it.decimals !== undefined ? (it.value as number).toFixed(it.decimals) : String(it.value)) : (it.value as string);
    const f: THl7Value[] = [String(i + 1), nm ? "NM" : "ST", ce(it.code, "JC10"), "", value, it.unit ? c(it.unit, it.unit, "99XYZ") : "", it.range ?? "", it.flag ?? "", "", "", "F", "", "", hl7Time(lab.collectedAt)];
    segs.push(segment("OBX", f));
  });
  return encodeMessage(segs);
}

export type TImagingExam = {
  /** JJ1017 code and name ("胸部.Ｘ線単純撮影.立位正面(A→P)") */
  code: TCode;
};

/** OMG-01 放射線検査オーダ (also OMG-02/03): OMG^O19 with the order (ORC NW / OBR) and each exam as a child (ORC CH / OBR). */
export function composeImagingOrder(ctx: THl7Context, o: { orderNumber: string; orderedAt: Date | string; order: TCode; exams: TImagingExam[]; reason?: string | null }): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "OMG^O19^OMG_O19" }), pid(ctx.patient), pv1(ctx.visit)];
  const tq1 = segment("TQ1", ["1", "", "", "", "", "", "", "", c("R", "", "HL70485")]);
  segs.push(orc(ctx, { control: "NW", orderNumber: o.orderNumber, orderedAt: o.orderedAt }), tq1);
  const obr = (no: string, exam: TCode, parent?: string) => {
    const f: THl7Value[] = ["", no, "", ce(exam, "JJ1017")];
    while (f.length < 15) f.push("");
    f.push(xcn(ctx.visit.doctor));
    if (parent) {
      while (f.length < 28) f.push("");
      f.push(parent);
    }
    return segment("OBR", f);
  };
  segs.push(obr(o.orderNumber, o.order));
  if (o.reason) segs.push(segment("OBX", ["1", "TX", c("", "依頼コメント", "99XYZ"), "", o.reason, "", "", "", "", "", "F"]));
  o.exams.forEach((e, i) => {
    const no = `${o.orderNumber.slice(0, -2)}${String(i + 1).padStart(2, "0")}`;
    segs.push(orc(ctx, { control: "CH", orderNumber: no, parent: o.orderNumber, orderedAt: o.orderedAt }), tq1, obr(no, e.code, o.orderNumber));
  });
  return encodeMessage(segs);
}

export type TDiagnosis = {
  /** unique per problem at the facility (PRB-4) */
  instanceId: string;
  /** 病名交換用コード (MEDIS) and name */
  code: TCode;
  icd10?: string | null;
  /** yyyymmdd */
  startDate: string;
  endDate?: string | null;
  /** "AD" added, "UP" updated, "DE" deleted */
  action?: "AD" | "UP" | "DE";
  main?: boolean;
  suspected?: boolean;
};

/** PPR-01 病名: PPR^ZD1 with one PRB (and ZPR for a suspected diagnosis) per problem, then ORC. */
export function composeDiagnoses(ctx: THl7Context, d: { recordedAt: Date | string; problems: TDiagnosis[] }): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "PPR^ZD1^PPR_ZD1" }), pid(ctx.patient, false)];
  for (const p of d.problems) {
    const f: THl7Value[] = [
      p.action ?? "AD",
      hl7Time(d.recordedAt, "day"),
      ce(p.code, "MDCDX2"),
      p.instanceId,
      "",
      "",
      p.startDate,
      "",
      p.endDate ?? "",
      p.icd10 ? c(p.icd10, "", "I10", "O", "外来時", "JHSD0004") : "",
      "",
      "",
      "",
      p.endDate ? c("R", "治癒", "HL70241") : c("N", "回復せず", "HL70241"),
      "",
      p.startDate,
      p.code.name,
      p.main ? c("1", "主診断", "JHSD0007") : "",
    ];
    segs.push(segment("PRB", f));
    if (p.suspected) segs.push(segment("ZPR", ["", "", c("8002", "の疑い", "MDCDX2")]));
  }
  segs.push(segment("ORC", ["NW", "", "", "", "", "", "", "", "", "", "", xcn(ctx.visit.doctor)]));
  return encodeMessage(segs);
}

/** ADT-00 患者基本情報: ADT^A08 with EVN, PID (names, address, phone), PV1 and optional height/weight/blood type OBX and AL1. */
export function composePatientInfo(
  ctx: THl7Context,
  info: { recordedAt: Date | string; heightCm?: number | null; weightKg?: number | null; aboBloodType?: "A" | "B" | "O" | "AB" | null; allergies?: { type: TCode; allergen: TCode }[] },
): Uint8Array {
  const segs = [msh({ ...ctx.header, messageType: "ADT^A08^ADT_A01" }), segment("EVN", ["", hl7Time(info.recordedAt)]), pid(ctx.patient), pv1(ctx.visit)];
  let n = 0;
  if (info.heightCm != null) segs.push(segment("OBX", [String(++n), "NM", c("9N001000000000001", "身長", "JC10"), "", info.heightCm.toFixed(1), c("cm", "cm", "ISO+"), "", "", "", "", "F"]));
  if (info.weightKg != null) segs.push(segment("OBX", [String(++n), "NM", c("9N006000000000001", "体重", "JC10"), "", info.weightKg.toFixed(1), c("kg", "kg", "ISO+"), "", "", "", "", "F"]));
  if (info.aboBloodType) segs.push(segment("OBX", [String(++n), "CWE", c("5H010000009199911", "血液型-ABO式", "JC10"), "", c(info.aboBloodType, info.aboBloodType, "JSHR002"), "", "", "", "", "", "F"]));
  (info.allergies ?? []).forEach((a, i) => segs.push(segment("AL1", [String(i + 1), ce(a.type, "HL70127"), ce(a.allergen, "99XYZ")])));
  return encodeMessage(segs);
}

/** ADT-22 入院 (ADT^A01, PV1-44) / ADT-52 退院 (ADT^A03, PV1-45 and EVN-6). */
export function composeAdmissionEvent(ctx: THl7Context, e: { event: "admit" | "discharge"; recordedAt: Date | string; at: Date | string }): Uint8Array {
  const admit = e.event === "admit";
  const segs = [
    msh({ ...ctx.header, messageType: admit ? "ADT^A01^ADT_A01" : "ADT^A03^ADT_A03" }),
    segment("EVN", ["", hl7Time(e.recordedAt), "", "", "", admit ? "" : hl7Time(e.at)]),
    pid(ctx.patient, false),
    pv1(admit ? { ...ctx.visit, admittedAt: e.at, dischargedAt: null } : { ...ctx.visit, dischargedAt: e.at }),
  ];
  return encodeMessage(segs);
}

// ---------------------------------------------------------------- file names

export type TSsmix2FileParts = {
  patientId: string;
  /** yyyymmdd or null ("-") */
  careDate: string | null;
  dataType: string;
  /** 15 characters by convention; "999999999999999" when the data type has no order number */
  orderNumber?: string | null;
  /** yyyymmddHHMMSSfff */
  timestamp: string;
  department?: string | null;
  deleted?: boolean;
};

/** `<pid>_<care date>_<data type>_<order no>_<timestamp>_<dept>_<flag>` and its storage folder `<pid[0:3]>/<pid[3:6]>/<pid>/<care date>/<data type>`. */
export function ssmix2Path(f: TSsmix2FileParts): { dir: string; name: string; path: string } {
  if (!/^[0-9A-Za-z]{6,}$/.test(f.patientId)) throw new Error(`patient ID "${f.patientId}" must be 6 or more letters or digits for the storage path`);
  if (!/^\d{17}$/.test(f.timestamp)) throw new Error(`timestamp "${f.timestamp}" must be yyyymmddHHMMSSfff`);
  const care = f.careDate ?? "-";
  const name = [f.patientId, care, f.dataType, f.orderNumber ?? "999999999999999", f.timestamp, f.department ?? "-", f.deleted ? "0" : "1"].join("_");
  const dir = [f.patientId.slice(0, 3), f.patientId.slice(3, 6), f.patientId, care, f.dataType].join("/");
  return { dir, name, path: `${dir}/${name}` };
}
