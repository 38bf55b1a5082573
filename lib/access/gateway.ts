import "server-only";
import { Prisma } from "@/generated/prisma/client";
import type { AccessType } from "@/generated/prisma/enums";
import type { TViewer } from "@/lib/auth/viewer-type";
import type { TTx } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/errors";
import { isUuid } from "@/lib/text";
import { canSeeOwnPatientList, isSecretariat, mayReadRecords, mayRegisterPatients } from "@/lib/access/roles";
import { writeLog, type TLogRow } from "@/lib/access/log";
import {
  AUDIT_READS,
  CONTENT_READS,
  CONTENT_WRITES,
  IDENTITY_READS,
  PATIENT_READS,
  PATIENT_WRITES,
  type TAuditRead,
  type TContentRead,
  type TContentWrite,
  type TIdentityRead,
  type TLogShape,
  type TNeed,
  type TPatientRead,
  type TPatientWrite,
} from "@/lib/access/reads";
import * as rule from "@/lib/access/rule";
import { inPrismaSession, inSqlSession, sqlOf, type TSession, type TSql } from "@/lib/access/session";

/*
 * THE GATEWAY: every read of patient data goes through one of the functions below (the kinds
 * they take are listed in ./reads.ts). Each
 *   1. decides once, in one statement, with the rule written in SQL (./rule.ts names the calls);
 *   2. refuses as "not found" (the same for a guessed id) with one DENIED row, committed;
 *   3. hands the read a scope already filtered by the rule (a relation of the patient's visible
 *      contents, the facilities it may see, the transaction) — never the rule's parts;
 *   4. writes the read's access-log rows in the shape its kind says, in the read's transaction.
 * EMS, core-hospital and disaster access (C8) are the rule's emergency branch: a grant in force
 * (chiikilink_emergency_access, opened by ./emergency.ts) lets its user read one patient's recent
 * records held by the facilities it opens; every row of a read it served is marked emergency and
 * names the grant. It serves reads only: writes (posts, the care team) need the rule itself.
 */

export type TSourceFacility = { id: string; code: string; name: string; isOwn: boolean };

/** What a read returns to the gateway: its value, and what it showed (the fields its kind's log shape needs). */
export type TOutcome<T> = {
  value: T;
  /** the access type, where the kind allows more than one (a file: FILE_VIEW or FILE_DOWNLOAD) */
  type?: AccessType;
  /** what was shown, for the log's detail column (a window, the criteria, a cell) */
  detail?: string | null;
  /** "owners": the owner facilities whose items were shown */
  owners?: Iterable<string>;
  /** "contents": the contents shown */
  contents?: readonly { id: string; ownerFacilityId: string }[];
  /** "content": the one content shown (a consent scan: the consent event) */
  content?: { id: string; ownerFacilityId?: string | null };
  /** "patients": the patients a list showed */
  patients?: Iterable<string>;
};

/** Thrown by `scope.deny()`: the read is refused from inside (e.g. a file the content does not list). */
class Refusal extends Error {}

type TBaseScope = {
  viewer: TViewer;
  /** the instant the rule is decided at */
  now: Date;
  /** a statement in the read's transaction */
  sql: TSql;
  /** the Prisma transaction of reads that run in one (see ./reads.ts `via`); using it in a plain-SQL read throws */
  tx: TTx;
  /** refuses the read: "not found" and a DENIED row, as if the gate had refused. Call it before writing anything. */
  deny(): never;
};

