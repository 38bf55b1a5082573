/**
 * The monthly access-log CSV (seed 000 コンテンツ参照記録) and the hash chain, on real PostgreSQL:
 * a scripted month across three facilities, both directions, CP932 bytes, parsing back, the
 * verifier finding a tampered row, and the log refusing changes.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { archiveAccessLogMonth } from "@/lib/audit/mutations";
import { countAccessLogExport, openAccessLogExport, verifyAccessLogChain, verifyAccessLogFor } from "@/lib/audit/queries";
import { monthOf, ZAccessLogExport } from "@/lib/audit/schema";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent } from "@/lib/clinical/queries";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { db } from "@/lib/db/client";
import { pgPool } from "@/lib/db/pg";
import { registerPatient } from "@/lib/patients/mutations";
import { searchPatients } from "@/lib/patients/queries";
import { ZPatientSearch, ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

let A: { id: string; code: string }; // 髙橋記念病院: discloses
let B: { id: string; code: string }; // 山﨑クリニック: views
let C: { id: string; code: string }; // ①薬局: views
let doctorA: TViewer;
let doctorB: TViewer;
let pharmacistC: TViewer;
let adminA: TViewer;
let adminB: TViewer;
let secretariat: TViewer;
let patient: { id: string; regionalId: string };
let contentIds: string[];
const month = monthOf(new Date());

const draft = (key: string, title: string): TContentDraft => ({
  facilityPatientId: "A-1",
  category: "LAB",
  occurredAt: new Date(),
  title,
  payload: { items: [] },
  sourceKey: key,
  sourceVersion: "1",
  isDeleted: false,
});

/** RFC 4180, enough for our files: quoted fields with "" escapes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ",") {
      endField();
    } else if (!quoted && ch === "\r" && text[i + 1] === "\n") {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else {
      field += ch;
    }
  }
  if (field !== "" || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

async function exportBytes(viewer: TViewer, q: Record<string, string>): Promise<Buffer> {
  const out = await openAccessLogExport(viewer, ZAccessLogExport.parse({ month, ...q }));
  return Buffer.from(await new Response(out.body).arrayBuffer());
}

async function exportRows(viewer: TViewer, q: Record<string, string>) {
  const rows = parseCsv(iconv.decode(await exportBytes(viewer, q), "cp932"));
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
}

beforeAll(async () => {
  const fa = await createFacility({ isDisclosing: true, nameKanji: "髙橋記念病院" });
  const fb = await createFacility({ isDisclosing: true, type: "CLINIC", nameKanji: "山﨑クリニック" });
  const fc = await createFacility({ isDisclosing: false, type: "PHARMACY", nameKanji: "①薬局" });
  A = { id: fa.id, code: fa.code };
  B = { id: fb.id, code: fb.code };
  C = { id: fc.id, code: fc.code };
  doctorA = await viewerFor((await createStaff({ facilityId: A.id, roles: ["CLINICIAN", "LIAISON"], nameKanji: "髙橋 一郎" })).user, "SER-A");
  doctorB = await viewerFor((await createStaff({ facilityId: B.id, roles: ["CLINICIAN"], nameKanji: "山﨑 花子" })).user, "SER-B");
  pharmacistC = await viewerFor((await createStaff({ facilityId: C.id, roles: ["CLINICIAN"], nameKanji: "薬剤 ①子" })).user, "SER-C");
  adminA = await viewerFor((await createStaff({ facilityId: A.id, roles: ["FACILITY_ADMIN"] })).user);
  adminB = await viewerFor((await createStaff({ facilityId: B.id, roles: ["FACILITY_ADMIN"] })).user);
  secretariat = await viewerFor((await createStaff({ facilityId: C.id, roles: ["SECRETARIAT"] })).user);
  patient = await registerPatient(
    doctorA,
    ZRegisterPatient.parse({
      patient: { nameKanji: "記録 太郎", nameKana: "キロク タロウ", sex: "MALE", birthDate: "1950/01/01" },
      links: [
        { facilityId: A.id, facilityPatientId: "A-1" },
        { facilityId: B.id, facilityPatientId: "B-1" },
        { facilityId: C.id, facilityPatientId: "C-1" },
      ],
      consent: { action: "GRANT", scope: "COMPREHENSIVE", method: "WRITTEN", consentDate: "2025/01/10", signer: "SELF" },
      confirmDuplicate: "on",
    }),
  );
  await importParsedMessage(A.id, { kind: "SSMIX2", dataType: "OML-11", patient: null, contents: [draft("L1", "検査 A1"), draft("L2", "検査 A2")] });
  contentIds = (await db().clinicalContent.findMany({ where: { ownerFacilityId: A.id }, orderBy: { sourceKey: "asc" }, select: { id: true } })).map((c) => c.id);

  // the month's activity
  await getContent(doctorB, contentIds[0]!); // B views A's content
  await getContent(doctorB, contentIds[1]!);
  await getContent(pharmacistC, contentIds[0]!); // C views A's content
  await getContent(doctorA, contentIds[0]!); // A views its own
  await searchPatients(doctorB, ZPatientSearch.parse({ name: "キロク" })); // B searches (no owner)
  await getCalendar(doctorB, patient.id, { zoom: "day" }); // B's calendar: one row per owner facility (A)
});

describe("the monthly CSV", () => {
  it("our facility's viewing: exactly our staff's rows, with seed 000's columns and both patient IDs", async () => {
    const rows = await exportRows(adminB, { facilityId: B.id, direction: "viewing" });
    expect(rows.map((r) => [r.AccessType, r.ContentID, r.AccessPersonName])).toEqual([
      ["コンテンツ参照", contentIds[0], "山﨑 花子"],
      ["コンテンツ参照", contentIds[1], "山﨑 花子"],
      ["地域患者一覧", "", "山﨑 花子"],
      ["カレンダー表示", "", "山﨑 花子"],
      // the export itself is the facility's business too
      ["参照記録の出力", "", adminB.name],
    ]);
    expect(rows[0]).toMatchObject({
      AccessFacilityName: "山﨑クリニック",
      RegionalPatientID: patient.regionalId,
      AccessFacilityPatientID: "B-1",
      ContentFacilityName: "髙橋記念病院",
      ContentFacilityPatientID: "A-1",
      CertificateSerial: "SER-B",
      Emergency: "",
    });
    expect(rows[0]!.AccessTime).toMatch(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await countAccessLogExport(adminB, ZAccessLogExport.parse({ month, facilityId: B.id, direction: "viewing" }))).toBe(5);
  });

  it("our contents viewed by others: other facilities' rows on our contents only, never our own or unrelated rows", async () => {
    const rows = await exportRows(adminA, { facilityId: A.id, direction: "viewed" });
    expect(rows.map((r) => [r.AccessFacilityName, r.AccessType, r.ContentID]).sort()).toEqual(
      [
        ["①薬局", "コンテンツ参照", contentIds[0]],
        ["山﨑クリニック", "カレンダー表示", ""],
        ["山﨑クリニック", "コンテンツ参照", contentIds[0]],
        ["山﨑クリニック", "コンテンツ参照", contentIds[1]],
      ].sort(),
    );
    // one patient: by the regional ID or by our facility patient ID
    expect((await exportRows(adminA, { facilityId: A.id, direction: "viewed", patientId: "A-1" })).length).toBe(4);
    expect((await exportRows(adminA, { facilityId: A.id, direction: "viewed", patientId: patient.regionalId })).length).toBe(4);
    await expect(exportRows(adminA, { facilityId: A.id, direction: "viewed", patientId: "NOSUCH" })).rejects.toMatchObject({ code: "VALIDATION" });
  });

  it("is CP932 for Excel by default, byte for byte (髙 FBFC, 﨑 FAB1, ① 8740), CRLF rows; UTF-8 with a BOM on request", async () => {
    const bytes = await exportBytes(adminA, { facilityId: A.id, direction: "viewed" });
    expect(bytes.subarray(0, 11).toString("latin1")).toBe("ContentID,A");
    expect(bytes.includes(Buffer.from([0xfb, 0xfc]))).toBe(true); // 髙 of 髙橋記念病院
    expect(bytes.includes(Buffer.from([0x8e, 0x52, 0xfa, 0xb1]))).toBe(true); // 山﨑
    expect(bytes.includes(Buffer.from([0x22, 0x87, 0x40]))).toBe(true); // "① at a field's start
    expect(bytes.toString("latin1").split("\r\n").length).toBe(6); // header, 4 rows, the last CRLF
    expect(bytes.includes(Buffer.from("\n")) && !/[^\r]\n/.test(bytes.toString("latin1"))).toBe(true);
    const utf8 = await exportBytes(adminA, { facilityId: A.id, direction: "viewed", encoding: "utf8" });
    expect([...utf8.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(utf8.toString("utf8")).toContain("山﨑クリニック");
  });

  it("only a facility's admins (their own facility) and the secretariat export; each export is logged", async () => {
    await expect(exportRows(adminB, { facilityId: A.id, direction: "viewed" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(exportRows(doctorB, { facilityId: B.id, direction: "viewing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await exportRows(secretariat, { facilityId: A.id, direction: "viewed" })).length).toBe(4);
    const logged = await db().accessLog.findMany({ where: { accessType: "ACCESS_LOG_EXPORT", userId: secretariat.userId }, select: { detail: true } });
    expect(logged.map((l) => l.detail)).toEqual([`${A.code} ${month} viewed cp932`]);
  });

  it("a client that stops mid-download ends the COPY and frees its connection without an uncaught error; the next export works", async () => {
    // enough rows that the CSV is still streaming when the reader stops
    await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, access_type, detail)
      SELECT gen_random_uuid(), ${new Date(`${month}-15T03:00:00Z`)}::timestamptz + make_interval(secs => g), ${doctorB.userId}::uuid, ${B.id}::uuid, 'PATIENT_SEARCH', repeat('検索 ', 40)
        FROM generate_series(1, 5000) g`;
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      const out = await openAccessLogExport(adminB, ZAccessLogExport.parse({ month, facilityId: B.id, direction: "viewing" }));
      const reader = out.body.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      await reader.cancel("client went away");
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);
      expect(pgPool().totalCount - pgPool().idleCount).toBe(0);
      expect((await exportRows(adminB, { facilityId: B.id, direction: "viewing" })).length).toBeGreaterThan(5000);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});

describe("the hash chain", () => {
  it("holds for an untouched month, and the verification is logged", async () => {
    for (const f of [A, B, C]) expect(await verifyAccessLogChain(f.id, month)).toMatchObject({ ok: true, firstBroken: null });
    const report = await verifyAccessLogFor(adminB, B.id, month);
    expect(report.rows).toBeGreaterThanOrEqual(4);
    await expect(verifyAccessLogFor(adminB, A.id, month)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the app's role can neither change, delete nor truncate a row", async () => {
    await expect(db().$executeRaw`UPDATE access_logs SET detail = 'changed' WHERE facility_id = ${B.id}::uuid`).rejects.toThrow(/append-only|refuse/i);
    await expect(db().$executeRaw`DELETE FROM access_logs WHERE facility_id = ${B.id}::uuid`).rejects.toThrow();
    await expect(db().$executeRawUnsafe("TRUNCATE access_logs")).rejects.toThrow(/TRUNCATE refused/);
    const [part] = await db().$queryRaw<{ name: string }[]>`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_logs'::regclass AND c.relname <> 'access_logs_default' LIMIT 1`;
    await expect(db().$executeRawUnsafe(`TRUNCATE "${part!.name}"`)).rejects.toThrow(/TRUNCATE refused/);
  });

  it("finds a row edited in SQL with the triggers switched off, and a row removed", async () => {
    const rows = await db().accessLog.findMany({ where: { facilityId: C.id }, orderBy: { chainSeq: "asc" }, select: { id: true, chainSeq: true } });
    expect(rows.length).toBeGreaterThanOrEqual(1);
    await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRaw`UPDATE access_logs SET detail = 'tampered' WHERE id = ${rows[0]!.id}::uuid`;
    });
    expect(await verifyAccessLogChain(C.id, month)).toMatchObject({ ok: false, firstBroken: { seq: Number(rows[0]!.chainSeq), id: rows[0]!.id, problem: "hash" } });

    const bRows = await db().accessLog.findMany({ where: { facilityId: B.id }, orderBy: { chainSeq: "asc" }, select: { id: true, chainSeq: true } });
    await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRaw`DELETE FROM access_logs WHERE id = ${bRows[1]!.id}::uuid`;
    });
    expect(await verifyAccessLogChain(B.id, month)).toMatchObject({ ok: false, firstBroken: { seq: Number(bRows[2]!.chainSeq), problem: "gap" } });
  });
});

describe("retention", () => {
  it("archives a month older than the 13 kept online: file, manifest, partition detached and kept; recent months refused", async () => {
    await db().$queryRaw`SELECT "chiikilink_ensure_access_log_partitions"('2024-01-01'::date, '2024-01-01'::date)`;
    for (const [i, detail] of ["古い参照 1", "古い参照 2", "古い参照 3"].entries())
      await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, access_type, detail)
        VALUES (gen_random_uuid(), ${new Date(Date.UTC(2024, 0, 10 + i, 3))}, ${doctorB.userId}::uuid, ${B.id}::uuid, 'PATIENT_SEARCH', ${detail})`;
    expect(await verifyAccessLogChain(B.id, "2024-01")).toMatchObject({ ok: true, rows: 3 });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "access-archive-"));
    const r = await archiveAccessLogMonth("2024-01", out, { verify: verifyAccessLogChain });
    expect(r).toMatchObject({ partition: "access_logs_y2024m01", rows: 3 });
    const csv = fs.readFileSync(r.file, "utf8");
    expect(csv).toContain("古い参照 2");
    expect(crypto.createHash("sha256").update(fs.readFileSync(r.file)).digest("hex")).toBe(r.sha256);
    expect(JSON.parse(fs.readFileSync(r.manifest, "utf8"))).toMatchObject({ month: "2024-01", rows: 3, chains: [{ facilityId: B.id, lastSeq: 3 }] });
    const [state] = await db().$queryRaw<{ attached: boolean; exists: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_logs'::regclass AND c.relname = 'access_logs_y2024m01') AS attached,
             to_regclass('access_logs_y2024m01') IS NOT NULL AS exists`;
    expect(state).toEqual({ attached: false, exists: true });
    await expect(archiveAccessLogMonth(month, out, { verify: verifyAccessLogChain })).rejects.toMatchObject({ code: "VALIDATION" });
  });
});
