import "server-only";
import type { ConsentAction, ConsentMethod, ConsentScope, ConsentSigner } from "@/generated/prisma/enums";
import { db, inTurn } from "@/lib/db/client";
import { readPatient } from "@/lib/access/gateway";
import type { TViewer } from "@/lib/auth/viewer-type";
import { consentStateAt, coversFacility } from "@/lib/consent/state";
import { readBytes } from "@/lib/files/store";
import { isUuid } from "@/lib/text";

export type TConsentEventRow = {
  id: string;
  action: ConsentAction;
  scope: ConsentScope;
  facilities: { id: string; name: string }[];
  method: ConsentMethod;
  consentDate: Date;
  effectiveAt: Date;
  responsibleName: string | null;
  explainedByName: string | null;
  obtainedAtFacilityName: string | null;
  signer: ConsentSigner;
  signerName: string | null;
  proxyRelationship: string | null;
  reason: string | null;
  note: string | null;
  scan: { fileName: string; contentType: string; size: number } | null;
  recordedAt: Date;
  recordedByName: string | null;
  recordedByFacilityName: string | null;
  /** dated after `at`: recorded, not yet in force */
  isPending: boolean;
};

export type TConsentSummary = {
  at: Date;
  isComprehensive: boolean;
  /** facilities the consent in force names (per-facility consent) */
  included: { id: string; name: string }[];
  /** facilities withdrawn from a comprehensive consent */
  excluded: { id: string; name: string }[];
  /** whether the consent in force covers the viewer's facility */
  coversViewer: boolean;
};

export type TConsentHistory = { summary: TConsentSummary; events: TConsentEventRow[] };

/**
 * 同意履歴: every consent event of the patient, oldest first, and what was in force at `at`
 * (now by default; any past moment for "what did the consent say on that day?").
 */
export async function getConsentHistory(viewer: TViewer, patientId: string, at: Date = new Date(), now: Date = new Date()): Promise<TConsentHistory> {
  return readPatient(viewer, "consent", patientId, async ({ tx }) => {
    const events = await tx.consentEvent.findMany({
      where: { patientId },
      orderBy: [{ effectiveAt: "asc" }, { recordedAt: "asc" }],
      include: { facilities: { select: { facility: { select: { id: true, nameKanji: true } } } }, scanFile: { select: { fileName: true, contentType: true, size: true } } },
    });
    const staffIds = [...new Set(events.map((e) => e.recordedById))];
    const facilityIds = [...new Set(events.flatMap((e) => [e.recordedByFacilityId, e.obtainedAtFacilityId]).filter((x): x is string => !!x))];
    const [staff, facilities] = await inTurn([
      () => tx.staffUser.findMany({ where: { id: { in: staffIds } }, select: { id: true, nameKanji: true } }),
      () => tx.facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true, nameKanji: true } }),
    ]);
    const staffName = new Map(staff.map((s) => [s.id, s.nameKanji]));
    const facilityName = new Map(facilities.map((f) => [f.id, f.nameKanji]));
    const named = new Map(events.flatMap((e) => e.facilities.map((f) => [f.facility.id, f.facility.nameKanji] as const)));

    const state = consentStateAt(
      events.map((e) => ({ ...e, facilityIds: e.facilities.map((f) => f.facility.id) })),
      at,
    );
    const nameOf = (id: string) => ({ id, name: named.get(id) ?? facilityName.get(id) ?? id });
    const history: TConsentHistory = {
      summary: {
        at,
        isComprehensive: state.isComprehensive,
        included: [...state.included].map(nameOf),
        excluded: [...state.excluded].map(nameOf),
        coversViewer: coversFacility(state, viewer.facilityId),
      },
      events: events.map((e) => ({
        id: e.id,
        action: e.action,
        scope: e.scope,
        facilities: e.facilities.map((f) => ({ id: f.facility.id, name: f.facility.nameKanji })),
        method: e.method,
        consentDate: e.consentDate,
        effectiveAt: e.effectiveAt,
        responsibleName: e.responsibleName,
        explainedByName: e.explainedByName,
        obtainedAtFacilityName: e.obtainedAtFacilityId ? (facilityName.get(e.obtainedAtFacilityId) ?? null) : null,
        signer: e.signer,
        signerName: e.signerName,
        proxyRelationship: e.proxyRelationship,
        reason: e.reason,
        note: e.note,
        scan: e.scanFile,
        recordedAt: e.recordedAt,
        recordedByName: staffName.get(e.recordedById) ?? null,
        recordedByFacilityName: facilityName.get(e.recordedByFacilityId) ?? null,
        isPending: e.effectiveAt.getTime() > at.getTime(),
      })),
    };
    return { value: history, detail: "consent history" };
  }, { now });
}

/** The scanned consent form, for those who may read the patient's consent. Logged. */
export async function getConsentScan(viewer: TViewer, eventId: string, now: Date = new Date()) {
  const event = isUuid(eventId) ? await db().consentEvent.findUnique({ where: { id: eventId }, select: { patientId: true } }) : null;
  const found = await readPatient(
    viewer,
    "consentScan",
    event?.patientId ?? "",
    async (scope) => {
      const withScan = await scope.tx.consentEvent.findUniqueOrThrow({ where: { id: eventId }, select: { scanFile: true } });
      if (!withScan.scanFile) return scope.deny();
      return { value: withScan.scanFile, content: { id: eventId } };
    },
    { now, asked: eventId },
  );
  return { fileName: found.fileName, contentType: found.contentType, bytes: await readBytes(found.storageKey, found.sha256) };
}
