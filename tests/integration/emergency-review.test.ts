/**
 * The review of emergency access (issue 16; seed 000 平時のルール) on real PostgreSQL: grants
 * opened through the real path (EMS at a hospital the network allows it for, a core hospital,
 * a disaster declaration) in a November the test's clock stands in, reads made under them; the
 * secretariat's queue by due date, one grant with every read under it, closing the review (the
 * secretariat's alone, once, after the grant's end), a facility's admins seeing their own staff's
 * uses only, the month's report, the access-log CSV's Emergency and EmergencyGrantID columns, and
 * the disclosing desk's e-mail alert through a real SMTP server, with no clinical text in it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookUpEmergency } from "@/lib/access/emergency";
import { openAccessLogExport } from "@/lib/audit/queries";
import { ZAccessLogExport, monthOf } from "@/lib/audit/schema";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage } from "@/lib/clinical/mutations";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { getCalendar, getContent } from "@/lib/clinical/queries";
import { db } from "@/lib/db/client";
import { deliverPendingMail } from "@/lib/mail/mutations";
import { openEmergencyGrant } from "@/lib/ems/mutations";
import { closeEmergencyReview, endGrantUnderReview } from "@/lib/ems/review/mutations";
import { getEmergencyMonthReport, getEmergencyReview, listEmergencyReviews } from "@/lib/ems/review/queries";
import { monthReportCsv } from "@/lib/ems/review/report";
import { ZCloseReview, ZReviewQueueFilter } from "@/lib/ems/review/schema";
import { ZOpenGrant } from "@/lib/ems/schema";
import { translator } from "@/lib/i18n";
import { dictionaries } from "@/lib/i18n/dictionaries";
import { searchPatients } from "@/lib/patients/queries";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";
import { csvRecords } from "@/tests/fixtures/csv";
import { setEnv, simpleParser, startSmtp, waitFor, type TSmtp } from "@/tests/fixtures/smtp";

/** An instant given in Japan time. */
const jst = (local: string) => new Date(`${local}+09:00`);
/** The test's clock: late November 2026, Japan time. */
const NOW = jst("2026-11-25T12:00:00");
const hoursAfter = (d: Date, h: number) => new Date(d.getTime() + h * 3600_000);

const ORIGIN = "https://portal.chiikilink.example.jp";
const DESK_ADDRESS = "desk@kakaritsuke.example.jp";
const P = { nameKanji: "救急 花子", nameKana: "キュウキュウ ハナコ", sex: "FEMALE" as const, birthDate: "1940/02/03" };
const Q = { nameKanji: "搬送 次郎", nameKana: "ハンソウ ジロウ", sex: "MALE" as const, birthDate: "1952/07/07" };
const R = { nameKanji: "避難 三子", nameKana: "ヒナン ミツコ", sex: "FEMALE" as const, birthDate: "1945/05/05" };
const REASONS = { g1: "夜間の救急搬送、意識レベル低下", g2: "心肺停止で搬送、既往歴の確認", g3: "交通外傷で搬送、服薬の確認", g0: "避難所での発熱、持病の確認" };

let H: { id: string; code: string }; // 救急病院: allowed EMS
let CH: { id: string; code: string }; // 中核病院
let D: { id: string; code: string }; // 避難所の診療所: covered by a disaster declaration only
let K: { id: string; code: string }; // かかりつけ診療所: discloses
let emsDoctor: TViewer;
let plainDoctor: TViewer;
let adminH: TViewer;
let coreDoctor: TViewer;
let adminCH: TViewer;
let disasterDoctor: TViewer;
let deskK: TViewer;
let adminK: TViewer;
let secretariat: TViewer;
let p: { id: string; regionalId: string };
let q: { id: string; regionalId: string };
let r: { id: string; regionalId: string };
let labId: string;
let smtp: TSmtp;
/** the alerts sent before the first grant (registering the patients sends the desk publication notices) */
let alertsBefore = 0;
let saved: Record<string, string | undefined>;
/** g0: a disaster grant of October; g1: EMS, overdue; g2: core hospital, ended; g3: EMS, in force at NOW */
const grants = { g0: "", g1: "", g2: "", g3: "" };
const at = { g0: jst("2026-10-31T23:30:00"), g1: jst("2026-11-03T10:00:00"), g2: jst("2026-11-20T09:00:00"), g3: jst("2026-11-25T10:00:00") };

