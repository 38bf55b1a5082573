import { describe, expect, it } from "vitest";
import type { PublicationState, StaffRole } from "@/generated/prisma/enums";
import { canAdministerPatient, canSeeContent, canSeePatient, type TContentKind, type TLinkFacts, type TPatientFacts, type TRestriction } from "@/lib/access/oracle";
import { mayReadRecords, mayRegisterPatients } from "@/lib/access/roles";
import type { TConsentEventCore } from "@/lib/consent/state";

/*
 * The visibility rule as an exhaustive matrix. Every expectation comes from `oracle*` below, written
 * straight from the rule's wording over plain descriptors (which facility has which kind of link,
 * which facilities the consent covers at the check time as a literal set); the module is only ever
 * the thing under test. lib/access/oracle.ts is itself the oracle of the database's rule
 * (tests/integration/access-matrix.test.ts); this matrix keeps it honest to the rule's wording.
 */

/* ---- facilities and time ---- */

const V = "facility-viewer";
const D = "facility-owner";
const C = "facility-third";
type TFacilityName = "V" | "D" | "C";
const ID: Record<TFacilityName, string> = { V, D, C };

/** the moment every case is checked at */
const AT = new Date("2026-06-01T00:00:00.000Z");
/** "YYYY-MM-DD" is midnight UTC; anything longer is a full ISO instant */
const instant = (iso: string) => new Date(iso.length === 10 ? `${iso}T00:00:00.000Z` : iso);

/* ---- consent scenarios: event lists, and by hand the facilities covered at AT ---- */

type TEventSpec = {
  action: "GRANT" | "WITHDRAW";
  /** "ALL" is a comprehensive consent (or its withdrawal) */
  who: "ALL" | TFacilityName[];
  effective: string;
  /** defaults to the effective time */
  recorded?: string;
};

const event = ({ action, who, effective, recorded }: TEventSpec): TConsentEventCore => ({
  action,
  scope: who === "ALL" ? "COMPREHENSIVE" : "FACILITIES",
  facilityIds: who === "ALL" ? [] : who.map((f) => ID[f]),
  effectiveAt: instant(effective),
  recordedAt: instant(recorded ?? effective),
});

type TConsentScenario = { name: string; events: TConsentEventCore[]; coveredAtCheck: TFacilityName[] };

const grant = (who: TEventSpec["who"], effective: string, recorded?: string) => event({ action: "GRANT", who, effective, recorded });
const withdraw = (who: TEventSpec["who"], effective: string, recorded?: string) => event({ action: "WITHDRAW", who, effective, recorded });

