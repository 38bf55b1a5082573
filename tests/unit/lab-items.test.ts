import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFhirBundle } from "@/lib/clinical/ingest/fhir";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import { flagOf, labItemKey, labItemsOf, parseLabNumber, parseReferenceRange } from "@/lib/clinical/lab-items";

describe("parseReferenceRange", () => {
  it.each([
    ["4.6-6.2", 4.6, 6.2],
    ["4.6 - 6.2", 4.6, 6.2],
    ["6.70-8.3", 6.7, 8.3],
    ["4.6～6.2", 4.6, 6.2],
    ["4.6〜6.2", 4.6, 6.2],
    ["4.6~6.2", 4.6, 6.2],
    ["４．６−６．２", 4.6, 6.2],
    ["3.5-5.0 g/dL", 3.5, 5],
    ["60-", 60, null],
    ["-5.0", null, 5],
    ["-2.0-2.0", -2, 2],
    ["-2--1", -2, -1],
    ["<=10", null, 10],
    ["<10", null, 10],
    ["≦10", null, 10],
    ["＜＝10", null, 10],
    ["10以下", null, 10],
    ["0.5未満", null, 0.5],
    [">=60", 60, null],
    ["≧60", 60, null],
    ["60以上", 60, null],
    ["1,000-3,500", 1000, 3500],
  ])("%s → %s..%s", (text, low, high) => {
    expect(parseReferenceRange(text)).toEqual({ low, high });
  });

  it.each([[null], [""], ["  "], ["陰性"], ["(-)"], ["-"], ["M 13.5-17.6 F 11.3-15.2"], ["6.2-4.6"], ["abc-def"], ["5"]])("%s gives no limits", (text) => {
    expect(parseReferenceRange(text as string | null)).toEqual({ low: null, high: null });
  });

  it("never throws on other types", () => {
    expect(parseReferenceRange(42 as unknown as string)).toEqual({ low: null, high: null });
    expect(parseReferenceRange({} as unknown as string)).toEqual({ low: null, high: null });
  });
});

describe("parseLabNumber", () => {
  it.each([
    ["7.2", 7.2],
    ["７．２", 7.2],
    ["1,234", 1234],
    ["1,234,567.5", 1234567.5],
    ["<0.5", 0.5],
    ["< 0.5", 0.5],
    [">=1000", 1000],
    ["≦3", 3],
    ["-1.5", -1.5],
    ["−1.5", -1.5],
    [" 42 ", 42],
    [".5", 0.5],
    [12, 12],
  ])("%s → %s", (v, n) => {
    expect(parseLabNumber(v)).toBe(n);
  });

  it.each([["陰性"], ["1+"], ["2.5x10^3"], ["7.2 H"], [""], ["1,23"], [null], [undefined], [Number.NaN], [Infinity], [true], [{}]])("%s is not a number", (v) => {
    expect(parseLabNumber(v)).toBeNull();
  });
});

describe("flagOf", () => {
  it("the sender's flag wins", () => {
    expect(flagOf(5, 4, 6, "H")).toBe("H");
    expect(flagOf(5, 4, 6, "L")).toBe("L");
    expect(flagOf(5, 4, 6, "HH")).toBe("HH");
    expect(flagOf(5, 4, 6, "LL")).toBe("LL");
    expect(flagOf(5, 4, 6, "A")).toBe("A");
    expect(flagOf(null, null, null, "H")).toBe("H");
  });

  it("normalises other spellings of the flag", () => {
    expect(flagOf(null, null, null, "h")).toBe("H");
    expect(flagOf(null, null, null, " l ")).toBe("L");
    expect(flagOf(null, null, null, ">")).toBe("H");
    expect(flagOf(null, null, null, "<")).toBe("L");
    expect(flagOf(null, null, null, "Ｈ")).toBe("H");
    expect(flagOf(null, null, null, "hh")).toBe("HH");
    expect(flagOf(null, null, null, "AA")).toBe("A");
    expect(flagOf(null, null, null, "HU")).toBe("HH");
    expect(flagOf(null, null, null, "LU")).toBe("LL");
  });

  it("computes from the range otherwise", () => {
    expect(flagOf(7, 4.6, 6.2, null)).toBe("H");
    expect(flagOf(4, 4.6, 6.2, null)).toBe("L");
    expect(flagOf(5, 4.6, 6.2, null)).toBeNull();
    expect(flagOf(6.2, 4.6, 6.2, null)).toBeNull();
    expect(flagOf(4.6, 4.6, 6.2, null)).toBeNull();
    expect(flagOf(55, 60, null, null)).toBe("L");
    expect(flagOf(11, null, 10, "")).toBe("H");
    expect(flagOf(11, null, 10, "N")).toBe("H");
    expect(flagOf(11, null, 10, "???")).toBe("H");
    expect(flagOf(5, 4.6, 6.2, "N")).toBeNull();
    expect(flagOf(null, 4.6, 6.2, null)).toBeNull();
    expect(flagOf(5, null, null, null)).toBeNull();
    expect(flagOf(Number.NaN, 1, 2, null)).toBeNull();
  });
});

