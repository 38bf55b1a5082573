import crypto from "node:crypto";
import fs from "node:fs";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, type TErrorCode } from "@/lib/errors";
import { createCa, issueTerminalCertificate, normalizeSerial } from "@/lib/pki/forge";
import {
  downloadCertificateFile,
  ensureCa,
  issueCertificate,
  issueCertificateFromCsr,
  loadCa,
  purgeUndownloadedKeys,
  revokeCertificate,
} from "@/lib/pki/mutations";
import { checkTerminalCertificate, getCaCertificatePem, getCertificateChain, getCertificateFileState, listCertificates } from "@/lib/pki/queries";
import { resetEnvCache } from "@/lib/env";
import { opensslCsr, tamperedCsr, type TTerminalCsr } from "@/tests/fixtures/csr";
import { createFacility, createStaff, viewerFor } from "@/tests/fixtures/factories";

type TFacility = Awaited<ReturnType<typeof createFacility>>;

async function appError(p: Promise<unknown>, code: TErrorCode): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  expect(err.code).toBe(code);
  return err;
}

function openPkcs12(bytes: Buffer, password: string) {
  return forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString("binary")), password);
}

/** The terminal's own certificate (DER) out of its PKCS#12 file: the one whose OU is the facility code. */
function leafDer(bytes: Buffer, password: string, facilityCode: string): Buffer {
  const bags = openPkcs12(bytes, password).getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const leaf = bags.map((b) => b.cert!).find((c) => c.subject.getField("OU")?.value === facilityCode);
  if (!leaf) throw new Error("no terminal certificate in the PKCS#12 file");
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), "binary");
}

