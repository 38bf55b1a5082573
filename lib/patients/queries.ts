import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { FacilityType, PublicationState, Sex } from "@/generated/prisma/enums";
import { db, type TTx } from "@/lib/db/client";
import { readIdentities, readPatient, type TIdentityScope } from "@/lib/access/gateway";
import { canPublish, canUnlink, isSecretariat } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";
import { formatSeireki } from "@/lib/dates";
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
import { isKanaTerm, kanaKey, likePrefix, likeWithin, searchTerms } from "@/lib/text";

/**
 * Counting stops here: "200件以上" tells a person to narrow the search, and every counted row
 * costs the visibility rule's lookups (docs/benchmarks.md).
 */
const COUNT_CAP = 200;

/** The identifying columns of a patient row selected from a relation aliased `p`. */
const IDENTITY_COLUMNS = Prisma.sql`p.id::text AS id, p.regional_id, p.name_kanji, p.name_kana, p.sex::text AS sex, p.birth_date::text AS birth_date`;
type TIdentityRow = { id: string; regional_id: string; name_kanji: string; name_kana: string; sex: Sex; birth_date: string };

const toIdentity = (p: TIdentityRow, now: Date): TPatientIdentity => ({
  id: p.id,
  regionalId: p.regional_id,
  nameKanji: p.name_kanji,
  nameKana: p.name_kana,
  sex: p.sex,
  birth: birthOf(new Date(`${p.birth_date}T00:00:00Z`), now),
});

/** One name term: kana use the kana indexes (family or given name prefix), anything else the kanji name. */
function nameTermSql(term: string): Prisma.Sql {
  if (isKanaTerm(term)) {
    const key = kanaKey(term);
    return Prisma.sql`(p.kana_key LIKE ${likePrefix(key)} OR p.kana_given_key LIKE ${likePrefix(key)})`;
  }
  return Prisma.sql`p.name_kanji LIKE ${likeWithin(term)}`;
}

type TPart = { where: Prisma.Sql; orderBy: Prisma.Sql };

