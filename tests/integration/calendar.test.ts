/**
 * The calendar, the tab views, the lab trend and content files against real PostgreSQL: what the
 * rule lets through, and exactly which access-log rows each read writes.
 */
import fs from "node:fs";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent, getContentFile, getLabTrend, listCalendarCell, listRecordTab } from "@/lib/clinical/queries";
import { oracleContents } from "@/tests/fixtures/access-oracle";
import { labItemKey } from "@/lib/clinical/lab-items";
import type { TContentDraft, TParsedMessage } from "@/lib/clinical/ingest/types";
import { db } from "@/lib/db/client";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { setPublication } from "@/lib/patients/mutations";
import { ZPublication } from "@/lib/patients/schema";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";

let A: string; // the hospital that discloses
let B: string; // the clinic that views (and has its own data)
let C: string; // a pharmacy with no link to the patient
let liaisonA: TViewer;
let doctorB: TViewer;
let pharmacistC: TViewer;
let patientId: string;
let otherPatientId: string;
let linkA: string;

const NOW = new Date("2026-11-10T03:00:00Z"); // 12:00 JST

const jst = (day: string, time = "10:00") => new Date(`${day}T${time}:00+09:00`);
const hba1c = (v: string, flag = "") => ({ code: "3D045000001906202", name: "HbA1c", codeSystem: "JC10", valueType: "NM", value: v, unit: "%", referenceRange: "4.6-6.2", flag: flag || null });

function draft(o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey">): TContentDraft {
  return { facilityPatientId: "HA-1", occurredAt: jst("2026-11-02"), title: o.category, payload: {}, sourceVersion: "20261101000000000", isDeleted: false, ...o };
}
const message = (contents: TContentDraft[]): TParsedMessage => ({ kind: "SSMIX2", dataType: "OMP-01", patient: null, contents });

beforeAll(async () => {
  A = (await createFacility({ isDisclosing: true, nameKanji: "カレンダー中央病院" })).id;
  B = (await createFacility({ isDisclosing: true, type: "CLINIC", nameKanji: "カレンダー診療所" })).id;
  C = (await createFacility({ isDisclosing: false, type: "PHARMACY" })).id;
  liaisonA = await viewerFor((await createStaff({ facilityId: A, roles: ["LIAISON"] })).user);
  doctorB = { ...(await viewerFor((await createStaff({ facilityId: B, roles: ["CLINICIAN"] })).user, "B-SERIAL-01")), requestId: "req-calendar-test" };
  pharmacistC = await viewerFor((await createStaff({ facilityId: C, roles: ["CLINICIAN"] })).user);

  patientId = (await registerLinkedPatient(liaisonA, { nameKanji: "暦 太郎", nameKana: "コヨミ タロウ", sex: "MALE", birthDate: "1950/04/01" }, { [A]: "HA-1", [B]: "CB-1" })).id;
  linkA = (await db().facilityPatientLink.findFirstOrThrow({ where: { patientId, facilityId: A } })).id;
  otherPatientId = (await registerLinkedPatient(liaisonA, { nameKanji: "別人 次郎", nameKana: "ベツジン ジロウ", sex: "MALE", birthDate: "1960/01/01" }, { [A]: "HA-2" })).id;

  const jpeg = fs.readFileSync("tests/fixtures/images/chest-xray.jpg");
  await importParsedMessage(
    A,
    message([
      draft({ category: "PRESCRIPTION_ORDER", sourceKey: "RX1", title: "アムロジピン錠5mg", payload: { lines: [{ drugName: "アムロジピン錠5mg", dose: 1, doseUnit: "錠", usage: "1日1回朝食後", days: 28 }] } }),
      draft({ category: "PRESCRIPTION_ORDER", sourceKey: "RX2", occurredAt: jst("2026-11-02", "15:00"), title: "メトホルミン錠250mg" }),
      draft({ category: "LAB", sourceKey: "LAB1", title: "検査 1項目", payload: { kind: "result", items: [hba1c("7.2", "H")] } }),
      draft({ category: "LAB", sourceKey: "LAB0", occurredAt: jst("2026-10-05"), title: "検査 1項目", payload: { kind: "result", items: [hba1c("6.9", "H")] } }),
      draft({ category: "ADMISSION", sourceKey: "ADT-22:1", occurredAt: jst("2026-10-10"), title: "入院", payload: { dataType: "ADT-22", event: "A01", admittedAt: "2026-10-10T10:00:00+09:00" } }),
      draft({ category: "ADMISSION", sourceKey: "ADT-52:1", occurredAt: jst("2026-10-20"), title: "退院", payload: { dataType: "ADT-52", event: "A03", dischargedAt: "2026-10-20T11:00:00+09:00" } }),
      draft({ category: "IMAGING", sourceKey: "IMG1", occurredAt: jst("2026-11-04"), title: "胸部X線", payload: { modality: "CR" }, files: [{ fileName: "chest.jpg", contentType: "image/jpeg", bytes: new Uint8Array(jpeg) }] }),
      draft({ category: "DIAGNOSIS", sourceKey: "DX1", occurredAt: jst("2026-10-10"), title: "2型糖尿病", payload: { name: "2型糖尿病", startDate: "2026-10-10", outcome: { code: "1", name: "継続" } } }),
    ]),
  );
  await importParsedMessage(B, message([draft({ facilityPatientId: "CB-1", category: "PRESCRIPTION_DISPENSED", sourceKey: "RXB1", occurredAt: jst("2026-11-03"), title: "自施設の調剤" })]));
  await importParsedMessage(A, message([draft({ facilityPatientId: "HA-2", category: "LAB", sourceKey: "OTHER1", title: "別の患者の検査" })]));
});

