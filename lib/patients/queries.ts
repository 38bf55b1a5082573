import "server-only";
import type { Prisma } from "@/generated/prisma/client";
import { db, inTurn, type TTx } from "@/lib/db/client";
import {
  canAdministerPatient,
  consentInForceWhere,
  mayReadRecords,
  mayRegisterPatients,
  patientAdministrableWhere,
  patientVisibleWhere,
  VIEWING_STATES,
} from "@/lib/access/visibility";
import { assertAllowed, canPublish, canSeeOwnPatientList, canUnlink, isSecretariat } from "@/lib/access/roles";
import { writeAccessLog } from "@/lib/audit/mutations";
import type { TViewer } from "@/lib/auth/viewer-type";
import { formatSeireki } from "@/lib/dates";
import { notFound } from "@/lib/errors";
import {
  birthOf,
  type TDuplicate,
  type TLinkRow,
  type TOwnPatientRow,
  type TPatientHeader,
  type TPatientIdentity,
  type TPatientPage,
  type TPatientRevisionRow,
  type TPatientSearchRow,
  type TRegistrationSearchRow,
  type TSearchResult,
} from "@/lib/patients/dto";
import { PATIENT_PAGE_SIZE, type TDuplicateCheck, type TOwnPatientFilter, type TPatientSearch } from "@/lib/patients/schema";
import { isKanaTerm, isUuid, kanaKey, searchTerms } from "@/lib/text";

/**
 * Counting stops here: "200件以上" tells a person to narrow the search, and every counted row
 * costs the visibility rule's lookups (docs/benchmarks.md).
 */
const COUNT_CAP = 200;

const identitySelect = { id: true, regionalId: true, nameKanji: true, nameKana: true, sex: true, birthDate: true } satisfies Prisma.PatientSelect;
const toIdentity = (p: Prisma.PatientGetPayload<{ select: typeof identitySelect }>, now: Date): TPatientIdentity => ({
  id: p.id,
  regionalId: p.regionalId,
  nameKanji: p.nameKanji,
  nameKana: p.nameKana,
  sex: p.sex,
  birth: birthOf(p.birthDate, now),
});

/** One name term: kana use the kana indexes (family or given name prefix), anything else the kanji name. */
function nameTermWhere(term: string): Prisma.PatientWhereInput {
  if (isKanaTerm(term)) {
    const key = kanaKey(term);
    return { OR: [{ kanaKey: { startsWith: key } }, { kanaGivenKey: { startsWith: key } }] };
  }
  return { nameKanji: { contains: term } };
}

type TPart = { where: Prisma.PatientWhereInput; orderBy: Prisma.PatientOrderByWithRelationInput[] };

const BY_KANA: Prisma.PatientOrderByWithRelationInput[] = [{ kanaKey: "asc" }, { birthDate: "asc" }, { id: "asc" }];
const BY_GIVEN_KANA: Prisma.PatientOrderByWithRelationInput[] = [{ kanaGivenKey: "asc" }, ...BY_KANA];

/**
 * The search criteria of 地域患者一覧 / 個人情報検索 as one or two ordered lists. A kana name is
 * matched as a prefix of the whole kana name first ("ヤマダ", "やまだ はなこ") and then of the given
 * name ("ハナコ"; or "やま はな": family prefix, then given prefix); each list is read in the order
 * of its own index (kana_key or kana_given_key, collation "C"), so a page never sorts all matches.
 */
