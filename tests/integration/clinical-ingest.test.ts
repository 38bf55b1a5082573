import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getContent, listPatientContents } from "@/lib/clinical/queries";
import { IngestError, type TContentDraft, type TParsedMessage } from "@/lib/clinical/ingest/types";
import { AppError } from "@/lib/errors";
import { linkFacilityPatient, registerPatient, unlinkFacilityPatient } from "@/lib/patients/mutations";
import { ZAddLink, ZRegisterPatient, ZUnlink } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

let hospital: string;
let clinic: string;
let pharmacy: string;
let viewing: string;
let liaison: TViewer;
let clinicDoctor: TViewer;
let pharmacist: TViewer;

const draft = (o: Partial<TContentDraft> = {}): TContentDraft => ({
  facilityPatientId: "H0001",
  category: "PRESCRIPTION_ORDER",
  occurredAt: new Date("2025-06-01T01:30:00Z"),
  title: "ダーゼン錠（５mg) 他2剤",
  payload: { lines: [{ code: "108665201", name: "ダーゼン錠（５mg)", dose: 1, unit: "錠", usage: "内服・経口・１日３回朝昼夕食後", days: 5 }] },
  sourceKey: "OMP-01:000000011000185:RP1",
  sourceVersion: "20250601103045000",
  isDeleted: false,
  ...o,
});
const message = (contents: TContentDraft[]): TParsedMessage => ({ kind: "SSMIX2", dataType: "OMP-01", patient: null, contents });
const count = (where: object = {}) => db().clinicalContent.count({ where: { ownerFacilityId: hospital, ...where } });

beforeAll(async () => {
  hospital = (await createFacility({ isDisclosing: true })).id;
  clinic = (await createFacility({ isDisclosing: true, type: "CLINIC" })).id;
  pharmacy = (await createFacility({ isDisclosing: false, type: "PHARMACY" })).id;
  viewing = pharmacy;
  liaison = await viewerFor((await createStaff({ facilityId: hospital, roles: ["LIAISON"] })).user);
  clinicDoctor = await viewerFor((await createStaff({ facilityId: clinic, roles: ["CLINICIAN"] })).user);
  pharmacist = await viewerFor((await createStaff({ facilityId: pharmacy, roles: ["CLINICIAN"] })).user);
});

describe("storing a message", () => {
  it("stores once; the same message again changes nothing; a newer version replaces; an older one is ignored", async () => {
    const first = await importParsedMessage(hospital, message([draft({ sourceKey: "K1" })]));
    expect(first).toMatchObject({ created: 1, replaced: 0, unchanged: 0 });
    expect(await importParsedMessage(hospital, message([draft({ sourceKey: "K1" })]))).toMatchObject({ created: 0, unchanged: 1 });
    const corrected = draft({ sourceKey: "K1", sourceVersion: "20250602090000000", title: "ダーゼン錠（５mg) 他3剤" });
    expect(await importParsedMessage(hospital, message([corrected]))).toMatchObject({ replaced: 1 });
    expect(await importParsedMessage(hospital, message([draft({ sourceKey: "K1", title: "古い版" })]))).toMatchObject({ unchanged: 1 });
    const row = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: hospital, sourceKey: "K1" } });
    expect(row.title).toBe("ダーゼン錠（５mg) 他3剤");
    expect(row.occurredDate.toISOString().slice(0, 10)).toBe("2025-06-01");
    expect(await count({ sourceKey: "K1" })).toBe(1);
  });

  it("is all or nothing: one bad item leaves no trace of the others", async () => {
    const before = await count();
    await expect(importParsedMessage(hospital, message([draft({ sourceKey: "OK1" }), draft({ sourceKey: "BAD", occurredAt: new Date("nope") })]))).rejects.toBeInstanceOf(IngestError);
    await expect(importParsedMessage(hospital, message([draft({ sourceKey: "OK2" }), draft({ sourceKey: "BAD2", facilityPatientId: "X".repeat(21) })]))).rejects.toThrow(/longer than 20/);
    expect(await count()).toBe(before);
  });

  it("refuses a facility that does not disclose, or does not exist", async () => {
    await expect(importParsedMessage(viewing, message([draft()]))).rejects.toThrow(/not a disclosing facility/);
    await expect(importParsedMessage("00000000-0000-4000-8000-000000000000", message([draft()]))).rejects.toThrow(/unknown or inactive/);
    expect(await db().clinicalContent.count({ where: { ownerFacilityId: viewing } })).toBe(0);
  });

  it("keeps the facility's demographics as a 基本情報 content", async () => {
    const r = await importParsedMessage(hospital, {
      kind: "SSMIX2",
      dataType: "ADT-00",
      sourceVersion: "20250601000000000",
      contents: [],
      patient: { facilityPatientId: "H0009", nameKanji: "患者 太郎", nameKana: "カンジャ タロウ", sex: "MALE", birthDate: "1948-04-05", postalCode: "422-8033", address: "静岡県静岡市登呂", phone: null },
    });
    expect(r.created).toBe(1);
    const row = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: hospital, sourceKey: "PATIENT:H0009" } });
    expect(row.category).toBe("PATIENT_INFO");
    expect(row.title).toBe("患者 太郎 カンジャ タロウ");
  });
});

