import "server-only";
import { Prisma } from "@/generated/prisma/client";
import { db, inTurn, type TTx } from "@/lib/db/client";
import { contentVisibleForLinksWhere, contentVisibleWhere, ownLinkWhere, patientVisibleWhere, sharedLinkWhere, type TResolvedLinks, type TViewerFacts } from "@/lib/access/visibility";
import { writeAccessLog, writeAccessLogs, type TAccessLogEntry } from "@/lib/audit/mutations";
import {
  admissionPeriods,
  bucketCounts,
  CALENDAR_CATEGORIES,
  calendarWindow,
  categoriesOfRow,
  dateOfDay,
  dayOf,
  facilityColors,
  filePeriodCounts,
  periodBars,
  windowEndingAt,
  ZOOM_COLUMNS,
  type TCalendarGrid,
  type TCalendarRowId,
  type TCalendarWindow,
  type TCalendarZoom,
  categoriesOfTab,
  RECORD_PAGE_SIZE,
  type TRecordSort,
  type TRecordTabId,
  type TDay,
  type TDayCount,
  type TPeriodBar,
} from "@/lib/clinical/calendar";
import type { TContentView } from "@/lib/clinical/dto";
import { todayInJapan } from "@/lib/dates";
import type { TViewer } from "@/lib/auth/viewer-type";
import { notFound } from "@/lib/errors";
import { readBytes } from "@/lib/files/store";
import { isInlineSafe } from "@/lib/files/upload-type";
import { isUuid, searchTerms } from "@/lib/text";
import { labItemsOf, type TLabFlag } from "@/lib/clinical/lab-items";

/** Contents the viewer may see (the one rule: 基本情報 scope for PATIENT_INFO, 診療情報 for the rest), withdrawn items excluded. */
export function visibleContentsWhere(viewer: TViewerFacts, now: Date = new Date()): Prisma.ClinicalContentWhereInput {
  return {
    isDeleted: false,
    OR: [
      { AND: [{ category: "PATIENT_INFO" }, contentVisibleWhere(viewer, "BASIC", now)] },
      { AND: [{ category: { not: "PATIENT_INFO" } }, contentVisibleWhere(viewer, "CLINICAL", now)] },
    ],
  };
}

export const viewSelect = {
  id: true,
  patientId: true,
  category: true,
  occurredAt: true,
  occurredDate: true,
  title: true,
  payload: true,
  ownerFacilityId: true,
  ownerFacility: { select: { nameKanji: true } },
} satisfies Prisma.ClinicalContentSelect;

type TViewRow = Prisma.ClinicalContentGetPayload<{ select: typeof viewSelect }>;

export const toView = ({ ownerFacility, patientId: _patientId, ...r }: TViewRow): TContentView => ({
  ...r,
  occurredDate: dayOf(r.occurredDate),
  ownerFacilityName: ownerFacility.nameKanji,
  files: filesOf(r.payload).map(({ id, fileName, contentType }) => ({ id, fileName, contentType })),
});

/**
 * Runs a read of one patient's records: the patient must be visible to the viewer (the rule's
 * canSeePatient), else the refusal is logged and the answer is "not found". The read and its log
 * rows share the transaction.
 */
export async function readPatientRecords<T>(viewer: TViewer, patientId: string, now: Date, what: string, read: (tx: TTx) => Promise<T>): Promise<T> {
  const result = await db().$transaction(async (tx) => {
    const visible = isUuid(patientId) ? await tx.patient.findFirst({ where: { id: patientId, ...patientVisibleWhere(viewer, now) }, select: { id: true } }) : null;
    if (!visible) {
      const exists = isUuid(patientId) ? await tx.patient.findUnique({ where: { id: patientId }, select: { id: true } }) : null;
      await writeAccessLog(tx, viewer, { accessType: "DENIED", patientId: exists?.id ?? null, detail: `${what} ${patientId.slice(0, 80)}` });
      return { denied: true as const };
    }
    return { denied: false as const, value: await read(tx) };
  });
  if (result.denied) throw notFound("patient");
  return result.value;
}