const CONSENT_SCENARIOS: TConsentScenario[] = [
  { name: "no consent", events: [], coveredAtCheck: [] },
  { name: "comprehensive", events: [grant("ALL", "2026-01-10")], coveredAtCheck: ["V", "D", "C"] },
  { name: "specific naming V and D", events: [grant(["V", "D"], "2026-01-10")], coveredAtCheck: ["V", "D"] },
  { name: "specific naming V only", events: [grant(["V"], "2026-01-10")], coveredAtCheck: ["V"] },
  { name: "specific naming D only", events: [grant(["D"], "2026-01-10")], coveredAtCheck: ["D"] },
  { name: "specific naming C only", events: [grant(["C"], "2026-01-10")], coveredAtCheck: ["C"] },
  { name: "comprehensive, withdrawn whole", events: [grant("ALL", "2026-01-10"), withdraw("ALL", "2026-03-01")], coveredAtCheck: [] },
  { name: "comprehensive, withdrawn for V", events: [grant("ALL", "2026-01-10"), withdraw(["V"], "2026-03-01")], coveredAtCheck: ["D", "C"] },
  { name: "comprehensive, withdrawn for D", events: [grant("ALL", "2026-01-10"), withdraw(["D"], "2026-03-01")], coveredAtCheck: ["V", "C"] },
  { name: "comprehensive dated after the check", events: [grant("ALL", "2026-09-01")], coveredAtCheck: [] },
  {
    name: "re-consent after a withdrawal",
    events: [grant("ALL", "2026-01-10"), withdraw("ALL", "2026-03-01"), grant("ALL", "2026-04-01")],
    coveredAtCheck: ["V", "D", "C"],
  },
  { name: "withdrawal dated after the check", events: [grant("ALL", "2026-01-10"), withdraw("ALL", "2026-09-01")], coveredAtCheck: ["V", "D", "C"] },
  {
    name: "specific V and D, V withdrawn, V named again",
    events: [grant(["V", "D"], "2026-01-10"), withdraw(["V"], "2026-02-01"), grant(["V"], "2026-04-01")],
    coveredAtCheck: ["V", "D"],
  },
  {
    name: "comprehensive, V withdrawn, V named again",
    events: [grant("ALL", "2026-01-10"), withdraw(["V"], "2026-02-01"), grant(["V"], "2026-04-01")],
    coveredAtCheck: ["V", "D", "C"],
  },
  { name: "specific V, then comprehensive", events: [grant(["V"], "2026-01-10"), grant("ALL", "2026-02-01")], coveredAtCheck: ["V", "D", "C"] },
  {
    name: "events listed out of order (withdrawal first in the list, later in time)",
    events: [withdraw("ALL", "2026-03-01"), grant("ALL", "2026-01-10")],
    coveredAtCheck: [],
  },
  {
    name: "same instant: withdrawal recorded after the grant",
    events: [withdraw("ALL", "2026-03-01", "2026-03-01T02:00:00.000Z"), grant("ALL", "2026-03-01", "2026-03-01T01:00:00.000Z")],
    coveredAtCheck: [],
  },
  {
    name: "same instant: V named after a withdrawal recorded before it",
    events: [
      grant("ALL", "2026-01-10"),
      grant(["V"], "2026-03-01", "2026-03-01T02:00:00.000Z"),
      withdraw("ALL", "2026-03-01", "2026-03-01T01:00:00.000Z"),
    ],
    coveredAtCheck: ["V"],
  },
  { name: "comprehensive effective exactly at the check", events: [grant("ALL", AT.toISOString())], coveredAtCheck: ["V", "D", "C"] },
  { name: "withdrawal effective exactly at the check", events: [grant("ALL", "2026-01-10"), withdraw("ALL", AT.toISOString())], coveredAtCheck: [] },
  { name: "specific V and D, both withdrawn", events: [grant(["V", "D"], "2026-01-10"), withdraw(["V", "D"], "2026-02-01")], coveredAtCheck: [] },
];

/* ---- link states: descriptors, and the link facts they stand for ---- */

type TLinkState = { name: string; active: boolean; present: boolean; state: PublicationState };

const LINK_STATES: TLinkState[] = [
  { name: "no link", present: false, active: false, state: "PUBLISHED" },
  { name: "active PUBLISHED", present: true, active: true, state: "PUBLISHED" },
  { name: "active VIEW_ONLY", present: true, active: true, state: "VIEW_ONLY" },
  { name: "active UNPUBLISHED", present: true, active: true, state: "UNPUBLISHED" },
  { name: "unlinked (was PUBLISHED)", present: true, active: false, state: "PUBLISHED" },
];

type TShares = { shareBasic: boolean; shareClinical: boolean };

const link = (facilityId: string, s: TLinkState, shares: TShares): TLinkFacts[] =>
  s.present ? [{ facilityId, isActive: s.active, publicationState: s.state, ...shares }] : [];

/** facility C's link: fully published and shared, so it must never lend V or D anything */
const THIRD_LINK: TLinkFacts = { facilityId: C, isActive: true, publicationState: "PUBLISHED", shareBasic: true, shareClinical: true };

