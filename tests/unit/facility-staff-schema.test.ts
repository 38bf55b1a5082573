import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "@/lib/errors";
import { ZFacility } from "@/lib/facilities/schema";
import { likePrefix, likeWithin, normalizeKana, searchTerms, toKatakana } from "@/lib/text";
import { ZCreateStaff, ZStaffSearch, ZUpdateStaff } from "@/lib/staff/schema";

type TForm = Record<string, unknown>;

/** What a browser sends for a facility with only the required fields filled in. */
const facilityForm: TForm = {
  code: "F001",
  medicalInstitutionCode: "",
  domain: "chiiki-hp",
  nameKanji: "地域中央病院",
  nameKana: "チイキチュウオウビョウイン",
  nameEnglish: "",
  postalCode: "",
  address: "",
  phone: "",
  email: "",
  type: "HOSPITAL",
  isViewing: "on",
};

const staffForm: TForm = {
  facilityId: "3f2b8c1e-7a4d-4c2e-9b1a-0d5e6f7a8b9c",
  loginId: "yamada.hanako",
  nameKanji: "山田 花子",
  nameKana: "ヤマダ ハナコ",
  qualification: "NURSE",
  roles: "CLINICIAN",
  email: "",
};

const without = (form: TForm, key: string) => Object.fromEntries(Object.entries(form).filter(([k]) => k !== key));

function errorsOf(result: { success: boolean; error?: Parameters<typeof fieldErrorsOf>[0] }) {
  expect(result.success).toBe(false);
  return fieldErrorsOf(result.error!);
}

