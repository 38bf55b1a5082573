/**
 * A small, strict HL7 v2.5 reader for SS-MIX2 files: byte decoding by MSH-18, segment and
 * delimiter parsing, escape handling, field accessors and TS/DT dates. Every refusal is an
 * IngestError naming the file, segment (with its 1-based index) and field.
 * See docs/decisions/0007-hl7-parser.md.
 */
import { IngestError } from "./types";

export type THl7Charset = "iso-2022-jp" | "shift_jis" | "utf-8";

export type THl7Delimiters = {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
};

type TContext = { delimiters: THl7Delimiters; charset: THl7Charset; file?: string };

export type THl7Segment = {
  /** e.g. "PID" */
  id: string;
  /** 1-based position in the message (MSH is 1) */
  index: number;
  /** raw (still escaped) fields; fields[0] is the segment id, fields[n] is field n (MSH-1 is the field separator) */
  fields: readonly string[];
  ctx: TContext;
};

export type THl7Message = {
  charset: THl7Charset;
  delimiters: THl7Delimiters;
  segments: THl7Segment[];
  file?: string;
};

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
// C0 controls other than TAB, LF, CR; and DEL
const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

// ---------------------------------------------------------------- decoding

const norm = (s: string) => s.toUpperCase().replace(/[\s_\-/]/g, "");

