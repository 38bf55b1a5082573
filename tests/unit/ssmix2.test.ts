import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSsmix2FileName, parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { CONTENT_CATEGORIES, IngestError, type TContentDraft, type TParsedMessage } from "@/lib/clinical/ingest/types";

const ROOT = path.resolve(import.meta.dirname, "../fixtures/ssmix2/sampleData");
const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => (statSync(path.join(dir, n)).isDirectory() ? walk(path.join(dir, n)) : [path.join(dir, n)]));
const FILES = walk(ROOT).map((f) => path.relative(ROOT, f)).sort();
const load = (rel: string) => parseSsmix2Message(readFileSync(path.join(ROOT, rel)), rel);
const find = (dataType: string) => FILES.find((f) => f.includes(`/${dataType}/9999013_`))!;
const text = (rel: string) => new TextDecoder("iso-2022-jp").decode(readFileSync(path.join(ROOT, rel)));
const utf8 = (s: string) => Uint8Array.from(Buffer.from(s, "utf8"));
const only = (m: TParsedMessage): TContentDraft => {
  expect(m.contents).toHaveLength(1);
  return m.contents[0]!;
};

function refusal(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error("expected an IngestError");
}

// the public sample storage: 19 well-formed files and 3 the source tool keeps as broken examples
const EXPECTED: Record<string, { category: string | null; occurredAt: string; contents: number } | { error: RegExp }> = {
  "ADT-00": { category: "PATIENT_INFO", occurredAt: "2011-12-20T12:00:00.000Z", contents: 1 },
  "ADT-22": { category: "ADMISSION", occurredAt: "2011-11-20T07:00:00.000Z", contents: 1 },
  "ADT-42": { category: "ADMISSION", occurredAt: "2011-12-20T11:00:00.000Z", contents: 1 },
  "ADT-52": { category: "ADMISSION", occurredAt: "2011-12-20T03:00:00.000Z", contents: 1 },
  "ADT-61": { category: "ALLERGY", occurredAt: "1995-12-31T15:00:00.000Z", contents: 4 },
  "PPR-01": { category: "DIAGNOSIS", occurredAt: "2011-08-30T15:00:00.000Z", contents: 1 },
  OMD: { category: "NOTE", occurredAt: "2011-10-13T14:22:13.000Z", contents: 1 },
  "OMP-01": { category: "PRESCRIPTION_ORDER", occurredAt: "2011-07-01T01:30:45.000Z", contents: 1 },
  "OMP-02": { category: "INJECTION_ORDER", occurredAt: "2011-06-30T16:24:10.000Z", contents: 1 },
  "OMP-11": { category: "PRESCRIPTION_DISPENSED", occurredAt: "2011-06-30T23:30:00.000Z", contents: 1 },
  "OMP-12": { category: "INJECTION_ADMINISTERED", occurredAt: "2011-06-30T23:05:21.000Z", contents: 1 },
  "OML-01": { category: "LAB", occurredAt: "2011-12-20T09:33:01.000Z", contents: 1 },
  "OML-11": { category: "LAB", occurredAt: "2011-12-19T06:00:00.000Z", contents: 1 },
  "OMG-01": { category: "IMAGING", occurredAt: "2011-12-20T01:00:59.000Z", contents: 1 },
  "OMG-02": { category: "IMAGING", occurredAt: "2012-12-20T03:52:10.000Z", contents: 1 },
  "OMG-03": { category: "IMAGING", occurredAt: "2011-12-20T01:15:00.000Z", contents: 1 },
  "OMG-11": { category: "IMAGING", occurredAt: "2011-12-19T15:00:00.000Z", contents: 1 },
  "OMG-12": { category: "IMAGING", occurredAt: "2011-12-19T15:00:00.000Z", contents: 1 },
  "OMG-13": { category: "IMAGING", occurredAt: "2011-12-19T15:00:00.000Z", contents: 1 },
  "0000001/20000401/ADT-31/": { error: /data type directory "ADT-31" does not match/ },
  "0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012345": { error: /second MSH/ },
  "0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012346": { error: /second MSH/ },
};
const expectationFor = (rel: string) => {
  const special = Object.keys(EXPECTED).find((k) => k.includes("/") && rel.includes(k));
  return EXPECTED[special ?? parseSsmix2FileName(rel).dataType]!;
};

