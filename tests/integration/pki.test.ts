import crypto from "node:crypto";
import forge from "node-forge";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, type TErrorCode } from "@/lib/errors";
import { createCa, issueTerminalCertificate, normalizeSerial } from "@/lib/pki/forge";
import { ensureCa, issueCertificate, loadCa, revokeCertificate } from "@/lib/pki/mutations";
import { checkTerminalCertificate, getCaCertificatePem, getCertificateFile, listCertificates } from "@/lib/pki/queries";
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

/** Issues a certificate and returns it with its DER, as the terminal would present it. */
async function issue(f: TFacility, terminalName: string, opts: { notAfter?: Date } = {}) {
  const issued = await issueCertificate(secretariat, { facilityId: f.id, terminalName, days: 30 }, opts);
  const file = await getCertificateFile(secretariat, issued.id);
  return { ...issued, file, der: leafDer(file.bytes, issued.oneTimePassword, f.code) };
}

beforeAll(async () => {
  const office = await createFacility({ type: "SECRETARIAT" });
  secretariat = await viewerFor((await createStaff({ facilityId: office.id, roles: ["SECRETARIAT"], qualification: "CLERK" })).user);
  const ca = await ensureCa();
  caPem = ca.certPem;
  facility = await createFacility({ nameKanji: "ちいき総合病院" });
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

    const file = await getCertificateFile(secretariat, issued.id);
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
    expect(Buffer.from(row.pkcs12).includes(Buffer.from(issued.oneTimePassword))).toBe(false);
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

    // the file is no longer handed out
    await appError(getCertificateFile(secretariat, issued.id), "NOT_FOUND");
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
    await appError(getCertificateFile(viewer, issued.id), "FORBIDDEN");
    await appError(revokeCertificate(viewer, { certificateId: issued.id, reason: "いたずら" }), "FORBIDDEN");

    expect(await db().terminal.count({ where: { facilityId: facility.id, name: "不正発行" } })).toBe(0);
    expect((await db().terminalCertificate.findUniqueOrThrow({ where: { id: issued.id } })).revokedAt).toBeNull();
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
