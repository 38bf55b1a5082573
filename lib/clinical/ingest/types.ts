/**
 * What every import format (SS-MIX2 / HL7 v2.5, FHIR R4 JP Core) produces: drafts of content
 * items owned by the sending facility, keyed by the facility's own patient ID. The store
 * (lib/clinical/mutations.ts) writes them idempotently, all or nothing per message.
 */

export const CONTENT_CATEGORIES = [
  "PATIENT_INFO", // ADT-00, FHIR Patient: the facility's demographics of the patient
  "ADMISSION", // 入退院・期間 (ADT-12/22/52…, Encounter)
  "PRESCRIPTION_ORDER", // 処方 指示 (OMP-01, MedicationRequest)
  "PRESCRIPTION_DISPENSED", // 処方 実施 (OMP-11, MedicationDispense/Administration)
  "INJECTION_ORDER", // 注射 指示 (OMP-02)
  "INJECTION_ADMINISTERED", // 注射 実施 (OMP-12, MedicationAdministration)
  "LAB", // 検査 (OUL-01, OML-01/11, Observation, DiagnosticReport)
  "IMAGING", // 画像 (OMG-01…13, ImagingStudy)
  "REPORT", // レポート (DiagnosticReport with text)
  "DOCUMENT", // 文書 (DocumentReference)
  "FILE",
  "CHECKUP", // 健診
  "NOTE", // ノート 記録
  "NOTE_CONTACT", // ノート 連絡 (portal notes)
  "DIAGNOSIS", // 病名 (PPR-01, Condition)
  "ALLERGY", // アレルギー (ADT-61? / AllergyIntolerance)
] as const;
export type TContentCategory = (typeof CONTENT_CATEGORIES)[number];

export type TSourceKind = "SSMIX2" | "FHIR" | "PORTAL";

export type TContentDraft = {
  /** the sending facility's patient ID (PID-3 / Patient.identifier) */
  facilityPatientId: string;
  category: TContentCategory;
  /** when it happened (order/result/administration time); dates only → 00:00 JST of that day */
  occurredAt: Date;
  /** one line for lists and the calendar, e.g. "ダーゼン錠（５mg) 他2剤" */
  title: string;
  /** structured content (drug lines with HOT code, dose, usage, days; lab items with JLAC10, value, unit, range, flag; …) */
  payload: Record<string, unknown>;
  /**
   * Stable identity of this item at the facility, so a re-sent message replaces rather than
   * duplicates: e.g. "OMP-01:000000011000185" (data type + order number), "Observation/abc".
   */
  sourceKey: string;
  /**
   * Orders versions of the same item: the later one wins (SS-MIX2: the file-name timestamp
   * yyyymmddHHMMSSfff; FHIR: meta.lastUpdated as ISO text). Compared as strings.
   */
  sourceVersion: string;
  /** SS-MIX2 delete flag 0 / FHIR entered-in-error: the item is withdrawn */
  isDeleted: boolean;
  /** files that come with the item (images, PDFs): stored in the file store, listed in payload.files */
  files?: { fileName: string; contentType: string; bytes: Uint8Array }[];
};

/** The facility's demographics of the patient (ADT-00 PID, FHIR Patient). */
export type TPatientDraft = {
  facilityPatientId: string;
  nameKanji: string | null;
  nameKana: string | null;
  sex: "MALE" | "FEMALE" | "OTHER" | "UNKNOWN" | null;
  /** yyyy-mm-dd */
  birthDate: string | null;
  postalCode: string | null;
  address: string | null;
  phone: string | null;
};

export type TParsedMessage = {
  kind: TSourceKind;
  /** e.g. "OMP-01" or "Bundle" */
  dataType: string;
  patient: TPatientDraft | null;
  contents: TContentDraft[];
  /** the message's own version (SS-MIX2 file-name timestamp, FHIR meta.lastUpdated), for the patient draft */
  sourceVersion?: string;
};

/** A precise refusal: where (file, segment with its 1-based index, field) and why. */
export class IngestError extends Error {
  constructor(
    readonly reason: string,
    readonly where: { file?: string; segment?: string; segmentIndex?: number; field?: string; entry?: number } = {},
  ) {
    const at = [where.file, where.segment && `${where.segment}${where.segmentIndex ? `#${where.segmentIndex}` : ""}`, where.field, where.entry !== undefined && `entry[${where.entry}]`]
      .filter(Boolean)
      .join(" ");
    super(at ? `${at}: ${reason}` : reason);
    this.name = "IngestError";
  }
}
