import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { AccessType, EmergencyBasis, SignInEventKind } from "@/generated/prisma/enums";
import { db, inTurn, type TTx } from "@/lib/db/client";
import { canSeeAuditReports, isSecretariat } from "@/lib/access/roles";
import { readAudit, readPatient } from "@/lib/access/gateway";
import { IDENTITY_LIST_TYPES } from "@/lib/access/reads";
import {
  activityTable,
  AUDIT_PAGE_SIZE,
  bucketBounds,
  BURST_MIN_PATIENTS,
  BURST_WINDOW_MINUTES,
  dayStart,
  daysRange,
  DENIED_PER_DAY,
  findBursts,
  jstDayOf,
  kindsOf,
  monthDays,
  NEW_LINK_HOURS,
  NIGHT_END_HOUR,
  NIGHT_START_HOUR,
  rowsHref,
  secondsSpan,
  UNUSUAL_DEFAULT_DAYS,
  UNUSUAL_RULES,
  unusualDays,
  type TActivityCells,
  type TActivityCount,
  type TActivityDay,
  type TUnusualRule,
} from "@/lib/audit/reports/rules";
import type { TAccessRowsFilter, TActivityQuery, TPatientReportQuery, TSignInFilter, TUnusualQuery } from "@/lib/audit/reports/schema";
import { monthBounds, monthOf } from "@/lib/audit/schema";
import type { TViewer } from "@/lib/auth/viewer-type";
import { addDays, type TDay } from "@/lib/clinical/calendar";
import { ACCESS_TYPES } from "@/lib/enums";
import { notFound } from "@/lib/errors";
import { birthOf, type TPatientIdentity } from "@/lib/patients/dto";

/*
 * The secretariat's audit views (sign-in history, a facility's activity by day, unusual access,
 * the access-log rows behind them) and the patient-side report (who viewed one patient's data).
 * Reports that name patients are themselves logged, in the transaction of their reads.
 */

export type TPage<T> = { rows: T[]; total: number; page: number; pageSize: number };
export type TFacilityRef = { id: string; code: string; name: string };
export type TPersonRef = { id: string; loginId: string; name: string; facilityCode: string; facilityName: string };
export type TPatientRef = { id: string; regionalId: string; name: string };
/** The emergency grant a row was read under: its ground (and declaration), for the badge and the link to its review. */
export type TEmergencyRef = { grantId: string; basis: EmergencyBasis; disasterName: string | null };

/** Reports scan the partitioned log; they may take longer than Prisma's default 5 s transaction. */
const REPORT_TIMEOUT_MS = 60_000;

