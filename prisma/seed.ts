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
import type { TViewer } from "@/lib/auth/viewer-type";
import { recordConsent } from "@/lib/consent/mutations";
import { ZConsentInput } from "@/lib/consent/schema";
import { importStorageTree, ingestFhirBundle } from "@/lib/clinical/ingest/mutations";
import { generateDemoDocuments } from "@/scripts/fhir/demo-documents.mts";
import { generateDemoSsmix2, type TDemoPerson } from "@/scripts/ssmix2/demo-region.mts";
import { registerPatient } from "@/lib/patients/mutations";
import { addParticipant, postComment, postFile, postNote } from "@/lib/notes/mutations";
import { getNoteThread } from "@/lib/notes/queries";
import { ZPostComment, ZPostFile, ZPostNote } from "@/lib/notes/schema";
import { ZRegisterPatient } from "@/lib/patients/schema";
import { downloadCertificateFile, issueCertificate } from "@/lib/pki/mutations";
import { createFacility, createStaff, DEMO_PASSWORD, DEMO_SECRET_ANSWER, DEMO_TOTP_SECRET, enrolTotp, setSecondFactorPolicyLines, viewerFor } from "@/tests/fixtures/factories";
import { DEMO_EMS_CLINIC_PATIENT_ID, DEMO_EVACUEE } from "@/tests/fixtures/demo-constants";

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
  /** the network allows EMS (救急時閲覧) for its EMS-privileged staff */
  emsAllowed?: boolean;
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
    nameEnglish: "Iida Chuo Hospital", type: "HOSPITAL", isDisclosing: true, isCoreHospital: true, emsAllowed: true, postalCode: "395-8502", address: "長野県飯田市本町1-1", phone: "0265-00-1001", terminal: "地域連携室PC1",
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

type TDemoPatient = {
  nameKanji: string; nameKana: string; sex: "MALE" | "FEMALE"; birthDate: string; postalCode: string; address: string; phone: string;
  /** facility code → facility patient ID */
  links: Record<string, string>;
  consent: "comprehensive" | "hospital-clinic" | "withdrawn" | "none";
};

/** Patients of the demo region, registered through the real registration path by the hospital's liaison. */
export const DEMO_PATIENTS: TDemoPatient[] = [
  { nameKanji: "南 信太郎", nameKana: "ミナミ シンタロウ", sex: "MALE", birthDate: "S16/04/12", postalCode: "395-0001", address: "長野県飯田市座光寺1-2", phone: "0265-11-0001", links: { "2000101": "00100001", "2000201": "A-2301", "2000301": "P0001", "2000401": "N-01", "2000501": "K001" }, consent: "comprehensive" },
  { nameKanji: "伊那 花子", nameKana: "イナ ハナコ", sex: "FEMALE", birthDate: "S22/11/03", postalCode: "399-3301", address: "長野県下伊那郡松川町元大島3-4", phone: "0265-11-0002", links: { "2000101": "00100002", "2000201": "A-2302", "2000401": "N-02" }, consent: "comprehensive" },
  { nameKanji: "天竜 一郎", nameKana: "テンリュウ イチロウ", sex: "MALE", birthDate: "S35/02/29", postalCode: "395-0044", address: "長野県飯田市本町5-6", phone: "0265-11-0003", links: { "2000101": "00100003", "2000201": "A-2303", "2000301": "P0003" }, consent: "hospital-clinic" },
  { nameKanji: "高森 和子", nameKana: "タカモリ カズコ", sex: "FEMALE", birthDate: "S10/08/15", postalCode: "399-3103", address: "長野県下伊那郡高森町下市田7-8", phone: "0265-11-0004", links: { "2000101": "00100004", "2000201": "A-2304" }, consent: "withdrawn" },
  { nameKanji: "阿智 健太", nameKana: "アチ ケンタ", sex: "MALE", birthDate: "H02/05/20", postalCode: "395-0303", address: "長野県下伊那郡阿智村駒場9-10", phone: "0265-11-0005", links: { "2000101": "00100005" }, consent: "none" },
  // The patient of the public SS-MIX2 sample storage (tests/fixtures/ssmix2, see its README): the
  // hospital's data for 9999013 is imported through the real import path below.
  { nameKanji: "患者 太郎", nameKana: "カンジャ タロウ", sex: "MALE", birthDate: "1948/04/05", postalCode: "422-8033", address: "静岡県静岡市登呂1-3-5", phone: "054-000-0000", links: { "2000101": "9999013", "2000201": "A-2399" }, consent: "comprehensive" },
];

/** The hospital's SS-MIX2 storage in the demo: the public sample storage shipped with the tests. */
export const DEMO_SSMIX2_ROOT = path.resolve("tests/fixtures/ssmix2/sampleData");