const BY_KANA = Prisma.sql`p.kana_key, p.birth_date, p.id`;
const BY_GIVEN_KANA = Prisma.sql`p.kana_given_key, p.kana_key, p.birth_date, p.id`;
const all = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.join(conditions, " AND ") : Prisma.sql`true`);
const dayOfDate = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The search criteria of 地域患者一覧 / 個人情報検索 as one or two ordered lists over a relation
 * aliased `p`. A kana name is matched as a prefix of the whole kana name first ("ヤマダ", "やまだ
 * はなこ") and then of the given name ("ハナコ"; or "やま はな": family prefix, then given prefix);
 * each list is read in the order of its own index (kana_key or kana_given_key, collation "C"), so
 * a page never sorts all matches.
 */
export function searchParts(viewer: TViewer, f: Partial<TPatientSearch>): TPart[] {
  const base: Prisma.Sql[] = [];
  if (f.regionalId) base.push(Prisma.sql`p.regional_id = ${f.regionalId}`);
  if (f.facilityPatientId) {
    // 施設患者ID is a number at one facility: the one chosen, else the viewer's own.
    base.push(Prisma.sql`EXISTS (SELECT 1 FROM "facility_patient_links" l WHERE l.patient_id = p.id AND l.facility_id = ${f.facilityId ?? viewer.facilityId}::uuid
                                   AND l.facility_patient_id = ${f.facilityPatientId} AND l.unlinked_at IS NULL)`);
  }
  if (f.birthDate) base.push(Prisma.sql`p.birth_date = ${dayOfDate(f.birthDate)}::date`);
  if (f.sex) base.push(Prisma.sql`p.sex = ${f.sex}::"Sex"`);

  const terms = searchTerms(f.name);
  const kana = terms.filter(isKanaTerm).map(kanaKey);
  const kanji = terms.filter((t) => !isKanaTerm(t)).map((t) => Prisma.sql`p.name_kanji LIKE ${likeWithin(t)}`);
  if (kana.length === 0) return [{ where: all([...base, ...kanji]), orderBy: BY_KANA }];
  const whole = kana.join("");
  const [first = "", ...rest] = kana;
  const wholePrefix = Prisma.sql`p.kana_key LIKE ${likePrefix(whole)}`;
  const secondList: TPart =
    kana.length === 1
      ? { where: all([...base, ...kanji, Prisma.sql`p.kana_given_key LIKE ${likePrefix(first)}`, Prisma.sql`NOT ${wholePrefix}`]), orderBy: BY_GIVEN_KANA }
      : { where: all([...base, ...kanji, Prisma.sql`p.kana_key LIKE ${likePrefix(first)}`, Prisma.sql`p.kana_given_key LIKE ${likePrefix(rest.join(""))}`, Prisma.sql`NOT ${wholePrefix}`]), orderBy: BY_KANA };
  return [{ where: all([...base, ...kanji, wholePrefix]), orderBy: BY_KANA }, secondList];
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
async function pageOf<TRow extends { id: string }>(scope: TIdentityScope, parts: TPart[], page: number, columns: Prisma.Sql): Promise<TSearchResult<TRow>> {
  let skip = (page - 1) * PATIENT_PAGE_SIZE;
  let counted = 0;
  const rows: TRow[] = [];
  for (const part of parts) {
    if (counted > COUNT_CAP) break;
    const [c] = await scope.sql<{ n: number }>(Prisma.sql`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM ${scope.patients} p WHERE ${part.where} ORDER BY ${part.orderBy} LIMIT ${COUNT_CAP + 1 - counted}) s`);
    const n = c?.n ?? 0;
    if (rows.length < PATIENT_PAGE_SIZE && skip < n) {
      rows.push(...(await scope.sql<TRow>(Prisma.sql`
        SELECT ${columns} FROM ${scope.patients} p WHERE ${part.where} ORDER BY ${part.orderBy} OFFSET ${skip} LIMIT ${PATIENT_PAGE_SIZE - rows.length}`)));
    }
    skip = Math.max(0, skip - n);
    counted += n;
  }
  return { rows, total: Math.min(counted, COUNT_CAP), isTotalCapped: counted > COUNT_CAP, page, pageSize: PATIENT_PAGE_SIZE };
}

/** The viewer's facility's patient ID for a patient row `p`. */
const ownFacilityPatientId = (viewer: TViewer) =>
  Prisma.sql`(SELECT l.facility_patient_id FROM "facility_patient_links" l WHERE l.patient_id = p.id AND l.facility_id = ${viewer.facilityId}::uuid AND l.unlinked_at IS NULL LIMIT 1) AS own_facility_patient_id`;

/**
 * 地域患者一覧: patients the viewer's facility may see (linked and consented), with the columns of
 * seed 004. Each patient listed is logged (PATIENT_SEARCH, with the criteria).
 */
export async function searchPatients(viewer: TViewer, f: Partial<TPatientSearch>, now: Date = new Date()): Promise<TSearchResult<TPatientSearchRow>> {
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  type TRow = TIdentityRow & { postal_code: string | null; address: string | null; own_facility_patient_id: string | null };
  return readIdentities(
    viewer,
    "search",
    async (scope) => {
      const result = await pageOf<TRow>(scope, searchParts(viewer, f), page, Prisma.sql`${IDENTITY_COLUMNS}, p.postal_code, p.address, ${ownFacilityPatientId(viewer)}`);
      return {
        value: {
          ...result,
          rows: result.rows.map((p) => ({ ...toIdentity(p, now), facilityPatientId: p.own_facility_patient_id, postalCode: p.postal_code, address: p.address })),
        },
        patients: result.rows.map((p) => p.id),
        detail: `${describeSearch(f)} → ${result.total}`,
      };
    },
    { now },
  );
}

/**
 * 個人情報検索 for registration (liaison staff, the secretariat): any registered patient, but only
 * the identifying fields needed to avoid registering someone twice. Each patient listed is logged.
 */
export async function searchForRegistration(viewer: TViewer, f: Partial<TPatientSearch>, now: Date = new Date()): Promise<TSearchResult<TRegistrationSearchRow>> {
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  type TRow = TIdentityRow & { own_facility_patient_id: string | null; administers: boolean };
  return readIdentities(
    viewer,
    "registration",
    async (scope) => {
      const result = await pageOf<TRow>(scope, searchParts(viewer, f), page, Prisma.sql`${IDENTITY_COLUMNS}, ${ownFacilityPatientId(viewer)}, p.administers`);
      return {
        value: {
          ...result,
          rows: result.rows.map((p) => ({ ...toIdentity(p, now), ownFacilityPatientId: p.own_facility_patient_id, canAdminister: p.administers })),
        },
        patients: result.rows.map((p) => p.id),
        detail: `${describeSearch(f)} → ${result.total}`,
      };
    },
    { now },
  );
}

/**
 * Likely duplicates of a registration in progress: the same kana name and birth date, or one of
 * the facility patient IDs already linked to someone. Identifying fields only; each candidate shown is logged.
 */
export async function findDuplicates(viewer: TViewer, input: TDuplicateCheck, now: Date = new Date()): Promise<TDuplicate[]> {
  type TRow = TIdentityRow & { administers: boolean; matched_facility: string | null };
  return readIdentities(
    viewer,
    "duplicates",
    async (scope) => {
      const byName = await scope.sql<TRow>(Prisma.sql`
        SELECT ${IDENTITY_COLUMNS}, p.administers, NULL AS matched_facility FROM ${scope.patients} p
         WHERE p.kana_key = ${kanaKey(input.patient.nameKana)} AND p.birth_date = ${dayOfDate(input.patient.birthDate)}::date
         ORDER BY p.id LIMIT 20`);
      const byId = input.links.length
        ? await scope.sql<TRow>(Prisma.sql`
            SELECT ${IDENTITY_COLUMNS}, p.administers, f.name_kanji AS matched_facility
              FROM "facility_patient_links" l JOIN ${scope.patients} p ON p.id = l.patient_id JOIN "facilities" f ON f.id = l.facility_id
             WHERE l.unlinked_at IS NULL
               AND EXISTS (SELECT 1 FROM unnest(${input.links.map((x) => x.facilityId)}::uuid[], ${input.links.map((x) => x.facilityPatientId)}::text[]) AS x(facility_id, facility_patient_id)
                            WHERE x.facility_id = l.facility_id AND x.facility_patient_id = l.facility_patient_id)
             ORDER BY l.linked_at LIMIT 20`)
        : [];
      const found = new Map<string, TDuplicate>();
      const add = (p: TRow, reason: TDuplicate["reasons"][number]) => {
        const entry = found.get(p.id) ?? ({ ...toIdentity(p, now), reasons: [], canAdminister: p.administers } satisfies TDuplicate);
        if (!entry.reasons.includes(reason)) entry.reasons.push(reason);
        if (p.matched_facility) entry.matchedFacilityName = p.matched_facility;
        found.set(p.id, entry);
      };
      byName.forEach((p) => add(p, "NAME_BIRTH"));
      byId.forEach((p) => add(p, "FACILITY_ID"));
      const value = [...found.values()];
      return { value, patients: value.map((d) => d.id), detail: `${input.patient.nameKana} ${formatSeireki(input.patient.birthDate)} → ${value.length}` };
    },
    { now },
  );
}

async function staffNames(tx: TTx, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is string => !!x))];
  if (wanted.length === 0) return new Map();
  const rows = await tx.staffUser.findMany({ where: { id: { in: wanted } }, select: { id: true, nameKanji: true } });
  return new Map(rows.map((r) => [r.id, r.nameKanji]));
}