export type TPatientScope = TBaseScope & {
  patientId: string;
  /** the rule lets the viewer see the patient (or an emergency grant does: see `emergency`) */
  seesPatient: boolean;
  /** the emergency grant this read is served under (it opens more than the rule does), with the first care date it shows of prescriptions, injections and labs */
  emergency: { grantId: string; windowFrom: string } | null;
  /** the viewer manages the patient's registration */
  administers: boolean;
  /** the viewer's facility's active link for the patient, when the viewer reads records */
  ownLinkId: string | null;
  /** the facilities whose records the viewer sees (its own, and those sharing 診療情報), in facility-code order */
  facilities: TSourceFacility[];
  /** the patient's contents the viewer may see, as a relation: SELECT … FROM ${scope.contents} c */
  contents: Prisma.Sql;
  /** the patient's links through which their facilities view it now, with the start of the consent in force */
  viewingLinks(): Promise<TViewingLink[]>;
  /** which of these links the consent in force covers now */
  consentedLinks(linkIds: readonly string[]): Promise<Set<string>>;
  /** the ids of `viewingLinks()` as a relation of one column (link_id), for a read that filters links in its own statement */
  viewingLinkIds: Prisma.Sql;
  /** a boolean expression: the consent in force now covers the link whose id is `link` (e.g. Prisma.sql`l.id`) */
  consentInForce(link: Prisma.Sql): Prisma.Sql;
  /** whether the viewer's own link shares 診療情報 with the patient's other facilities now */
  ownLinkSharesClinical(): Promise<boolean>;
  /** active users who may see the patient now (the care team's candidates), by facility code and kana */
  usersSeeing(limit: number): Promise<string[]>;
};

export type TContentScope = TBaseScope & {
  content: { id: string; patientId: string; ownerFacilityId: string };
};

export type TIdentityScope = TBaseScope & {
  /**
   * The patients this list may show, as a relation with every patients column and `sees`,
   * `administers` (the viewer's access to each); for "facility" lists also the link's columns
   * (link_id, facility_patient_id, publication_state, share_basic, share_clinical), whether the
   * consent in force covers it (consent_in_force) and whether the viewer may open the patient (opens).
   */
  patients: Prisma.Sql;
};

type TGate = {
  exists: boolean;
  /** by the rule itself */
  seesPatient: boolean;
  /** an emergency grant in force that opens links the rule does not */
  emergency: rule.TEmergencyAccess | null;
  administers: boolean;
  reports: boolean;
  registers: boolean;
  own: string[];
  basic: string[];
  clinical: string[];
  facilities: TSourceFacility[];
};

const NO_GATE: TGate = { exists: false, seesPatient: false, emergency: null, administers: false, reports: false, registers: false, own: [], basic: [], clinical: [], facilities: [] };

/** What the gate must ask for a need (and whether the read lists the facilities). */
const asksFor = (need: TNeed, facilities = false): rule.TGateAsks => ({
  administers: need === "records-or-registration" || need === "registration" || need === "linking",
  reports: need === "report",
  registers: need === "linking",
  facilities,
});

async function gate(sql: TSql, viewer: TViewer, patientId: string, now: Date, asks: rule.TGateAsks): Promise<TGate> {
  if (!isUuid(patientId)) return NO_GATE;
  const [g] = await sql<{
    exists: boolean;
    sees_patient: boolean;
    administers: boolean;
    reports: boolean;
    registers: boolean;
    own_links: string[];
    basic_links: string[];
    clinical_links: string[];
    facilities: { id: string; code: string; name: string }[];
    em_grant: string | null;
    em_links: string[];
    em_from: string | null;
    em_extra: string[];
  }>(rule.gateSql(viewer, patientId, now, asks));
  if (!g?.exists) return NO_GATE;
  // a grant counts where it opens a link the rule does not (else the read is an ordinary one)
  const opensMore = g.em_grant !== null && g.em_links.some((l) => !g.own_links.includes(l) && !g.clinical_links.includes(l));
  return {
    exists: true,
    seesPatient: g.sees_patient,
    emergency: opensMore ? { grantId: g.em_grant!, links: g.em_links, windowFrom: g.em_from!, extra: g.em_extra } : null,
    administers: g.administers,
    reports: g.reports,
    registers: g.registers,
    own: g.own_links,
    basic: g.basic_links,
    clinical: g.clinical_links,
    facilities: g.facilities.map((f) => ({ ...f, isOwn: f.id === viewer.facilityId })),
  };
}

