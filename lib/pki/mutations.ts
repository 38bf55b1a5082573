import "server-only";
import { db, type TTx } from "@/lib/db/client";
import { env } from "@/lib/env";
import { assertAllowed, canManageCertificates } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, fieldError, notFound } from "@/lib/errors";
import { checkCsr, CsrError, type TCheckedCsr } from "@/lib/pki/csr";
import {
  createCa,
  decryptKey,
  encryptKey,
  issueTerminalCertificate,
  issueTerminalCertificateFromCsr,
  newOneTimePassword,
  type TCaMaterial,
} from "@/lib/pki/forge";
import type { TIssueCertificate, TIssueCertificateFromCsr, TRevokeCertificate } from "@/lib/pki/schema";
import { certificateFileName, chainPem, downloadDeadline, downloadWindowMs } from "@/lib/pki/files";
import { isUuid } from "@/lib/text";

function passphrase(): string {
  const p = env().CA_KEY_PASSPHRASE;
  if (!p) throw new Error("CA_KEY_PASSPHRASE is not set");
  return p;
}

/** The columns every issued certificate stores, however its key was made. */
const certificateRow = (
  issued: { serial: string; subject: string; notBefore: Date; notAfter: Date; certPem: string; publicKeySha256: string },
  terminalId: string,
  facilityId: string,
  issuedById: string,
) => ({
  serial: issued.serial,
  terminalId,
  facilityId,
  subject: issued.subject,
  issuedAt: issued.notBefore,
  expiresAt: issued.notAfter,
  issuedById,
  certificatePem: issued.certPem,
  publicKeySha256: issued.publicKeySha256,
});

/** Creates the network CA on first start; later starts load it. Safe when two nodes start at once. */
export async function ensureCa(networkName = "ChiikiLink"): Promise<{ certPem: string; created: boolean }> {
  const existing = await db().certificateAuthority.findUnique({ where: { id: 1 } });
  if (existing) return { certPem: existing.certificatePem, created: false };
  const ca = createCa(networkName);
  const rows = await db().$executeRaw`
    INSERT INTO certificate_authority (id, certificate_pem, encrypted_key_pem)
    VALUES (1, ${ca.certPem}, ${encryptKey(ca.keyPem, passphrase())})
    ON CONFLICT (id) DO NOTHING`;
  const row = await db().certificateAuthority.findUniqueOrThrow({ where: { id: 1 } });
  return { certPem: row.certificatePem, created: rows === 1 };
}

export async function loadCa(): Promise<TCaMaterial> {
  const row = await db().certificateAuthority.findUnique({ where: { id: 1 }, omit: { encryptedKeyPem: false } });
  if (!row) throw new Error("The network CA has not been created yet");
  return { certPem: row.certificatePem, keyPem: decryptKey(row.encryptedKeyPem, passphrase()) };
}

type TFacilityRow = { id: string; code: string; nameKanji: string };

/**
 * What both ways of issuing share: the secretariat only, an active facility, the terminal found or
 * created by name, and the row written in the same transaction as the terminal.
 */
async function issueFor<T>(
  viewer: TViewer,
  input: TIssueCertificate,
  make: (tx: TTx, ca: TCaMaterial, facility: TFacilityRow, terminal: { id: string; name: string }) => Promise<T>,
): Promise<T> {
  assertAllowed(canManageCertificates(viewer), "issue certificates");
  const facility = await db().facility.findUnique({ where: { id: input.facilityId } });
  if (!facility) throw new AppError("VALIDATION", "unknown facility", { facilityId: ["v.facility.required"] });
  if (!facility.isActive) throw new AppError("VALIDATION", "inactive facility", { facilityId: ["v.facility.inactive"] });
  const ca = await loadCa();
  return db().$transaction(async (tx) => {
    const terminal = await tx.terminal.upsert({
      where: { facilityId_name: { facilityId: facility.id, name: input.terminalName } },
      create: { facilityId: facility.id, name: input.terminalName },
      update: {},
    });
    return make(tx, ca, facility, terminal);
  });
}

export type TIssuedCertificate = { id: string; serial: string; oneTimePassword: string; expiresAt: Date; downloadUntil: Date };

/**
 * Issues a terminal certificate with a key made here. The one-time password is returned once and
 * never stored; the .p12 is kept only until its one download (downloadCertificateFile) or
 * TERMINAL_P12_DOWNLOAD_HOURS, whichever comes first.
 */
export async function issueCertificate(
  viewer: TViewer,
  input: TIssueCertificate,
  opts: { notAfter?: Date } = {},
): Promise<TIssuedCertificate> {
  return issueFor(viewer, input, async (tx, ca, facility, terminal) => {
    const oneTimePassword = newOneTimePassword();
    const issued = issueTerminalCertificate(ca, {
      facilityId: facility.id,
      facilityCode: facility.code,
      facilityName: facility.nameKanji,
      terminalId: terminal.id,
      terminalName: terminal.name,
      days: input.days,
      password: oneTimePassword,
      notAfter: opts.notAfter,
    });
    const row = await tx.terminalCertificate.create({
      data: {
        ...certificateRow(issued, terminal.id, facility.id, viewer.userId),
        keySource: "SERVER",
        pkcs12: new Uint8Array(issued.pkcs12),
      },
      select: { id: true },
    });
    return { id: row.id, serial: issued.serial, oneTimePassword, expiresAt: issued.notAfter, downloadUntil: downloadDeadline(issued.notBefore) };
  });
}

export type TIssuedFromCsr = {
  id: string;
  serial: string;
  expiresAt: Date;
  keyLabel: string;
  fileName: string;
  /** the terminal's certificate followed by the network CA's, as the .crt download holds them */
  chainPem: string;
};

