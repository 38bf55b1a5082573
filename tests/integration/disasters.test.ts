/**
 * Disaster declarations (issue 16, the Noto rule), on real PostgreSQL: the secretariat declares,
 * extends and closes (others are refused, bad input gets its field message); while a declaration
 * is in force, an EMS-privileged user of a clinic with no EMS permission opens an evacuee from
 * the area through the gateway's emergency branch, on the DISASTER ground with the declaration's
 * id; the notice is skipped and consent after the fact allowed only as the declaration says; a
 * patient outside the area, or withdrawn, is refused; every read is logged emergency with the
 * grant; after the declaration is closed or over, nothing is read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { lookUpEmergency } from "@/lib/access/emergency";
import { disastersCovering } from "@/lib/access/oracle";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage } from "@/lib/clinical/mutations";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { getCalendar, getContent } from "@/lib/clinical/queries";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { db } from "@/lib/db/client";
import { closeDisaster, declareDisaster, extendDisaster } from "@/lib/ems/disasters/mutations";
import { listActiveDisasters, listDisasterFacilityOptions, listDisasters } from "@/lib/ems/disasters/queries";
import { ZCloseDisaster, ZDeclareDisaster, ZExtendDisaster } from "@/lib/ems/disasters/schema";
import { openEmergencyGrant } from "@/lib/ems/mutations";
import { findActiveGrant, findEndedGrant } from "@/lib/ems/queries";
import { ZOpenGrant } from "@/lib/ems/schema";
import { AppError, fieldErrorsOf } from "@/lib/errors";
import { registerPatient } from "@/lib/patients/mutations";
import { ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

const NOW = new Date();
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const daysAgo = (n: number) => at(-n * DAY);
/** datetime-local in Japan time, as the form sends it */
const local = (d: Date) => new Date(d.getTime() + 9 * HOUR).toISOString().slice(0, 16);

let H: string; // the hospital that discloses (no EMS permission, not a core hospital)
let K: string; // the clinic the evacuee turns up at (no EMS permission)
let K2: string; // another clinic
let secretariat: TViewer;
let clinicEms: TViewer;
let clinic2Ems: TViewer;
let clinicPlain: TViewer;
let liaison: TViewer;
const patients: Record<"evacuee" | "suzu" | "local" | "withdrawn" | "spaced" | "noto", string> = { evacuee: "", suzu: "", local: "", withdrawn: "", spaced: "", noto: "" };
const HOSPITAL_IDS = { evacuee: "H-001", suzu: "H-002", local: "H-003", withdrawn: "H-004", spaced: "H-005", noto: "H-006" } as const;

const draft = (o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey" | "facilityPatientId">): TContentDraft => ({
  occurredAt: daysAgo(10),
  title: o.category,
  payload: { items: [{ code: "D1", name: "災害時検査", value: "1.0", unit: "mg/dL" }] },
  sourceVersion: "1",
  isDeleted: false,
  ...o,
});

async function register(key: keyof typeof patients, nameKanji: string, nameKana: string, address: string) {
  const { id } = await registerPatient(
    liaison,
    ZRegisterPatient.parse({
      patient: { nameKanji, nameKana, sex: "FEMALE", birthDate: "1950/05/05", postalCode: "", address, phone: "" },
      links: [{ facilityId: H, facilityPatientId: HOSPITAL_IDS[key] }],
      consent: null,
      confirmDuplicate: "on",
    }),
  );
  patients[key] = id;
}

const declareForm = (o: Record<string, unknown> = {}) => ({
  name: "令和8年奥能登地震",
  areas: "石川県輪島市",
  viewerScope: "ALL",
  endsAt: local(at(7 * DAY)),
  skipNotice: "on",
  consentAfterFact: "on",
  ...o,
});
const declare = (o: Record<string, unknown> = {}, now = NOW) => declareDisaster(secretariat, ZDeclareDisaster.parse(declareForm(o)), now);

