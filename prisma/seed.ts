/**
 * The demo region: a few facilities of different types, staff with every role, one terminal
 * certificate per facility written to DATA_DIR/demo-certificates with its password.
 * Runs at start when the database is empty (DEMO_SEED, on by default with the embedded database).
 */
import fs from "node:fs";
import path from "node:path";
import type { FacilityType, Qualification, StaffRole } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { issueCertificate } from "@/lib/pki/mutations";
import { getCertificateFile } from "@/lib/pki/queries";
import { createFacility, createStaff, DEMO_PASSWORD, DEMO_SECRET_ANSWER, viewerFor } from "@/tests/fixtures/factories";

type TDemoStaff = { loginId: string; nameKanji: string; nameKana: string; qualification: Qualification; roles: StaffRole[]; ems?: boolean };
type TDemoFacility = {
  code: string;
  medicalInstitutionCode: string | null;
  domain: string;
  nameKanji: string;
  nameKana: string;
  nameEnglish: string;
  type: FacilityType;
  isDisclosing: boolean;
  isCoreHospital?: boolean;
  postalCode: string;
  address: string;
  phone: string;
  terminal: string;
  staff: TDemoStaff[];
};

export const DEMO_FACILITIES: TDemoFacility[] = [
  {
    code: "9000001", medicalInstitutionCode: null, domain: "jimukyoku", nameKanji: "南信州地域医療連携ネットワーク事務局", nameKana: "ミナミシンシュウチイキイリョウレンケイネットワークジムキョク",
    nameEnglish: "Minami-Shinshu Network Secretariat", type: "SECRETARIAT", isDisclosing: false, postalCode: "395-0000", address: "長野県飯田市追手町2-678", phone: "0265-00-0001", terminal: "事務局PC1",
    staff: [{ loginId: "jimukyoku", nameKanji: "事務 局子", nameKana: "ジム キョウコ", qualification: "CLERK", roles: ["SECRETARIAT", "FACILITY_ADMIN"] }],
  },
  {
    code: "2000101", medicalInstitutionCode: "2010110001", domain: "iida-chuo", nameKanji: "飯田中央病院", nameKana: "イイダチュウオウビョウイン",
    nameEnglish: "Iida Chuo Hospital", type: "HOSPITAL", isDisclosing: true, isCoreHospital: true, postalCode: "395-8502", address: "長野県飯田市本町1-1", phone: "0265-00-1001", terminal: "地域連携室PC1",
    staff: [
      { loginId: "hosp-admin", nameKanji: "管理 太郎", nameKana: "カンリ タロウ", qualification: "CLERK", roles: ["FACILITY_ADMIN"] },
      { loginId: "hosp-doctor", nameKanji: "医師 一郎", nameKana: "イシ イチロウ", qualification: "DOCTOR", roles: ["CLINICIAN"], ems: true },
      { loginId: "hosp-liaison", nameKanji: "連携 花子", nameKana: "レンケイ ハナコ", qualification: "SOCIAL_WORKER", roles: ["LIAISON"] },
    ],
  },
  {
    code: "2000201", medicalInstitutionCode: "2010210002", domain: "shimoina-naika", nameKanji: "下伊那内科クリニック", nameKana: "シモイナナイカクリニック",
    nameEnglish: "Shimoina Internal Medicine Clinic", type: "CLINIC", isDisclosing: true, postalCode: "399-3303", address: "長野県下伊那郡松川町元大島2-2", phone: "0265-00-2001", terminal: "診察室PC",
    staff: [{ loginId: "clinic-doctor", nameKanji: "内科 次郎", nameKana: "ナイカ ジロウ", qualification: "DOCTOR", roles: ["CLINICIAN", "FACILITY_ADMIN", "LIAISON"] }],
  },
  {
    code: "2000301", medicalInstitutionCode: "2040310003", domain: "minami-pharmacy", nameKanji: "みなみ調剤薬局", nameKana: "ミナミチョウザイヤッキョク",
    nameEnglish: "Minami Pharmacy", type: "PHARMACY", isDisclosing: false, postalCode: "395-0044", address: "長野県飯田市本町3-3", phone: "0265-00-3001", terminal: "調剤室PC",
    staff: [{ loginId: "pharmacist", nameKanji: "薬師 三子", nameKana: "ヤクシ ミツコ", qualification: "PHARMACIST", roles: ["CLINICIAN", "FACILITY_ADMIN"] }],
  },
  {
    code: "2000401", medicalInstitutionCode: null, domain: "aoba-houmon", nameKanji: "あおば訪問看護ステーション", nameKana: "アオバホウモンカンゴステーション",
    nameEnglish: "Aoba Visiting Nursing Station", type: "VISITING_NURSING", isDisclosing: false, postalCode: "395-0804", address: "長野県飯田市鼎名古熊4-4", phone: "0265-00-4001", terminal: "タブレット1",
    staff: [{ loginId: "aoba-nurse", nameKanji: "看護 四葉", nameKana: "カンゴ ヨツバ", qualification: "NURSE", roles: ["CLINICIAN", "FACILITY_ADMIN"] }],
  },
  {
    code: "2000501", medicalInstitutionCode: null, domain: "sakura-kyotaku", nameKanji: "居宅介護支援事業所さくら", nameKana: "キョタクカイゴシエンジギョウショサクラ",
    nameEnglish: "Sakura Care Management Office", type: "CARE_PROVIDER", isDisclosing: false, postalCode: "395-0152", address: "長野県飯田市育良町5-5", phone: "0265-00-5001", terminal: "事務所PC",
    staff: [{ loginId: "sakura-cm", nameKanji: "介護 五月", nameKana: "カイゴ サツキ", qualification: "CARE_MANAGER", roles: ["CLINICIAN", "FACILITY_ADMIN"] }],
  },
];