let caPem: string;
let secretariat: TViewer;
let facility: TFacility;
/** requests made by openssl as a terminal makes them (the keys stay with the test) */
let rsaCsr: TTerminalCsr;
let ecCsr: TTerminalCsr;
const csrDirs: string[] = [];
const csr = (...args: Parameters<typeof opensslCsr>) => {
  const made = opensslCsr(...args);
  csrDirs.push(made.dir);
  return made;
};
afterAll(() => {
  for (const d of csrDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Issues a certificate and returns it with its DER, as the terminal would present it. */
async function issue(f: TFacility, terminalName: string, opts: { notAfter?: Date } = {}) {
  const issued = await issueCertificate(secretariat, { facilityId: f.id, terminalName, days: 30 }, opts);
  const file = await downloadCertificateFile(secretariat, issued.id);
  return { ...issued, file, der: leafDer(file.bytes, issued.oneTimePassword, f.code) };
}

beforeAll(async () => {
  const office = await createFacility({ type: "SECRETARIAT" });
  secretariat = await viewerFor((await createStaff({ facilityId: office.id, roles: ["SECRETARIAT"], qualification: "CLERK" })).user);
  const ca = await ensureCa();
  caPem = ca.certPem;
  facility = await createFacility({ nameKanji: "ちいき総合病院" });
  rsaCsr = csr("rsa2048", { subject: "/CN=the terminal's own name/O=Somebody" });
  ecCsr = csr("ec-p256");
});

describe("ensureCa", () => {
  it("creates the CA once and returns the same one afterwards", async () => {
    const again = await ensureCa();
    expect(again).toEqual({ certPem: caPem, created: false });
    expect(await ensureCa("Another Network")).toEqual({ certPem: caPem, created: false });
    expect(await db().certificateAuthority.count()).toBe(1);
    expect(await getCaCertificatePem()).toBe(caPem);
    expect(new crypto.X509Certificate(caPem).ca).toBe(true);
  });

  it("stores the CA key encrypted, and loadCa gives back the matching key", async () => {
    const row = await db().certificateAuthority.findUniqueOrThrow({ where: { id: 1 }, omit: { encryptedKeyPem: false } });
    expect(row.encryptedKeyPem).toContain("ENCRYPTED");
    const ca = await loadCa();
    expect(ca.certPem).toBe(caPem);
    expect(new crypto.X509Certificate(caPem).checkPrivateKey(crypto.createPrivateKey(ca.keyPem))).toBe(true);
  });
});

describe("issueCertificate", () => {
  it("returns a one-time password that opens the stored PKCS#12 file", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "外来 1/診察室", days: 30 });
    expect(issued.oneTimePassword).toMatch(/^[A-HJ-NP-Za-km-z2-9]{12}$/);
    expect(issued.serial).toMatch(/^[0-9a-f]+$/);
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);

    const file = await downloadCertificateFile(secretariat, issued.id);
    expect(file.fileName).toBe(`${facility.code}_外来_1_診察室_${issued.serial.slice(0, 8)}.p12`);
    const der = leafDer(file.bytes, issued.oneTimePassword, facility.code);
    expect(normalizeSerial(new crypto.X509Certificate(der).serialNumber)).toBe(issued.serial);
    expect(() => openPkcs12(file.bytes, "WrongPassword9")).toThrow();

    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, include: { terminal: true } });
    expect(row).toMatchObject({ serial: issued.serial, facilityId: facility.id, issuedById: secretariat.userId, revokedAt: null });
    expect(row.terminal.name).toBe("外来 1/診察室");
    expect(row.subject).toContain(`OU=${facility.code}`);
    expect(row.expiresAt).toEqual(issued.expiresAt);
  });

  it("never stores the one-time password", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "受付", days: 10 });
    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, omit: { pkcs12: false } });
    expect(JSON.stringify(row)).not.toContain(issued.oneTimePassword);
    expect(row.pkcs12).not.toBeNull();
    expect(Buffer.from(row.pkcs12!).includes(Buffer.from(issued.oneTimePassword))).toBe(false);
  });

  it("reuses the terminal when a certificate is issued again for the same name", async () => {
    const first = await issue(facility, "病棟PC");
    const second = await issue(facility, "病棟PC");
    expect(second.serial).not.toBe(first.serial);
    const rows = await db().terminalCertificate.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(new Set(rows.map((r) => r.terminalId)).size).toBe(1);
    const a = await checkTerminalCertificate(first.der, caPem);
    const b = await checkTerminalCertificate(second.der, caPem);
    expect(a.ok && b.ok && a.identity.terminalId === b.identity.terminalId).toBe(true);
  });

  it("refuses an unknown facility", async () => {
    const err = await appError(issueCertificate(secretariat, { facilityId: crypto.randomUUID(), terminalName: "x", days: 30 }), "VALIDATION");
    expect(Object.keys(err.fieldErrors)).toEqual(["facilityId"]);
  });

  it("refuses an inactive facility", async () => {
    const closed = await createFacility({ isActive: false });
    const err = await appError(issueCertificate(secretariat, { facilityId: closed.id, terminalName: "x", days: 30 }), "VALIDATION");
    expect(Object.keys(err.fieldErrors)).toEqual(["facilityId"]);
    expect(await db().terminal.count({ where: { facilityId: closed.id } })).toBe(0);
  });
});