export function searchParts(viewer: TViewer, f: Partial<TPatientSearch>): TPart[] {
  const base: Prisma.PatientWhereInput[] = [];
  if (f.regionalId) base.push({ regionalId: f.regionalId });
  if (f.facilityPatientId) {
    // 施設患者ID is a number at one facility: the one chosen, else the viewer's own.
    base.push({ links: { some: { facilityId: f.facilityId ?? viewer.facilityId, facilityPatientId: f.facilityPatientId, unlinkedAt: null } } });
  }
  if (f.birthDate) base.push({ birthDate: f.birthDate });
  if (f.sex) base.push({ sex: f.sex });

  const terms = searchTerms(f.name);
  const kana = terms.filter(isKanaTerm).map(kanaKey);
  const kanji = terms.filter((t) => !isKanaTerm(t)).map((t): Prisma.PatientWhereInput => ({ nameKanji: { contains: t } }));
  if (kana.length === 0) return [{ where: { AND: [...base, ...kanji] }, orderBy: BY_KANA }];
  const whole = kana.join("");
  const [first = "", ...rest] = kana;
  const wholePrefix: Prisma.PatientWhereInput = { kanaKey: { startsWith: whole } };
  const secondList: TPart =
    kana.length === 1
      ? { where: { AND: [...base, ...kanji, { kanaGivenKey: { startsWith: first } }, { NOT: wholePrefix }] }, orderBy: BY_GIVEN_KANA }
      : { where: { AND: [...base, ...kanji, { kanaKey: { startsWith: first } }, { kanaGivenKey: { startsWith: rest.join("") } }, { NOT: wholePrefix }] }, orderBy: BY_KANA };
  return [{ where: { AND: [...base, ...kanji, wholePrefix] }, orderBy: BY_KANA }, secondList];
}

const describeSearch = (f: Partial<TPatientSearch>) =>
  JSON.stringify({
    regionalId: f.regionalId,
    facilityId: f.facilityId,
    facilityPatientId: f.facilityPatientId,
    name: f.name,
    birthDate: f.birthDate ? formatSeireki(f.birthDate) : undefined,
    sex: f.sex,
    page: f.page,
  });

/**
 * One page over the ordered lists: each list is counted (up to the cap, in its index order, so
 * the count stops early) and the page is filled from the first list, then the next.
 */
async function pageOf<TRow>(
  tx: TTx,
  parts: TPart[],
  restrict: Prisma.PatientWhereInput | null,
  page: number,
  select: Prisma.PatientSelect,
  map: (row: never) => TRow,
): Promise<TSearchResult<TRow>> {
  let skip = (page - 1) * PATIENT_PAGE_SIZE;
  let counted = 0;
  const rows: TRow[] = [];
  for (const part of parts) {
    if (counted > COUNT_CAP) break;
    const where = restrict ? { AND: [restrict, part.where] } : part.where;
    const n = await tx.patient.count({ where, orderBy: part.orderBy, take: COUNT_CAP + 1 - counted });
    if (rows.length < PATIENT_PAGE_SIZE && skip < n) {
      const found = await tx.patient.findMany({ where, orderBy: part.orderBy, skip, take: PATIENT_PAGE_SIZE - rows.length, select });
      rows.push(...found.map((r) => map(r as never)));
    }
    skip = Math.max(0, skip - n);
    counted += n;
  }
  return { rows, total: Math.min(counted, COUNT_CAP), isTotalCapped: counted > COUNT_CAP, page, pageSize: PATIENT_PAGE_SIZE };
}

/**
 * 地域患者一覧: patients the viewer's facility may see (linked and consented), with the columns of
 * seed 004. The search itself is logged.
 */
export async function searchPatients(viewer: TViewer, f: Partial<TPatientSearch>, now: Date = new Date()): Promise<TSearchResult<TPatientSearchRow>> {
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  const parts = searchParts(viewer, f);
  const select = {
    ...identitySelect,
    postalCode: true,
    address: true,
    links: { where: { facilityId: viewer.facilityId, unlinkedAt: null }, select: { facilityPatientId: true } },
  } satisfies Prisma.PatientSelect;
  return db().$transaction(async (tx) => {
    const result = await pageOf(tx, parts, patientVisibleWhere(viewer, now), page, select, (p: Prisma.PatientGetPayload<{ select: typeof select }>) => ({
      ...toIdentity(p, now),
      facilityPatientId: p.links[0]?.facilityPatientId ?? null,
      postalCode: p.postalCode,
      address: p.address,
    }));
    await writeAccessLog(tx, viewer, { accessType: "PATIENT_SEARCH", detail: `${describeSearch(f)} → ${result.total}` });
    return result;
  });
}