export type TDemoCertificate = { facilityCode: string; facilityName: string; terminal: string; file: string; password: string; logins: string[] };

export async function seedDemoRegion(opts: { certDir: string; log: (line: string) => void }): Promise<TDemoCertificate[]> {
  const created: { facilityId: string; f: TDemoFacility }[] = [];
  let secretariatViewer = null;
  for (const f of DEMO_FACILITIES) {
    const facility = await createFacility({ ...f });
    created.push({ facilityId: facility.id, f });
    for (const s of f.staff) {
      const { user } = await createStaff({
        facilityId: facility.id, loginId: s.loginId, nameKanji: s.nameKanji, nameKana: s.nameKana, qualification: s.qualification,
        roles: s.roles, hasEmsPrivilege: s.ems ?? false, password: DEMO_PASSWORD, email: `${s.loginId}@example.jp`,
      });
      if (s.roles.includes("SECRETARIAT")) secretariatViewer = await viewerFor(user, "seed");
    }
  }
  if (!secretariatViewer) throw new Error("demo region needs a secretariat user");
  await db().announcement.createMany({
    data: [
      { title: "ChiikiLink デモ地域へようこそ", body: "このデモでは、端末証明書と個人IDによるログイン、施設・職員の管理、端末証明書の発行と失効を試せます。", isPublic: true },
      { title: "定期メンテナンスのお知らせ", body: "毎月第3日曜日 2:00〜4:00 はシステムメンテナンスのため利用できません。" },
    ],
  });
  fs.mkdirSync(opts.certDir, { recursive: true, mode: 0o700 });
  const out: TDemoCertificate[] = [];
  for (const { facilityId, f } of created) {
    const issued = await issueCertificate(secretariatViewer, { facilityId, terminalName: f.terminal, days: 730 });
    const file = await getCertificateFile(secretariatViewer, issued.id);
    const filePath = path.join(opts.certDir, `${f.code}-${f.domain}.p12`);
    fs.writeFileSync(filePath, file.bytes, { mode: 0o600 });
    out.push({ facilityCode: f.code, facilityName: f.nameKanji, terminal: f.terminal, file: filePath, password: issued.oneTimePassword, logins: f.staff.map((s) => s.loginId) });
  }
  fs.writeFileSync(path.join(opts.certDir, "certificates.json"), JSON.stringify(out, null, 2), { mode: 0o600 });
  opts.log(`seeded the demo region: ${created.length} facilities`);
  return out;
}

export function printDemoCredentials(certs: TDemoCertificate[], log: (line: string) => void): void {
  log("demo terminal certificates (import one .p12 into the browser or OS with its password):");
  for (const c of certs) log(`  ${c.file}  password: ${c.password}  (${c.facilityName} / ${c.terminal})  logins: ${c.logins.join(", ")}`);
  log(`demo logins all use the password ${DEMO_PASSWORD} (secret answer: ${DEMO_SECRET_ANSWER})`);
  log("the secretariat login (jimukyoku) works on any facility's terminal");
}

export async function seedDemoRegionIfEmpty(opts: { log: (line: string) => void }): Promise<void> {
  const certDir = path.join(env().dataDir, "demo-certificates");
  if ((await db().facility.count()) === 0) {
    printDemoCredentials(await seedDemoRegion({ certDir, log: opts.log }), opts.log);
    return;
  }
  const listFile = path.join(certDir, "certificates.json");
  if (fs.existsSync(listFile)) printDemoCredentials(JSON.parse(fs.readFileSync(listFile, "utf8")) as TDemoCertificate[], opts.log);
}
