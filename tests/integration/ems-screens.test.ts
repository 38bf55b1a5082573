/**
 * What the EMS screens read besides the gateway, on real PostgreSQL: the banner's grant (the
 * viewer's own, in force, and only while the user keeps the EMS privilege, as the rule reads it)
 * and the ended grant that explains a refused patient page.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db } from "@/lib/db/client";
import { endEmergencyGrant, openEmergencyGrant } from "@/lib/ems/mutations";
import { findActiveGrant, findEndedGrant } from "@/lib/ems/queries";
import { getPatientPage } from "@/lib/patients/queries";
import { ZOpenGrant } from "@/lib/ems/schema";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";

let K: string;
let doctor: TViewer;
let colleague: TViewer;
let liaison: TViewer;
let patientId: string;
const NOW = new Date();
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

const form = () =>
  ZOpenGrant.parse({ facilityId: K, facilityPatientId: "K-200", reason: "NO_REFERRAL", reasonText: "紹介状なしで夜間受診", consent: "ORAL_PATIENT", consentConfirmedBy: "当直 医師", acknowledged: "on" });

beforeAll(async () => {
  const H = (await createFacility({ nameKanji: "救急病院B", emsAllowed: true })).id;
  K = (await createFacility({ type: "CLINIC", nameKanji: "かかりつけ診療所B" })).id;
  doctor = await viewerFor((await createStaff({ facilityId: H, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  colleague = await viewerFor((await createStaff({ facilityId: H, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  liaison = await viewerFor((await createStaff({ facilityId: K, roles: ["LIAISON"] })).user);
  patientId = (await registerLinkedPatient(liaison, { nameKanji: "夜間 太郎", nameKana: "ヤカン タロウ", sex: "MALE", birthDate: "1950/05/05" }, { [K]: "K-200" })).id;
});

describe("the EMS screens' own reads", () => {
  it("the banner shows the viewer's grant in force with its reason and window; the ended page, once it is over", async () => {
    expect(await findActiveGrant(doctor, patientId, NOW)).toBeNull();
    expect(await findEndedGrant(doctor, patientId, NOW)).toBeNull();
    const g = await openEmergencyGrant(doctor, form(), NOW);
    const active = await findActiveGrant(doctor, patientId, at(1));
    expect(active).toMatchObject({ id: g.grantId, basis: "EMS", reason: "NO_REFERRAL", reasonText: "紹介状なしで夜間受診", consent: "ORAL_PATIENT", consentConfirmedBy: "当直 医師", facilityPatientId: "K-200", disclosingFacilityName: "かかりつけ診療所B" });
    expect(active!.endsAt.getTime()).toBe(g.endsAt.getTime());
    // the patient page under the grant alone is read-only (no bookmark, notes or care team); the clinic's own is not
    expect(await getPatientPage(doctor, patientId, at(1))).toMatchObject({ canSeeRecords: true, isEmergencyOnly: true });
    expect(await getPatientPage(liaison, patientId, at(1))).toMatchObject({ isEmergencyOnly: false });
    // in force: no "ended" explanation; another user's grant is not theirs
    expect(await findEndedGrant(doctor, patientId, at(1))).toBeNull();
    expect(await findActiveGrant(colleague, patientId, at(1))).toBeNull();
    // not a patient id: nothing, no error
    expect(await findActiveGrant(doctor, "not-a-uuid", at(1))).toBeNull();
    expect(await findEndedGrant(doctor, "not-a-uuid", at(1))).toBeNull();

    // its time passes: no banner; the ended page names the facility, the ID and when
    const later = new Date(g.endsAt.getTime() + 60_000);
    expect(await findActiveGrant(doctor, patientId, later)).toBeNull();
    expect(await findEndedGrant(doctor, patientId, later)).toMatchObject({ disclosingFacilityId: K, disclosingFacilityName: "かかりつけ診療所B", facilityPatientId: "K-200", endedAt: g.endsAt });

    // ended early: from then on
    await endEmergencyGrant(doctor, g.grantId, at(2));
    expect(await findActiveGrant(doctor, patientId, at(3))).toBeNull();
    expect(await findEndedGrant(doctor, patientId, at(3))).toMatchObject({ endedAt: at(2) });
  });

  it("a user who lost the EMS privilege has no grant in force, as the rule reads it", async () => {
    const g = await openEmergencyGrant(colleague, form(), at(10));
    expect(await findActiveGrant(colleague, patientId, at(11))).toMatchObject({ id: g.grantId });
    await db().staffUser.update({ where: { id: colleague.userId }, data: { hasEmsPrivilege: false } });
    expect(await findActiveGrant(colleague, patientId, at(11))).toBeNull();
  });
});
