/**
 * The ways into an emergency grant refused, reason by reason, on real PostgreSQL:
 * `<施設患者ID>#EMS` (lookUpEmergency) and the grant itself (openEmergencyGrant) each answer with
 * the reason's message (`ems.refused.<REASON>`, also on the form), after one DENIED row naming the
 * reason (and the patient, when one was found) is committed, and open nothing. A consent mode the
 * ground does not take is a form error that leaves no grant and no notice; the notice to the
 * disclosing facility's desk is written in the grant's transaction, so a failure after it leaves
 * no notice either.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { StaffRole } from "@/generated/prisma/enums";
import { lookUpEmergency, type TEmergencyRefusal, type TEmergencyTarget } from "@/lib/access/emergency";
import type { TViewer } from "@/lib/auth/viewer-type";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { openEmergencyGrant } from "@/lib/ems/mutations";
import { ZOpenGrant } from "@/lib/ems/schema";
import { registerPatient, setPublication, unlinkFacilityPatient } from "@/lib/patients/mutations";
import { ZPublication, ZRegisterPatient, ZUnlink } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

let E: string; // a hospital allowed EMS
let H: string; // a core hospital
let N: string; // neither
let K: string; // the disclosing clinic named with #EMS
let OFF: string; // a disclosing clinic no longer active
let VIEW: string; // a facility that views but does not disclose
let registrar: TViewer;
let emsDoctor: TViewer;
let coreDoctor: TViewer;
let neitherDoctor: TViewer;
const patient: Record<string, string> = {};

const NOW = new Date();
const FORM = { method: "WRITTEN", signer: "SELF" };

async function register(key: string, links: Record<string, string>, opts: { address?: string; consent?: boolean; shareClinical?: boolean } = {}) {
  const p = await registerPatient(
    registrar,
    ZRegisterPatient.parse({
      patient: { nameKanji: `拒否 ${key}`, nameKana: "キョヒ タロウ", sex: "MALE", birthDate: "1950/03/03", address: opts.address ?? "長野県飯田市本町1-1" },
      links: Object.entries(links).map(([facilityId, facilityPatientId]) => ({ facilityId, facilityPatientId })),
      consent: opts.consent === false ? null : { ...FORM, action: "GRANT", scope: "COMPREHENSIVE", consentDate: "2025/01/10" },
      confirmDuplicate: "on",
    }),
  );
  for (const l of await db().facilityPatientLink.findMany({ where: { patientId: p.id }, select: { id: true } })) {
    await setPublication(registrar, ZPublication.parse({ linkId: l.id, publicationState: "PUBLISHED", shareBasic: "on", ...(opts.shareClinical === false ? {} : { shareClinical: "on" }) }));
  }
  patient[key] = p.id;
  return p.id;
}

const form = (target: TEmergencyTarget, o: Record<string, unknown> = {}) =>
  ZOpenGrant.parse({ ...target, reason: "EMERGENCY_TRANSPORT", reasonText: "救急搬送", consent: "ORAL_FAMILY", consentConfirmedBy: "家族", acknowledged: "on", ...o });

let requests = 0;
const asRequest = (v: TViewer) => ({ ...v, requestId: `refusal-${++requests}` });
const rowsOf = (requestId: string) =>
  db().accessLog.findMany({ where: { requestId }, select: { accessType: true, patientId: true, isEmergency: true, emergencyGrantId: true, detail: true }, orderBy: { chainSeq: "asc" } });
const counts = async () => ({ grants: await db().emergencyGrant.count(), notices: await db().secureMessage.count({ where: { systemKind: "EMS_NOTICE" } }) });

/**
 * The lookup and the grant both refuse with the reason: its message (on the form too), one
 * committed DENIED row each naming the reason (and the patient found, if any), no grant, no notice.
 */
async function expectRefused(viewer: TViewer, target: TEmergencyTarget, reason: TEmergencyRefusal, patientId: string | null) {
  const before = await counts();
  const code = reason === "NOT_PRIVILEGED" ? "FORBIDDEN" : "NOT_FOUND";
  const lookup = asRequest(viewer);
  const e1 = await lookUpEmergency(lookup, target, { now: NOW }).catch((e: unknown) => e);
  expect(e1, reason).toBeInstanceOf(AppError);
  expect(e1, reason).toMatchObject({ code, message: `ems.refused.${reason}`, fieldErrors: { _form: [`ems.refused.${reason}`] } });
  const rows = await rowsOf(lookup.requestId);
  expect(rows, reason).toEqual([{ accessType: "DENIED", patientId, isEmergency: false, emergencyGrantId: null, detail: expect.stringMatching(new RegExp(`^EMS \\S+#EMS ${reason}$`)) }]);
  if (/^[0-9a-f-]{36}$/.test(target.facilityId)) {
    const grant = asRequest(viewer);
    const e2 = await openEmergencyGrant(grant, form(target), NOW).catch((e: unknown) => e);
    expect(e2, reason).toMatchObject({ code, message: `ems.refused.${reason}` });
    expect(await rowsOf(grant.requestId), reason).toEqual([{ accessType: "DENIED", patientId, isEmergency: false, emergencyGrantId: null, detail: expect.stringMatching(new RegExp(`^EMS grant \\S+#EMS ${reason}$`)) }]);
  }
  expect(await counts(), reason).toEqual(before);
}