/** Whether the gate meets the need; an emergency grant meets a read's need for the records (never a write's). */
function allows(need: TNeed, g: TGate, read: boolean): boolean {
  if (!g.exists) return false;
  const sees = g.seesPatient || (read && g.emergency !== null);
  switch (need) {
    case "records":
      return sees;
    case "records-or-registration":
      return sees || g.administers;
    case "registration":
      return g.administers;
    case "report":
      return g.reports;
    case "linking":
      return g.registers;
  }
}

const NO_TX = new Proxy({} as TTx, {
  get() {
    throw new Error("this read runs as plain SQL (lib/access/reads.ts): use scope.sql");
  },
});

const deny = (): never => {
  throw new Refusal();
};

function session<T>(via: "sql" | "prisma", fn: (s: TSession) => Promise<T>, timeout?: number): Promise<T> {
  return via === "sql" ? inSqlSession(fn) : inPrismaSession(fn, { timeout });
}

type TResult<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Runs `work`; a refusal from inside writes its DENIED row in the same transaction and commits it. */
async function guarded<T>(s: TSession, viewer: TViewer, denied: () => TLogRow, error: () => AppError, work: () => Promise<{ value: T; rows: TLogRow[] }>): Promise<TResult<T>> {
  try {
    const { value, rows } = await work();
    await writeLog(s.fixed, viewer, rows);
    return { ok: true, value };
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    await writeLog(s.fixed, viewer, [denied()]);
    return { ok: false, error: error() };
  }
}

const unwrap = <T>(r: TResult<T>): T => {
  if (!r.ok) throw r.error;
  return r.value;
};

const distinct = (xs: Iterable<string>) => [...new Set(xs)];

/** The log rows of a successful read, in its kind's shape. */
function rowsOf(shape: TLogShape, type: AccessType, patientId: string | null, o: TOutcome<unknown>): TLogRow[] {
  const detail = o.detail ?? null;
  switch (shape) {
    case "patient":
      return [{ accessType: type, patientId, detail }];
    case "owners": {
      if (!o.owners) throw new Error(`a read logged per owner facility must say which owners it showed`);
      const owners = distinct(o.owners).sort();
      return owners.length === 0 ? [{ accessType: type, patientId, detail }] : owners.map((ownerFacilityId) => ({ accessType: type, patientId, ownerFacilityId, detail }));
    }
    case "contents": {
      if (!o.contents) throw new Error(`a read logged per content must say which contents it showed`);
      return o.contents.length === 0
        ? [{ accessType: type, patientId, detail }]
        : o.contents.map((c) => ({ accessType: type, patientId, ownerFacilityId: c.ownerFacilityId, contentId: c.id, detail }));
    }
    case "content": {
      if (!o.content) throw new Error(`a read of one content must say which`);
      return [{ accessType: type, patientId, ownerFacilityId: o.content.ownerFacilityId ?? null, contentId: o.content.id, detail }];
    }
    case "patients":
      throw new Error("lists of patients are logged by readIdentities");
  }
}

function typeOf(allowed: readonly AccessType[], asked: AccessType | undefined, fallback: AccessType): AccessType {
  if (asked === undefined) return fallback;
  if (!allowed.includes(asked)) throw new Error(`access type ${asked} is not one of this read's (${allowed.join(", ")})`);
  return asked;
}

type TViewingLink = { linkId: string; facilityId: string; consentFrom: Date | null };

/** The patient's links through which their facilities view it at `at`, with the start of the consent in force. */
async function viewingLinksOf(sql: TSql, patientId: string, at: Date): Promise<TViewingLink[]> {
  const rows = await sql<{ link_id: string; facility_id: string; consent_from: Date | null }>(rule.viewingLinksSql(patientId, at));
  return rows.map((r) => ({ linkId: r.link_id, facilityId: r.facility_id, consentFrom: r.consent_from }));
}