describe("ZFacility", () => {
  it("accepts the required fields alone and fills the rest", () => {
    const r = ZFacility.safeParse(facilityForm);
    expect(r.success).toBe(true);
    expect(r.data).toEqual({
      code: "F001",
      medicalInstitutionCode: null,
      domain: "chiiki-hp",
      nameKanji: "地域中央病院",
      nameKana: "チイキチュウオウビョウイン",
      nameEnglish: null,
      postalCode: null,
      address: null,
      phone: null,
      email: null,
      type: "HOSPITAL",
      isDisclosing: false,
      isViewing: true,
      isCoreHospital: false,
      emsAllowed: false,
      isActive: false,
    });
  });

  it("accepts every field filled in", () => {
    const r = ZFacility.safeParse({
      ...facilityForm,
      medicalInstitutionCode: "1312345678",
      nameEnglish: "Chiiki Central Hospital",
      postalCode: "123-4567",
      address: "東京都千代田区1-1",
      phone: "03-1234-5678",
      email: "info@chiiki-hp.example.jp",
      isDisclosing: "on",
      isCoreHospital: "on",
      isActive: "on",
    });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({ isDisclosing: true, isViewing: true, isCoreHospital: true, isActive: true, email: "info@chiiki-hp.example.jp" });
  });

  it.each<[string, TForm, Record<string, unknown>]>([
    ["full-width medical institution code", { medicalInstitutionCode: "１３１２３４５６７８" }, { medicalInstitutionCode: "1312345678" }],
    ["medical institution code with spaces around", { medicalInstitutionCode: " 1312345678 " }, { medicalInstitutionCode: "1312345678" }],
    ["empty medical institution code", { medicalInstitutionCode: "" }, { medicalInstitutionCode: null }],
    ["missing medical institution code", { medicalInstitutionCode: undefined }, { medicalInstitutionCode: null }],
    ["postal code without hyphen", { postalCode: "1234567" }, { postalCode: "123-4567" }],
    ["postal code with hyphen", { postalCode: "123-4567" }, { postalCode: "123-4567" }],
    ["full-width postal code with 〒", { postalCode: "〒１２３－４５６７" }, { postalCode: "123-4567" }],
    ["postal code with a long-vowel mark for the hyphen", { postalCode: "123ー4567" }, { postalCode: "123-4567" }],
    ["half-width kana and a full-width space", { nameKana: "ﾁｲｷ　ﾋﾞｮｳｲﾝ" }, { nameKana: "チイキ ビョウイン" }],
    ["runs of spaces in kana", { nameKana: "  チイキ　 　ビョウイン " }, { nameKana: "チイキ ビョウイン" }],
    ["kana with ー and ヴ", { nameKana: "ヴィレッジ センター" }, { nameKana: "ヴィレッジ センター" }],
    ["upper-case domain", { domain: "Chiiki-HP" }, { domain: "chiiki-hp" }],
    ["full-width code", { code: "Ｆ００１" }, { code: "F001" }],
    ["code with spaces around", { code: " A12 " }, { code: "A12" }],
    ["full-width phone", { phone: "０３－１２３４－５６７８" }, { phone: "03-1234-5678" }],
    ["phone without hyphens", { phone: "0312345678" }, { phone: "0312345678" }],
    ["mobile phone", { phone: "090-1234-5678" }, { phone: "090-1234-5678" }],
    ["kanji name trimmed", { nameKanji: "  地域病院 " }, { nameKanji: "地域病院" }],
    ["empty optional texts", { nameEnglish: " ", address: "", email: "" }, { nameEnglish: null, address: null, email: null }],
    ["checkbox 'true'", { isDisclosing: "true", isViewing: undefined }, { isDisclosing: true, isViewing: false }],
    ["checkbox true", { isDisclosing: true, isActive: true }, { isDisclosing: true, isActive: true }],
    ["checkbox 'false' and 'off'", { isCoreHospital: "false", isActive: "off" }, { isCoreHospital: false, isActive: false }],
  ])("normalizes %s", (_, patch, expected) => {
    const r = ZFacility.safeParse({ ...facilityForm, ...patch });
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).toMatchObject(expected);
  });

  it.each<[string, TForm, string, string]>([
    ["empty code", { code: "" }, "code", "v.facility.code.required"],
    ["blank code", { code: "   " }, "code", "v.facility.code.required"],
    ["missing code", { code: undefined }, "code", "v.facility.code.required"],
    ["code with a hyphen", { code: "F-001" }, "code", "v.facility.code.format"],
    ["code in kanji", { code: "施設1" }, "code", "v.facility.code.format"],
    ["code of 17 characters", { code: "A".repeat(17) }, "code", "v.facility.code.format"],
    ["medical code of 9 digits", { medicalInstitutionCode: "131234567" }, "medicalInstitutionCode", "v.facility.medicalInstitutionCode.format"],
    ["medical code of 11 digits", { medicalInstitutionCode: "13123456789" }, "medicalInstitutionCode", "v.facility.medicalInstitutionCode.format"],
    ["medical code with a letter", { medicalInstitutionCode: "131234567a" }, "medicalInstitutionCode", "v.facility.medicalInstitutionCode.format"],
    ["empty domain", { domain: "" }, "domain", "v.facility.domain.required"],
    ["missing domain", { domain: undefined }, "domain", "v.facility.domain.required"],
    ["one-letter domain", { domain: "a" }, "domain", "v.facility.domain.format"],
    ["domain of 64 characters", { domain: "a".repeat(64) }, "domain", "v.facility.domain.format"],
    ["domain with an underscore", { domain: "chiiki_hp" }, "domain", "v.facility.domain.format"],
    ["domain with a dot", { domain: "chiiki.hp" }, "domain", "v.facility.domain.format"],
    ["domain starting with a hyphen", { domain: "-chiiki" }, "domain", "v.facility.domain.format"],
    ["domain in kanji", { domain: "地域病院" }, "domain", "v.facility.domain.format"],
    ["empty kanji name", { nameKanji: "" }, "nameKanji", "v.nameKanji.required"],
    ["blank kanji name", { nameKanji: "　 " }, "nameKanji", "v.nameKanji.required"],
    ["kanji name of 101 characters", { nameKanji: "病".repeat(101) }, "nameKanji", "v.tooLong"],
    ["empty kana name", { nameKana: "" }, "nameKana", "v.nameKana.required"],
    ["missing kana name", { nameKana: undefined }, "nameKana", "v.nameKana.required"],
    ["kana name in hiragana", { nameKana: "ちいきびょういん" }, "nameKana", "v.nameKana.katakana"],
    ["kana name in roman letters", { nameKana: "Chiiki" }, "nameKana", "v.nameKana.katakana"],
    ["kana name with kanji", { nameKana: "チイキ病院" }, "nameKana", "v.nameKana.katakana"],
    ["kana name of 201 characters", { nameKana: "ア".repeat(201) }, "nameKana", "v.tooLong"],
    ["English name of 201 characters", { nameEnglish: "a".repeat(201) }, "nameEnglish", "v.tooLong"],
    ["postal code of 6 digits", { postalCode: "123456" }, "postalCode", "v.postalCode.format"],
    ["postal code hyphenated wrongly", { postalCode: "12-34567" }, "postalCode", "v.postalCode.format"],
    ["address of 201 characters", { address: "町".repeat(201) }, "address", "v.tooLong"],
    ["phone of 9 digits", { phone: "031234567" }, "phone", "v.phone.format"],
    ["phone of 14 characters", { phone: "03-1234-5678-9" }, "phone", "v.phone.format"],
    ["phone with a letter", { phone: "03-1234-567a" }, "phone", "v.phone.format"],
    ["phone starting with a hyphen", { phone: "-0312345678" }, "phone", "v.phone.format"],
    ["malformed email", { email: "info@" }, "email", "v.email.format"],
    ["email without @", { email: "chiiki-hp.example.jp" }, "email", "v.email.format"],
    ["empty type", { type: "" }, "type", "v.facility.type.required"],
    ["missing type", { type: undefined }, "type", "v.facility.type.required"],
    ["unknown type", { type: "HOTEL" }, "type", "v.facility.type.required"],
    ["neither disclosing nor viewing", { isViewing: undefined }, "isViewing", "v.facility.isViewing.oneRequired"],
    ["both boxes explicitly off", { isViewing: "false", isDisclosing: "off" }, "isViewing", "v.facility.isViewing.oneRequired"],
  ])("rejects %s", (_, patch, path, key) => {
    expect(errorsOf(ZFacility.safeParse({ ...facilityForm, ...patch }))).toEqual({ [path]: [key] });
  });

  it("reports the disclosing/viewing rule together with other fields' errors", () => {
    const errors = errorsOf(ZFacility.safeParse({ ...without(facilityForm, "isViewing"), code: "", type: undefined }));
    expect(errors).toEqual({
      code: ["v.facility.code.required"],
      type: ["v.facility.type.required"],
      isViewing: ["v.facility.isViewing.oneRequired"],
    });
  });

  it("reports every required field of an empty form", () => {
    expect(Object.keys(errorsOf(ZFacility.safeParse({}))).sort()).toEqual(
      ["code", "domain", "isViewing", "nameKana", "nameKanji", "type"].sort(),
    );
  });
});