describe("data before the link, and the visibility rule", () => {
  it("keeps data for an unlinked patient ID, joins it when linked, shows it to covered facilities only, and detaches it on unlinking", async () => {
    await importParsedMessage(hospital, message([draft({ facilityPatientId: "H0100", sourceKey: "L1" }), draft({ facilityPatientId: "H0100", sourceKey: "L2", category: "LAB", title: "検査 12項目" })]));
    expect(await count({ facilityPatientId: "H0100", patientId: null })).toBe(2);

    const input = ZRegisterPatient.parse({
      patient: { nameKanji: "連携 一郎", nameKana: "レンケイ イチロウ", sex: "MALE", birthDate: "1950/01/01" },
      links: [{ facilityId: clinic, facilityPatientId: "C0100" }],
      consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" },
      confirmDuplicate: "on",
    });
    const { id: patientId } = await registerPatient(liaison, input);
    const { id: linkId } = await linkFacilityPatient(liaison, ZAddLink.parse({ patientId, facilityId: hospital, facilityPatientId: "H0100" }));
    expect(await count({ facilityPatientId: "H0100", patientId })).toBe(2);

    const seen = await listPatientContents(clinicDoctor, patientId);
    expect(seen.map((c) => c.title).sort()).toEqual(["ダーゼン錠（５mg) 他2剤", "検査 12項目"]);
    expect(await listPatientContents(pharmacist, patientId)).toEqual([]);
    const one = await getContent(clinicDoctor, seen[0]!.id);
    expect(one.ownerFacilityName).toBeTruthy();
    await expect(getContent(pharmacist, seen[0]!.id)).rejects.toMatchObject({ code: "NOT_FOUND" } satisfies Partial<AppError>);
    const logged = await db().accessLog.count({ where: { userId: pharmacist.userId, accessType: "DENIED" } });
    expect(logged).toBeGreaterThanOrEqual(1);

    // New data for a linked ID joins the patient at once.
    await importParsedMessage(hospital, message([draft({ facilityPatientId: "H0100", sourceKey: "L3", title: "新しい処方" })]));
    expect((await listPatientContents(clinicDoctor, patientId)).map((c) => c.title)).toContain("新しい処方");

    await unlinkFacilityPatient(liaison, ZUnlink.parse({ linkId, reason: "別人の患者IDだったため" }));
    expect(await count({ facilityPatientId: "H0100", patientId: null })).toBe(3);
    expect(await listPatientContents(clinicDoctor, patientId)).toEqual([]);
  });
});
