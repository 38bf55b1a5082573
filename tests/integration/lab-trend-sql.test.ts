/**
 * The lab trend counts the items in SQL per raw identity and keys those in node (lib/clinical/
 * queries.ts getLabTrend): held here to the JavaScript it replaced — the catalog, the series and
 * the owners logged must be what the previous algorithm (labItemsOf over every payload, in node)
 * gives for the same rows, with awkward codes, names, numbers and shapes among them.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { dateOfDay, dayOf, type TDay } from "@/lib/clinical/calendar";
import type { TContentDraft, TParsedMessage } from "@/lib/clinical/ingest/types";
import { labItemsOf } from "@/lib/clinical/lab-items";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getLabTrend, type TLabCatalogItem, type TTrendSeries } from "@/lib/clinical/queries";
import { db } from "@/lib/db/client";
import { oracleContents } from "@/tests/fixtures/access-oracle";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";

let A: string; // a hospital sending SS-MIX2
let B: string; // a clinic sending FHIR, and the viewer's facility
let doctorB: TViewer;
let patientId: string;

const jst = (day: string, time = "10:00") => new Date(`${day}T${time}:00+09:00`);

// ------------------------------------------------------------------ items as the two ingests write them

/** lib/clinical/ingest/ssmix2.ts observation() */
const ss = (over: Record<string, unknown>) => ({
  code: "3D045000001906202",
  name: "HbA1c",
  codeSystem: "JC10",
  localCode: null,
  valueType: "NM",
  value: "6.8",
  valueCode: null,
  unit: "%",
  referenceRange: "4.6-6.2",
  flag: null,
  status: "F",
  observedAt: null,
  ...over,
});

/** lib/clinical/ingest/fhir.ts TFhirLabItem */
const fh = (over: Record<string, unknown>) => ({
  code: "3D045000001906202",
  codeSystem: "JLAC10",
  name: "HbA1c",
  value: 7.1,
  unit: "%",
  comparator: null,
  low: 4.6,
  high: 6.2,
  rangeText: null,
  flag: null,
  ...over,
});

const glucose = (value: string, flag: string | null = null) => ss({ code: "3D010000001926101", name: "グルコース", value, unit: "mg/dl", referenceRange: "73-109", flag });
const protein = (value: string) => ss({ code: "3A010000002327101", name: "総蛋白", value, unit: "g/dl", referenceRange: "6.7-8.3" });

/** keys that only agree after NFKC, look-alike dashes, white space and case; numbers as codes, names and units; items labItemOf leaves out */
const tricky = [
  ss({ code: "３Ｄ０４５０００００１９０６２０２", name: "ＨｂＡ１ｃ（全角）", value: "７．０" }),
  ss({ code: " 3D045 000001906202 ", name: "HbA1c (spaces)", value: "6.6" }),
  ss({ code: "3d045\u3000000001906202", name: "hba1c (ideographic space)", value: "6.5", unit: null }),
  fh({ code: null, name: "Ｈｂ\u3000Ａ１ｃ", value: 6.4 }),
  fh({ code: null, name: " ＨｂＡ１ｃ ", value: 6.3, unit: "％" }),
  fh({ code: "", name: "Hb  A1c", value: 6.2 }),
  ss({ code: null, localCode: "L\u2212001", name: "ＰＴ", value: "11.5", unit: "秒", referenceRange: "10.0\u301c13.0" }),
  ss({ code: "L\u2010001", name: "PT", value: "12.5", unit: "秒", referenceRange: "10.0～13.0" }),
  ss({ code: "l\ufe63001", name: "PT（小ハイフン）", value: "<10", unit: "秒", referenceRange: "10.0-13.0" }),
  ss({ code: "L\u2014001", name: "PT（全角ダッシュ）", value: "14.0", unit: "秒", referenceRange: "10.0 \u223c 13.0" }),
  fh({ code: 3045, name: "数値のコード", value: 1.5, unit: "mg", low: null, high: null }),
  fh({ code: 3045.25, name: "小数のコード", value: 2, unit: null }),
  fh({ code: null, name: 42, value: 3, low: 1, high: 2 }),
  { value: "5.5" },
  { value: 8 },
  { value: true },
  { code: { system: "x" }, localCode: "LX", name: ["not text"], value: "9" },
  { code: "", name: " ", value: null },
  { code: "\u3000", localCode: "\u00a0", name: "\u2003", value: "  " },
  {},
  null,
  1,
  "x",
  [],
  true,
  ss({ code: "ß-1", name: "Straße", value: "1" }),
  ss({ code: "U1", name: "単位が数", value: "3", unit: 1.5 }),
  ss({ code: 12345678901234567890, name: null, value: "4", unit: 1e21 }),
  ss({ code: "X1", name: "同名", value: "1" }),
  ss({ code: "X2", name: "同名", value: "2" }),
];

