import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { importParsedMessage, importParsedMessages } from "@/lib/clinical/mutations";
import { importStorageTree, ingestFhirBundle, ingestSsmix2Message, listMessageFiles, MAX_MESSAGE_BYTES } from "@/lib/clinical/ingest/mutations";
import { RECORD_TAB_IDS } from "@/lib/clinical/calendar";
import { getContent, getContentFile, listRecordTab } from "@/lib/clinical/queries";
import { IngestError, type TContentDraft, type TParsedMessage } from "@/lib/clinical/ingest/types";
import { composeAdmissionEvent, ssmix2Path, type THl7Context } from "@/lib/clinical/ingest/hl7-writer";
import { parseSsmix2Message } from "@/lib/clinical/ingest/ssmix2";
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

/** Every item the viewer may see of the patient, through the tab views; a patient the viewer may not see has none. */
async function visibleContents(viewer: TViewer, patientId: string) {
  const tabs = await Promise.all(
    RECORD_TAB_IDS.map((tab) =>
      listRecordTab(viewer, patientId, { tab }).catch((e: unknown) => {
        if (e instanceof AppError && e.code === "NOT_FOUND") return { items: [] };
        throw e;
      }),
    ),
  );
  return tabs.flatMap((t) => t.items);
}

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

describe("batches (storage-tree imports)", () => {
  it("stores a batch in one go, and a bad message in it fails alone", async () => {
    const ok = (k: string) => message([draft({ sourceKey: k })]);
    const bad = message([draft({ sourceKey: "B-BAD", occurredAt: new Date("x") })]);
    const out = await importParsedMessages(hospital, [ok("B1"), bad, ok("B2"), ok("B1")]);
    expect(out.map((o) => (o instanceof IngestError ? "error" : o.created ? "created" : "unchanged"))).toEqual(["created", "error", "created", "unchanged"]);
    expect(await count({ sourceKey: { in: ["B1", "B2", "B-BAD"] } })).toBe(2);
    const again = await importParsedMessages(hospital, [ok("B1"), ok("B2")]);
    expect(again).toMatchObject([{ unchanged: 1 }, { unchanged: 1 }]);
    const newer = message([draft({ sourceKey: "B1", sourceVersion: "20991231000000000", title: "更新" })]);
    expect(await importParsedMessages(hospital, [newer, ok("B3")])).toMatchObject([{ replaced: 1 }, { created: 1 }]);
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

    const seen = await visibleContents(clinicDoctor, patientId);
    expect(seen.map((c) => c.title).sort()).toEqual(["ダーゼン錠（５mg) 他2剤", "検査 12項目"]);
    expect(await visibleContents(pharmacist, patientId)).toEqual([]);
    const one = await getContent(clinicDoctor, seen[0]!.id);
    expect(one.ownerFacilityName).toBeTruthy();
    await expect(getContent(pharmacist, seen[0]!.id)).rejects.toMatchObject({ code: "NOT_FOUND" } satisfies Partial<AppError>);
    const logged = await db().accessLog.count({ where: { userId: pharmacist.userId, accessType: "DENIED" } });
    expect(logged).toBeGreaterThanOrEqual(1);

    // New data for a linked ID joins the patient at once.
    await importParsedMessage(hospital, message([draft({ facilityPatientId: "H0100", sourceKey: "L3", title: "新しい処方" })]));
    expect((await visibleContents(clinicDoctor, patientId)).map((c) => c.title)).toContain("新しい処方");

    await unlinkFacilityPatient(liaison, ZUnlink.parse({ linkId, reason: "別人の患者IDだったため" }));
    expect(await count({ facilityPatientId: "H0100", patientId: null })).toBe(3);
    expect(await visibleContents(clinicDoctor, patientId)).toEqual([]);
  });
});

describe("items without an order number", () => {
  it("two patients admitted and discharged on the same day stay two patients' stays", async () => {
    const person = (id: string): THl7Context => ({
      header: { at: "20250512093012.345", controlId: `C${id}` },
      patient: { id, nameKanji: ["同日", "入院"], nameKana: ["ドウジツ", "ニュウイン"], birthDate: "19470305", sex: "F" },
      visit: { patientClass: "I", location: { ward: "3E", room: "305", bed: "1" }, department: "01", doctor: { id: "D1", family: "医師", given: "一郎" } },
      facilityName: "病院",
      department: { code: "01", name: "内科" },
    });
    const messages = ["2000001", "2000002"].flatMap((id) => [
      parseSsmix2Message(composeAdmissionEvent(person(id), { event: "admit", recordedAt: "202505121400", at: "202505121330" }), ssmix2Path({ patientId: id, careDate: "20250512", dataType: "ADT-22", timestamp: "20250512140000000" }).path),
      parseSsmix2Message(composeAdmissionEvent(person(id), { event: "discharge", recordedAt: "202505201100", at: "202505201030" }), ssmix2Path({ patientId: id, careDate: "20250520", dataType: "ADT-52", timestamp: "20250520110000000" }).path),
    ]);
    expect((await importParsedMessages(hospital, messages)).map((o) => ("created" in o ? o.created : o))).toEqual([1, 1, 1, 1]);
    const stays = await db().clinicalContent.findMany({ where: { ownerFacilityId: hospital, category: "ADMISSION", facilityPatientId: { in: ["2000001", "2000002"] } }, select: { facilityPatientId: true } });
    expect(stays.map((x) => x.facilityPatientId).sort()).toEqual(["2000001", "2000001", "2000002", "2000002"]);
  });
});

