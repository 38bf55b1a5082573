import { describe, expect, it } from "vitest";
import {
  consentStateAt,
  coveragePeriods,
  coversFacility,
  isCoveredAt,
  isInPeriods,
  NO_CONSENT,
  type TConsentEventCore,
  type TConsentState,
  type TPeriod,
} from "@/lib/consent/state";

/* ---- helpers ---- */

const A = "facility-a";
const B = "facility-b";
const C = "facility-c";
/** a facility that joins the network later and is never named */
const Z = "facility-z";

const t = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso);
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

type TEv = { effective: string; recorded?: string };
const grantAll = ({ effective, recorded }: TEv): TConsentEventCore => ({
  action: "GRANT",
  scope: "COMPREHENSIVE",
  facilityIds: [],
  effectiveAt: t(effective),
  recordedAt: t(recorded ?? effective),
});
const withdrawAll = ({ effective, recorded }: TEv): TConsentEventCore => ({ ...grantAll({ effective, recorded }), action: "WITHDRAW" });
const grantFor = (facilityIds: string[], { effective, recorded }: TEv): TConsentEventCore => ({
  action: "GRANT",
  scope: "FACILITIES",
  facilityIds,
  effectiveAt: t(effective),
  recordedAt: t(recorded ?? effective),
});
const withdrawFor = (facilityIds: string[], e: TEv): TConsentEventCore => ({ ...grantFor(facilityIds, e), action: "WITHDRAW" });

/** a state as plain, comparable data */
const plain = (s: TConsentState) => ({ isComprehensive: s.isComprehensive, included: [...s.included].sort(), excluded: [...s.excluded].sort() });
const stateAt = (events: readonly TConsentEventCore[], at: string) => plain(consentStateAt(events, t(at)));
const coveredSetAt = (events: readonly TConsentEventCore[], at: string) => [A, B, C, Z].filter((f) => isCoveredAt(events, f, t(at)));
const none = { isComprehensive: false, included: [], excluded: [] };
const iso = (p: TPeriod) => ({ validFrom: p.validFrom.toISOString(), validTo: p.validTo?.toISOString() ?? null });

/* ---- consentStateAt ---- */

