import "server-only";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { assertAllowed, canManageCertificates } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, notFound } from "@/lib/errors";
import {
  createCa,
  decryptKey,
  encryptKey,
  issueTerminalCertificate,
  newOneTimePassword,
  type TCaMaterial,
} from "@/lib/pki/forge";
import type { TIssueCertificate, TRevokeCertificate } from "@/lib/pki/schema";

function passphrase(): string {
  const p = env().CA_KEY_PASSPHRASE;
  if (!p) throw new Error("CA_KEY_PASSPHRASE is not set");
  return p;
}

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

export type TIssuedCertificate = { id: string; serial: string; oneTimePassword: string; expiresAt: Date };

/** Issues a terminal certificate. The one-time password is returned once and never stored. */
export async function issueCertificate(
  viewer: TViewer,
  input: TIssueCertificate,
  opts: { notAfter?: Date } = {},
): Promise<TIssuedCertificate> {
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
        serial: issued.serial,
        terminalId: terminal.id,
        facilityId: facility.id,
        subject: issued.subject,
        issuedAt: issued.notBefore,
        expiresAt: issued.notAfter,
        issuedById: viewer.userId,
        pkcs12: new Uint8Array(issued.pkcs12),
      },
      select: { id: true },
    });
    return { id: row.id, serial: issued.serial, oneTimePassword, expiresAt: issued.notAfter };
  });
}

export async function revokeCertificate(viewer: TViewer, input: TRevokeCertificate): Promise<void> {
  assertAllowed(canManageCertificates(viewer), "revoke certificates");
  const updated = await db().terminalCertificate.updateMany({
    where: { id: input.certificateId, revokedAt: null },
    data: { revokedAt: new Date(), revokedById: viewer.userId, revokedReason: input.reason },
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
