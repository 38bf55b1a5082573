/**
 * Emergency access (C8), end to end in the data layer on real PostgreSQL: `<施設患者ID>#EMS` at a
 * hospital the network allows EMS for; the identity shown first (EMS_LOOKUP); the grant with its
 * reason and consent, the notice to the clinic's desk in the same transaction; the clinic's
 * recent records (and nothing older than the window) read under the grant, every row marked
 * emergency and naming it; the grant's end; and each refusal's reason with its DENIED row.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { lookUpEmergency, parseEmsQuery } from "@/lib/access/emergency";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage } from "@/lib/clinical/mutations";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { getCalendar, getContent, listRecordTab } from "@/lib/clinical/queries";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { endEmergencyGrant, openEmergencyGrant } from "@/lib/ems/mutations";
import { findActiveGrant } from "@/lib/ems/queries";
import { ZOpenGrant } from "@/lib/ems/schema";
import { postNote } from "@/lib/notes/mutations";
import { ZPostNote } from "@/lib/notes/schema";
import { createFacility, createStaff, registerLinkedPatient, viewerFor } from "@/tests/fixtures/factories";

let H: string; // the hospital (EMS allowed)
let K: string; // the clinic (discloses)
let emsDoctor: TViewer;
let plainDoctor: TViewer;
let clinicLiaison: TViewer;
let patientId: string;
const NOW = new Date();
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);

const draft = (o: Partial<TContentDraft> & Pick<TContentDraft, "category" | "sourceKey">): TContentDraft => ({
  facilityPatientId: "K-100",
  occurredAt: daysAgo(5),
  title: o.category,
  payload: { items: [{ code: "E1", name: "救急検査", value: "1.0", unit: "mg/dL" }] },
  sourceVersion: "1",
  isDeleted: false,
  ...o,
});

const form = (o: Record<string, unknown> = {}) =>
  ZOpenGrant.parse({ facilityId: K, facilityPatientId: "K-100", reason: "EMERGENCY_TRANSPORT", reasonText: "夜間の救急搬送", consent: "ORAL_FAMILY", consentConfirmedBy: "救急 医師", acknowledged: "on", ...o });

beforeAll(async () => {
  H = (await createFacility({ nameKanji: "救急病院", emsAllowed: true })).id;
  K = (await createFacility({ type: "CLINIC", nameKanji: "かかりつけ診療所" })).id;
  emsDoctor = await viewerFor((await createStaff({ facilityId: H, roles: ["CLINICIAN"], hasEmsPrivilege: true })).user);
  plainDoctor = await viewerFor((await createStaff({ facilityId: H, roles: ["CLINICIAN"] })).user);
  clinicLiaison = await viewerFor((await createStaff({ facilityId: K, roles: ["LIAISON"] })).user);
  patientId = (await registerLinkedPatient(clinicLiaison, { nameKanji: "救急 花子", nameKana: "キュウキュウ ハナコ", sex: "FEMALE", birthDate: "1940/02/03" }, { [K]: "K-100" })).id;
  await importParsedMessage(K, {
    kind: "SSMIX2",
    dataType: "OMP-01",
    patient: null,
    contents: [
      draft({ category: "PRESCRIPTION_ORDER", sourceKey: "E-RX-NEW", occurredAt: daysAgo(10) }),
      draft({ category: "PRESCRIPTION_ORDER", sourceKey: "E-RX-OLD", occurredAt: daysAgo(200) }),
      draft({ category: "LAB", sourceKey: "E-LAB-NEW", occurredAt: daysAgo(20) }),
      draft({ category: "ALLERGY", sourceKey: "E-ALG", occurredAt: daysAgo(2000) }),
      draft({ category: "DIAGNOSIS", sourceKey: "E-DX", occurredAt: daysAgo(3000) }),
      draft({ category: "IMAGING", sourceKey: "E-IMG", occurredAt: daysAgo(3) }),
      draft({ category: "DOCUMENT", sourceKey: "E-DS-OLD", title: "退院時サマリ", occurredAt: daysAgo(900) }),
      draft({ category: "DOCUMENT", sourceKey: "E-DS-NEW", title: "退院時サマリ", occurredAt: daysAgo(400) }),
    ],
  });
  // the clinic's own note restricted to its staff is never opened
  await postNote(clinicLiaison, patientId, ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "OTHER", occurredAt: new Date(NOW.getTime() + 9 * 3600_000).toISOString().slice(0, 16), title: "", body: "院内のみ", icon: "QUALIFICATION", restriction: "OWN_FACILITY" }), []).catch(() => undefined);
});

describe("EMS", () => {
  it("parses ID#EMS as typed (full-width ＃, any case)", () => {
    expect(parseEmsQuery("K-100#EMS")).toBe("K-100");
    expect(parseEmsQuery(" K-100＃ems ")).toBe("K-100");
    expect(parseEmsQuery("ｋ－１００#Ems")).toBe("k-100");
    expect(parseEmsQuery("K-100")).toBeNull();
    expect(parseEmsQuery("#EMS")).toBeNull();
  });

  it("shows the identity first, then opens the recent window under a grant, logged as emergency", async () => {
    await expect(getCalendar(emsDoctor, patientId, { zoom: "day" })).rejects.toThrow(AppError);
    const c = await lookUpEmergency(emsDoctor, { facilityId: K, facilityPatientId: "K-100" });
    expect(c).toMatchObject({ patientId, nameKanji: "救急 花子", basis: "EMS", birthDate: "1940-02-03" });
    const lookup = await db().accessLog.findFirstOrThrow({ where: { userId: emsDoctor.userId, accessType: "EMS_LOOKUP" } });
    expect(lookup).toMatchObject({ patientId, ownerFacilityId: K, isEmergency: true });

    const g = await openEmergencyGrant(emsDoctor, form(), NOW);
    expect(g.noticeSent).toBe(true);
    const notice = await db().secureMessage.findFirstOrThrow({ where: { systemKind: "EMS_NOTICE", patientId }, include: { recipients: true } });
    expect(notice.recipients.map((r) => r.userId)).toContain(clinicLiaison.userId);
    expect(notice.body).toContain("夜間の救急搬送");
    expect(notice.body).toContain("家族（口頭）");

    const tab = await listRecordTab({ ...emsDoctor, requestId: "ems-tab" }, patientId, { tab: "all" } as never, NOW).catch((e) => e);
    void tab;
    const cal = await getCalendar({ ...emsDoctor, requestId: "ems-cal" }, patientId, { zoom: "day" }, NOW);
    expect(cal).toBeTruthy();
    const rows = await db().accessLog.findMany({ where: { requestId: "ems-cal" } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r).toMatchObject({ isEmergency: true, emergencyGrantId: g.grantId });

    const ids = await db().clinicalContent.findMany({ where: { patientId }, select: { id: true, sourceKey: true } });
    const id = (k: string) => ids.find((x) => x.sourceKey === k)!.id;
    for (const k of ["E-RX-NEW", "E-LAB-NEW", "E-ALG", "E-DX", "E-DS-NEW"]) await expect(getContent(emsDoctor, id(k), { now: NOW })).resolves.toBeTruthy();
    for (const k of ["E-RX-OLD", "E-IMG", "E-DS-OLD"]) await expect(getContent(emsDoctor, id(k), { now: NOW })).rejects.toThrow(AppError);

    // a write is never served by a grant
    await expect(postNote(emsDoctor, patientId, ZPostNote.parse({ noteType: "NOTE", noteKind: "RECORD", qualification: "DOCTOR", occurredAt: "2026-01-01T09:00", title: "", body: "x", icon: "QUALIFICATION" }), [])).rejects.toThrow(AppError);

    expect(await findActiveGrant(emsDoctor, patientId, NOW)).toMatchObject({ id: g.grantId, basis: "EMS" });
    // after its end, nothing
    const later = new Date(NOW.getTime() + 25 * 3600_000);
    await expect(getCalendar(emsDoctor, patientId, { zoom: "day" }, later)).rejects.toThrow(AppError);
    await endEmergencyGrant(emsDoctor, g.grantId, new Date(NOW.getTime() + 1000));
    await expect(getContent(emsDoctor, id("E-RX-NEW"), { now: new Date(NOW.getTime() + 2000) })).rejects.toThrow(AppError);
  });

  it("refuses a user without the privilege and an unknown ID, each with its DENIED row", async () => {
    await expect(lookUpEmergency(plainDoctor, { facilityId: K, facilityPatientId: "K-100" })).rejects.toMatchObject({ message: "ems.refused.NOT_PRIVILEGED" });
    await expect(lookUpEmergency(emsDoctor, { facilityId: K, facilityPatientId: "K-999" })).rejects.toMatchObject({ message: "ems.refused.NO_SUCH_PATIENT" });
    const denied = await db().accessLog.findMany({ where: { userId: { in: [plainDoctor.userId, emsDoctor.userId] }, accessType: "DENIED", detail: { startsWith: "EMS " } } });
    expect(denied.map((d) => d.detail?.split(" ").at(-1)).sort()).toEqual(["NOT_PRIVILEGED", "NO_SUCH_PATIENT"]);
  });
});