const draft = (o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey" | "facilityPatientId">): TContentDraft => ({
  occurredAt: jst("2026-10-20T09:00:00"),
  title: o.category,
  payload: { items: [{ code: "E1", name: "救急検査", value: "1.0", unit: "mg/dL" }] },
  sourceVersion: "1",
  isDeleted: false,
  ...o,
});

const grantForm = (facilityPatientId: string, reasonText: string, o: Record<string, unknown> = {}) =>
  ZOpenGrant.parse({ facilityId: K.id, facilityPatientId, reason: "EMERGENCY_TRANSPORT", reasonText, consent: "ORAL_FAMILY", consentConfirmedBy: "救急外来 看護師", acknowledged: "on", ...o });

const queue = (viewer: TViewer, f: Record<string, string> = {}) => listEmergencyReviews(viewer, ZReviewQueueFilter.parse(f), NOW);
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

/** The access-log rows the viewer wrote since `since`. */
async function loggedSince(viewer: TViewer, since: Date) {
  const rows = await db().accessLog.findMany({ where: { userId: viewer.userId, at: { gte: since } }, orderBy: [{ at: "asc" }, { chainSeq: "asc" }] });
  return rows.map((x) => ({ type: x.accessType, patient: x.patientId, detail: x.detail }));
}

beforeAll(async () => {
  saved = { SMTP_URL: process.env.SMTP_URL, NEXTAUTH_URL: process.env.NEXTAUTH_URL };
  smtp = await startSmtp();
  // the alerts go out right after each grant's commit, as in production
  setEnv({ SMTP_URL: smtp.url, NEXTAUTH_URL: ORIGIN });

  const facility = async (o: Parameters<typeof createFacility>[0]) => {
    const f = await createFacility(o);
    return { id: f.id, code: f.code };
  };
  H = await facility({ nameKanji: "救急病院", emsAllowed: true });
  CH = await facility({ nameKanji: "中核総合病院", isCoreHospital: true });
  D = await facility({ type: "CLINIC", nameKanji: "避難所診療所" });
  K = await facility({ type: "CLINIC", nameKanji: "かかりつけ診療所" });
  const S = await facility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "救急審査事務局" });
  const staff = async (facilityId: string, roles: ("CLINICIAN" | "LIAISON" | "FACILITY_ADMIN" | "SECRETARIAT")[], o: { ems?: boolean; email?: string; name?: string } = {}) =>
    viewerFor((await createStaff({ facilityId, roles, hasEmsPrivilege: o.ems ?? false, email: o.email ?? null, nameKanji: o.name })).user);
  emsDoctor = await staff(H.id, ["CLINICIAN"], { ems: true, name: "救急 医師" });
  plainDoctor = await staff(H.id, ["CLINICIAN"]);
  adminH = await staff(H.id, ["FACILITY_ADMIN"]);
  coreDoctor = await staff(CH.id, ["CLINICIAN"], { ems: true, name: "中核 医師" });
  adminCH = await staff(CH.id, ["FACILITY_ADMIN"]);
  disasterDoctor = await staff(D.id, ["CLINICIAN"], { ems: true, name: "避難 医師" });
  deskK = await staff(K.id, ["LIAISON"], { email: DESK_ADDRESS, name: "連携 窓口" });
  adminK = await staff(K.id, ["FACILITY_ADMIN"]);
  secretariat = await staff(S.id, ["SECRETARIAT", "FACILITY_ADMIN"]);
  // the clinic's desk asked for e-mail alerts of new secure mail
  await db().staffUser.update({ where: { id: deskK.userId }, data: { secureMailAlert: true } });

  p = await registerLinkedPatient(deskK, P, { [K.id]: "K-100" });
  q = await registerLinkedPatient(deskK, Q, { [K.id]: "K-200" });
  r = await registerLinkedPatient(deskK, R, { [K.id]: "K-300" });
  await db().patient.update({ where: { id: r.id }, data: { address: "長野県飯田市本町1-1" } });
  await importParsedMessage(K.id, {
    kind: "SSMIX2",
    dataType: "OUL-01",
    patient: null,
    contents: [draft({ category: "LAB", sourceKey: "ER-LAB-P", facilityPatientId: "K-100" }), draft({ category: "LAB", sourceKey: "ER-LAB-Q", facilityPatientId: "K-200" })],
  });
  labId = (await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: K.id, sourceKey: "ER-LAB-P" }, select: { id: true } })).id;
  await db().disasterDeclaration.create({
    data: { name: "令和8年飯田豪雨", areas: ["飯田市"], viewerFacilityIds: [D.id], startsAt: jst("2026-10-30T00:00:00"), endsAt: jst("2026-11-06T00:00:00"), declaredById: secretariat.userId },
  });

  await deliverPendingMail();
  alertsBefore = smtp.received.length;

  // g0: a disaster grant at the very end of October (Japan time); its notice is skipped
  grants.g0 = (await openEmergencyGrant(disasterDoctor, grantForm("K-300", REASONS.g0, { reason: "DISASTER", consent: "ORAL_PATIENT" }), at.g0)).grantId;
  await getCalendar({ ...disasterDoctor, requestId: "er-g0" }, r.id, { zoom: "day" }, hoursAfter(at.g0, 1));
  // g1: EMS, read twice; due 7 days later, overdue at NOW
  grants.g1 = (await openEmergencyGrant(emsDoctor, grantForm("K-100", REASONS.g1), at.g1)).grantId;
  await getCalendar({ ...emsDoctor, requestId: "er-g1-cal" }, p.id, { zoom: "day" }, hoursAfter(at.g1, 1));
  await getContent({ ...emsDoctor, requestId: "er-g1-lab" }, labId, { now: hoursAfter(at.g1, 2) });
  // g2: the core hospital, without consent; read once; ended by its user after two hours
  grants.g2 = (await openEmergencyGrant(coreDoctor, grantForm("K-200", REASONS.g2, { consent: "NOT_REQUIRED_CORE", consentConfirmedBy: "" }), at.g2)).grantId;
  await getCalendar({ ...coreDoctor, requestId: "er-g2" }, q.id, { zoom: "day" }, hoursAfter(at.g2, 1));
  await db().emergencyGrant.update({ where: { id: grants.g2 }, data: { endedAt: hoursAfter(at.g2, 2), endedById: coreDoctor.userId } });
  // g3: EMS, still in force at NOW, nothing read yet
  grants.g3 = (await openEmergencyGrant(emsDoctor, grantForm("K-200", REASONS.g3), at.g3)).grantId;
});

