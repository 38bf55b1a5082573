/**
 * EMS name search (PDQ, seed 001) on real PostgreSQL: kana name, birth date and sex (hiragana and
 * half-width kana as typed), narrowed by the address or a phone number; it answers only when
 * exactly one registered patient matches, with that patient's IDs at the disclosing facilities
 * (never the viewer's own, an unlinked link, an inactive or non-disclosing facility's), and else
 * says how many matched and nothing more. Only staff with the EMS privilege and a role that reads
 * records may search; every search writes exactly one EMS_SEARCH row (a hit names its patient), and
 * a refusal one DENIED row.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { StaffRole } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { searchForEmergency } from "@/lib/ems/queries";
import { ZEmergencySearch } from "@/lib/ems/schema";
import { registerPatient, unlinkFacilityPatient } from "@/lib/patients/mutations";
import { ZRegisterPatient, ZUnlink } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

let E: string; // the hospital whose EMS staff search
let K1: string;
let K2: string;
let K3: string; // the patient's link there is unlinked
let INACTIVE: string; // a disclosing facility no longer active
let VIEWING: string; // a facility that views but does not disclose
let registrar: TViewer;
let ems: TViewer;
let P1: string;
let twinMatsuo: string;
let twinKanae: string;

const consent = { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" };

async function register(patient: Record<string, string>, links: Record<string, string>) {
  return (
    await registerPatient(
      registrar,
      ZRegisterPatient.parse({
        patient,
        links: Object.entries(links).map(([facilityId, facilityPatientId]) => ({ facilityId, facilityPatientId })),
        consent,
        confirmDuplicate: "on",
      }),
    )
  ).id;
}

let requests = 0;
/** One search as one request: its answer, and the rows that request wrote. */
async function search(viewer: TViewer, input: Record<string, string>) {
  const requestId = `pdq-${++requests}`;
  const answer = await searchForEmergency({ ...viewer, requestId }, ZEmergencySearch.parse(input)).catch((e: unknown) => e);
  const rows = await db().accessLog.findMany({ where: { requestId }, select: { accessType: true, patientId: true, detail: true, userId: true } });
  return { answer, rows };
}

const ICHIRO = { nameKana: "キュウキュウ イチロウ", birthDate: "1950/01/01", sex: "MALE" };
const TWINS = { nameKana: "フタゴ ハナコ", birthDate: "1960/02/02", sex: "FEMALE" };