/** One log row per owner facility whose items a list or grid showed (the disclosing side's CSV finds its rows). */
export function perOwnerFacility(accessType: TAccessLogEntry["accessType"], patientId: string, ownerIds: Iterable<string>, detail: string): TAccessLogEntry[] {
  const owners = [...new Set(ownerIds)].sort();
  return owners.length === 0 ? [{ accessType, patientId, detail }] : owners.map((ownerFacilityId) => ({ accessType, patientId, ownerFacilityId, detail }));
}

type TPatientLinks = TResolvedLinks & { facilities: TCalendarFacility[] };

/**
 * The patient's links as the rule sorts them for the viewer (own; shared for 基本情報; shared for
 * 診療情報), and the facilities whose records the viewer may see, in facility-code order.
 */
export async function resolvePatientLinks(tx: TTx, viewer: TViewer, patientId: string, now: Date, opts: { basic?: boolean } = { basic: true }): Promise<TPatientLinks> {
  const select = { id: true, facilityId: true } as const;
  const own = await tx.facilityPatientLink.findMany({ where: { patientId, ...ownLinkWhere(viewer) }, select });
  const sharedClinical = await tx.facilityPatientLink.findMany({ where: { patientId, ...sharedLinkWhere(viewer, "CLINICAL", now) }, select });
  // 基本情報 links matter only to reads that include PATIENT_INFO items (the calendar's rows never do)
  const sharedBasic = opts.basic ? await tx.facilityPatientLink.findMany({ where: { patientId, ...sharedLinkWhere(viewer, "BASIC", now) }, select }) : [];
  const ids = [...own, ...sharedClinical].map((l) => l.facilityId);
  const sources = ids.length ? await tx.facility.findMany({ where: { id: { in: ids } }, select: { id: true, code: true, nameKanji: true }, orderBy: { code: "asc" } }) : [];
  const colors = facilityColors(sources.map((f) => f.id));
  return {
    own: own.map((l) => l.id),
    sharedClinical: sharedClinical.map((l) => l.id),
    sharedBasic: sharedBasic.map((l) => l.id),
    facilities: sources.map((f) => ({ id: f.id, name: f.nameKanji, color: colors[f.id]!, isOwn: f.id === viewer.facilityId })),
  };
}

/** visibleContentsWhere for one patient whose links are resolved (the same rule, as id lists). */
export function patientContentsWhere(links: TResolvedLinks): Prisma.ClinicalContentWhereInput {
  return {
    isDeleted: false,
    OR: [
      { AND: [{ category: "PATIENT_INFO" }, contentVisibleForLinksWhere(links, "BASIC")] },
      { AND: [{ category: { not: "PATIENT_INFO" } }, contentVisibleForLinksWhere(links, "CLINICAL")] },
    ],
  };
}

/** Items of categories that are never 基本情報: the 診療情報 half of patientContentsWhere alone. */
function clinicalContentsWhere(links: TResolvedLinks): Prisma.ClinicalContentWhereInput {
  return { isDeleted: false, ...contentVisibleForLinksWhere(links, "CLINICAL") };
}

export type TCalendarFacility = { id: string; name: string; color: string; isOwn: boolean };

export type TCalendarQuery = { zoom: TCalendarZoom; start?: TDay | null; days?: number; facilityId?: string | null; jump?: "today" | "first" | "last" | null };

export type TCalendarData = {
  window: TCalendarWindow;
  today: TDay;
  grid: TCalendarGrid;
  bars: TPeriodBar[];
  facilities: TCalendarFacility[];
  facilityId: string | null;
  firstDay: TDay | null;
  lastDay: TDay | null;
};

/**
 * The calendar of a patient for one window: per row and column, how many items (by facility),
 * and the inpatient periods as bars. Only what the rule lets through is counted; the view is
 * logged once per owner facility whose items it counted.
 */
