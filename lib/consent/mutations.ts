import "server-only";
import { inTurn, type TTx } from "@/lib/db/client";
import { checkPatient, whoSees, writePatient } from "@/lib/access/gateway";
import type { TViewer } from "@/lib/auth/viewer-type";
import { CONSENT_SCAN_MAX_BYTES, type TConsentInput } from "@/lib/consent/schema";
import { coveragePeriods, type TConsentEventCore } from "@/lib/consent/state";
import { startOfJapanDay, todayInJapan } from "@/lib/dates";
import { fieldError } from "@/lib/errors";
import { deleteBytes, putBytes, sniffFileType } from "@/lib/files/store";
import { notifyPublication } from "@/lib/securemail/notices";


/**
 * Serializes every change to one patient's links and consent: the derived periods are rebuilt
 * from all events and links, which must not interleave with another such change.
 */
export async function lockPatient(tx: TTx, patientId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM patients WHERE id = ${patientId}::uuid FOR UPDATE`;
}

/** Rebuilds link_consent_periods of the patient's links from the consent events (lib/consent/state.ts). */
export async function rebuildConsentPeriods(tx: TTx, patientId: string): Promise<void> {
  const [events, links] = await inTurn([
    () => tx.consentEvent.findMany({
      where: { patientId },
      select: { action: true, scope: true, effectiveAt: true, recordedAt: true, facilities: { select: { facilityId: true } } },
    }),
    () => tx.facilityPatientLink.findMany({ where: { patientId }, select: { id: true, facilityId: true } }),
  ]);
  const core: TConsentEventCore[] = events.map((e) => ({ ...e, facilityIds: e.facilities.map((f) => f.facilityId) }));
  await tx.linkConsentPeriod.deleteMany({ where: { link: { patientId } } });
  const rows = links.flatMap((l) => coveragePeriods(core, l.facilityId).map((p) => ({ linkId: l.id, ...p })));
  if (rows.length > 0) await tx.linkConsentPeriod.createMany({ data: rows });
}

/**
 * From when an event takes effect: the moment it is recorded when dated today (withdrawal stops
 * sharing "from that moment"), else the start of its date in Japan (back-dated forms, and forms
 * dated ahead, which take effect on their day).
 */
export function effectiveAtOf(consentDate: Date, now: Date): Date {
  return consentDate.getTime() === todayInJapan(now).getTime() ? now : startOfJapanDay(consentDate);
}

export type TScanUpload = { bytes: Uint8Array; fileName: string } | null;

/** Checks a scan by its content; stores it. The caller records the row, or deletes the bytes on failure. */
export async function storeConsentScan(scan: TScanUpload, field = "scan") {
  if (!scan || scan.bytes.byteLength === 0) return null;
  if (scan.bytes.byteLength > CONSENT_SCAN_MAX_BYTES) throw fieldError(field, "v.consent.scan.tooLarge");
  const kind = sniffFileType(scan.bytes);
  if (!kind || kind.contentType === "image/png") throw fieldError(field, "v.consent.scan.type");
  const stored = await putBytes(scan.bytes);
  return { ...stored, contentType: kind.contentType, fileName: scan.fileName.slice(0, 255) || `consent.${kind.extension}` };
}

/** Writes one consent event (with its named facilities and scan) and rebuilds the derived periods. */
export async function insertConsentEvent(
  tx: TTx,
  viewer: TViewer,
  patientId: string,
  input: TConsentInput,
  scan: Awaited<ReturnType<typeof storeConsentScan>>,
  now: Date,
): Promise<string> {
  if (input.facilityIds.length > 0) {
    const known = await tx.facility.count({ where: { id: { in: input.facilityIds } } });
    if (known !== input.facilityIds.length) throw fieldError("facilityIds", "v.consent.facilityIds.unknown");
  }
  const file = scan
    ? await tx.storedFile.create({
        data: { storageKey: scan.storageKey, fileName: scan.fileName, contentType: scan.contentType, size: scan.size, sha256: scan.sha256, createdById: viewer.userId },
        select: { id: true },
      })
    : null;
  const event = await tx.consentEvent.create({
    data: {
      patientId,
      action: input.action,
      scope: input.scope,
      method: input.method,
      consentDate: input.consentDate,
      effectiveAt: effectiveAtOf(input.consentDate, now),
      responsibleName: input.responsibleName,
      explainedByName: input.explainedByName,
      obtainedAtFacilityId: viewer.facilityId,
      signer: input.signer,
      signerName: input.signer === "PROXY" ? input.signerName : null,
      proxyRelationship: input.signer === "PROXY" ? input.proxyRelationship : null,
      reason: input.reason,
      note: input.note,
      scanFileId: file?.id ?? null,
      recordedAt: now,
      recordedById: viewer.userId,
      recordedByFacilityId: viewer.facilityId,
      facilities: { create: input.facilityIds.map((facilityId) => ({ facilityId })) },
    },
    select: { id: true },
  });
  await rebuildConsentPeriods(tx, patientId);
  return event.id;
}

/** Records a consent or a withdrawal for a patient whose registration the viewer manages. */
export async function recordConsent(viewer: TViewer, patientId: string, input: TConsentInput, scanUpload: TScanUpload = null): Promise<{ id: string }> {
  // refused before the scan is stored; decided again with the write
  await checkPatient(viewer, "registration", patientId);
  const scan = await storeConsentScan(scanUpload);
  try {
    const id = await writePatient(viewer, "registration", patientId, async ({ tx }) => {
      await lockPatient(tx, patientId);
      const now = new Date();
      const before = await whoSees.facilities(tx, patientId, now);
      const eventId = await insertConsentEvent(tx, viewer, patientId, input, scan, now);
      await notifyPublication(tx, patientId, before, now);
      return { value: eventId };
    });
    return { id };
  } catch (e) {
    if (scan) await deleteBytes(scan.storageKey);
    throw e;
  }
}