afterAll(async () => {
  setEnv(saved);
  await smtp?.close();
});

describe("the disclosing desk's e-mail alert", () => {
  it("each EMS notice (not the skipped disaster one) sends the desk one alert right after the commit, with the sign-in link and no clinical text", async () => {
    const notices = await db().secureMessage.findMany({ where: { systemKind: "EMS_NOTICE" }, select: { patientId: true, body: true } });
    expect(notices.map((n) => n.patientId).sort()).toEqual([p.id, q.id, q.id].sort());
    // the secure mail itself says who, when, why and how consent was taken…
    expect(notices.find((n) => n.patientId === p.id)!.body).toContain(REASONS.g1);
    // …the Internet e-mail only that something waits in the portal
    expect(alertsBefore).toBe(3); // the three publication notices of the registrations
    await waitFor(async () => (await db().mailOutbox.count({ where: { state: "PENDING" } })) === 0 && smtp.received.length >= alertsBefore + 3, "three alerts");
    expect(smtp.received.slice(alertsBefore).map((m) => m.rcptTo)).toEqual([[DESK_ADDRESS], [DESK_ADDRESS], [DESK_ADDRESS]]);
    const secrets = [
      ...[P, Q, R].flatMap((x) => [x.nameKanji, x.nameKana, x.nameKanji.split(" ")[0]!, x.nameKana.split(" ")[0]!]),
      p.regionalId,
      q.regionalId,
      p.id,
      q.id,
      "K-100",
      "K-200",
      ...Object.values(REASONS),
      "搬送",
      "家族（口頭）",
      "同意",
      "救急",
      "EMS",
      "救急 医師",
      "中核 医師",
      "救急病院",
      "中核総合病院",
      "かかりつけ診療所",
      ...Object.values(grants),
    ];
    for (const message of smtp.received) {
      const mail = await simpleParser(message.raw);
      expect(mail.subject).toContain("新着セキュアメール");
      expect(mail.text).toContain(`${ORIGIN}/mail`);
      expect(mail.html).toBeFalsy();
      const text = `${mail.subject ?? ""}\n${mail.text ?? ""}`;
      const raw = message.raw.toString("utf8");
      for (const secret of secrets) {
        expect(text, `"${secret}" in the e-mail`).not.toContain(secret);
        expect(raw, `"${secret}" in the raw message`).not.toContain(secret);
      }
    }
  });
});