describe("labItemKey", () => {
  it("is the code when there is one", () => {
    expect(labItemKey("3D046000001920402", "HbA1c")).toBe("3D046000001920402");
    expect(labItemKey(" 3d046000001920402 ", null)).toBe("3D046000001920402");
    expect(labItemKey("３Ｄ０４６", "x")).toBe("3D046");
    expect(labItemKey("L-001", "グルコース")).toBe("L-001");
  });

  it("else the normalised name", () => {
    expect(labItemKey(null, "ＨｂＡ１ｃ")).toBe("name:HbA1c");
    expect(labItemKey("", "HbA1c")).toBe("name:HbA1c");
    expect(labItemKey("  ", " 総  蛋白 ")).toBe("name:総 蛋白");
    expect(labItemKey(null, "ｸﾞﾙｺｰｽ")).toBe("name:グルコース");
    expect(labItemKey(null, null)).toBe("name:");
  });
});

describe("labItemsOf: SS-MIX2 items", () => {
  const ssmix2 = (over: Record<string, unknown>) => ({
    code: "3D010000001926101",
    name: "グルコース",
    codeSystem: "JC10",
    localCode: null,
    valueType: "NM",
    value: "142",
    valueCode: null,
    unit: "mg/dl",
    referenceRange: "73-109",
    flag: null,
    status: "F",
    observedAt: "2011-12-19T06:00:00.000Z",
    specimen: "血清",
    group: "生化学",
    ...over,
  });

  it("reads value, unit, range text and computes the flag", () => {
    expect(labItemsOf({ kind: "result", items: [ssmix2({})] })).toEqual([
      {
        key: "3D010000001926101",
        code: "3D010000001926101",
        name: "グルコース",
        value: "142",
        numeric: 142,
        unit: "mg/dl",
        range: "73-109",
        low: 73,
        high: 109,
        flag: "H",
        specimen: "血清",
        group: "生化学",
        comment: null,
      },
    ]);
  });

  it("keeps the sender's flag and the value text with a comparator", () => {
    const [a, b] = labItemsOf({ items: [ssmix2({ value: "100", flag: "L" }), ssmix2({ valueType: "SN", value: "<0.5", referenceRange: "<=10" })] });
    expect(a).toMatchObject({ numeric: 100, flag: "L" });
    expect(b).toMatchObject({ value: "<0.5", numeric: 0.5, low: null, high: 10, flag: null });
  });

  it("full-width and thousands values; qualitative and coded values have no number", () => {
    const items = labItemsOf({
      items: [
        ssmix2({ value: "１２３", flag: "" }),
        ssmix2({ value: "1,234", referenceRange: "-5.0" }),
        ssmix2({ valueType: "ST", value: "陰性", referenceRange: "陰性", unit: null }),
        ssmix2({ valueType: "CWE", value: "A型", valueCode: "A" }),
        ssmix2({ valueType: "TS", value: "20111219" }),
      ],
    });
    expect(items.map((i) => [i.value, i.numeric, i.flag])).toEqual([
      ["１２３", 123, "H"],
      ["1,234", 1234, "H"],
      ["陰性", null, null],
      ["A型", null, null],
      ["20111219", null, null],
    ]);
    expect(items[2]).toMatchObject({ range: "陰性", low: null, high: null });
  });

  it("an ordered item without a value, and the local code when there is no JLAC10", () => {
    const [ord, local] = labItemsOf({ kind: "order", items: [ssmix2({ value: null, referenceRange: null }), ssmix2({ code: null, localCode: "L123", name: "ＰＴ" })] });
    expect(ord).toMatchObject({ value: null, numeric: null, range: null, flag: null });
    expect(local).toMatchObject({ key: "L123", code: "L123", name: "ＰＴ" });
  });

  it("reads the real OML-11 fixture", () => {
    const rel = "999/901/9999013/20111220/OML-11/9999013_20111220_OML-11_000000011000354_20111220103059000_01_1";
    const m = parseSsmix2Message(readFileSync(path.resolve(import.meta.dirname, "../fixtures/ssmix2/sampleData", rel)), rel);
    const items = labItemsOf(m.contents[0]!.payload);
    expect(items.map((i) => [i.name, i.numeric, i.unit, i.low, i.high, i.flag])).toEqual([
      ["A/G比", 1.7, null, 1.2, 2, null],
      ["総蛋白", 7.2, "g/dl", 6.7, 8.3, null],
      ["アルブミン", 4.9, "g/dl", 3.7, 5.5, null],
    ]);
    expect(items[1]).toMatchObject({ key: "3A010000002327101", specimen: "血清", group: "血液学的検査" });
  });
});