export async function getCalendar(viewer: TViewer, patientId: string, q: TCalendarQuery, now: Date = new Date()): Promise<TCalendarData> {
  const today = dayOf(todayInJapan(now));
  return readPatientRecords(viewer, patientId, now, "calendar", async (tx) => {
    const links = await resolvePatientLinks(tx, viewer, patientId, now, { basic: false });
    const { facilities } = links;
    const facilityId = q.facilityId && facilities.some((f) => f.id === q.facilityId) ? q.facilityId : null;
    const base: Prisma.ClinicalContentWhereInput = {
      patientId,
      category: { in: CALENDAR_CATEGORIES },
      ...(facilityId ? { ownerFacilityId: facilityId } : {}),
      ...clinicalContentsWhere(links),
    };
    // two index-ordered LIMIT 1 reads: Prisma's aggregate() wraps the filter in a sub-select that
    // PostgreSQL must scan whole (measured: 70 ms against 1 ms at 100,000 items)
    const [first, last] = await inTurn([
      () => tx.clinicalContent.findFirst({ where: base, orderBy: { occurredDate: "asc" }, select: { occurredDate: true } }),
      () => tx.clinicalContent.findFirst({ where: base, orderBy: { occurredDate: "desc" }, select: { occurredDate: true } }),
    ]);
    const firstDay = first ? dayOf(first.occurredDate) : null;
    const lastDay = last ? dayOf(last.occurredDate) : null;
    const days = q.zoom === "day" ? q.days ?? ZOOM_COLUMNS.day : ZOOM_COLUMNS.day;
    const window =
      q.jump === "first" && firstDay
        ? calendarWindow(q.zoom, firstDay, days)
        : q.jump === "last" && lastDay
          ? windowEndingAt(q.zoom, lastDay, days)
          : q.start && q.jump !== "today"
            ? calendarWindow(q.zoom, q.start, days)
            : windowEndingAt(q.zoom, today, days);
    const [groups, admissions, filePeriods] = await inTurn([
      () => tx.clinicalContent.groupBy({
        by: ["occurredDate", "category", "ownerFacilityId", "authorQualification"],
        where: { ...base, occurredDate: { gte: dateOfDay(window.from), lte: dateOfDay(window.to) } },
        _count: { _all: true },
      }),
      () => tx.clinicalContent.findMany({ where: { ...base, category: "ADMISSION" }, select: { ownerFacilityId: true, occurredAt: true, payload: true } }),
      // files whose validity period (登録先期間) reaches into the window
      () => tx.clinicalContent.findMany({
        where: { ...base, category: "FILE", occurredDate: { lte: dateOfDay(window.to) }, periodEndDate: { gte: dateOfDay(window.from) } },
        select: { ownerFacilityId: true, occurredDate: true, periodEndDate: true },
        take: 1000,
      }),
    ]);
    const counts: TDayCount[] = [
      ...groups.map((g) => ({ day: dayOf(g.occurredDate), category: g.category, facilityId: g.ownerFacilityId, count: g._count._all, qualification: g.authorQualification })),
      ...filePeriodCounts(window, filePeriods.map((f) => ({ from: dayOf(f.occurredDate), to: dayOf(f.periodEndDate!), facilityId: f.ownerFacilityId }))),
    ];
    const bars = periodBars(window, admissionPeriods(admissions.map((a) => ({ facilityId: a.ownerFacilityId, occurredAt: a.occurredAt, payload: a.payload }))), today);
    const shownOwners = [...counts.map((c) => c.facilityId), ...bars.map((b) => b.facilityId)];
    await writeAccessLogs(
      tx,
      viewer,
      perOwnerFacility("CALENDAR_VIEW", patientId, shownOwners, `${window.zoom} ${window.from}..${window.to}${facilityId ? ` facility ${facilityId}` : ""}`),
    );
    return { window, today, grid: bucketCounts(window, counts), bars, facilities, facilityId, firstDay, lastDay };
  });
}

/** How many items one calendar cell may open at once (a busy ward day stays readable). */
export const CELL_LIMIT = 200;