describe("ZCreateStaff", () => {
  it("accepts a form and fills the defaults", () => {
    const r = ZCreateStaff.safeParse(staffForm);
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).toEqual({
      facilityId: "3f2b8c1e-7a4d-4c2e-9b1a-0d5e6f7a8b9c",
      loginId: "yamada.hanako",
      nameKanji: "山田 花子",
      nameKana: "ヤマダ ハナコ",
      qualification: "NURSE",
      roles: ["CLINICIAN"],
      hasEmsPrivilege: false,
      email: null,
    });
  });

  it.each<[string, TForm, Record<string, unknown>]>([
    ["one role as a string", { roles: "LIAISON" }, { roles: ["LIAISON"] }],
    ["several roles, repeated", { roles: ["CLINICIAN", "FACILITY_ADMIN", "CLINICIAN"] }, { roles: ["CLINICIAN", "FACILITY_ADMIN"] }],
    ["the EMS checkbox", { hasEmsPrivilege: "on" }, { hasEmsPrivilege: true }],
    ["a full-width login ID", { loginId: "ｙａｍａｄａ＿０１" }, { loginId: "yamada_01" }],
    ["a login ID with spaces around", { loginId: " Yamada-01 " }, { loginId: "Yamada-01" }],
    ["half-width kana with a full-width space", { nameKana: "ﾔﾏﾀﾞ　ﾊﾅｺ" }, { nameKana: "ヤマダ ハナコ" }],
    ["an email", { email: " hanako@chiiki-hp.example.jp " }, { email: "hanako@chiiki-hp.example.jp" }],
    ["a facility id with spaces around", { facilityId: " 3f2b8c1e-7a4d-4c2e-9b1a-0d5e6f7a8b9c " }, { facilityId: "3f2b8c1e-7a4d-4c2e-9b1a-0d5e6f7a8b9c" }],
  ])("normalizes %s", (_, patch, expected) => {
    const r = ZCreateStaff.safeParse({ ...staffForm, ...patch });
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).toMatchObject(expected);
  });

  it.each<[string, TForm, string, string]>([
    ["empty facility", { facilityId: "" }, "facilityId", "v.staff.facilityId.required"],
    ["missing facility", { facilityId: undefined }, "facilityId", "v.staff.facilityId.required"],
    ["facility id that is no UUID", { facilityId: "facility-1" }, "facilityId", "v.staff.facilityId.required"],
    ["empty login ID", { loginId: "" }, "loginId", "v.loginId.required"],
    ["missing login ID", { loginId: undefined }, "loginId", "v.loginId.required"],
    ["login ID of 2 characters", { loginId: "ab" }, "loginId", "v.staff.loginId.format"],
    ["login ID of 65 characters", { loginId: "a".repeat(65) }, "loginId", "v.staff.loginId.format"],
    ["login ID with a space", { loginId: "yamada hanako" }, "loginId", "v.staff.loginId.format"],
    ["login ID with @", { loginId: "yamada@hp" }, "loginId", "v.staff.loginId.format"],
    ["login ID in kanji", { loginId: "山田花子" }, "loginId", "v.staff.loginId.format"],
    ["empty kanji name", { nameKanji: "" }, "nameKanji", "v.nameKanji.required"],
    ["kanji name of 101 characters", { nameKanji: "山".repeat(101) }, "nameKanji", "v.tooLong"],
    ["empty kana name", { nameKana: " " }, "nameKana", "v.nameKana.required"],
    ["kana name in hiragana", { nameKana: "やまだ はなこ" }, "nameKana", "v.nameKana.katakana"],
    ["kana name in roman letters", { nameKana: "Yamada" }, "nameKana", "v.nameKana.katakana"],
    ["kana name of 201 characters", { nameKana: "ア".repeat(201) }, "nameKana", "v.tooLong"],
    ["empty qualification", { qualification: "" }, "qualification", "v.staff.qualification.required"],
    ["unknown qualification", { qualification: "WIZARD" }, "qualification", "v.staff.qualification.required"],
    ["no role", { roles: undefined }, "roles", "v.staff.roles.required"],
    ["empty role", { roles: "" }, "roles", "v.staff.roles.required"],
    ["empty role list", { roles: [] }, "roles", "v.staff.roles.required"],
    ["unknown role", { roles: ["CLINICIAN", "KING"] }, "roles", "v.staff.roles.invalid"],
    ["malformed email", { email: "hanako@" }, "email", "v.email.format"],
  ])("rejects %s", (_, patch, path, key) => {
    expect(errorsOf(ZCreateStaff.safeParse({ ...staffForm, ...patch }))).toEqual({ [path]: [key] });
  });
});