beforeAll(async () => {
  E = (await createFacility({ nameKanji: "救急病院", emsAllowed: true })).id;
  H = (await createFacility({ nameKanji: "中核病院", isCoreHospital: true })).id;
  N = (await createFacility({ type: "CLINIC", nameKanji: "一般診療所" })).id;
  K = (await createFacility({ type: "CLINIC", nameKanji: "かかりつけ医" })).id;
  OFF = (await createFacility({ type: "CLINIC", nameKanji: "閉院した診療所" })).id;
  VIEW = (await createFacility({ type: "PHARMACY", nameKanji: "閲覧のみの薬局", isDisclosing: false })).id;
  const S = (await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "事務局" })).id;
  registrar = await viewerFor((await createStaff({ facilityId: S, roles: ["SECRETARIAT"] })).user);
  await createStaff({ facilityId: K, roles: ["LIAISON"] }); // K's desk, who receives the notices
  const staff = async (facilityId: string, roles: StaffRole[], hasEmsPrivilege: boolean) => viewerFor((await createStaff({ facilityId, roles, hasEmsPrivilege })).user);
  emsDoctor = await staff(E, ["CLINICIAN"], true);
  coreDoctor = await staff(H, ["CLINICIAN"], true);
  neitherDoctor = await staff(N, ["CLINICIAN"], true);

  await register("shared", { [K]: "K-1", [OFF]: "O-1", [VIEW]: "V-1" });
  await register("withdrawn", { [K]: "K-W" });
  await recordConsent(registrar, patient.withdrawn!, ZConsentInput.parse({ ...FORM, action: "WITHDRAW", scope: "COMPREHENSIVE", consentDate: "2025/06/01", reason: "本人の申し出" }));
  await register("basic only", { [K]: "K-B" }, { shareClinical: false });
  await register("no consent", { [K]: "K-N" }, { consent: false });
  await register("unlinked", { [K]: "K-U" });
  const u = await db().facilityPatientLink.findFirstOrThrow({ where: { patientId: patient.unlinked!, facilityId: K }, select: { id: true } });
  await unlinkFacilityPatient(registrar, ZUnlink.parse({ linkId: u.id, reason: "誤登録" }));
  await db().facility.update({ where: { id: OFF }, data: { isActive: false } });
  // two declarations: one strict (consent before, the notice sent), one lenient (consent after the fact, no notice)
  await register("strict area", { [K]: "K-S" }, { address: "長野県厳格村1-1", consent: false });
  await register("lenient area", { [K]: "K-L" }, { address: "長野県寛容村1-1", consent: false });
  for (const [area, lenient] of [["厳格村", false], ["寛容村", true]] as const) {
    await db().disasterDeclaration.create({
      data: {
        name: `${area}の災害`,
        areas: [area],
        viewerFacilityIds: [N],
        startsAt: new Date(NOW.getTime() - 86_400_000),
        endsAt: new Date(NOW.getTime() + 7 * 86_400_000),
        skipNotice: lenient,
        consentAfterFact: lenient,
        declaredById: registrar.userId,
      },
    });
  }
});

