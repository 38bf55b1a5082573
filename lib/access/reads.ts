import type { AccessType } from "@/generated/prisma/enums";
import { canExportAccessLogsOf, canSeeAuditReports } from "@/lib/access/roles";
import type { TViewer } from "@/lib/auth/viewer-type";

/*
 * EVERY WAY PATIENT DATA CAN BE READ (and the writes that need the same decision): one table per
 * entry point of the gateway (./gateway.ts). A kind says what the viewer's access to the patient
 * must be, which access-log type its success writes and in which shape, and how it reaches the
 * database. A read that is not listed here cannot happen: the gateway takes only these kinds, and
 * nothing outside lib/access may decide visibility or write the access log (eslint.config.mjs).
 *
 * A refusal is always the same: "not found" (a guessed id and a refused one look alike) and one
 * DENIED row naming what was asked for, and the patient when it exists.
 */

/** What a read needs of the viewer's access to the patient (decided once, by the rule in SQL). */
export type TNeed =
  /** the visibility rule lets the viewer see the patient (records, their lists, the care team) */
  | "records"
  /** the rule lets the viewer see the patient, or the viewer manages its registration */
  | "records-or-registration"
  /** the viewer manages the registration: identifying fields, links, consent (liaison staff, the secretariat) */
  | "registration"
  /** one patient's access report: the secretariat any patient; a facility's admins patients linked there */
  | "report"
  /** a role that registers patients, for any registered patient (linking one's own facility's ID, seed 000 "閲覧側で付与") */
  | "linking";

/**
 * How a successful read is logged; each kind logs exactly one shape.
 *   patient   one row naming the patient
 *   owners    one row per owner facility whose items it showed (one without an owner when none), so
 *             the disclosing facility's monthly CSV finds its rows
 *   contents  one row per content shown, with its owner (one without a content when none)
 *   content   one row naming the content and its owner
 *   patients  one row per patient a list showed (one without a patient when none)
 */
export type TLogShape = "patient" | "owners" | "contents" | "content" | "patients";

/**
 * `via`: "sql" reads run as plain SQL on a pooled connection (the hot reads), "prisma" reads in a
 * Prisma transaction (they load relations or keep bookkeeping). `label` names the read in the
 * log's detail column, e.g. a refusal's "calendar <the id asked for>". `facilities`: the read
 * shows which facilities' records the viewer sees (the calendar's legend and filter).
 */
type TPatientReadSpec = { need: TNeed; types: readonly AccessType[]; log: TLogShape; via: "sql" | "prisma"; label: string; facilities?: boolean };

/** Reads of one patient's records or registration, by patient id. */
export const PATIENT_READS = {
  /** the patient page: header, links, bookmark; PATIENT_VIEW, or PATIENT_ADMIN_VIEW when only the registration is open */
  page: { need: "records-or-registration", types: ["PATIENT_VIEW", "PATIENT_ADMIN_VIEW"], log: "patient", via: "sql", label: "patient" },
  /** a calendar window: counts per row and column, stay bars */
  calendar: { need: "records", types: ["CALENDAR_VIEW"], log: "owners", via: "sql", label: "calendar", facilities: true },
  /** the items behind one calendar cell, with their content */
  cell: { need: "records", types: ["CONTENT_VIEW"], log: "contents", via: "sql", label: "calendar cell" },
  /** a tab view (seed 004) page over a date range */
  tab: { need: "records", types: ["TAB_VIEW"], log: "owners", via: "sql", label: "records", facilities: true },
  /** lab values over years across facilities */
  trend: { need: "records", types: ["LAB_TREND"], log: "owners", via: "sql", label: "lab trend", facilities: true },
  /** the notes, documents and files list */
  posts: { need: "records", types: ["TAB_VIEW"], log: "owners", via: "prisma", label: "posts" },
  /** the post forms (whether others will see what is posted) */
  postForm: { need: "records", types: ["PATIENT_VIEW"], log: "patient", via: "prisma", label: "post form" },
  /** the care team (参加者) and who could join it */
  participants: { need: "records", types: ["PATIENT_VIEW"], log: "patient", via: "prisma", label: "participants" },
  /** 同意履歴 */
  consent: { need: "records-or-registration", types: ["PATIENT_ADMIN_VIEW"], log: "patient", via: "prisma", label: "consent of patient" },
  /** a scanned consent form (the content is the consent event) */
  consentScan: { need: "records-or-registration", types: ["CONSENT_SCAN_VIEW"], log: "content", via: "prisma", label: "consent scan" },
  /** 変更履歴 of the personal information */
  revisions: { need: "registration", types: ["PATIENT_ADMIN_VIEW"], log: "patient", via: "prisma", label: "revisions" },
  /** 患者別閲覧履歴: who viewed the patient's data */
  accessReport: { need: "report", types: ["PATIENT_ADMIN_VIEW"], log: "patient", via: "prisma", label: "access report" },
} as const satisfies Record<string, TPatientReadSpec>;

/** Reads of one content by its id (its patient follows from it); the rule decides per item. */
export const CONTENT_READS = {
  /** one content with its payload (the content page) */
  content: { types: ["CONTENT_VIEW"], via: "sql", label: "content" },
  /** a note, document or file with its comments; opening it marks the thread read */
  thread: { types: ["CONTENT_VIEW"], via: "prisma", label: "note" },
  /** a file of a content, shown (JPEG, PNG, PDF) or downloaded (anything else, or when asked) */
  file: { types: ["FILE_VIEW", "FILE_DOWNLOAD"], via: "prisma", label: "file" },
} as const satisfies Record<string, { types: readonly AccessType[]; via: "sql" | "prisma"; label: string }>;