async function seedDemoPatients(viewers: Map<string, TViewer>, facilityIds: Map<string, string>): Promise<void> {
  const liaison = viewers.get("hosp-liaison");
  if (!liaison) throw new Error("demo region needs the hospital liaison");
  const id = (code: string) => facilityIds.get(code)!;
  for (const p of DEMO_PATIENTS) {
    const consent =
      p.consent === "hospital-clinic"
        ? { scope: "FACILITIES", facilityIds: [id("2000101"), id("2000201")] }
        : { scope: "COMPREHENSIVE", facilityIds: [] };
    const input = ZRegisterPatient.parse({
      patient: { nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex, birthDate: p.birthDate, postalCode: p.postalCode, address: p.address, phone: p.phone },
      links: Object.entries(p.links).map(([code, facilityPatientId]) => ({ facilityId: id(code), facilityPatientId })),
      consent: p.consent === "none" ? null : { action: "GRANT", method: "WRITTEN", consentDate: "2025/04/01", signer: "SELF", responsibleName: "連携 花子", ...consent },
      confirmDuplicate: true,
    });
    const { id: patientId } = await registerPatient(liaison, input);
    if (p.consent === "withdrawn") {
      await recordConsent(liaison, patientId, ZConsentInput.parse({ action: "WITHDRAW", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/10/01", signer: "SELF", reason: "本人の申し出（患者情報利用停止届出書）" }));
    }
  }
}

/**
 * Years of believable care for the demo: SS-MIX2 storage trees per disclosing facility, written
 * by the generator and imported through the real import path (the public sample storage is
 * added to the hospital's tree so 患者 太郎's records are there too). Twenty of the generated
 * patients are registered and linked at both facilities with comprehensive consent.
 */
async function seedDemoClinicalData(created: { facilityId: string; f: TDemoFacility }[], viewers: Map<string, TViewer>, log: (line: string) => void) {
  const started = performance.now();
  const demo = generateDemoSsmix2({ outDir: path.join(env().dataDir, "demo-ssmix2"), patients: 200, years: 3, seed: 20250401 });
  const byCode = new Map(created.map((c) => [c.f.code, c.facilityId]));
  const hospitalRoot = demo.facilities.find((f) => f.code === "2000101")?.root;
  if (hospitalRoot && fs.existsSync(DEMO_SSMIX2_ROOT)) fs.cpSync(DEMO_SSMIX2_ROOT, hospitalRoot, { recursive: true });
  const liaison = viewers.get("hosp-liaison")!;
  for (const p of demo.persons.filter((x) => x.ids["2000101"] && x.ids["2000201"]).slice(0, 20)) {
    await registerPatient(
      liaison,
      ZRegisterPatient.parse({
        patient: { nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex, birthDate: p.birthDate.replaceAll("-", "/"), postalCode: p.postalCode, address: p.address, phone: p.phone },
        links: [
          { facilityId: byCode.get("2000101")!, facilityPatientId: p.ids["2000101"]! },
          { facilityId: byCode.get("2000201")!, facilityPatientId: p.ids["2000201"]! },
        ],
        consent: { action: "GRANT", method: "WRITTEN", consentDate: "2025/04/01", signer: "SELF", responsibleName: "連携 花子", scope: "COMPREHENSIVE", facilityIds: [] },
        confirmDuplicate: true,
      }),
    );
  }
  await registerEmsDemoPatient(demo.persons, byCode, viewers);
  await registerDisasterDemoPatient(demo.persons, byCode, viewers);
  for (const f of demo.facilities) {
    const facilityId = byCode.get(f.code);
    if (!facilityId) continue;
    await db().facility.update({ where: { id: facilityId }, data: { ssmix2StorageRoot: f.root }, select: { id: true } });
    const report = await importStorageTree(facilityId, f.root, { source: "demo-seed" });
    log(`imported the demo SS-MIX2 storage of ${f.code}: ${report.created} items from ${report.done} messages (${report.failed} refused)`);
  }
  // Reading reports, discharge summaries and check-ups arrive as FHIR bundles from the hospital.
  const hospitalId = byCode.get("2000101");
  if (hospitalId) {
    let imported = 0;
    let refused = 0;
    for (const d of generateDemoDocuments({ persons: demo.persons, facilityCode: "2000101", seed: 20250401 })) {
      const r = await ingestFhirBundle(hospitalId, d.json, d.fileName);
      if (r.ok) imported++;
      else {
        refused++;
        log(`demo FHIR bundle refused: ${r.error}`);
      }
    }
    log(`imported the demo FHIR documents of 2000101: ${imported} bundles (${refused} refused)`);
  }
  log(`demo clinical data ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The EMS demo (seed 000 救急時閲覧): a patient of the clinic only (diabetic, so a lab at every
 * visit), registered there with comprehensive consent. The hospital has no ID for them and sees
 * nothing, until its EMS doctor types `C100004#EMS` at night; then the clinic's recent
 * prescriptions and labs open, and the older ones stay shut.
 */
async function registerEmsDemoPatient(persons: TDemoPerson[], byCode: Map<string, string>, viewers: Map<string, TViewer>): Promise<void> {
  const clinicId = byCode.get("2000201");
  const desk = viewers.get("clinic-doctor");
  const p = persons.find((x) => x.ids["2000201"] === DEMO_EMS_CLINIC_PATIENT_ID);
  if (!clinicId || !desk) return;
  if (!p || p.ids["2000101"]) throw new Error(`the demo's EMS patient ${DEMO_EMS_CLINIC_PATIENT_ID} must be a patient of the clinic only`);
  await registerPatient(
    desk,
    ZRegisterPatient.parse({
      patient: { nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex, birthDate: p.birthDate.replaceAll("-", "/"), postalCode: p.postalCode, address: p.address, phone: p.phone },
      links: [{ facilityId: clinicId, facilityPatientId: DEMO_EMS_CLINIC_PATIENT_ID }],
      consent: { action: "GRANT", method: "WRITTEN", consentDate: "2025/04/01", signer: "SELF", responsibleName: "内科 次郎", scope: "COMPREHENSIVE", facilityIds: [] },
      confirmDuplicate: true,
    }),
  );
}

/**
 * The disaster rule's evacuee (DEMO_EVACUEE): one of the hospital's own generated patients (not the
 * clinic's), registered with an address in the affected area outside the demo region, with no
 * consent registration, so only a disaster declaration opens them to another facility.
 */
async function registerDisasterDemoPatient(persons: TDemoPerson[], byCode: Map<string, string>, viewers: Map<string, TViewer>): Promise<void> {
  const hospitalId = byCode.get(DEMO_EVACUEE.facilityCode);
  const liaison = viewers.get("hosp-liaison");
  const p = persons.find((x) => x.ids[DEMO_EVACUEE.facilityCode] && !x.ids["2000201"]);
  if (!hospitalId || !liaison) return;
  if (!p) throw new Error("the demo's evacuee must be a patient of the hospital only");
  await registerPatient(
    liaison,
    ZRegisterPatient.parse({
      patient: { nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex, birthDate: p.birthDate.replaceAll("-", "/"), postalCode: DEMO_EVACUEE.postalCode, address: DEMO_EVACUEE.address, phone: p.phone },
      links: [{ facilityId: hospitalId, facilityPatientId: p.ids[DEMO_EVACUEE.facilityCode]! }],
      consent: null,
      confirmDuplicate: true,
    }),
  );
}

export type TDemoCertificate = { facilityCode: string; facilityName: string; terminal: string; file: string; password: string; logins: string[] };

export async function seedDemoRegion(opts: { certDir: string; log: (line: string) => void }): Promise<TDemoCertificate[]> {
  const created: { facilityId: string; f: TDemoFacility }[] = [];
  let secretariatViewer = null;
  const viewers = new Map<string, Awaited<ReturnType<typeof viewerFor>>>();
  for (const f of DEMO_FACILITIES) {
    const facility = await createFacility({ ...f });
    created.push({ facilityId: facility.id, f });
    for (const s of f.staff) {
      const { user } = await createStaff({
        facilityId: facility.id, loginId: s.loginId, nameKanji: s.nameKanji, nameKana: s.nameKana, qualification: s.qualification,
        roles: s.roles, hasEmsPrivilege: s.ems ?? false, password: DEMO_PASSWORD, email: `${s.loginId}@example.jp`,
      });
      if (s.roles.includes("SECRETARIAT")) secretariatViewer = await viewerFor(user, "seed");
      // Those the demo's policy requires a second factor of come with the demo authenticator secret.
      if (s.roles.includes("SECRETARIAT") || s.ems) await enrolTotp(user.id, DEMO_TOTP_SECRET);
      viewers.set(s.loginId, await viewerFor(user, "seed"));
    }
  }
  if (!secretariatViewer) throw new Error("demo region needs a secretariat user");
  // MHLW guideline 6.0: two-factor authentication, here required of the secretariat and of EMS-privileged users.
  await setSecondFactorPolicyLines({ SECRETARIAT: "REQUIRED", EMS_PRIVILEGED: "REQUIRED" });
  await db().announcement.createMany({
    data: [
      { title: "ChiikiLink デモ地域へようこそ", body: "このデモでは、端末証明書と個人IDによるログイン、患者登録（個人情報・施設患者ID・同意）、地域患者一覧、自施設患者一覧、施設・職員の管理、端末証明書の発行と失効を試せます。", isPublic: true },
      { title: "定期メンテナンスのお知らせ", body: "毎月第3日曜日 2:00〜4:00 はシステムメンテナンスのため利用できません。" },
    ],
  });
  await seedDemoPatients(viewers, new Map(created.map((c) => [c.f.code, c.facilityId])));
  await seedDemoClinicalData(created, viewers, opts.log);
  await seedDemoNotes(viewers);
  fs.mkdirSync(opts.certDir, { recursive: true, mode: 0o700 });
  const out: TDemoCertificate[] = [];
  for (const { facilityId, f } of created) {
    const issued = await issueCertificate(secretariatViewer, { facilityId, terminalName: f.terminal, days: 730 });
    const file = await downloadCertificateFile(secretariatViewer, issued.id);
    const filePath = path.join(opts.certDir, `${f.code}-${f.domain}.p12`);
    fs.writeFileSync(filePath, file.bytes, { mode: 0o600 });
    out.push({ facilityCode: f.code, facilityName: f.nameKanji, terminal: f.terminal, file: filePath, password: issued.oneTimePassword, logins: f.staff.map((s) => s.loginId) });
  }
  fs.writeFileSync(path.join(opts.certDir, "certificates.json"), JSON.stringify(out, null, 2), { mode: 0o600 });
  opts.log(`seeded the demo region: ${created.length} facilities`);
  return out;
}

/**
 * Notes both ways for 南 信太郎 (seed 000's example): the visiting nurse's record with a photo,
 * the hospital doctor's reply (read by the nurse), and the hospital's stroke pathway as a file
 * valid for a year. Written through the same mutations as the screens.
 */
async function seedDemoNotes(viewers: Map<string, TViewer>): Promise<void> {
  const nurse = viewers.get("aoba-nurse");
  const doctor = viewers.get("hosp-doctor");
  const liaison = viewers.get("hosp-liaison");
  const patient = await db().patient.findFirst({ where: { nameKanji: "南 信太郎" }, select: { id: true } });
  if (!nurse || !doctor || !liaison || !patient) return;
  const daysAgo = (n: number, hm: string) => {
    const d = new Date(Date.now() - n * 86_400_000 + 9 * 3600_000).toISOString().slice(0, 10);
    return `${d}T${hm}`;
  };
  await addParticipant(nurse, patient.id, nurse.userId);
  const photo = path.resolve("tests/fixtures/images/chest-xray.jpg");
  const { id: noteId } = await postNote(
    nurse,
    patient.id,
    ZPostNote.parse({
      noteType: "NOTE", noteKind: "RECORD", qualification: "NURSE", occurredAt: daysAgo(3, "17:00"), title: "点滴してきました",
      body: "15:20訪問。\nBP120/60mmHg、P67、KT36.4℃。\n声の感じは以前よりも弱々しくなりました。昼は桃を3切れ。褥瘡は改善しています。", icon: "QUALIFICATION",
    }),
    fs.existsSync(photo) ? [{ bytes: new Uint8Array(fs.readFileSync(photo)), fileName: "訪問時の写真.jpg" }] : [],
  );
  await postComment(doctor, noteId, ZPostComment.parse({ body: "ありがとうございます。明日往診します。点滴はもう一日お願いします。" }));
  await getNoteThread(nurse, patient.id, noteId);
  const pathway = path.resolve("tests/fixtures/office/sample.xlsx");
  if (fs.existsSync(pathway)) {
    await postFile(
      liaison,
      patient.id,
      ZPostFile.parse({ from: daysAgo(30, "00:00").slice(0, 10), to: daysAgo(-335, "00:00").slice(0, 10), description: "脳卒中パス（初版）", periodLabel: "クリニカルパス『脳卒中パス』" }),
      { bytes: new Uint8Array(fs.readFileSync(pathway)), fileName: "脳卒中地域連携クリニカルパス.xlsx" },
    );
  }
}

export function printDemoCredentials(certs: TDemoCertificate[], log: (line: string) => void): void {
  log("demo terminal certificates (import one .p12 into the browser or OS with its password):");
  for (const c of certs) log(`  ${c.file}  password: ${c.password}  (${c.facilityName} / ${c.terminal})  logins: ${c.logins.join(", ")}`);
  log(`demo logins all use the password ${DEMO_PASSWORD} (secret answer: ${DEMO_SECRET_ANSWER})`);
  log("the secretariat login (jimukyoku) works on any facility's terminal");
  log(`jimukyoku and hosp-doctor need a second factor: add the authenticator secret ${DEMO_TOTP_SECRET} to an authenticator app (time-based, 6 digits)`);
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
