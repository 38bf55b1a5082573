import "server-only";
import type { DisasterEventKind } from "@/generated/prisma/enums";
import { db, preparedRows } from "@/lib/db/client";
import { assertAllowed, canManageDisasters } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { disasterStatus, effectiveEnd, type TDisasterStatus } from "@/lib/ems/disasters/schema";

/*
 * Disaster declarations as the secretariat manages them (every one, with its history) and as
 * everyone sees them (the banner: those in force). A declaration names places and facilities,
 * never a patient, so neither list passes through the access gateway.
 */

type TPerson = { name: string; loginId: string };
type TFacilityRef = { id: string; code: string; name: string };

export type TDisasterEvent = { kind: DisasterEventKind; endsAt: Date; previousEndsAt: Date | null; note: string | null; by: TPerson | null; at: Date };

export type TDisasterRow = {
  id: string;
  name: string;
  areas: string[];
  /** true: every facility of the network may open evacuees; else only `viewerFacilities` */
  allFacilities: boolean;
  viewerFacilities: TFacilityRef[];
  startsAt: Date;
  endsAt: Date;
  closedAt: Date | null;
  status: TDisasterStatus;
  skipNotice: boolean;
  consentAfterFact: boolean;
  overridesWithdrawal: boolean;
  note: string | null;
  declaredBy: TPerson | null;
  declaredAt: Date;
  updatedBy: TPerson | null;
  updatedAt: Date;
  /** emergency grants opened under it */
  grantCount: number;
  events: TDisasterEvent[];
};

export type TDisasterLists = { active: TDisasterRow[]; scheduled: TDisasterRow[]; ended: TDisasterRow[] };

const ENDED_SHOWN = 100;

/** Every declaration, in force first, then those to come, then the last ones over (secretariat only). */
export async function listDisasters(viewer: TViewer, now: Date = new Date()): Promise<TDisasterLists> {
  assertAllowed(canManageDisasters(viewer), "manage disaster declarations");
  const current = await db().disasterDeclaration.findMany({
    where: { endsAt: { gt: now }, OR: [{ closedAt: null }, { closedAt: { gt: now } }] },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    include: { events: { orderBy: [{ at: "asc" }, { id: "asc" }] } },
  });
  const ended = await db().disasterDeclaration.findMany({
    where: { OR: [{ endsAt: { lte: now } }, { closedAt: { lte: now } }] },
    orderBy: [{ endsAt: "desc" }, { id: "asc" }],
    take: ENDED_SHOWN,
    include: { events: { orderBy: [{ at: "asc" }, { id: "asc" }] } },
  });
  const all = [...current, ...ended];
  const userIds = [...new Set(all.flatMap((d) => [d.declaredById, d.updatedById, ...d.events.map((e) => e.byId)]).filter((x): x is string => !!x))];
  const facilityIds = [...new Set(all.flatMap((d) => d.viewerFacilityIds))];
  const [users, facilities, grants] = await Promise.all([
    db().staffUser.findMany({ where: { id: { in: userIds } }, select: { id: true, nameKanji: true, loginId: true } }),
    db().facility.findMany({ where: { id: { in: facilityIds } }, select: { id: true, code: true, nameKanji: true } }),
    db().emergencyGrant.groupBy({ by: ["disasterId"], where: { disasterId: { in: all.map((d) => d.id) } }, _count: { _all: true } }),
  ]);
  const person = (id: string | null): TPerson | null => {
    const u = id ? users.find((x) => x.id === id) : undefined;
    return u ? { name: u.nameKanji, loginId: u.loginId } : null;
  };
  const toRow = (d: (typeof all)[number]): TDisasterRow => ({
    id: d.id,
    name: d.name,
    areas: d.areas,
    allFacilities: d.viewerFacilityIds.length === 0,
    viewerFacilities: d.viewerFacilityIds
      .map((id) => facilities.find((f) => f.id === id))
      .filter((f) => f !== undefined)
      .map((f) => ({ id: f.id, code: f.code, name: f.nameKanji })),
    startsAt: d.startsAt,
    endsAt: d.endsAt,
    closedAt: d.closedAt,
    status: disasterStatus(d, now),
    skipNotice: d.skipNotice,
    consentAfterFact: d.consentAfterFact,
    overridesWithdrawal: d.overridesWithdrawal,
    note: d.note,
    declaredBy: person(d.declaredById),
    declaredAt: d.declaredAt,
    updatedBy: person(d.updatedById),
    updatedAt: d.updatedAt,
    grantCount: grants.find((g) => g.disasterId === d.id)?._count._all ?? 0,
    events: d.events.map((e) => ({ kind: e.kind, endsAt: e.endsAt, previousEndsAt: e.previousEndsAt, note: e.note, by: person(e.byId), at: e.at })),
  });
  const rows = current.map(toRow);
  return { active: rows.filter((r) => r.status === "ACTIVE"), scheduled: rows.filter((r) => r.status === "SCHEDULED"), ended: ended.map(toRow) };
}

/** A declaration in force, as the banner shows it to every signed-in user. */
export type TActiveDisaster = {
  id: string;
  name: string;
  areas: string[];
  /** when it stops (its end, or an earlier closing already set) */
  until: Date;
  allFacilities: boolean;
  /** the viewer's facility may open evacuees under it */
  coversViewer: boolean;
  skipNotice: boolean;
  consentAfterFact: boolean;
};

/** The declarations in force at `now` (the same period test as the rule's chiikilink_disasters). */
export async function listActiveDisasters(viewer: TViewer, now: Date = new Date()): Promise<TActiveDisaster[]> {
  // on every page's header: a prepared statement, not Prisma's
  const rows = await preparedRows<{ id: string; name: string; areas: string[]; viewer_facility_ids: string[]; ends_at: Date; closed_at: Date | null; skip_notice: boolean; consent_after_fact: boolean }>(
    "chiikilink_active_disasters",
    `SELECT id::text AS id, name, areas::text[] AS areas, viewer_facility_ids::text[] AS viewer_facility_ids, ends_at, closed_at, skip_notice, consent_after_fact
       FROM "disaster_declarations"
      WHERE starts_at <= $1 AND ends_at > $1 AND (closed_at IS NULL OR closed_at > $1)
      ORDER BY starts_at, id`,
    [now],
  );
  return rows.map((d) => ({
    id: d.id,
    name: d.name,
    areas: d.areas,
    until: effectiveEnd({ endsAt: d.ends_at, closedAt: d.closed_at }),
    allFacilities: d.viewer_facility_ids.length === 0,
    coversViewer: d.viewer_facility_ids.length === 0 || d.viewer_facility_ids.includes(viewer.facilityId),
    skipNotice: d.skip_notice,
    consentAfterFact: d.consent_after_fact,
  }));
}

/** The facilities a declaration may name: the active viewing facilities whose staff read records (not the secretariat's office). */
export async function listDisasterFacilityOptions(viewer: TViewer): Promise<TFacilityRef[]> {
  assertAllowed(canManageDisasters(viewer), "manage disaster declarations");
  const rows = await db().facility.findMany({ where: { isActive: true, isViewing: true, type: { not: "SECRETARIAT" } }, orderBy: { code: "asc" }, select: { id: true, code: true, nameKanji: true } });
  return rows.map((f) => ({ id: f.id, code: f.code, name: f.nameKanji }));
}
