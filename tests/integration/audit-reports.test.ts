/**
 * The secretariat's audit views and the patient-side report against real PostgreSQL: activity
 * scripted across three facilities (a hospital, a clinic, a pharmacy) and the secretariat, and
 * exactly which sign-ins, counts, findings and rows each view returns.
 */
import crypto from "node:crypto";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccessType, SignInEventKind } from "@/generated/prisma/enums";
import { signIn } from "@/lib/auth/mutations";
import type { TTerminal } from "@/lib/auth/terminal";
import type { TViewer } from "@/lib/auth/viewer-type";
import { findUnusualAccess, getFacilityActivity, getPatientAccessReport, listAccessRows, listSignInEvents, type TFinding } from "@/lib/audit/reports/queries";
import { daysRange, rowsHref, toJstLocal, type TRowsLink } from "@/lib/audit/reports/rules";
import { ZAccessRowsFilter, ZPatientReportQuery, ZSignInFilter } from "@/lib/audit/reports/schema";
import { db } from "@/lib/db/client";
import { getPatientPage } from "@/lib/patients/queries";
import { registerPatient } from "@/lib/patients/mutations";
import { ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, DEMO_PASSWORD, viewerFor } from "@/tests/fixtures/factories";

type TFacility = Awaited<ReturnType<typeof createFacility>>;

let H: TFacility; // hospital
let C: TFacility; // clinic
let P: TFacility; // pharmacy
let S: TFacility; // the network's secretariat
let secretariat: TViewer;
let adminH: TViewer;
let adminP: TViewer;
let doctorH: TViewer;
let doctorC: TViewer;
let nurseC: TViewer;
let pharmacistP: TViewer;
let lockUser: { id: string; loginId: string };
let patientA: { id: string; regionalId: string };
let patientB: { id: string; regionalId: string };
/** the EMS grant the hospital doctor read patient B under */
let emsGrantId: string;

/** An instant given in Japan time. */
const jst = (local: string) => new Date(`${local}+09:00`);

/**
 * A log row at a chosen past instant, as the viewer's read would have written it (writeAccessLog
 * stamps the current time, and the rules are about times of day and spans of time).
 */
async function logAt(viewer: TViewer, local: string, accessType: AccessType, extra: { patientId?: string | null; isEmergency?: boolean; emergencyGrantId?: string } = {}) {
  await db().accessLog.create({
    data: {
      at: jst(local),
      userId: viewer.userId,
      facilityId: viewer.facilityId,
      certSerial: viewer.certSerial,
      accessType,
      patientId: extra.patientId ?? null,
      isEmergency: extra.isEmergency ?? false,
      emergencyGrantId: extra.emergencyGrantId ?? null,
    },
    select: { id: true },
  });
}

const minutesAfter = (local: string, n: number) => toJstLocal(new Date(jst(local).getTime() + n * 60_000));

/** The rows page for a link's filters, as the page parses them from its URL. */
const rowsOf = (viewer: TViewer, href: string) => listAccessRows(viewer, ZAccessRowsFilter.parse(Object.fromEntries(new URL(href, "https://x").searchParams)));
const rowsFor = (link: TRowsLink) => rowsOf(secretariat, rowsHref(link));

function terminalOf(facility: TFacility): TTerminal {
  return { serial: crypto.randomBytes(8).toString("hex"), facilityId: facility.id, facilityCode: facility.code, facilityName: facility.nameKanji, terminalId: crypto.randomUUID(), terminalName: "受付1", remoteAddress: "10.0.0.7" };
}

const registration = (name: string, kana: string, links: { facilityId: string; facilityPatientId: string }[]) =>
  ZRegisterPatient.parse({
    patient: { nameKanji: name, nameKana: kana, sex: "FEMALE", birthDate: "1948/03/03" },
    links,
    consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" },
    confirmDuplicate: "on",
  });