describe("labItemsOf: FHIR items", () => {
  const fhir = (over: Record<string, unknown>) => ({
    code: "3D046000001920402",
    codeSystem: "JLAC10",
    name: "HbA1c",
    value: 7.2,
    unit: "%",
    comparator: null,
    low: 4.6,
    high: 6.2,
    rangeText: null,
    flag: "H",
    ...over,
  });

  it("numeric value, limits and flag", () => {
    expect(labItemsOf({ resourceType: "Observation", items: [fhir({})] })).toEqual([
      { key: "3D046000001920402", code: "3D046000001920402", name: "HbA1c", value: "7.2", numeric: 7.2, unit: "%", range: "4.6-6.2", low: 4.6, high: 6.2, flag: "H", specimen: null, group: null, comment: null },
    ]);
  });

  it("the comparator goes with the value text; the range text wins for display", () => {
    const [a, b, c] = labItemsOf({
      items: [fhir({ value: 0.5, comparator: "<", flag: null, low: null, high: 10 }), fhir({ value: 58.3, low: 60, high: null, rangeText: "60以上", flag: null }), fhir({ value: 5, low: null, high: null, rangeText: "4.6-6.2", flag: "N" })],
    });
    expect(a).toMatchObject({ value: "<0.5", numeric: 0.5, range: "-10", flag: null });
    expect(b).toMatchObject({ range: "60以上", low: 60, high: null, flag: "L" });
    expect(c).toMatchObject({ range: "4.6-6.2", low: 4.6, high: 6.2, flag: null });
  });

  it("string, boolean and missing values; no code", () => {
    const items = labItemsOf({ items: [fhir({ value: "陰性", low: null, high: null, flag: null }), fhir({ value: true, flag: null }), fhir({ code: null, name: "ＢＭＩ", value: null, flag: null })] });
    expect(items.map((i) => [i.value, i.numeric, i.flag])).toEqual([
      ["陰性", null, null],
      ["true", null, null],
      [null, null, null],
    ]);
    expect(items[2]!.key).toBe("name:BMI");
  });

  it("reads the real outpatient bundle (a DiagnosticReport with items, an Observation with components)", () => {
    const m = parseFhirBundle(JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/fhir/outpatient-visit.json"), "utf8")) as unknown);
    const report = m.contents.find((c) => c.sourceKey === "DiagnosticReport/labrep-20250610")!;
    expect(labItemsOf(report.payload).map((i) => [i.name, i.value, i.range, i.flag])).toEqual([
      ["HbA1c", "7.2", "4.6-6.2", "H"],
      ["グルコース", "142", "73-109", "H"],
      ["eGFR", "58.3", "60以上", "L"],
    ]);
    const bp = m.contents.find((c) => c.sourceKey === "Observation/vital-20250610-bp")!;
    expect(labItemsOf(bp.payload).map((i) => i.name)).toEqual(["収縮期血圧", "拡張期血圧"]);
  });
});

describe("labItemsOf: garbage", () => {
  it.each([[null], [undefined], [42], ["items"], [true], [{}], [{ items: null }], [{ items: "x" }], [{ items: {} }], [[]]])("%s gives no items", (payload) => {
    expect(labItemsOf(payload)).toEqual([]);
  });

  it("skips items that are not objects or are empty, and survives odd field types", () => {
    const items = labItemsOf({
      items: [null, 1, "x", [], {}, { code: "", name: "  ", value: null }, { name: 5, value: { nested: true }, unit: [], referenceRange: 7, flag: 3, low: "4", high: Number.NaN, code: "C1" }],
    });
    expect(items).toEqual([
      { key: "C1", code: "C1", name: "5", value: null, numeric: null, unit: null, range: "7", low: null, high: null, flag: null, specimen: null, group: null, comment: null },
    ]);
  });

  it("a bare array of items is read too", () => {
    expect(labItemsOf([{ name: "Na", value: "140", referenceRange: "135-145" }])).toMatchObject([{ key: "name:Na", numeric: 140, low: 135, high: 145, flag: null }]);
  });
});
