import type { PublicationState, StaffRole } from "@/generated/prisma/enums";
import { mayReadRecords } from "@/lib/access/roles";
import { isCoveredAt, type TConsentEventCore } from "@/lib/consent/state";

/*
 * THE TEST ORACLE of the visibility rule: the rule as plain functions over plain facts, written
 * from its wording (design.md rule 3, product.md C3, ADR 0006). The application never calls it
 * (a lint rule keeps it to tests): the database decides, through the SQL functions of migration
 * 20261207000000_access_gateway, which lib/access/gateway.ts alone calls. The tests compare every
 * path of the gateway with this oracle on real rows (tests/integration/access-matrix.test.ts).
 *
 * A user at facility V may see content owned by facility D about patient P only if
 *   - the user's role reads patient records (clinician or liaison staff);
 *   - V holds an active link (施設患者ID) for P that takes part in sharing (公開 or 閲覧のみ);
 *   - the consent in force covers V, and covers D;
 *   - D's own link for P is active and published (公開), with the content's kind in its scope
 *     (基本情報 / 診療情報);
 *   - the content is not restricted by D to its own staff.
 * A facility always sees its own data about its own linked patients (V = D). Withdrawn items are
 * seen by nobody.
 */

export type TContentKind = "BASIC" | "CLINICAL";
export type TRestriction = "NONE" | "OWN_FACILITY";

export type TViewerFacts = { facilityId: string; roles: readonly StaffRole[] };
export type TLinkFacts = {
  facilityId: string;
  isActive: boolean;
  publicationState: PublicationState;
  shareBasic: boolean;
  shareClinical: boolean;
};
export type TPatientFacts = { createdByFacilityId?: string | null; links: readonly TLinkFacts[]; consentEvents: readonly TConsentEventCore[] };
export type TContentFacts = { ownerFacilityId: string; kind: TContentKind; restriction: TRestriction; isDeleted?: boolean };

/** Publication states in which a facility's link lets it view others' data. */
const VIEWING_STATES: PublicationState[] = ["PUBLISHED", "VIEW_ONLY"];

/** 基本情報 is the facility's demographics of the patient (PATIENT_INFO); everything else is 診療情報. */
export const kindOfCategory = (category: string): TContentKind => (category === "PATIENT_INFO" ? "BASIC" : "CLINICAL");

const activeLinkOf = (patient: TPatientFacts, facilityId: string) => patient.links.find((l) => l.isActive && l.facilityId === facilityId);

/** May the viewer see the patient at all (search results, the patient's header, any record)? */
export function canSeePatient(viewer: TViewerFacts, patient: TPatientFacts, at: Date): boolean {
  if (!mayReadRecords(viewer.roles)) return false;
  const link = activeLinkOf(patient, viewer.facilityId);
  if (!link || !VIEWING_STATES.includes(link.publicationState)) return false;
  return isCoveredAt(patient.consentEvents, viewer.facilityId, at);
}

/** May the viewer see one content item of the patient? */
export function canSeeContent(viewer: TViewerFacts, patient: TPatientFacts, content: TContentFacts, at: Date): boolean {
  if (content.isDeleted) return false;
  if (!mayReadRecords(viewer.roles)) return false;
  if (content.ownerFacilityId === viewer.facilityId) return activeLinkOf(patient, viewer.facilityId) !== undefined;
  if (content.restriction !== "NONE") return false;
  if (!canSeePatient(viewer, patient, at)) return false;
  const owner = activeLinkOf(patient, content.ownerFacilityId);
  if (!owner || owner.publicationState !== "PUBLISHED") return false;
  if (!(content.kind === "CLINICAL" ? owner.shareClinical : owner.shareBasic)) return false;
  return isCoveredAt(patient.consentEvents, content.ownerFacilityId, at);
}

/**
 * May the viewer manage the patient's registration (personal information, links, consent)? The
 * secretariat any patient; liaison staff those their facility registered or is linked to.
 */
export function canAdministerPatient(viewer: TViewerFacts, patient: Pick<TPatientFacts, "createdByFacilityId" | "links">): boolean {
  if (viewer.roles.includes("SECRETARIAT")) return true;
  if (!viewer.roles.includes("LIAISON")) return false;
  return patient.createdByFacilityId === viewer.facilityId || patient.links.some((l) => l.isActive && l.facilityId === viewer.facilityId);
}