/** content kinds with the owner's sharing scope: the other flag is always the opposite, so a mix-up shows */
type TContentCase = { name: string; kind: TContentKind; shares: TShares };
const CONTENT_CASES: TContentCase[] = [
  { name: "BASIC, shareBasic on (shareClinical off)", kind: "BASIC", shares: { shareBasic: true, shareClinical: false } },
  { name: "BASIC, shareBasic off (shareClinical on)", kind: "BASIC", shares: { shareBasic: false, shareClinical: true } },
  { name: "CLINICAL, shareClinical on (shareBasic off)", kind: "CLINICAL", shares: { shareBasic: false, shareClinical: true } },
  { name: "CLINICAL, shareClinical off (shareBasic on)", kind: "CLINICAL", shares: { shareBasic: true, shareClinical: false } },
];
const RESTRICTIONS: TRestriction[] = ["NONE", "OWN_FACILITY"];

const ROLE_SETS: StaffRole[][] = [
  ["CLINICIAN"],
  ["LIAISON"],
  ["FACILITY_ADMIN"],
  ["SECRETARIAT"],
  ["FACILITY_ADMIN", "SECRETARIAT"],
  ["FACILITY_ADMIN", "CLINICIAN"],
  ["SECRETARIAT", "LIAISON"],
  [],
];
const rolesName = (roles: readonly StaffRole[]) => (roles.length ? roles.join("+") : "no role");

/* ---- the oracle, from the rule's wording ---- */

const READING_ROLES: readonly string[] = ["CLINICIAN", "LIAISON"];
const roleReads = (roles: readonly StaffRole[]) => roles.some((r) => READING_ROLES.includes(r));

/** canSeePatient: role ok, V's link active and PUBLISHED or VIEW_ONLY, consent covers V */
function oracleSeePatient(roles: readonly StaffRole[], viewerLink: TLinkState, covered: readonly TFacilityName[]): boolean {
  if (!roleReads(roles)) return false;
  const viewerTakesPart = viewerLink.present && viewerLink.active && (viewerLink.state === "PUBLISHED" || viewerLink.state === "VIEW_ONLY");
  return viewerTakesPart && covered.includes("V");
}

type TContentInput = {
  roles: readonly StaffRole[];
  ownData: boolean;
  viewerLink: TLinkState;
  /** ignored for own data (the viewer's link is the owner's) */
  ownerLink: TLinkState;
  content: TContentCase;
  restriction: TRestriction;
  covered: readonly TFacilityName[];
};

function oracleSeeContent(c: TContentInput): boolean {
  if (!roleReads(c.roles)) return false;
  if (c.ownData) return c.viewerLink.present && c.viewerLink.active;
  if (c.restriction !== "NONE") return false;
  const ownerInScope = c.content.kind === "BASIC" ? c.content.shares.shareBasic : c.content.shares.shareClinical;
  const ownerShares = c.ownerLink.present && c.ownerLink.active && c.ownerLink.state === "PUBLISHED" && ownerInScope;
  return oracleSeePatient(c.roles, c.viewerLink, c.covered) && ownerShares && c.covered.includes("D");
}

const verdict = (b: boolean) => (b ? "visible" : "hidden");

/* ---- canSeeContent: another facility's content (V ≠ D) ---- */

describe("canSeeContent: content owned by another facility", () => {
  type TCase = TContentInput & { name: string; patient: TPatientFacts; expected: boolean };
  const cases: TCase[] = [];
  for (const consent of CONSENT_SCENARIOS)
    for (const viewerLink of LINK_STATES)
      for (const ownerLink of LINK_STATES)
        for (const content of CONTENT_CASES)
          for (const restriction of RESTRICTIONS) {
            const input: TContentInput = { roles: ["CLINICIAN"], ownData: false, viewerLink, ownerLink, content, restriction, covered: consent.coveredAtCheck };
            const expected = oracleSeeContent(input);
            cases.push({
              ...input,
              name: `consent: ${consent.name} | V: ${viewerLink.name} | D: ${ownerLink.name} | ${content.name} | restriction ${restriction} → ${verdict(expected)}`,
              patient: {
                // the viewer's share flags are the opposite of the owner's: they must not matter
                links: [
                  THIRD_LINK,
                  ...link(V, viewerLink, { shareBasic: !content.shares.shareBasic, shareClinical: !content.shares.shareClinical }),
                  ...link(D, ownerLink, content.shares),
                ],
                consentEvents: consent.events,
              },
              expected,
            });
          }

  it("covers the whole matrix, with both answers well represented", () => {
    expect(cases.length).toBe(CONSENT_SCENARIOS.length * LINK_STATES.length ** 2 * CONTENT_CASES.length * RESTRICTIONS.length);
    // consent covering V and D (8 scenarios) × V's 2 viewing states × D published × 2 in-scope kinds × unrestricted
    expect(cases.filter((c) => c.expected).length).toBeGreaterThanOrEqual(32);
  });

  it.each(cases)("$name", ({ roles, patient, content, restriction, expected }) => {
    expect(canSeeContent({ facilityId: V, roles }, patient, { ownerFacilityId: D, kind: content.kind, restriction }, AT)).toBe(expected);
  });
});

