import { describe, expect, it } from "vitest";
import {
  composeAdministration,
  composeAdmissionEvent,
  composeDiagnoses,
  composeImagingOrder,
  composeLabResult,
  composeMedicationOrder,
  composePatientInfo,
  encodeIso2022jp,
  escapeHl7,
  isJisEncodable,
  ssmix2Path,
  UnmappableCharacterError,
  type THl7Context,
} from "@/lib/clinical/ingest/hl7-writer";
import { parseHl7, component, firstSegment } from "@/lib/clinical/ingest/hl7";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
import type { TContentDraft } from "@/lib/clinical/ingest/types";

const decode = (b: Uint8Array) => new TextDecoder("iso-2022-jp", { fatal: true }).decode(b);

const ctx: THl7Context = {
  header: { at: "20250512093012.345", controlId: "20250512093012001" },
  patient: {
    id: "1000042",
    nameKanji: ["伊那谷", "花子"],
    nameKana: ["イナダニ", "ハナコ"],
    birthDate: "19470305",
    sex: "F",
    postalCode: "395-0044",
    address: "長野県飯田市本町３－５",
    phone: "0265-22-0001",
  },
  visit: { patientClass: "O", department: "01", doctor: { id: "D0101", family: "医師", given: "一郎" } },
  facilityName: "飯田中央病院",
  department: { code: "01", name: "内科" },
};
const inpatient: THl7Context = { ...ctx, visit: { patientClass: "I", location: { ward: "3E", room: "305", bed: "2" }, department: "01", doctor: ctx.visit.doctor } };

const file = (dataType: string, careDate: string | null, orderNumber?: string, patientId = "1000042") =>
  ssmix2Path({ patientId, careDate, dataType, orderNumber, timestamp: "20250512093012345", department: "01" }).path;
const only = (bytes: Uint8Array, path: string): TContentDraft => {
  const m = parseSsmix2Message(bytes, path, { requireMatchingPatientId: true });
  expect(m.contents).toHaveLength(1);
  return m.contents[0]!;
};

describe("ISO-2022-JP encoder", () => {
  it.each([
    "アムロジピン錠5mg",
    "メトホルミン塩酸塩錠250mg",
    "長野県下伊那郡松川町元大島２－２",
    "ＨｂＡ１ｃ（ＮＧＳＰ）",
    "胸部.Ｘ線単純撮影.立位正面(P→A)",
    "ひらがな・カタカナ・漢字　全角空白",
    "mixed ASCII 123 と 日本語 and back",
    "〓※〒→←↑↓①",
  ].filter((s) => isJisEncodable(s)))("round-trips %s", (s) => {
    expect(decode(encodeIso2022jp(s))).toBe(s);
  });

  it("writes ASCII as is and ends in ASCII mode", () => {
    expect(Buffer.from(encodeIso2022jp("MSH|^~\\&|")).toString("latin1")).toBe("MSH|^~\\&|");
    const b = encodeIso2022jp("a漢b");
    expect([...b]).toEqual([0x61, 0x1b, 0x24, 0x42, 0x34, 0x41, 0x1b, 0x28, 0x42, 0x62]);
    expect([...encodeIso2022jp("漢").slice(-3)]).toEqual([0x1b, 0x28, 0x42]);
  });

  it("folds half-width katakana to full-width, voiced marks joined", () => {
    expect(decode(encodeIso2022jp("ｶﾝｼﾞｬ ﾀﾛｳ ｶﾞｯｺｳ"))).toBe("カンジャ タロウ ガッコウ");
  });

  it("writes 髙 and 﨑 (not JIS X 0208) as 〓, or refuses them", () => {
    // 髙 U+9AD9 and 﨑 U+FA11 are IBM extensions in CP932, absent from JIS X 0208
    expect(isJisEncodable("髙橋")).toBe(false);
    expect(decode(encodeIso2022jp("髙橋 山﨑"))).toBe("〓橋 山〓");
    expect(() => encodeIso2022jp("山﨑", { unmappable: "throw" })).toThrow(UnmappableCharacterError);
    // as vendor extensions (NEC-selected IBM rows 89–92) they round-trip through the WHATWG decoder
    expect(decode(encodeIso2022jp("髙橋 山﨑", { extensions: true }))).toBe("髙橋 山﨑");
    expect(isJisEncodable("髙橋", { extensions: true })).toBe(true);
  });

  it("writes NEC row 13 characters only as extensions", () => {
    expect(decode(encodeIso2022jp("①㈱"))).toBe("〓〓");
    expect(decode(encodeIso2022jp("①㈱", { extensions: true }))).toBe("①㈱");
  });

  it("maps characters outside Unicode's BMP and emoji to 〓", () => {
    expect(decode(encodeIso2022jp("𠮷野家😀"))).toBe("〓野家〓");
  });

  it("never writes a raw escape byte", () => {
    expect([...encodeIso2022jp("a\u001bb")].filter((x) => x === 0x1b)).toHaveLength(2); // ESC $ B, ESC ( B around 〓
  });
});

