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

/*
 * THE EMERGENCY BRANCH (C8; migration 20261208000000_emergency_access), as plain functions over
 * plain facts, from its wording: an emergency grant in force lets its user read one patient's
 * recent records held by the disclosing facilities its ground still opens. The tests compare the
 * gateway with these on real rows (tests/integration/emergency-matrix.test.ts).
 *
 * A grant serves a read at t only if
 *   - the user still holds the EMS privilege (not retired) and a role that reads records;
 *   - it is the user's, for the user's facility and the patient, and in force at t (started, not
 *     past its end, not ended early);
 *   - its ground still holds at t for a disclosing facility it names (or any, when it names none):
 *       EMS            the viewer's facility is allowed EMS, the patient has not withdrawn from
 *                      sharing, and that facility shares 診療情報 under the consent in force;
 *       CORE_HOSPITAL  the viewer's facility is a core hospital, the patient has not withdrawn;
 *       DISASTER       its declaration is in force, names the viewer's facility (or every
 *                      facility) and an area in the patient's address; a withdrawn patient only
 *                      when it says it overrides the withdrawal.
 * Of the facilities it opens: what is not restricted to their own staff, of demographics,
 * allergies and diagnoses any date; prescriptions, injections and labs from the grant's window;
 * and each one's latest discharge summary (退院…サマリ). Of several grants, the latest started
 * that opens anything. Writes are never served by a grant.
 */

export type TEmergencyBasis = "EMS" | "CORE_HOSPITAL" | "DISASTER";

/** A facility as the emergency branch sees it. */
export type TFacilityFacts = { id: string; isActive: boolean; isDisclosing: boolean; emsAllowed: boolean; isCoreHospital: boolean };

/** The user behind a viewer, as the branch sees them now (the privilege is read at each read, not at the grant). */
export type TEmergencyViewerFacts = TViewerFacts & { userId: string; hasEmsPrivilege: boolean; isRetired?: boolean };

/** The patient, with the address a declaration's areas are matched against. */
export type TEmergencyPatientFacts = TPatientFacts & { address: string | null };

/** A disaster declaration; `viewerFacilityIds` empty or null: every facility. */
export type TDisasterFacts = {
  id: string;
  areas: readonly string[];
  viewerFacilityIds: readonly string[] | null;
  startsAt: Date;
  endsAt: Date;
  closedAt: Date | null;
  overridesWithdrawal: boolean;
};

/** An emergency grant of one user for one patient (the caller gives only those of the patient asked about). */
export type TGrantFacts = {
  id: string;
  viewerId: string;
  viewerFacilityId: string;
  disclosingFacilityId: string | null;
  basis: TEmergencyBasis;
  disasterId: string | null;
  startsAt: Date;
  endsAt: Date;
  endedAt: Date | null;
  /** YYYY-MM-DD: the first care date shown of prescriptions, injections and labs */
  windowFrom: string;
};

/** A content with what the branch reads of it: its category, its care date (YYYY-MM-DD, in Japan), its time and title. */
export type TDatedContentFacts = TContentFacts & { id: string; category: string; occurredDate: string; occurredAt: Date; title: string };

/** Everything around the patient the branch reads: facilities by id, declarations, the patient's grants, the patient's contents. */
export type TEmergencyWorld = {
  facilities: ReadonlyMap<string, TFacilityFacts>;
  disasters: readonly TDisasterFacts[];
  grants: readonly TGrantFacts[];
  contents: readonly TDatedContentFacts[];
};

/** What a grant opens at t: the grant, the facilities whose records it shows, its window, the discharge summaries it shows. */
export type TEmergencyOpening = { grantId: string; facilityIds: ReadonlySet<string>; windowFrom: string; summaries: ReadonlySet<string> };

const ANY_DATE = ["PATIENT_INFO", "ALLERGY", "DIAGNOSIS"];
const WINDOWED = ["PRESCRIPTION_ORDER", "PRESCRIPTION_DISPENSED", "INJECTION_ORDER", "INJECTION_ADMINISTERED", "LAB"];

/**
 * Whether the patient has withdrawn from sharing (患者情報利用停止) at `at`: of their grants of
 * consent and comprehensive withdrawals in effect by then, the last is a withdrawal. (A withdrawal
 * for some facilities only narrows the consent; a consent given after a withdrawal ends it.)
 */
