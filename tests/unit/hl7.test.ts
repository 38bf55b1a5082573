import { describe, expect, it } from "vitest";
import { component, components, decodeHl7, detectCharset, field, parseHl7, parseHl7Time, repetitions, requireField } from "@/lib/clinical/ingest/hl7";
import { IngestError } from "@/lib/clinical/ingest/types";

const MSH = (charset = "", alt = "") => `MSH|^~\\&|HIS|SEND|GW|RCV|20110701224603.984||RDE^O11^RDE_O11|CTRL1|P|2.5||||||${charset}||${alt}`;
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const concat = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === "string" ? [...Buffer.from(p, "latin1")] : p)));

function refusal(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error("expected an IngestError");
}

describe("parseHl7: structure", () => {
  it("reads delimiters, fields, components, repetitions and subcomponents", () => {
    const msg = parseHl7(`${MSH()}\rPID|0001||9999013^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19480405|M\rTQ1|1||1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01|||5^d\r`);
    expect(msg.delimiters).toEqual({ field: "|", component: "^", repetition: "~", escape: "\\", subcomponent: "&" });
    const [msh, pid, tq1] = msg.segments;
    expect(field(msh!, 1)).toBe("|");
    expect(field(msh!, 2)).toBe("^~\\&");
    expect(component(msh!, 9, 2)).toBe("O11");
    expect(component(msh!, 10)).toBe("CTRL1");
    expect(pid!.index).toBe(2);
    expect(component(pid!, 3)).toBe("9999013");
    expect(repetitions(pid!, 5)).toHaveLength(2);
    expect(component(pid!, 5, 1, { rep: 1 })).toBe("カンジャ");
    expect(components(pid!, 5, 0).slice(0, 2)).toEqual(["患者", "太郎"]);
    expect(component(tq1!, 3, 1, { sub: 2 })).toBe("内服・経口・１日３回朝昼夕食後");
    expect(component(pid!, 40)).toBe("");
  });

  it("tolerates CRLF and LF segment ends and MLLP framing", () => {
    for (const sep of ["\r\n", "\n"]) {
      const msg = parseHl7(`\u000b${MSH()}${sep}PID|1||123${sep}\u001c\r`);
      expect(msg.segments.map((s) => s.id)).toEqual(["MSH", "PID"]);
    }
  });

  it("accepts other delimiter sets", () => {
    const msg = parseHl7("MSH#*%!@#A#B\rPID#1##A*B%C*D");
    const pid = msg.segments[1]!;
    expect(component(pid, 3, 2)).toBe("B");
    expect(component(pid, 3, 1, { rep: 1 })).toBe("C");
  });

  it("refuses a message without MSH, with MSH not first, or with a second MSH", () => {
    expect(refusal(() => parseHl7("")).reason).toMatch(/no MSH/);
    expect(refusal(() => parseHl7("PID|1||123\r")).reason).toMatch(/no MSH/);
    const e = refusal(() => parseHl7(`PID|1||123\r${MSH()}\r`));
    expect(e.reason).toMatch(/MSH must be the first segment/);
    expect(e.where).toMatchObject({ segment: "PID", segmentIndex: 1 });
    const second = refusal(() => parseHl7(`${MSH()}\rPID|1\r${MSH()}\r`, "a.hl7"));
    expect(second.where).toMatchObject({ file: "a.hl7", segment: "MSH", segmentIndex: 3 });
  });

  it("refuses malformed segment identifiers and delimiters", () => {
    const e = refusal(() => parseHl7(`${MSH()}\rPID|1\rpv1|1\r`, "f"));
    expect(e.reason).toMatch(/malformed segment identifier/);
    expect(e.where).toMatchObject({ file: "f", segmentIndex: 3 });
    expect(refusal(() => parseHl7(`${MSH()}\rPIDX|1\r`)).where.segmentIndex).toBe(2);
    expect(refusal(() => parseHl7("MSH|^~\\|HIS\r")).where.field).toBe("MSH-2");
    expect(refusal(() => parseHl7("MSH|^^\\&|HIS\r")).where.field).toBe("MSH-2");
    expect(refusal(() => parseHl7("MSH|")).where.field).toBe("MSH-2");
  });

  it("refuses control characters inside a segment", () => {
    expect(refusal(() => parseHl7(`${MSH()}\rPID|1||12\u001b3\r`)).where).toMatchObject({ segment: "PID", segmentIndex: 2 });
  });

  it("names the field of a truncated required field", () => {
    const msg = parseHl7(`${MSH()}\rPID|0001\rPV1|1||\r`, "x_file");
    const e = refusal(() => requireField(msg.segments[1]!, 3));
    expect(e.where).toEqual({ file: "x_file", segment: "PID", segmentIndex: 2, field: "PID-3" });
    expect(e.reason).toMatch(/ends after field 1/);
    expect(e.message).toBe("x_file PID#2 PID-3: required field PID-3 is missing: the segment ends after field 1");
    expect(refusal(() => requireField(msg.segments[2]!, 3)).reason).toMatch(/is empty/);
  });
});