/**
 * The patient page: who the patient is and where they are linked. Open to those the visibility
 * rule lets see the patient, and to those who manage the registration (identifying fields, links
 * and consent only). Anyone else is told "not found", and the refusal is logged.
 */
export async function getPatientPage(viewer: TViewer, id: string, now: Date = new Date()): Promise<TPatientPage> {
  return readPatient(
    viewer,
    "page",
    id,
    async (scope) => {
      // Plain SQL in two statements after the gate (the page opens on every patient view): the
      // patient with the viewer's bookmark, then the links with their facility, who linked and
      // unlinked them, and whether the consent in force covers them.
      const [p] = await scope.sql<TPageHeaderRow>(Prisma.sql`
        SELECT p.id::text AS id, p.regional_id, p.name_kanji, p.name_kana, p.sex::text AS sex, p.birth_date::text AS birth_date,
               p.postal_code, p.address, p.phone, p.mobile_phone, p.version,
               EXISTS (SELECT 1 FROM "patient_bookmarks" b WHERE b.user_id = ${viewer.userId}::uuid AND b.patient_id = p.id) AS bookmarked
          FROM "patients" p WHERE p.id = ${id}::uuid`);
      if (!p) throw new Error(`patient ${id} passed the gate but is not there`);
      // Others' links show when their facility views the patient (consent in force, taking part in sharing).
      const shown = scope.administers
        ? Prisma.empty
        : Prisma.sql`AND l.unlinked_at IS NULL AND (l.facility_id = ${viewer.facilityId}::uuid OR l.id IN ${scope.viewingLinkIds})`;
      const links = await scope.sql<TPageLinkRow>(Prisma.sql`
        SELECT l.id::text AS id, l.facility_id::text AS facility_id, l.facility_patient_id, l.publication_state::text AS publication_state,
               l.share_basic, l.share_clinical, l.linked_at, l.linked_by_facility_id::text AS linked_by_facility_id, l.unlinked_at, l.unlink_reason,
               f.name_kanji AS facility_name, f.type::text AS facility_type, f.is_disclosing, f.ssmix2_storage_root IS NOT NULL AS has_data_source,
               lb.name_kanji AS linked_by_name, ub.name_kanji AS unlinked_by_name,
               ${scope.consentInForce(Prisma.sql`l.id`)} AS consent_in_force
          FROM "facility_patient_links" l
          JOIN "facilities" f ON f.id = l.facility_id
          LEFT JOIN "staff_users" lb ON lb.id = l.linked_by_id
          LEFT JOIN "staff_users" ub ON ub.id = l.unlinked_by_id
         WHERE l.patient_id = ${id}::uuid ${shown}
         ORDER BY l.linked_at`);
      const rows: TLinkRow[] = links.map((l) => ({
        id: l.id,
        facilityId: l.facility_id,
        facilityName: l.facility_name,
        facilityType: l.facility_type,
        isDisclosingFacility: l.is_disclosing,
        facilityPatientId: l.facility_patient_id,
        publicationState: l.publication_state,
        shareBasic: l.share_basic,
        shareClinical: l.share_clinical,
        isConsentInForce: l.consent_in_force,
        linkedAt: l.linked_at,
        linkedByName: l.linked_by_name,
        unlinkedAt: l.unlinked_at,
        unlinkedByName: l.unlinked_by_name,
        unlinkReason: l.unlink_reason,
        canUnlink: l.unlinked_at === null && canUnlink(viewer, { facilityId: l.facility_id, linkedByFacilityId: l.linked_by_facility_id }),
        canPublish: l.unlinked_at === null && canPublish(viewer, l.facility_id),
        hasDataSource: l.has_data_source,
      }));
      const header: TPatientHeader = {
        id: p.id,
        regionalId: p.regional_id,
        nameKanji: p.name_kanji,
        nameKana: p.name_kana,
        sex: p.sex,
        birth: birthOf(new Date(`${p.birth_date}T00:00:00Z`), now),
        postalCode: p.postal_code,
        address: p.address,
        phone: p.phone,
        mobilePhone: p.mobile_phone,
        version: p.version,
      };
      const page: TPatientPage = {
        header,
        canSeeRecords: scope.seesPatient,
        canAdminister: scope.administers,
        // the rule needs a link of the viewer's own facility; without one, an emergency grant is all that opens the records
        isEmergencyOnly: scope.emergency !== null && scope.ownLinkId === null,
        isBookmarked: p.bookmarked && scope.seesPatient,
        links: rows.filter((l) => l.unlinkedAt === null),
        pastLinks: scope.administers ? rows.filter((l) => l.unlinkedAt !== null) : [],
      };
      // PATIENT_VIEW where the rule lets the viewer see the patient, PATIENT_ADMIN_VIEW where only the registration is open
      return { value: page, type: scope.seesPatient ? "PATIENT_VIEW" : "PATIENT_ADMIN_VIEW" };
    },
    { now },
  );
}