describe("the review queue", () => {
  it("lists the grants not yet reviewed, the most urgent first, each due 7 days after its start, the overdue marked", async () => {
    const list = await queue(secretariat);
    expect(list).toMatchObject({ scope: "network", state: "open", total: 4, counts: { open: 4, overdue: 2 } });
    expect(list.rows.map((x) => x.id)).toEqual([grants.g0, grants.g1, grants.g2, grants.g3]);
    const row = Object.fromEntries(list.rows.map((x) => [x.id, x]));
    for (const [key, id] of Object.entries(grants)) expect(row[id]!.reviewDueAt).toEqual(new Date(at[key as keyof typeof at].getTime() + 7 * 86_400_000));
    expect(list.rows.map((x) => [x.basis, x.isOverdue, x.state])).toEqual([
      ["DISASTER", true, "EXPIRED"],
      ["EMS", true, "EXPIRED"],
      ["CORE_HOSPITAL", false, "ENDED_EARLY"],
      ["EMS", false, "IN_FORCE"],
    ]);
    expect(row[grants.g0]).toMatchObject({ disasterName: "令和8年飯田豪雨", viewerFacility: { id: D.id }, disclosingFacility: { id: K.id, name: "かかりつけ診療所" } });
    expect(row[grants.g1]).toMatchObject({
      viewer: { id: emsDoctor.userId, name: "救急 医師" },
      viewerFacility: { id: H.id, code: H.code, name: "救急病院" },
      patient: { id: p.id, regionalId: p.regionalId, name: P.nameKanji },
      reason: "EMERGENCY_TRANSPORT",
      reads: 2,
      reviewedAt: null,
    });
    expect(row[grants.g2]).toMatchObject({ endsAt: hoursAfter(at.g2, 2), reads: 1 });
    expect(row[grants.g3]).toMatchObject({ endsAt: hoursAfter(at.g3, 24), reads: 0 });
  });

  it("filters by the viewing facility, the ground and the state; a facility ID that names nothing shows nothing", async () => {
    expect((await queue(secretariat, { facility: H.code })).rows.map((x) => x.id)).toEqual([grants.g1, grants.g3]);
    expect((await queue(secretariat, { facility: H.code })).counts).toEqual({ open: 2, overdue: 1 });
    expect((await queue(secretariat, { basis: "CORE_HOSPITAL" })).rows.map((x) => x.id)).toEqual([grants.g2]);
    expect((await queue(secretariat, { state: "overdue" })).rows.map((x) => x.id)).toEqual([grants.g0, grants.g1]);
    expect((await queue(secretariat, { state: "reviewed" })).rows).toEqual([]);
    // newest use first when every state is asked for
    expect((await queue(secretariat, { state: "all" })).rows.map((x) => x.id)).toEqual([grants.g3, grants.g2, grants.g1, grants.g0]);
    const none = await queue(secretariat, { facility: "NOSUCH" });
    expect(none).toMatchObject({ unmatchedFacility: true, total: 0, rows: [], counts: { open: 0, overdue: 0 } });
    // a value not understood is dropped, not refused
    expect((await queue(secretariat, { basis: "SOMETHING", state: "later" })).state).toBe("open");
  });

  it("is logged as an audit read naming no patient; staff who administer nothing are refused, and the refusal is logged", async () => {
    const since = new Date();
    await queue(secretariat, { facility: H.code, basis: "EMS" });
    expect(await loggedSince(secretariat, since)).toEqual([
      { type: "PATIENT_ADMIN_VIEW", patient: null, detail: `emergency review queue ${JSON.stringify({ facility: H.code, basis: "EMS", state: "open", page: 1 })}` },
    ]);
    for (const viewer of [plainDoctor, emsDoctor, deskK]) {
      expect(await codeOf(queue(viewer))).toBe("NOT_FOUND");
      // (the gateway names the facility asked about: a facility's staff ask about their own)
      expect(await loggedSince(viewer, since)).toEqual([{ type: "DENIED", patient: null, detail: `emergency review ${viewer.facilityId}` }]);
    }
  });
});