function patientScope(s: TSession, viewer: TViewer, patientId: string, now: Date, g: TGate): TPatientScope {
  return {
    viewer,
    now,
    sql: s.sql,
    tx: s.tx ?? NO_TX,
    deny,
    patientId,
    seesPatient: g.seesPatient || g.emergency !== null,
    emergency: g.emergency ? { grantId: g.emergency.grantId, windowFrom: g.emergency.windowFrom } : null,
    administers: g.administers,
    ownLinkId: g.own[0] ?? null,
    facilities: g.facilities,
    contents: rule.contentsRelation(patientId, { own_links: g.own, basic_links: g.basic, clinical_links: g.clinical, emergency: g.emergency }),
    viewingLinks: () => viewingLinksOf(s.sql, patientId, now),
    consentedLinks: async (ids) => new Set(ids.length ? (await s.sql<{ id: string }>(rule.consentedLinksSql(ids, now))).map((r) => r.id) : []),
    viewingLinkIds: Prisma.sql`(SELECT v.link_id FROM (${rule.viewingLinksSql(patientId, now)}) v)`,
    consentInForce: (link) => rule.consentCoversSql(link, now),
    ownLinkSharesClinical: async () => {
      const own = g.own[0];
      if (!own) return false;
      const rows = await s.sql<{ id: string }>(rule.sharingLinkSql(own, now));
      return rows.length > 0;
    },
    usersSeeing: async (limit) => (await s.sql<{ id: string }>(rule.usersSeeingSql(patientId, now, limit))).map((r) => r.id),
  };
}

/**
 * The gate of one patient, then `work` if the need is met; else one DENIED row naming what was
 * asked for (and the patient, when it exists), committed, and "not found".
 */
async function gated<T>(
  s: TSession,
  viewer: TViewer,
  patientId: string,
  now: Date,
  spec: { need: TNeed; label: string; facilities?: boolean },
  asked: string,
  work: (g: TGate) => Promise<{ value: T; rows: TLogRow[] }>,
  read = true,
): Promise<TResult<T>> {
  const found = await gate(s.generic, viewer, patientId, now, asksFor(spec.need, spec.facilities));
  // a write sees the rule alone: it neither uses nor is marked by an emergency grant
  const g = read ? found : { ...found, emergency: null };
  return guarded(
    s,
    viewer,
    () => ({ accessType: "DENIED", patientId: g.exists ? patientId : null, detail: `${spec.label} ${asked.slice(0, 80)}` }),
    () => notFound("patient"),
    async () => {
      if (!allows(spec.need, g, read)) deny();
      const done = await work(g);
      return g.emergency ? { ...done, rows: markEmergency(done.rows, g.emergency.grantId) } : done;
    },
  );
}

/** The rows of a read served under an emergency grant: each marked emergency, naming the grant. */
const markEmergency = (rows: TLogRow[], grantId: string): TLogRow[] => rows.map((r) => ({ ...r, isEmergency: true, emergencyGrantId: grantId }));

/**
 * A read of one patient (its records, its page, its registration, its access report). The
 * patient must pass the kind's need; `fn` reads through the scope and returns what it showed.
 */
export async function readPatient<T>(
  viewer: TViewer,
  kind: TPatientRead,
  patientId: string,
  fn: (scope: TPatientScope) => Promise<TOutcome<T>>,
  opts: { now?: Date; timeout?: number; /** what a refusal names, when not the patient id (a consent scan's event) */ asked?: string } = {},
): Promise<T> {
  const spec: (typeof PATIENT_READS)[TPatientRead] & { facilities?: boolean } = PATIENT_READS[kind];
  const now = opts.now ?? new Date();
  const result = await session(
    spec.via,
    (s) =>
      gated(s, viewer, patientId, now, spec, opts.asked ?? patientId, async (g) => {
        const o = await fn(patientScope(s, viewer, patientId, now, g));
        return { value: o.value, rows: rowsOf(spec.log, typeOf(spec.types, o.type, spec.types[0]), patientId, o) };
      }),
    opts.timeout,
  );
  return unwrap(result);
}