type TPageHeaderRow = TIdentityRow & { postal_code: string | null; address: string | null; phone: string | null; mobile_phone: string | null; version: number; bookmarked: boolean };
type TPageLinkRow = {
  id: string;
  facility_id: string;
  facility_patient_id: string;
  publication_state: PublicationState;
  share_basic: boolean;
  share_clinical: boolean;
  linked_at: Date;
  linked_by_facility_id: string | null;
  unlinked_at: Date | null;
  unlink_reason: string | null;
  facility_name: string;
  facility_type: FacilityType;
  is_disclosing: boolean;
  has_data_source: boolean;
  linked_by_name: string | null;
  unlinked_by_name: string | null;
  consent_in_force: boolean;
};

const REVISION_FIELDS = ["nameKanji", "nameKana", "sex", "birthDate", "postalCode", "address", "phone", "mobilePhone"] as const;

/** 変更履歴 of the personal information, newest first, as field-by-field changes. */
export async function listPatientRevisions(viewer: TViewer, id: string, now: Date = new Date()): Promise<TPatientRevisionRow[]> {
  return readPatient(
    viewer,
    "revisions",
    id,
    async ({ tx }) => {
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
      return { value: out.reverse(), detail: "revisions" };
    },
    { now },
  );
}

/** ブックマーク of the viewer that the visibility rule still allows (a withdrawn consent hides one). Each patient listed is logged. */
export async function listBookmarks(viewer: TViewer, now: Date = new Date()): Promise<TPatientIdentity[]> {
  return readIdentities(
    viewer,
    "bookmarks",
    async (scope) => {
      const rows = await scope.sql<TIdentityRow>(Prisma.sql`
        SELECT ${IDENTITY_COLUMNS} FROM "patient_bookmarks" b JOIN ${scope.patients} p ON p.id = b.patient_id
         WHERE b.user_id = ${viewer.userId}::uuid ORDER BY b.created_at DESC LIMIT 50`);
      return { value: rows.map((r) => toIdentity(r, now)), patients: rows.map((r) => r.id), detail: "bookmarks" };
    },
    { now },
  );
}