function charsetOf(token: string): THl7Charset | "ascii" | null {
  const t = norm(token);
  if (t === "" || t === "ASCII" || t === "ISOIR6") return "ascii";
  if (t === "ISOIR87" || t === "ISOIR159" || t === "ISO20221994" || t === "ISO2022JP") return "iso-2022-jp";
  if (t === "SJIS" || t === "SHIFTJIS") return "shift_jis";
  if (t === "UNICODEUTF8" || t === "UTF8") return "utf-8";
  return null;
}

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Picks the charset from MSH-18 (all repetitions) and MSH-20; sniffs the bytes when none is declared. */
export function detectCharset(bytes: Uint8Array, file?: string): THl7Charset {
  let end = bytes.findIndex((b) => b === 0x0d || b === 0x0a);
  if (end < 0) end = bytes.length;
  let start = bytes[0] === 0x0b ? 1 : 0;
  if (bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
  const header = Buffer.from(bytes.subarray(start, end)).toString("latin1");
  let declared: THl7Charset | null = null;
  if (header.startsWith("MSH") && header.length > 8) {
    const fs = header[3]!;
    const rep = header[5]!;
    const parts = header.split(fs); // parts[n - 1] is MSH-n for n >= 2
    const msh18 = (parts[17] ?? "").split(rep);
    for (const token of msh18) {
      const c = charsetOf(token);
      if (c === null) throw new IngestError(`unsupported character set "${token}"`, { file, segment: "MSH", segmentIndex: 1, field: "MSH-18" });
      if (c !== "ascii") declared ??= c;
    }
    if (!declared && norm(parts[19] ?? "") === "ISO20221994") declared = "iso-2022-jp";
  }
  if (declared) return declared;
  if (bytes.includes(0x1b)) return "iso-2022-jp";
  return isValidUtf8(bytes) ? "utf-8" : "shift_jis";
}

/** Decodes the bytes of one message under its declared (or detected) charset; invalid bytes are refused. */
export function decodeHl7(bytes: Uint8Array, file?: string): { text: string; charset: THl7Charset } {
  const charset = detectCharset(bytes, file);
  let text: string;
  try {
    text = new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    throw new IngestError(`the bytes are not valid ${charset}`, { file });
  }
  return { text, charset };
}

// ---------------------------------------------------------------- parsing

function segError(seg: Pick<THl7Segment, "id" | "index" | "ctx">, reason: string, field?: number | string): IngestError {
  return new IngestError(reason, {
    file: seg.ctx.file,
    segment: seg.id,
    segmentIndex: seg.index,
    field: field === undefined ? undefined : typeof field === "number" ? `${seg.id}-${field}` : field,
  });
}

/** Parses a message from bytes (decoded by MSH-18) or from already decoded text. */
export function parseHl7(input: Uint8Array | string, file?: string): THl7Message {
  let charset: THl7Charset = "utf-8";
  let text: string;
  if (typeof input === "string") text = input;
  else ({ text, charset } = decodeHl7(input, file));

  // MLLP framing (VT … FS CR) is tolerated around the message
  text = text.replace(/^\uFEFF/, "").replace(/^\u000B/, "").replace(/\u001C\r?$/, "").replace(/\u001C$/, "");
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  const first = lines[0];
  if (first === undefined) throw new IngestError("empty message: no MSH segment", { file });
  if (!first.startsWith("MSH")) {
    const hasMsh = lines.some((l) => l.startsWith("MSH"));
    throw new IngestError(hasMsh ? "MSH must be the first segment" : "no MSH segment", { file, segment: first.slice(0, 3), segmentIndex: 1 });
  }
  const mshWhere = { file, segment: "MSH", segmentIndex: 1 };
  if (first.length < 8) throw new IngestError("MSH is truncated before its encoding characters", { ...mshWhere, field: "MSH-2" });
  const fieldSep = first[3]!;
  const encEnd = first.indexOf(fieldSep, 4);
  const enc = encEnd < 0 ? first.slice(4) : first.slice(4, encEnd);
  if (enc.length !== 4) throw new IngestError(`MSH-2 must hold 4 encoding characters, got "${enc}"`, { ...mshWhere, field: "MSH-2" });
  const all = fieldSep + enc;
  if (new Set(all).size !== 5 || /[A-Za-z0-9\s]/.test(all))
    throw new IngestError(`invalid delimiters "${all}"`, { ...mshWhere, field: "MSH-2" });
  const delimiters: THl7Delimiters = { field: fieldSep, component: enc[0]!, repetition: enc[1]!, escape: enc[2]!, subcomponent: enc[3]! };
  const ctx: TContext = { delimiters, charset, file };

  const segments: THl7Segment[] = lines.map((line, i) => {
    const index = i + 1;
    const id = line.slice(0, 3);
    const where = { file, segment: id, segmentIndex: index };
    if (!SEGMENT_ID.test(id) || (line.length > 3 && line[3] !== fieldSep))
      throw new IngestError(`malformed segment identifier "${line.slice(0, 8)}"`, { ...where, segment: undefined });
    if (id === "MSH" && index > 1) throw new IngestError("a second MSH segment (batched messages are not accepted)", where);
    if (FORBIDDEN_CONTROL.test(line)) throw new IngestError("control character in segment", where);
    const parts = line.split(fieldSep);
    const fields = id === "MSH" ? ["MSH", fieldSep, ...parts.slice(1)] : parts;
    return { id, index, fields, ctx };
  });
  return { charset, delimiters, segments, file };
}

// ---------------------------------------------------------------- accessors

export const segmentsOf = (msg: THl7Message, id: string) => msg.segments.filter((s) => s.id === id);
export const firstSegment = (msg: THl7Message, id: string): THl7Segment | undefined => msg.segments.find((s) => s.id === id);

/** Number of fields present (the highest field number). */
export const fieldCount = (seg: THl7Segment) => seg.fields.length - 1;

/** Raw text of field n (escaped; components and repetitions intact). "" when absent. */
export function field(seg: THl7Segment, n: number): string {
  return seg.fields[n] ?? "";
}

/** Raw repetitions of field n. */
export function repetitions(seg: THl7Segment, n: number): string[] {
  const raw = field(seg, n);
  if (raw === "") return [];
  if (seg.id === "MSH" && n <= 2) return [raw];
  return raw.split(seg.ctx.delimiters.repetition);
}

/**
 * Unescaped value at field n, component c (1-based), repetition rep (0-based), and optionally
 * subcomponent sub (1-based; without it the whole component, subcomponent separators kept).
 */
export function component(seg: THl7Segment, n: number, c = 1, opts: { rep?: number; sub?: number } = {}): string {
  const d = seg.ctx.delimiters;
  const r = repetitions(seg, n)[opts.rep ?? 0] ?? "";
  if (seg.id === "MSH" && n <= 2) return r;
  let v = r.split(d.component)[c - 1] ?? "";
  if (opts.sub !== undefined) v = v.split(d.subcomponent)[opts.sub - 1] ?? "";
  return unescapeHl7(v, seg, n);
}

/** All unescaped components of field n (repetition rep). */
export function components(seg: THl7Segment, n: number, rep = 0): string[] {
  const r = repetitions(seg, n)[rep] ?? "";
  return r === "" ? [] : r.split(seg.ctx.delimiters.component).map((v) => unescapeHl7(v, seg, n));
}

/** The unescaped first component of field n, or IngestError when the field is absent or empty. */
export function requireField(seg: THl7Segment, n: number): string {
  if (fieldCount(seg) < n)
    throw segError(seg, `required field ${seg.id}-${n} is missing: the segment ends after field ${fieldCount(seg)}`, n);
  const v = component(seg, n).trim();
  if (v === "" || v === '""') throw segError(seg, `required field ${seg.id}-${n} is empty`, n);
  return v;
}

const FORMATTING = new Set(["H", "N"]);

/** Resolves \F\ \S\ \T\ \R\ \E\, \Xhh…\ (bytes in the message charset), \.br\ / \.sp\ (line breaks); other formatting escapes are dropped. */
export function unescapeHl7(text: string, seg: THl7Segment, n?: number): string {
  const d = seg.ctx.delimiters;
  if (!text.includes(d.escape)) return text;
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== d.escape) {
      out += ch;
      i++;
      continue;
    }
    const close = text.indexOf(d.escape, i + 1);
    if (close < 0) throw segError(seg, "unterminated escape sequence", n);
    const body = text.slice(i + 1, close);
    i = close + 1;
    if (body === "F") out += d.field;
    else if (body === "S") out += d.component;
    else if (body === "T") out += d.subcomponent;
    else if (body === "R") out += d.repetition;
    else if (body === "E") out += d.escape;
    else if (body.startsWith("X")) {
      const hex = body.slice(1);
      if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) throw segError(seg, `bad hexadecimal escape \\${body}\\`, n);
      const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
      let decoded: string;
      try {
        decoded = new TextDecoder(seg.ctx.charset, { fatal: true }).decode(bytes);
      } catch {
        throw segError(seg, `hexadecimal escape \\${body}\\ is not valid ${seg.ctx.charset}`, n);
      }
      if (FORBIDDEN_CONTROL.test(decoded)) throw segError(seg, `hexadecimal escape \\${body}\\ encodes a control character`, n);
      out += decoded;
    } else if (body === ".br" || body === ".sp" || /^\.sp\d+$/.test(body)) out += "\n";
    else if (FORMATTING.has(body) || /^\.(in|ti|sk|ce|fi|nf)[+-]?\d*$/.test(body) || /^[CM][0-9A-Fa-f]{4,6}$/.test(body) || /^Z/.test(body)) {
      // highlighting, layout, character-set switching and local escapes carry no text
    } else throw segError(seg, `unknown escape sequence \\${body}\\`, n);
  }
  return out;
}