function draft(o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey">): TContentDraft {
  return { facilityPatientId: "LA-1", occurredAt: jst("2024-01-10"), title: "検査", payload: {}, sourceVersion: "20240101000000000", isDeleted: false, ...o };
}
const message = (kind: TParsedMessage["kind"], contents: TContentDraft[]): TParsedMessage => ({ kind, dataType: "OML-11", patient: null, contents });

/** a payload set in SQL (shapes the ingest never writes, numbers JavaScript cannot hold) */
async function setPayload(facilityId: string, sourceKey: string, json: string) {
  await db().$executeRaw`UPDATE clinical_contents SET payload = ${json}::jsonb WHERE owner_facility_id = ${facilityId}::uuid AND source_key = ${sourceKey}`;
}

beforeAll(async () => {
  A = (await createFacility({ isDisclosing: true, nameKanji: "検査中央病院" })).id;
  B = (await createFacility({ isDisclosing: true, type: "CLINIC", nameKanji: "検査診療所" })).id;
  const liaisonA = await viewerFor((await createStaff({ facilityId: A, roles: ["LIAISON"] })).user);
  doctorB = await viewerFor((await createStaff({ facilityId: B, roles: ["CLINICIAN"] })).user);
  patientId = (await registerLinkedPatient(liaisonA, { nameKanji: "検査 花子", nameKana: "ケンサ ハナコ", sex: "FEMALE", birthDate: "1955/05/05" }, { [A]: "LA-1", [B]: "LB-1" }, "2023/01/10")).id;
  await registerLinkedPatient(liaisonA, { nameKanji: "他人 一郎", nameKana: "タニン イチロウ", sex: "MALE", birthDate: "1950/01/01" }, { [A]: "LA-2" }, "2023/01/10");

  const result = (items: unknown[]) => ({ kind: "result", items });
  const fhir = (items: unknown[]) => ({ resourceType: "DiagnosticReport", items });
  await importParsedMessage(
    A,
    message("SSMIX2", [
      draft({ category: "LAB", sourceKey: "A1", occurredAt: jst("2024-01-10", "09:00"), payload: result([ss({ flag: "H" }), glucose("142"), protein("7.2"), ss({ code: null, localCode: "L123", name: "ＰＴ", value: "11.0", unit: "秒", referenceRange: "10-13" }), ss({ code: "3045", name: "文字のコード", value: "2.5", unit: "mg" })]) }),
      draft({ category: "LAB", sourceKey: "A2", occurredAt: jst("2024-03-01", "09:00"), payload: result([glucose("99"), ss({ valueType: "ST", value: "陰性", code: "1A990000000000000", name: "尿糖", unit: null, referenceRange: "陰性" }), ss({ valueType: "CWE", value: "A型", code: "5H010000001999911", name: "血液型", unit: null, referenceRange: null }), ss({ valueType: "TS", value: "20240301", code: "TS1", name: "日付", unit: null, referenceRange: null })]) }),
      // two rows at the same instant: read in id order
      draft({ category: "LAB", sourceKey: "A3", occurredAt: jst("2024-06-01", "09:00"), payload: result([ss({ value: "7.4", flag: "H" }), glucose("１２０", "")]) }),
      draft({ category: "LAB", sourceKey: "A4", occurredAt: jst("2024-06-01", "09:00"), payload: result([ss({ value: "7.3" }), protein("6.5"), glucose("<70")]) }),
      draft({ category: "LAB", sourceKey: "A5", occurredAt: jst("2024-09-15", "11:00"), payload: result(tricky) }),
      draft({ category: "LAB", sourceKey: "A6", occurredAt: jst("2025-02-01", "08:00"), payload: result([ss({ value: "6.9", referenceRange: "4.9-6.0" }), glucose("1,234"), protein("7.0"), ss({ code: "3045.25", name: "文字の小数コード", value: "8" })]) }),
      // withdrawn, and kept to A's own staff: neither is read
      draft({ category: "LAB", sourceKey: "A7", occurredAt: jst("2025-03-01"), payload: result([ss({ value: "99" })]), isDeleted: true }),
      draft({ category: "LAB", sourceKey: "A8", occurredAt: jst("2025-03-02"), payload: result([ss({ value: "98" })]) }),
      // shapes set in SQL below
      draft({ category: "LAB", sourceKey: "A9", occurredAt: jst("2025-04-01") }),
      draft({ category: "LAB", sourceKey: "A10", occurredAt: jst("2025-04-02") }),
      draft({ category: "LAB", sourceKey: "A11", occurredAt: jst("2025-04-03") }),
      draft({ category: "CHECKUP", sourceKey: "A12", occurredAt: jst("2025-04-04") }),
      draft({ category: "LAB", sourceKey: "A13", occurredAt: jst("2025-04-05"), payload: { kind: "result" } }),
      // not a lab
      draft({ category: "PRESCRIPTION_ORDER", sourceKey: "RX1", occurredAt: jst("2024-06-01"), payload: result([ss({ value: "1" })]) }),
      // another patient's
      draft({ facilityPatientId: "LA-2", category: "LAB", sourceKey: "OTHER", occurredAt: jst("2024-06-01"), payload: result([ss({ value: "5.0" })]) }),
    ]),
  );
  await importParsedMessage(
    B,
    message("FHIR", [
      draft({ facilityPatientId: "LB-1", category: "CHECKUP", sourceKey: "B1", occurredAt: jst("2024-03-01", "09:00"), payload: fhir([fh({}), fh({ code: null, codeSystem: null, name: "ＢＭＩ", value: 24.1, unit: "kg/m2", low: 18.5, high: 25 }), fh({ code: "3C015000002327101", name: "クレアチニン", value: 0.5, comparator: "<", unit: "mg/dL", low: null, high: 1.07 }), fh({ code: "1A020000000191111", name: "尿蛋白", value: "陰性", unit: null, low: null, high: null }), fh({ code: "9N001000000000001", name: "喫煙", value: true, unit: null, low: null, high: null }), fh({ code: "8A065000002391901", name: "eGFR", value: 58.3, unit: "mL/min/1.73m2", low: 60, high: null, rangeText: "60以上" })]) }),
      draft({ facilityPatientId: "LB-1", category: "LAB", sourceKey: "B2", occurredAt: jst("2024-06-01", "09:00"), payload: fhir([fh({ value: 7.2, low: null, high: null }), fh({ code: null, codeSystem: null, name: "ＢＭＩ", value: 24.8, unit: null, low: null, high: null }), fh({ code: "3D010000001926101", name: "グルコース", value: 131, unit: "mg/dL", low: 73, high: 109, flag: "H" })]) }),
      draft({ facilityPatientId: "LB-1", category: "LAB", sourceKey: "B3", occurredAt: jst("2024-12-24", "18:30"), payload: fhir([fh({ value: 6.7, flag: "N" }), fh({ code: "8A065000002391901", name: "eGFR", value: 61.2, unit: "mL/min/1.73m2", low: 60, high: null, rangeText: "60以上" }), ...tricky.slice(0, 13)]) }),
      draft({ facilityPatientId: "LB-1", category: "CHECKUP", sourceKey: "B4", occurredAt: jst("2025-05-20", "10:00"), payload: fhir([fh({ value: 6.6, low: 4.9, high: 6.0 }), fh({ code: null, codeSystem: null, name: "BMI", value: 23.9, unit: "kg/m2", low: 18.5, high: 25 })]) }),
    ]),
  );
  await db().clinicalContent.updateMany({ where: { ownerFacilityId: A, sourceKey: "A8" }, data: { restriction: "OWN_FACILITY" } });
  // a bare array of items; a number JavaScript reads as Infinity (no value, no code) and one it reads as 0; items that are no array; no payload at all
  await setPayload(A, "A9", `[{"name": "Na", "value": "140", "referenceRange": "135-145"}, {"value": 1e400}, {"name": "微小", "value": 1e-400, "unit": 1e400}, {"code": 1e-400, "value": "1"}, {"code": 1e131000, "localCode": "HUGE", "unit": -1e131000, "value": "2"}, 7, {"code": "3D045000001906202", "name": "HbA1c", "value": "6.1"}]`);
  await setPayload(A, "A10", `{"kind": "result", "items": "x"}`);
  await setPayload(A, "A11", `null`);
  await setPayload(A, "A12", `{"items": {"0": {"code": "C1", "value": "1"}}}`);
}, 60_000);