beforeAll(async () => {
  E = (await createFacility({ nameKanji: "救急病院", emsAllowed: true })).id;
  // codes out of the order of creation: the answer lists facilities by code
  K1 = (await createFacility({ code: "9100002", type: "CLINIC", nameKanji: "上郷診療所" })).id;
  K2 = (await createFacility({ code: "9100001", nameKanji: "飯田病院" })).id;
  K3 = (await createFacility({ code: "9100003", type: "CLINIC", nameKanji: "鼎クリニック" })).id;
  INACTIVE = (await createFacility({ code: "9100004", type: "CLINIC", nameKanji: "閉院した診療所" })).id;
  VIEWING = (await createFacility({ code: "9100005", type: "PHARMACY", nameKanji: "閲覧のみの薬局", isDisclosing: false })).id;
  const S = (await createFacility({ type: "SECRETARIAT", isDisclosing: false, nameKanji: "事務局" })).id;
  registrar = await viewerFor((await createStaff({ facilityId: S, roles: ["SECRETARIAT"] })).user);
  ems = await viewerFor((await createStaff({ facilityId: E, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);

  P1 = await register(
    { nameKanji: "救急 一郎", ...ICHIRO, address: "長野県飯田市上郷別府1-1", phone: "0265-11-1111" },
    { [K1]: "K1-001", [K2]: "K2-001", [K3]: "K3-001", [E]: "E-001", [INACTIVE]: "I-001", [VIEWING]: "V-001" },
  );
  const k3 = await db().facilityPatientLink.findFirstOrThrow({ where: { patientId: P1, facilityId: K3 }, select: { id: true } });
  await unlinkFacilityPatient(registrar, ZUnlink.parse({ linkId: k3.id, reason: "誤登録" }));
  await db().facility.update({ where: { id: INACTIVE }, data: { isActive: false } });

  // two patients alike in name, birth date and sex: only the address or a phone number tells them apart
  twinMatsuo = await register({ nameKanji: "双子 花子", ...TWINS, address: "長野県飯田市松尾町2-2", phone: "0265-22-2222" }, { [K1]: "K1-101" });
  twinKanae = await register({ nameKanji: "双子 華子", ...TWINS, address: "長野県飯田市鼎東3-3", mobilePhone: "090-3333-3333" }, { [K2]: "K2-202" });
});

describe("EMS name search (PDQ)", () => {
  it("exactly one match: that patient's IDs at the disclosing facilities, by code (not the viewer's own, unlinked, inactive or non-disclosing)", async () => {
    const { answer, rows } = await search(ems, ICHIRO);
    expect(answer).toEqual({
      found: true,
      ids: [
        { facilityId: K2, facilityCode: "9100001", facilityName: "飯田病院", facilityPatientId: "K2-001" },
        { facilityId: K1, facilityCode: "9100002", facilityName: "上郷診療所", facilityPatientId: "K1-001" },
      ],
    });
    expect(rows).toEqual([{ accessType: "EMS_SEARCH", patientId: P1, detail: "EMS search → 1", userId: ems.userId }]);
  });

  it("the name as typed: hiragana, half-width kana, without the space", async () => {
    for (const nameKana of ["きゅうきゅう いちろう", "ｷｭｳｷｭｳ ｲﾁﾛｳ", "キュウキュウイチロウ", "　きゅうきゅう　いちろう　"]) {
      const { answer, rows } = await search(ems, { ...ICHIRO, nameKana });
      expect(answer, nameKana).toMatchObject({ found: true, ids: [{ facilityPatientId: "K2-001" }, { facilityPatientId: "K1-001" }] });
      expect(rows.map((r) => [r.accessType, r.patientId]), nameKana).toEqual([["EMS_SEARCH", P1]]);
    }
  });

  it("no match: narrow the search, and nobody named", async () => {
    for (const input of [
      { ...ICHIRO, birthDate: "1950/01/02" },
      { ...ICHIRO, sex: "FEMALE" },
      { ...ICHIRO, nameKana: "キュウキュウ ジロウ" },
      { ...ICHIRO, address: "松尾" },
      { ...ICHIRO, phone: "0265-99-9999" },
    ]) {
      const { answer, rows } = await search(ems, input);
      expect(answer, JSON.stringify(input)).toEqual({ found: false, matches: 0 });
      expect(rows, JSON.stringify(input)).toEqual([{ accessType: "EMS_SEARCH", patientId: null, detail: expect.stringMatching(/→ 0$/), userId: ems.userId }]);
    }
  });

  it("two matches: narrow the search (how many, never who); the address or a phone number turns two into one", async () => {
    const both = await search(ems, TWINS);
    expect(both.answer).toEqual({ found: false, matches: 2 });
    expect(both.rows).toEqual([{ accessType: "EMS_SEARCH", patientId: null, detail: "EMS search → 2", userId: ems.userId }]);
    // an address both share narrows nothing
    expect((await search(ems, { ...TWINS, address: "飯田市" })).answer).toEqual({ found: false, matches: 2 });

    const byAddress = await search(ems, { ...TWINS, address: "松尾町" });
    expect(byAddress.answer).toEqual({ found: true, ids: [{ facilityId: K1, facilityCode: "9100002", facilityName: "上郷診療所", facilityPatientId: "K1-101" }] });
    expect(byAddress.rows).toEqual([{ accessType: "EMS_SEARCH", patientId: twinMatsuo, detail: "EMS search +address → 1", userId: ems.userId }]);

    // a phone number as typed (full-width, without dashes): the home phone of one, the mobile of the other
    const byPhone = await search(ems, { ...TWINS, phone: "０２６５２２２２２２" });
    expect(byPhone.answer).toMatchObject({ found: true, ids: [{ facilityPatientId: "K1-101" }] });
    expect(byPhone.rows.map((r) => [r.accessType, r.patientId])).toEqual([["EMS_SEARCH", twinMatsuo]]);
    const byMobile = await search(ems, { ...TWINS, phone: "090-3333-3333" });
    expect(byMobile.answer).toEqual({ found: true, ids: [{ facilityId: K2, facilityCode: "9100001", facilityName: "飯田病院", facilityPatientId: "K2-202" }] });
    expect(byMobile.rows).toEqual([{ accessType: "EMS_SEARCH", patientId: twinKanae, detail: "EMS search +phone → 1", userId: ems.userId }]);
  });

  it("refused without the EMS privilege or a role that reads records: FORBIDDEN, one DENIED row, nothing found", async () => {
    const staff = async (roles: StaffRole[], hasEmsPrivilege: boolean) => viewerFor((await createStaff({ facilityId: E, roles, hasEmsPrivilege })).user);
    for (const [label, viewer] of [
      ["a clinician without the privilege", await staff(["CLINICIAN"], false)],
      ["an administrator with the privilege", await staff(["FACILITY_ADMIN"], true)],
      ["the secretariat", registrar],
    ] as const) {
      const { answer, rows } = await search(viewer, ICHIRO);
      expect(answer, label).toBeInstanceOf(AppError);
      expect((answer as AppError).code, label).toBe("FORBIDDEN");
      expect(rows, label).toEqual([{ accessType: "DENIED", patientId: null, detail: "emsSearch", userId: viewer.userId }]);
    }
    // the privilege taken away: the next search (a new request reads the user again) is refused
    const revoked = await staff(["CLINICIAN"], true);
    expect((await search(revoked, ICHIRO)).answer).toMatchObject({ found: true });
    await db().staffUser.update({ where: { id: revoked.userId }, data: { hasEmsPrivilege: false } });
    const again = await search(await viewerFor({ id: revoked.userId }), ICHIRO);
    expect((again.answer as AppError).code).toBe("FORBIDDEN");
    expect(again.rows.map((r) => r.accessType)).toEqual(["DENIED"]);
  });

  it("every search wrote exactly one row", async () => {
    const rows = await db().accessLog.groupBy({ by: ["requestId"], where: { requestId: { startsWith: "pdq-" } }, _count: { _all: true } });
    expect(rows).toHaveLength(requests);
    for (const r of rows) expect(r._count._all, r.requestId!).toBe(1);
  });
});