describe("escapes", () => {
  const seg = (value: string) => parseHl7(`${MSH()}\rOBX|1|TX|X||${value}`).segments[1]!;

  it("resolves the delimiter escapes", () => {
    expect(component(seg("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"), 5)).toBe("a|b^c&d~e\\f");
    // an escaped component separator stays inside its component
    expect(component(seg("x\\S\\y^z"), 5, 1)).toBe("x^y");
    expect(component(seg("x\\S\\y^z"), 5, 2)).toBe("z");
  });

  it("resolves hexadecimal escapes and line breaks; drops formatting", () => {
    expect(component(seg("\\X414243\\"), 5)).toBe("ABC");
    expect(component(seg("line1\\.br\\line2"), 5)).toBe("line1\nline2");
    expect(component(seg("\\H\\bold\\N\\"), 5)).toBe("bold");
  });

  it("refuses bad escapes, naming the field", () => {
    expect(refusal(() => component(seg("abc\\F"), 5)).where).toMatchObject({ segment: "OBX", segmentIndex: 2, field: "OBX-5" });
    expect(refusal(() => component(seg("\\Q\\"), 5)).reason).toMatch(/unknown escape/);
    expect(refusal(() => component(seg("\\X4\\"), 5)).reason).toMatch(/hexadecimal/);
    expect(refusal(() => component(seg("\\X07\\"), 5)).reason).toMatch(/control character/);
  });
});

describe("character sets", () => {
  // 患 8AB3, 者 8ED2, ソ 835C (second byte is a backslash), ポ 837C (second byte is a pipe)
  const sjisName = [0x8a, 0xb3, 0x8e, 0xd2, 0x5e, 0x83, 0x5c, 0x83, 0x7c];

  it("decodes Shift_JIS declared in MSH-18, without reading trail bytes as delimiters", () => {
    const bytes = concat(`${MSH("~SJIS")}\rPID|1||123||`, sjisName, "||19480405|M\r");
    const msg = parseHl7(bytes, "sjis.hl7");
    expect(msg.charset).toBe("shift_jis");
    const pid = msg.segments[1]!;
    expect(component(pid, 5)).toBe("患者");
    expect(component(pid, 5, 2)).toBe("ソポ");
    expect(component(pid, 7)).toBe("19480405");
  });

  it("detects Shift_JIS when MSH-18 is empty and the bytes are not UTF-8", () => {
    expect(detectCharset(concat(`${MSH()}\rPID|1||1||`, sjisName, "\r"))).toBe("shift_jis");
  });

  it("decodes UTF-8, declared or detected", () => {
    const text = "\rPID|1||123||患者^太郎|\r";
    for (const charset of ["UNICODE UTF-8", ""]) {
      const msg = parseHl7(Uint8Array.from(Buffer.from(MSH(charset) + text, "utf8")));
      expect(msg.charset).toBe("utf-8");
      expect(component(msg.segments[1]!, 5, 2)).toBe("太郎");
    }
  });

  it("decodes ISO-2022-JP, declared (ISO IR87 / ISO 2022-1994) or detected by its escapes", () => {
    const jis = [0x1b, 0x24, 0x42, 0x34, 0x35, 0x3c, 0x54, 0x1b, 0x28, 0x42]; // 患者
    for (const [charset, alt] of [["~ISO IR87", "ISO 2022-1994"], ["~ISOIR87", ""], ["", "ISO2022-1994"], ["", ""]] as const) {
      const msg = parseHl7(concat(`${MSH(charset, alt)}\rPID|1||123||`, jis, "\r"));
      expect(msg.charset).toBe("iso-2022-jp");
      expect(component(msg.segments[1]!, 5)).toBe("患者");
    }
  });

  it("refuses bytes that are not valid in the declared charset", () => {
    const e = refusal(() => decodeHl7(concat(`${MSH("~ISO IR87")}\rPID|1||`, [0x8a, 0xb3], "\r"), "bad.hl7"));
    expect(e.reason).toMatch(/not valid iso-2022-jp/);
    expect(e.where.file).toBe("bad.hl7");
    expect(refusal(() => parseHl7(concat(`${MSH("UNICODE UTF-8")}\rPID|1||`, [0xff, 0xfe], "\r"))).reason).toMatch(/not valid utf-8/);
    expect(refusal(() => parseHl7(concat(`${MSH("~SJIS")}\rPID|1||`, [0x8a], "\r"))).reason).toMatch(/not valid shift_jis/);
  });

  it("refuses an unknown MSH-18 character set", () => {
    expect(refusal(() => parseHl7(ascii(`${MSH("EBCDIC")}\r`))).where.field).toBe("MSH-18");
  });
});

describe("parseHl7Time", () => {
  const at = { field: "X-1" };
  it("reads HL7 TS in Japan time with every precision", () => {
    expect(parseHl7Time("20110701224603.984", at)!.date.toISOString()).toBe("2011-07-01T13:46:03.984Z");
    expect(parseHl7Time("20111220224447.3399", at)!.date.toISOString()).toBe("2011-12-20T13:44:47.339Z");
    expect(parseHl7Time("201107010830", at)).toMatchObject({ precision: "minute", ymd: "2011-07-01" });
    expect(parseHl7Time("2011070100", at)!.precision).toBe("hour");
    expect(parseHl7Time("19480405", at)!.date.toISOString()).toBe("1948-04-04T15:00:00.000Z");
    expect(parseHl7Time("199601", at)).toMatchObject({ precision: "month", ymd: "1996-01-01" });
    expect(parseHl7Time("20110701120000+0000", at)!.date.toISOString()).toBe("2011-07-01T12:00:00.000Z");
    expect(parseHl7Time("", at)).toBeNull();
  });

  it("refuses malformed and impossible dates, naming the field", () => {
    for (const bad of ["20110231", "20111301", "2011070125", "201107011261", "2011-07-01", "20110701-001", "2011070", "abc", "20110229", "20110701.5"]) {
      const e = refusal(() => parseHl7Time(bad, { file: "f", field: "PID-7" }));
      expect(e.where).toEqual({ file: "f", field: "PID-7" });
    }
    expect(parseHl7Time("20120229", at)!.ymd).toBe("2012-02-29");
  });
});