describe("ZUpdateStaff", () => {
  it("needs neither login ID nor facility, and drops them when sent", () => {
    const r = ZUpdateStaff.safeParse({ ...staffForm, loginId: "x", facilityId: "nope" });
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).not.toHaveProperty("loginId");
    expect(r.data).not.toHaveProperty("facilityId");
    expect(r.data).toMatchObject({ roles: ["CLINICIAN"], hasEmsPrivilege: false });
  });

  it.each<[string, TForm, string, string]>([
    ["kana name in hiragana", { nameKana: "やまだ" }, "nameKana", "v.nameKana.katakana"],
    ["no role", { roles: [] }, "roles", "v.staff.roles.required"],
    ["unknown qualification", { qualification: "X" }, "qualification", "v.staff.qualification.required"],
  ])("rejects %s", (_, patch, path, key) => {
    expect(errorsOf(ZUpdateStaff.safeParse({ ...without(without(staffForm, "loginId"), "facilityId"), ...patch }))).toEqual({ [path]: [key] });
  });
});

describe("ZStaffSearch", () => {
  it("defaults to the first page without retired staff", () => {
    const r = ZStaffSearch.safeParse({});
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).toEqual({ includeRetired: false, page: 1 });
  });

  it.each<[string, TForm, Record<string, unknown>]>([
    ["a query trimmed", { q: "  やまだ " }, { q: "やまだ" }],
    ["an empty query", { q: "" }, { q: undefined }],
    ["an empty facility", { facilityId: "" }, { facilityId: undefined }],
    ["an empty qualification", { qualification: "" }, { qualification: undefined }],
    ["a qualification", { qualification: "DOCTOR" }, { qualification: "DOCTOR" }],
    ["the retired checkbox", { includeRetired: "on" }, { includeRetired: true }],
    ["a page number from the query string", { page: "3" }, { page: 3 }],
    ["an empty page", { page: "" }, { page: 1 }],
  ])("reads %s", (_, input, expected) => {
    const r = ZStaffSearch.safeParse(input);
    expect(r.error?.issues).toBeUndefined();
    expect(r.data).toMatchObject(expected);
  });

  it.each<[string, TForm, string, string]>([
    ["page 0", { page: "0" }, "page", "v.page.format"],
    ["a fractional page", { page: "1.5" }, "page", "v.page.format"],
    ["a page that is no number", { page: "two" }, "page", "v.page.format"],
    ["a facility id that is no UUID", { facilityId: "x" }, "facilityId", "v.staff.facilityId.required"],
    ["an unknown qualification", { qualification: "X" }, "qualification", "v.staff.qualification.required"],
    ["a query of 101 characters", { q: "あ".repeat(101) }, "q", "v.tooLong"],
  ])("rejects %s", (_, input, path, key) => {
    expect(errorsOf(ZStaffSearch.safeParse(input))).toEqual({ [path]: [key] });
  });
});