describe("checkTerminalCertificate", () => {
  it("accepts an issued certificate with its facility and terminal", async () => {
    const issued = await issue(facility, "検査室");
    const check = await checkTerminalCertificate(issued.der, caPem);
    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(check).toEqual({
      ok: true,
      identity: {
        serial: issued.serial,
        facilityId: facility.id,
        terminalId: row.terminalId,
        notAfter: expect.any(Date),
        facilityCode: facility.code,
        facilityName: "ちいき総合病院",
        terminalName: "検査室",
      },
    });
  });

  it("reports a missing certificate", async () => {
    expect(await checkTerminalCertificate(null, caPem)).toEqual({ ok: false, reason: "missing" });
    expect(await checkTerminalCertificate(undefined, caPem)).toEqual({ ok: false, reason: "missing" });
    expect(await checkTerminalCertificate(Buffer.alloc(0), caPem)).toEqual({ ok: false, reason: "missing" });
  });

  it("refuses garbage and another CA's certificate", async () => {
    expect(await checkTerminalCertificate(crypto.randomBytes(200), caPem)).toEqual({ ok: false, reason: "malformed" });
    const foreign = issueTerminalCertificate(createCa("ChiikiLink"), {
      facilityId: facility.id,
      facilityCode: facility.code,
      facilityName: facility.nameKanji,
      terminalId: crypto.randomUUID(),
      terminalName: "偽端末",
      days: 30,
      password: "x",
    });
    expect(await checkTerminalCertificate(new crypto.X509Certificate(foreign.certPem).raw, caPem)).toEqual({ ok: false, reason: "foreign" });
  });

  it("refuses a certificate signed by our CA but not in the database as unknown", async () => {
    const terminal = await db().terminal.create({ data: { facilityId: facility.id, name: "未登録端末" } });
    const stray = issueTerminalCertificate(await loadCa(), {
      facilityId: facility.id,
      facilityCode: facility.code,
      facilityName: facility.nameKanji,
      terminalId: terminal.id,
      terminalName: terminal.name,
      days: 30,
      password: "x",
    });
    expect(await checkTerminalCertificate(new crypto.X509Certificate(stray.certPem).raw, caPem)).toEqual({ ok: false, reason: "unknown" });
  });

  it("refuses an expired certificate", async () => {
    const expired = await issue(facility, "古い端末", { notAfter: new Date(Date.now() - 86_400_000) });
    expect(await checkTerminalCertificate(expired.der, caPem)).toEqual({ ok: false, reason: "expired" });
  });

  it("refuses the certificate of a facility made inactive", async () => {
    const f = await createFacility();
    const issued = await issue(f, "端末A");
    expect((await checkTerminalCertificate(issued.der, caPem)).ok).toBe(true);
    await db().facility.update({ where: { id: f.id }, data: { isActive: false } });
    expect(await checkTerminalCertificate(issued.der, caPem)).toEqual({ ok: false, reason: "facility-inactive" });
  });
});

describe("revokeCertificate", () => {
  it("refuses the certificate at once and ends the sessions opened on it", async () => {
    const issued = await issue(facility, "返却端末");
    const other = await issue(facility, "継続端末");
    const { user } = await createStaff({ facilityId: facility.id });
    const onRevoked = await db().userSession.create({ data: { userId: user.id, certSerial: issued.serial } });
    const onOther = await db().userSession.create({ data: { userId: user.id, certSerial: other.serial } });
    const alreadyEnded = await db().userSession.create({
      data: { userId: user.id, certSerial: issued.serial, endedAt: new Date(Date.now() - 60_000), endReason: "SIGN_OUT" },
    });

    await revokeCertificate(secretariat, { certificateId: issued.id, reason: "端末の廃棄" });

    expect(await checkTerminalCertificate(issued.der, caPem)).toEqual({ ok: false, reason: "revoked" });
    expect((await checkTerminalCertificate(other.der, caPem)).ok).toBe(true);
    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row).toMatchObject({ revokedById: secretariat.userId, revokedReason: "端末の廃棄" });
    expect(row.revokedAt).not.toBeNull();

    const revokedSession = await db().userSession.findUniqueOrThrow({ where: { id: onRevoked.id } });
    expect(revokedSession.endedAt).not.toBeNull();
    expect(revokedSession.endReason).toBe("CERT_REVOKED");
    expect((await db().userSession.findUniqueOrThrow({ where: { id: onOther.id } })).endedAt).toBeNull();
    expect((await db().userSession.findUniqueOrThrow({ where: { id: alreadyEnded.id } })).endReason).toBe("SIGN_OUT");

    // the file is no longer handed out (it went at its one download)
    await appError(downloadCertificateFile(secretariat, issued.id), "CONFLICT");
  });

  it("refuses to revoke twice, and an unknown certificate", async () => {
    const issued = await issue(facility, "二重失効");
    await revokeCertificate(secretariat, { certificateId: issued.id, reason: "紛失" });
    await appError(revokeCertificate(secretariat, { certificateId: issued.id, reason: "紛失" }), "CONFLICT");
    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id } });
    expect(row.revokedReason).toBe("紛失");
    await appError(revokeCertificate(secretariat, { certificateId: crypto.randomUUID(), reason: "紛失" }), "NOT_FOUND");
  });
});