describe("one grant", () => {
  it("shows who, where, the patient, the ground, the reason and the consent, the notice, and every read made under it", async () => {
    const g = await getEmergencyReview(secretariat, grants.g1, { now: NOW });
    expect(g).toMatchObject({
      id: grants.g1,
      basis: "EMS",
      disaster: null,
      reason: "EMERGENCY_TRANSPORT",
      reasonText: REASONS.g1,
      consent: "ORAL_FAMILY",
      consentConfirmedBy: "救急外来 看護師",
      startsAt: at.g1,
      endsAt: hoursAfter(at.g1, 24),
      state: "EXPIRED",
      endedBy: null,
      viewer: { id: emsDoctor.userId, name: "救急 医師", qualification: "DOCTOR" },
      viewerFacility: { id: H.id },
      patient: { id: p.id, regionalId: p.regionalId, nameKanji: P.nameKanji, nameKana: P.nameKana, sex: "FEMALE" },
      disclosingFacility: { id: K.id },
      facilityPatientId: "K-100",
      notice: { recipients: 1, read: 0 },
      review: { dueAt: new Date(at.g1.getTime() + 7 * 86_400_000), isOverdue: true, reviewedAt: null, outcome: null, note: null },
      canReview: true,
      canEnd: false,
    });
    expect(g.windowFrom).toBe("2026-08-03");
    expect(g.reads.byType).toEqual([
      { type: "CALENDAR_VIEW", count: 1 },
      { type: "CONTENT_VIEW", count: 1 },
      { type: "EMERGENCY_GRANT", count: 1 },
    ]);
    expect(g.reads.total).toBe(3);
    expect(g.reads.rows.total).toBe(3);
    expect(g.reads.rows.rows.map((x) => [x.accessType, x.user?.id, x.patient?.id, x.isEmergency, x.emergency?.grantId, x.emergency?.basis]).sort()).toEqual(
      [
        ["CALENDAR_VIEW", emsDoctor.userId, p.id, true, grants.g1, "EMS"],
        ["CONTENT_VIEW", emsDoctor.userId, p.id, true, grants.g1, "EMS"],
        ["EMERGENCY_GRANT", emsDoctor.userId, p.id, true, grants.g1, "EMS"],
      ].sort(),
    );
    expect(g.reads.rows.rows.find((x) => x.accessType === "CONTENT_VIEW")).toMatchObject({ contentId: labId, owner: { id: K.id } });
  });

  it("a disaster grant names its declaration; a skipped notice is none; one ended early says by whom", async () => {
    const g0 = await getEmergencyReview(secretariat, grants.g0, { now: NOW });
    expect(g0).toMatchObject({ basis: "DISASTER", disaster: { name: "令和8年飯田豪雨", skipsNotice: true }, notice: null, consent: "ORAL_PATIENT" });
    expect(g0.reads.rows.rows.every((x) => x.emergency?.basis === "DISASTER" && x.emergency.disasterName === "令和8年飯田豪雨")).toBe(true);
    const g2 = await getEmergencyReview(secretariat, grants.g2, { now: NOW });
    expect(g2).toMatchObject({ basis: "CORE_HOSPITAL", consent: "NOT_REQUIRED_CORE", consentConfirmedBy: null, state: "ENDED_EARLY", endsAt: hoursAfter(at.g2, 2), plannedEndsAt: hoursAfter(at.g2, 24), endedBy: { id: coreDoctor.userId } });
    expect((await getEmergencyReview(secretariat, grants.g3, { now: NOW })).canEnd).toBe(true);
  });

  it("is logged naming its patient; a facility's admins open their own staff's (read-only), never another facility's; a guessed id is refused alike", async () => {
    const since = new Date();
    await getEmergencyReview(secretariat, grants.g1, { now: NOW });
    expect(await loggedSince(secretariat, since)).toEqual([{ type: "PATIENT_ADMIN_VIEW", patient: p.id, detail: `emergency review grant ${grants.g1}` }]);

    const own = await getEmergencyReview(adminH, grants.g1, { now: NOW });
    expect(own).toMatchObject({ id: grants.g1, canReview: false, canEnd: false });
    expect((await getEmergencyReview(adminH, grants.g3, { now: NOW })).canEnd).toBe(false);
    expect(await loggedSince(adminH, since)).toEqual([
      { type: "PATIENT_ADMIN_VIEW", patient: p.id, detail: `emergency review grant ${grants.g1}` },
      { type: "PATIENT_ADMIN_VIEW", patient: q.id, detail: `emergency review grant ${grants.g3}` },
    ]);

    const later = new Date();
    expect(await codeOf(getEmergencyReview(adminH, grants.g2, { now: NOW }))).toBe("NOT_FOUND");
    expect(await codeOf(getEmergencyReview(adminCH, grants.g1, { now: NOW }))).toBe("NOT_FOUND");
    // the disclosing facility's admins are told by the notice, not by the review
    expect(await codeOf(getEmergencyReview(adminK, grants.g1, { now: NOW }))).toBe("NOT_FOUND");
    expect(await codeOf(getEmergencyReview(adminH, "00000000-0000-4000-8000-000000000000", { now: NOW }))).toBe("NOT_FOUND");
    expect(await codeOf(getEmergencyReview(emsDoctor, grants.g1, { now: NOW }))).toBe("NOT_FOUND");
    expect((await loggedSince(adminH, later)).map((x) => [x.type, x.patient])).toEqual([
      ["DENIED", null],
      ["DENIED", null],
    ]);
    expect((await loggedSince(adminCH, later)).map((x) => x.type)).toEqual(["DENIED"]);
    expect((await loggedSince(emsDoctor, later)).map((x) => x.type)).toEqual(["DENIED"]);
    expect(await codeOf(getEmergencyReview(secretariat, "not-a-uuid", { now: NOW }))).toBe("NOT_FOUND");
  });
});