describe("text helpers", () => {
  it.each([
    ["やまだ はなこ", "ヤマダ ハナコ"],
    ["ゔぃれっじ", "ヴィレッジ"],
    ["山田はなこ", "山田ハナコ"],
    ["yamada", "yamada"],
    ["ヤマダ", "ヤマダ"],
  ])("toKatakana(%s) is %s", (input, expected) => {
    expect(toKatakana(input)).toBe(expected);
  });

  it("normalizeKana folds widths and spaces", () => {
    expect(normalizeKana(" ﾔﾏﾀﾞ　　ﾊﾅｺ ")).toBe("ヤマダ ハナコ");
  });

  it("searchTerms splits on any space, full-width included", () => {
    expect(searchTerms(" やまだ　はなこ ")).toEqual(["やまだ", "はなこ"]);
    expect(searchTerms("")).toEqual([]);
    expect(searchTerms(undefined)).toEqual([]);
  });

  it.each([
    ["ヤマダ", "ヤマダ%", "%ヤマダ%"],
    ["100%", "100\\%%", "%100\\%%"],
    ["a_b", "a\\_b%", "%a\\_b%"],
    ["c:\\x", "c:\\\\x%", "%c:\\\\x%"],
    ["", "%", "%%"],
  ])("LIKE patterns of %s take its wildcards literally: %s, %s", (text, prefix, within) => {
    expect(likePrefix(text)).toBe(prefix);
    expect(likeWithin(text)).toBe(within);
  });
});