/** The items behind one calendar cell (a row over a day, week or month), with their content; each is logged as viewed. */
export async function listCalendarCell(
  viewer: TViewer,
  patientId: string,
  cell: { rowId: TCalendarRowId; from: TDay; to: TDay; facilityId?: string | null },
  now: Date = new Date(),
): Promise<{ items: TContentView[]; total: number }> {
  return readPatientRecords(viewer, patientId, now, "calendar cell", async (tx) => {
    const where: Prisma.ClinicalContentWhereInput = {
      patientId,
      category: { in: categoriesOfRow(cell.rowId) },
      // dated in the cell, or a file whose validity period covers it
      occurredDate: { lte: dateOfDay(cell.to) },
      AND: [{ OR: [{ occurredDate: { gte: dateOfDay(cell.from) } }, { periodEndDate: { gte: dateOfDay(cell.from) } }] }],
      ...(cell.facilityId ? { ownerFacilityId: cell.facilityId } : {}),
      ...patientContentsWhere(await resolvePatientLinks(tx, viewer, patientId, now)),
    };
    const [rows, total] = await inTurn([
      () => tx.clinicalContent.findMany({ where, orderBy: [{ occurredAt: "asc" }, { id: "asc" }], take: CELL_LIMIT, select: viewSelect }),
      () => tx.clinicalContent.count({ where }),
    ]);
    await writeAccessLogs(
      tx,
      viewer,
      rows.map((r) => ({ accessType: "CONTENT_VIEW" as const, patientId, ownerFacilityId: r.ownerFacilityId, contentId: r.id, detail: `calendar ${cell.rowId} ${cell.from}..${cell.to}` })),
    );
    return { items: rows.map(toView), total };
  });
}

export type TRecordTabQuery = {
  tab: TRecordTabId;
  from?: TDay | null;
  to?: TDay | null;
  facilityId?: string | null;
  /** words in the title (drug, item, diagnosis names…) */
  q?: string | null;
  sort?: TRecordSort;
  dir?: "asc" | "desc";
  page?: number;
};

const RECORD_ORDER: Record<TRecordSort, (dir: "asc" | "desc") => Prisma.ClinicalContentOrderByWithRelationInput[]> = {
  date: (dir) => [{ occurredAt: dir }, { id: "asc" }],
  title: (dir) => [{ title: dir }, { occurredAt: "desc" }, { id: "asc" }],
  facility: (dir) => [{ ownerFacility: { code: dir } }, { occurredAt: "desc" }, { id: "asc" }],
  category: (dir) => [{ category: dir }, { occurredAt: "desc" }, { id: "asc" }],
};

/** A tab view (seed 004) over a date range: one page of items with their content, sorted and filtered; logged per owner facility. */
export async function listRecordTab(viewer: TViewer, patientId: string, q: TRecordTabQuery, now: Date = new Date()) {
  const page = Math.max(1, q.page ?? 1);
  return readPatientRecords(viewer, patientId, now, "records", async (tx) => {
    const links = await resolvePatientLinks(tx, viewer, patientId, now);
    const { facilities } = links;
    const words = searchTerms(q.q ?? "");
    const where: Prisma.ClinicalContentWhereInput = {
      patientId,
      category: { in: categoriesOfTab(q.tab) },
      ...(q.from || q.to ? { occurredDate: { ...(q.from ? { gte: dateOfDay(q.from) } : {}), ...(q.to ? { lte: dateOfDay(q.to) } : {}) } } : {}),
      ...(q.facilityId ? { ownerFacilityId: q.facilityId } : {}),
      ...(words.length ? { id: { in: await matchingContentIds(tx, patientId, categoriesOfTab(q.tab), words) } } : {}),
      ...patientContentsWhere(links),
    };
    const [rows, total] = await inTurn([
      () => tx.clinicalContent.findMany({
        where,
        orderBy: RECORD_ORDER[q.sort ?? "date"](q.dir ?? (q.sort && q.sort !== "date" ? "asc" : "desc")),
        skip: (page - 1) * RECORD_PAGE_SIZE,
        take: RECORD_PAGE_SIZE,
        select: viewSelect,
      }),
      () => tx.clinicalContent.count({ where }),
    ]);
    const detail = `${q.tab} ${q.from ?? ""}..${q.to ?? ""}${q.facilityId ? ` facility ${q.facilityId}` : ""}${words.length ? ` q ${words.join(" ")}` : ""} page ${page}`;
    await writeAccessLogs(tx, viewer, perOwnerFacility("TAB_VIEW", patientId, rows.map((r) => r.ownerFacilityId), detail));
    return { items: rows.map(toView), total, page, pageSize: RECORD_PAGE_SIZE, facilities };
  });
}