/** 最近参照した患者: from the viewer's own access log, still visible. Each patient listed is logged. */
export async function listRecentPatients(viewer: TViewer, now: Date = new Date()): Promise<TPatientIdentity[]> {
  return readIdentities(
    viewer,
    "recent",
    async (scope) => {
      const rows = await scope.sql<TIdentityRow>(Prisma.sql`
        WITH recent AS (
          SELECT r.patient_id, max(r.at) AS at
            FROM (SELECT l.patient_id, l.at FROM "access_logs" l
                   WHERE l.user_id = ${viewer.userId}::uuid AND l.access_type = 'PATIENT_VIEW' AND l.patient_id IS NOT NULL
                   ORDER BY l.at DESC LIMIT 100) r
           GROUP BY r.patient_id ORDER BY max(r.at) DESC LIMIT 10)
        SELECT ${IDENTITY_COLUMNS} FROM recent JOIN ${scope.patients} p ON p.id = recent.patient_id ORDER BY recent.at DESC`);
      return { value: rows.map((r) => toIdentity(r, now)), patients: rows.map((r) => r.id), detail: "recent patients" };
    },
    { now },
  );
}

/** Which facility's own-patient list the viewer may open: their own; the secretariat any. */
export function ownListFacilityId(viewer: TViewer, requested?: string): string {
  if (requested && isSecretariat(viewer)) return requested;
  return viewer.facilityId;
}