describe("permissions", () => {
  it.each([
    ["a clinician", ["CLINICIAN"] as const],
    ["a liaison officer", ["LIAISON"] as const],
    ["a facility admin", ["FACILITY_ADMIN", "CLINICIAN"] as const],
  ])("refuses %s every certificate function", async (_name, roles) => {
    const viewer = await viewerFor((await createStaff({ facilityId: facility.id, roles: [...roles] })).user);
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "権限確認", days: 30 });

    await appError(issueCertificate(viewer, { facilityId: facility.id, terminalName: "不正発行", days: 30 }), "FORBIDDEN");
    await appError(listCertificates(viewer), "FORBIDDEN");
    await appError(listCertificates(viewer, { facilityId: viewer.facilityId }), "FORBIDDEN");
    await appError(downloadCertificateFile(viewer, issued.id), "FORBIDDEN");
    await appError(getCertificateFileState(viewer, issued.id), "FORBIDDEN");
    await appError(getCertificateChain(viewer, issued.id), "FORBIDDEN");
    await appError(issueCertificateFromCsr(viewer, { facilityId: facility.id, terminalName: "不正発行", days: 30, csrPem: rsaCsr.csrPem }), "FORBIDDEN");
    await appError(revokeCertificate(viewer, { certificateId: issued.id, reason: "いたずら" }), "FORBIDDEN");

    expect(await db().terminal.count({ where: { facilityId: facility.id, name: "不正発行" } })).toBe(0);
    expect((await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id } })).revokedAt).toBeNull();
    // a refused download takes nothing away
    expect((await getCertificateFileState(secretariat, issued.id)).keyFile.state).toBe("pending");
  });
});

describe("listCertificates", () => {
  it("filters by status and facility", async () => {
    const f = await createFacility({ nameKanji: "一覧クリニック" });
    const valid = await issueCertificate(secretariat, { facilityId: f.id, terminalName: "有効", days: 30 });
    const revoked = await issueCertificate(secretariat, { facilityId: f.id, terminalName: "失効", days: 30 });
    await revokeCertificate(secretariat, { certificateId: revoked.id, reason: "テスト" });
    const expired = await issueCertificate(
      secretariat,
      { facilityId: f.id, terminalName: "期限切れ", days: 30 },
      { notAfter: new Date(Date.now() - 86_400_000) },
    );

    const ids = async (status?: "valid" | "revoked" | "expired" | "all") =>
      (await listCertificates(secretariat, { facilityId: f.id, status })).map((r) => r.id).sort();

    expect(await ids("valid")).toEqual([valid.id]);
    expect(await ids("revoked")).toEqual([revoked.id]);
    expect(await ids("expired")).toEqual([expired.id]);
    expect(await ids("all")).toEqual([valid.id, revoked.id, expired.id].sort());
    expect(await ids()).toEqual([valid.id, revoked.id, expired.id].sort());

    const [row] = await listCertificates(secretariat, { facilityId: f.id, status: "revoked" });
    expect(row).toMatchObject({
      serial: revoked.serial,
      facilityId: f.id,
      facilityName: "一覧クリニック",
      facilityCode: f.code,
      terminalName: "失効",
      revokedReason: "テスト",
    });
    expect(row!.revokedAt).toBeInstanceOf(Date);

    // without a facility filter the list spans facilities
    const everything = (await listCertificates(secretariat)).map((r) => r.facilityId);
    expect(everything).toContain(f.id);
    expect(everything).toContain(facility.id);
    // newest first
    const all = await listCertificates(secretariat, { facilityId: f.id });
    const issuedTimes = all.map((r) => r.issuedAt.getTime());
    expect(issuedTimes).toEqual([...issuedTimes].sort((a, b) => b - a));
  });
});

