import "server-only";
import { db } from "@/lib/db/client";
import { assertAllowed, canManageDisasters } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { AppError, fieldError, notFound } from "@/lib/errors";
import { DISASTER_MAX_DAYS, disasterStatus, type TCloseDisaster, type TDeclareDisaster, type TExtendDisaster } from "@/lib/ems/disasters/schema";
import { isUuid } from "@/lib/text";

/*
 * Declaring, extending and closing a disaster (the secretariat's; seed 000 能登半島地震の臨時運用
 * ルール). The rule (chiikilink_disasters) reads the declaration at every read, so a change here
 * takes effect on the next request of every user. Each change is written with its history row in
 * one transaction: a grant opened under a declaration is reviewed against the period in force then.
 */

const DAY = 86_400_000;
/** A start may be set a little before the moment it is declared (a form left open); no earlier, so the record reads true. */
const START_SLACK = 3600_000;

const assertSecretariat = (viewer: TViewer) => assertAllowed(canManageDisasters(viewer), "manage disaster declarations");

function assertEnd(endsAt: Date, now: Date): void {
  if (endsAt <= now) throw fieldError("endsAt", "v.disaster.endsAt.past");
  if (endsAt.getTime() - now.getTime() > DISASTER_MAX_DAYS * DAY) throw fieldError("endsAt", "v.disaster.endsAt.tooFar", { days: DISASTER_MAX_DAYS });
}

/** 発令: a new declaration, in force from its start (now, unless a later start is given) until its end. */
export async function declareDisaster(viewer: TViewer, input: TDeclareDisaster, now: Date = new Date()): Promise<{ id: string }> {
  assertSecretariat(viewer);
  const startsAt = input.startsAt ?? now;
  if (startsAt.getTime() < now.getTime() - START_SLACK) throw fieldError("startsAt", "v.disaster.startsAt.past");
  assertEnd(input.endsAt, now);
  if (input.endsAt <= startsAt) throw fieldError("endsAt", "v.disaster.endsAt.afterStart");
  if (input.endsAt.getTime() - startsAt.getTime() > DISASTER_MAX_DAYS * DAY) throw fieldError("endsAt", "v.disaster.endsAt.tooFar", { days: DISASTER_MAX_DAYS });
  if (input.viewerFacilityIds.length > 0) {
    const found = await db().facility.count({ where: { id: { in: input.viewerFacilityIds }, isActive: true, isViewing: true, type: { not: "SECRETARIAT" } } });
    if (found !== input.viewerFacilityIds.length) throw fieldError("viewerFacilityIds", "v.disaster.viewerFacilityIds.unknown");
  }
  return db().$transaction(async (tx) => {
    const d = await tx.disasterDeclaration.create({
      data: {
        name: input.name,
        areas: input.areas,
        viewerFacilityIds: input.viewerFacilityIds,
        startsAt,
        endsAt: input.endsAt,
        skipNotice: input.skipNotice,
        consentAfterFact: input.consentAfterFact,
        overridesWithdrawal: input.overridesWithdrawal,
        note: input.note,
        declaredById: viewer.userId,
        declaredAt: now,
        updatedById: viewer.userId,
      },
      select: { id: true },
    });
    await tx.disasterDeclarationEvent.create({ data: { declarationId: d.id, kind: "DECLARED", endsAt: input.endsAt, note: input.note, byId: viewer.userId, at: now }, select: { id: true } });
    return d;
  });
}

async function findDeclaration(id: string) {
  const d = isUuid(id) ? await db().disasterDeclaration.findUnique({ where: { id }, select: { id: true, startsAt: true, endsAt: true, closedAt: true } }) : null;
  if (!d) throw notFound("disaster declaration");
  return d;
}

/** A concurrent change got there first: the page is out of date. */
const changed = () => new AppError("CONFLICT", "disaster declaration changed", { _form: ["v.disaster.changed"] });

/** 期間延長: a later end for a declaration in force or still to come (one that is over is declared anew). */
export async function extendDisaster(viewer: TViewer, input: TExtendDisaster, now: Date = new Date()): Promise<void> {
  assertSecretariat(viewer);
  const d = await findDeclaration(input.id);
  if (disasterStatus(d, now) === "ENDED") throw fieldError("endsAt", "v.disaster.extend.ended");
  if (input.endsAt <= d.endsAt) throw fieldError("endsAt", "v.disaster.endsAt.notLater");
  assertEnd(input.endsAt, now);
  await db().$transaction(async (tx) => {
    // only the declaration as read above: a closing or another extension in between is not overwritten
    const { count } = await tx.disasterDeclaration.updateMany({
      where: { id: d.id, endsAt: d.endsAt, closedAt: null },
      data: { endsAt: input.endsAt, updatedById: viewer.userId },
    });
    if (count !== 1) throw changed();
    await tx.disasterDeclarationEvent.create({
      data: { declarationId: d.id, kind: "EXTENDED", endsAt: input.endsAt, previousEndsAt: d.endsAt, note: input.note, byId: viewer.userId, at: now },
      select: { id: true },
    });
  });
}

/**
 * 早期終了: the declaration stops now (one still to come never starts). Grants opened under it
 * end with it: the rule would refuse their reads already, and their holders' banners and the
 * review should say they are over.
 */
export async function closeDisaster(viewer: TViewer, input: TCloseDisaster, now: Date = new Date()): Promise<{ endedGrants: number }> {
  assertSecretariat(viewer);
  const d = await findDeclaration(input.id);
  if (disasterStatus(d, now) === "ENDED") throw new AppError("VALIDATION", "disaster declaration over", { _form: ["v.disaster.close.ended"] });
  return db().$transaction(async (tx) => {
    const { count } = await tx.disasterDeclaration.updateMany({
      where: { id: d.id, closedAt: null, endsAt: { gt: now } },
      data: { closedAt: now, updatedById: viewer.userId },
    });
    if (count !== 1) throw changed();
    await tx.disasterDeclarationEvent.create({
      data: { declarationId: d.id, kind: "CLOSED", endsAt: now, previousEndsAt: d.endsAt, note: input.note, byId: viewer.userId, at: now },
      select: { id: true },
    });
    const ended = await tx.emergencyGrant.updateMany({
      where: { disasterId: d.id, endedAt: null, endsAt: { gt: now } },
      data: { endedAt: now, endedById: viewer.userId },
    });
    return { endedGrants: ended.count };
  });
}