describe("consentStateAt", () => {
  it("no events: no consent", () => {
    expect(stateAt([], "2026-01-01")).toEqual(none);
    expect(coveredSetAt([], "2026-01-01")).toEqual([]);
  });

  describe("a consent's life, seen at past and present times", () => {
    const events = [
      grantAll({ effective: "2026-01-10" }),
      withdrawFor([B], { effective: "2026-03-01" }),
      withdrawAll({ effective: "2026-05-01" }),
      grantFor([A, C], { effective: "2026-07-01" }),
    ];
    it.each([
      { at: "2026-01-09T23:59:59.999Z", state: none, covered: [] },
      { at: "2026-01-10", state: { isComprehensive: true, included: [], excluded: [] }, covered: [A, B, C, Z] },
      { at: "2026-02-15", state: { isComprehensive: true, included: [], excluded: [] }, covered: [A, B, C, Z] },
      { at: "2026-03-01", state: { isComprehensive: true, included: [], excluded: [B] }, covered: [A, C, Z] },
      { at: "2026-04-30T23:59:59.999Z", state: { isComprehensive: true, included: [], excluded: [B] }, covered: [A, C, Z] },
      { at: "2026-05-01", state: none, covered: [] },
      { at: "2026-06-30", state: none, covered: [] },
      { at: "2026-07-01", state: { isComprehensive: false, included: [A, C], excluded: [] }, covered: [A, C] },
      { at: "2030-01-01", state: { isComprehensive: false, included: [A, C], excluded: [] }, covered: [A, C] },
    ])("at $at", ({ at, state, covered }) => {
      expect(stateAt(events, at)).toEqual(state);
      expect(coveredSetAt(events, at)).toEqual(covered);
    });
  });

  it("withdrawal then re-consent: comprehensive again, nothing left excluded", () => {
    const events = [
      grantAll({ effective: "2026-01-10" }),
      withdrawFor([A], { effective: "2026-02-01" }),
      withdrawAll({ effective: "2026-03-01" }),
      grantAll({ effective: "2026-04-01" }),
    ];
    expect(coveredSetAt(events, "2026-03-15")).toEqual([]);
    expect(stateAt(events, "2026-04-01")).toEqual({ isComprehensive: true, included: [], excluded: [] });
    expect(coveredSetAt(events, "2026-04-01")).toEqual([A, B, C, Z]);
  });

  it("per-facility withdrawal under a comprehensive consent excludes only that facility; later facilities are covered", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawFor([B, C], { effective: "2026-02-01" })];
    expect(stateAt(events, "2026-02-01")).toEqual({ isComprehensive: true, included: [], excluded: [B, C] });
    const state = consentStateAt(events, t("2026-02-01"));
    expect(coversFacility(state, A)).toBe(true);
    expect(coversFacility(state, B)).toBe(false);
    expect(coversFacility(state, C)).toBe(false);
    expect(coversFacility(state, Z)).toBe(true);
  });

  it("naming an excluded facility under a comprehensive consent takes it out of the exclusions (and does not list it as included)", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawFor([B, C], { effective: "2026-02-01" }), grantFor([B], { effective: "2026-03-01" })];
    expect(stateAt(events, "2026-03-01")).toEqual({ isComprehensive: true, included: [], excluded: [C] });
    expect(coveredSetAt(events, "2026-03-01")).toEqual([A, B, Z]);
  });

  it("a comprehensive grant clears earlier exclusions", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawFor([B], { effective: "2026-02-01" }), grantAll({ effective: "2026-03-01" })];
    expect(stateAt(events, "2026-03-01")).toEqual({ isComprehensive: true, included: [], excluded: [] });
    expect(coveredSetAt(events, "2026-03-01")).toEqual([A, B, C, Z]);
  });

  it("specific, then comprehensive: everyone; withdrawing the comprehensive consent stops everything, the earlier naming included", () => {
    const events = [grantFor([A], { effective: "2026-01-10" }), grantAll({ effective: "2026-02-01" }), withdrawAll({ effective: "2026-03-01" })];
    expect(coveredSetAt(events, "2026-01-10")).toEqual([A]);
    expect(stateAt(events, "2026-02-01")).toEqual({ isComprehensive: true, included: [], excluded: [] });
    expect(coveredSetAt(events, "2026-02-01")).toEqual([A, B, C, Z]);
    expect(stateAt(events, "2026-03-01")).toEqual(none);
  });

  it("specific consents accumulate and are withdrawn one by one", () => {
    const events = [grantFor([A], { effective: "2026-01-10" }), grantFor([B], { effective: "2026-02-01" }), withdrawFor([A], { effective: "2026-03-01" })];
    expect(coveredSetAt(events, "2026-02-01")).toEqual([A, B]);
    expect(stateAt(events, "2026-03-01")).toEqual({ isComprehensive: false, included: [B], excluded: [] });
  });

  it("withdrawing a facility never named, with no comprehensive consent, changes nothing; a later comprehensive consent covers it", () => {
    const events = [grantFor([A], { effective: "2026-01-10" }), withdrawFor([B], { effective: "2026-02-01" }), grantAll({ effective: "2026-03-01" })];
    expect(stateAt(events, "2026-02-01")).toEqual({ isComprehensive: false, included: [A], excluded: [] });
    expect(coveredSetAt(events, "2026-03-01")).toEqual([A, B, C, Z]);
  });

  describe("events at the same instant apply in order of recording, whatever their order in the list", () => {
    const grant = grantAll({ effective: "2026-03-01", recorded: "2026-03-01T01:00:00.000Z" });
    const laterWithdrawal = withdrawAll({ effective: "2026-03-01", recorded: "2026-03-01T02:00:00.000Z" });
    const earlierWithdrawal = withdrawAll({ effective: "2026-03-01", recorded: "2026-03-01T00:30:00.000Z" });
    it.each([
      { name: "grant, then a withdrawal recorded later", events: [grant, laterWithdrawal], covered: [] },
      { name: "the same, listed the other way round", events: [laterWithdrawal, grant], covered: [] },
      { name: "a withdrawal recorded before the grant", events: [grant, earlierWithdrawal], covered: [A, B, C, Z] },
      { name: "the same, listed the other way round", events: [earlierWithdrawal, grant], covered: [A, B, C, Z] },
    ])("$name", ({ events, covered }) => {
      expect(coveredSetAt(events, "2026-03-01")).toEqual(covered);
    });
  });

  it("effective time wins over recording time (a back-dated event recorded later applies first)", () => {
    const events = [withdrawAll({ effective: "2026-03-01", recorded: "2026-03-01" }), grantAll({ effective: "2026-02-01", recorded: "2026-03-05" })];
    expect(coveredSetAt(events, "2026-02-15")).toEqual([A, B, C, Z]);
    expect(coveredSetAt(events, "2026-03-10")).toEqual([]);
  });

  it("future-dated events do not count until they take effect (inclusive at the instant)", () => {
    const future = grantAll({ effective: "2026-09-01", recorded: "2026-05-01" });
    expect(coveredSetAt([future], "2026-06-01")).toEqual([]);
    expect(coveredSetAt([future], "2026-08-31T23:59:59.999Z")).toEqual([]);
    expect(coveredSetAt([future], "2026-09-01")).toEqual([A, B, C, Z]);

    const futureWithdrawal = [grantAll({ effective: "2026-01-10" }), withdrawAll({ effective: "2026-09-01", recorded: "2026-05-01" })];
    expect(coveredSetAt(futureWithdrawal, "2026-06-01")).toEqual([A, B, C, Z]);
    expect(coveredSetAt(futureWithdrawal, "2026-09-01")).toEqual([]);
  });

  it("neither the events nor NO_CONSENT are changed", () => {
    const events = [grantFor([A], { effective: "2026-03-01" }), withdrawAll({ effective: "2026-02-01" }), grantFor([B], { effective: "2026-01-01" })];
    const before = events.map((e) => e.effectiveAt.toISOString());
    consentStateAt(events, t("2026-04-01"));
    coveragePeriods(events, A);
    expect(events.map((e) => e.effectiveAt.toISOString())).toEqual(before);
    expect(plain(NO_CONSENT)).toEqual(none);
  });
});