/* ---- canSeeContent: the facility's own content (V = D) ---- */

describe("canSeeContent: the facility's own content", () => {
  type TCase = TContentInput & { name: string; patient: TPatientFacts; expected: boolean };
  const cases: TCase[] = [];
  for (const consent of CONSENT_SCENARIOS)
    for (const ownLink of LINK_STATES)
      for (const content of CONTENT_CASES)
        for (const restriction of RESTRICTIONS)
          for (const roles of [["LIAISON"], ["FACILITY_ADMIN"]] satisfies StaffRole[][]) {
            const input: TContentInput = { roles, ownData: true, viewerLink: ownLink, ownerLink: ownLink, content, restriction, covered: consent.coveredAtCheck };
            const expected = oracleSeeContent(input);
            cases.push({
              ...input,
              name: `${rolesName(roles)} | consent: ${consent.name} | own link: ${ownLink.name} | ${content.name} | restriction ${restriction} → ${verdict(expected)}`,
              patient: { links: [THIRD_LINK, ...link(V, ownLink, content.shares)], consentEvents: consent.events },
              expected,
            });
          }

  it("covers the whole matrix", () => {
    expect(cases.length).toBe(CONSENT_SCENARIOS.length * LINK_STATES.length * CONTENT_CASES.length * RESTRICTIONS.length * 2);
    expect(cases.filter((c) => c.expected).length).toBeGreaterThan(50);
  });

  it.each(cases)("$name", ({ roles, patient, content, restriction, expected }) => {
    expect(canSeeContent({ facilityId: V, roles }, patient, { ownerFacilityId: V, kind: content.kind, restriction }, AT)).toBe(expected);
  });
});

/* ---- canSeeContent: roles, with every link open ---- */

describe("canSeeContent: only clinicians and liaison staff read records", () => {
  const open = LINK_STATES[1]!;
  const bothShared: TShares = { shareBasic: true, shareClinical: true };
  type TCase = { name: string; roles: StaffRole[]; ownData: boolean; kind: TContentKind; patient: TPatientFacts; expected: boolean };
  const cases: TCase[] = [];
  for (const roles of ROLE_SETS)
    for (const ownData of [true, false])
      for (const consent of CONSENT_SCENARIOS)
        for (const kind of ["BASIC", "CLINICAL"] satisfies TContentKind[]) {
          const content = CONTENT_CASES.find((c) => c.kind === kind && (kind === "BASIC" ? c.shares.shareBasic : c.shares.shareClinical))!;
          const expected = oracleSeeContent({ roles, ownData, viewerLink: open, ownerLink: open, content, restriction: "NONE", covered: consent.coveredAtCheck });
          cases.push({
            name: `${rolesName(roles)} | ${ownData ? "own content" : "D's content"} | consent: ${consent.name} | ${kind} → ${verdict(expected)}`,
            roles,
            ownData,
            kind,
            patient: { links: [THIRD_LINK, ...link(V, open, bothShared), ...link(D, open, bothShared)], consentEvents: consent.events },
            expected,
          });
        }

  it.each(cases)("$name", ({ roles, ownData, kind, patient, expected }) => {
    expect(canSeeContent({ facilityId: V, roles }, patient, { ownerFacilityId: ownData ? V : D, kind, restriction: "NONE" }, AT)).toBe(expected);
  });
});