// ---------------------------------------------------------------- dates

export type THl7Time = {
  date: Date;
  precision: "year" | "month" | "day" | "hour" | "minute" | "second";
  /** yyyy-mm-dd of the value as written (local to its zone) */
  ymd: string;
};

const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/;

/**
 * Parses an HL7 TS/DT ("20110701224603.984", "201107010830", "20110701", "199601") without a
 * zone as Japan time; partial dates start at 00:00 JST of their first day. "" → null; a
 * malformed or impossible date → IngestError at `where`.
 */
export function parseHl7Time(value: string, where: { seg: THl7Segment; field: number } | { file?: string; field: string }): THl7Time | null {
  const v = value.trim();
  if (v === "") return null;
  const fail = (reason: string) =>
    "seg" in where ? segError(where.seg, reason, where.field) : new IngestError(reason, { file: where.file, field: where.field });
  const m = TS.exec(v);
  if (!m) throw fail(`bad date/time "${v}"`);
  const [, ys, mos, ds, hs, mis, ss, frac, zone] = m;
  if (!mos && (ds || hs)) throw fail(`bad date/time "${v}"`);
  const y = Number(ys);
  const mo = mos ? Number(mos) : 1;
  const d = ds ? Number(ds) : 1;
  const h = hs ? Number(hs) : 0;
  const mi = mis ? Number(mis) : 0;
  const s = ss ? Number(ss) : 0;
  if (frac && !ss) throw fail(`bad date/time "${v}"`);
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  if (y < 1800 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59) throw fail(`impossible date/time "${v}"`);
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > dim) throw fail(`impossible date "${v}"`);
  let offsetMin = 9 * 60;
  if (zone) {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(3, 5));
    if (zh > 14 || zm > 59) throw fail(`bad time zone in "${v}"`);
    offsetMin = (zone[0] === "-" ? -1 : 1) * (zh * 60 + zm);
  }
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000);
  const precision = ss ? "second" : mis ? "minute" : hs ? "hour" : ds ? "day" : mos ? "month" : "year";
  const pad = (x: number) => String(x).padStart(2, "0");
  return { date, precision, ymd: `${String(y).padStart(4, "0")}-${pad(mo)}-${pad(d)}` };
}

/** parseHl7Time on the first component of field n. */
export const timeAt = (seg: THl7Segment, n: number, c = 1, sub?: number) => parseHl7Time(component(seg, n, c, { sub }), { seg, field: n });