/**
 * A patient's items of some categories whose title or content mentions every word (a drug that is
 * not the first of a prescription, a lab item, a finding). Only ids: the rule is applied by the caller.
 */
async function matchingContentIds(tx: TTx, patientId: string, categories: string[], words: string[]): Promise<string[]> {
  const like = (w: string) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const conditions = words.map((w) => Prisma.sql`(title ILIKE ${like(w)} OR payload::text ILIKE ${like(w)})`);
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM clinical_contents
     WHERE patient_id = ${patientId}::uuid AND category::text IN (${Prisma.join(categories)}) AND NOT is_deleted AND ${Prisma.join(conditions, " AND ")}
     LIMIT 5000`;
  return rows.map((r) => r.id);
}

export type TTrendPoint = { day: TDay; value: number; text: string; flag: TLabFlag; facilityId: string; contentId: string };
export type TTrendSeries = { key: string; name: string; unit: string | null; low: number | null; high: number | null; points: TTrendPoint[] };
export type TLabCatalogItem = { key: string; name: string; unit: string | null; count: number; lastDay: TDay };
export type TLabTrend = { catalog: TLabCatalogItem[]; series: TTrendSeries[]; facilities: TCalendarFacility[] };

/**
 * Lab values over time across facilities: the catalog of items the patient has (for choosing),
 * and for the chosen items every numeric value with its date, facility and flag. Logged once per
 * owner facility whose results were read.
 */
export async function getLabTrend(viewer: TViewer, patientId: string, q: { keys: string[]; from?: TDay | null; to?: TDay | null }, now: Date = new Date()): Promise<TLabTrend> {
  const keys = new Set(q.keys.slice(0, 12));
  return readPatientRecords(viewer, patientId, now, "lab trend", async (tx) => {
    const links = await resolvePatientLinks(tx, viewer, patientId, now, { basic: false });
    const { facilities } = links;
    const rows = await tx.clinicalContent.findMany({
      where: {
        patientId,
        category: { in: ["LAB", "CHECKUP"] },
        ...(q.from || q.to ? { occurredDate: { ...(q.from ? { gte: dateOfDay(q.from) } : {}), ...(q.to ? { lte: dateOfDay(q.to) } : {}) } } : {}),
        ...clinicalContentsWhere(links),
      },
      orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      select: { id: true, occurredDate: true, ownerFacilityId: true, payload: true },
    });
    const catalog = new Map<string, TLabCatalogItem>();
    const series = new Map<string, TTrendSeries>();
    const readFrom = new Set<string>();
    for (const r of rows) {
      const day = dayOf(r.occurredDate);
      for (const item of labItemsOf(r.payload)) {
        const c = catalog.get(item.key) ?? { key: item.key, name: item.name, unit: item.unit, count: 0, lastDay: day };
        c.count += 1;
        c.lastDay = day;
        catalog.set(item.key, c);
        if (!keys.has(item.key) || item.numeric === null) continue;
        const s = series.get(item.key) ?? { key: item.key, name: item.name, unit: item.unit, low: item.low, high: item.high, points: [] };
        s.unit ??= item.unit;
        if (item.low !== null) s.low = item.low;
        if (item.high !== null) s.high = item.high;
        s.points.push({ day, value: item.numeric, text: item.value ?? String(item.numeric), flag: item.flag, facilityId: r.ownerFacilityId, contentId: r.id });
        series.set(item.key, s);
        readFrom.add(r.ownerFacilityId);
      }
    }
    const detail = `items ${[...keys].join(",").slice(0, 300)} ${q.from ?? ""}..${q.to ?? ""}`;
    await writeAccessLogs(tx, viewer, perOwnerFacility("LAB_TREND", patientId, readFrom.size ? readFrom : rows.map((r) => r.ownerFacilityId), detail));
    return {
      catalog: [...catalog.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, "ja")),
      series: [...keys].flatMap((k) => series.get(k) ?? []),
      facilities,
    };
  });
}

/** One content with its payload, through the rule; a refusal is "not found" and logged. With `patientId`, it must be that patient's. */
export async function getContent(viewer: TViewer, id: string, opts: { patientId?: string; now?: Date } = {}): Promise<TContentView> {
  const now = opts.now ?? new Date();
  const found = await db().$transaction(async (tx) => {
    const row = isUuid(id) && (opts.patientId === undefined || isUuid(opts.patientId))
      ? await tx.clinicalContent.findFirst({ where: { id, ...(opts.patientId ? { patientId: opts.patientId } : {}), ...visibleContentsWhere(viewer, now) }, select: viewSelect })
      : null;
    if (!row) {
      await writeAccessLog(tx, viewer, { accessType: "DENIED", patientId: opts.patientId && isUuid(opts.patientId) ? await existingPatientId(tx, opts.patientId) : null, contentId: id.slice(0, 64), detail: `content ${id.slice(0, 80)}` });
      return null;
    }
    await writeAccessLog(tx, viewer, { accessType: "CONTENT_VIEW", patientId: row.patientId, ownerFacilityId: row.ownerFacilityId, contentId: row.id });
    return row;
  });
  if (!found) throw notFound("content");
  return toView(found);
}

async function existingPatientId(tx: TTx, id: string): Promise<string | null> {
  return (await tx.patient.findUnique({ where: { id }, select: { id: true } }))?.id ?? null;
}

/** The files listed in a content's payload (images, PDFs). */
export function filesOf(payload: unknown): { id: string; fileName: string; contentType: string; size: number }[] {
  const files = (payload as { files?: unknown } | null)?.files;
  return Array.isArray(files) ? (files as { id: string; fileName: string; contentType: string; size: number }[]) : [];
}

/**
 * One file of a content (an image, a PDF): the content goes through the rule, and the file's
 * showing or download is logged (FILE_VIEW / FILE_DOWNLOAD) with the content and its owner.
 */
export async function getContentFile(viewer: TViewer, contentId: string, fileId: string, opts: { download?: boolean; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  const found = await db().$transaction(async (tx) => {
    const row = isUuid(contentId)
      ? await tx.clinicalContent.findFirst({ where: { id: contentId, ...visibleContentsWhere(viewer, now) }, select: { id: true, patientId: true, ownerFacilityId: true, payload: true } })
      : null;
    const listed = row ? filesOf(row.payload).find((f) => f.id === fileId) : undefined;
    const file = listed && isUuid(fileId) ? await tx.storedFile.findUnique({ where: { id: fileId } }) : null;
    if (!row || !file) {
      await writeAccessLog(tx, viewer, { accessType: "DENIED", patientId: row?.patientId ?? null, contentId: contentId.slice(0, 64), detail: `file ${fileId.slice(0, 80)}` });
      return null;
    }
    // only JPEG, PNG and PDF are ever shown by the browser; anything else is sent as a download
    const asDownload = Boolean(opts.download) || !isInlineSafe(file.contentType);
    await writeAccessLog(tx, viewer, {
      accessType: asDownload ? "FILE_DOWNLOAD" : "FILE_VIEW",
      patientId: row.patientId,
      ownerFacilityId: row.ownerFacilityId,
      contentId: row.id,
      detail: `${file.fileName} (${file.contentType})`,
    });
    return { file, asDownload };
  });
  if (!found) throw notFound("file");
  const { file, asDownload } = found;
  return { fileName: file.fileName, contentType: file.contentType, download: asDownload, bytes: await readBytes(file.storageKey, file.sha256) };
}