let since: Date;
/**
 * Starts a new stretch of the log to read: a row's time is kept to the millisecond, rounded, so a
 * row written just before could carry the same millisecond as a clock read just after.
 */
async function mark() {
  await new Promise((r) => setTimeout(r, 3));
  since = new Date();
}
beforeEach(mark);

/** The access-log rows the viewer wrote since the test began, in a comparable form. */
async function logged(viewer: TViewer) {
  const rows = await db().accessLog.findMany({ where: { userId: viewer.userId, at: { gte: since } }, orderBy: [{ at: "asc" }] });
  return rows.map((r) => ({ type: r.accessType, patient: r.patientId, owner: r.ownerFacilityId, content: r.contentId }));
}
const byKey = <T extends { type: string; owner: string | null; content: string | null }>(rows: T[]) =>
  [...rows].sort((a, b) => `${a.type}${a.owner}${a.content}`.localeCompare(`${b.type}${b.owner}${b.content}`));

describe("the calendar grid", () => {
  it("counts each facility's items in the right cells, and logs one row per owner facility with the terminal and request", async () => {
    const cal = await getCalendar(doctorB, patientId, { zoom: "day", start: "2026-10-28", days: 14 }, NOW);
    expect(cal.window).toMatchObject({ from: "2026-10-28", to: "2026-11-10" });
    const col = (day: string) => cal.window.columns.findIndex((c) => c.start === day);
    expect(cal.grid.rxOrder[col("2026-11-02")]).toEqual({ count: 2, byFacility: { [A]: 2 } });
    expect(cal.grid.lab[col("2026-11-02")]).toEqual({ count: 1, byFacility: { [A]: 1 } });
    expect(cal.grid.rxDone[col("2026-11-03")]).toEqual({ count: 1, byFacility: { [B]: 1 } });
    expect(cal.grid.image[col("2026-11-04")]).toEqual({ count: 1, byFacility: { [A]: 1 } });
    expect(cal.grid.rxOrder.filter(Boolean)).toHaveLength(1);
    expect(cal.bars).toEqual([]);
    expect(cal.firstDay).toBe("2026-10-05");
    expect(cal.lastDay).toBe("2026-11-04");
    expect(cal.facilities.map((f) => f.id).sort()).toEqual([A, B].sort());
    // the other patient's lab of the same day is not here
    expect(cal.grid.lab.filter(Boolean)).toHaveLength(1);

    expect(byKey(await logged(doctorB))).toEqual(byKey([
      { type: "CALENDAR_VIEW", patient: patientId, owner: A, content: null },
      { type: "CALENDAR_VIEW", patient: patientId, owner: B, content: null },
    ]));
    const row = await db().accessLog.findFirstOrThrow({ where: { userId: doctorB.userId, at: { gte: since } } });
    expect(row).toMatchObject({ facilityId: B, certSerial: "B-SERIAL-01", requestId: "req-calendar-test", detail: "day 2026-10-28..2026-11-10" });
  });

  it("shows the stay as a bar and months as columns; one facility at a time", async () => {
    const year = await getCalendar(doctorB, patientId, { zoom: "month", start: "2026-01-15" }, NOW);
    expect(year.window).toMatchObject({ from: "2026-01-01", to: "2026-12-31" });
    expect(year.bars).toEqual([{ facilityId: A, first: 9, last: 9, start: "2026-10-10", end: "2026-10-20", continuesBefore: false, continuesAfter: false }]);
    expect(year.grid.lab[9]).toEqual({ count: 1, byFacility: { [A]: 1 } });
    expect(year.grid.lab[10]).toEqual({ count: 1, byFacility: { [A]: 1 } });

    await mark();
    const onlyB = await getCalendar(doctorB, patientId, { zoom: "month", start: "2026-01-01", facilityId: B }, NOW);
    expect(onlyB.facilityId).toBe(B);
    expect(onlyB.grid.lab.filter(Boolean)).toEqual([]);
    expect(onlyB.grid.rxDone[10]).toEqual({ count: 1, byFacility: { [B]: 1 } });
    expect(await logged(doctorB)).toEqual([{ type: "CALENDAR_VIEW", patient: patientId, owner: B, content: null }]);
  });

  it("opens 今日, the first and the last record", async () => {
    expect((await getCalendar(doctorB, patientId, { zoom: "day", jump: "today" }, NOW)).window.to).toBe("2026-11-10");
    expect((await getCalendar(doctorB, patientId, { zoom: "day", jump: "first" }, NOW)).window.from).toBe("2026-10-05");
    expect((await getCalendar(doctorB, patientId, { zoom: "week", jump: "last" }, NOW)).window.to).toBe("2026-11-08");
  });
});