/**
 * Issues a terminal certificate for the key in the terminal's own request (PKCS#10, PEM): the
 * private key never reaches the server. The request's subject is ignored; the certificate says
 * what issueCertificate's would. A key whose certificate was revoked, or that another terminal's
 * certificate holds, is refused: the terminal makes a new one.
 */
export async function issueCertificateFromCsr(
  viewer: TViewer,
  input: TIssueCertificateFromCsr,
  opts: { notAfter?: Date } = {},
): Promise<TIssuedFromCsr> {
  assertAllowed(canManageCertificates(viewer), "issue certificates");
  let csr: TCheckedCsr;
  try {
    csr = checkCsr(input.csrPem);
  } catch (err) {
    if (err instanceof CsrError) throw fieldError("csrPem", `v.csr.${err.problem}`, Object.keys(err.vars).length ? err.vars : undefined);
    throw err;
  }
  return issueFor(viewer, input, async (tx, ca, facility, terminal) => {
    const sameKey = await tx.terminalCertificate.findMany({
      where: { publicKeySha256: csr.publicKeySha256 },
      select: { revokedAt: true, terminalId: true, terminal: { select: { name: true } }, facility: { select: { code: true } } },
    });
    if (sameKey.some((c) => c.revokedAt)) throw fieldError("csrPem", "v.csr.revokedKey");
    const other = sameKey.find((c) => c.terminalId !== terminal.id);
    if (other) throw fieldError("csrPem", "v.csr.keyInUse", { terminal: `${other.facility.code} ${other.terminal.name}` });
    const issued = issueTerminalCertificateFromCsr(ca, csr, {
      facilityId: facility.id,
      facilityCode: facility.code,
      facilityName: facility.nameKanji,
      terminalId: terminal.id,
      terminalName: terminal.name,
      days: input.days,
      notAfter: opts.notAfter,
    });
    const row = await tx.terminalCertificate.create({
      data: {
        ...certificateRow(issued, terminal.id, facility.id, viewer.userId),
        keySource: "CSR",
      },
      select: { id: true },
    });
    return {
      id: row.id,
      serial: issued.serial,
      expiresAt: issued.notAfter,
      keyLabel: csr.keyLabel,
      fileName: certificateFileName(facility.code, terminal.name, issued.serial, "crt"),
      chainPem: chainPem(issued.certPem, ca.certPem),
    };
  });
}

/**
 * The .p12 file, once: the same transaction hands it out, deletes it and records when and by whom.
 * The row is locked first, so of two downloads at once the second waits and then finds it gone.
 * A file already downloaded, past its window, revoked, or never made (CSR) is refused with
 * CONFLICT; getCertificateFileState says which, for the message. The file counts as downloaded
 * once it leaves the server: a transfer lost on the way means revoking and issuing again.
 */
export async function downloadCertificateFile(viewer: TViewer, id: string, now = new Date()): Promise<{ fileName: string; bytes: Buffer }> {
  assertAllowed(canManageCertificates(viewer), "download certificates");
  if (!isUuid(id)) throw notFound("certificate");
  return db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM terminal_certificates WHERE id = ${id}::uuid FOR UPDATE`;
    const row = await tx.terminalCertificate.findUnique({
      where: { id },
      omit: { pkcs12: false },
      include: { facility: { select: { code: true } }, terminal: { select: { name: true } } },
    });
    if (!row) throw notFound("certificate");
    if (!row.pkcs12 || row.revokedAt || row.downloadedAt || downloadDeadline(row.issuedAt) <= now) {
      throw new AppError("CONFLICT", "the .p12 file of this certificate is no longer on the server");
    }
    await tx.terminalCertificate.update({ where: { id }, data: { pkcs12: null, downloadedAt: now, downloadedById: viewer.userId } });
    return { fileName: certificateFileName(row.facility.code, row.terminal.name, row.serial, "p12"), bytes: Buffer.from(row.pkcs12) };
  });
}

/**
 * Deletes the .p12 files nobody downloaded within TERMINAL_P12_DOWNLOAD_HOURS (server.ts: at start
 * and hourly). Their certificates stay valid; if the file never reached the terminal, the
 * secretariat revokes the certificate and issues a new one.
 */
export async function purgeUndownloadedKeys(now = new Date()): Promise<number> {
  const { count } = await db().terminalCertificate.updateMany({
    where: { pkcs12: { not: null }, issuedAt: { lte: new Date(now.getTime() - downloadWindowMs()) } },
    data: { pkcs12: null },
  });
  return count;
}

export async function revokeCertificate(viewer: TViewer, input: TRevokeCertificate): Promise<void> {
  assertAllowed(canManageCertificates(viewer), "revoke certificates");
  // A key not yet downloaded goes with the certificate: nobody may install it any more.
  const updated = await db().terminalCertificate.updateMany({
    where: { id: input.certificateId, revokedAt: null },
    data: { revokedAt: new Date(), revokedById: viewer.userId, revokedReason: input.reason, pkcs12: null },
  });
  if (updated.count === 0) {
    const exists = await db().terminalCertificate.count({ where: { id: input.certificateId } });
    if (!exists) throw notFound("certificate");
    throw new AppError("CONFLICT", "already revoked");
  }
  // Sessions opened on that terminal end with it: revocation must take effect at once.
  const cert = await db().terminalCertificate.findUniqueOrThrow({ where: { id: input.certificateId }, select: { serial: true } });
  await db().userSession.updateMany({
    where: { certSerial: cert.serial, endedAt: null },
    data: { endedAt: new Date(), endReason: "CERT_REVOKED" },
  });
}