describe("HL7 escaping", () => {
  it("escapes delimiters and line breaks, and the parser gives them back", () => {
    const text = "1|2^3&4~5\\6\n7";
    expect(escapeHl7(text)).toBe("1\\F\\2\\S\\3\\T\\4\\R\\5\\E\\6\\.br\\7");
    const bytes = composeLabResult(ctx, {
      orderNumber: "100000000000001",
      specimenNumber: "25051200001",
      specimen: { code: "023", name: "血清" },
      group: { code: "L001", name: "生化学" },
      collectedAt: "202505120830",
      reportedAt: "20250512101500",
      items: [{ code: { code: "9Z999000000000001", name: "コメント" }, value: text }],
    });
    const lab = only(bytes, file("OML-11", "20250512", "100000000000001"));
    expect((lab.payload.items as { value: string }[])[0]!.value).toBe(text);
  });

  it("refuses control characters", () => {
    expect(() => escapeHl7("a\u0007b")).toThrow();
  });
});

describe("composed messages read back through parseSsmix2Message", () => {
  it("MSH declares ISO IR87 / ISO2022-1994 and the SS-MIX2 profile; segments end in CR", () => {
    const bytes = composePatientInfo(ctx, { recordedAt: "202505120900" });
    const text = decode(bytes);
    expect(text.endsWith("\r")).toBe(true);
    expect(text).not.toContain("\n");
    const msg = parseHl7(bytes);
    expect(msg.charset).toBe("iso-2022-jp");
    const msh = msg.segments[0]!;
    expect(msh.fields[18]).toBe("~ISO IR87");
    expect(msh.fields[20]).toBe("ISO2022-1994");
    expect(component(msh, 21)).toBe("SS-MIX2_1.20");
    expect(component(firstSegment(msg, "PID")!, 5, 1, { rep: 1 })).toBe("イナダニ");
  });

  it("ADT-00: demographics, height, weight, blood type, allergy", () => {
    const bytes = composePatientInfo(
      { ...ctx, patient: { ...ctx.patient, updatedAt: "20250512090000" } },
      { recordedAt: "202505120900", heightCm: 152.3, weightKg: 48.5, aboBloodType: "A", allergies: [{ type: { code: "DA", name: "薬剤アレルギー" }, allergen: { code: "1", name: "ペニシリン" } }] },
    );
    const m = parseSsmix2Message(bytes, file("ADT-00", null), { requireMatchingPatientId: true });
    expect(m.patient).toEqual({
      facilityPatientId: "1000042",
      nameKanji: "伊那谷 花子",
      nameKana: "イナダニ ハナコ",
      sex: "FEMALE",
      birthDate: "1947-03-05",
      postalCode: "395-0044",
      address: "長野県飯田市本町３－５",
      phone: "0265-22-0001",
    });
    const c = m.contents[0]!;
    expect(c.category).toBe("PATIENT_INFO");
    expect(c.occurredAt.toISOString()).toBe("2025-05-12T00:00:00.000Z");
    expect((c.payload.observations as { name: string; value: string; unit: string }[]).map((o) => [o.name, o.value, o.unit])).toEqual([
      ["身長", "152.3", "cm"],
      ["体重", "48.5", "kg"],
      ["血液型-ABO式", "A", null],
    ]);
    expect(c.payload.allergies).toEqual([{ type: { code: "DA", name: "薬剤アレルギー", system: "HL70127" }, allergen: { code: "1", name: "ペニシリン", system: "99XYZ" } }]);
  });

  it("OMP-01: prescription with HOT9 codes, dose, usage, days, amount", () => {
    const bytes = composeMedicationOrder(ctx, {
      orderNumber: "100000000000010",
      orderedAt: "20250512093000",
      rps: [
        {
          rp: "1",
          drugs: [
            { drug: { code: "112834101", name: "アムロジピン錠5mg" }, dose: 1, unit: { code: "TAB", name: "錠" }, dispenseAmount: 28 },
            { drug: { code: "111822501", name: "ランソプラゾールOD錠15mg" }, dose: 1, unit: { code: "TAB", name: "錠" }, dispenseAmount: 28 },
          ],
          usage: { code: "1011040000000000", name: "内服・経口・１日１回朝食後" },
          days: 28,
          route: { code: "PO", name: "口" },
        },
        {
          rp: "2",
          drugs: [{ drug: { code: "106239101", name: "メトホルミン塩酸塩錠250mg" }, dose: 1, unit: { code: "TAB", name: "錠" }, dispenseAmount: 56 }],
          usage: { code: "1012040400000000", name: "内服・経口・１日２回朝夕食後" },
          days: 28,
          route: { code: "PO", name: "口" },
        },
      ],
    });
    const c = only(bytes, file("OMP-01", "20250512", "100000000000010"));
    expect(c.category).toBe("PRESCRIPTION_ORDER");
    expect(c.title).toBe("アムロジピン錠5mg 他2剤");
    expect(c.occurredAt.toISOString()).toBe("2025-05-12T00:30:00.000Z");
    expect(c.sourceKey).toBe("OMP-01:100000000000010");
    const lines = c.payload.lines as Record<string, unknown>[];
    expect(lines.map((l) => [l.rp, l.drugCode, l.drugCodeSystem, l.drugName, l.dose, l.doseUnit, l.usage, l.usageCode, l.days, l.dispenseAmount])).toEqual([
      ["1", "112834101", "HOT9", "アムロジピン錠5mg", 1, "錠", "内服・経口・１日１回朝食後", "1011040000000000", 28, 28],
      ["1", "111822501", "HOT9", "ランソプラゾールOD錠15mg", 1, "錠", "内服・経口・１日１回朝食後", "1011040000000000", 28, 28],
      ["2", "106239101", "HOT9", "メトホルミン塩酸塩錠250mg", 1, "錠", "内服・経口・１日２回朝夕食後", "1012040400000000", 28, 56],
    ]);
    expect(lines[0]!.route).toEqual({ code: "PO", name: "口", device: null });
  });

  it("OMP-02: injection order with start and end, rate instruction", () => {
    const bytes = composeMedicationOrder(inpatient, {
      injection: true,
      orderNumber: "100000000000020",
      orderedAt: "20250512160000",
      rps: [
        {
          rp: "1",
          drugs: [{ drug: { code: "620007329", name: "ソルデム3A輸液500mL" }, dose: 1, unit: { code: "BTL", name: "本" }, dispenseAmount: 3 }],
          usage: { code: "3000000000000000", name: "注射・点滴静注" },
          days: 3,
          start: "202505130900",
          end: "202505160900",
          route: { code: "IV", name: "静脈内" },
          instruction: "100ml/hrで投与",
        },
      ],
    });
    const c = only(bytes, file("OMP-02", "20250512", "100000000000020"));
    expect(c.category).toBe("INJECTION_ORDER");
    const line = (c.payload.lines as Record<string, unknown>[])[0]!;
    expect([line.drugName, line.instructions, line.start, line.end, line.days]).toEqual(["ソルデム3A輸液500mL", "100ml/hrで投与", "2025-05-13T00:00:00.000Z", "2025-05-16T00:00:00.000Z", 3]);
    expect(line.route).toEqual({ code: "IV", name: "静脈内", device: null });
  });

  it.each([
    ["OMP-11", "PRESCRIPTION_DISPENSED"],
    ["OMP-12", "INJECTION_ADMINISTERED"],
  ])("%s: administration with RXA times, amounts and notes", (dataType, category) => {
    const bytes = composeAdministration(inpatient, {
      orderNumber: "100000000000030",
      orderedAt: "20250512160000",
      route: { code: "IV", name: "静脈内" },
      nurse: { id: "N0101", family: "看護", given: "花子" },
      items: [{ drug: { code: "620004501", name: "フロセミド注20mg" }, dose: 1, unit: { code: "AMP", name: "アンプル" }, start: "202505130910", end: "202505130925", note: "左前腕に実施", rate: "100ml/hr" }],
    });
    const c = only(bytes, file(dataType, "20250513", "100000000000031"));
    expect(c.category).toBe(category);
    expect(c.occurredAt.toISOString()).toBe("2025-05-13T00:10:00.000Z");
    const line = (c.payload.lines as Record<string, unknown>[])[0]!;
    expect([line.drugCode, line.drugName, line.dose, line.doseUnit, line.instructions, line.rate, line.completion, line.end]).toEqual([
      "620004501",
      "フロセミド注20mg",
      1,
      "アンプル",
      "左前腕に実施",
      "100ml/hr",
      "CP",
      "2025-05-13T00:25:00.000Z",
    ]);
  });

  it("OML-11: lab results with JLAC10, units, ranges and H/L flags", () => {
    const bytes = composeLabResult(ctx, {
      orderNumber: "100000000000040",
      specimenNumber: "25051200040",
      specimen: { code: "023", name: "血清" },
      group: { code: "L001", name: "生化学・血液学検査" },
      collectedAt: "202505120840",
      reportedAt: "20250512101500",
      items: [
        { code: { code: "3D046000001906202", name: "HbA1c(NGSP)" }, value: 7.2, decimals: 1, unit: "%", range: "4.9-6.0", flag: "H" },
        { code: { code: "8A065000002391901", name: "eGFR" }, value: 48.25, decimals: 1, unit: "mL/min/1.73m2", range: "60-", flag: "L" },
        { code: { code: "3F077000002327101", name: "LDL-C" }, value: 100, decimals: 0, unit: "mg/dL", range: "65-163", flag: null },
      ],
    });
    const c = only(bytes, file("OML-11", "20250512", "100000000000040"));
    expect(c.category).toBe("LAB");
    expect(c.title).toBe("検査 3項目");
    expect(c.occurredAt.toISOString()).toBe("2025-05-11T23:40:00.000Z");
    const items = c.payload.items as Record<string, unknown>[];
    expect(items.map((i) => [i.code, i.codeSystem, i.name, i.valueType, i.value, i.unit, i.referenceRange, i.flag, i.specimen, i.status])).toEqual([
      ["3D046000001906202", "JC10", "HbA1c(NGSP)", "NM", "7.2", "%", "4.9-6.0", "H", "血清", "F"],
      ["8A065000002391901", "JC10", "eGFR", "NM", "48.3", "mL/min/1.73m2", "60-", "L", "血清", "F"],
      ["3F077000002327101", "JC10", "LDL-C", "NM", "100", "mg/dL", "65-163", null, "血清", "F"],
    ]);
  });

  it("OMG-01: imaging order with its exams as children", () => {
    const bytes = composeImagingOrder(ctx, {
      orderNumber: "100000000000100",
      orderedAt: "20250512094500",
      order: { code: "2000000000000000", name: "ＣＴ" },
      exams: [{ code: { code: "20000002500100000000010000000000", name: "腹部.ＣＴ.単純" } }],
      reason: "腹部精査",
    });
    const c = only(bytes, file("OMG-01", "20250512", "100000000000100"));
    expect(c.category).toBe("IMAGING");
    expect(c.title).toBe("腹部 ＣＴ 単純");
    expect(c.occurredAt.toISOString()).toBe("2025-05-12T00:45:00.000Z");
    expect(c.payload).toMatchObject({ kind: "放射線検査", stage: "order", orderNumber: "100000000000100", studyDescription: "ＣＴ", findings: "腹部精査" });
    expect((c.payload.studies as { orderNumber: string; parentOrderNumber: string | null; control: string }[]).map((s) => [s.control, s.orderNumber, s.parentOrderNumber])).toEqual([
      ["NW", "100000000000100", null],
      ["CH", "100000000000101", "100000000000100"],
    ]);
  });

  it("PPR-01: diagnoses with ICD-10, start and end dates, suspected", () => {
    const bytes = composeDiagnoses(ctx, {
      recordedAt: "20250512",
      problems: [
        { instanceId: "1000042001", code: { code: "8833421", name: "高血圧症", system: "99XYZ" }, icd10: "I10", startDate: "20190401", main: true },
        { instanceId: "1000042002", code: { code: "8838853", name: "肺炎", system: "99XYZ" }, icd10: "J189", startDate: "20250110", endDate: "20250124" },
        { instanceId: "1000042003", code: { code: "8843851", name: "逆流性食道炎", system: "99XYZ" }, startDate: "20250512", suspected: true },
      ],
    });
    const m = parseSsmix2Message(bytes, file("PPR-01", null), { requireMatchingPatientId: true });
    expect(m.contents.map((c) => [c.category, c.title, c.sourceKey, c.payload.icd10, c.payload.startDate, c.payload.endDate])).toEqual([
      ["DIAGNOSIS", "高血圧症", "PPR-01:1000042:1000042001", "I10", "2019-04-01", null],
      ["DIAGNOSIS", "肺炎", "PPR-01:1000042:1000042002", "J189", "2025-01-10", "2025-01-24"],
      ["DIAGNOSIS", "逆流性食道炎の疑い", "PPR-01:1000042:1000042003", null, "2025-05-12", null],
    ]);
  });

  it("ADT-22 / ADT-52: admission and discharge times", () => {
    const admit = only(composeAdmissionEvent(inpatient, { event: "admit", recordedAt: "202505121400", at: "202505121330" }), file("ADT-22", "20250512"));
    expect(admit.category).toBe("ADMISSION");
    expect(admit.title).toBe("入院");
    expect(admit.occurredAt.toISOString()).toBe("2025-05-12T04:30:00.000Z");
    expect(admit.payload).toMatchObject({ event: "A01", patientClass: "I", location: "3E-305-2", attendingDoctor: "医師 一郎", department: "01" });
    const out = only(
      composeAdmissionEvent({ ...inpatient, visit: { ...inpatient.visit, admittedAt: "202505121330" } }, { event: "discharge", recordedAt: "202505201100", at: "202505201030" }),
      file("ADT-52", "20250520"),
    );
    expect(out.title).toBe("退院");
    expect(out.occurredAt.toISOString()).toBe("2025-05-20T01:30:00.000Z");
    expect(out.payload).toMatchObject({ event: "A03", admittedAt: "2025-05-12T04:30:00.000Z", dischargedAt: "2025-05-20T01:30:00.000Z", eventAt: "2025-05-20T01:30:00.000Z" });
    expect([admit.sourceKey, out.sourceKey]).toEqual(["ADT-22:1000042:20250512", "ADT-52:1000042:20250520"]);
  });

  it("two patients admitted on the same day, with the same allergy and problem numbers, are separate items", () => {
    const other = { ...ctx, patient: { ...ctx.patient, id: "1000043" } };
    const keys = (c: typeof ctx) => [
      only(composeAdmissionEvent({ ...inpatient, patient: c.patient }, { event: "admit", recordedAt: "202505121400", at: "202505121330" }), file("ADT-22", "20250512", undefined, c.patient.id)).sourceKey,
      ...parseSsmix2Message(composeDiagnoses(c, { recordedAt: "20250512", problems: [{ instanceId: "1", code: { code: "8833421", name: "高血圧症", system: "99XYZ" }, startDate: "20190401" }] }), file("PPR-01", null, undefined, c.patient.id)).contents.map((x) => x.sourceKey),
    ];
    const a = keys(ctx);
    const b = keys(other);
    expect(a.filter((k) => b.includes(k))).toEqual([]);
  });

  it("names SS-MIX2 files and folders as the parser expects, and refuses short patient IDs", () => {
    expect(ssmix2Path({ patientId: "C100042", careDate: "20250512", dataType: "OMP-01", orderNumber: "200000000000001", timestamp: "20250512093012345", department: "01" }).path).toBe(
      "C10/004/C100042/20250512/OMP-01/C100042_20250512_OMP-01_200000000000001_20250512093012345_01_1",
    );
    expect(ssmix2Path({ patientId: "1000042", careDate: null, dataType: "ADT-00", timestamp: "20250512093012345", deleted: true }).name).toBe(
      "1000042_-_ADT-00_999999999999999_20250512093012345_-_0",
    );
    expect(() => ssmix2Path({ patientId: "12345", careDate: null, dataType: "ADT-00", timestamp: "20250512093012345" })).toThrow();
  });
});