describe("opening items", () => {
  it("a cell gives the items with their content, and logs each as viewed with its owner", async () => {
    const { items, total } = await listCalendarCell(doctorB, patientId, { rowId: "rxOrder", from: "2026-11-02", to: "2026-11-02" }, NOW);
    expect(total).toBe(2);
    expect(items.map((i) => i.title)).toEqual(["アムロジピン錠5mg", "メトホルミン錠250mg"]);
    expect(items[0]).toMatchObject({ ownerFacilityId: A, ownerFacilityName: "カレンダー中央病院", occurredDate: "2026-11-02", payload: { lines: [{ drugName: "アムロジピン錠5mg", days: 28 }] } });
    expect(byKey(await logged(doctorB))).toEqual(byKey(items.map((i) => ({ type: "CONTENT_VIEW", patient: patientId, owner: A, content: i.id }))));
  });

  it("an image is logged as shown, a download as downloaded; another facility's guess is refused and logged", async () => {
    const [image] = (await listCalendarCell(doctorB, patientId, { rowId: "image", from: "2026-11-04", to: "2026-11-04" }, NOW)).items;
    await mark();
    const file = image!.files[0]!;
    expect((await getContentFile(doctorB, image!.id, file.id, { now: NOW })).contentType).toBe("image/jpeg");
    await getContentFile(doctorB, image!.id, file.id, { download: true, now: NOW });
    expect(await logged(doctorB)).toEqual([
      { type: "FILE_VIEW", patient: patientId, owner: A, content: image!.id },
      { type: "FILE_DOWNLOAD", patient: patientId, owner: A, content: image!.id },
    ]);
    await expect(getContentFile(pharmacistC, image!.id, file.id, { now: NOW })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // the refusal names the content asked for and its patient (a pattern of guesses shows in the patient's access report)
    expect(await logged(pharmacistC)).toEqual([{ type: "DENIED", patient: patientId, owner: null, content: image!.id }]);
  });

  it("a content id guessed in the URL of a patient not visible is not found, and the attempt is logged as denied", async () => {
    const lab = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: A, sourceKey: "LAB1" } });
    await expect(getContent(pharmacistC, lab.id, { patientId, now: NOW })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await logged(pharmacistC)).toEqual([{ type: "DENIED", patient: patientId, owner: null, content: lab.id }]);
    // a visible content under another patient's URL is not found either
    await mark();
    await expect(getContent(doctorB, lab.id, { patientId: otherPatientId, now: NOW })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await logged(doctorB)).toEqual([{ type: "DENIED", patient: otherPatientId, owner: null, content: lab.id }]);
    // the calendar of a patient not visible: not found, denied
    await mark();
    await expect(getCalendar(pharmacistC, patientId, { zoom: "day" }, NOW)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(listCalendarCell(pharmacistC, patientId, { rowId: "lab", from: "2026-11-02", to: "2026-11-02" }, NOW)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await logged(pharmacistC)).toEqual([
      { type: "DENIED", patient: patientId, owner: null, content: null },
      { type: "DENIED", patient: patientId, owner: null, content: null },
    ]);
    // and the right viewer, the right patient: viewed
    await mark();
    expect((await getContent(doctorB, lab.id, { patientId, now: NOW })).title).toBe("検査 1項目");
    expect(await logged(doctorB)).toEqual([{ type: "CONTENT_VIEW", patient: patientId, owner: A, content: lab.id }]);
  });
});