describe("every fixture file", () => {
  it("covers the whole sample storage", () => {
    expect(FILES).toHaveLength(22);
  });

  it.each(FILES)("%s", (rel) => {
    const want = expectationFor(rel);
    if ("error" in want) {
      const e = refusal(() => load(rel));
      expect(e.reason).toMatch(want.error);
      expect(e.where.file).toBe(rel);
      return;
    }
    const m = load(rel);
    const name = parseSsmix2FileName(rel);
    expect(m.kind).toBe("SSMIX2");
    expect(m.dataType).toBe(name.dataType);
    expect(m.contents).toHaveLength(want.contents);
    expect(m.contents[0]!.category).toBe(want.category);
    expect(m.contents[0]!.occurredAt.toISOString()).toBe(want.occurredAt);
    for (const c of m.contents) {
      expect(CONTENT_CATEGORIES).toContain(c.category);
      expect(Number.isNaN(c.occurredAt.getTime())).toBe(false);
      expect(c.sourceKey.startsWith(`${name.dataType}:`)).toBe(true);
      expect(c.sourceVersion).toBe(name.timestamp);
      expect(c.isDeleted).toBe(false);
      expect(c.title.length).toBeGreaterThan(0);
    }
  });
});

describe("data types", () => {
  it("ADT-00: the patient's demographics", () => {
    const m = load(find("ADT-00"));
    expect(m.patient).toEqual({
      facilityPatientId: "9999013",
      nameKanji: "患者 太郎",
      nameKana: "カンジャ タロウ",
      sex: "MALE",
      birthDate: "1948-04-05",
      postalCode: "422-8033",
      address: "静岡県静岡市登呂１－３－５",
      phone: "054-000-0000",
    });
    const c = only(m);
    expect(c).toMatchObject({ title: "患者基本情報", sourceKey: "ADT-00:9999013", sourceVersion: "20111220224447339" });
    expect(c.payload.observations).toContainEqual(expect.objectContaining({ name: "身長", value: "167.8", unit: "cm" }));
    expect(c.payload.allergies).toEqual([{ type: { code: "DA", name: "薬剤アレルギー", system: "HL70127" }, allergen: { code: "1", name: "ペニシリン", system: "99XYZ" } }]);
  });

  it("ADT-22 / 42 / 52: admission, transfer, discharge with their event dates", () => {
    const adm = only(load(find("ADT-22")));
    expect(adm).toMatchObject({ title: "入院", sourceKey: "ADT-22:9999013:20111120" });
    expect(adm.payload).toMatchObject({ event: "A01", location: "32-302-1", admittedAt: "2011-11-20T07:00:00.000Z" });
    expect(only(load(find("ADT-42"))).payload).toMatchObject({ location: "32-305-1", priorLocation: "32-302-1" });
    expect(only(load(find("ADT-52")))).toMatchObject({ title: "退院", sourceKey: "ADT-52:9999013:20111220" });
  });

  it("ADT-61: one allergy per IAM", () => {
    const m = load(find("ADT-61"));
    expect(m.contents.map((c) => c.title)).toEqual(["スギ（花粉アレルギー）", "ソバ（食物アレルギー）", "ハウスダスト（環境アレルギー）", "アリナミン（薬剤アレルギー）"]);
    expect(m.contents[3]).toMatchObject({ sourceKey: "ADT-61:12345678:106824501", payload: { reaction: "のどの渇きが止まらない", onsetDate: "2007-07-10" } });
    expect(m.contents[1]!.payload.onsetText).toBe("小学校低学年の頃");
  });

  it("PPR-01: diagnosis with ICD-10, start date and outcome", () => {
    const c = only(load(find("PPR-01")));
    expect(c).toMatchObject({ title: "胃炎", sourceKey: "PPR-01:1234567890:123456789012345" });
    expect(c.payload).toMatchObject({ icd10: "K297", code: "20054174", startDate: "2011-08-31", endDate: "2011-09-15", outcome: { code: "N", name: "回復せず" } });
  });

  it("OMP-01: prescription lines with HOT code, dose, usage, days and route", () => {
    const c = only(load(find("OMP-01")));
    expect(c).toMatchObject({ title: "ダーゼン錠（５mg) 他2剤", sourceKey: "OMP-01:000000011000185", sourceVersion: "20110701224603984" });
    const lines = c.payload.lines as Record<string, unknown>[];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      rp: "1",
      drugCode: "108665201",
      drugCodeSystem: "HOT9",
      drugName: "ダーゼン錠（５mg)",
      dose: 1,
      doseUnit: "錠",
      usage: "内服・経口・１日３回朝昼夕食後",
      days: 5,
      route: { code: "PO", name: "口" },
    });
    expect(lines[2]).toMatchObject({ rp: "2", drugName: "アレピアチン１０倍散", dose: 50, doseUnit: "ミリグラム", usage: "内服・経口・１日２回朝夕食後", days: 14 });
    // 処方医 (ORC-12) and 診療科 (ORC-17)
    expect(c.payload).toMatchObject({ orderNumber: "000000011000185", orderer: "医師 一郎", department: "内科" });
  });

  it("OMP-01: no ordering provider or department gives nulls; a department without its name gives the code", () => {
    const rel = find("OMP-01");
    const src = text(rel)
      .replace(/ISO IR87/, "UNICODE UTF-8")
      .replaceAll("|110^医師^一郎^^^^^^^L^^^^^I|10^^^^^C||||01^内科^99XY1|", "||10^^^^^C||||01|");
    const c = only(parseSsmix2Message(utf8(src), rel));
    expect(c.payload).toMatchObject({ orderer: null, department: "01" });
    const none = only(parseSsmix2Message(utf8(src.replaceAll("||10^^^^^C||||01|", "||10^^^^^C|||||")), rel));
    expect(none.payload).toMatchObject({ orderer: null, department: null });
  });

  it("OMP-02 / OMP-12: injections with their mixed components", () => {
    const order = only(load(find("OMP-02")));
    expect(order.title).toBe("ソリタ－Ｔ３号輸液５００ｍＬ 他1剤");
    const line = (order.payload.lines as Record<string, unknown>[])[0]!;
    expect(line).toMatchObject({ dose: 510, doseUnit: "ミリリットル", route: { code: "IV", name: "静脈内", device: "点滴ポンプ" } });
    expect(line.components).toContainEqual(expect.objectContaining({ drugCode: "620002559", drugName: "アドナ注（静脈用）50mg", amount: 1, unit: "アンプル" }));
    expect(order.payload).toMatchObject({ orderer: "医師 一郎", department: "内科" });
    const given = only(load(find("OMP-12")));
    expect(given.payload).toMatchObject({ orderer: "医師 一郎", department: "内科" });
    expect((given.payload.lines as Record<string, unknown>[])[1]).toMatchObject({ drugCode: "620002559", end: "2011-07-01T04:05:43.000Z", instructions: "左手に実施" });
  });

  it("OMP-11: dispensed lines from RXA", () => {
    const c = only(load(find("OMP-11")));
    expect(c.title).toBe("ダーゼン錠（５mg) 他1剤");
    expect((c.payload.lines as Record<string, unknown>[])[1]).toMatchObject({ drugCode: "110626901", dose: 2, doseUnit: "錠", route: { code: "PO" } });
  });

  it("OML-11: lab values with unit and range; OML-01: ordered items without values", () => {
    const res = only(load(find("OML-11")));
    expect(res.title).toBe("検査 3項目");
    expect((res.payload.items as unknown[])[1]).toMatchObject({ code: "3A010000002327101", name: "総蛋白", value: "7.2", unit: "g/dl", referenceRange: "6.70-8.3", specimen: "血清" });
    const ord = only(load(find("OML-01")));
    expect(ord).toMatchObject({ title: "検査依頼 7項目", payload: { kind: "order" } });
    expect((ord.payload.items as unknown[])[4]).toMatchObject({ name: "ＰＴ", value: null, specimen: "血漿", group: "血液学的検査" });
  });

  it("OML-11: the H/L flag", () => {
    const rel = find("OML-11");
    const src = text(rel).replace("|7.2|g/dl^g/dl^99XYZ|6.70-8.3||", "|9.1|g/dl^g/dl^99XYZ|6.70-8.3|H|").replace(/ISO IR87/, "UNICODE UTF-8");
    const items = only(parseSsmix2Message(utf8(src), rel)).payload.items as unknown[];
    expect(items[1]).toMatchObject({ value: "9.1", unit: "g/dl", flag: "H" });
  });

  it("OMG: imaging orders, performed studies and physiology results", () => {
    const xray = only(load(find("OMG-01")));
    expect(xray.title).toBe("胸部 Ｘ線単純撮影 立位正面(A→P) 他3件");
    expect(xray.payload).toMatchObject({ kind: "放射線検査", stage: "order", studyDescription: "Ｘ線単純撮影" });
    expect(xray.payload.studies).toHaveLength(5);
    const us = only(load(find("OMG-11")));
    expect(us.payload).toMatchObject({ modality: "US", stage: "performed" });
    expect(us.title).toBe("胎児 経皮的超音波検査");
    const ecg = only(load(find("OMG-13")));
    expect(ecg).toMatchObject({ title: "標準１２誘導心電図", sourceKey: "OMG-13:2011122000089100", payload: { findings: "心筋虚血疑い" } });
    const endo = only(load(find("OMG-12")));
    expect(endo.payload).toMatchObject({ modality: "ES", kind: "内視鏡検査" });
  });

  it("OMD: a diet order is a note", () => {
    expect(only(load(find("OMD")))).toMatchObject({ category: "NOTE", title: "食事オーダ 塩分控えめ", payload: { kind: "diet" } });
  });
});

