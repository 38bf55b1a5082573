import "server-only";
import { db, preparedRows } from "@/lib/db/client";
import { assertAllowed, canManageCertificates } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { checkPeerCertificate, type TPeerIdentity } from "@/lib/pki/forge";
import { certificateFileName, chainPem, downloadDeadline } from "@/lib/pki/files";
import { isUuid } from "@/lib/text";

/**
 * Where a certificate's key stands, as the list and the download refusal say it: a server-made key
 * waiting for its one download (until `deadline`), downloaded (when, by whom), deleted unread after
 * the window or at revocation, or never on the server (made on the terminal, CSR).
 */
export type TKeyFileState =
  | { state: "pending"; deadline: Date }
  | { state: "downloaded"; at: Date; byName: string | null }
  | { state: "expired"; deadline: Date }
  | { state: "revoked" }
  | { state: "csr" };

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
  keyFile: TKeyFileState;
  /** the certificate (no key) can be fetched again: /api/certificates/<id>/certificate */
  hasCertificatePem: boolean;
};

const keyFileSelect = { id: true, issuedAt: true, revokedAt: true, keySource: true, downloadedAt: true, downloadedById: true } as const;
type TKeyFileRow = { id: string; issuedAt: Date; revokedAt: Date | null; keySource: "SERVER" | "CSR"; downloadedAt: Date | null; downloadedById: string | null };

/** The key-file state of `rows`, with the names of who downloaded, in two reads (never the files themselves). */
async function keyFileStates(rows: TKeyFileRow[], now = new Date()): Promise<Map<string, TKeyFileState>> {
  const ids = rows.map((r) => r.id);
  const downloaders = [...new Set(rows.flatMap((r) => (r.downloadedById ? [r.downloadedById] : [])))];
  const [stored, users] = await Promise.all([
    ids.length ? db().terminalCertificate.findMany({ where: { id: { in: ids }, pkcs12: { not: null } }, select: { id: true } }) : [],
    downloaders.length ? db().staffUser.findMany({ where: { id: { in: downloaders } }, select: { id: true, nameKanji: true } }) : [],
  ]);
  const hasFile = new Set(stored.map((r) => r.id));
  const names = new Map(users.map((u) => [u.id, u.nameKanji]));
  return new Map(
    rows.map((r): [string, TKeyFileState] => {
      const deadline = downloadDeadline(r.issuedAt);
      if (r.keySource === "CSR") return [r.id, { state: "csr" }];
      if (r.downloadedAt) return [r.id, { state: "downloaded", at: r.downloadedAt, byName: names.get(r.downloadedById ?? "") ?? null }];
      if (r.revokedAt && r.revokedAt < deadline) return [r.id, { state: "revoked" }];
      if (hasFile.has(r.id) && deadline > now) return [r.id, { state: "pending", deadline }];
      return [r.id, { state: "expired", deadline }];
    }),
  );
}

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
      ...keyFileSelect,
      serial: true,
      facilityId: true,
      expiresAt: true,
      revokedReason: true,
      certificatePem: true,
      facility: { select: { nameKanji: true, code: true } },
      terminal: { select: { name: true } },
    },
  });
  const files = await keyFileStates(rows, now);
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
    keyFile: files.get(r.id)!,
    hasCertificatePem: r.certificatePem !== null,
  }));
}

/** One certificate's key-file state, for the message when its .p12 is refused. */
export async function getCertificateFileState(
  viewer: TViewer,
  id: string,
): Promise<{ facilityCode: string; terminalName: string; serial: string; keyFile: TKeyFileState }> {
  assertAllowed(canManageCertificates(viewer), "list certificates");
  const row = isUuid(id)
    ? await db().terminalCertificate.findUnique({
        where: { id },
        select: { ...keyFileSelect, serial: true, facility: { select: { code: true } }, terminal: { select: { name: true } } },
      })
    : null;
  if (!row) throw notFound("certificate");
  const keyFile = (await keyFileStates([row])).get(row.id)!;
  return { facilityCode: row.facility.code, terminalName: row.terminal.name, serial: row.serial, keyFile };
}

/** The certificate and the network CA's (PEM, no key: public), for a terminal that made its own key. */
export async function getCertificateChain(viewer: TViewer, id: string): Promise<{ fileName: string; pem: string }> {
  assertAllowed(canManageCertificates(viewer), "download certificates");
  const row = isUuid(id)
    ? await db().terminalCertificate.findUnique({
        where: { id },
        select: { serial: true, certificatePem: true, facility: { select: { code: true } }, terminal: { select: { name: true } } },
      })
    : null;
  const caPem = await getCaCertificatePem();
  if (!row?.certificatePem || !caPem) throw notFound("certificate");
  return { fileName: certificateFileName(row.facility.code, row.terminal.name, row.serial, "crt"), pem: chainPem(row.certificatePem, caPem) };
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
  // One prepared statement on the pool (every request passes here; Prisma's relations were three).
  const row = (await preparedRows<TTerminalRow>("chiikilink_check_terminal", TERMINAL_SQL, [peer.identity.serial]))[0];
  if (!row || row.facility_id !== peer.identity.facilityId || row.terminal_id !== peer.identity.terminalId) {
    return { ok: false, reason: "unknown" };
  }
  if (row.revoked) return { ok: false, reason: "revoked" };
  if (!row.facility_active) return { ok: false, reason: "facility-inactive" };
  return {
    ok: true,
    identity: { ...peer.identity, facilityCode: row.facility_code, facilityName: row.facility_name, terminalName: row.terminal_name },
  };
}

const TERMINAL_SQL = `
  SELECT c.facility_id::text AS facility_id, c.terminal_id::text AS terminal_id, c.revoked_at IS NOT NULL AS revoked,
         f.code AS facility_code, f.name_kanji AS facility_name, f.is_active AS facility_active, t.name AS terminal_name
    FROM "terminal_certificates" c
    JOIN "facilities" f ON f.id = c.facility_id
    JOIN "terminals" t ON t.id = c.terminal_id
   WHERE c.serial = $1`;
type TTerminalRow = { facility_id: string; terminal_id: string; revoked: boolean; facility_code: string; facility_name: string; facility_active: boolean; terminal_name: string };
