/**
 * The monthly access-log CSV (seed 000 コンテンツ参照記録) and the hash chain, on real PostgreSQL:
 * a scripted month across three facilities, both directions, CP932 bytes, parsing back, cells
 * neutralised against CSV injection and read back as stored, the verifier finding a tampered row,
 * and the log refusing changes.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import type { TViewer } from "@/lib/auth/viewer-type";
import { archiveAccessLogMonth } from "@/lib/audit/mutations";
import { countAccessLogExport, openAccessLogExport, verifyAccessLogChain, verifyAccessLogFor } from "@/lib/audit/queries";
import { isFormulaLike, neutraliseCsvCell, restoreCsvCell } from "@/lib/audit/csv";
import { monthBounds, monthOf, ZAccessLogExport } from "@/lib/audit/schema";
import { importParsedMessage } from "@/lib/clinical/mutations";
import { getCalendar, getContent, getContentFile } from "@/lib/clinical/queries";
import type { TContentDraft } from "@/lib/clinical/ingest/types";
import { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db/client";
import { pgPool } from "@/lib/db/pg";
import { registerPatient } from "@/lib/patients/mutations";
import { searchPatients } from "@/lib/patients/queries";
import { ZPatientSearch, ZRegisterPatient } from "@/lib/patients/schema";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";
import { csvRecords } from "@/tests/fixtures/csv";

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

/** A value for each way a cell can start a formula (all in CP932, so both encodings carry them). */
const HOSTILE = [
  '=HYPERLINK("http://evil.example/","x")',
  "+SUM(1)",
  "-2+3+cmd|' /C calc'!A0",
  "@SUM(1)",
  "\t=1",
  "\rabc",
  " =1+1",
  '"=1"',
  "'=1",
  "＝1",
  "\u3000@x",
  "-1",
];
/** Values that test the file's structure: a comma, quotes and both line breaks inside one cell; a lone quote; empty. */
const STRUCTURE = ['a,b "c"\nd\r\ne', '"', ",", ""];

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

async function exportBytes(viewer: TViewer, q: Record<string, string>): Promise<Buffer> {
  const out = await openAccessLogExport(viewer, ZAccessLogExport.parse({ month, ...q }));
  return Buffer.from(await new Response(out.body).arrayBuffer());
}

/** The CP932 export's records by column name; an empty cell (NULL or "") as "" here, as Excel shows it. */
async function exportRows(viewer: TViewer, q: Record<string, string>) {
  return csvRecords(iconv.decode(await exportBytes(viewer, q), "cp932")).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v ?? ""])));
}

type TStoredRow = Record<"content_id" | "facility" | "person" | "detail" | "content_facility" | "cert_serial", string | null>;

/** What a facility's export of the month holds, read from the table in the export's order: the test's oracle. */
async function storedRows(facilityId: string, direction: "viewing" | "viewed"): Promise<TStoredRow[]> {
  const { from, to } = monthBounds(month);
  const side = direction === "viewing" ? Prisma.sql`l.facility_id = ${facilityId}::uuid` : Prisma.sql`l.owner_facility_id = ${facilityId}::uuid AND l.facility_id <> ${facilityId}::uuid`;
  return db().$queryRaw<TStoredRow[]>`
    SELECT l.content_id, vf.name_kanji AS facility, u.name_kanji AS person, l.detail, ofc.name_kanji AS content_facility, l.cert_serial
      FROM access_logs l JOIN staff_users u ON u.id = l.user_id JOIN facilities vf ON vf.id = l.facility_id LEFT JOIN facilities ofc ON ofc.id = l.owner_facility_id
     WHERE l.at >= ${from} AND l.at < ${to} AND ${side}
     ORDER BY l.at, l.facility_id, l.chain_seq`;
}

const CELL_OF: Record<string, keyof TStoredRow> = {
  ContentID: "content_id",
  AccessFacilityName: "facility",
  AccessPersonName: "person",
  AccessDetail: "detail",
  ContentFacilityName: "content_facility",
  CertificateSerial: "cert_serial",
};