/**
 * Reads of patients' identifying fields in lists. `over` is the set the list draws from:
 *   visible    patients the rule lets the viewer see
 *   registry   every registered patient, identifying fields only (liaison staff, the secretariat)
 *   facility   one facility's own linked patients (its staff; the secretariat any facility)
 *   addressee  the patient a system notice to the viewer names (the notice was theirs to receive)
 *   ems        every registered patient, for staff with the EMS privilege (name search, PDQ, seed 001)
 */
export const IDENTITY_READS = {
  /** 地域患者一覧 */
  search: { over: "visible", types: ["PATIENT_SEARCH"], logsEmpty: true, via: "sql" },
  /** 個人情報検索 */
  registration: { over: "registry", types: ["REGISTRATION_SEARCH"], logsEmpty: true, via: "sql" },
  /** likely duplicates of a registration in progress */
  duplicates: { over: "registry", types: ["DUPLICATE_CHECK"], logsEmpty: true, via: "sql" },
  /** ブックマーク on the home page */
  bookmarks: { over: "visible", types: ["IDENTITY_LIST"], logsEmpty: false, via: "sql" },
  /** 最近参照した患者 */
  recent: { over: "visible", types: ["IDENTITY_LIST"], logsEmpty: false, via: "sql" },
  /** the notices page, naming each notice's patient */
  notices: { over: "visible", types: ["IDENTITY_LIST"], logsEmpty: false, via: "sql" },
  /** 自施設患者一覧 */
  ownList: { over: "facility", types: ["OWN_PATIENT_LIST"], logsEmpty: true, via: "sql" },
  /** a system message (公開設定完了のお知らせ, EMS) that names a patient, opened by its recipient */
  notice: { over: "addressee", types: ["IDENTITY_LIST"], logsEmpty: false, via: "prisma" },
  /** EMS name search (PDQ, seed 001): answers only on exactly one match; every search logged, hit or miss */
  emsSearch: { over: "ems", types: ["EMS_SEARCH"], logsEmpty: true, via: "sql", emergency: true },
} as const satisfies Record<
  string,
  { over: "visible" | "registry" | "facility" | "addressee" | "ems"; types: readonly AccessType[]; /** its rows are marked emergency (the EMS name search) */ emergency?: boolean; /** a list that showed nobody still logs one row (the search itself) */ logsEmpty: boolean; via: "sql" | "prisma" }
>;

/**
 * Audit views that read the access log (which names patients), or check it; `may` is who may
 * (for one facility's log where it takes one). Logged with the patient when one is asked about.
 */
export const AUDIT_READS = {
  /** 不審なアクセス */
  unusual: { types: ["PATIENT_ADMIN_VIEW"], may: (v) => canSeeAuditReports(v), label: "audit report" },
  /** access-log rows behind a count or a finding */
  rows: { types: ["PATIENT_ADMIN_VIEW"], may: (v) => canSeeAuditReports(v), label: "audit report" },
  /** a month's access-log CSV of one facility */
  export: { types: ["ACCESS_LOG_EXPORT"], may: (v, facilityId) => facilityId !== undefined && canExportAccessLogsOf(v, facilityId), label: "access log export" },
  /** 改ざん検証 of one facility's month */
  verify: { types: ["ACCESS_LOG_VERIFY"], may: (v, facilityId) => facilityId !== undefined && canExportAccessLogsOf(v, facilityId), label: "access log verify" },
  /** emergency grants: the secretariat's review queue and monthly report (any facility); a facility's admins their own staff's */
  emergency: { types: ["PATIENT_ADMIN_VIEW"], may: (v, facilityId) => canSeeAuditReports(v) || (facilityId !== undefined && canExportAccessLogsOf(v, facilityId)), label: "emergency review" },
} as const satisfies Record<string, { types: readonly AccessType[]; may: (viewer: TViewer, facilityId?: string) => boolean; label: string }>;

/**
 * Writes that need the rule's decision about the patient: posting into its records, its care
 * team, bookmarks, its registration. Those with no type log nothing but their refusals (they are
 * kept as their own history: consent events, revisions, links).
 */
export const PATIENT_WRITES = {
  /** a note, document or file posted for the patient (through the poster's facility's own link) */
  post: { need: "records", types: ["CONTENT_POST"], label: "post" },
  /** joining or changing the care team */
  participants: { need: "records", types: [], label: "participants" },
  /** a bookmark set on the patient */
  bookmark: { need: "records", types: [], label: "bookmark" },
  /** personal information, links, consent */
  registration: { need: "registration", types: [], label: "registration" },
  /** linking a facility patient ID: one's own facility's to any registered patient, any to a patient whose registration one manages */
  link: { need: "linking", types: [], label: "link" },
} as const satisfies Record<string, { need: TNeed; types: readonly AccessType[]; label: string }>;

/** Writes to one content the viewer may see. */
export const CONTENT_WRITES = {
  edit: { types: ["CONTENT_EDIT"], label: "edit" },
  delete: { types: ["CONTENT_DELETE"], label: "delete" },
  comment: { types: ["COMMENT_POST"], label: "comment" },
} as const satisfies Record<string, { types: readonly AccessType[]; label: string }>;

export type TPatientRead = keyof typeof PATIENT_READS;
export type TContentRead = keyof typeof CONTENT_READS;
export type TIdentityRead = keyof typeof IDENTITY_READS;
export type TAuditRead = keyof typeof AUDIT_READS;
export type TPatientWrite = keyof typeof PATIENT_WRITES;
export type TContentWrite = keyof typeof CONTENT_WRITES;

/**
 * Access types that only list patients' identifying fields (one row per patient shown): the
 * unusual-access report's "many patients within an hour" counts records opened, not names listed.
 */
export const IDENTITY_LIST_TYPES = [
  ...new Set(Object.values(IDENTITY_READS).flatMap((r) => r.types)),
] as AccessType[];
