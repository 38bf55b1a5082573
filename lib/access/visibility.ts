import type { Prisma } from "@/generated/prisma/client";
import type { PublicationState, StaffRole } from "@/generated/prisma/enums";
import { isCoveredAt, type TConsentEventCore } from "@/lib/consent/state";

/**
 * THE visibility rule (design.md rule 3, product.md C3). A user at facility V may see content
 * owned by facility D about patient P only if
 *   - the user's role is one that reads patient records (clinician or liaison staff);
 *   - V holds an active link (施設患者ID) for P that takes part in sharing (公開 or 閲覧のみ);
 *   - the consent in force covers V, and covers D;
 *   - D's own link for P is active and published (公開), with the content's kind in its scope
 *     (基本情報 / 診療情報);
 *   - the content is not restricted by D to its own staff.
 * A facility always sees its own data about its own linked patients (V = D). Nothing else opens
 * a record: EMS and disaster access (C8) will be the only exceptions, added here and logged as such.
 *
 * Written twice on purpose and tested against each other: as Prisma `where` builders (so the
 * database filters; nothing is loaded and then checked) and as pure functions over the same facts
 * for single items and the exhaustive unit tests. Consent enters the database form through
 * link_consent_periods, derived by lib/consent/state.ts from the consent events.
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
export type TPatientFacts = { links: readonly TLinkFacts[]; consentEvents: readonly TConsentEventCore[] };
export type TContentFacts = { ownerFacilityId: string; kind: TContentKind; restriction: TRestriction };

/** Roles that read patient records. Administrators and the secretariat handle registrations, not records. */
export const mayReadRecords = (roles: readonly StaffRole[]) => roles.includes("CLINICIAN") || roles.includes("LIAISON");

/** Roles that register patients, link facility IDs and record consent (identifying fields only). */
export const mayRegisterPatients = (roles: readonly StaffRole[]) => roles.includes("LIAISON") || roles.includes("SECRETARIAT");

/** Publication states in which a facility's link lets it view others' data. */
export const VIEWING_STATES: PublicationState[] = ["PUBLISHED", "VIEW_ONLY"];

const activeLinkOf = (patient: TPatientFacts, facilityId: string) => patient.links.find((l) => l.isActive && l.facilityId === facilityId);

/** May the viewer see the patient at all (search results, the patient's header)? */
export function canSeePatient(viewer: TViewerFacts, patient: TPatientFacts, at: Date): boolean {
  if (!mayReadRecords(viewer.roles)) return false;
  const link = activeLinkOf(patient, viewer.facilityId);
  if (!link || !VIEWING_STATES.includes(link.publicationState)) return false;
  return isCoveredAt(patient.consentEvents, viewer.facilityId, at);
}

/** May the viewer see one content item of the patient? */
export function canSeeContent(viewer: TViewerFacts, patient: TPatientFacts, content: TContentFacts, at: Date): boolean {
  if (!mayReadRecords(viewer.roles)) return false;
  if (content.ownerFacilityId === viewer.facilityId) return activeLinkOf(patient, viewer.facilityId) !== undefined;
  if (content.restriction !== "NONE") return false;
  if (!canSeePatient(viewer, patient, at)) return false;
  const owner = activeLinkOf(patient, content.ownerFacilityId);
  if (!owner || owner.publicationState !== "PUBLISHED") return false;
  if (!(content.kind === "CLINICAL" ? owner.shareClinical : owner.shareBasic)) return false;
  return isCoveredAt(patient.consentEvents, content.ownerFacilityId, at);
}

/* ---- the same rule as database filters ---- */

/** Matches no row (a valid UUID no row has). */
const NO_PATIENT: Prisma.PatientWhereInput = { id: { in: [] } };
const NO_LINK: Prisma.FacilityPatientLinkWhereInput = { id: { in: [] } };

/** The link's facility is covered by a consent in force at `at`. */
export const consentInForceWhere = (at: Date): Prisma.FacilityPatientLinkWhereInput => ({
  consentPeriods: { some: { validFrom: { lte: at }, OR: [{ validTo: null }, { validTo: { gt: at } }] } },
});

/** A link through which its facility views the patient (any facility: e.g. who could join the care team). */
export const viewingLinkWhere = (at: Date): Prisma.FacilityPatientLinkWhereInput => ({
  unlinkedAt: null,
  publicationState: { in: VIEWING_STATES },
  ...consentInForceWhere(at),
});