/* ---- canSeePatient ---- */

describe("canSeePatient", () => {
  type TCase = { name: string; roles: StaffRole[]; patient: TPatientFacts; expected: boolean };
  const cases: TCase[] = [];
  for (const roles of ROLE_SETS)
    for (const consent of CONSENT_SCENARIOS)
      for (const viewerLink of LINK_STATES)
        for (const thirdLinked of [false, true]) {
          const expected = oracleSeePatient(roles, viewerLink, consent.coveredAtCheck);
          cases.push({
            name: `${rolesName(roles)} | consent: ${consent.name} | V: ${viewerLink.name} | C ${thirdLinked ? "linked" : "not linked"} → ${verdict(expected)}`,
            roles,
            patient: {
              links: [...(thirdLinked ? [THIRD_LINK] : []), ...link(V, viewerLink, { shareBasic: false, shareClinical: false })],
              consentEvents: consent.events,
            },
            expected,
          });
        }

  it("has both answers well represented", () => {
    expect(cases.filter((c) => c.expected).length).toBeGreaterThan(50);
    expect(cases.filter((c) => !c.expected).length).toBeGreaterThan(50);
  });

  it.each(cases)("$name", ({ roles, patient, expected }) => {
    expect(canSeePatient({ facilityId: V, roles }, patient, AT)).toBe(expected);
  });
});

/* ---- focused cases ---- */

describe("visibility: focused cases", () => {
  const published = (facilityId: string, isActive = true): TLinkFacts => ({ facilityId, isActive, publicationState: "PUBLISHED", shareBasic: true, shareClinical: true });
  const clinician = { facilityId: V, roles: ["CLINICIAN"] as StaffRole[] };
  const comprehensive = [grant("ALL", "2026-01-10")];

  it("an unlinked old link next to an active one (re-linked) counts as linked, whatever the order", () => {
    const oldLink: TLinkFacts = { ...published(V, false), publicationState: "UNPUBLISHED" };
    for (const links of [[oldLink, published(V), published(D)], [published(V), oldLink, published(D)]]) {
      const patient = { links, consentEvents: comprehensive };
      expect(canSeePatient(clinician, patient, AT)).toBe(true);
      expect(canSeeContent(clinician, patient, { ownerFacilityId: D, kind: "CLINICAL", restriction: "NONE" }, AT)).toBe(true);
      expect(canSeeContent(clinician, patient, { ownerFacilityId: V, kind: "CLINICAL", restriction: "OWN_FACILITY" }, AT)).toBe(true);
    }
  });

  it("an unlinked link next to an unlinked one is not a link", () => {
    const patient = { links: [published(V, false), published(V, false), published(D)], consentEvents: comprehensive };
    expect(canSeePatient(clinician, patient, AT)).toBe(false);
    expect(canSeeContent(clinician, patient, { ownerFacilityId: V, kind: "BASIC", restriction: "NONE" }, AT)).toBe(false);
  });

  it("the answer follows the check time through a consent's life", () => {
    const patient = { links: [published(V), published(D)], consentEvents: [grant("ALL", "2026-01-10"), withdraw("ALL", "2026-03-01"), grant(["V", "D"], "2026-04-01")] };
    const content = { ownerFacilityId: D, kind: "BASIC" as const, restriction: "NONE" as const };
    const at = (iso: string) => canSeeContent(clinician, patient, content, new Date(iso));
    expect(at("2026-01-09T23:59:59.999Z")).toBe(false);
    expect(at("2026-01-10T00:00:00.000Z")).toBe(true);
    expect(at("2026-02-28T23:59:59.999Z")).toBe(true);
    expect(at("2026-03-01T00:00:00.000Z")).toBe(false);
    expect(at("2026-03-31T23:59:59.999Z")).toBe(false);
    expect(at("2026-04-01T00:00:00.000Z")).toBe(true);
  });

  it("another facility's content needs the owner's link, not any published link (C's does not stand in for D's)", () => {
    const patient = { links: [published(V), published(C)], consentEvents: comprehensive };
    expect(canSeeContent(clinician, patient, { ownerFacilityId: D, kind: "BASIC", restriction: "NONE" }, AT)).toBe(false);
    expect(canSeeContent(clinician, patient, { ownerFacilityId: C, kind: "BASIC", restriction: "NONE" }, AT)).toBe(true);
  });

  it("a viewer at C sees neither V's nor D's data without its own link", () => {
    const patient = { links: [published(V), published(D)], consentEvents: comprehensive };
    const atC = { facilityId: C, roles: ["CLINICIAN"] as StaffRole[] };
    expect(canSeePatient(atC, patient, AT)).toBe(false);
    for (const ownerFacilityId of [V, D, C]) expect(canSeeContent(atC, patient, { ownerFacilityId, kind: "BASIC", restriction: "NONE" }, AT)).toBe(false);
  });

  it("a consent starting a millisecond after the check does not count yet", () => {
    const patient = { links: [published(V), published(D)], consentEvents: [grant("ALL", "2026-06-01T00:00:00.001Z")] };
    expect(canSeePatient(clinician, patient, AT)).toBe(false);
    expect(canSeePatient(clinician, patient, new Date("2026-06-01T00:00:00.001Z"))).toBe(true);
  });
});