/**
 * 個人情報検索 for registration (liaison staff, the secretariat): any registered patient, but only
 * the identifying fields needed to avoid registering someone twice. Logged.
 */
export async function searchForRegistration(viewer: TViewer, f: Partial<TPatientSearch>, now: Date = new Date()): Promise<TSearchResult<TRegistrationSearchRow>> {
  assertAllowed(mayRegisterPatients(viewer.roles), "search patients for registration");
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  const parts = searchParts(viewer, f);
  const select = {
    ...identitySelect,
    createdByFacilityId: true,
    links: { where: { facilityId: viewer.facilityId, unlinkedAt: null }, select: { facilityPatientId: true, facilityId: true } },
  } satisfies Prisma.PatientSelect;
  return db().$transaction(async (tx) => {
    const result = await pageOf(tx, parts, null, page, select, (p: Prisma.PatientGetPayload<{ select: typeof select }>) => ({
      ...toIdentity(p, now),
      ownFacilityPatientId: p.links[0]?.facilityPatientId ?? null,
      canAdminister: canAdministerPatient(viewer, { createdByFacilityId: p.createdByFacilityId, links: p.links.map((l) => ({ ...l, isActive: true })) }),
    }));
    await writeAccessLog(tx, viewer, { accessType: "REGISTRATION_SEARCH", detail: `${describeSearch(f)} → ${result.total}` });
    return result;
  });
}

/**
 * Likely duplicates of a registration in progress: the same kana name and birth date, or one of
 * the facility patient IDs already linked to someone. Identifying fields only.
 */
export async function findDuplicates(viewer: TViewer, input: TDuplicateCheck, now: Date = new Date()): Promise<TDuplicate[]> {
  assertAllowed(mayRegisterPatients(viewer.roles), "register patients");
  const byName = await db().patient.findMany({
    where: { kanaKey: kanaKey(input.patient.nameKana), birthDate: input.patient.birthDate },
    select: { ...identitySelect, createdByFacilityId: true, links: { where: { unlinkedAt: null }, select: { facilityId: true } } },
    take: 20,
  });
  const byId = input.links.length
    ? await db().facilityPatientLink.findMany({
        where: { unlinkedAt: null, OR: input.links.map((l) => ({ facilityId: l.facilityId, facilityPatientId: l.facilityPatientId })) },
        select: {
          facility: { select: { nameKanji: true } },
          patient: { select: { ...identitySelect, createdByFacilityId: true, links: { where: { unlinkedAt: null }, select: { facilityId: true } } } },
        },
        take: 20,
      })
    : [];
  const found = new Map<string, TDuplicate>();
  const add = (p: (typeof byName)[number], reason: TDuplicate["reasons"][number], facilityName?: string) => {
    const entry =
      found.get(p.id) ??
      ({
        ...toIdentity(p, now),
        reasons: [],
        canAdminister: canAdministerPatient(viewer, { createdByFacilityId: p.createdByFacilityId, links: p.links.map((l) => ({ ...l, isActive: true })) }),
      } satisfies TDuplicate);
    if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
    if (facilityName) entry.matchedFacilityName = facilityName;
    found.set(p.id, entry);
  };
  byName.forEach((p) => add(p, "NAME_BIRTH"));
  byId.forEach((l) => add(l.patient, "FACILITY_ID", l.facility.nameKanji));
  return [...found.values()];
}

const headerSelect = {
  ...identitySelect,
  postalCode: true,
  address: true,
  phone: true,
  mobilePhone: true,
  version: true,
  createdByFacilityId: true,
} satisfies Prisma.PatientSelect;

const linkSelect = {
  id: true,
  facilityId: true,
  facilityPatientId: true,
  publicationState: true,
  shareBasic: true,
  shareClinical: true,
  linkedAt: true,
  linkedById: true,
  linkedByFacilityId: true,
  unlinkedAt: true,
  unlinkedById: true,
  unlinkReason: true,
  facility: { select: { nameKanji: true, type: true, isDisclosing: true, ssmix2StorageRoot: true } },
} satisfies Prisma.FacilityPatientLinkSelect;
type TLinkPayload = Prisma.FacilityPatientLinkGetPayload<{ select: typeof linkSelect }>;