describe("SS-MIX2 storage trees and FHIR bundles through the import path", () => {
  const ROOT = path.resolve("tests/fixtures/ssmix2/sampleData");

  it("imports the sample storage, and a second import of the same tree changes nothing", async () => {
    const facility = (await createFacility({ isDisclosing: true })).id;
    const first = await importStorageTree(facility, ROOT, { source: "test" });
    expect(first.done).toBe(22);
    expect(first.failed).toBe(3); // the sample's deliberately broken files, each with its reason
    expect(first.errors.map((e) => e.error).join("\n")).toMatch(/second MSH|path|folder/i);
    expect(first.created).toBeGreaterThan(15);
    const stored = await db().clinicalContent.count({ where: { ownerFacilityId: facility } });
    const second = await importStorageTree(facility, ROOT, { source: "test" });
    expect(second).toMatchObject({ created: 0, replaced: 0, unchanged: first.created + first.replaced, failed: 3 });
    expect(await db().clinicalContent.count({ where: { ownerFacilityId: facility } })).toBe(stored);
    const run = await db().importRun.findUniqueOrThrow({ where: { id: second.runId } });
    expect(run).toMatchObject({ messages: 22, created: 0, failed: 3 });
    const rx = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: facility, sourceKey: "OMP-01:000000011000185" } });
    expect(rx.category).toBe("PRESCRIPTION_ORDER");
    expect(JSON.stringify(rx.payload)).toContain("ダーゼン錠（５mg)");
  });

  it("replaces an item when a corrected message (same order number, later timestamp) arrives, and withdraws it with the delete flag", async () => {
    const facility = (await createFacility({ isDisclosing: true })).id;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssmix2-"));
    const original = path.join(ROOT, "999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1");
    const target = path.join(dir, "999/901/9999013/20110701/OMP-01");
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(original, path.join(target, path.basename(original)));
    await importStorageTree(facility, dir, { source: "test" });
    // The corrected order: one more day of the first drug, sent later.
    const corrected = fs.readFileSync(original, "latin1").replace("|||5^d|", "|||7^d|");
    fs.writeFileSync(path.join(target, "9999013_20110701_OMP-01_000000011000185_20110702090000000_01_1"), Buffer.from(corrected, "latin1"));
    const r = await importStorageTree(facility, dir, { source: "test" });
    expect(r).toMatchObject({ replaced: 1, failed: 0 });
    const row = await db().clinicalContent.findFirstOrThrow({ where: { ownerFacilityId: facility, sourceKey: "OMP-01:000000011000185" } });
    expect(row.sourceVersion).toBe("20110702090000000");
    expect(JSON.stringify(row.payload)).toMatch(/"days":7/);
    fs.writeFileSync(path.join(target, "9999013_20110701_OMP-01_000000011000185_20110703090000000_01_0"), Buffer.from(corrected, "latin1"));
    await importStorageTree(facility, dir, { source: "test" });
    expect((await db().clinicalContent.findFirstOrThrow({ where: { id: row.id } })).isDeleted).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses malformed messages with their place and stores nothing of them", async () => {
    const facility = (await createFacility({ isDisclosing: true })).id;
    const good = fs.readFileSync(path.join(ROOT, "999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1"));
    const name = "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1";
    const truncated = good.subarray(0, 300);
    const cases: [Uint8Array, string][] = [
      [truncated, name],
      [new Uint8Array([0x4d, 0x53, 0x48, 0xff, 0xfe, 0x00]), name],
      [good, "9999013_20110701_XYZ-99_000000011000185_20110701224603984_01_1"],
      [good, "9999013_20111341_OMP-01_000000011000185_20110701224603984_01_1"],
      [new Uint8Array(MAX_MESSAGE_BYTES + 1), name],
    ];
    for (const [bytes, file] of cases) {
      const r = await ingestSsmix2Message(facility, bytes, file);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(5);
    }
    const notDisclosing = (await createFacility({ isDisclosing: false })).id;
    const refused = await ingestSsmix2Message(notDisclosing, good, name);
    expect(refused).toMatchObject({ ok: false });
    expect(await db().clinicalContent.count({ where: { ownerFacilityId: { in: [facility, notDisclosing] } } })).toBe(0);
  });

  it("imports a FHIR JP Core bundle once; the same bundle again changes nothing", async () => {
    const facility = (await createFacility({ isDisclosing: true })).id;
    const text = fs.readFileSync("tests/fixtures/fhir/outpatient-visit.json", "utf8");
    const first = await ingestFhirBundle(facility, text);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.outcome.created).toBeGreaterThan(3);
    const again = await ingestFhirBundle(facility, text);
    expect(again).toMatchObject({ ok: true, outcome: { created: 0, replaced: 0 } });
    const bad = await ingestFhirBundle(facility, '{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Observation"}}]}');
    expect(bad.ok).toBe(false);
    expect(await ingestFhirBundle(facility, "{not json")).toMatchObject({ ok: false });
  });
});

