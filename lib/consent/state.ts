/**
 * The consent of a patient is a list of events (design: nothing is overwritten). This module
 * derives what is in force at a moment, and for one facility the periods during which the
 * consent covers it. Pure: the visibility rule's tests and the database's derived periods
 * (link_consent_periods) both come from here.
 *
 * Events apply in order of effective time (then of recording):
 * - GRANT COMPREHENSIVE: every participating facility (包括同意), present and future;
 * - GRANT FACILITIES: the named facilities are added (form 6);
 * - WITHDRAW COMPREHENSIVE: all sharing stops (患者情報利用停止);
 * - WITHDRAW FACILITIES: sharing stops for the named facilities only.
 * A facility named after a withdrawal is covered again (re-consent).
 */

export type TConsentAction = "GRANT" | "WITHDRAW";
export type TConsentScope = "COMPREHENSIVE" | "FACILITIES";

export type TConsentEventCore = {
  action: TConsentAction;
  scope: TConsentScope;
  /** named facilities (scope FACILITIES) */
  facilityIds: readonly string[];
  effectiveAt: Date;
  /** orders events with the same effective time */
  recordedAt: Date;
};

export type TConsentState = {
  /** a comprehensive consent is in force */
  isComprehensive: boolean;
  /** named in a per-facility consent (and not withdrawn since) */
  included: ReadonlySet<string>;
  /** withdrawn for these facilities while a comprehensive consent stands */
  excluded: ReadonlySet<string>;
};

export const NO_CONSENT: TConsentState = { isComprehensive: false, included: new Set(), excluded: new Set() };

const byEffectiveTime = (a: TConsentEventCore, b: TConsentEventCore) =>
  a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.recordedAt.getTime() - b.recordedAt.getTime();

function apply(state: TConsentState, e: TConsentEventCore): TConsentState {
  const included = new Set(state.included);
  const excluded = new Set(state.excluded);
  if (e.action === "GRANT") {
    if (e.scope === "COMPREHENSIVE") return { isComprehensive: true, included: new Set(), excluded: new Set() };
    for (const f of e.facilityIds) {
      excluded.delete(f);
      if (!state.isComprehensive) included.add(f);
    }
    return { isComprehensive: state.isComprehensive, included, excluded };
  }
  if (e.scope === "COMPREHENSIVE") return NO_CONSENT;
  for (const f of e.facilityIds) {
    included.delete(f);
    if (state.isComprehensive) excluded.add(f);
  }
  return { isComprehensive: state.isComprehensive, included, excluded };
}

/** The consent in force at `at`: events effective later (future-dated ones included) do not count yet. */
export function consentStateAt(events: readonly TConsentEventCore[], at: Date): TConsentState {
  return [...events]
    .filter((e) => e.effectiveAt.getTime() <= at.getTime())
    .sort(byEffectiveTime)
    .reduce(apply, NO_CONSENT);
}

export const coversFacility = (state: TConsentState, facilityId: string) =>
  (state.isComprehensive && !state.excluded.has(facilityId)) || state.included.has(facilityId);

/** Whether the consent in force at `at` covers the facility. */
export const isCoveredAt = (events: readonly TConsentEventCore[], facilityId: string, at: Date) =>
  coversFacility(consentStateAt(events, at), facilityId);

export type TPeriod = { validFrom: Date; validTo: Date | null };

/** The periods during which the patient's consent covers the facility (half-open: [from, to)). */
export function coveragePeriods(events: readonly TConsentEventCore[], facilityId: string): TPeriod[] {
  const periods: TPeriod[] = [];
  let state = NO_CONSENT;
  let openSince: Date | null = null;
  for (const e of [...events].sort(byEffectiveTime)) {
    state = apply(state, e);
    const covered = coversFacility(state, facilityId);
    if (covered && !openSince) openSince = e.effectiveAt;
    if (!covered && openSince) {
      if (e.effectiveAt > openSince) periods.push({ validFrom: openSince, validTo: e.effectiveAt });
      openSince = null;
    }
  }
  if (openSince) periods.push({ validFrom: openSince, validTo: null });
  return periods;
}

export const isInPeriods = (periods: readonly TPeriod[], at: Date) =>
  periods.some((p) => p.validFrom.getTime() <= at.getTime() && (p.validTo === null || at.getTime() < p.validTo.getTime()));