/* ---- roles ---- */

const ALL_ROLES: StaffRole[] = ["CLINICIAN", "LIAISON", "FACILITY_ADMIN", "SECRETARIAT"];
/** every subset of the roles, the empty one included */
const ROLE_SUBSETS: StaffRole[][] = Array.from({ length: 1 << ALL_ROLES.length }, (_, mask) => ALL_ROLES.filter((_, i) => mask & (1 << i)));

describe("mayReadRecords and mayRegisterPatients", () => {
  it.each(ROLE_SUBSETS.map((roles) => ({ roles, name: rolesName(roles) })))("$name", ({ roles }) => {
    const has = (r: StaffRole) => roles.includes(r);
    expect(mayReadRecords(roles)).toBe(has("CLINICIAN") || has("LIAISON"));
    expect(mayRegisterPatients(roles)).toBe(has("LIAISON") || has("SECRETARIAT"));
  });
});

describe("canAdministerPatient", () => {
  const CREATORS: { name: string; id: string | null }[] = [
    { name: "created by V", id: V },
    { name: "created by D", id: D },
    { name: "creator unknown", id: null },
  ];
  type TCase = { name: string; roles: StaffRole[]; createdByFacilityId: string | null; links: TLinkFacts[]; expected: boolean };
  const cases: TCase[] = [];
  for (const roles of ROLE_SUBSETS)
    for (const creator of CREATORS)
      for (const viewerLink of LINK_STATES) {
        const expected =
          roles.includes("SECRETARIAT") || (roles.includes("LIAISON") && (creator.id === V || (viewerLink.present && viewerLink.active)));
        cases.push({
          name: `${rolesName(roles)} | ${creator.name} | V: ${viewerLink.name} → ${expected ? "may administer" : "may not"}`,
          roles,
          createdByFacilityId: creator.id,
          links: [THIRD_LINK, ...link(D, LINK_STATES[1]!, { shareBasic: true, shareClinical: true }), ...link(V, viewerLink, { shareBasic: false, shareClinical: false })],
          expected,
        });
      }

  it.each(cases)("$name", ({ roles, createdByFacilityId, links, expected }) => {
    expect(canAdministerPatient({ facilityId: V, roles }, { createdByFacilityId, links })).toBe(expected);
  });

  it("a clinician may never administer, even at the creating and linked facility", () => {
    const patient = { createdByFacilityId: V, links: link(V, LINK_STATES[1]!, { shareBasic: true, shareClinical: true }) };
    expect(canAdministerPatient({ facilityId: V, roles: ["CLINICIAN", "FACILITY_ADMIN"] }, patient)).toBe(false);
  });
});