describe("coversFacility", () => {
  const state = (isComprehensive: boolean, included: string[], excluded: string[]): TConsentState => ({
    isComprehensive,
    included: new Set(included),
    excluded: new Set(excluded),
  });
  it.each([
    { name: "no consent", s: state(false, [], []), f: A, covered: false },
    { name: "comprehensive", s: state(true, [], []), f: A, covered: true },
    { name: "comprehensive, this facility excluded", s: state(true, [], [A]), f: A, covered: false },
    { name: "comprehensive, another facility excluded", s: state(true, [], [B]), f: A, covered: true },
    { name: "named", s: state(false, [A], []), f: A, covered: true },
    { name: "another facility named", s: state(false, [B], []), f: A, covered: false },
  ])("$name", ({ s, f, covered }) => {
    expect(coversFacility(s, f)).toBe(covered);
  });
});

/* ---- coveragePeriods ---- */

describe("coveragePeriods", () => {
  it("no events: no periods", () => {
    expect(coveragePeriods([], A)).toEqual([]);
  });

  it("a comprehensive consent: one open period from its effective time", () => {
    expect(coveragePeriods([grantAll({ effective: "2026-01-10" })], A).map(iso)).toEqual([{ validFrom: "2026-01-10T00:00:00.000Z", validTo: null }]);
  });

  it("grant, withdraw, grant again: a closed and an open period", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawAll({ effective: "2026-03-01" }), grantAll({ effective: "2026-04-01" })];
    expect(coveragePeriods(events, A).map(iso)).toEqual([
      { validFrom: "2026-01-10T00:00:00.000Z", validTo: "2026-03-01T00:00:00.000Z" },
      { validFrom: "2026-04-01T00:00:00.000Z", validTo: null },
    ]);
  });

  it("a per-facility withdrawal closes that facility's period only; the others' are not split", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawFor([B], { effective: "2026-03-01" }), grantFor([B], { effective: "2026-05-01" })];
    expect(coveragePeriods(events, A).map(iso)).toEqual([{ validFrom: "2026-01-10T00:00:00.000Z", validTo: null }]);
    expect(coveragePeriods(events, B).map(iso)).toEqual([
      { validFrom: "2026-01-10T00:00:00.000Z", validTo: "2026-03-01T00:00:00.000Z" },
      { validFrom: "2026-05-01T00:00:00.000Z", validTo: null },
    ]);
  });

  it("specific, then comprehensive: the named facility's period runs on; others start with the comprehensive consent", () => {
    const events = [grantFor([A], { effective: "2026-01-10" }), grantAll({ effective: "2026-02-01" }), withdrawAll({ effective: "2026-06-01" })];
    expect(coveragePeriods(events, A).map(iso)).toEqual([{ validFrom: "2026-01-10T00:00:00.000Z", validTo: "2026-06-01T00:00:00.000Z" }]);
    expect(coveragePeriods(events, Z).map(iso)).toEqual([{ validFrom: "2026-02-01T00:00:00.000Z", validTo: "2026-06-01T00:00:00.000Z" }]);
  });

  it("a facility never covered has no periods", () => {
    expect(coveragePeriods([grantFor([A], { effective: "2026-01-10" }), withdrawAll({ effective: "2026-02-01" })], B)).toEqual([]);
  });

  it("future-dated events are included (the periods are for any time, not only now)", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawAll({ effective: "2099-01-01", recorded: "2026-05-01" })];
    expect(coveragePeriods(events, A).map(iso)).toEqual([{ validFrom: "2026-01-10T00:00:00.000Z", validTo: "2099-01-01T00:00:00.000Z" }]);
  });

  it("a grant and a withdrawal at the same instant leave no empty period", () => {
    const events = [
      grantAll({ effective: "2026-03-01", recorded: "2026-03-01T01:00:00.000Z" }),
      withdrawAll({ effective: "2026-03-01", recorded: "2026-03-01T02:00:00.000Z" }),
    ];
    expect(coveragePeriods(events, A)).toEqual([]);
    expect(coveragePeriods([...events].reverse(), A)).toEqual([]);
  });

  it("events listed out of order give the same periods", () => {
    const events = [grantAll({ effective: "2026-01-10" }), withdrawFor([A], { effective: "2026-02-01" }), grantFor([A], { effective: "2026-03-01" }), withdrawAll({ effective: "2026-04-01" })];
    const expected = [
      { validFrom: "2026-01-10T00:00:00.000Z", validTo: "2026-02-01T00:00:00.000Z" },
      { validFrom: "2026-03-01T00:00:00.000Z", validTo: "2026-04-01T00:00:00.000Z" },
    ];
    expect(coveragePeriods(events, A).map(iso)).toEqual(expected);
    expect(coveragePeriods([...events].reverse(), A).map(iso)).toEqual(expected);
    expect(coveragePeriods([events[2]!, events[0]!, events[3]!, events[1]!], A).map(iso)).toEqual(expected);
  });

  it("withdrawn and granted again at the same instant: covered straight through", () => {
    const events = [
      grantAll({ effective: "2026-01-10" }),
      withdrawAll({ effective: "2026-03-01", recorded: "2026-03-01T01:00:00.000Z" }),
      grantFor([A], { effective: "2026-03-01", recorded: "2026-03-01T02:00:00.000Z" }),
    ];
    const periods = coveragePeriods(events, A);
    for (const at of ["2026-02-28T23:59:59.999Z", "2026-03-01", "2026-03-01T00:00:00.001Z", "2030-01-01"]) expect(isInPeriods(periods, t(at))).toBe(true);
    expect(isInPeriods(periods, t("2026-01-09T23:59:59.999Z"))).toBe(false);
    expect(coveragePeriods(events, B).map(iso)).toEqual([{ validFrom: "2026-01-10T00:00:00.000Z", validTo: "2026-03-01T00:00:00.000Z" }]);
  });
});