describe("tab views and the lab trend", () => {
  it("lists a tab over a range, sorted and filtered, logged per owner facility", async () => {
    const rx = await listRecordTab(doctorB, patientId, { tab: "prescriptions", from: "2026-11-01", to: "2026-11-30" }, NOW);
    expect(rx.items.map((i) => i.title)).toEqual(["自施設の調剤", "メトホルミン錠250mg", "アムロジピン錠5mg"]);
    const byTitle = await listRecordTab(doctorB, patientId, { tab: "prescriptions", sort: "title", dir: "asc" }, NOW);
    expect(byTitle.items.map((i) => i.title)).toEqual(["アムロジピン錠5mg", "メトホルミン錠250mg", "自施設の調剤"]);
    expect((await listRecordTab(doctorB, patientId, { tab: "prescriptions", q: "メトホルミン" }, NOW)).items.map((i) => i.title)).toEqual(["メトホルミン錠250mg"]);
    // words are looked for in the content too (a lab item, the 2nd drug), every word must match, and % is no wildcard
    expect((await listRecordTab(doctorB, patientId, { tab: "labs", q: "hba1c" }, NOW)).items.map((i) => i.title)).toEqual(["検査 1項目", "検査 1項目"]);
    expect((await listRecordTab(doctorB, patientId, { tab: "prescriptions", q: "1日1回朝食後 アムロジピン" }, NOW)).total).toBe(1);
    expect((await listRecordTab(doctorB, patientId, { tab: "prescriptions", q: "アムロジピン ワルファリン" }, NOW)).total).toBe(0);
    expect((await listRecordTab(doctorB, patientId, { tab: "prescriptions", q: "%" }, NOW)).total).toBe(0);
    expect((await listRecordTab(doctorB, patientId, { tab: "prescriptions", facilityId: B }, NOW)).total).toBe(1);
    expect((await listRecordTab(doctorB, patientId, { tab: "diagnoses" }, NOW)).items.map((i) => i.title)).toEqual(["2型糖尿病"]);
    const rows = await logged(doctorB);
    expect(rows.filter((r) => r.type === "TAB_VIEW")).toHaveLength(rows.length);
    expect(byKey(rows.slice(0, 2))).toEqual(byKey([
      { type: "TAB_VIEW", patient: patientId, owner: A, content: null },
      { type: "TAB_VIEW", patient: patientId, owner: B, content: null },
    ]));
  });

  it("draws an item's values across dates with their flags, and logs the facilities read", async () => {
    const key = labItemKey("3D045000001906202", "HbA1c");
    const trend = await getLabTrend(doctorB, patientId, { keys: [key] }, NOW);
    expect(trend.catalog).toEqual([expect.objectContaining({ key, name: "HbA1c", count: 2, lastDay: "2026-11-02" })]);
    expect(trend.series).toHaveLength(1);
    expect(trend.series[0]).toMatchObject({ name: "HbA1c", unit: "%", low: 4.6, high: 6.2 });
    expect(trend.series[0]!.points.map((p) => [p.day, p.value, p.flag, p.facilityId])).toEqual([
      ["2026-10-05", 6.9, "H", A],
      ["2026-11-02", 7.2, "H", A],
    ]);
    expect(await logged(doctorB)).toEqual([{ type: "LAB_TREND", patient: patientId, owner: A, content: null }]);
  });
});

/**
 * What the gateway lets each viewer open of the patient's items is exactly what the rule's pure
 * form (the oracle) says (every path is compared at scale in access-matrix.test.ts).
 */
async function expectSameAsRule() {
  const now = new Date();
  for (const viewer of [doctorB, pharmacistC, liaisonA]) {
    const all = await db().clinicalContent.findMany({ where: { patientId }, select: { id: true }, orderBy: { id: "asc" } });
    const opened: string[] = [];
    for (const c of all) if (await getContent(viewer, c.id, { now }).then(() => true, () => false)) opened.push(c.id);
    expect(opened).toEqual(await oracleContents(viewer, patientId, now));
  }
}