/** A field error of a refused request: which field, and the message key with its values. */
async function csrRefusal(p: Promise<unknown>): Promise<string> {
  const err = await appError(p, "VALIDATION");
  expect(Object.keys(err.fieldErrors)).toEqual(["csrPem"]);
  return err.fieldErrors.csrPem![0]!;
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000);

describe("downloadCertificateFile: the .p12 once", () => {
  it("hands the file out once, deletes it in the same step, and records when and by whom", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "一回限り", days: 30 });
    expect(issued.downloadUntil.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect((await getCertificateFileState(secretariat, issued.id)).keyFile).toEqual({ state: "pending", deadline: issued.downloadUntil });

    const before = Date.now();
    const file = await downloadCertificateFile(secretariat, issued.id);
    expect(openPkcs12(file.bytes, issued.oneTimePassword)).toBeTruthy();

    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, omit: { pkcs12: false } });
    expect(row.pkcs12).toBeNull();
    expect(row.downloadedById).toBe(secretariat.userId);
    expect(row.downloadedAt!.getTime()).toBeGreaterThanOrEqual(before - 5);

    // the second download is refused, and the refusal says when and by whom
    const again = await appError(downloadCertificateFile(secretariat, issued.id), "CONFLICT");
    expect(again.status).toBe(409);
    const me = await db().staffUser.findUniqueOrThrow({ where: { id: secretariat.userId } });
    const state = await getCertificateFileState(secretariat, issued.id);
    expect(state).toEqual({
      facilityCode: facility.code,
      terminalName: "一回限り",
      serial: issued.serial,
      keyFile: { state: "downloaded", at: row.downloadedAt, byName: me.nameKanji },
    });
    const [listed] = (await listCertificates(secretariat, { facilityId: facility.id })).filter((r) => r.id === issued.id);
    expect(listed!.keyFile).toEqual({ state: "downloaded", at: row.downloadedAt, byName: me.nameKanji });
    // the certificate itself works as before
    expect((await checkTerminalCertificate(leafDer(file.bytes, issued.oneTimePassword, facility.code), caPem)).ok).toBe(true);
  });

  it("gives exactly one file when two downloads run at once", async () => {
    for (let round = 0; round < 4; round++) {
      const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: `同時${round}`, days: 30 });
      const results = await Promise.allSettled([downloadCertificateFile(secretariat, issued.id), downloadCertificateFile(secretariat, issued.id)]);
      const files = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
      const refusals = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      expect(files).toHaveLength(1);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toBeInstanceOf(AppError);
      expect((refusals[0] as AppError).code).toBe("CONFLICT");
      expect(openPkcs12(files[0]!.bytes, issued.oneTimePassword)).toBeTruthy();
      const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, omit: { pkcs12: false } });
      expect(row.pkcs12).toBeNull();
      expect(row.downloadedAt).not.toBeNull();
    }
  });

  it("refuses after the window, and the purge deletes undownloaded files past it only", async () => {
    const stale = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "放置端末", days: 30 });
    const fresh = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "新しい端末", days: 30 });
    const staleIssuedAt = hoursAgo(25);
    await db().terminalCertificate.update({ where: { id: stale.id }, data: { issuedAt: staleIssuedAt } });

    // past the window the file is refused even before the purge runs
    await appError(downloadCertificateFile(secretariat, stale.id), "CONFLICT");
    expect((await getCertificateFileState(secretariat, stale.id)).keyFile.state).toBe("expired");

    expect(await purgeUndownloadedKeys()).toBeGreaterThanOrEqual(1);
    const rows = await db().terminalCertificate.findMany({ where: { id: { in: [stale.id, fresh.id] } }, omit: { pkcs12: false } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(stale.id)!.pkcs12).toBeNull();
    expect(byId.get(stale.id)!.downloadedAt).toBeNull();
    expect(byId.get(fresh.id)!.pkcs12).not.toBeNull();
    expect(await purgeUndownloadedKeys()).toBe(0);

    const state = await getCertificateFileState(secretariat, stale.id);
    expect(state.keyFile).toEqual({ state: "expired", deadline: new Date(staleIssuedAt.getTime() + 24 * 3600_000) });
    // the certificate stays valid until revoked; the fresh one still downloads
    expect((await listCertificates(secretariat, { facilityId: facility.id, status: "valid" })).map((r) => r.id)).toContain(stale.id);
    expect((await downloadCertificateFile(secretariat, fresh.id)).bytes.length).toBeGreaterThan(1000);
  });

  it("takes the window from TERMINAL_P12_DOWNLOAD_HOURS", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "窓2時間", days: 30 });
    await db().terminalCertificate.update({ where: { id: issued.id }, data: { issuedAt: hoursAgo(3) } });
    process.env.TERMINAL_P12_DOWNLOAD_HOURS = "4";
    resetEnvCache();
    try {
      expect((await getCertificateFileState(secretariat, issued.id)).keyFile.state).toBe("pending");
      process.env.TERMINAL_P12_DOWNLOAD_HOURS = "2";
      resetEnvCache();
      expect((await getCertificateFileState(secretariat, issued.id)).keyFile.state).toBe("expired");
      await appError(downloadCertificateFile(secretariat, issued.id), "CONFLICT");
    } finally {
      delete process.env.TERMINAL_P12_DOWNLOAD_HOURS;
      resetEnvCache();
    }
  });

  it("deletes an undownloaded file at revocation", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "未受領で失効", days: 30 });
    await revokeCertificate(secretariat, { certificateId: issued.id, reason: "誤発行" });
    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, omit: { pkcs12: false } });
    expect(row.pkcs12).toBeNull();
    await appError(downloadCertificateFile(secretariat, issued.id), "CONFLICT");
    expect((await getCertificateFileState(secretariat, issued.id)).keyFile).toEqual({ state: "revoked" });
  });

  it("answers NOT_FOUND for an unknown or malformed id", async () => {
    await appError(downloadCertificateFile(secretariat, crypto.randomUUID()), "NOT_FOUND");
    await appError(downloadCertificateFile(secretariat, "../etc/passwd"), "NOT_FOUND");
    await appError(getCertificateFileState(secretariat, "x"), "NOT_FOUND");
  });

  it("the database keeps no file once it is downloaded, nor any for a key it did not make", async () => {
    const issued = await issueCertificate(secretariat, { facilityId: facility.id, terminalName: "制約", days: 30 });
    const fromCsr = await issueCertificateFromCsr(secretariat, { facilityId: facility.id, terminalName: "制約CSR", days: 30, csrPem: csr("ec-p256").csrPem });
    await expect(
      db().$executeRaw`UPDATE terminal_certificates SET downloaded_at = now(), downloaded_by_id = ${secretariat.userId}::uuid WHERE id = ${issued.id}::uuid`,
    ).rejects.toThrow(/terminal_certificates_pkcs12_until_download/);
    await expect(db().$executeRaw`UPDATE terminal_certificates SET pkcs12 = '\\x00'::bytea WHERE id = ${fromCsr.id}::uuid`).rejects.toThrow(
      /terminal_certificates_pkcs12_server_only/,
    );
  });
});