beforeAll(async () => {
  H = await createFacility({ nameKanji: "監査中央病院" });
  C = await createFacility({ type: "CLINIC", nameKanji: "監査診療所" });
  P = await createFacility({ type: "PHARMACY", isDisclosing: false, nameKanji: "監査薬局" });
  S = await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "監査事務局" });
  const viewer = async (facilityId: string, roles: ("CLINICIAN" | "LIAISON" | "FACILITY_ADMIN" | "SECRETARIAT")[]) =>
    viewerFor((await createStaff({ facilityId, roles })).user);
  secretariat = await viewer(S.id, ["SECRETARIAT"]);
  adminH = await viewer(H.id, ["FACILITY_ADMIN"]);
  adminP = await viewer(P.id, ["FACILITY_ADMIN"]);
  doctorH = await viewer(H.id, ["CLINICIAN"]);
  doctorC = await viewer(C.id, ["CLINICIAN"]);
  nurseC = await viewer(C.id, ["CLINICIAN"]);
  pharmacistP = await viewer(P.id, ["CLINICIAN"]);
  lockUser = (await createStaff({ facilityId: H.id, loginId: "audit-locked" })).user;
  const liaisonH = await viewer(H.id, ["LIAISON"]);
  patientA = await registerPatient(
    liaisonH,
    registration("監査 花子", "カンサ ハナコ", [
      { facilityId: H.id, facilityPatientId: "HA-1" },
      { facilityId: C.id, facilityPatientId: "CA-1" },
    ]),
  );
  patientB = await registerPatient(liaisonH, registration("監査 次郎", "カンサ ジロウ", [{ facilityId: H.id, facilityPatientId: "HB-1" }]));
  // The clinic linked patient B on 8 October (a link made then; the patient's own links above are made now).
  await db().facilityPatientLink.create({ data: { patientId: patientB.id, facilityId: C.id, facilityPatientId: "CB-9", linkedAt: jst("2026-10-08T09:00:00") } });

  await scriptOctober();
});

/** Two weeks of October 2026 (Japan time), each rule provoked once and missed once. */
async function scriptOctober() {
  // Many patients in a short time: the hospital doctor opens 20 patients from 10:00 (one search in between), and
  // again across an hour boundary the next morning; 19 patients another day is not enough.
  for (let i = 0; i < 20; i++) await logAt(doctorH, minutesAfter("2026-10-06T10:00:00", 2 * i), "CONTENT_VIEW", { patientId: crypto.randomUUID() });
  await logAt(doctorH, "2026-10-06T10:10:30", "PATIENT_SEARCH");
  for (let i = 0; i < 20; i++) await logAt(doctorH, minutesAfter("2026-10-07T10:45:00", 2 * i), "CALENDAR_VIEW", { patientId: crypto.randomUUID() });
  for (let i = 0; i < 19; i++) await logAt(doctorH, minutesAfter("2026-10-08T14:00:00", i), "PATIENT_VIEW", { patientId: crypto.randomUUID() });
  // Night: the clinic doctor reads patient A at 23:30, searches, and reads again at 01:15; 21:59:59 is evening.
  await logAt(doctorC, "2026-10-06T23:30:00", "CALENDAR_VIEW", { patientId: patientA.id });
  await logAt(doctorC, "2026-10-06T23:40:00", "PATIENT_SEARCH");
  await logAt(doctorC, "2026-10-07T01:15:00", "CONTENT_VIEW", { patientId: patientA.id });
  await logAt(doctorC, "2026-10-07T21:59:59", "PATIENT_VIEW", { patientId: patientA.id });
  // A night search that reads no patient is no finding.
  await logAt(pharmacistP, "2026-10-09T23:00:00", "PATIENT_SEARCH");
  // Right after the clinic's link for patient B (09:00 on the 8th): three reads within 24 h, one at 24 h.
  await logAt(doctorC, "2026-10-08T09:30:00", "PATIENT_VIEW", { patientId: patientB.id });
  await logAt(doctorC, "2026-10-08T12:00:00", "CALENDAR_VIEW", { patientId: patientB.id });
  await logAt(doctorC, "2026-10-09T08:59:59", "CONTENT_VIEW", { patientId: patientB.id });
  await logAt(doctorC, "2026-10-09T09:00:00", "CONTENT_VIEW", { patientId: patientB.id });
  await logAt(nurseC, "2026-10-08T10:00:00", "PATIENT_VIEW", { patientId: patientA.id });
  // EMS: the hospital doctor reads patient B twice under an EMS grant.
  emsGrantId = (
    await db().emergencyGrant.create({
      data: {
        viewerId: doctorH.userId,
        viewerFacilityId: H.id,
        patientId: patientB.id,
        disclosingFacilityId: C.id,
        basis: "EMS",
        reason: "EMERGENCY_TRANSPORT",
        reasonText: "救急搬送",
        consent: "ORAL_FAMILY",
        consentConfirmedBy: "看護師",
        startsAt: jst("2026-10-09T14:55:00"),
        endsAt: jst("2026-10-10T14:55:00"),
        windowFrom: new Date("2026-07-09T00:00:00Z"),
        reviewDueAt: jst("2026-10-16T14:55:00"),
      },
      select: { id: true },
    })
  ).id;
  await logAt(doctorH, "2026-10-09T15:00:00", "CONTENT_VIEW", { patientId: patientB.id, isEmergency: true, emergencyGrantId: emsGrantId });
  await logAt(doctorH, "2026-10-09T15:05:00", "CONTENT_VIEW", { patientId: patientB.id, isEmergency: true, emergencyGrantId: emsGrantId });
  // Refusals: six on the 10th (one at night), four on the 11th.
  for (let i = 0; i < 5; i++) await logAt(pharmacistP, minutesAfter("2026-10-10T09:00:00", i), "DENIED", { patientId: patientA.id });
  await logAt(pharmacistP, "2026-10-10T23:30:00", "DENIED");
  for (let i = 0; i < 4; i++) await logAt(pharmacistP, minutesAfter("2026-10-11T09:00:00", i), "DENIED");
  // Month edges of the clinic's activity: 23:59:59 on 30 September is September, 00:00 on 1 October is October.
  await logAt(doctorC, "2026-09-30T23:59:59", "PATIENT_SEARCH");
  await logAt(doctorC, "2026-10-01T00:00:00", "PATIENT_SEARCH");
}