/**
 * Parses the file strictly and holds every cell of the columns that carry stored text to the
 * stored value: NULL as an empty unquoted cell, anything else neutralised by the rule, and read
 * back (one ' removed) as exactly what is stored. No cell anywhere may start a formula.
 */
function expectCellsAsStored(text: string, stored: TStoredRow[]) {
  const records = csvRecords(text);
  expect(Object.keys(records[0] ?? {})[0]).toBe("ContentID");
  expect(records).toHaveLength(stored.length);
  const wrong: unknown[] = [];
  records.forEach((r, k) => {
    for (const [column, key] of Object.entries(CELL_OF)) {
      const v = stored[k]![key];
      const cell = r[column] ?? null;
      if (cell !== (v === null ? null : neutraliseCsvCell(v)) || (v !== null && restoreCsvCell(cell!) !== v)) wrong.push({ row: k, column, stored: v, cell });
    }
    for (const [column, cell] of Object.entries(r)) if (cell !== null && !cell.startsWith("'") && isFormulaLike(cell)) wrong.push({ row: k, column, formula: cell });
  });
  expect(wrong).toEqual([]);
  return records;
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

describe("CSV injection (OWASP): cells that would start a formula", () => {
  let evil: TViewer;

  beforeAll(async () => {
    // a staff member of the clinic whose name and terminal serial are formulas, viewing the hospital's content
    evil = await viewerFor((await createStaff({ facilityId: B.id, roles: ["CLINICIAN"], nameKanji: HOSTILE[0] })).user, "@SERIAL");
    await getContent(evil, contentIds[0]!);
    // refused requests naming what they asked for straight from a URL
    await expect(getContentFile(doctorB, HOSTILE[0]!, "+SUM(1)")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(getContent(doctorB, "@SUM(1)")).rejects.toMatchObject({ code: "NOT_FOUND" });
    // rows as written before ids were checked (the text in content_id), and details of any text
    const values = [...HOSTILE, ...STRUCTURE];
    await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, cert_serial, access_type, content_id, detail)
      SELECT gen_random_uuid(), ${new Date(`${month}-02T00:00:00Z`)}::timestamptz + make_interval(secs => v.i::int), ${doctorB.userId}::uuid, ${B.id}::uuid, v.t, 'DENIED', v.t, v.t
        FROM unnest(${values}::text[]) WITH ORDINALITY AS v(t, i)`;
  });

  it("the database's rule is lib/audit/csv.ts's, for every character of the BMP up to U+3100 and the full-width forms, alone and before = or text", async () => {
    const values = [...HOSTILE, ...STRUCTURE, "2026/11/01 09:00:00", "A-1", "file +SUM(1)"];
    for (const [from, to] of [[1, 0x3100], [0xfe00, 0xff70]] as const)
      for (let c = from; c < to; c++) values.push(String.fromCharCode(c), `${String.fromCharCode(c)}=1`, `${String.fromCharCode(c)}a`);
    const rows = await db().$queryRaw<{ v: string; cell: string }[]>`SELECT v, "chiikilink_csv_cell"(v) AS cell FROM unnest(${values}::text[]) AS v`;
    expect(rows).toHaveLength(values.length);
    expect(rows.filter((r) => r.cell !== neutraliseCsvCell(r.v))).toEqual([]);
    // the characters that make "<c>=1" a formula: the blanks, the quotes and the formula characters themselves
    const before = new Set(rows.filter((r) => r.v.length === 3 && r.v.endsWith("=1") && r.cell !== r.v).map((r) => r.v.codePointAt(0)!));
    expect([...before].sort((a, b) => a - b)).toEqual([9, 10, 11, 12, 13, 32, 34, 39, 43, 45, 61, 64, 160, 12288, 65291, 65293, 65309, 65312]);
    const [nul] = await db().$queryRaw<{ cell: string | null }[]>`SELECT "chiikilink_csv_cell"(NULL) AS cell`;
    expect(nul!.cell).toBeNull();
  });

  it("the export's COPY calls the rule on its stored-text cells, and PostgreSQL inlines every call (none runs as a function per cell)", async () => {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    const copies: string[] = [];
    proto.query = function (this: unknown, ...args: unknown[]) {
      const text = (args[0] as { text?: unknown } | null)?.text;
      if (typeof text === "string" && text.startsWith("COPY")) copies.push(text);
      return original.apply(this, args);
    };
    try {
      await exportBytes(adminA, { facilityId: A.id, direction: "viewed" });
    } finally {
      proto.query = original;
    }
    expect(copies).toHaveLength(1);
    const select = copies[0]!.replace(/^COPY \(/, "").replace(/\) TO STDOUT WITH \(.*\)$/s, "");
    expect(select.match(/"chiikilink_csv_cell"/g)).toHaveLength(9);
    const plan = (await db().$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (VERBOSE) ${select}`)).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).not.toContain("chiikilink_csv_cell");
    expect(plan).toContain("ascii(");
    // the control: around a sub-select the call is not inlined, and the plan names it
    const around = await db().$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN (VERBOSE) SELECT "chiikilink_csv_cell"((SELECT max(detail) FROM access_logs))`);
    expect(around.map((r) => r["QUERY PLAN"]).join("\n")).toContain("chiikilink_csv_cell");
  });

  it("a refused request's id is kept out of the content id column: its text is in the detail, after the label", async () => {
    const denied = await db().accessLog.findMany({ where: { userId: doctorB.userId, accessType: "DENIED", requestId: null, contentId: null }, select: { detail: true } });
    expect(denied.map((d) => d.detail)).toEqual(expect.arrayContaining(["file +SUM(1)", "content @SUM(1)"]));
  });

  it.each(["cp932", "utf8"] as const)("our staff's month in %s: every dangerous cell gets its ', every cell reads back as stored, and the chain holds", async (encoding) => {
    const bytes = await exportBytes(adminB, { facilityId: B.id, direction: "viewing", encoding });
    const text = iconv.decode(bytes, encoding);
    const stored = await storedRows(B.id, "viewing");
    const records = expectCellsAsStored(text, stored);
    // the attacker's cell as the file carries it: the quote inside a quoted cell, its own quotes doubled
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/"",""x"")","山﨑クリニック"`);
    for (const v of HOSTILE) {
      const row = records.find((r) => restoreCsvCell(r.AccessDetail ?? "") === v && restoreCsvCell(r.ContentID ?? "") === v);
      expect(row, JSON.stringify(v)).toBeDefined();
      expect([row!.ContentID, row!.AccessDetail, row!.CertificateSerial]).toEqual([`'${v}`, `'${v}`, `'${v}`]);
    }
    expect(records.find((r) => r.AccessDetail === STRUCTURE[0])).toMatchObject({ ContentID: STRUCTURE[0], CertificateSerial: STRUCTURE[0] });
    expect(records.find((r) => r.AccessDetail === "")).toMatchObject({ ContentID: "", CertificateSerial: "" });
    expect(await verifyAccessLogChain(B.id, month)).toMatchObject({ ok: true, firstBroken: null });
  });

  it.each(["cp932", "utf8"] as const)("our contents viewed by others in %s: a formula for a staff name and serial is neutralised", async (encoding) => {
    const text = iconv.decode(await exportBytes(adminA, { facilityId: A.id, direction: "viewed", encoding }), encoding);
    const records = expectCellsAsStored(text, await storedRows(A.id, "viewed"));
    const row = records.find((r) => r.AccessPersonName?.includes("HYPERLINK"));
    expect(row).toMatchObject({ AccessPersonName: `'${HOSTILE[0]}`, CertificateSerial: "'@SERIAL", ContentID: contentIds[0], AccessFacilityName: "山﨑クリニック" });
    expect(restoreCsvCell(row!.AccessPersonName!)).toBe(evil.name);
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

  it("archives text cells neutralised and quoted, line breaks inside cells kept: counted right, parsed back as stored, every hash recomputed from the file", async () => {
    await db().$queryRaw`SELECT "chiikilink_ensure_access_log_partitions"('2024-02-01'::date, '2024-02-01'::date)`;
    const values = [...HOSTILE, ...STRUCTURE];
    for (const [i, v] of values.entries())
      await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, cert_serial, access_type, content_id, detail, request_id)
        VALUES (gen_random_uuid(), ${new Date(Date.UTC(2024, 1, 3, 3, 0, i))}, ${doctorB.userId}::uuid, ${B.id}::uuid, ${v}, 'DENIED', ${v}, ${v}, ${v})`;
    await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, access_type) VALUES (gen_random_uuid(), ${new Date(Date.UTC(2024, 1, 4, 3))}, ${doctorB.userId}::uuid, ${B.id}::uuid, 'PATIENT_SEARCH')`;
    // a read under an emergency grant: the grant's id is covered by the row's hash, so the archive must carry it
    const grantId = crypto.randomUUID();
    await db().$executeRaw`INSERT INTO access_logs (id, at, user_id, facility_id, access_type, patient_id, owner_facility_id, is_emergency, emergency_grant_id)
      VALUES (gen_random_uuid(), ${new Date(Date.UTC(2024, 1, 5, 3))}, ${doctorB.userId}::uuid, ${B.id}::uuid, 'CALENDAR_VIEW', ${patient.id}::uuid, ${A.id}::uuid, true, ${grantId}::uuid)`;
    const stored = await db().$queryRaw<Record<"cert_serial" | "content_id" | "detail" | "request_id" | "emergency_grant_id", string | null>[]>`
      SELECT cert_serial, content_id, detail, request_id, emergency_grant_id::text FROM access_logs_y2024m02 ORDER BY facility_id, chain_seq`;
    expect(stored).toHaveLength(values.length + 2);

    const out = fs.mkdtempSync(path.join(os.tmpdir(), "access-archive-"));
    const r = await archiveAccessLogMonth("2024-02", out, { verify: verifyAccessLogChain });
    expect(r.rows).toBe(values.length + 2); // not the line feeds: two are inside cells
    const manifest = JSON.parse(fs.readFileSync(r.manifest, "utf8")) as { rows: number; cells: string };
    expect(manifest.rows).toBe(values.length + 2);
    expect(manifest.cells).toContain("single quote");
    const text = fs.readFileSync(r.file, "utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/"",""x"")"`);
    const records = csvRecords(text, { eol: "\n" });
    expect(records).toHaveLength(stored.length);
    const wrong: unknown[] = [];
    records.forEach((rec, k) => {
      for (const column of ["cert_serial", "content_id", "detail", "request_id"] as const) {
        const v = stored[k]![column];
        const cell = rec[column] ?? null;
        if (cell !== (v === null ? null : neutraliseCsvCell(v)) || (v !== null && restoreCsvCell(cell!) !== v)) wrong.push({ row: k, column, stored: v, cell });
      }
      for (const [column, cell] of Object.entries(rec)) if (cell !== null && !cell.startsWith("'") && isFormulaLike(cell)) wrong.push({ row: k, column, formula: cell });
    });
    expect(wrong).toEqual([]);
    expect(records.slice(0, HOSTILE.length).map((rec) => rec.detail)).toEqual(HOSTILE.map((v) => `'${v}`));
    expect(records.map((rec) => rec.emergency_grant_id ?? null)).toEqual(stored.map((x) => x.emergency_grant_id));
    expect(records.at(-1)).toMatchObject({ is_emergency: "t", emergency_grant_id: grantId });

    // whoever checks an archive recomputes each row's hash from the file, with the prefix undone
    const undo = (cell: string | null | undefined) => (cell == null ? null : restoreCsvCell(cell));
    for (const rec of records) {
      const [h] = await db().$queryRaw<{ hash: string }[]>`
        SELECT encode("chiikilink_access_log_hash"(decode(${rec.prev_hash}, 'hex'), ${rec.id}::uuid, ${rec.at}::timestamptz, ${rec.user_id}::uuid, ${rec.facility_id}::uuid,
          ${undo(rec.cert_serial)}, ${rec.access_type}, ${rec.patient_id ?? null}::uuid, ${rec.owner_facility_id ?? null}::uuid, ${undo(rec.content_id)},
          ${rec.is_emergency}::boolean, ${undo(rec.detail)}, ${undo(rec.request_id)}, ${rec.chain_seq}::bigint, ${rec.emergency_grant_id ?? null}::uuid), 'hex') AS hash`;
      expect(h!.hash).toBe(rec.row_hash);
    }
  });
});