/** A read of one content by its id (with `patientId`, it must be that patient's); the rule decides for the item. */
export async function readContent<T>(
  viewer: TViewer,
  kind: TContentRead,
  contentId: string,
  fn: (scope: TContentScope) => Promise<TOutcome<T>>,
  opts: { now?: Date; patientId?: string; asked?: string } = {},
): Promise<T> {
  const spec = CONTENT_READS[kind];
  const now = opts.now ?? new Date();
  const result = await session(spec.via, (s) =>
    contentGated(s, viewer, contentId, now, { label: spec.label, what: kind === "file" ? "file" : "content", patientId: opts.patientId, asked: opts.asked }, async (content) => {
      const o = await fn({ viewer, now, sql: s.sql, tx: s.tx ?? NO_TX, deny, content });
      return { value: o.value, row: { accessType: typeOf(spec.types, o.type, spec.types[0]), detail: o.detail ?? null } };
    }),
  );
  return unwrap(result);
}

/**
 * The gate of one content, then `work` if the viewer may see it: its one log row names the
 * content; else one DENIED row naming what was asked for (and the patient, when it exists),
 * committed, and "not found".
 */
async function contentGated<T>(
  s: TSession,
  viewer: TViewer,
  contentId: string,
  now: Date,
  spec: { label: string; what: "file" | "content"; patientId?: string; asked?: string; write?: boolean },
  work: (content: TContentScope["content"]) => Promise<{ value: T; row: { accessType: AccessType; detail: string | null } }>,
): Promise<TResult<T>> {
  const gateFound = await contentGate(s.generic, viewer, contentId, now, spec.patientId);
  // a write sees the rule alone (an emergency grant serves reads)
  const found = spec.write && gateFound.emergencyGrantId ? { ...gateFound, visible: false, emergencyGrantId: null } : gateFound;
  return guarded(
    s,
    viewer,
    // The id column takes only what can be a content's id (a UUID): a refused request's path
    // segment is the requester's text (`/api/contents/=HYPERLINK(…)/files/…`), which stays in the
    // detail after the read's label, never in a column that names a content (ADR 0010).
    () => ({ accessType: "DENIED", patientId: found.patientId, contentId: isUuid(contentId) ? contentId : null, detail: `${spec.label} ${(spec.asked ?? contentId).slice(0, 80)}` }),
    () => notFound(spec.what),
    async () => {
      if (!found.visible) deny();
      const content = { id: found.id!, patientId: found.patientId!, ownerFacilityId: found.ownerFacilityId! };
      const { value, row } = await work(content);
      const logged: TLogRow = { ...row, patientId: content.patientId, ownerFacilityId: content.ownerFacilityId, contentId: content.id };
      return { value, rows: found.emergencyGrantId ? markEmergency([logged], found.emergencyGrantId) : [logged] };
    },
  );
}

/** `emergencyGrantId`: the content is visible only under this emergency grant. */
type TContentGate = { id: string | null; patientId: string | null; ownerFacilityId: string | null; visible: boolean; emergencyGrantId: string | null };

/** The content, if it is one the viewer may see; else what a refusal names (the patient asked for or the content's, when it exists). */
async function contentGate(sql: TSql, viewer: TViewer, contentId: string, now: Date, patientId?: string): Promise<TContentGate> {
  const none: TContentGate = { id: null, patientId: null, ownerFacilityId: null, visible: false, emergencyGrantId: null };
  if (!isUuid(contentId) || (patientId !== undefined && !isUuid(patientId))) return none;
  const [row] = await sql<{ id: string; patient_id: string | null; owner_facility_id: string; visible: boolean; em_grant: string | null }>(rule.contentGateSql(viewer, contentId, now, patientId));
  if (row) {
    const byGrant = !row.visible && row.em_grant !== null;
    return { id: row.id, patientId: row.patient_id, ownerFacilityId: row.owner_facility_id, visible: (row.visible || byGrant) && row.patient_id !== null, emergencyGrantId: byGrant ? row.em_grant : null };
  }
  if (patientId === undefined) return none;
  const [p] = await sql<{ id: string }>(rule.existingPatientSql(patientId));
  return { ...none, patientId: p?.id ?? null };
}

/**
 * A list of patients' identifying fields (searches, bookmarks, recent patients, notices, a
 * facility's own patients, a duplicate check). `fn` selects from `scope.patients` and says which
 * patients it showed: one row each.
 */