/** The viewer's facility's link through which it views the patient. */
export const viewerLinkWhere = (viewer: TViewerFacts, at: Date): Prisma.FacilityPatientLinkWhereInput => ({
  facilityId: viewer.facilityId,
  ...viewingLinkWhere(at),
});

/** Patients the viewer may see (canSeePatient as a filter). */
export function patientVisibleWhere(viewer: TViewerFacts, at: Date = new Date()): Prisma.PatientWhereInput {
  if (!mayReadRecords(viewer.roles)) return NO_PATIENT;
  return { links: { some: viewerLinkWhere(viewer, at) } };
}

/** The viewer's own facility's active links (its own data, its own patients). */
export function ownLinkWhere(viewer: TViewerFacts): Prisma.FacilityPatientLinkWhereInput {
  if (!mayReadRecords(viewer.roles)) return NO_LINK;
  return { facilityId: viewer.facilityId, unlinkedAt: null };
}

/** The owner's side of sharing: a link that shares content of this kind with the patient's other viewers. */
export const sharingLinkWhere = (kind: TContentKind, at: Date = new Date()): Prisma.FacilityPatientLinkWhereInput => ({
  unlinkedAt: null,
  publicationState: "PUBLISHED",
  ...(kind === "CLINICAL" ? { shareClinical: true } : { shareBasic: true }),
  ...consentInForceWhere(at),
});

/** Another facility's link whose content of this kind the viewer may see (unrestricted content). */
export function sharedLinkWhere(viewer: TViewerFacts, kind: TContentKind, at: Date = new Date()): Prisma.FacilityPatientLinkWhereInput {
  if (!mayReadRecords(viewer.roles)) return NO_LINK;
  return {
    facilityId: { not: viewer.facilityId },
    ...sharingLinkWhere(kind, at),
    patient: patientVisibleWhere(viewer, at),
  };
}

/**
 * canSeeContent as a filter for any content model with an `ownerLink` relation (the owner
 * facility's link for the patient) and a `restriction` column.
 */
export function contentVisibleWhere(viewer: TViewerFacts, kind: TContentKind, at: Date = new Date()) {
  return {
    OR: [{ ownerLink: ownLinkWhere(viewer) }, { restriction: "NONE" as const, ownerLink: sharedLinkWhere(viewer, kind, at) }],
  };
}

/** One patient's links as the rule sorts them for a viewer (ids from ownLinkWhere and sharedLinkWhere per kind). */
export type TResolvedLinks = { own: string[]; sharedBasic: string[]; sharedClinical: string[] };

/**
 * contentVisibleWhere for one patient once its links are resolved with ownLinkWhere and
 * sharedLinkWhere: the same rule as id lists, so the database walks the (patient, date) index
 * instead of testing the link conditions item by item. For reads of one patient's many items (the
 * calendar, the tab views); tested to select exactly what contentVisibleWhere selects.
 */
export function contentVisibleForLinksWhere(links: TResolvedLinks, kind: TContentKind) {
  return {
    OR: [{ ownerLinkId: { in: links.own } }, { restriction: "NONE" as const, ownerLinkId: { in: kind === "CLINICAL" ? links.sharedClinical : links.sharedBasic } }],
  };
}

/* ---- registration (個人情報登録・検索): identifying fields, links and consent records ---- */

/**
 * Patients whose registration the viewer may manage (links, consent, personal information):
 * the secretariat any; liaison staff those their facility registered or is linked to.
 */
export function patientAdministrableWhere(viewer: TViewerFacts): Prisma.PatientWhereInput {
  if (viewer.roles.includes("SECRETARIAT")) return {};
  if (!viewer.roles.includes("LIAISON")) return NO_PATIENT;
  return { OR: [{ createdByFacilityId: viewer.facilityId }, { links: { some: { facilityId: viewer.facilityId, unlinkedAt: null } } }] };
}

export function canAdministerPatient(
  viewer: TViewerFacts,
  patient: { createdByFacilityId: string | null; links: readonly Pick<TLinkFacts, "facilityId" | "isActive">[] },
): boolean {
  if (viewer.roles.includes("SECRETARIAT")) return true;
  if (!viewer.roles.includes("LIAISON")) return false;
  return patient.createdByFacilityId === viewer.facilityId || patient.links.some((l) => l.isActive && l.facilityId === viewer.facilityId);
}
