import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { AccessType, EmergencyBasis, EmergencyConsent, EmergencyReason, EmergencyReviewOutcome, Qualification, Sex } from "@/generated/prisma/enums";
import { readAudit } from "@/lib/access/gateway";
import { isSecretariat } from "@/lib/access/roles";
import { readAccessRows, type TAccessRow, type TPage } from "@/lib/audit/reports/queries";
import { AUDIT_PAGE_SIZE } from "@/lib/audit/reports/rules";
import { monthBounds, monthOf } from "@/lib/audit/schema";
import type { TViewer } from "@/lib/auth/viewer-type";
import { db, type TTx } from "@/lib/db/client";
import { notFound } from "@/lib/errors";
import { summarizeMonth, type TFacilityRef, type TMonthReport, type TReportGrant } from "@/lib/ems/review/report";
import type { TReviewMonthQuery, TReviewQueueFilter, TReviewState } from "@/lib/ems/review/schema";
import { birthOf, type TPatientIdentity } from "@/lib/patients/dto";
import { isUuid } from "@/lib/text";

/*
 * The review of emergency grants (C8; seed 000 平時のルール): the secretariat's queue of grants to
 * check (reason plausible? consent recorded?) by their due date, one grant with every read made
 * under it, and the month's report per facility; a facility's admins see their own staff's uses,
 * read-only. They name patients, so each is an audit read through the gateway ("emergency"), logged
 * in its transaction: the secretariat any facility's, a facility's admins their own.
 */

/** Whether the grant still opens records, ended by its user (or the secretariat) before its time, or ran out. */
export type TGrantState = "IN_FORCE" | "ENDED_EARLY" | "EXPIRED";

export type TPersonRef = { id: string; loginId: string; name: string };

export type TReviewRow = {
  id: string;
  basis: EmergencyBasis;
  disasterName: string | null;
  reason: EmergencyReason;
  startsAt: Date;
  /** when it stopped (or stops) opening records: its end, or when it was ended early */
  endsAt: Date;
  state: TGrantState;
  viewer: TPersonRef;
  viewerFacility: TFacilityRef;
  patient: { id: string; regionalId: string; name: string };
  disclosingFacility: TFacilityRef | null;
  reviewDueAt: Date;
  isOverdue: boolean;
  reviewedAt: Date | null;
  outcome: EmergencyReviewOutcome | null;
  /** rows read under it (its own EMERGENCY_GRANT row not counted) */
  reads: number;
};

export type TReviewQueue = TPage<TReviewRow> & {
  /** "network": the secretariat's queue; "facility": a facility's admins' own staff's uses */
  scope: "network" | "facility";
  /** the state shown (the secretariat's default: not yet reviewed; a facility's: all) */
  state: TReviewState;
  /** the viewing facility filtered by (always the viewer's own for a facility's admins) */
  facility: TFacilityRef | null;
  /** the facility code asked for names no facility: nothing is shown */
  unmatchedFacility: boolean;
  /** for the same facility and ground: grants not yet reviewed, and of those past their due date */
  counts: { open: number; overdue: number };
};

const REPORT_TIMEOUT_MS = 60_000;

/** Rows read under a grant: by its id (a partial index holds the rows that have one), its own EMERGENCY_GRANT row apart. */
const readsOf = (grant: Prisma.Sql) => Prisma.sql`(SELECT count(*) FROM access_logs l WHERE l.emergency_grant_id = ${grant} AND l.access_type <> 'EMERGENCY_GRANT')::int`;

function stateOf(g: { ends_at: Date; ended_at: Date | null }, now: Date): { endsAt: Date; state: TGrantState } {
  if (g.ended_at && g.ended_at.getTime() < g.ends_at.getTime()) return { endsAt: g.ended_at, state: g.ended_at.getTime() > now.getTime() ? "IN_FORCE" : "ENDED_EARLY" };
  return { endsAt: g.ends_at, state: g.ends_at.getTime() > now.getTime() ? "IN_FORCE" : "EXPIRED" };
}

type TQueueRow = {
  id: string;
  basis: EmergencyBasis;
  disaster_name: string | null;
  reason: EmergencyReason;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  user_id: string;
  login_id: string;
  user_name: string;
  vf_id: string;
  vf_code: string;
  vf_name: string;
  patient_id: string;
  regional_id: string;
  patient_name: string;
  df_id: string | null;
  df_code: string | null;
  df_name: string | null;
  review_due_at: Date;
  reviewed_at: Date | null;
  review_outcome: EmergencyReviewOutcome | null;
  reads: number;
};

