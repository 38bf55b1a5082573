import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { verifySecret } from "@/lib/auth/hash";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, fieldErrorsOf, type TActionResult } from "@/lib/errors";
import { createFacility, isUniqueViolation, updateFacility } from "@/lib/facilities/mutations";
import { getFacility, listFacilities, listFacilityOptions } from "@/lib/facilities/queries";
import { ZFacility } from "@/lib/facilities/schema";
import { createStaff, reinstateStaff, resetStaffPassword, retireStaff, updateStaff } from "@/lib/staff/mutations";
import { getProfile, getStaff, listFacilityStaff, searchStaff } from "@/lib/staff/queries";
import { ZCreateStaff, ZStaffSearch, ZUpdateStaff } from "@/lib/staff/schema";
import {
  createFacility as makeFacility,
  createStaff as makeStaff,
  DEMO_SECRET_QUESTION,
  viewerFor,
} from "@/tests/fixtures/factories";

/** Runs a data function and returns the AppError it must throw. */
async function appError(run: Promise<unknown>): Promise<AppError> {
  try {
    await run;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected an AppError");
}

/** What a thin server action does: parse with the domain schema, then call the mutation. */
async function act<TIn, TOut>(
  schema: { safeParse: (v: unknown) => { success: true; data: TIn } | { success: false; error: Parameters<typeof fieldErrorsOf>[0] } },
  form: unknown,
  mutate: (input: TIn) => Promise<TOut>,
): Promise<TActionResult<TOut>> {
  const parsed = schema.safeParse(form);
  if (!parsed.success) return { ok: false, code: "VALIDATION", fieldErrors: fieldErrorsOf(parsed.error) };
  try {
    return { ok: true, data: await mutate(parsed.data) };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, code: e.code, fieldErrors: e.fieldErrors };
    throw e;
  }
}

/** A form as an action receives it (Object.fromEntries of FormData, checkboxes as "on"). */
type TForm = Record<string, unknown>;

let n = 0;
const unique = () => `${Date.now().toString(36).slice(-5)}${++n}`;

function facilityForm(patch: TForm = {}): TForm {
  const u = unique();
  return {
    code: `N${u}`.slice(0, 16),
    domain: `new-${u}`.toLowerCase(),
    nameKanji: `新規病院${u}`,
    nameKana: "シンキ ビョウイン",
    type: "HOSPITAL",
    isDisclosing: "on",
    isViewing: "on",
    isActive: "on",
    ...patch,
  };
}

const parseFacility = (patch: TForm = {}) => ZFacility.parse(facilityForm(patch));

function staffForm(facilityId: string, patch: TForm = {}): TForm {
  return {
    facilityId,
    loginId: `staff.${unique()}`,
    nameKanji: "佐藤 一郎",
    nameKana: "サトウ イチロウ",
    qualification: "DOCTOR",
    roles: "CLINICIAN",
    ...patch,
  };
}

const parseStaff = (facilityId: string, patch: TForm = {}) => ZCreateStaff.parse(staffForm(facilityId, patch));

const storedHash = async (userId: string) =>
  (await db().staffUser.findUniqueOrThrow({ where: { id: userId }, omit: { passwordHash: false } })).passwordHash;

let secretariat: TViewer;
let adminA: TViewer;
let clinicianA: TViewer;
let clinicianB: TViewer;
let facilityA: { id: string };
let facilityB: { id: string };

beforeAll(async () => {
  const office = await makeFacility({ type: "SECRETARIAT", nameKanji: "地域連携ネットワーク事務局" });
  facilityA = await makeFacility({ nameKanji: "施設A病院" });
  facilityB = await makeFacility({ nameKanji: "施設B診療所", type: "CLINIC" });
  secretariat = await viewerFor((await makeStaff({ facilityId: office.id, roles: ["SECRETARIAT"], qualification: "CLERK" })).user);
  adminA = await viewerFor((await makeStaff({ facilityId: facilityA.id, roles: ["FACILITY_ADMIN", "CLINICIAN"] })).user);
  clinicianA = await viewerFor((await makeStaff({ facilityId: facilityA.id, roles: ["CLINICIAN"] })).user);
  clinicianB = await viewerFor((await makeStaff({ facilityId: facilityB.id, roles: ["CLINICIAN"] })).user);
});