/* ---- coveragePeriods against isCoveredAt and an independent oracle, over generated histories ---- */

/** a small deterministic pseudo-random generator (mulberry32) */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The consent rule for one facility, put differently: the facility is covered at `at` exactly when the
 * latest event in force that concerns it (a comprehensive event concerns every facility) is a grant.
 */
function oracleCovered(events: readonly TConsentEventCore[], facilityId: string, at: Date): boolean {
  let latest: TConsentEventCore | undefined;
  for (const e of events) {
    if (e.effectiveAt.getTime() > at.getTime()) continue;
    if (e.scope === "FACILITIES" && !e.facilityIds.includes(facilityId)) continue;
    const later =
      !latest ||
      e.effectiveAt.getTime() > latest.effectiveAt.getTime() ||
      (e.effectiveAt.getTime() === latest.effectiveAt.getTime() && e.recordedAt.getTime() > latest.recordedAt.getTime());
    if (later) latest = e;
  }
  return latest?.action === "GRANT";
}

describe("coveragePeriods over generated histories", () => {
  const BASE = t("2026-01-01").getTime();
  const DAY = 86_400_000;
  const FACILITIES = [A, B, C];

  const histories: { name: string; events: TConsentEventCore[] }[] = [];
  const rnd = random(20261122);
  for (let h = 0; h < 300; h++) {
    const n = Math.floor(rnd() * 9);
    const events: TConsentEventCore[] = [];
    for (let i = 0; i < n; i++) {
      // few distinct days, so that events often share an instant
      const effectiveAt = new Date(BASE + Math.floor(rnd() * 6) * DAY);
      const comprehensive = rnd() < 0.4;
      events.push({
        action: rnd() < 0.6 ? "GRANT" : "WITHDRAW",
        scope: comprehensive ? "COMPREHENSIVE" : "FACILITIES",
        facilityIds: comprehensive ? [] : FACILITIES.filter(() => rnd() < 0.5),
        effectiveAt,
        // distinct recording times, not in effective order
        recordedAt: new Date(BASE + 100 * DAY + Math.floor(rnd() * 1000) * 1000 + i),
      });
    }
    histories.push({ name: `history ${h} (${n} events)`, events });
  }

  /** every event instant, a millisecond either side, and a grid across the whole span */
  const samples = (events: readonly TConsentEventCore[]) => {
    const out = new Set<number>();
    for (const e of events) for (const d of [-1, 0, 1]) out.add(e.effectiveAt.getTime() + d);
    for (let x = BASE - DAY; x <= BASE + 8 * DAY; x += DAY / 4) out.add(x);
    return [...out].map((x) => new Date(x));
  };

  it("generates a varied set of histories", () => {
    const periodsCount = histories.flatMap((h) => FACILITIES.map((f) => coveragePeriods(h.events, f).length));
    expect(periodsCount.filter((n) => n === 0).length).toBeGreaterThan(20);
    expect(periodsCount.filter((n) => n >= 2).length).toBeGreaterThan(20);
  });

  it.each(histories)("$name: isCoveredAt matches the oracle, and the periods match isCoveredAt", ({ events }) => {
    for (const f of [...FACILITIES, Z]) {
      const periods = coveragePeriods(events, f);
      // well-formed: ordered, non-empty, non-overlapping, only the last open
      periods.forEach((p, i) => {
        if (p.validTo) expect(p.validTo.getTime()).toBeGreaterThan(p.validFrom.getTime());
        else expect(i).toBe(periods.length - 1);
        const next = periods[i + 1];
        if (next) expect(next.validFrom.getTime()).toBeGreaterThanOrEqual(p.validTo!.getTime());
      });
      for (const at of samples(events)) {
        const expected = oracleCovered(events, f, at);
        expect(isCoveredAt(events, f, at), `${f} at ${at.toISOString()}`).toBe(expected);
        expect(isInPeriods(periods, at), `${f} at ${at.toISOString()} (periods)`).toBe(expected);
      }
    }
  });
});