describe("mutated messages through the store", () => {
  it("never leaves part of a message behind: each one is stored whole or not at all", async () => {
    const facility = (await createFacility({ isDisclosing: true })).id;
    const ROOT = path.resolve("tests/fixtures/ssmix2/sampleData");
    const files = (await listMessageFiles(ROOT)).filter((f) => !f.includes("/ADT-31/") && !f.includes("0000001_20000401_OMP-11"));
    let state = 20261122;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const mutate = (bytes: Buffer): Buffer => {
      const b = Buffer.from(bytes);
      switch (rand(4)) {
        case 0:
          return b.subarray(0, rand(b.length));
        case 1:
          for (let i = 0; i < 3; i++) b[rand(b.length)] = rand(256);
          return b;
        case 2: {
          const at = rand(b.length);
          return Buffer.concat([b.subarray(0, at), Buffer.from("|^~\r"), b.subarray(at)]);
        }
        default:
          return Buffer.from(b.toString("latin1").replace(/\r(OBX|RXE|PID)\|/, (_m, id: string) => `\r${id}|||`), "latin1");
      }
    };
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < 300; i++) {
      const file = files[rand(files.length)]!;
      const before = await db().clinicalContent.count({ where: { ownerFacilityId: facility } });
      const r = await ingestSsmix2Message(facility, mutate(fs.readFileSync(file)), path.basename(file));
      const after = await db().clinicalContent.count({ where: { ownerFacilityId: facility } });
      if (r.ok) {
        ok++;
        expect(after - before).toBe(r.outcome.created);
      } else {
        refused++;
        expect(after).toBe(before);
        expect(r.error.length).toBeGreaterThan(3);
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});

describe("files that come with an item (key images)", () => {
  const bundleWith = (data: string, id = "img-1") =>
    JSON.stringify({
      resourceType: "Bundle",
      type: "collection",
      entry: [
        { fullUrl: "urn:uuid:00000000-0000-4000-8000-000000000001", resource: { resourceType: "Patient", id: "p1", identifier: [{ value: "H0700" }], name: [{ text: "画像 太郎" }] } },
        {
          resource: {
            resourceType: "DocumentReference",
            id,
            status: "current",
            meta: { lastUpdated: "2025-06-01T10:00:00+09:00" },
            subject: { reference: "urn:uuid:00000000-0000-4000-8000-000000000001" },
            date: "2025-06-01T09:00:00+09:00",
            description: "胸部X線 キー画像",
            content: [{ attachment: { contentType: "image/jpeg", data, title: "胸部X線.jpg" } }],
          },
        },
      ],
    });
  const jpeg = fs.readFileSync("tests/fixtures/images/chest-xray.jpg");

  it("stores the image in the file store once, serves it through the rule, and leaves nothing when refused", async () => {
    const filesBefore = await db().storedFile.count();
    const first = await ingestFhirBundle(hospital, bundleWith(jpeg.toString("base64")));
    expect(first).toMatchObject({ ok: true, outcome: { created: 2 } }); // the image item and the patient's 基本情報
    expect(await db().storedFile.count()).toBe(filesBefore + 1);
    expect(await ingestFhirBundle(hospital, bundleWith(jpeg.toString("base64")))).toMatchObject({ ok: true, outcome: { created: 0, replaced: 0 } });
    expect(await db().storedFile.count()).toBe(filesBefore + 1);

    // A PNG that claims to be a JPEG is refused, and its bytes do not stay behind.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const onDisk = () => (fs.existsSync(process.env.FILE_STORE_DIR!) ? fs.readdirSync(process.env.FILE_STORE_DIR!, { recursive: true }).length : 0);
    const diskBefore = onDisk();
    const bad = await ingestFhirBundle(hospital, bundleWith(png.toString("base64"), "img-2"));
    expect(bad).toMatchObject({ ok: false });
    expect(await db().storedFile.count()).toBe(filesBefore + 1);
    expect(onDisk()).toBe(diskBefore);

    // Linked and consented: the clinic sees the image; the pharmacy does not.
    const input = ZRegisterPatient.parse({
      patient: { nameKanji: "画像 太郎", nameKana: "ガゾウ タロウ", sex: "MALE", birthDate: "1960/01/01" },
      links: [{ facilityId: hospital, facilityPatientId: "H0700" }, { facilityId: clinic, facilityPatientId: "C0700" }],
      consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" },
      confirmDuplicate: "on",
    });
    const { id: patientId } = await registerPatient(liaison, input);
    const item = (await visibleContents(clinicDoctor, patientId)).find((c) => c.category === "IMAGING")!;
    expect(item.files).toHaveLength(1);
    const file = await getContentFile(clinicDoctor, item.id, item.files[0]!.id);
    expect(Buffer.from(file.bytes).equals(jpeg)).toBe(true);
    await expect(getContentFile(pharmacist, item.id, item.files[0]!.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