// ------------------------------------------------------------------ the previous algorithm, in node

type TRange = { from?: TDay | null; to?: TDay | null };

/** getLabTrend as it was (git show HEAD:lib/clinical/queries.ts): every row's payload through labItemsOf, in occurred_at, id order. */
async function previous(keyList: string[], q: TRange) {
  const keys = new Set(keyList.slice(0, 12));
  const visible = await oracleContents(doctorB, patientId, new Date());
  const rows = await db().clinicalContent.findMany({
    where: {
      id: { in: visible },
      category: { in: ["LAB", "CHECKUP"] },
      ...(q.from || q.to ? { occurredDate: { ...(q.from ? { gte: dateOfDay(q.from) } : {}), ...(q.to ? { lte: dateOfDay(q.to) } : {}) } } : {}),
    },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    select: { id: true, occurredDate: true, ownerFacilityId: true, payload: true },
  });
  const catalog = new Map<string, TLabCatalogItem>();
  const series = new Map<string, TTrendSeries>();
  const readFrom = new Set<string>();
  for (const r of rows) {
    const day = dayOf(r.occurredDate);
    for (const item of labItemsOf(r.payload)) {
      const c = catalog.get(item.key) ?? { key: item.key, name: item.name, unit: item.unit, count: 0, lastDay: day };
      c.count += 1;
      c.lastDay = day;
      catalog.set(item.key, c);
      if (!keys.has(item.key) || item.numeric === null) continue;
      const s = series.get(item.key) ?? { key: item.key, name: item.name, unit: item.unit, low: item.low, high: item.high, points: [] };
      s.unit ??= item.unit;
      if (item.low !== null) s.low = item.low;
      if (item.high !== null) s.high = item.high;
      s.points.push({ day, value: item.numeric, text: item.value ?? String(item.numeric), flag: item.flag, facilityId: r.ownerFacilityId, contentId: r.id });
      series.set(item.key, s);
      readFrom.add(r.ownerFacilityId);
    }
  }
  return {
    catalog: [...catalog.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, "ja")),
    series: [...keys].flatMap((k) => series.get(k) ?? []),
    owners: [...new Set(readFrom.size ? readFrom : rows.map((r) => r.ownerFacilityId))].sort(),
  };
}

