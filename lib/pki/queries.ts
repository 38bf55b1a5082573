import "server-only";
import { db } from "@/lib/db/client";
import { assertAllowed, canManageCertificates } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { checkPeerCertificate, type TPeerIdentity } from "@/lib/pki/forge";

export type TCertificateRow = {
  id: string;
  serial: string;
  facilityId: string;
  facilityName: string;
  facilityCode: string;
  terminalName: string;
  issuedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
  status: "valid" | "revoked" | "expired";
};

export async function listCertificates(
  viewer: TViewer,
  filter: { facilityId?: string; status?: "valid" | "revoked" | "expired" | "all" } = {},
): Promise<TCertificateRow[]> {
  assertAllowed(canManageCertificates(viewer), "list certificates");
  const now = new Date();
  const status = filter.status ?? "all";
  const rows = await db().terminalCertificate.findMany({
    where: {
      facilityId: filter.facilityId || undefined,
      ...(status === "valid" ? { revokedAt: null, expiresAt: { gt: now } } : {}),
      ...(status === "revoked" ? { revokedAt: { not: null } } : {}),
      ...(status === "expired" ? { revokedAt: null, expiresAt: { lte: now } } : {}),
    },
    orderBy: [{ issuedAt: "desc" }],
    take: 500,
    select: {
      id: true,
      serial: true,
      facilityId: true,
      issuedAt: true,
      expiresAt: true,
      revokedAt: true,
      revokedReason: true,
      facility: { select: { nameKanji: true, code: true } },
      terminal: { select: { name: true } },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    serial: r.serial,
    facilityId: r.facilityId,
    facilityName: r.facility.nameKanji,
    facilityCode: r.facility.code,
    terminalName: r.terminal.name,
    issuedAt: r.issuedAt,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    revokedReason: r.revokedReason,
    status: r.revokedAt ? "revoked" : r.expiresAt <= now ? "expired" : "valid",
  }));
}

/** The .p12 file for download (still protected by the one-time password the recipient holds). */
export async function getCertificateFile(viewer: TViewer, id: string): Promise<{ fileName: string; bytes: Buffer }> {
  assertAllowed(canManageCertificates(viewer), "download certificates");
  const row = await db().terminalCertificate.findUnique({
    where: { id },
    omit: { pkcs12: false },
    include: { facility: { select: { code: true } }, terminal: { select: { name: true } } },
  });
  if (!row || row.revokedAt) throw notFound("certificate");
  const safeName = row.terminal.name.replace(/[^\p{L}\p{N}_-]+/gu, "_");
  return { fileName: `${row.facility.code}_${safeName}_${row.serial.slice(0, 8)}.p12`, bytes: Buffer.from(row.pkcs12) };
}

export async function getCaCertificatePem(): Promise<string | null> {
  const row = await db().certificateAuthority.findUnique({ where: { id: 1 }, select: { certificatePem: true } });
  return row?.certificatePem ?? null;
}

export type TTerminalIdentity = TPeerIdentity & {
  facilityCode: string;
  facilityName: string;
  terminalName: string;
};

export type TTerminalCheck =
  | { ok: true; identity: TTerminalIdentity }
  | { ok: false; reason: "missing" | "foreign" | "expired" | "not-yet-valid" | "malformed" | "unknown" | "revoked" | "facility-inactive" };

/**
 * The gate every request passes (server.ts): the certificate is ours, in date, known to the
 * database, not revoked, and its facility is active. Reads the database on every request so a
 * revocation takes effect on the very next one, on every app node.
 */
export async function checkTerminalCertificate(der: Buffer | null | undefined, caCertPem: string): Promise<TTerminalCheck> {
  if (!der || der.length === 0) return { ok: false, reason: "missing" };
  const peer = checkPeerCertificate(der, caCertPem);
  if (!peer.ok) return peer;
  const row = await db().terminalCertificate.findUnique({
    where: { serial: peer.identity.serial },
    select: {
      facilityId: true,
      terminalId: true,
      revokedAt: true,
      facility: { select: { code: true, nameKanji: true, isActive: true } },
      terminal: { select: { name: true } },
    },
  });
  if (!row || row.facilityId !== peer.identity.facilityId || row.terminalId !== peer.identity.terminalId) {
    return { ok: false, reason: "unknown" };
  }
  if (row.revokedAt) return { ok: false, reason: "revoked" };
  if (!row.facility.isActive) return { ok: false, reason: "facility-inactive" };
  return {
    ok: true,
    identity: { ...peer.identity, facilityCode: row.facility.code, facilityName: row.facility.nameKanji, terminalName: row.terminal.name },
  };
}
