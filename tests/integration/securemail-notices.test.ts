import { beforeAll, describe, expect, it } from "vitest";
import type { MessageSystemKind, PublicationState, StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { passwordExpiresAt } from "@/lib/auth/password-policy";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { linkFacilityPatient, registerPatient, setPublication } from "@/lib/patients/mutations";
import { getPatientPage, searchPatients } from "@/lib/patients/queries";
import { ZAddLink, ZPatientSearch, ZPublication, ZRegisterPatient } from "@/lib/patients/schema";
import { EMS_SUBJECT, formatNoticeDateTime, PASSWORD_EXPIRY_SUBJECT, PUBLICATION_SUBJECT, sendEmsNotice, sendPasswordExpiryReminders } from "@/lib/securemail/notices";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

/*
 * Seed 004 ④: when a patient's publication completes, each facility's 専用アカウント (its liaison
 * desk) gets a system message; facilities already sharing hear that another joined. And the
 * password-expiry reminder, once per password.
 */

const PUBLICATION_KINDS: MessageSystemKind[] = ["PUBLICATION_NOTICE", "PUBLICATION_ADDED"];
const FIRST_LEAD = "ポータルサイトにて以下の患者が公開されました。";
const ADDED_LEAD = "ポータルサイトにて以下の患者の患者同意施設公開先が追加されました。";
const NOTE = "※患者同意施設は、現在、患者様が同意している全施設を掲載しています。";

let A: string; // 香川テスト病院: two liaison staff, a clinician, a retired liaison
let B: string; // サンプル薬局: liaison staff and an administrator
let C: string; // ●●病院: no liaison staff, so its administrator is the desk
let liaisonA1: TViewer;
let liaisonA2: TViewer;
let clinicianA: TViewer;
let retiredA: string;
let liaisonB: TViewer;
let adminB: TViewer;
let adminC: TViewer;
let clinicianC: TViewer;

const staffAt = async (facilityId: string, roles: StaffRole[]) => viewerFor((await createStaff({ facilityId, roles })).user);

beforeAll(async () => {
  [A, B, C] = await Promise.all([
    createFacility({ nameKanji: "香川テスト病院" }).then((f) => f.id),
    createFacility({ nameKanji: "サンプル薬局", type: "PHARMACY" }).then((f) => f.id),
    createFacility({ nameKanji: "●●病院" }).then((f) => f.id),
  ]);
  [liaisonA1, liaisonA2, clinicianA, liaisonB, adminB, adminC, clinicianC] = await Promise.all([
    staffAt(A, ["LIAISON"]),
    staffAt(A, ["LIAISON", "CLINICIAN"]),
    staffAt(A, ["CLINICIAN"]),
    staffAt(B, ["LIAISON"]),
    staffAt(B, ["FACILITY_ADMIN"]),
    staffAt(C, ["FACILITY_ADMIN"]),
    staffAt(C, ["CLINICIAN"]),
  ]);
  retiredA = (await createStaff({ facilityId: A, roles: ["LIAISON"], isRetired: true })).user.id;
});

/* ---- forms ---- */

type TForm = Record<string, unknown>;
const form6 = { method: "WRITTEN", signer: "SELF", responsibleName: "連携 太郎", explainedByName: "説明 花子" };
const grantAll: TForm = { ...form6, action: "GRANT", scope: "COMPREHENSIVE", consentDate: "2025-01-10" };
const today = () => formatSeireki(todayInJapan());
const withdrawFor = (facilityIds: string[]): TForm => ({ ...form6, action: "WITHDRAW", scope: "FACILITIES", facilityIds, consentDate: today(), reason: "転院のため" });

async function register(p: { nameKanji: string; nameKana: string; birthDate: string }, links: Record<string, string>, consent: TForm | null = grantAll) {
  const input = ZRegisterPatient.parse({
    patient: { ...p, sex: "MALE", postalCode: "7600011", address: "香川県高松市浜ノ町73-4" },
    links: Object.entries(links).map(([facilityId, facilityPatientId]) => ({ facilityId, facilityPatientId })),
    consent,
  });
  return registerPatient(liaisonA1, input);
}

const consent = (patientId: string, f: TForm) => recordConsent(liaisonA1, patientId, ZConsentInput.parse(f));
const publish = (linkId: string, publicationState: PublicationState) =>
  setPublication(liaisonB, ZPublication.parse({ linkId, publicationState, shareBasic: "on", shareClinical: "on" }));

/* ---- what arrived ---- */

type TNotice = { kind: MessageSystemKind | null; subject: string; body: string; senderId: string | null; sentAt: Date | null };

/** The publication notices a user received about a patient, oldest first. */
async function noticesOf(userId: string, regionalId: string): Promise<TNotice[]> {
  const rows = await db().messageRecipient.findMany({
    where: { userId, message: { systemKind: { in: PUBLICATION_KINDS }, body: { contains: `地域患者ID：${regionalId}\n` } } },
    select: { addressedAs: true, message: { select: { systemKind: true, subject: true, body: true, senderId: true, sentAt: true, createdAt: true } } },
    orderBy: { message: { createdAt: "asc" } },
  });
  return rows.map(({ message: m }) => ({ kind: m.systemKind, subject: m.subject, body: m.body, senderId: m.senderId, sentAt: m.sentAt }));
}

const kindsOf = async (userId: string, regionalId: string) => (await noticesOf(userId, regionalId)).map((n) => n.kind);
const systemMessageCount = () => db().secureMessage.count({ where: { systemKind: { not: null } } });

const linkOf = (patientId: string, facilityId: string) =>
  db().facilityPatientLink.findFirstOrThrow({ where: { patientId, facilityId, unlinkedAt: null }, select: { id: true, linkedAt: true, publicationChangedAt: true } });

/** "name　time" rows of a notice's 公開日時 / 名寄せ日時 tables. */
const rows = (entries: [string, Date][]) => entries.map(([name, at]) => `${name}　${formatNoticeDateTime(at)}`);

async function appError(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}

/* ---- the seed's story: registered at A and B, C added later, C withdrawn ---- */

describe("publication notices (seed 004 ④)", () => {
  const person = { nameKanji: "テスト一太郎", nameKana: "テスト イチタロウ", birthDate: "1957/12/01" };
  let patient: { id: string; regionalId: string };

  it("registration with comprehensive consent at A and B sends each desk the first notice with its own fields", async () => {
    patient = await register(person, { [A]: "00111", [B]: "B-2201" });
    const [la, lb] = await Promise.all([linkOf(patient.id, A), linkOf(patient.id, B)]);

    const [a1] = await noticesOf(liaisonA1.userId, patient.regionalId);
    expect(await noticesOf(liaisonA1.userId, patient.regionalId)).toHaveLength(1);
    expect(a1).toMatchObject({ kind: "PUBLICATION_NOTICE", subject: PUBLICATION_SUBJECT, senderId: null });
    expect(a1!.body).toBe(
      [
        FIRST_LEAD,
        "",
        `地域患者ID：${patient.regionalId}`,
        "施設患者ID：00111",
        "氏名：テスト一太郎",
        "カナ氏名：テスト イチタロウ",
        "生年月日：1957/12/1",
        "自施設：香川テスト病院",
        "患者同意施設：サンプル薬局",
        "",
        "公開日時：",
        ...rows([["サンプル薬局", lb.linkedAt]]),
        "",
        "名寄せ日時：",
        ...rows([["サンプル薬局", lb.linkedAt]]),
        "",
        NOTE,
      ].join("\n"),
    );
    // both of A's liaison staff get the same message; A's clinician and retired liaison nothing
    expect(await noticesOf(liaisonA2.userId, patient.regionalId)).toEqual([a1]);
    expect(await noticesOf(clinicianA.userId, patient.regionalId)).toEqual([]);
    expect(await noticesOf(retiredA, patient.regionalId)).toEqual([]);

    // B's desk: B's own ID for the patient, B as 自施設, A as the consented facility
    const [b1] = await noticesOf(liaisonB.userId, patient.regionalId);
    expect(b1!.kind).toBe("PUBLICATION_NOTICE");
    expect(b1!.body.split("\n").slice(3, 16)).toEqual([
      "施設患者ID：B-2201",
      "氏名：テスト一太郎",
      "カナ氏名：テスト イチタロウ",
      "生年月日：1957/12/1",
      "自施設：サンプル薬局",
      "患者同意施設：香川テスト病院",
      "",
      "公開日時：",
      ...rows([["香川テスト病院", la.linkedAt]]),
      "",
      "名寄せ日時：",
      ...rows([["香川テスト病院", la.linkedAt]]),
      "",
    ]);
    // B has liaison staff: its administrator is not the desk
    expect(await noticesOf(adminB.userId, patient.regionalId)).toEqual([]);
  });

  it("linking C later sends C the first notice and A and B the notice that a facility was added", async () => {
    expect(await getPatientPage(clinicianC, patient.id).catch((e: AppError) => e.code)).toBe("NOT_FOUND");
    await linkFacilityPatient(liaisonA1, ZAddLink.parse({ patientId: patient.id, facilityId: C, facilityPatientId: "C-77" }));
    const [la, lb, lc] = await Promise.all([linkOf(patient.id, A), linkOf(patient.id, B), linkOf(patient.id, C)]);

    // C has no liaison staff: its administrator receives the first notice
    const [c1, ...cMore] = await noticesOf(adminC.userId, patient.regionalId);
    expect(cMore).toEqual([]);
    expect(c1!.kind).toBe("PUBLICATION_NOTICE");
    expect(c1!.body).toContain("\n施設患者ID：C-77\n");
    expect(c1!.body).toContain("\n自施設：●●病院\n患者同意施設：香川テスト病院・サンプル薬局\n");
    expect(c1!.body).toContain(["公開日時：", ...rows([["香川テスト病院", la.linkedAt], ["サンプル薬局", lb.linkedAt]])].join("\n"));

    expect(await kindsOf(liaisonA1.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_ADDED"]);
    expect(await kindsOf(liaisonA2.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_ADDED"]);
    expect(await kindsOf(liaisonB.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_ADDED"]);
    const a2 = (await noticesOf(liaisonA1.userId, patient.regionalId))[1]!;
    expect(a2.subject).toBe(PUBLICATION_SUBJECT);
    expect(a2.body).toBe(
      [
        ADDED_LEAD,
        "",
        `地域患者ID：${patient.regionalId}`,
        "施設患者ID：00111",
        "氏名：テスト一太郎",
        "カナ氏名：テスト イチタロウ",
        "生年月日：1957/12/1",
        "自施設：香川テスト病院",
        "患者同意施設：サンプル薬局・●●病院",
        "",
        "公開日時：",
        ...rows([["サンプル薬局", lb.linkedAt], ["●●病院", lc.linkedAt]]),
        "",
        "名寄せ日時：",
        ...rows([["サンプル薬局", lb.linkedAt], ["●●病院", lc.linkedAt]]),
        "",
        NOTE,
      ].join("\n"),
    );
    expect((await noticesOf(liaisonB.userId, patient.regionalId))[1]!.body).toContain("\n自施設：サンプル薬局\n患者同意施設：香川テスト病院・●●病院\n");
    // C's clinician now sees the patient (the notice did not do that: the link and the consent did)
    expect((await getPatientPage(clinicianC, patient.id)).canSeeRecords).toBe(true);
  });

  it("withdrawal for C sends nothing, and the notice C received grants nothing", async () => {
    const before = await systemMessageCount();
    await consent(patient.id, withdrawFor([C]));
    expect(await systemMessageCount()).toBe(before);
    expect(await noticesOf(adminC.userId, patient.regionalId)).toHaveLength(1);

    // C's desk holds a notice naming the patient, yet neither it nor C's clinician finds the patient
    for (const v of [adminC, clinicianC]) {
      expect((await appError(getPatientPage(v, patient.id))).code).toBe("NOT_FOUND");
      expect((await searchPatients(v, ZPatientSearch.parse({ regionalId: patient.regionalId }))).rows).toEqual([]);
    }
    // A and B still do
    expect((await getPatientPage(clinicianA, patient.id)).canSeeRecords).toBe(true);
  });

  it("re-consent for C sends C the first notice again and the others the added notice", async () => {
    await consent(patient.id, { ...form6, action: "GRANT", scope: "FACILITIES", facilityIds: [C], consentDate: today() });
    expect(await kindsOf(adminC.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_NOTICE"]);
    expect(await kindsOf(liaisonB.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_ADDED", "PUBLICATION_ADDED"]);
    // shared again from the re-consent, not from the link: 公開日時 moves, 名寄せ日時 stays
    const lc = await linkOf(patient.id, C);
    const period = await db().linkConsentPeriod.findFirstOrThrow({ where: { linkId: lc.id, validTo: null }, select: { validFrom: true } });
    const body = (await noticesOf(liaisonB.userId, patient.regionalId))[2]!.body;
    expect(body).toContain(rows([["●●病院", period.validFrom]])[0]);
    expect(body).toContain(`名寄せ日時：\n${rows([["香川テスト病院", (await linkOf(patient.id, A)).linkedAt]])[0]}\n${rows([["●●病院", lc.linkedAt]])[0]}\n`);
  });

  it("publication state: 非公開 and 閲覧のみ send nothing; published again, B is told as if first", async () => {
    const lb = await linkOf(patient.id, B);
    const count = await systemMessageCount();
    await publish(lb.id, "UNPUBLISHED");
    expect(await systemMessageCount()).toBe(count);
    await publish(lb.id, "VIEW_ONLY");
    expect(await kindsOf(liaisonB.userId, patient.regionalId)).toEqual(["PUBLICATION_NOTICE", "PUBLICATION_ADDED", "PUBLICATION_ADDED", "PUBLICATION_NOTICE"]);
    // A is told that B shares again, from when B's state was set
    const viewOnly = await linkOf(patient.id, B);
    const a = (await noticesOf(liaisonA1.userId, patient.regionalId)).at(-1)!;
    expect(a.kind).toBe("PUBLICATION_ADDED");
    expect(a.body).toContain(`公開日時：\n${rows([["●●病院", (await db().linkConsentPeriod.findFirstOrThrow({ where: { link: { patientId: patient.id, facilityId: C }, validTo: null } })).validFrom]])[0]}\n${rows([["サンプル薬局", viewOnly.publicationChangedAt!]])[0]}\n`);
    const after = await systemMessageCount();
    // 閲覧のみ → 公開: B saw the patient all along, nobody is told
    await publish(lb.id, "PUBLISHED");
    expect(await systemMessageCount()).toBe(after);
  });

  it("registration without consent sends nothing; the consent recorded later sends the first notices", async () => {
    const count = await systemMessageCount();
    const p = await register({ nameKanji: "見本 次郎", nameKana: "ミホン ジロウ", birthDate: "1948/02/06" }, { [A]: "00222", [B]: "B-3301" }, null);
    expect(await systemMessageCount()).toBe(count);
    await consent(p.id, grantAll);
    expect(await kindsOf(liaisonA1.userId, p.regionalId)).toEqual(["PUBLICATION_NOTICE"]);
    expect(await kindsOf(liaisonB.userId, p.regionalId)).toEqual(["PUBLICATION_NOTICE"]);
    expect(await kindsOf(adminC.userId, p.regionalId)).toEqual([]);
  });

  it("a refused link sends nothing; a facility alone is told with no other facility listed", async () => {
    const count = await systemMessageCount();
    // C's ID is already taken by the first patient: the link is refused
    await expect(linkFacilityPatient(liaisonA1, ZAddLink.parse({ patientId: patient.id, facilityId: C, facilityPatientId: "C-77" }))).rejects.toThrow();
    const other = await register({ nameKanji: "別人 三郎", nameKana: "ベツジン サブロウ", birthDate: "1960/03/03" }, { [A]: "00333" });
    const moreAfterRegistration = await systemMessageCount();
    expect(moreAfterRegistration).toBe(count + 1); // A alone: its desk is told, with no other facility yet
    expect((await noticesOf(liaisonA1.userId, other.regionalId))[0]!.body).toContain("\n患者同意施設：なし\n");
    await expect(linkFacilityPatient(liaisonA1, ZAddLink.parse({ patientId: other.id, facilityId: C, facilityPatientId: "C-77" }))).rejects.toThrow(AppError);
    expect(await systemMessageCount()).toBe(moreAfterRegistration);
  });
});

/* ---- password reminders ---- */

describe("password-expiry reminders", () => {
  // a fixed moment, before every other user's password change in this file
  const now = new Date("2026-03-10T00:00:00Z");
  const remindersOf = (userId: string) =>
    db().messageRecipient.findMany({
      where: { userId, message: { systemKind: "PASSWORD_EXPIRY" } },
      select: { message: { select: { subject: true, body: true, senderId: true, sentAt: true } } },
    });

  it("reminds once per password those whose password expires within the warning period", async () => {
    expect(env().PASSWORD_MAX_AGE_MONTHS).toBe(2);
    expect(env().PASSWORD_EXPIRY_WARNING_DAYS).toBe(14);
    const changed = (iso: string) => new Date(iso);
    const [soon, later, expired, retired] = await Promise.all([
      createStaff({ facilityId: A, passwordChangedAt: changed("2026-01-15T00:00:00Z") }), // expires 3/15
      createStaff({ facilityId: A, passwordChangedAt: changed("2026-02-10T00:00:00Z") }), // expires 4/10
      createStaff({ facilityId: B, passwordChangedAt: changed("2025-12-01T00:00:00Z") }), // expired 2/1
      createStaff({ facilityId: B, passwordChangedAt: changed("2026-01-15T00:00:00Z"), isRetired: true }),
    ]);
    expect(passwordExpiresAt(soon.user.passwordChangedAt, 2)).toEqual(new Date("2026-03-15T00:00:00Z"));

    expect(await sendPasswordExpiryReminders(db(), now)).toBe(1);
    const [r] = await remindersOf(soon.user.id);
    expect(r!.message).toMatchObject({ subject: PASSWORD_EXPIRY_SUBJECT, senderId: null, sentAt: now });
    expect(r!.message.body).toContain("有効期限：2026/3/15 9:00");
    expect(r!.message.body).not.toMatch(/患者|地域患者ID/);
    for (const u of [later, expired, retired]) expect(await remindersOf(u.user.id)).toEqual([]);

    // the next day: nothing new for the same password
    expect(await sendPasswordExpiryReminders(db(), new Date(now.getTime() + 86_400_000))).toBe(0);
    expect(await remindersOf(soon.user.id)).toHaveLength(1);

    // the password changed after the reminder (expires 5/11): its own reminder when it nears its end
    await db().staffUser.update({ where: { id: soon.user.id }, data: { passwordChangedAt: changed("2026-03-11T00:00:00Z") } });
    expect(await sendPasswordExpiryReminders(db(), new Date("2026-04-20T00:00:00Z"))).toBe(0);
    expect(await sendPasswordExpiryReminders(db(), new Date("2026-05-01T00:00:00Z"))).toBe(1);
    expect(await remindersOf(soon.user.id)).toHaveLength(2);

    // two runs at once (two app nodes) still send one
    await db().staffUser.update({ where: { id: later.user.id }, data: { passwordChangedAt: changed("2026-01-22T00:00:00Z") } /* expires 3/22 */ });
    const both = await Promise.all([sendPasswordExpiryReminders(db(), now), sendPasswordExpiryReminders(db(), now)]);
    expect(both[0] + both[1]).toBe(1);
    expect(await remindersOf(later.user.id)).toHaveLength(1);
  });
});

describe("EMS notice", () => {
  it("goes to the disclosing facility's desk at once, as a system message that cannot be replied to", async () => {
    const at = new Date();
    const patient = await register({ nameKanji: "救急 一郎", nameKana: "キュウキュウ イチロウ", birthDate: "1950-04-01" }, { [A]: "EMS-1" });
    const id = await db().$transaction((tx) =>
      sendEmsNotice(tx, A, patient.id, { facilityPatientId: "EMS-1", viewerName: "救急 太郎", viewerFacilityName: "サンプル薬局", at, reason: "救急搬送", consent: "家族から口頭で取得" }),
    );
    expect(id).not.toBeNull();
    const m = await db().secureMessage.findUniqueOrThrow({ where: { id: id! }, select: { senderId: true, systemKind: true, subject: true, body: true, patientId: true, recipients: { select: { userId: true } } } });
    // it names the patient, so opening it is logged as an identity read
    expect(m).toMatchObject({ senderId: null, systemKind: "EMS_NOTICE", subject: EMS_SUBJECT, patientId: patient.id });
    expect(m.body).toContain("施設患者ID：EMS-1");
    // A's desk is its liaison staff (not its clinician, not the retired one)
    expect(m.recipients.map((r) => r.userId).sort()).toEqual([liaisonA1.userId, liaisonA2.userId].sort());
  });
});