/** The owner facilities of the LAB_TREND rows the viewer wrote since `since` (null: a row without owner). */
async function loggedOwners(since: Date) {
  const rows = await db().accessLog.findMany({ where: { userId: doctorB.userId, accessType: "LAB_TREND", at: { gte: since } }, select: { ownerFacilityId: true } });
  return rows.map((r) => r.ownerFacilityId).sort();
}

describe("getLabTrend against the previous algorithm", () => {
  it("the data exercises what it should", async () => {
    const all = await previous([], {});
    const keys = all.catalog.map((c) => c.key);
    for (const k of ["3D045000001906202", "L-001", "L123", "name:HbA1c", "name:Hb A1c", "name:BMI", "3045", "3045.25", "name:42", "name:", "LX", "SS-1", "X1", "X2", "name:Na", "name:微小", "0", "HUGE", "U1", "12345678901234567000"]) expect(keys).toContain(k);
    // a key both as a JSON number and as a string, whichever comes first names it
    expect(all.catalog.find((c) => c.key === "3045")).toMatchObject({ name: "文字のコード", unit: "mg" });
    expect(all.catalog.find((c) => c.key === "3045.25")).toMatchObject({ name: "小数のコード", unit: null });
    expect(all.catalog.find((c) => c.key === "U1")).toMatchObject({ unit: "1.5" });
    expect(all.catalog.find((c) => c.key === "12345678901234567000")).toMatchObject({ name: "12345678901234567000", unit: "1e+21" });
    expect(keys).not.toContain("C1");
    expect(all.catalog.find((c) => c.key === "3D045000001906202")!.count).toBeGreaterThan(10);
  });

  const K = {
    hba1c: "3D045000001906202",
    glucose: "3D010000001926101",
    pt: "L-001",
    egfr: "8A065000002391901",
  };
  const choices: [string, string[]][] = [
    ["nothing chosen", []],
    ["one code", [K.hba1c]],
    ["codes, names and keys without numbers", [K.glucose, K.pt, "name:HbA1c", "name:Hb A1c", "name:BMI", "1A020000000191111", "9N001000000000001", "5H010000001999911", "TS1"]],
    ["numbers as codes and names, value-only items, the same key twice, unknown keys", ["3045", "3045.25", "name:42", "name:", "LX", "name:", "NOPE", "SS-1", K.egfr, "name:Na", "name:微小", "0"]],
    ["numbers in keys and units", ["U1", "12345678901234567000", "3045", "name:42"]],
    ["more than 12 (the first 12 count)", ["X1", "X2", K.egfr, "3C015000002327101", "L123", K.pt, "name:BMI", "name:HbA1c", "3A010000002327101", K.glucose, "name:Hb A1c", "3045", K.hba1c]],
  ];
  const ranges: [string, TRange][] = [
    ["all dates", {}],
    ["from a day", { from: "2024-03-01" }],
    ["up to a day (the tie day included)", { to: "2024-06-01" }],
    ["a window", { from: "2024-06-01", to: "2024-12-24" }],
    ["a window without labs", { from: "2030-01-01", to: "2030-12-31" }],
  ];

  for (const [what, keys] of choices) {
    it.each(ranges)(`${what}, %s: same catalog, series and logged owners`, async (_, range) => {
      const since = new Date();
      const got = await getLabTrend(doctorB, patientId, { keys, ...range });
      const want = await previous(keys, range);
      expect(got.catalog).toEqual(want.catalog);
      expect(got.series).toEqual(want.series);
      expect(await loggedOwners(since)).toEqual(want.owners.length ? want.owners : [null]);
    });
  }

  it("values in series are the chosen keys' numbers, from both senders", async () => {
    const t = await getLabTrend(doctorB, patientId, { keys: [K.hba1c] });
    const s = t.series[0]!;
    expect(new Set(s.points.map((p) => p.facilityId))).toEqual(new Set([A, B]));
    expect(s.points.map((p) => p.text)).toContain("７．０");
    expect(s.points.length).toBeGreaterThan(10);
  });
});

// ------------------------------------------------------------------ the key, expression by expression

/** SQL keys of the items of a JSON array text, in order (NULL: the item is left out). */