describe("file names and versions", () => {
  it("parses the standardized storage name", () => {
    expect(parseSsmix2FileName(find("OMG-01"))).toEqual({
      patientId: "9999013",
      careDate: "20111220",
      dataType: "OMG-01",
      orderNumber: "000201101200100",
      timestamp: "20111220224447339",
      department: null,
      isDeleted: false,
    });
    expect(parseSsmix2FileName("9999013_-_ADT-00_999999999999999_20111220224447339_-_0")).toMatchObject({ careDate: null, isDeleted: true });
  });

  it("flag 0 marks the drafts deleted", () => {
    const rel = find("OMP-01");
    const deleted = rel.replace(/_1$/, "_0");
    const m = parseSsmix2Message(readFileSync(path.join(ROOT, rel)), deleted);
    expect(m.contents.every((c) => c.isDeleted)).toBe(true);
  });

  it("refuses mismatched paths, bad names and unknown data types", () => {
    const bytes = readFileSync(path.join(ROOT, find("OMP-01")));
    const good = "999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";
    expect(parseSsmix2Message(bytes, path.basename(good)).contents).toHaveLength(1);
    expect(refusal(() => parseSsmix2Message(bytes, good.replace("/20110701/", "/20110702/"))).reason).toMatch(/care date directory/);
    expect(refusal(() => parseSsmix2Message(bytes, good.replace("999/901/", "999/902/"))).reason).toMatch(/patient ID middle/);
    expect(refusal(() => parseSsmix2Message(bytes, "9999013_20110701_OMP-01_000000011000185_2011070122460398_01_1")).reason).toMatch(/not an SS-MIX2 file name/);
    expect(refusal(() => parseSsmix2Message(bytes, "9999013_20110231_OMP-01_000000011000185_20110701224603984_01_1")).reason).toMatch(/impossible care date/);
    const e = refusal(() => parseSsmix2Message(bytes, "9999013_20110701_OMP-09_000000011000185_20110701224603984_01_1"));
    expect(e.reason).toBe('unknown SS-MIX2 data type "OMP-09"');
    expect(e.where.file).toBe("9999013_20110701_OMP-09_000000011000185_20110701224603984_01_1");
    expect(refusal(() => parseSsmix2Message(bytes, "9999013_20110701_XYZ-01_000000011000185_20110701224603984_01_1")).reason).toMatch(/unknown SS-MIX2 data type/);
  });

  it("reads lab results filed as OUL-01 like OML-11", () => {
    const bytes = readFileSync(path.join(ROOT, find("OML-11")));
    const asOml = parseSsmix2Message(bytes, path.basename(find("OML-11")));
    const asOul = parseSsmix2Message(bytes, path.basename(find("OML-11")).replace("_OML-11_", "_OUL-01_"));
    expect(asOul.contents.map((c) => c.category)).toEqual(["LAB"]);
    expect(asOul.contents[0]!.payload.items).toEqual(asOml.contents[0]!.payload.items);
  });

  it("refuses a message type that does not fit the data type", () => {
    const bytes = readFileSync(path.join(ROOT, find("OMP-01")));
    const e = refusal(() => parseSsmix2Message(bytes, "9999013_20110701_OML-01_000000011000185_20110701224603984_01_1"));
    expect(e.where).toMatchObject({ segment: "MSH", field: "MSH-9" });
  });

  it("optionally refuses a PID-3 that is not the file's patient", () => {
    const rel = find("OML-11");
    const bytes = readFileSync(path.join(ROOT, rel));
    expect(only(parseSsmix2Message(bytes, rel)).facilityPatientId).toBe("0001000052");
    expect(refusal(() => parseSsmix2Message(bytes, rel, { requireMatchingPatientId: true })).where.field).toBe("PID-3");
  });
});