describe("each refusal: its reason, one DENIED row, nothing opened", () => {
  it("NOT_PRIVILEGED: no EMS privilege, or no role that reads records", async () => {
    await expectRefused(await viewerFor((await createStaff({ facilityId: E, roles: ["CLINICIAN"] })).user), { facilityId: K, facilityPatientId: "K-1" }, "NOT_PRIVILEGED", null);
    await expectRefused(await viewerFor((await createStaff({ facilityId: E, roles: ["FACILITY_ADMIN"], hasEmsPrivilege: true })).user), { facilityId: K, facilityPatientId: "K-1" }, "NOT_PRIVILEGED", null);
    // the privilege read from the user's row, not from the signed-in viewer
    const revoked = await viewerFor((await createStaff({ facilityId: E, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
    await db().staffUser.update({ where: { id: revoked.userId }, data: { hasEmsPrivilege: false } });
    await expectRefused(revoked, { facilityId: K, facilityPatientId: "K-1" }, "NOT_PRIVILEGED", null);
  });

  it("NO_SUCH_FACILITY: the viewer's own, an inactive one, one that does not disclose, an unknown id", async () => {
    await register("own", { [E]: "E-1", [K]: "K-O" });
    await expectRefused(emsDoctor, { facilityId: E, facilityPatientId: "E-1" }, "NO_SUCH_FACILITY", null);
    await expectRefused(emsDoctor, { facilityId: OFF, facilityPatientId: "O-1" }, "NO_SUCH_FACILITY", null);
    await expectRefused(emsDoctor, { facilityId: VIEW, facilityPatientId: "V-1" }, "NO_SUCH_FACILITY", null);
    await expectRefused(emsDoctor, { facilityId: crypto.randomUUID(), facilityPatientId: "K-1" }, "NO_SUCH_FACILITY", null);
    await expectRefused(emsDoctor, { facilityId: "not-a-facility", facilityPatientId: "K-1" }, "NO_SUCH_FACILITY", null);
  });

  it("NO_SUCH_PATIENT: an ID nobody has there, an unlinked ID, another facility's ID", async () => {
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-999" }, "NO_SUCH_PATIENT", null);
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-U" }, "NO_SUCH_PATIENT", null);
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "O-1" }, "NO_SUCH_PATIENT", null);
  });

  it("AMBIGUOUS: one ID on two active links of two patients at one facility (which the database's own index forbids)", async () => {
    await register("twin", { [H]: "H-T" });
    const [shared] = await db().facilityPatientLink.findMany({ where: { patientId: patient.shared!, facilityId: K } });
    // PIX: a facility patient ID names one patient among the active links, by a unique index…
    await expect(db().facilityPatientLink.create({ data: { patientId: patient.twin!, facilityId: K, facilityPatientId: "K-1" } })).rejects.toThrow();
    // …so the lookup's refusal guards data from before that index, or restored without it: shown here with the index set aside
    await db().$executeRawUnsafe(`ALTER INDEX "facility_patient_links_active_fpid_key" RENAME TO "set_aside_fpid_key"`);
    await db().$executeRawUnsafe(`DROP INDEX "set_aside_fpid_key"`);
    const twin = await db().facilityPatientLink.create({ data: { patientId: patient.twin!, facilityId: K, facilityPatientId: shared!.facilityPatientId }, select: { id: true } });
    try {
      await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-1" }, "AMBIGUOUS", null);
      await expectRefused(coreDoctor, { facilityId: K, facilityPatientId: "K-1" }, "AMBIGUOUS", null);
    } finally {
      await db().facilityPatientLink.delete({ where: { id: twin.id } });
      await db().$executeRawUnsafe(`CREATE UNIQUE INDEX "facility_patient_links_active_fpid_key" ON "facility_patient_links" ("facility_id", "facility_patient_id") WHERE "unlinked_at" IS NULL`);
    }
  });

  it("WITHDRAWN: the patient withdrew from sharing; EMS and a core hospital alike, a declaration that does not override it too", async () => {
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-W" }, "WITHDRAWN", patient.withdrawn!);
    await expectRefused(coreDoctor, { facilityId: K, facilityPatientId: "K-W" }, "WITHDRAWN", patient.withdrawn!);
  });

  it("FACILITY_NOT_ALLOWED: the viewer's facility is neither allowed EMS nor a core hospital, and no declaration covers it", async () => {
    await expectRefused(neitherDoctor, { facilityId: K, facilityPatientId: "K-1" }, "FACILITY_NOT_ALLOWED", patient.shared!);
  });

  it("NOT_SHARED: EMS needs 診療情報 shared under the patient's consent (a core hospital does not)", async () => {
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-B" }, "NOT_SHARED", patient["basic only"]!);
    await expectRefused(emsDoctor, { facilityId: K, facilityPatientId: "K-N" }, "NOT_SHARED", patient["no consent"]!);
    await expect(lookUpEmergency(coreDoctor, { facilityId: K, facilityPatientId: "K-N" }, { now: NOW })).resolves.toMatchObject({ patientId: patient["no consent"], basis: "CORE_HOSPITAL" });
  });
});

describe("the consent modes of each ground", () => {
  /** A consent mode the ground does not take: the form's error on `consent`, and nothing written (no grant, no notice, no row). */
  async function expectNotForBasis(viewer: TViewer, target: TEmergencyTarget, consent: string) {
    const before = await counts();
    const v = asRequest(viewer);
    const e = await openEmergencyGrant(v, form(target, { consent, consentConfirmedBy: "救急隊" }), NOW).catch((x: unknown) => x);
    expect(e, consent).toMatchObject({ code: "VALIDATION", fieldErrors: { consent: ["v.ems.consent.notForBasis"] } });
    expect(await counts(), consent).toEqual(before);
    expect(await rowsOf(v.requestId), consent).toEqual([]);
  }

  it("EMS takes the patient's or the family's word, or that it could not be had: not a core hospital's exemption, not consent after the fact", async () => {
    for (const consent of ["NOT_REQUIRED_CORE", "AFTER_THE_FACT"]) await expectNotForBasis(emsDoctor, { facilityId: K, facilityPatientId: "K-1" }, consent);
  });

  it("a core hospital needs no consent, but takes none after the fact", async () => {
    await expectNotForBasis(coreDoctor, { facilityId: K, facilityPatientId: "K-1" }, "AFTER_THE_FACT");
    const v = asRequest(coreDoctor);
    const g = await openEmergencyGrant(v, form({ facilityId: K, facilityPatientId: "K-1" }, { consent: "NOT_REQUIRED_CORE", consentConfirmedBy: "" }), NOW);
    expect(g).toMatchObject({ patientId: patient.shared, noticeSent: true });
    expect(await db().emergencyGrant.findUniqueOrThrow({ where: { id: g.grantId } })).toMatchObject({ basis: "CORE_HOSPITAL", consent: "NOT_REQUIRED_CORE", consentConfirmedBy: null });
  });

  it("a declaration takes consent after the fact only when it says so; it skips the notice only when it says so", async () => {
    await expectNotForBasis(neitherDoctor, { facilityId: K, facilityPatientId: "K-S" }, "AFTER_THE_FACT");
    const strict = await openEmergencyGrant(asRequest(neitherDoctor), form({ facilityId: K, facilityPatientId: "K-S" }), NOW);
    expect(strict).toMatchObject({ patientId: patient["strict area"], noticeSent: true });
    const lenient = await openEmergencyGrant(asRequest(neitherDoctor), form({ facilityId: K, facilityPatientId: "K-L" }, { consent: "AFTER_THE_FACT" }), NOW);
    expect(lenient).toMatchObject({ patientId: patient["lenient area"], noticeSent: false });
    const grants = await db().emergencyGrant.findMany({ where: { id: { in: [strict.grantId, lenient.grantId] } }, orderBy: { startsAt: "asc" } });
    expect(grants.map((g) => [g.basis, g.noticeMessageId !== null])).toEqual([
      ["DISASTER", true],
      ["DISASTER", false],
    ]);
    expect(await db().secureMessage.count({ where: { systemKind: "EMS_NOTICE", patientId: patient["lenient area"] } })).toBe(0);
  });
});

describe("the grant, its notice and its row: one transaction", () => {
  /** A failure injected in the database at one step after the notice is written. */
  async function failing(table: string, when: string, run: () => Promise<void>) {
    await db().$executeRawUnsafe(`CREATE FUNCTION "test_injected_failure"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db().$executeRawUnsafe(`CREATE TRIGGER "test_injected_failure" BEFORE ${when} ON "${table}" FOR EACH ROW EXECUTE FUNCTION "test_injected_failure"()`);
    try {
      await run();
    } finally {
      await db().$executeRawUnsafe(`DROP TRIGGER "test_injected_failure" ON "${table}"`);
      await db().$executeRawUnsafe(`DROP FUNCTION "test_injected_failure"()`);
    }
  }

  it("a failure after the notice (recording it on the grant, or the grant's log row) leaves no grant, no notice, no row", async () => {
    await register("fault", { [K]: "K-F" });
    const target = { facilityId: K, facilityPatientId: "K-F" };
    for (const [table, when] of [
      ["emergency_grants", "UPDATE"],
      ["access_logs", "INSERT"],
    ] as const) {
      const before = await counts();
      const v = asRequest(emsDoctor);
      await failing(table, when, async () => {
        await expect(openEmergencyGrant(v, form(target), NOW)).rejects.toThrow(/injected failure/);
      });
      expect(await counts(), table).toEqual(before);
      expect(await db().secureMessage.count({ where: { systemKind: "EMS_NOTICE", patientId: patient.fault } }), table).toBe(0);
      expect(await rowsOf(v.requestId), table).toEqual([]);
    }
    // and with nothing failing: the grant, its notice recorded on it, and its one row naming it
    const v = asRequest(emsDoctor);
    const g = await openEmergencyGrant(v, form(target), NOW);
    const grant = await db().emergencyGrant.findUniqueOrThrow({ where: { id: g.grantId } });
    const notice = await db().secureMessage.findFirstOrThrow({ where: { systemKind: "EMS_NOTICE", patientId: patient.fault } });
    expect(grant.noticeMessageId).toBe(notice.id);
    expect(await rowsOf(v.requestId)).toEqual([{ accessType: "EMERGENCY_GRANT", patientId: patient.fault, isEmergency: true, emergencyGrantId: g.grantId, detail: expect.stringMatching(/^EMS \S+:K-F#EMS EMS$/) }]);
  });
});