const paging = (page: number) => ({ skip: (page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE });

/** The network-wide views are the secretariat's; to anyone else they do not exist. */
function assertAuditor(viewer: TViewer): void {
  if (!canSeeAuditReports(viewer)) throw notFound("audit report");
}

async function facilityByCode(tx: TTx, code: string): Promise<TFacilityRef | null> {
  const f = await tx.facility.findUnique({ where: { code }, select: { id: true, code: true, nameKanji: true } });
  return f && { id: f.id, code: f.code, name: f.nameKanji };
}

const present = (ids: (string | null | undefined)[]) => [...new Set(ids.filter((x): x is string => !!x))];

async function facilitiesOf(tx: TTx, ids: (string | null)[]): Promise<Map<string, TFacilityRef>> {
  const rows = await tx.facility.findMany({ where: { id: { in: present(ids) } }, select: { id: true, code: true, nameKanji: true } });
  return new Map(rows.map((f) => [f.id, { id: f.id, code: f.code, name: f.nameKanji }]));
}

async function peopleOf(tx: TTx, ids: (string | null)[]): Promise<Map<string, TPersonRef>> {
  const rows = await tx.staffUser.findMany({
    where: { id: { in: present(ids) } },
    select: { id: true, loginId: true, nameKanji: true, facility: { select: { code: true, nameKanji: true } } },
  });
  return new Map(rows.map((u) => [u.id, { id: u.id, loginId: u.loginId, name: u.nameKanji, facilityCode: u.facility.code, facilityName: u.facility.nameKanji }]));
}

async function patientsOf(tx: TTx, ids: (string | null)[]): Promise<Map<string, TPatientRef>> {
  const rows = await tx.patient.findMany({ where: { id: { in: present(ids) } }, select: { id: true, regionalId: true, nameKanji: true } });
  return new Map(rows.map((p) => [p.id, { id: p.id, regionalId: p.regionalId, name: p.nameKanji }]));
}

/** The grounds of these emergency grants (and their declarations' names). */
async function grantsOf(tx: TTx, ids: (string | null)[]): Promise<Map<string, TEmergencyRef>> {
  const wanted = present(ids);
  if (wanted.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ id: string; basis: EmergencyBasis; disaster_name: string | null }[]>`
    SELECT g.id::text, g.basis, d.name AS disaster_name
      FROM emergency_grants g LEFT JOIN disaster_declarations d ON d.id = g.disaster_id
     WHERE g.id = ANY (${wanted}::uuid[])`;
  return new Map(rows.map((g) => [g.id, { grantId: g.id, basis: g.basis, disasterName: g.disaster_name }]));
}

/* サインイン履歴 */

export type TSignInRow = {
  id: string;
  at: Date;
  kind: SignInEventKind;
  /** as typed, even when it matches no user */
  loginId: string;
  userName: string | null;
  facilityCode: string | null;
  facilityName: string | null;
  ip: string | null;
  certSerial: string | null;
  detail: string | null;
};

function signInWhere(f: TSignInFilter): Prisma.SignInEventWhereInput {
  const kinds = kindsOf(f.kind);
  return {
    ...(f.facility ? { facility: { is: { code: f.facility } } } : {}),
    ...(f.login ? { loginId: { contains: f.login, mode: "insensitive" } } : {}),
    ...(kinds ? { kind: { in: kinds } } : {}),
    ...(f.from || f.to ? { at: { ...(f.from ? { gte: dayStart(f.from) } : {}), ...(f.to ? { lt: dayStart(addDays(f.to, 1)) } : {}) } } : {}),
  };
}

/** Sign-ins, failures, locks, password changes and sign-outs, newest first. */
export async function listSignInEvents(viewer: TViewer, f: TSignInFilter): Promise<TPage<TSignInRow>> {
  assertAuditor(viewer);
  const where = signInWhere(f);
  const [total, rows] = await db().$transaction([
    db().signInEvent.count({ where }),
    db().signInEvent.findMany({
      where,
      orderBy: [{ at: "desc" }, { id: "asc" }],
      ...paging(f.page),
      select: {
        id: true,
        at: true,
        kind: true,
        loginId: true,
        ip: true,
        certSerial: true,
        detail: true,
        user: { select: { nameKanji: true } },
        facility: { select: { code: true, nameKanji: true } },
      },
    }),
  ]);
  return {
    rows: rows.map(({ user, facility, ...r }) => ({ ...r, userName: user?.nameKanji ?? null, facilityCode: facility?.code ?? null, facilityName: facility?.nameKanji ?? null })),
    total,
    page: f.page,
    pageSize: AUDIT_PAGE_SIZE,
  };
}

/* 施設別・日別の閲覧状況 */

export type TFacilityActivity = { facility: TFacilityRef | null; month: string; days: TActivityDay[]; types: AccessType[]; total: TActivityCells };

/** Counts per Japan-time day and access type (with the days', the types' and the month's totals) of one facility's staff. */
function activityCounts(tx: TTx, facilityId: string, from: Date, to: Date) {
  return tx.$queryRaw<TActivityCount[]>`
    SELECT s.day, s.type, count(*)::int AS rows, count(DISTINCT s.user_id)::int AS users, count(DISTINCT s.patient_id)::int AS patients
    FROM (
      SELECT to_char(at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS day, access_type::text AS type, user_id, patient_id
      FROM access_logs
      WHERE facility_id = ${facilityId}::uuid AND at >= ${from}::timestamptz AND at < ${to}::timestamptz
    ) s
    GROUP BY GROUPING SETS ((s.day, s.type), (s.day), (s.type), ())`;
}

/** A facility's reads in a month (Japan time), one row per day. */
export async function getFacilityActivity(viewer: TViewer, q: TActivityQuery, now: Date = new Date()): Promise<TFacilityActivity> {
  assertAuditor(viewer);
  const month = q.month ?? monthOf(now);
  const facility = q.facility ? await facilityByCode(db(), q.facility) : null;
  const { from, to } = monthBounds(month);
  const counts = facility ? await activityCounts(db(), facility.id, from, to) : [];
  return { facility, month, ...activityTable(monthDays(month), counts, ACCESS_TYPES) };
}

/* 不審なアクセス */

export type TFinding = {
  rule: TUnusualRule;
  user: TPersonRef | null;
  patient: TPatientRef | null;
  first: Date;
  last: Date;
  rows: number;
  patients: number;
  /** NEW_LINK: when the viewer's facility linked the patient */
  linkedAt: Date | null;
  /** EMERGENCY: the grants the rows were read under (a row marked emergency without one, an EMS lookup, names none) */
  grants: TEmergencyRef[];
  /** the rows page with the rows behind the finding */
  href: string;
};

export type TUnusualReport = { from: TDay; to: TDay; findings: TFinding[] };

type TRawFinding = Omit<TFinding, "user" | "patient" | "href" | "grants"> & { userId: string; patientId: string | null; grantIds?: string[] | null };
type TRange = { from: Date; to: Date };

/**
 * Users whose reads hold BURST_MIN_PATIENTS distinct patients inside two adjacent window-long
 * buckets (see bucketBounds). Patients a list merely named (a search page, bookmarks) are not
 * patients opened.
 */
function burstCandidates(tx: TTx, range: TRange) {
  const seconds = BURST_WINDOW_MINUTES * 60;
  return tx.$queryRaw<{ userId: string; bucket: number }[]>`
    WITH reads AS (
      SELECT user_id, patient_id, floor(extract(epoch FROM at) / ${seconds}::int)::int AS bucket
      FROM access_logs
      WHERE at >= ${range.from}::timestamptz AND at < ${range.to}::timestamptz AND patient_id IS NOT NULL AND access_type <> 'DENIED'
        AND access_type::text <> ALL (${IDENTITY_LIST_TYPES}::text[])
    )
    SELECT user_id AS "userId", bucket
    FROM (SELECT user_id, bucket, patient_id FROM reads UNION SELECT user_id, bucket - 1, patient_id FROM reads) spans
    GROUP BY user_id, bucket
    HAVING count(DISTINCT patient_id) >= ${BURST_MIN_PATIENTS}::int`;
}

/** A row that opened the patient's data (not a refusal, not a list naming the patient). */
const isOpening = (type: AccessType) => type !== "DENIED" && !IDENTITY_LIST_TYPES.includes(type);

async function burstFindings(tx: TTx, range: TRange): Promise<TRawFinding[]> {
  const byUser = new Map<string, number[]>();
  for (const c of await burstCandidates(tx, range)) byUser.set(c.userId, [...(byUser.get(c.userId) ?? []), c.bucket]);
  const found: TRawFinding[] = [];
  for (const [userId, buckets] of byUser) {
    const bounds = bucketBounds(buckets);
    const rows = await tx.accessLog.findMany({
      where: { userId, at: { gte: new Date(Math.max(bounds.from.getTime(), range.from.getTime())), lt: new Date(Math.min(bounds.to.getTime(), range.to.getTime())) } },
      select: { userId: true, patientId: true, accessType: true, at: true },
    });
    const bursts = findBursts(rows.map((r) => ({ userId: r.userId, patientId: isOpening(r.accessType) ? r.patientId : null, at: r.at })));
    found.push(...bursts.map((b) => ({ rule: "BURST" as const, userId, patientId: null, first: b.first, last: b.last, rows: b.rows, patients: b.patients, linkedAt: null })));
  }
  return found;
}

/**
 * EMS/disaster reads (per user, patient and day), nights in which a user read patient data (all
 * their rows of that night) and days with repeated refusals (per user), from one scan of the
 * range's rows. Each finding counts exactly the rows its link shows.
 */
function flaggedFindings(tx: TTx, range: TRange) {
  return tx.$queryRaw<TRawFinding[]>`
    WITH flagged AS MATERIALIZED (
      SELECT user_id, patient_id, at, access_type, is_emergency, emergency_grant_id, at AT TIME ZONE 'Asia/Tokyo' AS local
      FROM access_logs
      WHERE at >= ${range.from}::timestamptz AND at < ${range.to}::timestamptz
        AND (is_emergency OR access_type = 'DENIED'
          OR extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') >= ${NIGHT_START_HOUR}::int OR extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') < ${NIGHT_END_HOUR}::int)
    )
    SELECT 'EMERGENCY' AS rule, user_id AS "userId", patient_id AS "patientId", min(at) AS first, max(at) AS last,
           count(*)::int AS rows, count(DISTINCT patient_id)::int AS patients, NULL::timestamptz AS "linkedAt",
           array_agg(DISTINCT emergency_grant_id::text) FILTER (WHERE emergency_grant_id IS NOT NULL) AS "grantIds"
      FROM flagged WHERE is_emergency GROUP BY user_id, patient_id, local::date
    UNION ALL
    SELECT 'NIGHT', user_id, NULL::uuid, min(at), max(at), count(*)::int, count(DISTINCT patient_id)::int, NULL::timestamptz, NULL::text[]
      FROM flagged
     WHERE extract(hour FROM local) >= ${NIGHT_START_HOUR}::int OR extract(hour FROM local) < ${NIGHT_END_HOUR}::int
     GROUP BY user_id, (local - make_interval(hours => ${NIGHT_END_HOUR}::int))::date
    HAVING count(*) FILTER (WHERE patient_id IS NOT NULL AND access_type <> 'DENIED') > 0
    UNION ALL
    SELECT 'DENIED', user_id, NULL::uuid, min(at), max(at), count(*)::int, count(DISTINCT patient_id)::int, NULL::timestamptz, NULL::text[]
      FROM flagged WHERE access_type = 'DENIED' GROUP BY user_id, local::date HAVING count(*) >= ${DENIED_PER_DAY}::int`;
}

/**
 * Reads of a patient (refusals included) by a facility's staff within NEW_LINK_HOURS of that
 * facility's link, driven by the links made then (so the log is read through its patient index).
 */
function newLinkFindings(tx: TTx, range: TRange) {
  return tx.$queryRaw<TRawFinding[]>`
    SELECT 'NEW_LINK' AS rule, a.user_id AS "userId", a.patient_id AS "patientId", min(a.at) AS first, max(a.at) AS last,
           count(*)::int AS rows, 1 AS patients, l.linked_at AS "linkedAt"
    FROM facility_patient_links l
    JOIN access_logs a ON a.patient_id = l.patient_id AND a.facility_id = l.facility_id
     AND a.at >= l.linked_at AND a.at < l.linked_at + make_interval(hours => ${NEW_LINK_HOURS}::int)
     AND a.at >= ${range.from}::timestamptz AND a.at < ${range.to}::timestamptz
    WHERE l.linked_at >= ${range.from}::timestamptz - make_interval(hours => ${NEW_LINK_HOURS}::int) AND l.linked_at < ${range.to}::timestamptz
    GROUP BY a.user_id, a.patient_id, l.id, l.linked_at`;
}

function findingHref(f: TRawFinding, user: TPersonRef | undefined, patient: TPatientRef | undefined): string {
  const base = { user: user?.loginId, ...secondsSpan(f.first, f.last) };
  if (f.rule === "EMERGENCY") return rowsHref({ ...base, patient: patient?.regionalId, emergency: true });
  if (f.rule === "NEW_LINK") return rowsHref({ ...base, patient: patient?.regionalId });
  if (f.rule === "DENIED") return rowsHref({ ...base, type: "DENIED" });
  return rowsHref(base);
}

async function toFindings(tx: TTx, raw: TRawFinding[]): Promise<TFinding[]> {
  const [people, patients, grants] = await inTurn([
    () => peopleOf(tx, raw.map((f) => f.userId)),
    () => patientsOf(tx, raw.map((f) => f.patientId)),
    () => grantsOf(tx, raw.flatMap((f) => f.grantIds ?? [])),
  ]);
  const order = (f: TRawFinding) => UNUSUAL_RULES.indexOf(f.rule);
  return [...raw]
    .sort((a, b) => order(a) - order(b) || a.first.getTime() - b.first.getTime() || a.userId.localeCompare(b.userId))
    .map(({ userId, patientId, grantIds, ...f }) => {
      const user = people.get(userId);
      const patient = patientId ? patients.get(patientId) : undefined;
      const named = [...(grantIds ?? [])].sort().flatMap((id) => grants.get(id) ?? []);
      return { ...f, user: user ?? null, patient: patient ?? null, grants: named, href: findingHref({ userId, patientId, ...f }, user, patient) };
    });
}

/** 不審なアクセス over Japan-time days (default: the last UNUSUAL_DEFAULT_DAYS days), by rule, then time. */
export async function findUnusualAccess(viewer: TViewer, q: TUnusualQuery, now: Date = new Date()): Promise<TUnusualReport> {
  const days = unusualDays(q, now);
  const range = daysRange(days.from, days.to);
  return readAudit(
    viewer,
    "unusual",
    async ({ tx }) => {
      const raw = [...(await burstFindings(tx, range)), ...(await flaggedFindings(tx, range)), ...(await newLinkFindings(tx, range))];
      return { value: { ...days, findings: await toFindings(tx, raw) }, detail: `access report unusual ${days.from}..${days.to}` };
    },
    { timeout: REPORT_TIMEOUT_MS },
  );
}

/* アクセスログの行 */

export type TAccessRow = {
  id: string;
  at: Date;
  accessType: AccessType;
  user: TPersonRef | null;
  facility: TFacilityRef | null;
  patient: TPatientRef | null;
  owner: TFacilityRef | null;
  contentId: string | null;
  detail: string | null;
  certSerial: string | null;
  requestId: string | null;
  isEmergency: boolean;
  /** the grant it was read under, if any */
  emergency: TEmergencyRef | null;
};

const rowSelect = {
  id: true,
  at: true,
  userId: true,
  facilityId: true,
  accessType: true,
  patientId: true,
  ownerFacilityId: true,
  contentId: true,
  detail: true,
  certSerial: true,
  requestId: true,
  isEmergency: true,
  emergencyGrantId: true,
} satisfies Prisma.AccessLogSelect;

/**
 * One page of access-log rows, newest first, with the names behind the ids. Only for audit views
 * that already passed the gateway (readAudit, readPatient): the caller's transaction is theirs.
 */
export async function readAccessRows(tx: TTx, where: Prisma.AccessLogWhereInput, page: number): Promise<TPage<TAccessRow>> {
  const total = await tx.accessLog.count({ where });
  const rows = await tx.accessLog.findMany({ where, orderBy: [{ at: "desc" }, { id: "asc" }], ...paging(page), select: rowSelect });
  const [people, facilities, patients, grants] = await inTurn([
    () => peopleOf(tx, rows.map((r) => r.userId)),
    () => facilitiesOf(tx, rows.flatMap((r) => [r.facilityId, r.ownerFacilityId])),
    () => patientsOf(tx, rows.map((r) => r.patientId)),
    () => grantsOf(tx, rows.map((r) => r.emergencyGrantId)),
  ]);
  const named = rows.map(({ userId, facilityId, patientId, ownerFacilityId, emergencyGrantId, ...r }) => ({
    ...r,
    user: people.get(userId) ?? null,
    facility: facilities.get(facilityId) ?? null,
    patient: patientId ? (patients.get(patientId) ?? null) : null,
    owner: ownerFacilityId ? (facilities.get(ownerFacilityId) ?? null) : null,
    emergency: emergencyGrantId ? (grants.get(emergencyGrantId) ?? null) : null,
  }));
  return { rows: named, total, page, pageSize: AUDIT_PAGE_SIZE };
}

export type TRowsFilterKey = "facility" | "user" | "patient";
export type TAccessRows = TPage<TAccessRow> & { from: Date; to: Date | null; unmatched: TRowsFilterKey[] };

/** The filter's facility code, login ID and regional ID as ids; those that name nothing are listed. */
async function resolveRowsFilter(tx: TTx, f: TAccessRowsFilter) {
  const [facility, user, patient] = await inTurn([
    () => f.facility ? tx.facility.findUnique({ where: { code: f.facility }, select: { id: true } }) : null,
    () => f.user ? tx.staffUser.findUnique({ where: { loginId: f.user }, select: { id: true } }) : null,
    () => f.patient ? tx.patient.findUnique({ where: { regionalId: f.patient }, select: { id: true } }) : null,
  ]);
  const unmatched = (
    [
      ["facility", f.facility, facility],
      ["user", f.user, user],
      ["patient", f.patient, patient],
    ] as const
  ).flatMap(([key, asked, found]) => (asked && !found ? [key] : []));
  return { facilityId: facility?.id, userId: user?.id, patientId: patient?.id, unmatched };
}

const describeRowsFilter = (f: TAccessRowsFilter, from: Date) =>
  JSON.stringify({ facility: f.facility, user: f.user, patient: f.patient, type: f.type, from: from.toISOString(), to: f.to?.toISOString(), emergency: f.emergency || undefined, page: f.page });

const emptyPage = (page: number): TPage<TAccessRow> => ({ rows: [], total: 0, page, pageSize: AUDIT_PAGE_SIZE });

/**
 * Access-log rows for a filter, newest first, with the names behind the ids. Without `from`, the
 * last UNUSUAL_DEFAULT_DAYS days (a range on `at` keeps the scan to a partition or two).
 */
export async function listAccessRows(viewer: TViewer, f: TAccessRowsFilter, now: Date = new Date()): Promise<TAccessRows> {
  const from = f.from ?? dayStart(addDays(jstDayOf(now), -(UNUSUAL_DEFAULT_DAYS - 1)));
  const to = f.to ?? null;
  return readAudit(
    viewer,
    "rows",
    async ({ tx }) => {
      const ids = await resolveRowsFilter(tx, f);
      const where: Prisma.AccessLogWhereInput = {
        at: { gte: from, ...(to ? { lt: to } : {}) },
        ...(ids.facilityId ? { facilityId: ids.facilityId } : {}),
        ...(ids.userId ? { userId: ids.userId } : {}),
        ...(ids.patientId ? { patientId: ids.patientId } : {}),
        ...(f.type ? { accessType: f.type } : {}),
        ...(f.emergency ? { isEmergency: true } : {}),
      };
      const page = ids.unmatched.length > 0 ? emptyPage(f.page) : await readAccessRows(tx, where, f.page);
      return { value: { ...page, from, to, unmatched: ids.unmatched }, patientId: ids.patientId ?? null, detail: `access report rows ${describeRowsFilter(f, from)}` };
    },
    { timeout: REPORT_TIMEOUT_MS },
  );
}

/* 患者別の閲覧履歴 (seed 004: 診療情報を開示・閲覧している参加施設の確認) */

/** `emergency`: the facility's reads of the patient under an emergency grant (EMS, core hospital, disaster), of `views`. */
export type TPatientAccessFacility = { facility: TFacilityRef | null; first: Date; last: Date; views: number; emergency: number; denied: number; people: number };
export type TPatientAccessReport = { patient: TPatientIdentity; facilities: TPatientAccessFacility[]; rows: TPage<TAccessRow> };

const identitySelect = { id: true, regionalId: true, nameKanji: true, nameKana: true, sex: true, birthDate: true } satisfies Prisma.PatientSelect;

/** The id of the patient the query names (by regional ID, or by a facility's patient ID: a facility admin's own facility); the gateway then decides. */
async function findReportPatientId(tx: TTx, viewer: TViewer, q: TPatientReportQuery): Promise<string | null> {
  if (q.regionalId) return (await tx.patient.findUnique({ where: { regionalId: q.regionalId }, select: { id: true } }))?.id ?? null;
  if (!q.facilityPatientId) return null;
  const facility = isSecretariat(viewer) ? (q.facility ? await facilityByCode(tx, q.facility) : null) : { id: viewer.facilityId };
  if (!facility) return null;
  const link = await tx.facilityPatientLink.findFirst({
    where: { facilityId: facility.id, facilityPatientId: q.facilityPatientId, unlinkedAt: null },
    select: { patientId: true },
  });
  return link?.patientId ?? null;
}

async function facilitySummary(tx: TTx, patientId: string): Promise<TPatientAccessFacility[]> {
  const rows = await tx.$queryRaw<(Omit<TPatientAccessFacility, "facility"> & { facilityId: string })[]>`
    SELECT facility_id AS "facilityId", min(at) AS first, max(at) AS last,
           (count(*) FILTER (WHERE access_type <> 'DENIED'))::int AS views,
           (count(*) FILTER (WHERE access_type <> 'DENIED' AND is_emergency))::int AS emergency,
           (count(*) FILTER (WHERE access_type = 'DENIED'))::int AS denied,
           count(DISTINCT user_id)::int AS people
    FROM access_logs WHERE patient_id = ${patientId}::uuid
    GROUP BY facility_id ORDER BY max(at) DESC`;
  const facilities = await facilitiesOf(tx, rows.map((r) => r.facilityId));
  return rows.map(({ facilityId, ...r }) => ({ ...r, facility: facilities.get(facilityId) ?? null }));
}

const describeReportKey = (q: TPatientReportQuery) =>
  q.regionalId ? `regional ${q.regionalId}` : `facility ${q.facility ?? ""} patient ${q.facilityPatientId ?? ""}`;

/**
 * Who viewed one patient's data, when and what: a summary per viewing facility and every row,
 * newest first. Logged as PATIENT_ADMIN_VIEW "access report"; a patient the viewer may not
 * report on is "not found", and the refusal is logged.
 */
export async function getPatientAccessReport(viewer: TViewer, q: TPatientReportQuery, now: Date = new Date()): Promise<TPatientAccessReport> {
  const patientId = await findReportPatientId(db(), viewer, q);
  return readPatient(
    viewer,
    "accessReport",
    patientId ?? "",
    async ({ tx }) => {
      const p = await tx.patient.findUniqueOrThrow({ where: { id: patientId! }, select: identitySelect });
      const facilities = await facilitySummary(tx, p.id);
      const rows = await readAccessRows(tx, { patientId: p.id }, q.page);
      const patient = { id: p.id, regionalId: p.regionalId, nameKanji: p.nameKanji, nameKana: p.nameKana, sex: p.sex, birth: birthOf(p.birthDate, now) };
      return { value: { patient, facilities, rows }, detail: "access report" };
    },
    { now, timeout: REPORT_TIMEOUT_MS, asked: describeReportKey(q) },
  );
}