describe("closing a review", () => {
  it("needs an outcome, and a note unless the use was appropriate", () => {
    const issues = (input: Record<string, unknown>) => {
      const parsed = ZCloseReview.safeParse({ grantId: grants.g1, ...input });
      return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [i.path.join("."), i.message]));
    };
    expect(issues({})).toEqual({ outcome: "v.emsReview.outcome.required" });
    expect(issues({ outcome: "MAYBE" })).toEqual({ outcome: "v.emsReview.outcome.required" });
    expect(issues({ outcome: "INAPPROPRIATE", note: "   " })).toEqual({ note: "v.emsReview.note.required" });
    expect(issues({ outcome: "FOLLOW_UP" })).toEqual({ note: "v.emsReview.note.required" });
    expect(issues({ outcome: "APPROPRIATE", note: "x".repeat(1001) })).toEqual({ note: "v.tooLong" });
    expect(issues({ outcome: "APPROPRIATE" })).toEqual({});
    expect(ZCloseReview.safeParse({ grantId: "nope", outcome: "APPROPRIATE" }).success).toBe(false);
  });

  it("is the secretariat's: a facility's admins, even of the user's own facility, are forbidden to close or end", async () => {
    const input = ZCloseReview.parse({ grantId: grants.g1, outcome: "APPROPRIATE" });
    for (const viewer of [adminH, adminK, emsDoctor]) expect(await codeOf(closeEmergencyReview(viewer, input, NOW))).toBe("FORBIDDEN");
    expect(await codeOf(endGrantUnderReview(adminH, grants.g3, NOW))).toBe("FORBIDDEN");
    expect((await db().emergencyGrant.findUniqueOrThrow({ where: { id: grants.g1 } })).reviewedAt).toBeNull();
    expect(await codeOf(closeEmergencyReview(secretariat, ZCloseReview.parse({ grantId: "00000000-0000-4000-8000-000000000000", outcome: "APPROPRIATE" }), NOW))).toBe("NOT_FOUND");
  });

  it("closes once, with the outcome, the note, when and by whom; the queue no longer lists it; a second close is refused", async () => {
    const note = "同意の確認者は記録あり。閲覧件数も妥当だが、理由の記載が簡潔すぎるため施設に記載方法を周知する。";
    expect(await closeEmergencyReview(secretariat, ZCloseReview.parse({ grantId: grants.g1, outcome: "FOLLOW_UP", note }), NOW)).toEqual({ reviewedAt: NOW });
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: grants.g1 } })).toMatchObject({ reviewedAt: NOW, reviewedById: secretariat.userId, reviewOutcome: "FOLLOW_UP", reviewNote: note });
    const g = await getEmergencyReview(secretariat, grants.g1, { now: NOW });
    expect(g.review).toMatchObject({ reviewedAt: NOW, reviewedBy: { id: secretariat.userId }, outcome: "FOLLOW_UP", note, isOverdue: false });
    expect(g.canReview).toBe(false);
    expect((await queue(secretariat)).rows.map((x) => x.id)).toEqual([grants.g0, grants.g2, grants.g3]);
    expect((await queue(secretariat, { state: "reviewed" })).rows.map((x) => [x.id, x.outcome])).toEqual([[grants.g1, "FOLLOW_UP"]]);
    const again = await closeEmergencyReview(secretariat, ZCloseReview.parse({ grantId: grants.g1, outcome: "APPROPRIATE" }), NOW).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "CONFLICT", fieldErrors: { _form: ["v.emsReview.alreadyReviewed"] } });
    expect((await db().emergencyGrant.findUniqueOrThrow({ where: { id: grants.g1 } })).reviewOutcome).toBe("FOLLOW_UP");
  });

  it("waits for a grant in force to end; the secretariat may end it now, and then close", async () => {
    const input = ZCloseReview.parse({ grantId: grants.g3, outcome: "APPROPRIATE" });
    expect(await closeEmergencyReview(secretariat, input, NOW).catch((e: unknown) => e)).toMatchObject({ code: "VALIDATION", fieldErrors: { _form: ["v.emsReview.stillInForce"] } });
    await endGrantUnderReview(secretariat, grants.g3, NOW);
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: grants.g3 } })).toMatchObject({ endedAt: NOW, endedById: secretariat.userId });
    const later = hoursAfter(NOW, 1);
    // its user reads nothing more under it
    await expect(getCalendar(emsDoctor, q.id, { zoom: "day" }, later)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await closeEmergencyReview(secretariat, input, later);
    expect((await getEmergencyReview(secretariat, grants.g3, { now: later })).state).toBe("ENDED_EARLY");
  });
});