let since: Date;
beforeEach(() => {
  since = new Date();
});

/** The access-log rows the viewer wrote since the test began. */
async function logged(viewer: TViewer) {
  const rows = await db().accessLog.findMany({ where: { userId: viewer.userId, at: { gte: since } }, orderBy: [{ at: "asc" }] });
  return rows.map((r) => ({ type: r.accessType, patient: r.patientId, facility: r.facilityId, detail: r.detail }));
}

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

describe("sign-in history", () => {
  beforeAll(async () => {
    const terminal = terminalOf(H);
    const attempt = (loginId: string, password: string) => signIn({ loginId, password }, terminal, "10.0.0.7").catch(() => null);
    for (let i = 0; i < 6; i++) await attempt(lockUser.loginId, "wrong-password-1");
    await attempt("nobody-typed-this", "wrong-password-1");
    await attempt(doctorH.loginId, DEMO_PASSWORD);
    await db().signInEvent.create({ data: { at: jst("2026-10-01T09:00:00"), kind: "SUCCESS", loginId: doctorC.loginId, userId: doctorC.userId, facilityId: C.id } });
  });

  const kinds = async (filter: Record<string, string>) => (await listSignInEvents(secretariat, ZSignInFilter.parse(filter))).rows.map((r) => r.kind);

  it("shows one user's failures, the lock and the attempt while locked, newest first", async () => {
    expect(await kinds({ facility: H.code, login: lockUser.loginId })).toEqual<SignInEventKind[]>(["LOCKED_ATTEMPT", "LOCKED", "FAILURE", "FAILURE", "FAILURE", "FAILURE"]);
    const [row] = (await listSignInEvents(secretariat, ZSignInFilter.parse({ login: lockUser.loginId }))).rows;
    expect(row).toMatchObject({ facilityCode: H.code, facilityName: "監査中央病院", ip: "10.0.0.7", loginId: lockUser.loginId });
    expect(row!.certSerial).toMatch(/^[0-9a-f]{16}$/);
  });

  it("filters by kind or group of kinds", async () => {
    expect(await kinds({ facility: H.code, kind: "LOCKS" })).toEqual(["LOCKED_ATTEMPT", "LOCKED"]);
    expect(await kinds({ facility: H.code, kind: "SUCCESS" })).toEqual(["SUCCESS"]);
    expect(await kinds({ facility: H.code, kind: "FAILURES" })).toHaveLength(7);
  });

  it("finds a login ID nobody has, by a part of it, at the terminal's facility", async () => {
    const { rows } = await listSignInEvents(secretariat, ZSignInFilter.parse({ login: "NOBODY" }));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "FAILURE", loginId: "nobody-typed-this", userName: null, facilityCode: H.code, detail: "unknown login ID" });
  });

  it("takes Japan-time days, both included", async () => {
    expect(await kinds({ from: "2026-10-01", to: "2026-10-01" })).toEqual(["SUCCESS"]);
    expect(await kinds({ from: "2026-10-02", to: "2026-10-31" })).toEqual([]);
    expect(await kinds({ facility: C.code })).toEqual(["SUCCESS"]);
  });

  it("pages newest first", async () => {
    const all = await listSignInEvents(secretariat, ZSignInFilter.parse({}));
    expect(all.total).toBe(9);
    expect(all.rows.map((r) => r.at.getTime())).toEqual([...all.rows.map((r) => r.at.getTime())].sort((a, b) => b - a));
    expect((await listSignInEvents(secretariat, ZSignInFilter.parse({ page: "2" }))).rows).toEqual([]);
  });

  it("is the secretariat's: a facility admin is told it does not exist", async () => {
    expect(await codeOf(listSignInEvents(adminH, ZSignInFilter.parse({})))).toBe("NOT_FOUND");
  });
});