const grantForm = (key: keyof typeof HOSPITAL_IDS, o: Record<string, unknown> = {}) =>
  ZOpenGrant.parse({
    facilityId: H,
    facilityPatientId: HOSPITAL_IDS[key],
    reason: "DISASTER",
    reasonText: "避難所から受診、常用薬の確認",
    consent: "AFTER_THE_FACT",
    consentConfirmedBy: "診療所 医師",
    acknowledged: "on",
    ...o,
  });

const contentId = async (sourceKey: string) => (await db().clinicalContent.findFirstOrThrow({ where: { sourceKey }, select: { id: true } })).id;

/** What a failed call threw: its code, message and field messages. */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string[]> }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, "expected a refusal").toBeInstanceOf(AppError);
  const a = e as AppError;
  return { code: a.code, message: a.message, fields: a.fieldErrors };
}

beforeAll(async () => {
  const office = (await createFacility({ type: "SECRETARIAT", nameKanji: "事務局", isDisclosing: false })).id;
  H = (await createFacility({ nameKanji: "奥能登総合病院", address: "石川県輪島市山岸町" })).id;
  K = (await createFacility({ type: "CLINIC", nameKanji: "避難先診療所", isDisclosing: false })).id;
  K2 = (await createFacility({ type: "CLINIC", nameKanji: "別の診療所", isDisclosing: false })).id;
  secretariat = await viewerFor((await createStaff({ facilityId: office, roles: ["SECRETARIAT"], qualification: "CLERK" })).user);
  clinicEms = await viewerFor((await createStaff({ facilityId: K, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  clinic2Ems = await viewerFor((await createStaff({ facilityId: K2, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  clinicPlain = await viewerFor((await createStaff({ facilityId: K, roles: ["CLINICIAN", "FACILITY_ADMIN"] })).user);
  liaison = await viewerFor((await createStaff({ facilityId: H, roles: ["LIAISON"] })).user);
  await register("evacuee", "輪島 避難子", "ワジマ ヒナンコ", "石川県輪島市河井町1-1");
  await register("suzu", "珠洲 避難子", "スズ ヒナンコ", "石川県珠洲市飯田町2-2");
  await register("local", "金沢 住子", "カナザワ スミコ", "石川県金沢市広坂1-1");
  await register("withdrawn", "輪島 停止子", "ワジマ テイシコ", "石川県輪島市河井町3-3");
  // typed with spaces, full-width and ASCII, between the prefecture and the city
  await register("spaced", "輪島 空白子", "ワジマ クウハクコ", "石川県　輪島市 鳳至町4-4");
  await register("noto", "能登 短期子", "ノト タンキコ", "石川県鳳珠郡能登町宇出津5-5");
  await recordConsent(
    liaison,
    patients.withdrawn,
    ZConsentInput.parse({ action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF", facilityIds: [] }),
  );
  await recordConsent(
    liaison,
    patients.withdrawn,
    ZConsentInput.parse({ action: "WITHDRAW", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/10/01", signer: "SELF", reason: "本人の申し出（患者情報利用停止届出書）" }),
  );
  await importParsedMessage(H, {
    kind: "SSMIX2",
    dataType: "OMP-01",
    patient: null,
    contents: [
      draft({ facilityPatientId: HOSPITAL_IDS.evacuee, category: "PRESCRIPTION_ORDER", sourceKey: "D-RX-NEW", occurredAt: daysAgo(20) }),
      draft({ facilityPatientId: HOSPITAL_IDS.evacuee, category: "LAB", sourceKey: "D-LAB-NEW", occurredAt: daysAgo(30) }),
      draft({ facilityPatientId: HOSPITAL_IDS.evacuee, category: "PRESCRIPTION_ORDER", sourceKey: "D-RX-OLD", occurredAt: daysAgo(300) }),
      draft({ facilityPatientId: HOSPITAL_IDS.suzu, category: "PRESCRIPTION_ORDER", sourceKey: "D-SUZU-RX", occurredAt: daysAgo(15) }),
      draft({ facilityPatientId: HOSPITAL_IDS.withdrawn, category: "PRESCRIPTION_ORDER", sourceKey: "D-WD-RX", occurredAt: daysAgo(15) }),
      draft({ facilityPatientId: HOSPITAL_IDS.noto, category: "PRESCRIPTION_ORDER", sourceKey: "D-NOTO-RX", occurredAt: daysAgo(15) }),
    ],
  });
});

describe("declaring a disaster", () => {
  it("is the secretariat's: anyone else is refused FORBIDDEN, and nothing is written", async () => {
    const input = ZDeclareDisaster.parse(declareForm());
    for (const v of [clinicEms, clinicPlain, liaison]) {
      expect((await failure(declareDisaster(v, input, NOW))).code).toBe("FORBIDDEN");
      expect((await failure(listDisasters(v, NOW))).code).toBe("FORBIDDEN");
      expect((await failure(listDisasterFacilityOptions(v))).code).toBe("FORBIDDEN");
    }
    expect(await db().disasterDeclaration.count()).toBe(0);
  });

  it("gives each field its message: name, areas (typed one per line or by commas, width-folded), facilities, period", () => {
    const ok = ZDeclareDisaster.parse(declareForm({ areas: "石川県輪島市\n珠洲市、 鳳珠郡穴水町 ,ｎｏｔｏ町,,\n珠洲市" }));
    expect(ok.areas).toEqual(["石川県輪島市", "珠洲市", "鳳珠郡穴水町", "noto町"]);
    expect(ok).toMatchObject({ viewerFacilityIds: [], startsAt: null, skipNotice: true, consentAfterFact: true, overridesWithdrawal: false });
    const bad = ZDeclareDisaster.safeParse({ name: " ", areas: `市\n${"長".repeat(50)}市`, viewerScope: "CHOSEN", startsAt: local(at(2 * DAY)), endsAt: local(at(DAY)) });
    expect(bad.success).toBe(false);
    const errors = fieldErrorsOf(bad.error!);
    expect(errors.name).toEqual(["v.disaster.name.required"]);
    expect(errors.areas).toEqual(['v.disaster.areas.notPlace|{"area":"市"}', `v.disaster.areas.tooLong|{"area":"${"長".repeat(20)}","max":50}`]);
    expect(errors.viewerFacilityIds).toEqual(["v.disaster.viewerFacilityIds.required"]);
    expect(errors.endsAt).toEqual(["v.disaster.endsAt.afterStart"]);
    const empty = fieldErrorsOf(ZDeclareDisaster.safeParse({}).error!);
    expect(empty).toMatchObject({ areas: ["v.disaster.areas.required"], viewerScope: ["v.disaster.viewerScope.required"], endsAt: ["v.disaster.endsAt.required"] });
    const format = fieldErrorsOf(ZDeclareDisaster.safeParse(declareForm({ startsAt: "2026-02-31T10:00", endsAt: "明日", viewerScope: "CHOSEN", viewerFacilityIds: ["x"] })).error!);
    expect(format).toEqual({ startsAt: ["v.disaster.startsAt.format"], endsAt: ["v.disaster.endsAt.format"], viewerFacilityIds: ["v.disaster.viewerFacilityIds.unknown"] });
    expect(fieldErrorsOf(ZExtendDisaster.safeParse({ id: "nope", endsAt: "" }).error!)).toEqual({ id: ["v.disaster.id.required"], endsAt: ["v.disaster.endsAt.required"] });
  });

  it("refuses a period that is over, starts in the past or runs past a year, and facilities that are not active viewing ones", async () => {
    expect((await failure(declare({ endsAt: local(at(-HOUR)), startsAt: local(at(-2 * HOUR)) }))).fields).toEqual({ startsAt: ["v.disaster.startsAt.past"] });
    expect((await failure(declare({ endsAt: local(at(-HOUR)) }))).fields).toEqual({ endsAt: ["v.disaster.endsAt.past"] });
    expect((await failure(declare({ endsAt: local(at(400 * DAY)) }))).fields).toEqual({ endsAt: ['v.disaster.endsAt.tooFar|{"days":366}'] });
    const gone = (await createFacility({ type: "CLINIC", isActive: false })).id;
    expect((await failure(declare({ viewerScope: "CHOSEN", viewerFacilityIds: [K, gone] }))).fields).toEqual({ viewerFacilityIds: ["v.disaster.viewerFacilityIds.unknown"] });
    expect(await db().disasterDeclaration.count()).toBe(0);
  });
});

describe("under a declaration in force", () => {
  let noto: string;
  let grantId: string;

  it("before it, the clinic may not use EMS at all", async () => {
    expect((await failure(lookUpEmergency(clinicEms, { facilityId: H, facilityPatientId: HOSPITAL_IDS.evacuee }, { now: NOW }))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
  });

  it("the banner shows it to everyone, and the clinic's EMS user opens an evacuee from the area on the DISASTER ground", async () => {
    noto = (await declare({ note: "二次避難者の受診に備えて" })).id;
    for (const v of [clinicPlain, liaison, clinic2Ems]) {
      expect(await listActiveDisasters(v, at(1000))).toEqual([
        { id: noto, name: "令和8年奥能登地震", areas: ["石川県輪島市"], until: expect.any(Date), allFacilities: true, coversViewer: true, skipNotice: true, consentAfterFact: true },
      ]);
    }
    const c = await lookUpEmergency(clinicEms, { facilityId: H, facilityPatientId: HOSPITAL_IDS.evacuee }, { now: at(1000) });
    expect(c).toMatchObject({ patientId: patients.evacuee, basis: "DISASTER", disaster: { id: noto, skipNotice: true, consentAfterFact: true, overridesWithdrawal: false } });

    const g = await openEmergencyGrant(clinicEms, grantForm("evacuee"), at(2000));
    grantId = g.grantId;
    expect(g.noticeSent).toBe(false);
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: grantId } })).toMatchObject({ basis: "DISASTER", disasterId: noto, consent: "AFTER_THE_FACT", noticeMessageId: null });
    // the declaration skips the notice: the hospital's desk gets none
    expect(await db().secureMessage.count({ where: { systemKind: "EMS_NOTICE", patientId: patients.evacuee } })).toBe(0);
    expect(await db().accessLog.findFirstOrThrow({ where: { userId: clinicEms.userId, accessType: "EMERGENCY_GRANT" } })).toMatchObject({
      patientId: patients.evacuee,
      emergencyGrantId: grantId,
    });
    expect(await findActiveGrant(clinicEms, patients.evacuee, at(3000))).toMatchObject({ id: grantId, basis: "DISASTER", disasterName: "令和8年奥能登地震" });
  });

  it("reads the recent records under the grant, each logged emergency with the grant's id; nothing older than the window", async () => {
    const reader = { ...clinicEms, requestId: "disaster-read" };
    await expect(getContent(reader, await contentId("D-RX-NEW"), { now: at(4000) })).resolves.toBeTruthy();
    await expect(getContent(reader, await contentId("D-LAB-NEW"), { now: at(4000) })).resolves.toBeTruthy();
    await expect(getCalendar(reader, patients.evacuee, { zoom: "day" }, at(4000))).resolves.toBeTruthy();
    const rows = await db().accessLog.findMany({ where: { requestId: "disaster-read" } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(r).toMatchObject({ isEmergency: true, emergencyGrantId: grantId, patientId: patients.evacuee });
    await expect(getContent(clinicEms, await contentId("D-RX-OLD"), { now: at(4000) })).rejects.toThrow(AppError);
  });

  it("matches the area in an address typed with spaces, as the oracle does", async () => {
    const c = await lookUpEmergency(clinicEms, { facilityId: H, facilityPatientId: HOSPITAL_IDS.spaced }, { now: at(4500) });
    expect(c).toMatchObject({ patientId: patients.spaced, basis: "DISASTER", disaster: { id: noto } });
    const d = { id: noto, areas: ["石川県輪島市"], viewerFacilityIds: [], startsAt: NOW, endsAt: at(7 * DAY), closedAt: null, overridesWithdrawal: false };
    expect(disastersCovering([d], K, "石川県　輪島市 鳳至町4-4", at(4500)).map((x) => x.id)).toEqual([noto]);
    expect(disastersCovering([d], K, "石川県金沢市広坂1-1", at(4500))).toEqual([]);
  });

  it("refuses a patient outside the area, and another clinic's user for a patient the grant was not opened for", async () => {
    expect((await failure(lookUpEmergency(clinicEms, { facilityId: H, facilityPatientId: HOSPITAL_IDS.local }, { now: at(5000) }))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
    await expect(getContent(clinic2Ems, await contentId("D-RX-NEW"), { now: at(5000) })).rejects.toThrow(AppError);
  });

  it("refuses a patient who withdrew from sharing, unless a declaration overrides the withdrawal", async () => {
    const target = { facilityId: H, facilityPatientId: HOSPITAL_IDS.withdrawn };
    expect((await failure(lookUpEmergency(clinicEms, target, { now: at(6000) }))).message).toBe("ems.refused.WITHDRAWN");
    const override = (await declare({ name: "輪島市 利用停止者を含む", overridesWithdrawal: "on" }, at(6000))).id;
    expect(await lookUpEmergency(clinicEms, target, { now: at(7000) })).toMatchObject({ basis: "DISASTER", withdrawn: true, disaster: { id: override, overridesWithdrawal: true } });
    const g = await openEmergencyGrant(clinicEms, grantForm("withdrawn"), at(8000));
    await expect(getContent(clinicEms, await contentId("D-WD-RX"), { now: at(9000) })).resolves.toBeTruthy();
    await closeDisaster(secretariat, ZCloseDisaster.parse({ id: override }), at(10_000));
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: g.grantId } })).toMatchObject({ endedAt: at(10_000), endedById: secretariat.userId });
    await expect(getContent(clinicEms, await contentId("D-WD-RX"), { now: at(11_000) })).rejects.toThrow(AppError);
    expect((await failure(lookUpEmergency(clinicEms, target, { now: at(11_000) }))).message).toBe("ems.refused.WITHDRAWN");
  });

  it("allows consent after the fact and skips the notice only as the declaration says; one naming facilities covers those alone", async () => {
    const suzu = (
      await declare(
        { name: "珠洲市 限定", areas: "珠洲市", viewerScope: "CHOSEN", viewerFacilityIds: [K], skipNotice: "", consentAfterFact: "", endsAt: local(at(2 * HOUR + 60_000)) },
        at(12_000),
      )
    ).id;
    const target = { facilityId: H, facilityPatientId: HOSPITAL_IDS.suzu };
    expect(await lookUpEmergency(clinicEms, target, { now: at(13_000) })).toMatchObject({ basis: "DISASTER", disaster: { id: suzu, skipNotice: false, consentAfterFact: false } });
    expect((await failure(lookUpEmergency(clinic2Ems, target, { now: at(13_000) }))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
    expect((await listActiveDisasters(clinic2Ems, at(13_000))).find((d) => d.id === suzu)).toMatchObject({ allFacilities: false, coversViewer: false });
    expect((await failure(openEmergencyGrant(clinicEms, grantForm("suzu"), at(14_000)))).fields).toEqual({ consent: ["v.ems.consent.notForBasis"] });
    expect(await db().emergencyGrant.count({ where: { disasterId: suzu } })).toBe(0);
    const g = await openEmergencyGrant(clinicEms, grantForm("suzu", { consent: "ORAL_PATIENT", consentConfirmedBy: "診療所 医師" }), at(15_000));
    expect(g.noticeSent).toBe(true);
    expect(await db().secureMessage.count({ where: { systemKind: "EMS_NOTICE", patientId: patients.suzu } })).toBe(1);
    await expect(getContent(clinicEms, await contentId("D-SUZU-RX"), { now: at(16_000) })).resolves.toBeTruthy();

    // extended, the grant reads on past the first end; at the new end it stops by itself, though the grant's 24 hours are not over
    const ends = (await db().disasterDeclaration.findUniqueOrThrow({ where: { id: suzu } })).endsAt;
    await extendDisaster(secretariat, ZExtendDisaster.parse({ id: suzu, endsAt: local(new Date(ends.getTime() + 2 * HOUR)), note: "避難の長期化" }), at(17_000));
    const extended = (await db().disasterDeclaration.findUniqueOrThrow({ where: { id: suzu } })).endsAt;
    expect(extended.getTime() - ends.getTime()).toBe(2 * HOUR);
    await expect(getContent(clinicEms, await contentId("D-SUZU-RX"), { now: new Date(ends.getTime() + HOUR) })).resolves.toBeTruthy();
    expect(await findActiveGrant(clinicEms, patients.suzu, new Date(extended.getTime() - 1000))).toMatchObject({ id: g.grantId, endsAt: extended });
    // the banner goes with the declaration, and the refused page says the grant ended then
    expect(await findActiveGrant(clinicEms, patients.suzu, extended)).toBeNull();
    expect(await findEndedGrant(clinicEms, patients.suzu, extended)).toMatchObject({ endedAt: extended });
    await expect(getContent(clinicEms, await contentId("D-SUZU-RX"), { now: extended })).rejects.toThrow(AppError);
    expect((await listActiveDisasters(clinicEms, new Date(extended.getTime() - 1000))).map((d) => d.id)).toContain(suzu);
    expect((await listActiveDisasters(clinicEms, extended)).map((d) => d.id)).not.toContain(suzu);
    expect((await failure(lookUpEmergency(clinicEms, target, { now: extended }))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
  });

  it("extends to a later end only, with its history; after closing, the evacuee's records and a new #EMS are refused", async () => {
    const before = await db().disasterDeclaration.findUniqueOrThrow({ where: { id: noto } });
    const earlier = ZExtendDisaster.parse({ id: noto, endsAt: local(new Date(before.endsAt.getTime() - HOUR)) });
    expect((await failure(extendDisaster(secretariat, earlier, at(20_000)))).fields).toEqual({ endsAt: ["v.disaster.endsAt.notLater"] });
    expect((await failure(extendDisaster(clinicPlain, earlier, at(20_000)))).code).toBe("FORBIDDEN");
    expect((await failure(extendDisaster(secretariat, { ...earlier, id: "6a2f8a3e-0000-4000-8000-000000000000" }, at(20_000)))).code).toBe("NOT_FOUND");
    const later = new Date(before.endsAt.getTime() + 3 * DAY);
    await extendDisaster(secretariat, ZExtendDisaster.parse({ id: noto, endsAt: local(later), note: "余震が続くため" }), at(20_000));
    expect(await db().disasterDeclaration.findUniqueOrThrow({ where: { id: noto } })).toMatchObject({ endsAt: later, updatedById: secretariat.userId, closedAt: null });

    expect((await failure(closeDisaster(clinicPlain, ZCloseDisaster.parse({ id: noto }), at(21_000)))).code).toBe("FORBIDDEN");
    await expect(getContent(clinicEms, await contentId("D-RX-NEW"), { now: at(21_000) })).resolves.toBeTruthy();
    expect(await closeDisaster(secretariat, ZCloseDisaster.parse({ id: noto, note: "二次避難の完了" }), at(22_000))).toEqual({ endedGrants: 1 });
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: grantId } })).toMatchObject({ endedAt: at(22_000), endedById: secretariat.userId });
    await expect(getContent(clinicEms, await contentId("D-RX-NEW"), { now: at(23_000) })).rejects.toThrow(AppError);
    await expect(getCalendar(clinicEms, patients.evacuee, { zoom: "day" }, at(23_000))).rejects.toThrow(AppError);
    expect((await failure(lookUpEmergency(clinicEms, { facilityId: H, facilityPatientId: HOSPITAL_IDS.evacuee }, { now: at(23_000) }))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
    // a grant opened anew is refused too (its DENIED row is written)
    expect((await failure(openEmergencyGrant(clinicEms, grantForm("evacuee"), at(24_000)))).message).toBe("ems.refused.FACILITY_NOT_ALLOWED");
    expect(await db().accessLog.count({ where: { userId: clinicEms.userId, accessType: "DENIED", detail: { startsWith: "EMS grant " } } })).toBeGreaterThanOrEqual(1);

    // over: it can be neither extended nor closed again
    expect((await failure(extendDisaster(secretariat, ZExtendDisaster.parse({ id: noto, endsAt: local(at(30 * DAY)) }), at(25_000)))).fields).toEqual({ endsAt: ["v.disaster.extend.ended"] });
    expect((await failure(closeDisaster(secretariat, ZCloseDisaster.parse({ id: noto }), at(25_000)))).fields).toEqual({ _form: ["v.disaster.close.ended"] });

    const lists = await listDisasters(secretariat, at(25_000));
    const row = lists.ended.find((d) => d.id === noto)!;
    expect(row).toMatchObject({ status: "ENDED", closedAt: at(22_000), grantCount: 1, allFacilities: true, note: "二次避難者の受診に備えて", declaredBy: { loginId: secretariat.loginId } });
    expect(row.events.map((e) => [e.kind, e.note])).toEqual([
      ["DECLARED", "二次避難者の受診に備えて"],
      ["EXTENDED", "余震が続くため"],
      ["CLOSED", "二次避難の完了"],
    ]);
    expect(row.events[1]).toMatchObject({ previousEndsAt: before.endsAt, endsAt: later });
    expect(lists.active.map((d) => d.id)).toContain((await db().disasterDeclaration.findFirstOrThrow({ where: { name: "珠洲市 限定" } })).id);
    expect((await listActiveDisasters(clinicEms, at(25_000))).map((d) => d.id)).not.toContain(noto);
  });

  it("a declaration to come is listed as such, in force from its start, and closing it first means it never starts", async () => {
    const start = at(2 * DAY);
    const id = (await declare({ name: "予定の宣言", areas: "石川県", startsAt: local(start), endsAt: local(at(3 * DAY)) }, at(26_000))).id;
    expect((await listDisasters(secretariat, at(26_000))).scheduled.map((d) => d.id)).toEqual([id]);
    expect((await listActiveDisasters(clinicEms, at(26_000))).map((d) => d.id)).not.toContain(id);
    expect((await listActiveDisasters(clinicEms, new Date(Math.ceil(start.getTime() / 60_000) * 60_000 + 1000))).map((d) => d.id)).toContain(id);
    await closeDisaster(secretariat, ZCloseDisaster.parse({ id }), at(27_000));
    expect((await listActiveDisasters(clinicEms, at(2 * DAY + HOUR))).map((d) => d.id)).not.toContain(id);
    expect((await listDisasters(secretariat, at(28_000))).ended.find((d) => d.id === id)?.status).toBe("ENDED");
  });

  it("a declaration that runs out by itself ends the grants opened under it: the banner goes, the page says it ended, the records are refused", async () => {
    const short = (await declare({ name: "能登町 短期", areas: "石川県鳳珠郡能登町", endsAt: local(at(2 * HOUR)) }, at(30_000))).id;
    const g = await openEmergencyGrant(clinicEms, grantForm("noto"), at(40_000));
    expect(await findActiveGrant(clinicEms, patients.noto, at(50_000))).toMatchObject({ id: g.grantId, basis: "DISASTER", disasterName: "能登町 短期" });
    await expect(getContent(clinicEms, await contentId("D-NOTO-RX"), { now: at(50_000) })).resolves.toBeTruthy();
    // the grant's own 24 hours run on, but the declaration is over
    const after = at(3 * HOUR);
    expect(await findActiveGrant(clinicEms, patients.noto, after)).toBeNull();
    const ended = await findEndedGrant(clinicEms, patients.noto, after);
    expect(ended?.endedAt.getTime()).toBe((await db().disasterDeclaration.findUniqueOrThrow({ where: { id: short } })).endsAt.getTime());
    await expect(getContent(clinicEms, await contentId("D-NOTO-RX"), { now: after })).rejects.toThrow(AppError);
  });
});