describe("the rule decides what reaches the calendar", () => {
  it("a facility that stops publishing, and a consent withdrawn for a facility, take its items away", async () => {
    const weekOf = () => getCalendar(doctorB, patientId, { zoom: "month", start: "2026-01-01" }, new Date());
    expect((await weekOf()).grid.rxOrder[10]).toMatchObject({ byFacility: { [A]: 2 } });
    // items the rule treats apart: A's 基本情報, and an item A keeps to its own staff
    await importParsedMessage(A, message([draft({ category: "PATIENT_INFO", sourceKey: "ADT-00:HA-1", title: "患者基本情報" }), draft({ category: "LAB", sourceKey: "LAB-OWN", title: "院内限定の検査" })]));
    await db().clinicalContent.updateMany({ where: { ownerFacilityId: A, sourceKey: "LAB-OWN" }, data: { restriction: "OWN_FACILITY" } });
    await expectSameAsRule();
    expect((await listRecordTab(doctorB, patientId, { tab: "labs", q: "院内限定" })).total).toBe(0);

    // 基本情報 only: the patient's demographics stay, the records go
    await setPublication(liaisonA, ZPublication.parse({ linkId: linkA, publicationState: "PUBLISHED", shareBasic: "on" }));
    await expectSameAsRule();
    expect((await weekOf()).grid.rxOrder.filter(Boolean)).toEqual([]);
    const demographics = await db().clinicalContent.findFirstOrThrow({ where: { patientId, category: "PATIENT_INFO" }, select: { id: true } });
    expect((await getContent(doctorB, demographics.id)).category).toBe("PATIENT_INFO");

    await setPublication(liaisonA, ZPublication.parse({ linkId: linkA, publicationState: "UNPUBLISHED" }));
    await expectSameAsRule();
    const hidden = await weekOf();
    expect(hidden.grid.rxOrder.filter(Boolean)).toEqual([]);
    expect(hidden.grid.rxDone[10]).toEqual({ count: 1, byFacility: { [B]: 1 } });
    await setPublication(liaisonA, ZPublication.parse({ linkId: linkA, publicationState: "PUBLISHED", shareBasic: "on", shareClinical: "on" }));
    expect((await weekOf()).grid.rxOrder[10]).toMatchObject({ byFacility: { [A]: 2 } });

    const today = formatSeireki(todayInJapan());
    await recordConsent(
      liaisonA,
      patientId,
      ZConsentInput.parse({ action: "WITHDRAW", scope: "FACILITIES", facilityIds: [A], method: "WRITTEN", consentDate: today, signer: "SELF", responsibleName: "連携 太郎", explainedByName: "説明 花子", reason: "患者の申し出" }),
    );
    await expectSameAsRule();
    await mark();
    const after = await weekOf();
    expect(Object.keys(Object.assign({}, ...Object.values(after.grid).flat().filter(Boolean).map((c) => c!.byFacility)))).toEqual([B]);
    expect(after.bars).toEqual([]);
    expect(await logged(doctorB)).toEqual([{ type: "CALENDAR_VIEW", patient: patientId, owner: B, content: null }]);
    const lab = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: A, sourceKey: "LAB1" } });
    await expect(getContent(doctorB, lab.id, { patientId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await getLabTrend(doctorB, patientId, { keys: [labItemKey("3D045000001906202", "HbA1c")] })).series).toEqual([]);
  });
});

describe("the access log table", () => {
  it("is partitioned by month and refuses changes", async () => {
    const parts = await db().$queryRaw<{ name: string }[]>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_logs'::regclass ORDER BY 1`;
    const names = parts.map((p) => p.name);
    expect(names).toContain("access_logs_default");
    const jstMonth = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 7).replace("-", "m");
    expect(names).toContain(`access_logs_y${jstMonth}`);
    const inDefault = await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM access_logs_default`;
    expect(Number(inDefault[0]!.n)).toBe(0);
    await expect(db().$executeRaw`UPDATE access_logs SET detail = 'changed' WHERE user_id = ${doctorB.userId}::uuid`).rejects.toThrow();
    await expect(db().$executeRaw`DELETE FROM access_logs WHERE user_id = ${doctorB.userId}::uuid`).rejects.toThrow();
  });
});