describe("a facility's admins", () => {
  it("see their own staff's uses only, every state, newest first, whatever facility they ask for", async () => {
    const list = await queue(adminH);
    expect(list).toMatchObject({ scope: "facility", state: "all", facility: { id: H.id } });
    expect(list.rows.map((x) => [x.id, x.viewer.id])).toEqual([
      [grants.g3, emsDoctor.userId],
      [grants.g1, emsDoctor.userId],
    ]);
    expect((await queue(adminH, { facility: CH.code })).rows.map((x) => x.id)).toEqual([grants.g3, grants.g1]);
    expect((await queue(adminCH)).rows.map((x) => x.id)).toEqual([grants.g2]);
    // the disclosing side's admins: their staff used none
    expect((await queue(adminK)).rows).toEqual([]);
  });

  it("are refused the network's monthly report", async () => {
    expect(await codeOf(getEmergencyMonthReport(adminH, { month: "2026-11" }, NOW))).toBe("NOT_FOUND");
  });
});

describe("the monthly report", () => {
  it("counts November's grants per viewing and per disclosing facility: grounds, reads, patients, reviewed, pending, overdue", async () => {
    const report = await getEmergencyMonthReport(secretariat, { month: "2026-11" }, NOW);
    expect(report.month).toBe("2026-11");
    const line = (l: (typeof report.viewing)[number]) => ({ code: l.facility?.code ?? null, grants: l.grants, byBasis: l.byBasis, reads: l.reads, patients: l.patients, reviewed: l.reviewed, pending: l.pending, overdue: l.overdue, followUp: l.followUp, inappropriate: l.inappropriate });
    // by facility code: the factory's codes are F<n> in creation order, H before CH
    expect(report.viewing.map(line)).toEqual([
      { code: H.code, grants: 2, byBasis: { EMS: 2, CORE_HOSPITAL: 0, DISASTER: 0 }, reads: 2, patients: 2, reviewed: 2, pending: 0, overdue: 0, followUp: 1, inappropriate: 0 },
      { code: CH.code, grants: 1, byBasis: { EMS: 0, CORE_HOSPITAL: 1, DISASTER: 0 }, reads: 1, patients: 1, reviewed: 0, pending: 1, overdue: 0, followUp: 0, inappropriate: 0 },
    ]);
    expect(report.disclosing.map(line)).toEqual([
      { code: K.code, grants: 3, byBasis: { EMS: 2, CORE_HOSPITAL: 1, DISASTER: 0 }, reads: 3, patients: 2, reviewed: 2, pending: 1, overdue: 0, followUp: 1, inappropriate: 0 },
    ]);
    expect(line(report.total)).toEqual({ code: null, grants: 3, byBasis: { EMS: 2, CORE_HOSPITAL: 1, DISASTER: 0 }, reads: 3, patients: 2, reviewed: 2, pending: 1, overdue: 0, followUp: 1, inappropriate: 0 });
    // the disaster grant of 31 October at 23:30 Japan time is October's; after its due date and unreviewed, overdue
    const october = await getEmergencyMonthReport(secretariat, { month: "2026-10" }, NOW);
    expect(october.viewing.map(line)).toEqual([
      { code: D.code, grants: 1, byBasis: { EMS: 0, CORE_HOSPITAL: 0, DISASTER: 1 }, reads: 1, patients: 1, reviewed: 0, pending: 0, overdue: 1, followUp: 0, inappropriate: 0 },
    ]);
    expect((await getEmergencyMonthReport(secretariat, { month: "2026-09" }, NOW)).total.grants).toBe(0);
  });

  it("is logged; as CSV it has a line per facility and side, then the total, every cell quoted", async () => {
    const since = new Date();
    const report = await getEmergencyMonthReport(secretariat, { month: "2026-11" }, NOW, "csv");
    expect(await loggedSince(secretariat, since)).toEqual([{ type: "PATIENT_ADMIN_VIEW", patient: null, detail: "emergency review csv 2026-11" }]);
    const csv = monthReportCsv(report, translator(dictionaries.ja));
    expect(csv.endsWith("\r\n")).toBe(true);
    const records = csvRecords(csv);
    expect(Object.keys(records[0]!)).toEqual(["区分", "施設ID", "施設名", "利用件数", "EMS", "中核病院", "災害", "閲覧件数", "患者数", "確認済み", "未確認（期限内）", "期限超過", "要フォローアップ", "不適切"]);
    expect(records.map((x) => [x["区分"], x["施設ID"], x["施設名"], x["利用件数"], x["期限超過"]])).toEqual([
      ["閲覧", H.code, "救急病院", "2", "0"],
      ["閲覧", CH.code, "中核総合病院", "1", "0"],
      ["開示", K.code, "かかりつけ診療所", "3", "0"],
      ["合計", "", "", "3", "0"],
    ]);
  });
});