export async function readIdentities<T>(
  viewer: TViewer,
  kind: TIdentityRead,
  fn: (scope: TIdentityScope) => Promise<TOutcome<T>>,
  opts: { now?: Date; facilityId?: string } = {},
): Promise<T> {
  const spec: (typeof IDENTITY_READS)[TIdentityRead] & { emergency?: boolean } = IDENTITY_READS[kind];
  const now = opts.now ?? new Date();
  const result = await session(spec.via, async (s) => {
    const may =
      spec.over === "registry"
        ? mayRegisterPatients(viewer.roles)
        : spec.over === "facility"
          ? opts.facilityId !== undefined && isUuid(opts.facilityId) && (opts.facilityId === viewer.facilityId || isSecretariat(viewer)) && canSeeOwnPatientList(viewer)
          : spec.over === "ems"
            ? viewer.hasEmsPrivilege && mayReadRecords(viewer.roles)
            : true;
    const patients =
      spec.over === "visible"
        ? rule.visiblePatientsRelation(viewer, now)
        : spec.over === "registry" || spec.over === "ems"
          ? rule.registryRelation(viewer, now)
          : spec.over === "facility"
            ? rule.facilityPatientsRelation(viewer, opts.facilityId ?? viewer.facilityId, now)
            : rule.anyPatientRelation();
    return guarded(
      s,
      viewer,
      () => ({ accessType: "DENIED", detail: `${kind}${opts.facilityId ? ` ${opts.facilityId.slice(0, 80)}` : ""}` }),
      () => new AppError("FORBIDDEN", `not allowed: ${kind}`),
      async () => {
        if (!may) deny();
        const o = await fn({ viewer, now, sql: s.sql, tx: s.tx ?? NO_TX, deny, patients });
        if (!o.patients) throw new Error("a list of patients must say which patients it showed");
        const type = typeOf(spec.types, o.type, spec.types[0]);
        const shown = distinct(o.patients);
        const isEmergency = spec.emergency ?? false;
        const rows: TLogRow[] = shown.map((patientId) => ({ accessType: type, patientId, isEmergency, detail: o.detail ?? null }));
        if (rows.length === 0 && spec.logsEmpty) rows.push({ accessType: type, isEmergency, detail: o.detail ?? null });
        return { value: o.value, rows };
      },
    );
  });
  return unwrap(result);
}

/**
 * An audit view over the access log (a report, its rows, a CSV, a chain check): who may is the
 * kind's `may`; one row, naming the patient asked about, if any.
 */
export async function readAudit<T>(
  viewer: TViewer,
  kind: TAuditRead,
  fn: (scope: Omit<TBaseScope, "deny"> & { tx: TTx }) => Promise<{ value: T; patientId?: string | null; detail?: string | null }>,
  opts: { facilityId?: string; timeout?: number; now?: Date } = {},
): Promise<T> {
  const spec = AUDIT_READS[kind];
  const now = opts.now ?? new Date();
  const result = await inPrismaSession(
    (s) =>
      guarded(
        s,
        viewer,
        () => ({ accessType: "DENIED", detail: `${spec.label}${opts.facilityId ? ` ${opts.facilityId.slice(0, 80)}` : ""}` }),
        () => notFound(kind === "export" || kind === "verify" ? "facility" : "audit report"),
        async () => {
          if (!spec.may(viewer, opts.facilityId)) deny();
          const o = await fn({ viewer, now, sql: s.sql, tx: s.tx });
          return { value: o.value, rows: [{ accessType: spec.types[0], patientId: o.patientId ?? null, detail: o.detail ?? null }] };
        },
      ),
    { timeout: opts.timeout },
  );
  return unwrap(result);
}

export type TPatientWriteScope = Omit<TPatientScope, "tx"> & { tx: TTx };

/**
 * A write that needs the rule's decision about the patient (a post, the care team, a bookmark,
 * the registration), in one Prisma transaction with its log row (a post's CONTENT_POST).
 */