function stateWhere(state: TReviewState, now: Date): Prisma.Sql {
  switch (state) {
    case "open":
      return Prisma.sql`g.reviewed_at IS NULL`;
    case "overdue":
      return Prisma.sql`g.reviewed_at IS NULL AND g.review_due_at < ${now}`;
    case "reviewed":
      return Prisma.sql`g.reviewed_at IS NOT NULL`;
    case "all":
      return Prisma.sql`TRUE`;
  }
}

/** Not yet reviewed: the most urgent first (by due date); reviewed: the latest first; all: the newest uses first. */
function stateOrder(state: TReviewState): Prisma.Sql {
  if (state === "open" || state === "overdue") return Prisma.sql`g.review_due_at, g.starts_at, g.id`;
  if (state === "reviewed") return Prisma.sql`g.reviewed_at DESC, g.id`;
  return Prisma.sql`g.starts_at DESC, g.id`;
}

async function queueRows(tx: TTx, where: Prisma.Sql, order: Prisma.Sql, page: number): Promise<{ rows: TQueueRow[]; total: number }> {
  const [count] = await tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM emergency_grants g WHERE ${where}`;
  const rows = await tx.$queryRaw<TQueueRow[]>`
    SELECT g.id::text, g.basis, d.name AS disaster_name, g.reason, g.starts_at, g.ends_at, g.ended_at,
           u.id::text AS user_id, u.login_id, u.name_kanji AS user_name,
           vf.id::text AS vf_id, vf.code AS vf_code, vf.name_kanji AS vf_name,
           p.id::text AS patient_id, p.regional_id, p.name_kanji AS patient_name,
           df.id::text AS df_id, df.code AS df_code, df.name_kanji AS df_name,
           g.review_due_at, g.reviewed_at, g.review_outcome, ${readsOf(Prisma.sql`g.id`)} AS reads
      FROM emergency_grants g
      JOIN staff_users u ON u.id = g.viewer_id
      JOIN facilities vf ON vf.id = g.viewer_facility_id
      JOIN patients p ON p.id = g.patient_id
      LEFT JOIN facilities df ON df.id = g.disclosing_facility_id
      LEFT JOIN disaster_declarations d ON d.id = g.disaster_id
     WHERE ${where}
     ORDER BY ${order}
     LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${(page - 1) * AUDIT_PAGE_SIZE}`;
  return { rows, total: count?.n ?? 0 };
}

const toReviewRow = (r: TQueueRow, now: Date): TReviewRow => ({
  id: r.id,
  basis: r.basis,
  disasterName: r.disaster_name,
  reason: r.reason,
  startsAt: r.starts_at,
  ...stateOf(r, now),
  viewer: { id: r.user_id, loginId: r.login_id, name: r.user_name },
  viewerFacility: { id: r.vf_id, code: r.vf_code, name: r.vf_name },
  patient: { id: r.patient_id, regionalId: r.regional_id, name: r.patient_name },
  disclosingFacility: r.df_id ? { id: r.df_id, code: r.df_code!, name: r.df_name! } : null,
  reviewDueAt: r.review_due_at,
  isOverdue: r.reviewed_at === null && r.review_due_at.getTime() < now.getTime(),
  reviewedAt: r.reviewed_at,
  outcome: r.review_outcome,
  reads: r.reads,
});

/**
 * The review queue. The secretariat: every facility's grants (or one viewing facility's), not yet
 * reviewed by default, the most urgent first. A facility's admins: their own staff's grants, all
 * of them by default, newest first (read-only). Anyone else: "not found", and the refusal is logged.
 */
export async function listEmergencyReviews(viewer: TViewer, f: TReviewQueueFilter, now: Date = new Date()): Promise<TReviewQueue> {
  const network = isSecretariat(viewer);
  const state: TReviewState = f.state ?? (network ? "open" : "all");
  return readAudit(
    viewer,
    "emergency",
    async ({ tx }) => {
      const facility = network
        ? f.facility
          ? await tx.facility.findUnique({ where: { code: f.facility }, select: { id: true, code: true, nameKanji: true } })
          : null
        : await tx.facility.findUniqueOrThrow({ where: { id: viewer.facilityId }, select: { id: true, code: true, nameKanji: true } });
      const unmatchedFacility = network && f.facility !== undefined && facility === null;
      const scope = [
        ...(facility ? [Prisma.sql`g.viewer_facility_id = ${facility.id}::uuid`] : []),
        ...(f.basis ? [Prisma.sql`g.basis = ${f.basis}::"EmergencyBasis"`] : []),
      ];
      const scoped = scope.length ? Prisma.join(scope, " AND ") : Prisma.sql`TRUE`;
      const [page, counts] = unmatchedFacility
        ? [{ rows: [], total: 0 }, { open: 0, overdue: 0 }]
        : [
            await queueRows(tx, Prisma.sql`${scoped} AND ${stateWhere(state, now)}`, stateOrder(state), f.page),
            (
              await tx.$queryRaw<{ open: number; overdue: number }[]>`
                SELECT count(*)::int AS open, (count(*) FILTER (WHERE g.review_due_at < ${now}))::int AS overdue
                  FROM emergency_grants g WHERE ${scoped} AND g.reviewed_at IS NULL`
            )[0] ?? { open: 0, overdue: 0 },
          ];
      return {
        value: {
          rows: page.rows.map((r) => toReviewRow(r, now)),
          total: page.total,
          page: f.page,
          pageSize: AUDIT_PAGE_SIZE,
          scope: network ? "network" : "facility",
          state,
          facility: facility && { id: facility.id, code: facility.code, name: facility.nameKanji },
          unmatchedFacility,
          counts,
        } satisfies TReviewQueue,
        detail: `emergency review queue ${JSON.stringify({ facility: facility?.code ?? f.facility, basis: f.basis, state, page: f.page })}`,
      };
    },
    { facilityId: network ? undefined : viewer.facilityId, timeout: REPORT_TIMEOUT_MS, now },
  );
}

/* One grant */

export type TReviewDetail = {
  id: string;
  basis: EmergencyBasis;
  /** the declaration of a disaster grant; `skipsNotice`: it let the notice to the disclosing facility be skipped */
  disaster: { id: string; name: string; skipsNotice: boolean } | null;
  reason: EmergencyReason;
  reasonText: string;
  consent: EmergencyConsent;
  consentConfirmedBy: string | null;
  startsAt: Date;
  /** when it was to end */
  plannedEndsAt: Date;
  /** when it stopped (or stops) opening records */
  endsAt: Date;
  state: TGrantState;
  endedBy: TPersonRef | null;
  /** the first care date it showed of prescriptions, injections and labs */
  windowFrom: string;
  viewer: TPersonRef & { qualification: Qualification };
  viewerFacility: TFacilityRef;
  patient: TPatientIdentity;
  disclosingFacility: TFacilityRef | null;
  /** the ID the user entered (or found by name search) */
  facilityPatientId: string | null;
  /** the secure-mail notice to the disclosing facility's desk: null when none was sent (a declaration let it be skipped) */
  notice: { messageId: string; sentAt: Date | null; recipients: number; read: number } | null;
  review: { dueAt: Date; isOverdue: boolean; reviewedAt: Date | null; reviewedBy: TPersonRef | null; outcome: EmergencyReviewOutcome | null; note: string | null };
  /** the rows read under it, by type (its EMERGENCY_GRANT row included), and a page of them, newest first */
  reads: { total: number; byType: { type: AccessType; count: number }[]; rows: TPage<TAccessRow> };
  /** the secretariat may close the review (not yet closed) */
  canReview: boolean;
  /** the secretariat may end it now (still in force) */
  canEnd: boolean;
};

type TDetailRow = {
  id: string;
  basis: EmergencyBasis;
  disaster_id: string | null;
  disaster_name: string | null;
  skip_notice: boolean | null;
  reason: EmergencyReason;
  reason_text: string;
  consent: EmergencyConsent;
  consent_confirmed_by: string | null;
  starts_at: Date;
  ends_at: Date;
  ended_at: Date | null;
  ended_by_id: string | null;
  window_from: string;
  viewer_id: string;
  viewer_facility_id: string;
  patient_id: string;
  disclosing_facility_id: string | null;
  facility_patient_id: string | null;
  notice_message_id: string | null;
  review_due_at: Date;
  reviewed_at: Date | null;
  reviewed_by_id: string | null;
  review_outcome: EmergencyReviewOutcome | null;
  review_note: string | null;
};

async function peopleOf(tx: TTx, ids: (string | null)[]) {
  const rows = await tx.staffUser.findMany({ where: { id: { in: ids.filter((x): x is string => !!x) } }, select: { id: true, loginId: true, nameKanji: true, qualification: true } });
  return new Map(rows.map((u) => [u.id, { id: u.id, loginId: u.loginId, name: u.nameKanji, qualification: u.qualification }]));
}

async function facilityRef(tx: TTx, id: string | null): Promise<TFacilityRef | null> {
  if (!id) return null;
  const f = await tx.facility.findUnique({ where: { id }, select: { id: true, code: true, nameKanji: true } });
  return f && { id: f.id, code: f.code, name: f.nameKanji };
}

/**
 * One grant for review: who used it at which facility, the patient, the disclosing facility, the
 * ground, the reason and the consent, its time, the notice, the review, and every read under it.
 * The secretariat any grant; a facility's admins their own staff's (read-only); anyone else, and a
 * facility's admins asking for another facility's grant, "not found" with the refusal logged.
 */
export async function getEmergencyReview(viewer: TViewer, grantId: string, opts: { page?: number; now?: Date } = {}): Promise<TReviewDetail> {
  const now = opts.now ?? new Date();
  const page = opts.page ?? 1;
  // Which facility's grant it is decides who may read it (the gateway's `may`); that alone names no patient.
  const owner = isUuid(grantId) ? await db().emergencyGrant.findUnique({ where: { id: grantId }, select: { viewerFacilityId: true } }) : null;
  const network = isSecretariat(viewer);
  return readAudit(
    viewer,
    "emergency",
    async ({ tx }) => {
      if (!isUuid(grantId)) throw notFound("emergency grant");
      const [g] = await tx.$queryRaw<TDetailRow[]>`
        SELECT g.id::text, g.basis, g.disaster_id::text, d.name AS disaster_name, d.skip_notice, g.reason, g.reason_text, g.consent, g.consent_confirmed_by,
               g.starts_at, g.ends_at, g.ended_at, g.ended_by_id::text, g.window_from::text AS window_from,
               g.viewer_id::text, g.viewer_facility_id::text, g.patient_id::text, g.disclosing_facility_id::text, g.facility_patient_id,
               g.notice_message_id::text, g.review_due_at, g.reviewed_at, g.reviewed_by_id::text, g.review_outcome, g.review_note
          FROM emergency_grants g LEFT JOIN disaster_declarations d ON d.id = g.disaster_id
         WHERE g.id = ${grantId}::uuid`;
      if (!g || (!network && g.viewer_facility_id !== viewer.facilityId)) throw notFound("emergency grant");
      const people = await peopleOf(tx, [g.viewer_id, g.ended_by_id, g.reviewed_by_id]);
      const viewerFacility = (await facilityRef(tx, g.viewer_facility_id))!;
      const disclosingFacility = await facilityRef(tx, g.disclosing_facility_id);
      const p = await tx.patient.findUniqueOrThrow({ where: { id: g.patient_id }, select: { id: true, regionalId: true, nameKanji: true, nameKana: true, sex: true, birthDate: true } });
      const notice = g.notice_message_id
        ? await tx.secureMessage.findUnique({
            where: { id: g.notice_message_id },
            select: { id: true, sentAt: true, _count: { select: { recipients: true } }, recipients: { where: { firstReadAt: { not: null } }, select: { id: true } } },
          })
        : null;
      const byType = (await tx.accessLog.groupBy({ by: ["accessType"], where: { emergencyGrantId: g.id }, _count: { _all: true } })).sort(
        (a, b) => b._count._all - a._count._all || a.accessType.localeCompare(b.accessType),
      );
      const rows = await readAccessRows(tx, { emergencyGrantId: g.id }, page);
      const { endsAt, state } = stateOf(g, now);
      const user = people.get(g.viewer_id)!;
      const detail: TReviewDetail = {
        id: g.id,
        basis: g.basis,
        disaster: g.disaster_id ? { id: g.disaster_id, name: g.disaster_name ?? "", skipsNotice: g.skip_notice ?? false } : null,
        reason: g.reason,
        reasonText: g.reason_text,
        consent: g.consent,
        consentConfirmedBy: g.consent_confirmed_by,
        startsAt: g.starts_at,
        plannedEndsAt: g.ends_at,
        endsAt,
        state,
        endedBy: g.ended_by_id ? (people.get(g.ended_by_id) ?? null) : null,
        windowFrom: g.window_from,
        viewer: user,
        viewerFacility,
        patient: { id: p.id, regionalId: p.regionalId, nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex as Sex, birth: birthOf(p.birthDate, now) },
        disclosingFacility,
        facilityPatientId: g.facility_patient_id,
        notice: notice && { messageId: notice.id, sentAt: notice.sentAt, recipients: notice._count.recipients, read: notice.recipients.length },
        review: {
          dueAt: g.review_due_at,
          isOverdue: g.reviewed_at === null && g.review_due_at.getTime() < now.getTime(),
          reviewedAt: g.reviewed_at,
          reviewedBy: g.reviewed_by_id ? (people.get(g.reviewed_by_id) ?? null) : null,
          outcome: g.review_outcome,
          note: g.review_note,
        },
        reads: { total: byType.reduce((n, t) => n + t._count._all, 0), byType: byType.map((t) => ({ type: t.accessType, count: t._count._all })), rows },
        canReview: network && g.reviewed_at === null,
        canEnd: network && state === "IN_FORCE",
      };
      return { value: detail, patientId: g.patient_id, detail: `emergency review grant ${g.id}${page > 1 ? ` page ${page}` : ""}` };
    },
    // an unknown grant names no facility: refused to a facility's admins like another facility's, "not found" to the secretariat
    { facilityId: owner?.viewerFacilityId, timeout: REPORT_TIMEOUT_MS, now },
  );
}

/* The month's report */

type TMonthRow = {
  vf_id: string;
  vf_code: string;
  vf_name: string;
  df_id: string | null;
  df_code: string | null;
  df_name: string | null;
  basis: EmergencyBasis;
  patient_id: string;
  reads: number;
  reviewed_at: Date | null;
  review_due_at: Date;
  review_outcome: EmergencyReviewOutcome | null;
};

/**
 * The month's report (Japan-time month of the grants' start): per viewing facility and per
 * disclosing facility, the grants by ground, the reads under them, the patients, and how many are
 * reviewed, pending or overdue (as at `now`), with the follow-ups and the inappropriate uses found.
 * The secretariat's: it covers the whole network.
 */
export async function getEmergencyMonthReport(viewer: TViewer, q: TReviewMonthQuery, now: Date = new Date(), what = "report"): Promise<TMonthReport> {
  const month = q.month ?? monthOf(now);
  const { from, to } = monthBounds(month);
  return readAudit(
    viewer,
    "emergency",
    async ({ tx }) => {
      const rows = await tx.$queryRaw<TMonthRow[]>`
        SELECT vf.id::text AS vf_id, vf.code AS vf_code, vf.name_kanji AS vf_name,
               df.id::text AS df_id, df.code AS df_code, df.name_kanji AS df_name,
               g.basis, g.patient_id::text, ${readsOf(Prisma.sql`g.id`)} AS reads, g.reviewed_at, g.review_due_at, g.review_outcome
          FROM emergency_grants g
          JOIN facilities vf ON vf.id = g.viewer_facility_id
          LEFT JOIN facilities df ON df.id = g.disclosing_facility_id
         WHERE g.starts_at >= ${from} AND g.starts_at < ${to}`;
      const grants: TReportGrant[] = rows.map((r) => ({
        viewerFacility: { id: r.vf_id, code: r.vf_code, name: r.vf_name },
        disclosingFacility: r.df_id ? { id: r.df_id, code: r.df_code!, name: r.df_name! } : null,
        basis: r.basis,
        patientId: r.patient_id,
        reads: r.reads,
        reviewedAt: r.reviewed_at,
        reviewDueAt: r.review_due_at,
        outcome: r.review_outcome,
      }));
      return { value: summarizeMonth(month, grants, now), detail: `emergency review ${what} ${month}` };
    },
    { timeout: REPORT_TIMEOUT_MS, now },
  );
}