/* ---- isInPeriods ---- */

describe("isInPeriods", () => {
  const from = t("2026-01-10");
  const to = t("2026-03-01");
  const closed: TPeriod[] = [{ validFrom: from, validTo: to }];

  it.each([
    { name: "a millisecond before the start", at: ms(from, -1), inside: false },
    { name: "at the start (inclusive)", at: from, inside: true },
    { name: "in the middle", at: t("2026-02-01"), inside: true },
    { name: "a millisecond before the end", at: ms(to, -1), inside: true },
    { name: "at the end (exclusive)", at: to, inside: false },
    { name: "after the end", at: t("2027-01-01"), inside: false },
  ])("closed period: $name", ({ at, inside }) => {
    expect(isInPeriods(closed, at)).toBe(inside);
  });

  it("an open period runs for ever from its start", () => {
    const open: TPeriod[] = [{ validFrom: from, validTo: null }];
    expect(isInPeriods(open, ms(from, -1))).toBe(false);
    expect(isInPeriods(open, from)).toBe(true);
    expect(isInPeriods(open, t("2999-12-31"))).toBe(true);
  });

  it("no periods: never", () => {
    expect(isInPeriods([], from)).toBe(false);
  });

  it("a gap between two periods is outside; adjacent periods leave no gap", () => {
    const gap: TPeriod[] = [closed[0]!, { validFrom: t("2026-04-01"), validTo: null }];
    expect(isInPeriods(gap, t("2026-03-15"))).toBe(false);
    expect(isInPeriods(gap, t("2026-04-01"))).toBe(true);
    const adjacent: TPeriod[] = [closed[0]!, { validFrom: to, validTo: t("2026-04-01") }];
    expect(isInPeriods(adjacent, ms(to, -1))).toBe(true);
    expect(isInPeriods(adjacent, to)).toBe(true);
    expect(isInPeriods(adjacent, t("2026-04-01"))).toBe(false);
  });

  it("compares instants, not Date identity", () => {
    expect(isInPeriods(closed, new Date(from.getTime()))).toBe(true);
    expect(isInPeriods([{ validFrom: new Date(from.getTime()), validTo: new Date(to.getTime()) }], new Date(to.getTime()))).toBe(false);
  });
});