export function isWithdrawnAt(events: TPatientFacts["consentEvents"], at: Date): boolean {
  const last = events
    .filter((e) => e.effectiveAt.getTime() <= at.getTime() && (e.action === "GRANT" || e.scope === "COMPREHENSIVE"))
    .sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.recordedAt.getTime() - b.recordedAt.getTime())
    .at(-1);
  return last?.action === "WITHDRAW";
}

/** An area or an address as the declaration matches it: width folded, without spaces (chiikilink_area_text). */
const areaText = (s: string | null) => (s ?? "").normalize("NFKC").replace(/\s/g, "");

/** Declarations in force at `at` that let staff of the facility open the patient: naming it (or all) and an area of the address. */
export function disastersCovering(disasters: readonly TDisasterFacts[], viewerFacilityId: string, address: string | null, at: Date): TDisasterFacts[] {
  const t = at.getTime();
  return disasters.filter(
    (d) =>
      d.startsAt.getTime() <= t &&
      t < d.endsAt.getTime() &&
      (d.closedAt === null || t < d.closedAt.getTime()) &&
      (!d.viewerFacilityIds || d.viewerFacilityIds.length === 0 || d.viewerFacilityIds.includes(viewerFacilityId)) &&
      d.areas.some((a) => areaText(a) !== "" && areaText(address).includes(areaText(a))),
  );
}

/** One ground on which the viewer's facility may open one disclosing facility's records of the patient. */
export type TEmergencyGround = { basis: TEmergencyBasis; disasterId: string | null; facilityId: string };

/** The grounds at `at`, for every active link of the patient at another active disclosing facility. */
export function emergencyGrounds(viewerFacilityId: string, patient: TEmergencyPatientFacts, world: Pick<TEmergencyWorld, "facilities" | "disasters">, at: Date): TEmergencyGround[] {
  const viewing = world.facilities.get(viewerFacilityId);
  if (!viewing?.isActive) return [];
  const withdrawn = isWithdrawnAt(patient.consentEvents, at);
  const declarations = disastersCovering(world.disasters, viewerFacilityId, patient.address, at);
  const grounds: TEmergencyGround[] = [];
  for (const link of patient.links) {
    const f = world.facilities.get(link.facilityId);
    if (!link.isActive || link.facilityId === viewerFacilityId || !f?.isActive || !f.isDisclosing) continue;
    const sharesClinical = link.publicationState === "PUBLISHED" && link.shareClinical && isCoveredAt(patient.consentEvents, link.facilityId, at);
    if (viewing.emsAllowed && !withdrawn && sharesClinical) grounds.push({ basis: "EMS", disasterId: null, facilityId: link.facilityId });
    if (viewing.isCoreHospital && !withdrawn) grounds.push({ basis: "CORE_HOSPITAL", disasterId: null, facilityId: link.facilityId });
    for (const d of declarations) if (!withdrawn || d.overridesWithdrawal) grounds.push({ basis: "DISASTER", disasterId: d.id, facilityId: link.facilityId });
  }
  return grounds;
}

/** The grant that serves the viewer's reads of the patient at `at`, with what it opens; null when none does. */
export function emergencyOpening(viewer: TEmergencyViewerFacts, patient: TEmergencyPatientFacts, world: TEmergencyWorld, at: Date): TEmergencyOpening | null {
  if (!viewer.hasEmsPrivilege || viewer.isRetired || !mayReadRecords(viewer.roles)) return null;
  const t = at.getTime();
  const grounds = emergencyGrounds(viewer.facilityId, patient, world, at);
  const openings = world.grants
    .filter((g) => g.viewerId === viewer.userId && g.viewerFacilityId === viewer.facilityId)
    .filter((g) => g.startsAt.getTime() <= t && t < g.endsAt.getTime() && (g.endedAt === null || t < g.endedAt.getTime()))
    .map((g) => ({
      g,
      facilityIds: new Set(
        grounds
          .filter((x) => x.basis === g.basis && x.disasterId === g.disasterId && (g.disclosingFacilityId === null || x.facilityId === g.disclosingFacilityId))
          .map((x) => x.facilityId),
      ),
    }))
    .filter((o) => o.facilityIds.size > 0)
    .sort((a, b) => b.g.startsAt.getTime() - a.g.startsAt.getTime() || (a.g.id < b.g.id ? -1 : 1));
  const chosen = openings[0];
  if (!chosen) return null;
  const summaries = new Set<string>();
  for (const f of chosen.facilityIds) {
    const latest = world.contents
      .filter((c) => c.ownerFacilityId === f && (c.category === "DOCUMENT" || c.category === "REPORT") && !c.isDeleted && c.restriction === "NONE" && /退院.*サマリ/.test(c.title))
      .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? -1 : 1))[0];
    if (latest) summaries.add(latest.id);
  }
  return { grantId: chosen.g.id, facilityIds: chosen.facilityIds, windowFrom: chosen.g.windowFrom, summaries };
}