async function staffNames(tx: TTx, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.staffUser.findMany({ where: { id: { in: wanted } }, select: { id: true, nameKanji: true } });
  return new Map(rows.map((r) => [r.id, r.nameKanji]));
}

/** Where the consent in force covers which link (by id), at `now`. */
async function linksInForce(tx: TTx, linkIds: string[], now: Date): Promise<Set<string>> {
  if (linkIds.length === 0) return new Set();
  const rows = await tx.facilityPatientLink.findMany({ where: { id: { in: linkIds }, ...consentInForceWhere(now) }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

async function toLinkRows(tx: TTx, viewer: TViewer, links: TLinkPayload[], now: Date): Promise<TLinkRow[]> {
  const [names, inForce] = await Promise.all([
    staffNames(tx, links.flatMap((l) => [l.linkedById, l.unlinkedById])),
    linksInForce(tx, links.map((l) => l.id), now),
  ]);
  return links.map((l) => ({
    id: l.id,
    facilityId: l.facilityId,
    facilityName: l.facility.nameKanji,
    facilityType: l.facility.type,
    isDisclosingFacility: l.facility.isDisclosing,
    facilityPatientId: l.facilityPatientId,
    publicationState: l.publicationState,
    shareBasic: l.shareBasic,
    shareClinical: l.shareClinical,
    isConsentInForce: inForce.has(l.id),
    linkedAt: l.linkedAt,
    linkedByName: l.linkedById ? (names.get(l.linkedById) ?? null) : null,
    unlinkedAt: l.unlinkedAt,
    unlinkedByName: l.unlinkedById ? (names.get(l.unlinkedById) ?? null) : null,
    unlinkReason: l.unlinkReason,
    canUnlink: l.unlinkedAt === null && canUnlink(viewer, l),
    canPublish: l.unlinkedAt === null && canPublish(viewer, l.facilityId),
    hasDataSource: l.facility.ssmix2StorageRoot !== null,
  }));
}

/**
 * The patient page: who the patient is and where they are linked. Open to those the visibility
 * rule lets see the patient, and to those who manage the registration (identifying fields, links
 * and consent only). Anyone else is told "not found", and the refusal is logged.
 */
export async function getPatientPage(viewer: TViewer, id: string, now: Date = new Date()): Promise<TPatientPage> {
  if (!isUuid(id)) {
    await writeAccessLog(db(), viewer, { accessType: "DENIED", detail: `patient ${id.slice(0, 80)}` });
    throw notFound("patient");
  }
  // A refusal returns null from the transaction (a throw would roll back its log row).
  const page = await db().$transaction(async (tx): Promise<TPatientPage | null> => {
    const [visible, administrable] = await inTurn([
      () => tx.patient.findFirst({ where: { id, ...patientVisibleWhere(viewer, now) }, select: headerSelect }),
      () => tx.patient.findFirst({ where: { id, ...patientAdministrableWhere(viewer) }, select: headerSelect }),
    ]);
    const p = visible ?? administrable;
    if (!p) {
      // The refusal names the patient when one exists: a pattern of guesses shows in the log.
      const exists = await tx.patient.findUnique({ where: { id }, select: { id: true } });
      await writeAccessLog(tx, viewer, { accessType: "DENIED", patientId: exists?.id ?? null, detail: `patient ${id}` });
      return null;
    }
    const canSeeRecords = visible !== null;
    const canAdminister = administrable !== null;
    const allLinks = await tx.facilityPatientLink.findMany({
      where: {
        patientId: id,
        // Others' links show when the consent covers them and their facility takes part in sharing.
        ...(canAdminister ? {} : { unlinkedAt: null, OR: [{ facilityId: viewer.facilityId }, { ...consentInForceWhere(now), publicationState: { in: VIEWING_STATES } }] }),
      },
      orderBy: [{ linkedAt: "asc" }],
      select: linkSelect,
    });
    const rows = await toLinkRows(tx, viewer, allLinks, now);
    const bookmark = await tx.patientBookmark.findUnique({ where: { userId_patientId: { userId: viewer.userId, patientId: id } }, select: { patientId: true } });
    await writeAccessLog(tx, viewer, { accessType: canSeeRecords ? "PATIENT_VIEW" : "PATIENT_ADMIN_VIEW", patientId: id });
    const header: TPatientHeader = {
      ...toIdentity(p, now),
      postalCode: p.postalCode,
      address: p.address,
      phone: p.phone,
      mobilePhone: p.mobilePhone,
      version: p.version,
    };
    return {
      header,
      canSeeRecords,
      canAdminister,
      isBookmarked: bookmark !== null && canSeeRecords,
      links: rows.filter((l) => l.unlinkedAt === null),
      pastLinks: canAdminister ? rows.filter((l) => l.unlinkedAt !== null) : [],
    };
  });
  if (!page) throw notFound("patient");
  return page;
}

/** A patient the viewer manages, or "not found" (for the registration screens and mutations). */
export async function getAdministrablePatient(tx: TTx, viewer: TViewer, id: string) {
  const p = isUuid(id) ? await tx.patient.findFirst({ where: { id, ...patientAdministrableWhere(viewer) }, select: headerSelect }) : null;
  if (!p) throw notFound("patient");
  return p;
}

const REVISION_FIELDS = ["nameKanji", "nameKana", "sex", "birthDate", "postalCode", "address", "phone", "mobilePhone"] as const;

/** 変更履歴 of the personal information, newest first, as field-by-field changes. */
export async function listPatientRevisions(viewer: TViewer, id: string): Promise<TPatientRevisionRow[]> {
  return db().$transaction(async (tx) => {
    await getAdministrablePatient(tx, viewer, id);
    const revisions = await tx.patientRevision.findMany({ where: { patientId: id }, orderBy: { version: "asc" } });
    const names = await staffNames(tx, revisions.map((r) => r.changedById));
    const out: TPatientRevisionRow[] = [];
    let before: Record<string, unknown> = {};
    for (const r of revisions) {
      const data = (r.data ?? {}) as Record<string, unknown>;
      out.push({
        version: r.version,
        changedAt: r.changedAt,
        changedByName: r.changedById ? (names.get(r.changedById) ?? null) : null,
        reason: r.reason,
        changes: REVISION_FIELDS.filter((f) => (before[f] ?? null) !== (data[f] ?? null)).map((f) => ({
          field: f,
          before: before[f] == null ? "" : String(before[f]),
          after: data[f] == null ? "" : String(data[f]),
        })),
      });
      before = data;
    }
    await writeAccessLog(tx, viewer, { accessType: "PATIENT_ADMIN_VIEW", patientId: id, detail: "revisions" });
    return out.reverse();
  });
}

/** ブックマーク of the viewer that the visibility rule still allows (a withdrawn consent hides one). */
export async function listBookmarks(viewer: TViewer, now: Date = new Date()): Promise<TPatientIdentity[]> {
  const rows = await db().patientBookmark.findMany({
    where: { userId: viewer.userId, patient: patientVisibleWhere(viewer, now) },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { patient: { select: identitySelect } },
  });
  return rows.map((r) => toIdentity(r.patient, now));
}

/** 最近参照した患者: from the viewer's own access log, still visible. */
export async function listRecentPatients(viewer: TViewer, now: Date = new Date()): Promise<TPatientIdentity[]> {
  const recent = await db().accessLog.findMany({
    where: { userId: viewer.userId, accessType: "PATIENT_VIEW", patientId: { not: null } },
    orderBy: { at: "desc" },
    take: 100,
    select: { patientId: true },
  });
  const ids = [...new Set(recent.map((r) => r.patientId!))].slice(0, 10);
  if (ids.length === 0) return [];
  const rows = await db().patient.findMany({ where: { id: { in: ids }, ...patientVisibleWhere(viewer, now) }, select: identitySelect });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((pid) => (byId.has(pid) ? [toIdentity(byId.get(pid)!, now)] : []));
}

/** Which facility's own-patient list the viewer may open: their own; the secretariat any. */
export function ownListFacilityId(viewer: TViewer, requested?: string): string {
  if (requested && isSecretariat(viewer)) return requested;
  return viewer.facilityId;
}


/**
 * 自施設患者一覧 (seed 004): the facility's own linked patients with 公開状態 and 公開範囲. These are
 * the facility's own patients, so consent is shown (同意済 / 未同意), not required.
 */
export async function listOwnFacilityPatients(viewer: TViewer, f: Partial<TOwnPatientFilter>, now: Date = new Date()) {
  assertAllowed(canSeeOwnPatientList(viewer), "own facility patient list");
  const facilityId = ownListFacilityId(viewer, f.facilityId);
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  const terms = searchTerms(f.name);
  const where: Prisma.FacilityPatientLinkWhereInput = {
    AND: [
      { facilityId, unlinkedAt: null },
      f.facilityPatientId ? { facilityPatientId: { startsWith: f.facilityPatientId } } : {},
      f.publicationState ? { publicationState: f.publicationState } : {},
      f.consent === "consented" ? consentInForceWhere(now) : f.consent === "none" ? { NOT: consentInForceWhere(now) } : {},
      ...terms.map((t) => ({ patient: nameTermWhere(t) })),
    ],
  };
  const select = {
    id: true,
    facilityPatientId: true,
    publicationState: true,
    shareBasic: true,
    shareClinical: true,
    patient: { select: { ...identitySelect, address: true, postalCode: true, phone: true } },
  } satisfies Prisma.FacilityPatientLinkSelect;
  return db().$transaction(async (tx) => {
    const [counted, rows] = await inTurn([
      () => tx.facilityPatientLink.count({ where, take: COUNT_CAP + 1 }),
      () => tx.facilityPatientLink.findMany({
        where,
        orderBy: [{ facilityPatientId: "asc" }, { id: "asc" }],
        skip: (page - 1) * PATIENT_PAGE_SIZE,
        take: PATIENT_PAGE_SIZE,
        select,
      }),
    ]);
    const inForce = await linksInForce(tx, rows.map((r) => r.id), now);
    await writeAccessLog(tx, viewer, { accessType: "OWN_PATIENT_LIST", detail: JSON.stringify({ facilityId, ...f, page }) });
    const out: TSearchResult<TOwnPatientRow> = {
      rows: rows.map((r) => ({
        linkId: r.id,
        patientId: r.patient.id,
        facilityPatientId: r.facilityPatientId,
        nameKanji: r.patient.nameKanji,
        nameKana: r.patient.nameKana,
        birth: birthOf(r.patient.birthDate, now),
        sex: r.patient.sex,
        address: [r.patient.postalCode ? `〒${r.patient.postalCode}` : null, r.patient.address].filter(Boolean).join(" ") || null,
        phone: r.patient.phone,
        regionalId: r.patient.regionalId,
        publicationState: r.publicationState,
        shareBasic: r.shareBasic,
        shareClinical: r.shareClinical,
        isConsentInForce: inForce.has(r.id),
        // The patient page opens through the visibility rule, or for those who manage registrations.
        canOpen:
          (mayReadRecords(viewer.roles) && inForce.has(r.id) && VIEWING_STATES.includes(r.publicationState) && facilityId === viewer.facilityId) ||
          (mayRegisterPatients(viewer.roles) && (isSecretariat(viewer) || facilityId === viewer.facilityId)),
      })),
      total: Math.min(counted, COUNT_CAP),
      isTotalCapped: counted > COUNT_CAP,
      page,
      pageSize: PATIENT_PAGE_SIZE,
    };
    return { facilityId, ...out };
  });
}

/** Facilities a link or consent form may name (active participants), for the screens' selects. */
export async function listLinkableFacilities(): Promise<{ id: string; nameKanji: string; code: string; isDisclosing: boolean }[]> {
  return db().facility.findMany({
    where: { isActive: true, type: { not: "SECRETARIAT" } },
    orderBy: [{ nameKana: "asc" }],
    select: { id: true, nameKanji: true, code: true, isDisclosing: true },
  });
}