/**
 * 自施設患者一覧 (seed 004): the facility's own linked patients with 公開状態 and 公開範囲. These are
 * the facility's own patients, so consent is shown (同意済 / 未同意), not required. Each patient
 * listed is logged.
 */
export async function listOwnFacilityPatients(viewer: TViewer, f: Partial<TOwnPatientFilter>, now: Date = new Date()) {
  const facilityId = ownListFacilityId(viewer, f.facilityId);
  const page = Math.max(1, Math.trunc(f.page ?? 1));
  type TRow = TIdentityRow & {
    address: string | null;
    postal_code: string | null;
    phone: string | null;
    link_id: string;
    facility_patient_id: string;
    publication_state: PublicationState;
    share_basic: boolean;
    share_clinical: boolean;
    consent_in_force: boolean;
    opens: boolean;
  };
  return readIdentities(
    viewer,
    "ownList",
    async (scope) => {
      const where = all([
        ...(f.facilityPatientId ? [Prisma.sql`p.facility_patient_id LIKE ${likePrefix(f.facilityPatientId)}`] : []),
        ...(f.publicationState ? [Prisma.sql`p.publication_state = ${f.publicationState}::"PublicationState"`] : []),
        ...(f.consent === "consented" ? [Prisma.sql`p.consent_in_force`] : f.consent === "none" ? [Prisma.sql`NOT p.consent_in_force`] : []),
        ...searchTerms(f.name).map(nameTermSql),
      ]);
      const [c] = await scope.sql<{ n: number }>(Prisma.sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${scope.patients} p WHERE ${where} LIMIT ${COUNT_CAP + 1}) s`);
      const rows = await scope.sql<TRow>(Prisma.sql`
        SELECT ${IDENTITY_COLUMNS}, p.address, p.postal_code, p.phone, p.link_id::text AS link_id, p.facility_patient_id, p.publication_state::text AS publication_state,
               p.share_basic, p.share_clinical, p.consent_in_force, p.opens
          FROM ${scope.patients} p WHERE ${where}
         ORDER BY p.facility_patient_id, p.link_id OFFSET ${(page - 1) * PATIENT_PAGE_SIZE} LIMIT ${PATIENT_PAGE_SIZE}`);
      const counted = c?.n ?? 0;
      const out: TSearchResult<TOwnPatientRow> = {
        rows: rows.map((r) => ({
          linkId: r.link_id,
          patientId: r.id,
          facilityPatientId: r.facility_patient_id,
          nameKanji: r.name_kanji,
          nameKana: r.name_kana,
          birth: toIdentity(r, now).birth,
          sex: r.sex,
          address: [r.postal_code ? `〒${r.postal_code}` : null, r.address].filter(Boolean).join(" ") || null,
          phone: r.phone,
          regionalId: r.regional_id,
          publicationState: r.publication_state,
          shareBasic: r.share_basic,
          shareClinical: r.share_clinical,
          isConsentInForce: r.consent_in_force,
          // the patient page opens through the visibility rule, or for those who manage registrations
          canOpen: r.opens,
        })),
        total: Math.min(counted, COUNT_CAP),
        isTotalCapped: counted > COUNT_CAP,
        page,
        pageSize: PATIENT_PAGE_SIZE,
      };
      return { value: { facilityId, ...out }, patients: rows.map((r) => r.id), detail: JSON.stringify({ facilityId, ...f, page }) };
    },
    { now, facilityId },
  );
}

/** Facilities a link or consent form may name (active participants), for the screens' selects. */
export async function listLinkableFacilities(): Promise<{ id: string; nameKanji: string; code: string; isDisclosing: boolean }[]> {
  return db().facility.findMany({
    where: { isActive: true, type: { not: "SECRETARIAT" } },
    orderBy: [{ nameKana: "asc" }],
    select: { id: true, nameKanji: true, code: true, isDisclosing: true },
  });
}