describe("a facility's activity by day", () => {
  it("counts the clinic's October per Japan-time day and type, with users, patients and totals", async () => {
    const a = await getFacilityActivity(secretariat, { facility: C.code, month: "2026-10" });
    expect(a.facility).toMatchObject({ id: C.id, code: C.code, name: "監査診療所" });
    expect(a.days).toHaveLength(31);
    expect(a.types).toEqual(["PATIENT_SEARCH", "PATIENT_VIEW", "CONTENT_VIEW", "CALENDAR_VIEW"]);
    const busy = a.days.filter((d) => d.rows > 0);
    expect(busy).toEqual([
      { day: "2026-10-01", byType: { PATIENT_SEARCH: 1 }, rows: 1, users: 1, patients: 0 },
      { day: "2026-10-06", byType: { CALENDAR_VIEW: 1, PATIENT_SEARCH: 1 }, rows: 2, users: 1, patients: 1 },
      { day: "2026-10-07", byType: { CONTENT_VIEW: 1, PATIENT_VIEW: 1 }, rows: 2, users: 1, patients: 1 },
      { day: "2026-10-08", byType: { PATIENT_VIEW: 2, CALENDAR_VIEW: 1 }, rows: 3, users: 2, patients: 2 },
      { day: "2026-10-09", byType: { CONTENT_VIEW: 2 }, rows: 2, users: 1, patients: 1 },
    ]);
    expect(a.total).toEqual({ byType: { PATIENT_SEARCH: 2, PATIENT_VIEW: 3, CONTENT_VIEW: 3, CALENDAR_VIEW: 2 }, rows: 10, users: 2, patients: 2 });
  });

  it("each count's rows are exactly the rows counted", async () => {
    const day = daysRange("2026-10-08", "2026-10-08");
    const views = await rowsFor({ facility: C.code, type: "PATIENT_VIEW", from: toJstLocal(day.from), to: toJstLocal(day.to) });
    expect(views.total).toBe(2);
    expect(views.rows.map((r) => [r.user?.id, r.patient?.regionalId, r.facility?.code])).toEqual([
      [nurseC.userId, patientA.regionalId, C.code],
      [doctorC.userId, patientB.regionalId, C.code],
    ]);
    const month = daysRange("2026-10-01", "2026-10-31");
    expect((await rowsFor({ facility: C.code, from: toJstLocal(month.from), to: toJstLocal(month.to) })).total).toBe(10);
  });

  it("without a facility there is nothing to count; an unknown code is no facility", async () => {
    const none = await getFacilityActivity(secretariat, { month: "2026-10" });
    expect(none.facility).toBeNull();
    expect(none.total.rows).toBe(0);
    expect((await getFacilityActivity(secretariat, { facility: "NO-SUCH", month: "2026-10" })).facility).toBeNull();
  });

  it("defaults to this month and is the secretariat's", async () => {
    expect((await getFacilityActivity(secretariat, { facility: C.code }, jst("2026-11-30T23:59:59"))).month).toBe("2026-11");
    expect((await getFacilityActivity(secretariat, { facility: C.code }, jst("2026-12-01T00:00:00"))).month).toBe("2026-12");
    expect(await codeOf(getFacilityActivity(adminH, { facility: H.code }))).toBe("NOT_FOUND");
  });
});

