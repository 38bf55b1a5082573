import type { EmergencyBasis, EmergencyReviewOutcome } from "@/generated/prisma/enums";
import { neutraliseCsvCell } from "@/lib/audit/csv";
import type { TTranslate } from "@/lib/i18n";

/*
 * The monthly report of emergency grants (seed 000 平時のルール: each use is reviewed; the
 * secretariat reports monthly), as pure rules: the counts per facility from the month's grants,
 * and the report as CSV. ./queries.ts loads the grants.
 */

export const BASES: readonly EmergencyBasis[] = ["EMS", "CORE_HOSPITAL", "DISASTER"];

export type TFacilityRef = { id: string; code: string; name: string };

/** One grant of the month, as the report counts it. */
export type TReportGrant = {
  viewerFacility: TFacilityRef;
  /** null: a grant that opened every disclosing facility */
  disclosingFacility: TFacilityRef | null;
  basis: EmergencyBasis;
  patientId: string;
  /** rows read under the grant (its own EMERGENCY_GRANT row not counted) */
  reads: number;
  reviewedAt: Date | null;
  reviewDueAt: Date;
  outcome: EmergencyReviewOutcome | null;
};

/** A facility's line (or the month's total, with no facility). */
export type TReportLine = {
  facility: TFacilityRef | null;
  grants: number;
  byBasis: Record<EmergencyBasis, number>;
  reads: number;
  patients: number;
  reviewed: number;
  /** not reviewed, not yet due */
  pending: number;
  /** not reviewed, past the due date */
  overdue: number;
  followUp: number;
  inappropriate: number;
};

export type TMonthReport = {
  month: string;
  /** per facility whose staff used emergency access, by facility code */
  viewing: TReportLine[];
  /** per facility whose records were opened, by facility code (a grant naming none: the line without a facility, last) */
  disclosing: TReportLine[];
  total: TReportLine;
};

function lineOf(facility: TFacilityRef | null, grants: TReportGrant[], now: Date): TReportLine {
  const byBasis = Object.fromEntries(BASES.map((b) => [b, 0])) as Record<EmergencyBasis, number>;
  const line: TReportLine = { facility, grants: grants.length, byBasis, reads: 0, patients: new Set(grants.map((g) => g.patientId)).size, reviewed: 0, pending: 0, overdue: 0, followUp: 0, inappropriate: 0 };
  for (const g of grants) {
    byBasis[g.basis]++;
    line.reads += g.reads;
    if (g.reviewedAt) line.reviewed++;
    else if (g.reviewDueAt.getTime() < now.getTime()) line.overdue++;
    else line.pending++;
    if (g.outcome === "FOLLOW_UP") line.followUp++;
    if (g.outcome === "INAPPROPRIATE") line.inappropriate++;
  }
  return line;
}

function linesBy(grants: TReportGrant[], facilityOf: (g: TReportGrant) => TFacilityRef | null, now: Date): TReportLine[] {
  const groups = new Map<string, { facility: TFacilityRef | null; grants: TReportGrant[] }>();
  for (const g of grants) {
    const f = facilityOf(g);
    const key = f?.id ?? "";
    const group = groups.get(key) ?? { facility: f, grants: [] };
    group.grants.push(g);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort((a, b) => (a.facility ? (b.facility ? a.facility.code.localeCompare(b.facility.code) : -1) : 1))
    .map((group) => lineOf(group.facility, group.grants, now));
}

/** The month's counts per viewing facility, per disclosing facility, and in total; reviewed/pending/overdue as at `now`. */
export function summarizeMonth(month: string, grants: TReportGrant[], now: Date): TMonthReport {
  return {
    month,
    viewing: linesBy(grants, (g) => g.viewerFacility, now),
    disclosing: linesBy(grants, (g) => g.disclosingFacility, now),
    total: lineOf(null, grants, now),
  };
}

/** The report as CSV (RFC 4180, CRLF, every cell quoted; facility names neutralised against formulas): one line per facility and side, then the total. */
export function monthReportCsv(report: TMonthReport, t: TTranslate): string {
  const header = [
    t("emsReview.csv.side"),
    t("emsReview.csv.facilityCode"),
    t("emsReview.csv.facilityName"),
    t("emsReview.report.grants"),
    ...BASES.map((b) => t(`emsReview.basis.${b}`)),
    t("emsReview.report.reads"),
    t("emsReview.report.patients"),
    t("emsReview.report.reviewed"),
    t("emsReview.report.pending"),
    t("emsReview.report.overdue"),
    t("emsReview.outcome.FOLLOW_UP"),
    t("emsReview.outcome.INAPPROPRIATE"),
  ];
  const row = (side: string, l: TReportLine, isTotal = false) => [
    side,
    l.facility?.code ?? "",
    l.facility?.name ?? (isTotal ? "" : t("emsReview.report.allFacilities")),
    ...[l.grants, ...BASES.map((b) => l.byBasis[b]), l.reads, l.patients, l.reviewed, l.pending, l.overdue, l.followUp, l.inappropriate].map(String),
  ];
  const lines = [
    header,
    ...report.viewing.map((l) => row(t("emsReview.csv.viewing"), l)),
    ...report.disclosing.map((l) => row(t("emsReview.csv.disclosing"), l)),
    row(t("emsReview.csv.total"), report.total, true),
  ];
  return lines.map((cells) => cells.map((c) => `"${neutraliseCsvCell(c).replace(/"/g, '""')}"`).join(",")).join("\r\n") + "\r\n";
}