export async function writePatient<T>(
  viewer: TViewer,
  kind: TPatientWrite,
  patientId: string,
  fn: (scope: TPatientWriteScope) => Promise<{ value: T; content?: { id: string; ownerFacilityId: string }; detail?: string | null }>,
  opts: { now?: Date } = {},
): Promise<T> {
  const spec = PATIENT_WRITES[kind];
  const now = opts.now ?? new Date();
  const result = await inPrismaSession((s) =>
    gated(
      s,
      viewer,
      patientId,
      now,
      spec,
      patientId,
      async (g) => {
        const o = await fn({ ...patientScope(s, viewer, patientId, now, g), tx: s.tx });
        const type = (spec.types as readonly AccessType[])[0];
        const rows: TLogRow[] = type ? [{ accessType: type, patientId, ownerFacilityId: o.content?.ownerFacilityId ?? null, contentId: o.content?.id ?? null, detail: o.detail ?? null }] : [];
        return { value: o.value, rows };
      },
      false,
    ),
  );
  return unwrap(result);
}

/**
 * The gate of a write alone, before slow work outside any transaction (storing uploads): refuses
 * as writePatient would (a DENIED row, "not found"), else returns. writePatient decides again.
 */
export async function checkPatient(viewer: TViewer, kind: TPatientWrite, patientId: string, opts: { now?: Date } = {}): Promise<void> {
  const spec = PATIENT_WRITES[kind];
  const now = opts.now ?? new Date();
  unwrap(await inSqlSession((s) => gated(s, viewer, patientId, now, spec, patientId, async () => ({ value: undefined, rows: [] }), false)));
}

export type TContentWriteScope = TContentScope & { tx: TTx };

/** A write to one content the viewer may see (an edit, a deletion, a comment), with its log row. */
export async function writeContent<T>(
  viewer: TViewer,
  kind: TContentWrite,
  contentId: string,
  fn: (scope: TContentWriteScope) => Promise<{ value: T; detail?: string | null }>,
  opts: { now?: Date } = {},
): Promise<T> {
  const spec = CONTENT_WRITES[kind];
  const now = opts.now ?? new Date();
  const result = await inPrismaSession((s) =>
    contentGated(s, viewer, contentId, now, { label: spec.label, what: "content", write: true }, async (content) => {
      const o = await fn({ viewer, now, sql: s.sql, tx: s.tx, deny, content });
      return { value: o.value, row: { accessType: spec.types[0], detail: o.detail ?? null } };
    }),
  );
  return unwrap(result);
}

/*
 * The rule asked by the system itself, inside a transaction the caller holds (no viewer reads
 * anything, so nothing is logged): whom to notify, who may join a care team, which facilities a
 * publication notice goes to.
 */
export const whoSees = {
  /** Facilities that see the patient at `at` (a viewing link, consent in force). */
  async facilities(tx: TTx, patientId: string, at: Date): Promise<Set<string>> {
    return new Set((await viewingLinksOf(sqlOf(tx), patientId, at)).map((l) => l.facilityId));
  },
  /** The patient's viewing links at `at`, with the start of the consent period in force (when sharing began). */
  viewingLinks: (tx: TTx, patientId: string, at: Date): Promise<TViewingLink[]> => viewingLinksOf(sqlOf(tx), patientId, at),
  /** Of these users, those who may see the content at `at`. */
  async content(tx: TTx, contentId: string, userIds: readonly string[], at: Date): Promise<Set<string>> {
    if (userIds.length === 0 || !isUuid(contentId)) return new Set();
    return new Set((await sqlOf(tx)<{ id: string }>(rule.usersSeeingContentSql(contentId, userIds.filter(isUuid), at))).map((r) => r.id));
  },
  /** Whether this (active) user may see the patient at `at`. */
  async patient(tx: TTx, userId: string, patientId: string, at: Date): Promise<boolean> {
    if (!isUuid(userId) || !isUuid(patientId)) return false;
    return (await sqlOf(tx)<{ id: string }>(rule.userSeesPatientSql(userId, patientId, at))).length > 0;
  },
};