describe("facility register", () => {
  it("the secretariat creates and updates a facility", async () => {
    const input = ZFacility.parse(
      facilityForm({
        code: "Ｃ１００",
        medicalInstitutionCode: "１３１００００００１",
        domain: "Central-HP",
        nameKanji: "中央総合病院",
        nameKana: "ﾁｭｳｵｳ ｿｳｺﾞｳ ﾋﾞｮｳｲﾝ",
        postalCode: "1000001",
        isCoreHospital: "on",
      }),
    );
    const { id } = await createFacility(secretariat, input);

    const created = await getFacility(clinicianA, id);
    expect(created).toMatchObject({
      code: "C100",
      medicalInstitutionCode: "1310000001",
      domain: "central-hp",
      nameKanji: "中央総合病院",
      nameKana: "チュウオウ ソウゴウ ビョウイン",
      postalCode: "100-0001",
      isDisclosing: true,
      isViewing: true,
      isCoreHospital: true,
      isActive: true,
      staffCount: 0,
    });

    await updateFacility(secretariat, id, { ...input, nameKanji: "中央総合医療センター", isDisclosing: false, phone: "03-1111-2222" });
    expect(await getFacility(secretariat, id)).toMatchObject({ nameKanji: "中央総合医療センター", isDisclosing: false, phone: "03-1111-2222" });
  });

  it("finds facilities by kanji, hiragana kana, code and medical institution code", async () => {
    const { id } = await createFacility(
      secretariat,
      parseFacility({ code: "Q777", medicalInstitutionCode: "2710000077", nameKanji: "みなと薬局", nameKana: "ミナト ヤッキョク", type: "PHARMACY" }),
    );
    for (const q of ["みなと", "みなと やっきょく", "ヤッキョク", "q777", "2710000077"]) {
      expect((await listFacilities(clinicianB, { q })).map((f) => f.id), q).toContain(id);
    }
    expect((await listFacilities(clinicianB, { type: "PHARMACY" })).map((f) => f.id)).toContain(id);
    expect((await listFacilities(clinicianB, { q: "みなと", type: "HOSPITAL" })).map((f) => f.id)).not.toContain(id);
    const codes = (await listFacilities(clinicianB)).map((f) => f.code);
    expect(codes).toEqual([...codes].sort());
  });

  it.each([
    ["code", (taken: { code: string }) => ({ code: taken.code.toLowerCase() }), "v.facility.code.taken"],
    ["domain", (taken: { domain: string }) => ({ domain: taken.domain }), "v.facility.domain.taken"],
    [
      "medicalInstitutionCode",
      (taken: { medicalInstitutionCode: string | null }) => ({ medicalInstitutionCode: taken.medicalInstitutionCode }),
      "v.facility.medicalInstitutionCode.taken",
    ],
  ] as const)("refuses a duplicate %s and saves nothing", async (field, clash, key) => {
    const taken = await makeFacility({ code: `T${unique()}`.slice(0, 16), medicalInstitutionCode: `99${Date.now().toString().slice(-8)}` });
    const before = await db().facility.count();

    const error = await appError(createFacility(secretariat, parseFacility(clash(taken))));
    expect(error.code).toBe("VALIDATION");
    expect(error.fieldErrors).toEqual({ [field]: [key] });
    expect(await db().facility.count()).toBe(before);

    // Editing another facility into the same value is refused the same way, and changes nothing.
    const other = await makeFacility();
    const edit = await appError(updateFacility(secretariat, other.id, parseFacility(clash(taken))));
    expect(edit.fieldErrors).toEqual({ [field]: [key] });
    expect(await db().facility.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ code: other.code, domain: other.domain });
  });

  it("keeps a facility's own values when it is saved again", async () => {
    const { id } = await createFacility(secretariat, parseFacility({ medicalInstitutionCode: "0110000001" }));
    const row = await getFacility(secretariat, id);
    await expect(
      updateFacility(secretariat, id, parseFacility({ code: row.code, domain: row.domain, medicalInstitutionCode: row.medicalInstitutionCode })),
    ).resolves.toBeUndefined();
  });

  it("reports a duplicate saved concurrently as a field error too", async () => {
    const code = `R${unique()}`.slice(0, 16);
    const results = await Promise.allSettled([
      createFacility(secretariat, parseFacility({ code })),
      createFacility(secretariat, parseFacility({ code })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(AppError);
    expect((rejected.reason as AppError).fieldErrors).toEqual({ code: ["v.facility.code.taken"] });
    expect(await db().facility.count({ where: { code } })).toBe(1);
  });

  it("recognizes the database's unique violation (the race the checks cannot see)", async () => {
    const taken = await makeFacility();
    const error = await db()
      .facility.create({ data: { ...parseFacility(), code: taken.code } })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(new Error("other"))).toBe(false);
  });

  it("only the secretariat manages the register", async () => {
    const before = await db().facility.count();
    expect((await appError(createFacility(clinicianA, parseFacility()))).code).toBe("FORBIDDEN");
    expect((await appError(createFacility(adminA, parseFacility()))).code).toBe("FORBIDDEN");
    expect((await appError(updateFacility(adminA, facilityA.id, parseFacility()))).code).toBe("FORBIDDEN");
    expect(await db().facility.count()).toBe(before);
  });

  it("answers NOT_FOUND for unknown facilities", async () => {
    expect((await appError(getFacility(clinicianA, crypto.randomUUID()))).code).toBe("NOT_FOUND");
    expect((await appError(getFacility(clinicianA, "not-a-uuid"))).code).toBe("NOT_FOUND");
    expect((await appError(updateFacility(secretariat, crypto.randomUUID(), parseFacility()))).code).toBe("NOT_FOUND");
  });

  it("shows facilities that left the network to the secretariat only", async () => {
    const gone = await makeFacility({ isActive: false, nameKanji: "閉院した病院" });
    expect((await listFacilities(clinicianA)).map((f) => f.id)).not.toContain(gone.id);
    expect((await listFacilityOptions(clinicianA)).map((f) => f.id)).not.toContain(gone.id);
    expect((await appError(getFacility(clinicianA, gone.id))).code).toBe("NOT_FOUND");
    expect((await listFacilities(secretariat)).map((f) => f.id)).toContain(gone.id);
    expect((await getFacility(secretariat, gone.id)).isActive).toBe(false);
    expect((await listFacilityOptions(secretariat)).map((f) => f.id)).not.toContain(gone.id);
  });

  it("counts the staff who have not retired", async () => {
    const f = await makeFacility();
    await makeStaff({ facilityId: f.id });
    await makeStaff({ facilityId: f.id });
    await makeStaff({ facilityId: f.id, isRetired: true });
    expect((await getFacility(clinicianB, f.id)).staffCount).toBe(2);
    expect((await listFacilities(clinicianB, { q: f.code })).find((r) => r.id === f.id)?.staffCount).toBe(2);
  });

  it("lists facility options as id, code and name", async () => {
    const options = await listFacilityOptions(clinicianB);
    expect(options.length).toBeGreaterThan(0);
    expect(Object.keys(options[0]!).sort()).toEqual(["code", "id", "nameKanji"]);
  });

  it("the secretariat cannot switch off its own facility", async () => {
    const own = await getFacility(secretariat, secretariat.facilityId);
    const error = await appError(updateFacility(secretariat, own.id, { ...parseFacility({ code: own.code, domain: own.domain }), isActive: false }));
    expect(error.fieldErrors).toEqual({ isActive: ["v.facility.isActive.self"] });
  });

  it("bad input stops at the schema and saves nothing", async () => {
    const before = await db().facility.count();
    const result = await act(ZFacility, facilityForm({ code: "施設-1", nameKana: "ひらがな", isDisclosing: undefined, isViewing: undefined }), (input) =>
      createFacility(secretariat, input),
    );
    expect(result).toEqual({
      ok: false,
      code: "VALIDATION",
      fieldErrors: { code: ["v.facility.code.format"], nameKana: ["v.nameKana.katakana"], isViewing: ["v.facility.isViewing.oneRequired"] },
    });
    expect(await db().facility.count()).toBe(before);
  });
});

describe("staff administration", () => {
  it("a facility admin creates an account with a working temporary password", async () => {
    const input = parseStaff(facilityA.id, { roles: ["CLINICIAN", "LIAISON"], hasEmsPrivilege: "on", email: "ichiro@a.example.jp" });
    const { id, temporaryPassword } = await createStaff(adminA, input);

    expect(await verifySecret(await storedHash(id), temporaryPassword)).toBe(true);
    const history = await db().passwordHistory.findMany({ where: { userId: id }, omit: { passwordHash: false } });
    expect(history).toHaveLength(1);
    expect(await verifySecret(history[0]!.passwordHash, temporaryPassword)).toBe(true);

    const staff = await getStaff(adminA, id);
    expect(staff).toMatchObject({
      loginId: input.loginId,
      facilityId: facilityA.id,
      facilityName: "施設A病院",
      roles: ["CLINICIAN", "LIAISON"],
      hasEmsPrivilege: true,
      email: "ichiro@a.example.jp",
      mustChangePassword: true,
      isRetired: false,
      lockedUntil: null,
    });
    expect(staff).not.toHaveProperty("passwordHash");
    expect(staff).not.toHaveProperty("secretAnswerHash");
    expect((await listFacilityStaff(adminA, facilityA.id)).map((s) => s.id)).toContain(id);
  });

  it("a facility admin cannot create staff at another facility", async () => {
    const before = await db().staffUser.count();
    const error = await appError(createStaff(adminA, parseStaff(facilityB.id)));
    expect(error.code).toBe("FORBIDDEN");
    expect(await db().staffUser.count()).toBe(before);
  });

  it("another facility's staff are out of a facility admin's sight", async () => {
    const { user: atB } = await makeStaff({ facilityId: facilityB.id });
    expect((await appError(listFacilityStaff(adminA, facilityB.id))).code).toBe("FORBIDDEN");
    expect((await appError(getStaff(adminA, atB.id))).code).toBe("NOT_FOUND");
    expect((await appError(updateStaff(adminA, atB.id, ZUpdateStaff.parse(staffForm(facilityB.id))))).code).toBe("NOT_FOUND");
    expect((await appError(retireStaff(adminA, atB.id))).code).toBe("NOT_FOUND");
    expect((await appError(reinstateStaff(adminA, atB.id))).code).toBe("NOT_FOUND");
    expect((await appError(resetStaffPassword(adminA, atB.id))).code).toBe("NOT_FOUND");
    expect((await appError(getStaff(adminA, crypto.randomUUID()))).code).toBe("NOT_FOUND");
    expect(await db().staffUser.findUniqueOrThrow({ where: { id: atB.id } })).toMatchObject({ isRetired: false, mustChangePassword: false });
    // The secretariat manages every facility's staff.
    expect((await getStaff(secretariat, atB.id)).id).toBe(atB.id);
    expect((await listFacilityStaff(secretariat, facilityB.id)).map((s) => s.id)).toContain(atB.id);
  });

  it("staff administration is closed to users without an admin role", async () => {
    const before = await db().staffUser.count();
    expect((await appError(createStaff(clinicianA, parseStaff(facilityA.id)))).code).toBe("FORBIDDEN");
    expect((await appError(listFacilityStaff(clinicianA, facilityA.id))).code).toBe("FORBIDDEN");
    expect((await appError(getStaff(clinicianA, adminA.userId))).code).toBe("FORBIDDEN");
    expect((await appError(retireStaff(clinicianA, adminA.userId))).code).toBe("FORBIDDEN");
    expect((await appError(resetStaffPassword(clinicianA, adminA.userId))).code).toBe("FORBIDDEN");
    expect(await db().staffUser.count()).toBe(before);
  });

  it("only the secretariat grants the secretariat role", async () => {
    const before = await db().staffUser.count();
    const error = await appError(createStaff(adminA, parseStaff(facilityA.id, { roles: ["CLINICIAN", "SECRETARIAT"] })));
    expect(error.code).toBe("VALIDATION");
    expect(error.fieldErrors).toEqual({ roles: ["v.staff.roles.secretariatOnly"] });
    expect(await db().staffUser.count()).toBe(before);

    const { user } = await makeStaff({ facilityId: facilityA.id, roles: ["CLINICIAN"] });
    const edit = await appError(updateStaff(adminA, user.id, ZUpdateStaff.parse({ ...staffForm(facilityA.id), roles: ["SECRETARIAT"] })));
    expect(edit.fieldErrors).toEqual({ roles: ["v.staff.roles.secretariatOnly"] });
    expect((await db().staffUser.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual(["CLINICIAN"]);

    const granted = await createStaff(secretariat, parseStaff(facilityA.id, { roles: ["SECRETARIAT"] }));
    expect((await getStaff(secretariat, granted.id)).roles).toEqual(["SECRETARIAT"]);
  });

  it("a secretariat account is the secretariat's to manage", async () => {
    const { user } = await makeStaff({ facilityId: facilityA.id, roles: ["SECRETARIAT"] });
    expect((await appError(resetStaffPassword(adminA, user.id))).code).toBe("FORBIDDEN");
    expect((await appError(retireStaff(adminA, user.id))).code).toBe("FORBIDDEN");
    expect(await db().staffUser.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({ isRetired: false, mustChangePassword: false });
  });

  it("refuses a login ID already in use, whatever its case", async () => {
    const { user } = await makeStaff({ facilityId: facilityB.id, loginId: `taken.${unique()}` });
    const before = await db().staffUser.count();
    for (const loginId of [user.loginId, user.loginId.toUpperCase()]) {
      const error = await appError(createStaff(adminA, parseStaff(facilityA.id, { loginId })));
      expect(error.code).toBe("VALIDATION");
      expect(error.fieldErrors).toEqual({ loginId: ["v.staff.loginId.taken"] });
    }
    expect(await db().staffUser.count()).toBe(before);
  });

  it("updates an account's details", async () => {
    const { user } = await makeStaff({ facilityId: facilityA.id });
    await updateStaff(
      adminA,
      user.id,
      ZUpdateStaff.parse({ nameKanji: "鈴木 次郎", nameKana: "ｽｽﾞｷ ｼﾞﾛｳ", qualification: "PHARMACIST", roles: ["LIAISON"], email: "jiro@a.example.jp" }),
    );
    expect(await getStaff(adminA, user.id)).toMatchObject({
      loginId: user.loginId,
      nameKanji: "鈴木 次郎",
      nameKana: "スズキ ジロウ",
      qualification: "PHARMACIST",
      roles: ["LIAISON"],
      hasEmsPrivilege: false,
      email: "jiro@a.example.jp",
    });
  });

  it("retiring ends the user's sessions and sets the flags; reinstating clears them", async () => {
    const { user } = await makeStaff({ facilityId: facilityA.id, nameKana: "タイショク タロウ" });
    await viewerFor(user, "serial-1");
    await viewerFor(user, "serial-2");
    const otherSession = await viewerFor({ id: clinicianA.userId });

    await retireStaff(adminA, user.id);
    const retired = await getStaff(adminA, user.id);
    expect(retired.isRetired).toBe(true);
    expect(retired.retiredAt).toBeInstanceOf(Date);
    const sessions = await db().userSession.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(2);
    for (const s of sessions) {
      expect(s.endedAt).toBeInstanceOf(Date);
      expect(s.endReason).toBe("RETIRED");
    }
    expect((await db().userSession.findUniqueOrThrow({ where: { id: otherSession.sessionId } })).endedAt).toBeNull();

    // Retiring again keeps the first date.
    await retireStaff(adminA, user.id);
    expect((await getStaff(adminA, user.id)).retiredAt).toEqual(retired.retiredAt);

    await reinstateStaff(adminA, user.id);
    expect(await getStaff(adminA, user.id)).toMatchObject({ isRetired: false, retiredAt: null });
  });

  it("an admin does not retire or reset themselves here", async () => {
    for (const run of [retireStaff(adminA, adminA.userId), resetStaffPassword(adminA, adminA.userId)]) {
      const error = await appError(run);
      expect(error.code).toBe("VALIDATION");
      expect(error.fieldErrors).toEqual({ _form: ["v.staff.self"] });
    }
    expect(await db().staffUser.findUniqueOrThrow({ where: { id: adminA.userId } })).toMatchObject({ isRetired: false, mustChangePassword: false });
  });

  it("a password reset sets a temporary password, unlocks, ends sessions and is recorded", async () => {
    const { user, password } = await makeStaff({ facilityId: facilityA.id });
    await db().staffUser.update({ where: { id: user.id }, data: { failedSignInCount: 4, lockedUntil: new Date(Date.now() + 3_600_000) } });
    const session = await viewerFor(user);

    const { temporaryPassword } = await resetStaffPassword(adminA, user.id);

    const hash = await storedHash(user.id);
    expect(await verifySecret(hash, temporaryPassword)).toBe(true);
    expect(await verifySecret(hash, password)).toBe(false);
    expect(await db().staffUser.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      mustChangePassword: true,
      failedSignInCount: 0,
      lockedUntil: null,
    });
    expect((await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId } })).endedAt).toBeInstanceOf(Date);
    const events = await db().signInEvent.findMany({ where: { userId: user.id, kind: "PASSWORD_RESET_BY_ADMIN" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ loginId: user.loginId, facilityId: facilityA.id, detail: `by ${adminA.loginId}`, certSerial: adminA.certSerial });
    expect(await db().passwordHistory.count({ where: { userId: user.id } })).toBe(2);
  });

  it("bad input stops at the schema and saves nothing", async () => {
    const before = await db().staffUser.count();
    const result = await act(ZCreateStaff, staffForm(facilityA.id, { loginId: "x", nameKana: "さとう", roles: [] }), (input) =>
      createStaff(adminA, input),
    );
    expect(result).toEqual({
      ok: false,
      code: "VALIDATION",
      fieldErrors: { loginId: ["v.staff.loginId.format"], nameKana: ["v.nameKana.katakana"], roles: ["v.staff.roles.required"] },
    });
    expect(await db().staffUser.count()).toBe(before);
  });
});

describe("staff search and profile", () => {
  it("finds staff by hiragana kana across the network and leaves retired staff out by default", async () => {
    const { user: hanako } = await makeStaff({ facilityId: facilityA.id, nameKanji: "山田 花子", nameKana: "ヤマダ ハナコ", email: "hanako@a.example.jp" });
    const { user: retired } = await makeStaff({ facilityId: facilityA.id, nameKanji: "山田 花江", nameKana: "ヤマダ ハナエ", isRetired: true });

    const found = await searchStaff(clinicianB, ZStaffSearch.parse({ q: "やまだ　はな" }));
    expect(found.rows.map((r) => r.id)).toEqual([hanako.id]);
    expect(found.total).toBe(1);
    expect(found.rows[0]).toEqual({
      id: hanako.id,
      loginId: hanako.loginId,
      nameKanji: "山田 花子",
      nameKana: "ヤマダ ハナコ",
      qualification: "DOCTOR",
      facilityName: "施設A病院",
      roles: ["CLINICIAN"],
      isRetired: false,
    });

    const withRetired = await searchStaff(clinicianB, ZStaffSearch.parse({ q: "ﾔﾏﾀﾞ", includeRetired: "on" }));
    expect(withRetired.rows.map((r) => r.id).sort()).toEqual([hanako.id, retired.id].sort());

    expect((await searchStaff(clinicianB, ZStaffSearch.parse({ q: "山田 花子" }))).rows.map((r) => r.id)).toEqual([hanako.id]);
    expect((await searchStaff(clinicianB, ZStaffSearch.parse({ q: hanako.loginId.toUpperCase() }))).rows.map((r) => r.id)).toEqual([hanako.id]);
    expect((await searchStaff(clinicianB, ZStaffSearch.parse({ q: "やまだ", facilityId: facilityB.id }))).total).toBe(0);
    expect((await searchStaff(clinicianB, ZStaffSearch.parse({ q: "やまだ", qualification: "NURSE" }))).total).toBe(0);
  });

  it("pages results by 20", async () => {
    const f = await makeFacility();
    await db().staffUser.createMany({
      data: Array.from({ length: 23 }, (_, i) => ({
        facilityId: f.id,
        loginId: `page.${unique()}.${i}`,
        nameKanji: `頁 ${i}`,
        nameKana: `ページ ${String.fromCharCode(0x30a2 + i)}`,
        qualification: "NURSE" as const,
        roles: ["CLINICIAN" as const],
        passwordHash: "not-a-real-hash",
      })),
    });
    const first = await searchStaff(clinicianA, ZStaffSearch.parse({ facilityId: f.id }));
    const second = await searchStaff(clinicianA, ZStaffSearch.parse({ facilityId: f.id, page: "2" }));
    expect(first).toMatchObject({ total: 23, page: 1, pageSize: 20 });
    expect(first.rows).toHaveLength(20);
    expect(second.rows).toHaveLength(3);
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(23);
  });

  it("shows the viewer's own profile with the secret question but no secrets", async () => {
    const profile = await getProfile(clinicianA);
    expect(profile).toMatchObject({
      id: clinicianA.userId,
      loginId: clinicianA.loginId,
      facilityName: "施設A病院",
      qualification: "DOCTOR",
      roles: ["CLINICIAN"],
      secretQuestion: DEMO_SECRET_QUESTION,
    });
    expect(profile.passwordChangedAt).toBeInstanceOf(Date);
    expect(profile).not.toHaveProperty("secretAnswerHash");
    expect(profile).not.toHaveProperty("passwordHash");
  });
});