describe("the access-log CSV's emergency columns", () => {
  const month = monthOf(new Date());
  const exportRows = async (viewer: TViewer, facilityId: string, direction: "viewing" | "viewed", locale: "ja" | "en" = "ja") => {
    const out = await openAccessLogExport(viewer, ZAccessLogExport.parse({ month, facilityId, direction, encoding: "utf8" }), locale);
    const text = Buffer.from(await new Response(out.body).arrayBuffer()).toString("utf8").replace(/^\uFEFF/, "");
    return csvRecords(text);
  };

  it("names the ground of the grant a row was read under, and the grant; an EMS lookup is EMS without a grant; ordinary rows neither", async () => {
    await lookUpEmergency({ ...emsDoctor, requestId: "er-lookup" }, { facilityId: K.id, facilityPatientId: "K-100" });
    await searchPatients({ ...emsDoctor, requestId: "er-search" }, { name: "キュウキュウ" });
    const rows = await exportRows(secretariat, H.id, "viewing");
    expect(Object.keys(rows[0]!).slice(-2)).toEqual(["Emergency", "EmergencyGrantID"]);
    // (the doctor's refusals along the way, e.g. the review queue, are ordinary rows)
    const marks = rows.filter((x) => x.AccessPersonName === "救急 医師" && x.AccessType !== "拒否").map((x) => [x.AccessType, x.Emergency, x.EmergencyGrantID]);
    expect(marks).toEqual([
      ["救急時閲覧の開始", "EMS", grants.g1],
      ["カレンダー表示", "EMS", grants.g1],
      ["コンテンツ参照", "EMS", grants.g1],
      ["救急時閲覧の開始", "EMS", grants.g3],
      ["EMS 患者確認", "EMS", null],
      ["地域患者一覧", null, null],
    ]);
    const core = await exportRows(secretariat, CH.id, "viewing");
    expect(core.filter((x) => x.AccessPersonName === "中核 医師").map((x) => [x.Emergency, x.EmergencyGrantID])).toEqual([
      ["中核病院", grants.g2],
      ["中核病院", grants.g2],
    ]);
    const disaster = await exportRows(secretariat, D.id, "viewing", "en");
    expect(disaster.map((x) => [x.AccessType, x.Emergency, x.EmergencyGrantID])).toEqual([
      ["Emergency access opened", "Disaster", grants.g0],
      ["Calendar", "Disaster", grants.g0],
    ]);
  });

  it("shows the disclosing facility which of its patients' reads were emergency, and under which grant", async () => {
    const rows = await exportRows(adminK, K.id, "viewed");
    const byGrant = new Map<string | null, Set<string | null>>();
    for (const x of rows) byGrant.set(x.EmergencyGrantID ?? null, (byGrant.get(x.EmergencyGrantID ?? null) ?? new Set()).add(x.Emergency ?? null));
    expect(Object.fromEntries([...byGrant].map(([k, v]) => [k ?? "none", [...v]]))).toEqual({
      [grants.g0]: ["災害"],
      [grants.g1]: ["EMS"],
      [grants.g2]: ["中核病院"],
      [grants.g3]: ["EMS"],
      none: ["EMS"],
    });
  });
});