const summary = (f: TFinding) => ({
  rule: f.rule,
  user: f.user?.id,
  patient: f.patient?.regionalId ?? null,
  first: f.first,
  last: f.last,
  rows: f.rows,
  patients: f.patients,
  linkedAt: f.linkedAt,
});

describe("unusual access", () => {
  it("finds each rule's cases in October, and only those", async () => {
    const report = await findUnusualAccess(secretariat, { from: "2026-10-05", to: "2026-10-11" });
    expect(report).toMatchObject({ from: "2026-10-05", to: "2026-10-11" });
    expect(report.findings.map(summary)).toEqual([
      { rule: "BURST", user: doctorH.userId, patient: null, first: jst("2026-10-06T10:00:00"), last: jst("2026-10-06T10:38:00"), rows: 21, patients: 20, linkedAt: null },
      { rule: "BURST", user: doctorH.userId, patient: null, first: jst("2026-10-07T10:45:00"), last: jst("2026-10-07T11:23:00"), rows: 20, patients: 20, linkedAt: null },
      { rule: "EMERGENCY", user: doctorH.userId, patient: patientB.regionalId, first: jst("2026-10-09T15:00:00"), last: jst("2026-10-09T15:05:00"), rows: 2, patients: 1, linkedAt: null },
      {
        rule: "NEW_LINK",
        user: doctorC.userId,
        patient: patientB.regionalId,
        first: jst("2026-10-08T09:30:00"),
        last: jst("2026-10-09T08:59:59"),
        rows: 3,
        patients: 1,
        linkedAt: jst("2026-10-08T09:00:00"),
      },
      { rule: "NIGHT", user: doctorC.userId, patient: null, first: jst("2026-10-06T23:30:00"), last: jst("2026-10-07T01:15:00"), rows: 3, patients: 1, linkedAt: null },
      { rule: "DENIED", user: pharmacistP.userId, patient: null, first: jst("2026-10-10T09:00:00"), last: jst("2026-10-10T23:30:00"), rows: 6, patients: 1, linkedAt: null },
    ]);
    expect(report.findings[0]!.user).toMatchObject({ loginId: doctorH.loginId, facilityCode: H.code, facilityName: "監査中央病院" });
  });

  it("every finding links to exactly the rows it counts", async () => {
    const report = await findUnusualAccess(secretariat, { from: "2026-10-05", to: "2026-10-11" });
    for (const f of report.findings) {
      const rows = await rowsOf(secretariat, f.href);
      expect({ rule: f.rule, total: rows.total }).toEqual({ rule: f.rule, total: f.rows });
      expect(rows.rows.every((r) => r.user?.id === f.user?.id)).toBe(true);
    }
    const denied = report.findings.find((f) => f.rule === "DENIED")!;
    expect((await rowsOf(secretariat, denied.href)).rows.map((r) => r.accessType)).toEqual(Array(6).fill("DENIED"));
    const ems = report.findings.find((f) => f.rule === "EMERGENCY")!;
    expect((await rowsOf(secretariat, ems.href)).rows.every((r) => r.isEmergency && r.patient?.regionalId === patientB.regionalId)).toBe(true);
  });

  it("names the grants behind an emergency finding, with their ground, and marks each row with its grant", async () => {
    const report = await findUnusualAccess(secretariat, { from: "2026-10-05", to: "2026-10-11" });
    expect(report.findings.filter((f) => f.rule === "EMERGENCY").map((f) => f.grants)).toEqual([[{ grantId: emsGrantId, basis: "EMS", disasterName: null }]]);
    expect(report.findings.filter((f) => f.rule !== "EMERGENCY").every((f) => f.grants.length === 0)).toBe(true);
    const rows = await rowsFor({ emergency: true, from: "2026-10-01T00:00:00", to: "2026-11-01T00:00:00" });
    expect(rows.rows.map((r) => r.emergency)).toEqual([
      { grantId: emsGrantId, basis: "EMS", disasterName: null },
      { grantId: emsGrantId, basis: "EMS", disasterName: null },
    ]);
    const ordinary = await rowsFor({ user: doctorC.loginId, from: "2026-10-01T00:00:00", to: "2026-11-01T00:00:00" });
    expect(ordinary.rows.length).toBeGreaterThan(0);
    expect(ordinary.rows.every((r) => r.emergency === null && !r.isEmergency)).toBe(true);
  });

  it("looks only inside the days asked for", async () => {
    const report = await findUnusualAccess(secretariat, { from: "2026-10-07", to: "2026-10-09" });
    expect(report.findings.map((f) => [f.rule, f.rows])).toEqual([
      ["BURST", 20],
      ["EMERGENCY", 2],
      ["NEW_LINK", 3],
      ["NIGHT", 1],
    ]);
  });

  it("is itself logged, naming no patient", async () => {
    await findUnusualAccess(secretariat, { from: "2026-10-05", to: "2026-10-11" });
    expect(await logged(secretariat)).toEqual([{ type: "PATIENT_ADMIN_VIEW", patient: null, facility: S.id, detail: "access report unusual 2026-10-05..2026-10-11" }]);
  });

  it("finds today's reads right after a link and today's refusals, made through the real reads", async () => {
    await getPatientPage(doctorC, patientA.id);
    for (let i = 0; i < 5; i++) await expect(getPatientPage(pharmacistP, patientA.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const report = await findUnusualAccess(secretariat, {});
    // Night findings depend on the hour the test runs at; the other rules do not.
    const found = report.findings.filter((f) => f.rule !== "NIGHT").map(summary);
    expect(found).toEqual([
      expect.objectContaining({ rule: "NEW_LINK", user: doctorC.userId, patient: patientA.regionalId, rows: 1 }),
      expect.objectContaining({ rule: "DENIED", user: pharmacistP.userId, rows: 5, patients: 1 }),
    ]);
    const newLink = report.findings.find((f) => f.rule === "NEW_LINK")!;
    expect(newLink.linkedAt!.getTime()).toBeLessThanOrEqual(newLink.first.getTime());
    expect((await rowsOf(secretariat, newLink.href)).rows.map((r) => r.accessType)).toEqual(["PATIENT_VIEW"]);
  });

  it("is the secretariat's; a refusal is logged like any other", async () => {
    expect(await codeOf(findUnusualAccess(adminH, {}))).toBe("NOT_FOUND");
    expect(await codeOf(findUnusualAccess(doctorH, {}))).toBe("NOT_FOUND");
    expect(await logged(adminH)).toEqual([{ type: "DENIED", patient: null, facility: H.id, detail: "audit report" }]);
  });
});

describe("the rows page", () => {
  it("filters by facility, user, patient, type and instants, newest first, with the names", async () => {
    const r = await rowsFor({ user: doctorC.loginId, patient: patientB.regionalId, from: "2026-10-08T00:00:00", to: "2026-10-09T09:00:00" });
    expect(r.rows.map((x) => [x.at, x.accessType])).toEqual([
      [jst("2026-10-09T08:59:59"), "CONTENT_VIEW"],
      [jst("2026-10-08T12:00:00"), "CALENDAR_VIEW"],
      [jst("2026-10-08T09:30:00"), "PATIENT_VIEW"],
    ]);
    expect(r.rows[0]).toMatchObject({
      user: { id: doctorC.userId, loginId: doctorC.loginId, facilityCode: C.code },
      facility: { id: C.id, code: C.code },
      patient: { id: patientB.id, regionalId: patientB.regionalId, name: "監査 次郎" },
      owner: null,
      certSerial: "test-serial",
      isEmergency: false,
    });
    expect((await rowsFor({ facility: P.code, type: "DENIED", from: "2026-10-01T00:00:00", to: "2026-11-01T00:00:00" })).total).toBe(10);
    expect((await rowsFor({ facility: H.code, emergency: true, from: "2026-10-01T00:00:00" })).total).toBe(2);
  });

  it("without a start shows the last seven days", async () => {
    const r = await listAccessRows(secretariat, ZAccessRowsFilter.parse({ user: pharmacistP.loginId }), jst("2026-10-12T12:00:00"));
    expect(r.from).toEqual(jst("2026-10-06T00:00:00"));
    expect(r.to).toBeNull();
    // up to now: October's search and ten refusals, and today's five
    expect(r.total).toBe(16);
  });

  it("says which filter names nothing, and shows nothing then", async () => {
    const r = await rowsFor({ user: "no-such-user", patient: "9999999999", facility: H.code });
    expect(r.unmatched).toEqual(["user", "patient"]);
    expect(r.rows).toEqual([]);
  });

  it("pages by 50", async () => {
    const all = await rowsFor({ user: doctorH.loginId, from: "2026-10-01T00:00:00", to: "2026-11-01T00:00:00" });
    expect(all.total).toBe(62);
    expect(all.rows).toHaveLength(50);
    const second = await listAccessRows(secretariat, ZAccessRowsFilter.parse({ user: doctorH.loginId, from: "2026-10-01T00:00", to: "2026-11-01T00:00", page: "2" }));
    expect(second.rows).toHaveLength(12);
    expect(second.rows.at(-1)!.at).toEqual(jst("2026-10-06T10:00:00"));
  });

  it("is logged with its filter, naming the patient it was filtered by", async () => {
    await rowsFor({ patient: patientB.regionalId, from: "2026-10-01T00:00:00" });
    const [row] = await logged(secretariat);
    expect(row).toMatchObject({ type: "PATIENT_ADMIN_VIEW", patient: patientB.id, facility: S.id });
    expect(row!.detail).toMatch(/^access report rows \{.*"patient":"\d{10}".*\}$/);
  });

  it("is the secretariat's", async () => {
    expect(await codeOf(listAccessRows(adminH, ZAccessRowsFilter.parse({})))).toBe("NOT_FOUND");
  });
});

describe("the patient-side report", () => {
  const report = (viewer: TViewer, q: Record<string, string>) => getPatientAccessReport(viewer, ZPatientReportQuery.parse(q));

  it("a facility admin cannot open the report of a patient not linked at their facility; the refusal is logged", async () => {
    expect(await codeOf(report(adminP, { regionalId: patientA.regionalId }))).toBe("NOT_FOUND");
    expect(await logged(adminP)).toEqual([{ type: "DENIED", patient: patientA.id, facility: P.id, detail: `access report regional ${patientA.regionalId}` }]);
    expect(await codeOf(report(adminH, { facilityPatientId: "CA-1" }))).toBe("NOT_FOUND");
    expect(await codeOf(report(adminH, { regionalId: "9999999999" }))).toBe("NOT_FOUND");
  });

  it("a facility admin opens the report of their own patient, by regional ID or their own patient ID", async () => {
    const byRegional = await report(adminH, { regionalId: patientA.regionalId });
    const byOwnId = await report(adminH, { facilityPatientId: "HA-1", facility: C.code });
    expect(byOwnId.patient).toEqual(byRegional.patient);
    expect(byRegional.patient).toMatchObject({ id: patientA.id, regionalId: patientA.regionalId, nameKanji: "監査 花子", nameKana: "カンサ ハナコ", sex: "FEMALE" });
    expect(await logged(adminH)).toEqual([
      { type: "PATIENT_ADMIN_VIEW", patient: patientA.id, facility: H.id, detail: "access report" },
      { type: "PATIENT_ADMIN_VIEW", patient: patientA.id, facility: H.id, detail: "access report" },
    ]);
  });

  it("the secretariat opens any patient's: per viewing facility, and every row newest first", async () => {
    const r = await report(secretariat, { regionalId: patientA.regionalId });
    const byCode = Object.fromEntries(r.facilities.map((f) => [f.facility?.code, { views: f.views, denied: f.denied, people: f.people }]));
    // the clinic's staff read; the pharmacy was refused (its clinician, and its admin asking for this report);
    // the hospital's admin read this report twice; the secretariat followed a finding's link naming the patient
    expect(byCode).toEqual({
      [C.code]: { views: 5, denied: 0, people: 2 },
      [P.code]: { views: 0, denied: 11, people: 2 },
      [H.code]: { views: 2, denied: 0, people: 1 },
      [S.code]: { views: 1, denied: 0, people: 1 },
    });
    expect(r.facilities.map((f) => f.facility?.code)).toEqual([H.code, P.code, S.code, C.code]);
    const clinic = r.facilities.find((f) => f.facility?.code === C.code)!;
    expect(clinic.first).toEqual(jst("2026-10-06T23:30:00"));
    expect(r.rows.total).toBe(19);
    expect(r.rows.rows[0]).toMatchObject({ accessType: "PATIENT_ADMIN_VIEW", user: { id: adminH.userId } });
    expect(r.rows.rows.at(-1)).toMatchObject({ at: jst("2026-10-06T23:30:00"), accessType: "CALENDAR_VIEW", user: { id: doctorC.userId }, facility: { code: C.code } });
    expect(await logged(secretariat)).toEqual([{ type: "PATIENT_ADMIN_VIEW", patient: patientA.id, facility: S.id, detail: "access report" }]);
  });

  it("shows emergency reads apart: counted per facility, and each row with its grant's ground", async () => {
    const r = await report(secretariat, { regionalId: patientB.regionalId });
    const hospital = r.facilities.find((f) => f.facility?.code === H.code)!;
    expect(hospital).toMatchObject({ views: 2, emergency: 2, denied: 0 });
    expect(r.facilities.find((f) => f.facility?.code === C.code)).toMatchObject({ emergency: 0 });
    const emergency = r.rows.rows.filter((x) => x.isEmergency);
    expect(emergency.map((x) => [x.user?.id, x.emergency?.grantId, x.emergency?.basis])).toEqual([
      [doctorH.userId, emsGrantId, "EMS"],
      [doctorH.userId, emsGrantId, "EMS"],
    ]);
    expect(r.rows.rows.filter((x) => !x.isEmergency).every((x) => x.emergency === null)).toBe(true);
  });

  it("the secretariat names a facility's patient ID with the facility", async () => {
    expect((await report(secretariat, { facility: C.code, facilityPatientId: "CB-9" })).patient.id).toBe(patientB.id);
    expect(await codeOf(report(secretariat, { facilityPatientId: "CB-9" }))).toBe("NOT_FOUND");
  });

  it("its own reading shows in the next report", async () => {
    const before = await report(secretariat, { regionalId: patientB.regionalId });
    const after = await report(secretariat, { regionalId: patientB.regionalId });
    expect(after.rows.total).toBe(before.rows.total + 1);
    expect(after.facilities.find((f) => f.facility?.code === S.code)?.views).toBeGreaterThanOrEqual(1);
  });

  it("staff who administer nothing are told it does not exist, and the refusal is logged like any other", async () => {
    expect(await codeOf(report(doctorH, { regionalId: patientA.regionalId }))).toBe("NOT_FOUND");
    expect(await logged(doctorH)).toEqual([{ type: "DENIED", patient: patientA.id, facility: H.id, detail: `access report regional ${patientA.regionalId}` }]);
  });
});
