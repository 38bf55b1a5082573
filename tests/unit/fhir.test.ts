import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseFhirBundle, parseFhirDateTime, type TFhirDrugLine, type TFhirLabItem } from "@/lib/clinical/ingest/fhir";
import { IngestError, type TContentDraft, type TParsedMessage } from "@/lib/clinical/ingest/types";
import { generateDemoDocuments } from "@/scripts/fhir/demo-documents.mts";
import { generateDemoSsmix2 } from "@/scripts/ssmix2/demo-region.mts";

type TJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/fhir");
/** a fresh copy of a fixture bundle, free to modify */
const load = (name: string): TJson => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8")) as TJson;

function byKey(m: TParsedMessage, key: string): TContentDraft {
  const c = m.contents.find((x) => x.sourceKey === key);
  if (!c) throw new Error(`no content ${key} in ${m.contents.map((x) => x.sourceKey).join(", ")}`);
  return c;
}
const lines = (c: TContentDraft) => c.payload.lines as TFhirDrugLine[];
const items = (c: TContentDraft) => c.payload.items as TFhirLabItem[];

/** the IngestError thrown by fn (failing the test when there is none) */
function ingestError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error("expected an IngestError");
}

const patient = (id = "p1") => ({
  fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${id === "p1" ? 1 : 2}`,
  resource: { resourceType: "Patient", id, identifier: [{ value: `ID-${id}` }] },
});
const obs = (id: string, extra: TJson = {}) => ({
  resource: {
    resourceType: "Observation",
    id,
    status: "final",
    code: { text: "白血球数" },
    subject: { reference: "Patient/p1" },
    effectiveDateTime: "2025-01-06T08:00:00+09:00",
    valueQuantity: { value: 5.4, unit: "10^3/uL" },
    ...extra,
  },
});
const bundle = (...entry: unknown[]) => ({ resourceType: "Bundle", type: "collection", entry });

describe("parseFhirBundle: outpatient visit (transaction)", () => {
  const m = parseFhirBundle(load("outpatient-visit.json"), { fileName: "outpatient-visit.json" });

  it("is a FHIR Bundle of the facility's patient", () => {
    expect(m.kind).toBe("FHIR");
    expect(m.dataType).toBe("Bundle");
    expect(m.patient).toEqual({
      facilityPatientId: "00012345",
      nameKanji: "山田 花子",
      nameKana: "ヤマダ ハナコ",
      sex: "FEMALE",
      birthDate: "1958-04-12",
      postalCode: "080-0015",
      address: "北海道帯広市西5条南10丁目1-2",
      phone: "0155-22-3344",
    });
    expect(m.contents.every((c) => c.facilityPatientId === "00012345")).toBe(true);
  });

  it("maps each resource to its category; outpatient encounters, practitioners and folded results are left out", () => {
    expect(m.contents.map((c) => [c.sourceKey, c.category])).toEqual([
      ["MedicationRequest/rx-0001-1", "PRESCRIPTION_ORDER"],
      ["MedicationRequest/rx-0001-2", "PRESCRIPTION_ORDER"],
      ["MedicationDispense/disp-0001-1", "PRESCRIPTION_DISPENSED"],
      ["DiagnosticReport/labrep-20250610", "LAB"],
      ["Observation/vital-20250610-bp", "LAB"],
      ["Condition/dx-0001", "DIAGNOSIS"],
      ["AllergyIntolerance/alg-0001", "ALLERGY"],
    ]);
    expect(m.contents.every((c) => !c.isDeleted)).toBe(true);
  });

  it("prescription lines: HOT9 preferred, dose, usage, days", () => {
    const rx = byKey(m, "MedicationRequest/rx-0001-1");
    // a date without time is 00:00 in Japan: the previous day 15:00 UTC
    expect(rx.occurredAt.toISOString()).toBe("2025-06-09T15:00:00.000Z");
    expect(rx.title).toBe("ムコダイン錠２５０ｍｇ");
    expect(lines(rx)).toEqual([
      { code: "103835401", codeSystem: "HOT9", name: "ムコダイン錠２５０ｍｇ", dose: 3, doseUnit: "錠", usage: "1日3回 朝昼夕食後", usageCode: "1013044400000000", days: 7, route: "口" },
    ]);
    expect(rx.payload).toMatchObject({ orderNumber: "RX-20250610-0001", totalQuantity: 21, totalQuantityUnit: "錠", status: "active", requester: "鈴木 一郎" });
    expect(rx.sourceVersion).toBe("2025-06-10T01:15:00.000Z");

    const rx2 = byKey(m, "MedicationRequest/rx-0001-2");
    expect(rx2.occurredAt.toISOString()).toBe("2025-06-10T01:12:00.000Z");
    expect(lines(rx2)[0]).toMatchObject({ code: "3962002F1038", codeSystem: "YJ", name: "メトホルミン塩酸塩錠２５０ｍｇＭＴ「トーワ」", usage: "1日2回 朝夕食後", days: 28 });
    expect(rx2.sourceVersion).toBe("000000000003");
    // no requester: the prescriber is unknown
    expect(rx2.payload.requester).toBeNull();
  });

  it("dispensing", () => {
    const d = byKey(m, "MedicationDispense/disp-0001-1");
    expect(d.occurredAt.toISOString()).toBe("2025-06-10T01:55:00.000Z");
    expect(lines(d)[0]).toMatchObject({ code: "103835401", codeSystem: "HOT9", dose: 3, doseUnit: "錠", days: 7, usage: "1日3回 朝昼夕食後" });
    expect(d.payload).toMatchObject({ totalQuantity: 21 });
  });

  it("a lab report groups its results (by id and by fullUrl) with JLAC10 codes, ranges and flags", () => {
    const lab = byKey(m, "DiagnosticReport/labrep-20250610");
    expect(lab.title).toBe("生化学検査 3項目");
    expect(lab.occurredAt.toISOString()).toBe("2025-06-10T00:30:00.000Z");
    expect(items(lab)).toEqual([
      { code: "3D046000001920402", codeSystem: "JLAC10", name: "HbA1c", value: 7.2, unit: "%", comparator: null, low: 4.6, high: 6.2, rangeText: null, flag: "H" },
      { code: "3D010000001926101", codeSystem: "JLAC10", name: "グルコース", value: 142, unit: "mg/dL", comparator: null, low: 73, high: 109, rangeText: null, flag: "H" },
      { code: "8A065000002391901", codeSystem: "JLAC10", name: "eGFR", value: 58.3, unit: "mL/min/1.73m2", comparator: null, low: 60, high: null, rangeText: "60以上", flag: "L" },
    ]);
    expect(lab.payload).toMatchObject({ conclusion: null, unresolvedResults: [] });
  });

  it("an observation on its own: components become items", () => {
    const bp = byKey(m, "Observation/vital-20250610-bp");
    expect(bp.title).toBe("血圧 2項目");
    expect(items(bp).map((i) => [i.name, i.value, i.unit])).toEqual([
      ["収縮期血圧", 138, "mmHg"],
      ["拡張期血圧", 84, "mmHg"],
    ]);
    expect(bp.sourceVersion).toBe("0");
  });

  it("diagnosis and allergy", () => {
    const dx = byKey(m, "Condition/dx-0001");
    expect(dx.title).toBe("2型糖尿病");
    expect(dx.occurredAt.toISOString()).toBe("2019-10-31T15:00:00.000Z");
    expect(dx.payload).toMatchObject({ name: "2型糖尿病", icd10: "E11.9", clinicalStatus: "active", verificationStatus: "confirmed", onset: "2019-11-01" });

    const al = byKey(m, "AllergyIntolerance/alg-0001");
    expect(al.title).toBe("アレルギー: ロキソプロフェン");
    expect(al.occurredAt.toISOString()).toBe("2021-03-01T15:00:00.000Z");
    expect(al.payload).toMatchObject({ criticality: "high", category: ["medication"], reactions: [{ manifestations: ["蕁麻疹", "呼吸困難"], severity: "severe" }] });
  });
});

describe("parseFhirBundle: admission (collection)", () => {
  const m = parseFhirBundle(load("admission.json"));

  it("patient: kanji from family/given, kana from text, address from its parts", () => {
    expect(m.patient).toMatchObject({ facilityPatientId: "778899", nameKanji: "佐藤 健太郎", nameKana: "サトウ ケンタロウ", sex: "MALE", postalCode: "0800011", address: "北海道帯広市西1条南5丁目3", phone: null });
  });

  it("maps the categories", () => {
    expect(m.contents.map((c) => c.category)).toEqual(["ADMISSION", "INJECTION_ORDER", "INJECTION_ORDER", "INJECTION_ADMINISTERED", "IMAGING", "REPORT", "DIAGNOSIS"]);
  });

  it("admission with its period (a discharge date only is 00:00 JST)", () => {
    const adm = byKey(m, "Encounter/adm-2025-0042");
    expect(adm.occurredAt.toISOString()).toBe("2025-04-02T05:20:00.000Z");
    expect(adm.title).toBe("入院（2025/04/02〜2025/04/10 退院）");
    expect(adm.payload).toMatchObject({ class: "IMP", start: "2025-04-02T14:20:00+09:00", end: "2025-04-10", ward: "4階東病棟" });
  });

  it("an injection order of a contained mixed medication: one line per ingredient", () => {
    const inj = byKey(m, "MedicationRequest/inj-2025-0042-1");
    expect(inj.title).toBe("生理食塩液 100mL 他1剤");
    expect(lines(inj)).toEqual([
      { code: "107750602", codeSystem: "HOT9", name: "生理食塩液 100mL", dose: 100, doseUnit: "mL", usage: "1日1回 点滴静注 30分かけて", usageCode: null, days: 5, route: "静脈内" },
      { code: "6132419F1038", codeSystem: "YJ", name: "セフトリアキソンナトリウム静注用1g", dose: 1, doseUnit: "g", usage: "1日1回 点滴静注 30分かけて", usageCode: null, days: 5, route: "静脈内" },
    ]);
    expect(inj.payload.requester).toBeNull();
    // injection by route text only
    const hep = byKey(m, "MedicationRequest/inj-2025-0042-2");
    expect(hep.title).toBe("ヘパリンNa注5千単位/5mL");
    expect(hep.occurredAt.toISOString()).toBe("2025-04-02T15:00:00.000Z");
    expect(lines(hep)[0]).toMatchObject({ code: null, codeSystem: null, dose: 5000, doseUnit: "単位", route: "皮下注射" });
  });

  it("administration", () => {
    const a = byKey(m, "MedicationAdministration/inj-2025-0042-1-a1");
    expect(a.occurredAt.toISOString()).toBe("2025-04-02T06:10:00.000Z");
    expect(a.title).toBe("セフトリアキソンナトリウム静注用1g");
    expect(lines(a)[0]).toMatchObject({ codeSystem: "YJ", dose: 1, doseUnit: "g", usage: "点滴静注", route: "静脈内" });
    expect(a.payload).toMatchObject({ end: "2025-04-02T15:40:00+09:00" });
  });

  it("imaging: modality and description", () => {
    const ct = byKey(m, "ImagingStudy/ct-2025-0402");
    expect(ct.title).toBe("CT 胸部単純CT");
    expect(ct.occurredAt.toISOString()).toBe("2025-04-02T04:05:00.000Z");
    expect(ct.payload).toMatchObject({
      modalities: ["CT"],
      description: "胸部単純CT",
      studyInstanceUid: "1.2.392.200036.9116.2.6.1.48.1214245415.1743570000.123456",
      numberOfSeries: 2,
      numberOfInstances: 240,
      series: [{ modality: "CT", description: "肺野条件", bodySite: "胸部", numberOfInstances: 120 }],
    });
  });

  it("a report with a conclusion and its text", () => {
    const r = byKey(m, "DiagnosticReport/rad-2025-0402");
    expect(r.title).toBe("胸部CT 読影レポート");
    expect(r.payload).toMatchObject({ conclusion: "右下葉肺炎", items: [] });
    const form = (r.payload.presentedForm as Array<{ text: string; hasData: boolean }>)[0]!;
    expect(form.hasData).toBe(true);
    expect(form.text).toContain("右下葉に径2cm大の浸潤影を認める");
  });

  it("a provisional diagnosis is marked as suspected", () => {
    const dx = byKey(m, "Condition/dx-2025-0402");
    expect(dx.title).toBe("肺炎（疑い）");
    expect(dx.payload).toMatchObject({ icd10: "J18.9", verificationStatus: "provisional" });
    expect(dx.sourceVersion).toBe("0");
  });
});

describe("parseFhirBundle: referral document (message, no Patient)", () => {
  const m = parseFhirBundle(load("referral-document.json"));

  it("the patient is named by identifier only", () => {
    expect(m.patient).toBeNull();
    expect(m.contents.every((c) => c.facilityPatientId === "A-00451")).toBe(true);
    expect(m.contents.map((c) => c.category)).toEqual(["DOCUMENT", "DOCUMENT", "LAB", "ALLERGY"]);
  });

  it("a document keeps metadata only, never the data", () => {
    const doc = m.contents[0]!;
    expect(doc.sourceKey).toBe("DocumentReference/0b6f5a52-7a40-4f8e-8d1f-3c1a9e5b7d02");
    expect(doc.title).toBe("帯広中央病院 循環器内科への紹介");
    expect(doc.occurredAt.toISOString()).toBe("2025-05-15T07:00:00.000Z");
    expect(doc.sourceVersion).toBe("2025-05-15T07:10:00.000Z");
    expect(doc.payload).toMatchObject({
      type: "診療情報提供書",
      category: ["紹介状"],
      attachments: [{ contentType: "application/pdf", title: "診療情報提供書_田中美咲.pdf", size: 98, language: "ja", hasData: true, url: null }],
    });
    expect(JSON.stringify(doc.payload)).not.toContain("JVBERi0");
  });

  it("entered-in-error withdraws the item", () => {
    const doc = byKey(m, "DocumentReference/doc-20250512-03");
    expect(doc.isDeleted).toBe(true);
    expect(doc.title).toBe("退院時サマリー");
    expect(doc.occurredAt.toISOString()).toBe("2025-05-11T15:00:00.000Z");
    expect(doc.payload).toMatchObject({ attachments: [{ hasData: false, url: "http://clinic.example.jp/docs/20250512-03.pdf" }] });
  });

  it("a text result and a year-only onset", () => {
    const ua = byKey(m, "Observation/ua-20250515");
    expect(ua.title).toBe("尿蛋白定性 (+)");
    expect(ua.occurredAt.toISOString()).toBe("2025-05-14T15:00:00.000Z");
    expect(items(ua)[0]).toMatchObject({ code: "1A010000000191111", codeSystem: "JLAC10", value: "(+)", rangeText: "(-)", flag: "A" });
    const al = byKey(m, "AllergyIntolerance/alg-food-01");
    expect(al.title).toBe("アレルギー: そば");
    expect(al.occurredAt.toISOString()).toBe("1989-12-31T15:00:00.000Z");
    expect(al.payload).toMatchObject({ reactions: [{ manifestations: ["アナフィラキシー"] }] });
  });
});

describe("parseFhirDateTime", () => {
  it.each([
    ["2025-06-10", "2025-06-09T15:00:00.000Z"],
    ["2025-06", "2025-05-31T15:00:00.000Z"],
    ["2025", "2024-12-31T15:00:00.000Z"],
    ["2025-06-10T09:30:00+09:00", "2025-06-10T00:30:00.000Z"],
    ["2025-06-10T09:30:00Z", "2025-06-10T09:30:00.000Z"],
    ["2025-06-10T09:30:00.123-05:00", "2025-06-10T14:30:00.123Z"],
    ["2025-06-10T09:30:00", "2025-06-10T00:30:00.000Z"],
    ["2024-02-29", "2024-02-28T15:00:00.000Z"],
  ])("%s → %s", (text, iso) => {
    expect(parseFhirDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each(["2025-02-29", "2025-13-01", "2025-06-10T24:00:00+09:00", "2025/06/10", "20250610", "yesterday", "2025-06-10T09:30:00+25:00", ""])("%j is refused", (text) => {
    expect(parseFhirDateTime(text)).toBeNull();
  });
});

describe("parseFhirBundle: versions", () => {
  it("a later meta.lastUpdated compares greater as a string, whatever the offset", () => {
    const a = load("outpatient-visit.json");
    const b = load("outpatient-visit.json");
    // 2025-06-10T10:15+09:00 → later the same day, written in UTC and in another offset
    b.entry[2].resource.meta.lastUpdated = "2025-06-10T02:00:00Z";
    const c = load("outpatient-visit.json");
    c.entry[2].resource.meta.lastUpdated = "2025-06-09T22:30:00-05:00";
    const va = byKey(parseFhirBundle(a), "MedicationRequest/rx-0001-1").sourceVersion;
    const vb = byKey(parseFhirBundle(b), "MedicationRequest/rx-0001-1").sourceVersion;
    const vc = byKey(parseFhirBundle(c), "MedicationRequest/rx-0001-1").sourceVersion;
    expect(vb > va).toBe(true);
    expect(vc > vb).toBe(true);
    expect(vc).toBe("2025-06-10T03:30:00.000Z");
  });

  it("numeric versionIds compare as numbers once padded", () => {
    const v = (versionId: string) => byKey(parseFhirBundle(bundle(patient(), obs("o1", { meta: { versionId } }))), "Observation/o1").sourceVersion;
    expect(v("10") > v("9")).toBe(true);
  });

  it("entered-in-error marks a resent order as withdrawn", () => {
    const b = load("outpatient-visit.json");
    b.entry[2].resource.status = "entered-in-error";
    b.entry[2].resource.meta.lastUpdated = "2025-06-11T09:00:00+09:00";
    const rx = byKey(parseFhirBundle(b), "MedicationRequest/rx-0001-1");
    expect(rx.isDeleted).toBe(true);
    expect(rx.sourceVersion).toBe("2025-06-11T00:00:00.000Z");
  });

  it("a condition whose verificationStatus is entered-in-error is withdrawn", () => {
    const b = load("outpatient-visit.json");
    b.entry[10].resource.verificationStatus = { coding: [{ code: "entered-in-error" }] };
    expect(byKey(parseFhirBundle(b), "Condition/dx-0001").isDeleted).toBe(true);
  });
});

describe("parseFhirBundle: refusals", () => {
  it.each([
    ["null", null],
    ["an array", []],
    ["a string that is not JSON", "{"],
    ["a Patient", { resourceType: "Patient", id: "x" }],
  ])("not a Bundle: %s", (_label, json) => {
    expect(() => parseFhirBundle(json)).toThrow(IngestError);
  });

  it("accepts the JSON text as well", () => {
    expect(parseFhirBundle(JSON.stringify(bundle(patient(), obs("o1")))).contents).toHaveLength(1);
  });

  it("names the file", () => {
    const e = ingestError(() => parseFhirBundle({ resourceType: "Bundle", type: "collection", entry: [{}] }, { fileName: "x.json" }));
    expect(e.where).toMatchObject({ file: "x.json", entry: 0, field: "entry[0].resource" });
    expect(e.message).toContain("x.json");
    expect(e.reason).toBe("entry has no resource");
  });

  it("a Bundle of another type", () => {
    const e = ingestError(() => parseFhirBundle({ resourceType: "Bundle", type: "searchset", entry: [] }));
    expect(e.where.field).toBe("type");
  });

  it("an entry without a resource", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1"), { fullUrl: "urn:uuid:x", request: { method: "DELETE" } })));
    expect(e.where).toMatchObject({ entry: 2, field: "entry[2].resource" });
  });

  it("a resource without resourceType", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), { resource: { id: "x" } })));
    expect(e.where).toMatchObject({ entry: 1, field: "entry[1].resource.resourceType" });
  });

  it("a bad date, with its field path", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1"), obs("o2"), obs("o3", { effectiveDateTime: "2025-02-30T10:00:00+09:00" }))));
    expect(e.where).toMatchObject({ entry: 3, field: "entry[3].resource.effectiveDateTime" });
    expect(e.message).toContain("entry[3].resource.effectiveDateTime");
  });

  it.each([
    ["meta.lastUpdated", { meta: { lastUpdated: "last tuesday" } }],
    ["effectivePeriod.start", { effectiveDateTime: undefined, effectivePeriod: { start: "2025-06-10T9:30" } }],
  ])("a bad date at %s", (field, extra) => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1", extra))));
    expect(e.where).toMatchObject({ entry: 1, field: `entry[1].resource.${field}` });
  });

  it("a bad birth date and an unknown gender", () => {
    const b = load("outpatient-visit.json");
    b.entry[0].resource.birthDate = "1958-02-30";
    expect(ingestError(() => parseFhirBundle(b)).where).toMatchObject({ entry: 0, field: "entry[0].resource.birthDate" });
    const g = load("outpatient-visit.json");
    g.entry[0].resource.gender = "F";
    expect(ingestError(() => parseFhirBundle(g)).where).toMatchObject({ entry: 0, field: "entry[0].resource.gender" });
  });

  it("no date at all", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1", { effectiveDateTime: undefined }))));
    expect(e.where).toMatchObject({ entry: 1, field: "entry[1].resource.effectiveDateTime" });
  });

  it.each([
    ["valueQuantity.value", { valueQuantity: { value: "5.4", unit: "%" } }],
    ["code", { code: "WBC" }],
    ["code.coding[1].code", { code: { coding: [{ code: "a" }, { code: 7 }] } }],
    ["referenceRange", { referenceRange: { low: { value: 1 } } }],
    ["effectiveDateTime", { effectiveDateTime: 20250610 }],
    ["subject.reference", { subject: { reference: ["Patient/p1"] } }],
  ])("a field of the wrong type: %s", (field, extra) => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1", extra))));
    expect(e.where).toMatchObject({ entry: 1, field: `entry[1].resource.${field}` });
  });

  it("a wrong type in the Patient and in a medication", () => {
    const b = load("outpatient-visit.json");
    b.entry[0].resource.name[0].given = "花子";
    expect(ingestError(() => parseFhirBundle(b)).where).toMatchObject({ entry: 0, field: "entry[0].resource.name[0].given" });
    const d = load("outpatient-visit.json");
    d.entry[3].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value = "2錠";
    expect(ingestError(() => parseFhirBundle(d)).where).toMatchObject({ entry: 3, field: "entry[3].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.value" });
  });

  it("a resource without id or urn:uuid fullUrl", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1"), { fullUrl: "http://example.jp/Observation/x", resource: { ...obs("x").resource, id: undefined } })));
    expect(e.where).toMatchObject({ entry: 2, field: "entry[2].resource.id" });
  });

  it("the same resource twice", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1"), obs("o1"))));
    expect(e.where).toMatchObject({ entry: 2, field: "entry[2].resource.id" });
  });

  it("an entry of another patient (literal reference)", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1"), obs("o2", { subject: { reference: "Patient/p2" } }))));
    expect(e.where).toMatchObject({ entry: 2, field: "entry[2].resource.subject.reference" });
  });

  it("an entry of another patient (identifier)", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1", { subject: { identifier: { value: "ID-p9" } } }))));
    expect(e.where).toMatchObject({ entry: 1, field: "entry[1].resource.subject.identifier" });
    // the Patient's identifier is accepted
    expect(parseFhirBundle(bundle(patient(), obs("o1", { subject: { identifier: { value: "ID-p1" } } }))).contents).toHaveLength(1);
  });

  it("an entry of another patient when the bundle has no Patient", () => {
    const b = load("referral-document.json");
    b.entry[4].resource.patient.identifier.value = "A-00452";
    expect(ingestError(() => parseFhirBundle(b)).where).toMatchObject({ entry: 4, field: "entry[4].resource.patient.identifier" });
  });

  it("two Patients", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient("p1"), patient("p2"))));
    expect(e.where).toMatchObject({ entry: 1 });
  });

  it("an entry without a subject", () => {
    const e = ingestError(() => parseFhirBundle(bundle(patient(), obs("o1", { subject: undefined }))));
    expect(e.where).toMatchObject({ entry: 1, field: "entry[1].resource.subject" });
  });

  it("no Patient and only literal references", () => {
    const e = ingestError(() => parseFhirBundle(bundle(obs("o1"))));
    expect(e.where).toMatchObject({ entry: 0, field: "entry[0].resource.subject.identifier" });
  });

  it("no Patient and nothing else", () => {
    expect(() => parseFhirBundle(bundle())).toThrow(IngestError);
    expect(() => parseFhirBundle({ resourceType: "Bundle", type: "batch" })).toThrow(IngestError);
  });

  it("a Patient without identifier", () => {
    const e = ingestError(() => parseFhirBundle(bundle({ resource: { resourceType: "Patient", id: "p1" } })));
    expect(e.where).toMatchObject({ entry: 0, field: "entry[0].resource.identifier" });
  });

  it("a medication reference that is not in the bundle", () => {
    const b = load("admission.json");
    b.entry[2].resource.medicationReference.reference = "#nothing";
    expect(ingestError(() => parseFhirBundle(b)).where).toMatchObject({ entry: 2, field: "entry[2].resource.medicationReference.reference" });
  });
});

describe("parseFhirBundle: choices", () => {
  it("the configured patient-ID system wins over the JP Core namespace", () => {
    const b = load("outpatient-visit.json");
    expect(parseFhirBundle(b, { patientIdSystem: "http://example.jp/fhir/insurance-card" }).patient?.facilityPatientId).toBe("12345678-01");
  });

  it("without the JP Core namespace, the first identifier", () => {
    const b = load("outpatient-visit.json");
    b.entry[0].resource.identifier[1].system = "http://example.jp/other";
    expect(parseFhirBundle(b).patient?.facilityPatientId).toBe("12345678-01");
  });

  it("unknown resource types are ignored", () => {
    const m = parseFhirBundle(bundle(patient(), { resource: { resourceType: "Procedure", id: "pr1", subject: { reference: "Patient/other" } } }));
    expect(m.contents).toEqual([]);
    expect(m.patient?.facilityPatientId).toBe("ID-p1");
  });

  it("a lab report whose results are elsewhere keeps their references", () => {
    const m = parseFhirBundle(
      bundle(patient(), {
        resource: { resourceType: "DiagnosticReport", id: "r1", status: "final", code: { text: "血算" }, subject: { reference: "Patient/p1" }, effectiveDateTime: "2025-01-06", result: [{ reference: "Observation/elsewhere" }] },
      }),
    );
    expect(m.contents[0]).toMatchObject({ category: "LAB", title: "血算 0項目", payload: { unresolvedResults: ["Observation/elsewhere"] } });
  });

  it("a document typed as text keeps its text to be read; bad base64 in it is refused with its place", () => {
    const doc = (data: string) =>
      bundle(patient(), {
        resource: {
          resourceType: "DocumentReference",
          id: "d1",
          status: "current",
          type: { text: "退院時サマリ" },
          subject: { reference: "Patient/p1" },
          date: "2025-02-01T16:00:00+09:00",
          content: [{ attachment: { contentType: "text/plain;charset=utf-8", data, title: "退院時サマリ" } }],
        },
      });
    const m = parseFhirBundle(doc(Buffer.from("入院経過: 肺炎にて抗菌薬投与、軽快退院。", "utf8").toString("base64")));
    expect(m.contents[0]).toMatchObject({ category: "DOCUMENT", payload: { type: "退院時サマリ", text: "入院経過: 肺炎にて抗菌薬投与、軽快退院。" } });
    expect(m.contents[0]!.files).toEqual([]);
    expect(() => parseFhirBundle(doc("***"))).toThrow(/content\[0\]\.attachment\.data.*invalid base64|invalid base64/);
  });

  it("a report from presentedForm alone", () => {
    const m = parseFhirBundle(
      bundle(patient(), {
        resource: {
          resourceType: "DiagnosticReport",
          id: "r2",
          code: { text: "病理診断報告書" },
          subject: { reference: "Patient/p1" },
          issued: "2025-01-08T12:00:00+09:00",
          presentedForm: [{ contentType: "application/pdf", data: "JVBERi0xLjQK", title: "病理.pdf" }],
        },
      }),
    );
    expect(m.contents[0]).toMatchObject({ category: "REPORT", title: "病理診断報告書", payload: { presentedForm: [{ hasData: true, text: null, title: "病理.pdf" }] } });
    expect(JSON.stringify(m.contents[0]!.payload)).not.toContain("JVBERi0");
  });

  it("a single result's title carries its value, unit and flag", () => {
    const m = parseFhirBundle(bundle(patient(), obs("o1", { interpretation: [{ coding: [{ code: "H" }] }], valueQuantity: { value: 10.25, unit: "10^3/uL" } })));
    expect(m.contents[0]!.title).toBe("白血球数 10.25 10^3/uL (H)");
  });

  it("an ongoing admission; a versioned absolute reference to the Patient", () => {
    const m = parseFhirBundle(
      bundle(patient(), {
        resource: { resourceType: "Encounter", id: "e1", class: { code: "IMP" }, subject: { reference: "http://h.example.jp/fhir/Patient/p1/_history/2" }, period: { start: "2025-01-06" } },
      }),
    );
    expect(m.contents[0]).toMatchObject({ category: "ADMISSION", title: "入院", payload: { end: null } });
    expect(m.contents[0]!.occurredAt.toISOString()).toBe("2025-01-05T15:00:00.000Z");
  });
});

describe("parseFhirBundle: health check-ups", () => {
  const checkupCategory = { coding: [{ code: "checkup" }] };
  const member = (id: string, name: string, value: number, unit: string, flag?: string) =>
    obs(id, { code: { text: name }, valueQuantity: { value, unit }, ...(flag ? { interpretation: [{ coding: [{ code: flag }] }] } : {}) });
  const report = (extra: TJson = {}) => ({
    resource: {
      resourceType: "DiagnosticReport",
      id: "hc-1",
      status: "final",
      category: [checkupCategory],
      code: { text: "特定健康診査" },
      subject: { reference: "Patient/p1" },
      effectiveDateTime: "2025-05-20T09:00:00+09:00",
      result: [{ reference: "Observation/bmi" }, { reference: "Observation/sbp" }, { reference: "Observation/gone" }],
      conclusion: "要保健指導",
      ...extra,
    },
  });

  it("a check-up report becomes one CHECKUP with its results as items, not a REPORT", () => {
    const m = parseFhirBundle(bundle(patient(), report(), member("bmi", "BMI", 26.1, "kg/m2", "H"), member("sbp", "収縮期血圧", 128, "mmHg")));
    expect(m.contents.map((c) => [c.sourceKey, c.category])).toEqual([["DiagnosticReport/hc-1", "CHECKUP"]]);
    const c = byKey(m, "DiagnosticReport/hc-1");
    expect(c.title).toBe("特定健康診査 2項目");
    expect(c.occurredAt.toISOString()).toBe("2025-05-20T00:00:00.000Z");
    expect(items(c).map((i) => [i.name, i.value, i.unit, i.flag])).toEqual([
      ["BMI", 26.1, "kg/m2", "H"],
      ["収縮期血圧", 128, "mmHg", null],
    ]);
    expect(c.payload).toMatchObject({ name: "特定健康診査", conclusion: "要保健指導", unresolvedResults: ["Observation/gone"] });
  });

  it("recognises the check-up codes and a category text with 健診; other reports stay as they were", () => {
    for (const category of [{ coding: [{ code: "health-checkup" }] }, { coding: [{ code: "HC" }] }, { text: "特定健診" }, { coding: [{ display: "人間ドック・健診" }] }])
      expect(parseFhirBundle(bundle(patient(), report({ category: [category] }))).contents[0]!.category).toBe("CHECKUP");
    expect(parseFhirBundle(bundle(patient(), report({ category: [{ coding: [{ code: "LAB" }] }] }))).contents[0]!.category).toBe("REPORT");
    expect(parseFhirBundle(bundle(patient(), report({ category: undefined, conclusion: undefined }))).contents[0]!.category).toBe("LAB");
  });

  it("without a name: 健診", () => {
    const c = parseFhirBundle(bundle(patient(), report({ code: {}, result: [] }))).contents[0]!;
    expect(c.title).toBe("健診 0項目");
  });

  it("an Observation panel (hasMember) of a check-up: its members become its items", () => {
    const panel = obs("panel", {
      category: [{ text: "健診" }],
      code: { text: "健康診断" },
      valueQuantity: undefined,
      hasMember: [{ reference: "Observation/bmi" }, { reference: "Observation/hdl" }, { reference: "Observation/panel" }],
    });
    const m = parseFhirBundle(bundle(patient(), panel, member("bmi", "BMI", 22, "kg/m2"), member("hdl", "HDL-C", 35, "mg/dL", "L"), member("alone", "AST", 20, "U/L")));
    expect(m.contents.map((c) => [c.sourceKey, c.category, c.title])).toEqual([
      ["Observation/panel", "CHECKUP", "健康診断 2項目"],
      ["Observation/alone", "LAB", "AST 20 U/L"],
    ]);
    expect(items(byKey(m, "Observation/panel")).map((i) => [i.name, i.flag])).toEqual([
      ["BMI", null],
      ["HDL-C", "L"],
    ]);
  });

  it("a panel without the check-up category stays a LAB observation, its members on their own", () => {
    const panel = obs("panel", { hasMember: [{ reference: "Observation/bmi" }] });
    const m = parseFhirBundle(bundle(patient(), panel, member("bmi", "BMI", 22, "kg/m2")));
    expect(m.contents.map((c) => [c.sourceKey, c.category])).toEqual([
      ["Observation/panel", "LAB"],
      ["Observation/bmi", "LAB"],
    ]);
  });

  it("an entered-in-error result is left out", () => {
    const m = parseFhirBundle(bundle(patient(), report(), member("bmi", "BMI", 26.1, "kg/m2"), obs("sbp", { status: "entered-in-error" })));
    expect(items(m.contents[0]!).map((i) => i.name)).toEqual(["BMI"]);
  });
});

describe("demo documents (scripts/fhir/demo-documents.mts)", () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-docs-"));
  let persons: ReturnType<typeof generateDemoSsmix2>["persons"];
  try {
    persons = generateDemoSsmix2({ outDir, patients: 40, years: 3, end: "2025-06-30", seed: 7 }).persons;
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const opts = { persons, facilityCode: "2000101", seed: 7, end: "2025-06-30" };
  const docs = generateDemoDocuments(opts);

  it("is deterministic", () => {
    expect(generateDemoDocuments(opts)).toEqual(docs);
    expect(new Set(docs.map((d) => d.fileName)).size).toBe(docs.length);
  });

  it("every bundle parses, for a patient of the facility, with reports, documents and check-ups within the last 3 years", () => {
    const ids = new Set(persons.map((p) => p.ids["2000101"]).filter(Boolean));
    const contents = docs.flatMap((d) => {
      const m = parseFhirBundle(d.json, { fileName: d.fileName });
      expect(m.patient && ids.has(m.patient.facilityPatientId)).toBe(true);
      // A reading report comes with its key image; everything else is one item.
      const isReport = m.contents.some((c) => c.category === "REPORT");
      expect(m.contents.length).toBe(isReport ? 2 : 1);
      return m.contents;
    });
    const byCategory = (cat: string) => contents.filter((c) => c.category === cat);
    expect(byCategory("REPORT").length).toBeGreaterThan(0);
    expect(byCategory("DOCUMENT").length).toBeGreaterThan(0);
    expect(byCategory("CHECKUP").length).toBeGreaterThan(0);
    expect(contents.length).toBe(byCategory("REPORT").length + byCategory("DOCUMENT").length + byCategory("CHECKUP").length + byCategory("IMAGING").length);
    expect(byCategory("IMAGING").length).toBe(byCategory("REPORT").length);
    for (const c of byCategory("IMAGING")) {
      expect(c.files).toHaveLength(1);
      expect(c.files![0]!.contentType).toBe("image/jpeg");
      expect([...c.files![0]!.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    }
    for (const c of contents) {
      expect(c.occurredAt.getTime()).toBeGreaterThanOrEqual(Date.parse("2022-06-30T00:00:00+09:00"));
      expect(c.occurredAt.getTime()).toBeLessThanOrEqual(Date.parse("2025-07-01T00:00:00+09:00"));
    }
    for (const c of byCategory("CHECKUP")) {
      expect(items(c).length).toBe(13);
      expect(items(c).every((i) => i.codeSystem === "JLAC10" && typeof i.value === "number" && i.unit)).toBe(true);
    }
    expect(byCategory("CHECKUP").some((c) => items(c).some((i) => i.flag === "H"))).toBe(true);
    const report = byCategory("REPORT")[0]!;
    expect(report.payload.conclusion).toEqual(expect.any(String));
    expect((report.payload.presentedForm as Array<{ text: string }>)[0]!.text).toContain("【所見】");
  });
});
