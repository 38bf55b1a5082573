import "server-only";
import type { EmergencyConsent } from "@/generated/prisma/enums";
import { db } from "@/lib/db/client";
import { grantEmergency, type TEmergencyCandidate } from "@/lib/access/emergency";
import { isSecretariat } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { env } from "@/lib/env";
import { fieldError, notFound } from "@/lib/errors";
import { deliverSoon } from "@/lib/mail/mutations";
import type { TOpenGrantInput } from "@/lib/ems/schema";
import { EMERGENCY_CONSENT_WORDS, EMERGENCY_REASON_WORDS } from "@/lib/ems/words";
import { sendEmsNotice } from "@/lib/securemail/notices";

/*
 * Emergency grants (C8). The gateway's emergency branch (lib/access/emergency.ts) decides whether
 * the user may open the patient and on what ground; here the grant is recorded with the notice to
 * the disclosing facility's desk, in the one transaction that writes its EMERGENCY_GRANT row.
 */

/** The consent modes each ground takes (seed 000: 平時 and 能登半島地震; seed 004: 中核病院). */
export function consentModesFor(c: Pick<TEmergencyCandidate, "basis" | "disaster">): EmergencyConsent[] {
  const usual: EmergencyConsent[] = ["WRITTEN_PATIENT", "ORAL_PATIENT", "ORAL_FAMILY", "UNABLE_UNCONSCIOUS"];
  if (c.basis === "CORE_HOSPITAL") return [...usual, "NOT_REQUIRED_CORE"];
  if (c.basis === "DISASTER" && c.disaster?.consentAfterFact) return [...usual, "AFTER_THE_FACT"];
  return usual;
}

/** The first care date a grant opened at `now` shows of prescriptions, injections and labs (months back, in Japan). */
export function windowFromOf(now: Date, months = env().EMS_WINDOW_MONTHS): string {
  const japan = new Date(now.getTime() + 9 * 3600_000);
  const from = new Date(Date.UTC(japan.getUTCFullYear(), japan.getUTCMonth() - months, japan.getUTCDate()));
  return from.toISOString().slice(0, 10);
}

export type TOpenedGrant = { grantId: string; patientId: string; endsAt: Date; noticeSent: boolean };

/**
 * Opens an emergency grant for the viewer: the ground decided by the gateway, the reason and the
 * consent as stated, for EMS_GRANT_HOURS; the notice to the disclosing facility's desk in the
 * same transaction (unless a disaster declaration lets it be skipped). The desk's e-mail alerts
 * ("new secure mail", no clinical text) are queued with the notice and sent right after the commit.
 */
export async function openEmergencyGrant(viewer: TViewer, input: TOpenGrantInput, now: Date = new Date()): Promise<TOpenedGrant> {
  const e = env();
  const opened = await grantEmergency(
    viewer,
    { facilityId: input.facilityId, facilityPatientId: input.facilityPatientId },
    async ({ tx, candidate: c }) => {
      if (!consentModesFor(c).includes(input.consent)) throw fieldError("consent", "v.ems.consent.notForBasis");
      const endsAt = new Date(now.getTime() + e.EMS_GRANT_HOURS * 3600_000);
      const grant = await tx.emergencyGrant.create({
        data: {
          viewerId: viewer.userId,
          viewerFacilityId: viewer.facilityId,
          patientId: c.patientId,
          disclosingFacilityId: c.facility.id,
          facilityPatientId: c.facilityPatientId,
          basis: c.basis,
          disasterId: c.disaster?.id ?? null,
          reason: input.reason,
          reasonText: input.reasonText,
          consent: input.consent,
          consentConfirmedBy: input.consentConfirmedBy,
          startsAt: now,
          endsAt,
          windowFrom: new Date(`${windowFromOf(now)}T00:00:00Z`),
          reviewDueAt: new Date(now.getTime() + e.EMS_REVIEW_DAYS * 86_400_000),
        },
        select: { id: true },
      });
      const skip = c.basis === "DISASTER" && c.disaster?.skipNotice === true;
      const noticeId = skip
        ? null
        : await sendEmsNotice(tx, c.facility.id, c.patientId, {
            facilityPatientId: c.facilityPatientId,
            viewerName: viewer.name,
            viewerFacilityName: viewer.facilityName,
            at: now,
            reason: `${EMERGENCY_REASON_WORDS[input.reason]}：${input.reasonText}${c.basis === "CORE_HOSPITAL" ? "（中核病院）" : c.basis === "DISASTER" ? `（災害：${c.disaster?.name ?? ""}）` : ""}`,
            consent: `${EMERGENCY_CONSENT_WORDS[input.consent]}${input.consentConfirmedBy ? `（確認者：${input.consentConfirmedBy}）` : ""}`,
          });
      if (noticeId) await tx.emergencyGrant.update({ where: { id: grant.id }, data: { noticeMessageId: noticeId } });
      return { grantId: grant.id, patientId: c.patientId, endsAt, noticeSent: noticeId !== null };
    },
    { now },
  );
  if (opened.noticeSent) deliverSoon();
  return opened;
}

/** Ends a grant before its time: its user, or the secretariat. Ending one already ended changes nothing. */
export async function endEmergencyGrant(viewer: TViewer, grantId: string, now: Date = new Date()): Promise<void> {
  const grant = await db().emergencyGrant.findUnique({ where: { id: grantId }, select: { viewerId: true, endsAt: true, endedAt: true } });
  if (!grant || (grant.viewerId !== viewer.userId && !isSecretariat(viewer))) throw notFound("emergency grant");
  if (grant.endedAt || grant.endsAt <= now) return;
  await db().emergencyGrant.updateMany({ where: { id: grantId, endedAt: null }, data: { endedAt: now, endedById: viewer.userId } });
}