describe("issueCertificateFromCsr", () => {
  it.each([
    ["RSA 2048", () => rsaCsr],
    ["EC P-256", () => ecCsr],
  ])("certifies the terminal's %s key: the CA's chain, the network's subject, accepted by the server's check, no key kept", async (label, source) => {
    const { csrPem, keyPem } = source();
    const issued = await issueCertificateFromCsr(secretariat, { facilityId: facility.id, terminalName: `CSR端末 ${label}`, days: 30, csrPem });
    expect(issued.keyLabel).toBe(label);
    expect(issued.fileName).toBe(`${facility.code}_CSR端末_${label.replace(" ", "_")}_${issued.serial.slice(0, 8)}.crt`);

    const certs = issued.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(certs).toHaveLength(2);
    const leaf = new crypto.X509Certificate(certs[0]!);
    const caX509 = new crypto.X509Certificate(caPem);
    expect(new crypto.X509Certificate(certs[1]!).fingerprint256).toBe(caX509.fingerprint256);
    expect(leaf.checkIssued(caX509) && leaf.verify(caX509.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(keyPem))).toBe(true);
    expect(leaf.subject).not.toContain("the terminal's own name");
    expect(leaf.subject).toContain(`OU=${facility.code}`);

    const check = await checkTerminalCertificate(leaf.raw, caPem);
    expect(check).toMatchObject({ ok: true, identity: { serial: issued.serial, facilityId: facility.id, terminalName: `CSR端末 ${label}` } });

    const row = await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id }, omit: { pkcs12: false } });
    expect(row).toMatchObject({ keySource: "CSR", pkcs12: null, downloadedAt: null, issuedById: secretariat.userId });
    expect(JSON.stringify(row)).not.toContain(keyPem.split("\n")[1]);
    // the certificate (no key) can be fetched again; there is no .p12 to download
    expect(await getCertificateChain(secretariat, issued.id)).toEqual({ fileName: issued.fileName, pem: issued.chainPem });
    await appError(downloadCertificateFile(secretariat, issued.id), "CONFLICT");
    expect((await getCertificateFileState(secretariat, issued.id)).keyFile).toEqual({ state: "csr" });

    // revocation takes effect as for any certificate
    await revokeCertificate(secretariat, { certificateId: issued.id, reason: "テスト" });
    expect(await checkTerminalCertificate(leaf.raw, caPem)).toEqual({ ok: false, reason: "revoked" });
  });

  it("refuses a request whose signature does not match, and a weak key, saying so, and writes nothing", async () => {
    const before = await db().terminalCertificate.count();
    const input = { facilityId: facility.id, terminalName: "拒否される端末", days: 30 };
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, csrPem: tamperedCsr(rsaCsr.csrPem, "Somebody", "SOMEBODY") }))).toBe("v.csr.badSignature");
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, csrPem: csr("rsa1024").csrPem }))).toBe('v.csr.weakKey|{"key":"RSA 1024"}');
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, csrPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----" }))).toBe("v.csr.notPem");
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, csrPem: rsaCsr.keyPem }))).toBe("v.csr.privateKey");
    expect(await db().terminalCertificate.count()).toBe(before);
    expect(await db().terminal.count({ where: { facilityId: facility.id, name: "拒否される端末" } })).toBe(0);
  });

  it("renews for the same terminal's key, refuses it for another terminal, and never certifies a revoked key again", async () => {
    const own = csr("ec-p256");
    const input = { facilityId: facility.id, days: 30, csrPem: own.csrPem };
    const first = await issueCertificateFromCsr(secretariat, { ...input, terminalName: "鍵の持ち主" });
    const renewed = await issueCertificateFromCsr(secretariat, { ...input, terminalName: "鍵の持ち主" });
    expect(renewed.serial).not.toBe(first.serial);
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, terminalName: "別の端末" }))).toBe(
      `v.csr.keyInUse|${JSON.stringify({ terminal: `${facility.code} 鍵の持ち主` })}`,
    );
    await revokeCertificate(secretariat, { certificateId: first.id, reason: "紛失" });
    expect(await csrRefusal(issueCertificateFromCsr(secretariat, { ...input, terminalName: "鍵の持ち主" }))).toBe("v.csr.revokedKey");
  });

  it("refuses an inactive facility as issuing does", async () => {
    const closed = await createFacility({ isActive: false });
    const err = await appError(issueCertificateFromCsr(secretariat, { facilityId: closed.id, terminalName: "x", days: 30, csrPem: ecCsr.csrPem }), "VALIDATION");
    expect(err.fieldErrors).toEqual({ facilityId: ["v.facility.inactive"] });
  });
});