describe("malformed messages", () => {
  const rel = find("OMP-01");
  const src = text(rel).replace(/~ISO IR87/, "~UNICODE UTF-8");
  const parse = (s: string) => parseSsmix2Message(utf8(s), rel);

  it("names file, segment and field", () => {
    const truncated = refusal(() => parse(src.replace(/\rPID\|[^\r]*/, "\rPID|0001|")));
    expect(truncated.where).toEqual({ file: rel, segment: "PID", segmentIndex: 2, field: "PID-3" });
    const badDate = refusal(() => parse(src.replace("|20110701103045|", "|20110231103045|")));
    expect(badDate.where).toMatchObject({ file: rel, segment: "ORC", segmentIndex: 4, field: "ORC-9" });
    const badDose = refusal(() => parse(src.replace("HOT9|1||TAB", "HOT9|one||TAB")));
    expect(badDose.where).toMatchObject({ segment: "RXE", segmentIndex: 5, field: "RXE-3" });
    const noDrug = refusal(() => parse(src.replace("RXE||108665201^ダーゼン錠（５mg)^HOT9|", "RXE|||")));
    expect(noDrug.where).toMatchObject({ segment: "RXE", field: "RXE-2" });
    expect(refusal(() => parse(src.replace(/\rPID\|[^\r]*/, ""))).reason).toBe("no PID segment");
    expect(refusal(() => parse(src.replace(/\rRXE\|[^\r]*/g, ""))).reason).toMatch(/no RXE segment/);
  });

  it("refuses the wrong encoding", () => {
    const sjisDeclared = new Uint8Array(readFileSync(path.join(ROOT, rel)));
    // declared UTF-8 but the bytes are Shift_JIS
    const bytes = Uint8Array.from([...Buffer.from(src.split("\r")[0]! + "\rPID|0001||9999013||", "utf8"), 0x8a, 0xb3, 0x0d]);
    expect(refusal(() => parseSsmix2Message(bytes, rel)).reason).toMatch(/not valid utf-8/);
    expect(sjisDeclared.length).toBeGreaterThan(0);
  });

  it("accepts Shift_JIS files", () => {
    const head = src.split("\r")[0]!.replace("~UNICODE UTF-8", "~SJIS");
    const body = "\rPID|0001||9999013||" + "\u0000" + "|\rORC|NW|1||1|||||20110701103045\rRXE||108665201^^HOT9|1||TAB\r";
    const [before, after] = body.split("\u0000") as [string, string];
    const bytes = Uint8Array.from([...Buffer.from(head + before, "latin1"), 0x8a, 0xb3, 0x8e, 0xd2, ...Buffer.from(after, "latin1")]);
    const m = parseSsmix2Message(bytes, rel);
    expect(m.contents[0]!.payload.lines).toEqual([expect.objectContaining({ drugCode: "108665201", dose: 1 })]);
  });
});

describe("administrations (実施) of one order on different days", () => {
  it("are separate items: the administration time is part of the identity", () => {
    const file = "tests/fixtures/ssmix2/sampleData/999/901/9999013/20110701/OMP-12/9999013_20110701_OMP-12_123456789012345_20110701113813225_01_1";
    const bytes = readFileSync(file);
    const name = path.basename(file);
    // ISO-2022-JP keeps ASCII bytes as they are: the dates can be edited in the raw bytes.
    const nextDay = Buffer.from(bytes.toString("latin1").replaceAll("|20110701080521|", "|20110702080521|"), "latin1");
    const first = parseSsmix2Message(bytes, name).contents[0]!;
    const second = parseSsmix2Message(nextDay, name).contents[0]!;
    expect(first.sourceKey).not.toBe(second.sourceKey);
    expect(first.sourceKey.startsWith("OMP-12:123456789012345")).toBe(true);
    // The same administration sent again keeps its identity.
    expect(parseSsmix2Message(bytes, name).contents[0]!.sourceKey).toBe(first.sourceKey);
  });
});