/** May a content be seen under what a grant opens? */
export function canSeeContentInEmergency(opening: TEmergencyOpening | null, content: TDatedContentFacts): boolean {
  if (!opening || content.isDeleted || content.restriction !== "NONE" || !opening.facilityIds.has(content.ownerFacilityId)) return false;
  if (ANY_DATE.includes(content.category)) return true;
  if (WINDOWED.includes(content.category)) return content.occurredDate >= opening.windowFrom;
  return opening.summaries.has(content.id);
}

/**
 * Whether a grant serves the read at all: it opens a facility whose 診療情報 the rule does not
 * already show the viewer (else the read is an ordinary one, logged as such).
 */
export function grantOpensMore(viewer: TViewerFacts, patient: TPatientFacts, opening: TEmergencyOpening | null, at: Date): boolean {
  if (!opening) return false;
  const sees = canSeePatient(viewer, patient, at);
  return [...opening.facilityIds].some((f) => {
    const link = activeLinkOf(patient, f);
    const sharedByRule = sees && link !== undefined && link.publicationState === "PUBLISHED" && link.shareClinical && isCoveredAt(patient.consentEvents, f, at);
    return !sharedByRule;
  });
}

/** Why an emergency lookup is refused (lib/access/emergency.ts TEmergencyRefusal), for what the patient and grounds decide. */
export type TEmergencyLookup = { ok: true; basis: TEmergencyBasis; disasterId: string | null } | { ok: false; refusal: "WITHDRAWN" | "FACILITY_NOT_ALLOWED" | "NOT_SHARED" };

/**
 * `<施設患者ID>#EMS` naming a patient at a disclosing facility: the ground a grant would be opened
 * on (a declaration before EMS before a core hospital's; of several declarations the latest
 * declared to start), or why not: the patient withdrew; the viewer's facility may not use EMS at
 * all (not allowed, not a core hospital, no declaration covers it); else the facility does not share.
 */
export function emergencyLookup(viewer: TEmergencyViewerFacts, patient: TEmergencyPatientFacts, world: Pick<TEmergencyWorld, "facilities" | "disasters">, disclosingFacilityId: string, at: Date): TEmergencyLookup {
  const grounds = emergencyGrounds(viewer.facilityId, patient, world, at).filter((g) => g.facilityId === disclosingFacilityId);
  for (const basis of ["DISASTER", "EMS", "CORE_HOSPITAL"] as const) {
    const of = grounds.filter((g) => g.basis === basis);
    if (of.length === 0) continue;
    const latest = of
      .map((g) => world.disasters.find((d) => d.id === g.disasterId))
      .filter((d): d is TDisasterFacts => d !== undefined)
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime() || (a.id < b.id ? -1 : 1))[0];
    return { ok: true, basis, disasterId: latest?.id ?? null };
  }
  if (isWithdrawnAt(patient.consentEvents, at)) return { ok: false, refusal: "WITHDRAWN" };
  const f = world.facilities.get(viewer.facilityId);
  if (!f?.emsAllowed && !f?.isCoreHospital && disastersCovering(world.disasters, viewer.facilityId, patient.address, at).length === 0) return { ok: false, refusal: "FACILITY_NOT_ALLOWED" };
  return { ok: false, refusal: "NOT_SHARED" };
}
