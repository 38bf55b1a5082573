/**
 * FHIR R4 (JP Core) Bundle import: a pure mapping from a Bundle's JSON to content drafts for one
 * patient of the sending facility. No database access; the store writes the result.
 *
 * Validation is deliberately loose: only the fields used here are checked (with their FHIR types),
 * anything else in a resource is allowed and ignored. Anything malformed among the used fields is
 * refused with an IngestError naming the entry index and the field path, e.g.
 * "entry[3].resource.effectiveDateTime".
 *
 * Mapping (one content per resource unless noted):
 * - Patient → `patient` (demographics); not a content item. At most one Patient per Bundle.
 * - MedicationRequest → PRESCRIPTION_ORDER, or INJECTION_ORDER when its category or route says
 *   injection; MedicationDispense → PRESCRIPTION_DISPENSED; MedicationAdministration →
 *   INJECTION_ADMINISTERED. payload.lines: one line per drug (a referenced Medication with
 *   ingredients, e.g. a mixed injection, gives one line per ingredient); a MedicationRequest's
 *   payload.requester is the prescriber (処方医) as requester.display names it.
 * - Observation → LAB (payload.items), unless a DiagnosticReport in the same Bundle lists it as a
 *   result: then it is folded into that report's items and not emitted on its own.
 * - DiagnosticReport → REPORT when it has a conclusion or presentedForm, else LAB.
 * - Health check-ups (健診): a DiagnosticReport, or an Observation panel (hasMember), whose category
 *   is a check-up (coding code "checkup", "health-checkup" or "HC", or text/display containing
 *   "健診"; JP Core fixes no code) → CHECKUP, its results folded into payload.items as for LAB.
 * - ImagingStudy → IMAGING; Condition → DIAGNOSIS; AllergyIntolerance → ALLERGY.
 * - Encounter → ADMISSION for inpatient classes (IMP, ACUTE, NONAC); other encounters are skipped.
 * - DocumentReference → DOCUMENT: metadata only; attachment data is never copied (hasData flag).
 * - Medication resources are only used to resolve medicationReference; every other resource type
 *   (MessageHeader, Practitioner, Organization, Composition, …) is ignored.
 *
 * Every clinical resource must name the patient (subject, or patient for AllergyIntolerance) by a
 * reference to the Bundle's Patient or by the patient's identifier; a second patient is refused.
 */
import { z } from "zod";
import { IngestError, type TContentCategory, type TContentDraft, type TParsedMessage, type TPatientDraft } from "./types";

// ---------------------------------------------------------------------------------------------
// Code systems (JP Core)
// ---------------------------------------------------------------------------------------------

export const FHIR_SYSTEMS = {
  HOT9: "urn:oid:1.2.392.200119.4.403.1",
  HOT7: "urn:oid:1.2.392.200119.4.403.2",
  HOT13: "urn:oid:1.2.392.200119.4.402.1",
  YJ: "urn:oid:1.2.392.100495.20.1.73",
  JLAC10: "urn:oid:1.2.392.200119.4.504",
  /** prefix of the facility patient-ID namespace: ...51.1 + the 10-digit medical institution code */
  PATIENT_ID_PREFIX: "urn:oid:1.2.392.100495.20.3.51.1",
  NAME_REPRESENTATION: "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation",
} as const;

const DRUG_SYSTEMS: ReadonlyArray<readonly [string, string]> = [
  [FHIR_SYSTEMS.HOT9, "HOT9"],
  [FHIR_SYSTEMS.HOT13, "HOT13"],
  [FHIR_SYSTEMS.HOT7, "HOT7"],
  [FHIR_SYSTEMS.YJ, "YJ"],
];

/** the longest facility patient ID the store keeps (ClinicalContent.facilityPatientId) */
const MAX_PATIENT_ID = 20;
const MAX_SOURCE_KEY = 200;
const MAX_TITLE = 200;
const MAX_VERSION = 40;

// ---------------------------------------------------------------------------------------------
// Schemas: only what is read, unknown fields allowed
// ---------------------------------------------------------------------------------------------

const str = z.string();
const num = z.number();
const coding = z.looseObject({ system: str.optional(), code: str.optional(), display: str.optional() });
const codeable = z.looseObject({ coding: z.array(coding).optional(), text: str.optional() });
const identifier = z.looseObject({ system: str.optional(), value: str.optional() });
const reference = z.looseObject({ reference: str.optional(), identifier: identifier.optional(), display: str.optional() });
const quantity = z.looseObject({ value: num.optional(), unit: str.optional(), code: str.optional(), comparator: str.optional() });
const period = z.looseObject({ start: str.optional(), end: str.optional() });
const meta = z.looseObject({ lastUpdated: str.optional(), versionId: str.optional() });
/** Inline attachment types kept as files (checked again by content when stored). */
const FILE_TYPES = ["image/jpeg", "application/pdf"];
const MAX_FILE_BYTES = 10 * 1024 * 1024;

const attachment = z.looseObject({
  contentType: str.optional(),
  language: str.optional(),
  data: str.optional(),
  url: str.optional(),
  size: num.optional(),
  title: str.optional(),
  creation: str.optional(),
});
const extension = z.looseObject({ url: str, valueCode: str.optional(), valueString: str.optional() });

const base = { id: str.optional(), meta: meta.optional() };

const humanName = z.looseObject({
  extension: z.array(extension).optional(),
  use: str.optional(),
  text: str.optional(),
  family: str.optional(),
  given: z.array(str).optional(),
});

const patientSchema = z.looseObject({
  ...base,
  identifier: z.array(identifier).optional(),
  name: z.array(humanName).optional(),
  gender: str.optional(),
  birthDate: str.optional(),
  address: z
    .array(z.looseObject({ use: str.optional(), text: str.optional(), postalCode: str.optional(), line: z.array(str).optional(), city: str.optional(), state: str.optional() }))
    .optional(),
  telecom: z.array(z.looseObject({ system: str.optional(), value: str.optional(), use: str.optional() })).optional(),
});

const timing = z.looseObject({
  code: codeable.optional(),
  repeat: z.looseObject({ boundsDuration: quantity.optional(), frequency: num.optional(), period: num.optional(), periodUnit: str.optional() }).optional(),
});
const dosage = z.looseObject({
  text: str.optional(),
  timing: timing.optional(),
  route: codeable.optional(),
  method: codeable.optional(),
  doseAndRate: z.array(z.looseObject({ doseQuantity: quantity.optional() })).optional(),
});

const medicationSchema = z.looseObject({
  ...base,
  code: codeable.optional(),
  ingredient: z.array(z.looseObject({ itemCodeableConcept: codeable.optional(), itemReference: reference.optional(), strength: z.looseObject({ numerator: quantity.optional(), denominator: quantity.optional() }).optional() })).optional(),
});

const contained = z.array(z.looseObject({ resourceType: str, id: str.optional() })).optional();

const medicationFields = {
  ...base,
  status: str.optional(),
  contained,
  medicationCodeableConcept: codeable.optional(),
  medicationReference: reference.optional(),
  subject: reference.optional(),
};

const medicationRequestSchema = z.looseObject({
  ...medicationFields,
  identifier: z.array(identifier).optional(),
  groupIdentifier: identifier.optional(),
  category: z.array(codeable).optional(),
  authoredOn: str.optional(),
  requester: reference.optional(),
  dosageInstruction: z.array(dosage).optional(),
  dispenseRequest: z.looseObject({ quantity: quantity.optional(), expectedSupplyDuration: quantity.optional() }).optional(),
  note: z.array(z.looseObject({ text: str.optional() })).optional(),
});

const medicationDispenseSchema = z.looseObject({
  ...medicationFields,
  quantity: quantity.optional(),
  daysSupply: quantity.optional(),
  whenPrepared: str.optional(),
  whenHandedOver: str.optional(),
  dosageInstruction: z.array(dosage).optional(),
});

const medicationAdministrationSchema = z.looseObject({
  ...medicationFields,
  category: codeable.optional(),
  effectiveDateTime: str.optional(),
  effectivePeriod: period.optional(),
  dosage: z.looseObject({ text: str.optional(), route: codeable.optional(), method: codeable.optional(), dose: quantity.optional() }).optional(),
});

const referenceRange = z.looseObject({ low: quantity.optional(), high: quantity.optional(), text: str.optional() });
const observationValue = {
  valueQuantity: quantity.optional(),
  valueString: str.optional(),
  valueCodeableConcept: codeable.optional(),
  valueInteger: z.number().int().optional(),
  valueBoolean: z.boolean().optional(),
  interpretation: z.array(codeable).optional(),
  referenceRange: z.array(referenceRange).optional(),
};
const observationSchema = z.looseObject({
  ...base,
  status: str.optional(),
  category: z.array(codeable).optional(),
  code: codeable,
  subject: reference.optional(),
  effectiveDateTime: str.optional(),
  effectivePeriod: period.optional(),
  effectiveInstant: str.optional(),
  issued: str.optional(),
  specimen: reference.optional(),
  component: z.array(z.looseObject({ code: codeable, ...observationValue })).optional(),
  hasMember: z.array(reference).optional(),
  ...observationValue,
});

const diagnosticReportSchema = z.looseObject({
  ...base,
  status: str.optional(),
  category: z.array(codeable).optional(),
  code: codeable,
  subject: reference.optional(),
  effectiveDateTime: str.optional(),
  effectivePeriod: period.optional(),
  issued: str.optional(),
  result: z.array(reference).optional(),
  conclusion: str.optional(),
  conclusionCode: z.array(codeable).optional(),
  presentedForm: z.array(attachment).optional(),
});

const imagingStudySchema = z.looseObject({
  ...base,
  status: str.optional(),
  identifier: z.array(identifier).optional(),
  modality: z.array(coding).optional(),
  subject: reference.optional(),
  started: str.optional(),
  description: str.optional(),
  numberOfSeries: num.optional(),
  numberOfInstances: num.optional(),
  procedureCode: z.array(codeable).optional(),
  series: z
    .array(z.looseObject({ uid: str.optional(), modality: coding.optional(), description: str.optional(), bodySite: coding.optional(), numberOfInstances: num.optional() }))
    .optional(),
});

const conditionSchema = z.looseObject({
  ...base,
  clinicalStatus: codeable.optional(),
  verificationStatus: codeable.optional(),
  category: z.array(codeable).optional(),
  code: codeable.optional(),
  bodySite: z.array(codeable).optional(),
  subject: reference.optional(),
  onsetDateTime: str.optional(),
  onsetPeriod: period.optional(),
  abatementDateTime: str.optional(),
  recordedDate: str.optional(),
  note: z.array(z.looseObject({ text: str.optional() })).optional(),
});

const allergySchema = z.looseObject({
  ...base,
  clinicalStatus: codeable.optional(),
  verificationStatus: codeable.optional(),
  type: str.optional(),
  category: z.array(str).optional(),
  criticality: str.optional(),
  code: codeable.optional(),
  patient: reference.optional(),
  onsetDateTime: str.optional(),
  recordedDate: str.optional(),
  reaction: z
    .array(z.looseObject({ substance: codeable.optional(), manifestation: z.array(codeable).optional(), severity: str.optional(), description: str.optional() }))
    .optional(),
});

const encounterSchema = z.looseObject({
  ...base,
  status: str.optional(),
  class: coding.optional(),
  type: z.array(codeable).optional(),
  subject: reference.optional(),
  period: period.optional(),
  hospitalization: z.looseObject({ admitSource: codeable.optional(), dischargeDisposition: codeable.optional() }).optional(),
  location: z.array(z.looseObject({ location: reference.optional() })).optional(),
  serviceProvider: reference.optional(),
});

const documentReferenceSchema = z.looseObject({
  ...base,
  status: str.optional(),
  docStatus: str.optional(),
  type: codeable.optional(),
  category: z.array(codeable).optional(),
  subject: reference.optional(),
  date: str.optional(),
  description: str.optional(),
  content: z.array(z.looseObject({ attachment })).optional(),
  context: z.looseObject({ period: period.optional() }).optional(),
});

const bundleSchema = z.looseObject({
  resourceType: z.literal("Bundle"),
  id: str.optional(),
  type: z.enum(["transaction", "batch", "collection", "message"]),
  timestamp: str.optional(),
  entry: z.array(z.looseObject({ fullUrl: str.optional(), resource: z.looseObject({ resourceType: str, id: str.optional() }) })).optional(),
});

const SCHEMAS = {
  Patient: patientSchema,
  Medication: medicationSchema,
  MedicationRequest: medicationRequestSchema,
  MedicationDispense: medicationDispenseSchema,
  MedicationAdministration: medicationAdministrationSchema,
  Observation: observationSchema,
  DiagnosticReport: diagnosticReportSchema,
  ImagingStudy: imagingStudySchema,
  Condition: conditionSchema,
  AllergyIntolerance: allergySchema,
  Encounter: encounterSchema,
  DocumentReference: documentReferenceSchema,
} as const;
type TKnownType = keyof typeof SCHEMAS;
type TResource<K extends TKnownType> = z.infer<(typeof SCHEMAS)[K]>;
type TCodeable = z.infer<typeof codeable>;
type TCoding = z.infer<typeof coding>;
type TQuantity = z.infer<typeof quantity>;
type TReference = z.infer<typeof reference>;
type TDosage = z.infer<typeof dosage>;
type TMedication = z.infer<typeof medicationSchema>;

export const FHIR_MAPPED_RESOURCE_TYPES = Object.keys(SCHEMAS) as TKnownType[];

// ---------------------------------------------------------------------------------------------
// Errors and paths
// ---------------------------------------------------------------------------------------------

/** zod's path as FHIRPath-like text: a.b[0].c */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}

function zodReason(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid value";
  if (issue.code === "invalid_type") return `expected ${issue.expected}`;
  if (issue.code === "invalid_value") return `expected one of ${issue.values.map(String).join(", ")}`;
  return issue.message;
}

type TCtx = { file?: string };

function fail(ctx: TCtx, reason: string, entry?: number, field?: string): never {
  throw new IngestError(reason, { file: ctx.file, entry, field });
}

/** "entry[3].resource" + ".effectiveDateTime" */
const resourcePath = (entry: number, rest?: string) => `entry[${entry}].resource${rest ? `.${rest}` : ""}`;

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A FHIR date, dateTime or instant as a point in time. Dates (and partial dates: year, year-month)
 * mean 00:00 in Japan of their first day; a time without an offset is Japan time. Null when the
 * text is not a valid date.
 */
export function parseFhirDateTime(text: string): Date | null {
  const m = FHIR_DATE.exec(text.trim());
  if (!m) return null;
  const [, y, mo = "01", d = "01", h = "00", mi = "00", s = "00", frac = "", tz] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  let offsetMs = JST_OFFSET_MS;
  if (tz === "Z") offsetMs = 0;
  else if (tz) {
    const oh = Number(tz.slice(1, 3));
    const om = Number(tz.slice(4, 6));
    if (oh > 14 || om > 59) return null;
    offsetMs = (tz.startsWith("-") ? -1 : 1) * (oh * 60 + om) * 60 * 1000;
  }
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMs;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? null : date;
}

function requireDate(ctx: TCtx, entry: number, field: string, text: string): Date {
  const date = parseFhirDateTime(text);
  if (!date) fail(ctx, `invalid date/time "${text}"`, entry, resourcePath(entry, field));
  return date;
}

/** The first present candidate, parsed; a present but invalid one is refused (not skipped). */
function pickDate(ctx: TCtx, entry: number, candidates: ReadonlyArray<readonly [string, string | undefined]>): Date | null {
  for (const [field, text] of candidates) if (text !== undefined) return requireDate(ctx, entry, field, text);
  return null;
}

/** Validates an optional date used in the payload and returns it as given (null when absent). */
function checkedDate(ctx: TCtx, entry: number, field: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  requireDate(ctx, entry, field, text);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Small readers
// ---------------------------------------------------------------------------------------------

const clean = (s: string | undefined | null): string | null => {
  const t = s?.trim();
  return t ? t : null;
};

/** the human-readable text of a CodeableConcept: text, else the first display, else the first code */
function conceptText(c: TCodeable | undefined): string | null {
  if (!c) return null;
  return clean(c.text) ?? clean(c.coding?.find((x) => clean(x.display))?.display) ?? clean(c.coding?.find((x) => clean(x.code))?.code) ?? null;
}

const codingOf = (c: TCodeable | undefined, system: string): TCoding | undefined => c?.coding?.find((x) => x.system === system && clean(x.code));

const codesOf = (c: TCodeable | undefined): string[] => (c?.coding ?? []).map((x) => clean(x.code)).filter((x): x is string => x !== null);

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
}

/** "YYYY/MM/DD" of a point in time, in Japan */
function japanDay(d: Date): string {
  const j = new Date(d.getTime() + JST_OFFSET_MS);
  return `${j.getUTCFullYear()}/${String(j.getUTCMonth() + 1).padStart(2, "0")}/${String(j.getUTCDate()).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// Versions and keys
// ---------------------------------------------------------------------------------------------

/**
 * meta.lastUpdated as UTC ISO text (so that a later update compares greater as a string whatever
 * offset the sender used); else a numeric meta.versionId zero-padded to 12 digits; else "0".
 */
function sourceVersionOf(ctx: TCtx, entry: number, m: z.infer<typeof meta> | undefined): string {
  if (m?.lastUpdated !== undefined) return requireDate(ctx, entry, "meta.lastUpdated", m.lastUpdated).toISOString();
  const v = clean(m?.versionId);
  if (v) return truncate(/^\d+$/.test(v) ? v.padStart(12, "0") : v, MAX_VERSION);
  return "0";
}

const UUID_URN = /^urn:uuid:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

function resourceIdOf(ctx: TCtx, entry: number, id: string | undefined, fullUrl: string | undefined): string {
  const own = clean(id);
  if (own) return own;
  const urn = fullUrl ? UUID_URN.exec(fullUrl.trim()) : null;
  if (urn?.[1]) return urn[1].toLowerCase();
  return fail(ctx, "no resource id (id, or a fullUrl urn:uuid, is required)", entry, resourcePath(entry, "id"));
}

// ---------------------------------------------------------------------------------------------
// Patient
// ---------------------------------------------------------------------------------------------

type TPatientRef = {
  /** the chosen identifier (the facility patient ID) */
  facilityPatientId: string;
  system: string | null;
  /** every identifier of the Patient, for identifier references */
  identifiers: Array<{ system: string | null; value: string }>;
  /** literal references that name it: Patient/{id}, the fullUrl */
  literals: Set<string>;
  id: string | null;
};

function nameOf(names: TResource<"Patient">["name"], representation: "IDE" | "SYL"): string | null {
  const match = names?.find((n) => n.extension?.some((e) => e.url === FHIR_SYSTEMS.NAME_REPRESENTATION && e.valueCode === representation));
  return match ? nameText(match) : null;
}

/** text, else family and given names joined by a space ("山田 太郎") */
function nameText(n: NonNullable<TResource<"Patient">["name"]>[number]): string | null {
  const text = clean(n.text);
  if (text) return text;
  const parts = [clean(n.family), ...(n.given ?? []).map(clean)].filter((x): x is string => x !== null);
  return parts.length ? parts.join(" ") : null;
}

const SEX: Record<string, TPatientDraft["sex"]> = { male: "MALE", female: "FEMALE", other: "OTHER", unknown: "UNKNOWN" };

function mapPatient(
  ctx: TCtx,
  entry: number,
  fullUrl: string | undefined,
  p: TResource<"Patient">,
  patientIdSystem: string | undefined,
): { draft: TPatientDraft; ref: TPatientRef } {
  const identifiers = (p.identifier ?? [])
    .map((i) => ({ system: clean(i.system), value: clean(i.value) }))
    .filter((i): i is { system: string | null; value: string } => i.value !== null);
  const chosen =
    (patientIdSystem ? identifiers.find((i) => i.system === patientIdSystem) : undefined) ??
    identifiers.find((i) => i.system?.startsWith(FHIR_SYSTEMS.PATIENT_ID_PREFIX)) ??
    identifiers[0];
  if (!chosen) fail(ctx, "Patient has no identifier (the facility patient ID)", entry, resourcePath(entry, "identifier"));
  if (chosen.value.length > MAX_PATIENT_ID) fail(ctx, `patient ID longer than ${MAX_PATIENT_ID} characters`, entry, resourcePath(entry, "identifier"));

  // A name without a representation extension is taken as the kanji name.
  const plain = p.name?.find((n) => !n.extension?.some((x) => x.url === FHIR_SYSTEMS.NAME_REPRESENTATION));
  const nameKanji = nameOf(p.name, "IDE") ?? (plain ? nameText(plain) : null);
  const nameKana = nameOf(p.name, "SYL");

  let birthDate: string | null = null;
  if (p.birthDate !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p.birthDate) || !parseFhirDateTime(p.birthDate)) fail(ctx, `invalid birth date "${p.birthDate}" (yyyy-mm-dd)`, entry, resourcePath(entry, "birthDate"));
    birthDate = p.birthDate;
  }
  let sex: TPatientDraft["sex"] = null;
  if (p.gender !== undefined) {
    const s = SEX[p.gender];
    if (!s) fail(ctx, `unknown gender "${p.gender}"`, entry, resourcePath(entry, "gender"));
    sex = s;
  }
  const address = p.address?.find((a) => a.use === "home") ?? p.address?.[0];
  const addressText = address ? (clean(address.text) ?? clean([address.state, address.city, ...(address.line ?? [])].filter(Boolean).join("")) ?? null) : null;
  const phones = (p.telecom ?? []).filter((t) => t.system === "phone" && clean(t.value));
  const phone = phones.find((t) => t.use === "home") ?? phones[0];

  const id = clean(p.id);
  const literals = new Set<string>();
  if (id) literals.add(`Patient/${id}`);
  if (clean(fullUrl)) literals.add(fullUrl!.trim());
  return {
    draft: {
      facilityPatientId: chosen.value,
      nameKanji,
      nameKana,
      sex,
      birthDate,
      postalCode: clean(address?.postalCode),
      address: addressText,
      phone: clean(phone?.value),
    },
    ref: { facilityPatientId: chosen.value, system: chosen.system, identifiers, literals, id },
  };
}

/** Does a literal reference name this patient (relative, absolute, versioned, or the fullUrl)? */
function literalMatches(refText: string, pat: TPatientRef): boolean {
  const r = refText.trim();
  if (pat.literals.has(r)) return true;
  if (!pat.id) return false;
  const m = /(?:^|\/)Patient\/([^/]+)(?:\/_history\/[^/]+)?$/.exec(r);
  return m?.[1] === pat.id;
}

// ---------------------------------------------------------------------------------------------
// Medications
// ---------------------------------------------------------------------------------------------

export type TFhirDrugLine = {
  code: string | null;
  /** "HOT9" | "HOT13" | "HOT7" | "YJ" | the coding's system | null */
  codeSystem: string | null;
  name: string | null;
  dose: number | null;
  doseUnit: string | null;
  usage: string | null;
  usageCode: string | null;
  days: number | null;
  route: string | null;
};

function drugCode(c: TCodeable | undefined): { code: string | null; codeSystem: string | null } {
  for (const [system, label] of DRUG_SYSTEMS) {
    const hit = codingOf(c, system);
    if (hit) return { code: hit.code!.trim(), codeSystem: label };
  }
  const yj = c?.coding?.find((x) => /yj/i.test(x.system ?? "") && clean(x.code));
  if (yj) return { code: yj.code!.trim(), codeSystem: "YJ" };
  const first = c?.coding?.find((x) => clean(x.code));
  return { code: clean(first?.code), codeSystem: clean(first?.system) };
}

function drugName(c: TCodeable | undefined): string | null {
  if (!c) return null;
  const preferred = DRUG_SYSTEMS.map(([s]) => codingOf(c, s)).find((x) => clean(x?.display));
  return clean(c.text) ?? clean(preferred?.display) ?? conceptText(c);
}

type TMedicationIndex = Map<string, TMedication>;

/** The drugs named by a medication[x]: the concept itself, or a referenced Medication's ingredients (or code). */
function medicationDrugs(
  ctx: TCtx,
  entry: number,
  r: { medicationCodeableConcept?: TCodeable; medicationReference?: TReference; contained?: Array<{ resourceType: string; id?: string }> },
  medications: TMedicationIndex,
): Array<{ concept: TCodeable | undefined; strength: TQuantity | undefined }> {
  if (r.medicationCodeableConcept) return [{ concept: r.medicationCodeableConcept, strength: undefined }];
  const ref = clean(r.medicationReference?.reference);
  if (!ref) {
    const display = clean(r.medicationReference?.display);
    if (display) return [{ concept: { text: display }, strength: undefined }];
    return fail(ctx, "no medication (medicationCodeableConcept or medicationReference)", entry, resourcePath(entry, "medicationCodeableConcept"));
  }
  let med: TMedication | undefined;
  if (ref.startsWith("#")) {
    const raw = r.contained?.find((c) => c.resourceType === "Medication" && c.id === ref.slice(1));
    if (raw) {
      const parsed = medicationSchema.safeParse(raw);
      if (!parsed.success) {
        const i = r.contained!.indexOf(raw);
        fail(ctx, zodReason(parsed.error.issues[0]), entry, resourcePath(entry, formatPath(["contained", i, ...(parsed.error.issues[0]?.path ?? [])])));
      }
      med = parsed.data;
    }
  } else med = medications.get(ref);
  if (!med) {
    const display = clean(r.medicationReference?.display);
    if (display) return [{ concept: { text: display }, strength: undefined }];
    return fail(ctx, `referenced Medication "${ref}" is not in the bundle`, entry, resourcePath(entry, "medicationReference.reference"));
  }
  const ingredients = (med.ingredient ?? []).filter((i) => i.itemCodeableConcept);
  if (ingredients.length) return ingredients.map((i) => ({ concept: i.itemCodeableConcept, strength: i.strength?.numerator }));
  return [{ concept: med.code, strength: undefined }];
}

function usageOf(d: TDosage | undefined): { usage: string | null; usageCode: string | null } {
  return {
    usage: clean(d?.text) ?? conceptText(d?.timing?.code),
    usageCode: clean(d?.timing?.code?.coding?.find((x) => clean(x.code))?.code),
  };
}

/** Durations in days (d, wk, mo as 30 days); other units give null. */
function daysOf(q: TQuantity | undefined): number | null {
  if (q?.value === undefined) return null;
  const unit = (q.code ?? q.unit ?? "d").trim();
  if (["d", "day", "days", "日", "日分"].includes(unit)) return q.value;
  if (["wk", "week", "週", "週間"].includes(unit)) return q.value * 7;
  if (["mo", "month", "月", "ヶ月", "か月"].includes(unit)) return q.value * 30;
  return null;
}

const INJECTION_CODES = new Set(["injection", "IV", "IM", "SC", "IVINJ", "IMINJ", "SQ", "SUBCUT", "IVINFUS", "47625008", "78421000", "34206005"]);
const INJECTION_TEXT = /注射|注入|点滴|静注|筋注|皮下注|静脈内|inject|infus/i;

function indicatesInjection(c: TCodeable | undefined): boolean {
  if (!c) return false;
  if (codesOf(c).some((code) => INJECTION_CODES.has(code))) return true;
  const texts = [c.text, ...(c.coding ?? []).map((x) => x.display)].filter((t): t is string => !!t);
  return texts.some((t) => INJECTION_TEXT.test(t));
}

/**
 * One line per drug. A single drug takes the dose of the dosage; the ingredients of a mixed
 * medication take their own strength (numerator), the dosage's dose staying with the first.
 */
function drugLines(
  drugs: Array<{ concept: TCodeable | undefined; strength: TQuantity | undefined }>,
  dose: TQuantity | undefined,
  common: Pick<TFhirDrugLine, "usage" | "usageCode" | "days" | "route">,
): TFhirDrugLine[] {
  return drugs.map((d, i) => {
    const q = drugs.length > 1 && d.strength?.value !== undefined ? d.strength : i === 0 ? dose : undefined;
    return { ...drugCode(d.concept), name: drugName(d.concept), dose: q?.value ?? null, doseUnit: clean(q?.unit) ?? clean(q?.code), ...common };
  });
}

function drugTitle(lines: TFhirDrugLine[], fallback: string): string {
  const first = lines[0]?.name ?? lines[0]?.code ?? fallback;
  return lines.length > 1 ? `${first} 他${lines.length - 1}剤` : first;
}

// ---------------------------------------------------------------------------------------------
// Lab results
// ---------------------------------------------------------------------------------------------

export type TFhirLabItem = {
  code: string | null;
  /** "JLAC10" | the coding's system | null */
  codeSystem: string | null;
  name: string | null;
  value: number | string | boolean | null;
  unit: string | null;
  comparator: string | null;
  low: number | null;
  high: number | null;
  rangeText: string | null;
  /** interpretation code: "H", "L", "HH", "LL", "A", "N", … */
  flag: string | null;
};

type TObsValue = {
  code: TCodeable;
  valueQuantity?: TQuantity;
  valueString?: string;
  valueCodeableConcept?: TCodeable;
  valueInteger?: number;
  valueBoolean?: boolean;
  interpretation?: TCodeable[];
  referenceRange?: Array<z.infer<typeof referenceRange>>;
};

function labItem(o: TObsValue): TFhirLabItem {
  const jlac = codingOf(o.code, FHIR_SYSTEMS.JLAC10);
  const first = jlac ?? o.code.coding?.find((x) => clean(x.code));
  const range = o.referenceRange?.[0];
  let value: TFhirLabItem["value"] = null;
  if (o.valueQuantity?.value !== undefined) value = o.valueQuantity.value;
  else if (o.valueString !== undefined) value = o.valueString;
  else if (o.valueInteger !== undefined) value = o.valueInteger;
  else if (o.valueBoolean !== undefined) value = o.valueBoolean;
  else if (o.valueCodeableConcept) value = conceptText(o.valueCodeableConcept);
  return {
    code: clean(first?.code),
    codeSystem: jlac ? "JLAC10" : clean(first?.system),
    name: clean(o.code.text) ?? clean(jlac?.display) ?? conceptText(o.code),
    value,
    unit: clean(o.valueQuantity?.unit) ?? clean(o.valueQuantity?.code),
    comparator: clean(o.valueQuantity?.comparator),
    low: range?.low?.value ?? null,
    high: range?.high?.value ?? null,
    rangeText: clean(range?.text),
    flag: clean(o.interpretation?.flatMap((i) => codesOf(i))[0]),
  };
}

const CHECKUP_CODES = new Set(["checkup", "health-checkup", "HC"]);

/** Is this a health check-up (健診) by its category? JP Core has no fixed code for it. */
export function isCheckupCategory(categories: TCodeable[] | undefined): boolean {
  return (categories ?? []).some(
    (c) => codesOf(c).some((code) => CHECKUP_CODES.has(code)) || [c.text, ...(c.coding ?? []).map((x) => x.display)].some((t) => !!t && t.includes("健診")),
  );
}

/** the items of an observation itself: its own value, and its components */
function ownItems(o: TObsValue & { component?: TObsValue[] }, hasOwnValue: boolean): TFhirLabItem[] {
  return [...(hasOwnValue || !o.component?.length ? [labItem(o)] : []), ...(o.component ?? []).map(labItem)];
}

function itemTitle(item: TFhirLabItem): string {
  const name = item.name ?? item.code ?? "検査";
  if (item.value === null) return name;
  const v = typeof item.value === "number" ? formatNumber(item.value) : String(item.value);
  return `${name} ${item.comparator ?? ""}${v}${item.unit ? ` ${item.unit}` : ""}${item.flag === "H" || item.flag === "L" ? ` (${item.flag})` : ""}`;
}

// ---------------------------------------------------------------------------------------------
// The Bundle
// ---------------------------------------------------------------------------------------------

type TEntry = { index: number; fullUrl: string | undefined; resourceType: string; raw: Record<string, unknown> };

export type TParseFhirOptions = {
  /** the facility's file name, for error messages */
  fileName?: string;
  /** the identifier system of the facility's patient IDs, when the facility has configured one */
  patientIdSystem?: string;
};

function validate<K extends TKnownType>(ctx: TCtx, e: TEntry, type: K): TResource<K> {
  const parsed = SCHEMAS[type].safeParse(e.raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(ctx, zodReason(issue), e.index, resourcePath(e.index, formatPath(issue?.path ?? [])));
  }
  return parsed.data as TResource<K>;
}

/**
 * Maps a FHIR R4 (JP Core) Bundle to the drafts of one patient of the sending facility.
 * Throws IngestError (with the entry index and field path) for anything malformed.
 */
export function parseFhirBundle(json: unknown, opts: TParseFhirOptions = {}): TParsedMessage {
  const ctx: TCtx = { file: opts.fileName };
  if (typeof json === "string") {
    try {
      json = JSON.parse(json) as unknown;
    } catch {
      fail(ctx, "not JSON");
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail(ctx, "not a FHIR resource (a JSON object)");
  if ((json as { resourceType?: unknown }).resourceType !== "Bundle") fail(ctx, "not a Bundle", undefined, "resourceType");
  const bundleParsed = bundleSchema.safeParse(json);
  if (!bundleParsed.success) {
    const issue = bundleParsed.error.issues[0];
    const path = issue?.path ?? [];
    const entry = path[0] === "entry" && typeof path[1] === "number" ? path[1] : undefined;
    const reason = entry !== undefined && path.length === 3 && path[2] === "resource" ? "entry has no resource" : zodReason(issue);
    fail(ctx, reason, entry, formatPath(path));
  }
  const bundle = bundleParsed.data;
  const entries: TEntry[] = (bundle.entry ?? []).map((e, index) => ({ index, fullUrl: e.fullUrl, resourceType: e.resource.resourceType, raw: e.resource }));

  // The patient.
  const patients = entries.filter((e) => e.resourceType === "Patient");
  if (patients.length > 1) fail(ctx, "more than one Patient in the bundle", patients[1]!.index, resourcePath(patients[1]!.index));
  let patient: TPatientDraft | null = null;
  let patRef: TPatientRef | null = null;
  if (patients[0]) {
    const m = mapPatient(ctx, patients[0].index, patients[0].fullUrl, validate(ctx, patients[0], "Patient"), opts.patientIdSystem);
    patient = m.draft;
    patRef = m.ref;
  }
  /** without a Patient: the identifier the first reference names, which all others must name too */
  let idOnly: { value: string; system: string | null } | null = null;

  const checkSubject = (e: TEntry, field: "subject" | "patient", ref: TReference | undefined) => {
    const path = resourcePath(e.index, field);
    if (!ref) fail(ctx, "no reference to the patient", e.index, path);
    const literal = clean(ref.reference);
    const ident = clean(ref.identifier?.value) ? { value: ref.identifier!.value!.trim(), system: clean(ref.identifier!.system) } : null;
    if (!literal && !ident) fail(ctx, "no reference to the patient (reference or identifier)", e.index, path);
    if (patRef) {
      if (literal && !literalMatches(literal, patRef)) fail(ctx, `refers to another patient than the bundle's Patient: "${literal}"`, e.index, `${path}.reference`);
      if (ident && !patRef.identifiers.some((i) => i.value === ident.value && (!i.system || !ident.system || i.system === ident.system)))
        fail(ctx, `refers to another patient ID than the bundle's Patient: "${ident.value}"`, e.index, `${path}.identifier`);
      return;
    }
    if (!ident) fail(ctx, "no Patient in the bundle and no patient identifier in the reference", e.index, `${path}.identifier`);
    if (!idOnly) {
      if (ident.value.length > MAX_PATIENT_ID) fail(ctx, `patient ID longer than ${MAX_PATIENT_ID} characters`, e.index, `${path}.identifier.value`);
      idOnly = ident;
    } else if (idOnly.value !== ident.value || (idOnly.system && ident.system && idOnly.system !== ident.system))
      fail(ctx, `refers to another patient: "${ident.value}" (earlier entries: "${idOnly.value}")`, e.index, `${path}.identifier`);
  };

  // Medications, for medicationReference (by "Medication/{id}" and by fullUrl).
  const medications: TMedicationIndex = new Map();
  for (const e of entries.filter((x) => x.resourceType === "Medication")) {
    const med = validate(ctx, e, "Medication");
    if (clean(med.id)) medications.set(`Medication/${med.id!.trim()}`, med);
    if (clean(e.fullUrl)) medications.set(e.fullUrl!.trim(), med);
  }

  // Observations, for DiagnosticReport.result (by "Observation/{id}" and by fullUrl).
  const observations = new Map<string, { entry: TEntry; obs: TResource<"Observation"> }>();
  for (const e of entries.filter((x) => x.resourceType === "Observation")) {
    const obs = validate(ctx, e, "Observation");
    const v = { entry: e, obs };
    if (clean(obs.id)) observations.set(`Observation/${obs.id!.trim()}`, v);
    if (clean(e.fullUrl)) observations.set(e.fullUrl!.trim(), v);
  }
  const folded = new Set<number>();
  const fold = (refs: TReference[] | undefined, self?: number) => {
    for (const r of refs ?? []) {
      const hit = r.reference ? observations.get(r.reference.trim()) : undefined;
      if (hit && hit.entry.index !== self) folded.add(hit.entry.index);
    }
  };
  for (const e of entries.filter((x) => x.resourceType === "DiagnosticReport")) fold(validate(ctx, e, "DiagnosticReport").result);
  // a check-up panel's members are its items
  for (const { entry, obs } of new Set(observations.values())) if (isCheckupCategory(obs.category)) fold(obs.hasMember, entry.index);

  const isEnteredInError = (status: string | undefined, ...concepts: Array<TCodeable | undefined>) =>
    status === "entered-in-error" || concepts.some((c) => codesOf(c).includes("entered-in-error"));

  const hasValue = (o: TResource<"Observation">) => [o.valueQuantity, o.valueString, o.valueCodeableConcept, o.valueInteger, o.valueBoolean].some((v) => v !== undefined);
  /**
   * The items of the referenced results (entered-in-error ones left out); a check-up panel among
   * them brings its members too (`seen` holds the panels expanded so far, which are not listed
   * again, so a cycle ends). References not in the bundle are returned as unresolved.
   */
  const resultItems = (refs: TReference[] | undefined, seen = new Set<number>()): { items: TFhirLabItem[]; unresolved: string[] } => {
    const items: TFhirLabItem[] = [];
    const unresolved: string[] = [];
    for (const ref of refs ?? []) {
      const hit = ref.reference ? observations.get(ref.reference.trim()) : undefined;
      if (!hit) {
        if (clean(ref.reference)) unresolved.push(ref.reference!.trim());
        continue;
      }
      const o = hit.obs;
      if (isEnteredInError(o.status) || seen.has(hit.entry.index)) continue;
      items.push(...ownItems(o, hasValue(o)));
      if (isCheckupCategory(o.category) && o.hasMember?.length) {
        seen.add(hit.entry.index);
        const members = resultItems(o.hasMember, seen);
        items.push(...members.items);
        unresolved.push(...members.unresolved);
      }
    }
    return { items, unresolved };
  };

  const drafts: Array<Omit<TContentDraft, "facilityPatientId">> = [];
  const seenKeys = new Map<string, number>();

  const push = (
    e: TEntry,
    r: { id?: string; meta?: z.infer<typeof meta> },
    d: { category: TContentCategory; occurredAt: Date; title: string; payload: Record<string, unknown>; isDeleted: boolean; files?: TContentDraft["files"] },
  ) => {
    const sourceKey = `${e.resourceType}/${resourceIdOf(ctx, e.index, r.id, e.fullUrl)}`;
    if (sourceKey.length > MAX_SOURCE_KEY) fail(ctx, "resource id too long", e.index, resourcePath(e.index, "id"));
    const prior = seenKeys.get(sourceKey);
    if (prior !== undefined) fail(ctx, `${sourceKey} also appears at entry[${prior}]`, e.index, resourcePath(e.index, "id"));
    seenKeys.set(sourceKey, e.index);
    drafts.push({ ...d, title: truncate(d.title, MAX_TITLE), sourceKey, sourceVersion: sourceVersionOf(ctx, e.index, r.meta) });
  };

  const requireOccurred = (e: TEntry, candidates: ReadonlyArray<readonly [string, string | undefined]>): Date => {
    const d = pickDate(ctx, e.index, candidates);
    if (!d) fail(ctx, `no date (one of ${candidates.map(([f]) => f).join(", ")} is required)`, e.index, resourcePath(e.index, candidates[0]![0]));
    return d;
  };

  for (const e of entries) {
    switch (e.resourceType) {
      case "MedicationRequest": {
        const r = validate(ctx, e, "MedicationRequest");
        checkSubject(e, "subject", r.subject);
        const di = r.dosageInstruction?.[0];
        const injection = (r.category ?? []).some(indicatesInjection) || (r.dosageInstruction ?? []).some((d) => indicatesInjection(d.route) || indicatesInjection(d.method));
        const { usage, usageCode } = usageOf(di);
        const days = daysOf(r.dispenseRequest?.expectedSupplyDuration) ?? daysOf(di?.timing?.repeat?.boundsDuration);
        const dose = di?.doseAndRate?.[0]?.doseQuantity;
        const drugs = medicationDrugs(ctx, e.index, r, medications);
        const lines = drugLines(drugs, dose, { usage, usageCode, days, route: conceptText(di?.route) });
        push(e, r, {
          category: injection ? "INJECTION_ORDER" : "PRESCRIPTION_ORDER",
          occurredAt: requireOccurred(e, [["authoredOn", r.authoredOn]]),
          title: drugTitle(lines, injection ? "注射" : "処方"),
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            orderNumber: clean(r.groupIdentifier?.value) ?? clean(r.identifier?.[0]?.value),
            lines,
            totalQuantity: r.dispenseRequest?.quantity?.value ?? null,
            totalQuantityUnit: clean(r.dispenseRequest?.quantity?.unit),
            note: clean(r.note?.map((n) => n.text).filter(Boolean).join("\n")),
            // 処方医: the requester as the sender names it
            requester: clean(r.requester?.display),
          },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "MedicationDispense": {
        const r = validate(ctx, e, "MedicationDispense");
        checkSubject(e, "subject", r.subject);
        const di = r.dosageInstruction?.[0];
        const { usage, usageCode } = usageOf(di);
        const days = daysOf(r.daysSupply) ?? daysOf(di?.timing?.repeat?.boundsDuration);
        const dose = di?.doseAndRate?.[0]?.doseQuantity;
        const drugs = medicationDrugs(ctx, e.index, r, medications);
        const lines = drugLines(drugs, dose, { usage, usageCode, days, route: conceptText(di?.route) });
        push(e, r, {
          category: "PRESCRIPTION_DISPENSED",
          occurredAt: requireOccurred(e, [
            ["whenHandedOver", r.whenHandedOver],
            ["whenPrepared", r.whenPrepared],
          ]),
          title: drugTitle(lines, "調剤"),
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            lines,
            totalQuantity: r.quantity?.value ?? null,
            totalQuantityUnit: clean(r.quantity?.unit),
          },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "MedicationAdministration": {
        const r = validate(ctx, e, "MedicationAdministration");
        checkSubject(e, "subject", r.subject);
        const drugs = medicationDrugs(ctx, e.index, r, medications);
        const dose = r.dosage?.dose;
        const lines = drugLines(drugs, dose, { usage: clean(r.dosage?.text), usageCode: null, days: null, route: conceptText(r.dosage?.route) });
        const end = checkedDate(ctx, e.index, "effectivePeriod.end", r.effectivePeriod?.end);
        push(e, r, {
          category: "INJECTION_ADMINISTERED",
          occurredAt: requireOccurred(e, [
            ["effectiveDateTime", r.effectiveDateTime],
            ["effectivePeriod.start", r.effectivePeriod?.start],
          ]),
          title: drugTitle(lines, "注射"),
          payload: { resourceType: e.resourceType, status: r.status ?? null, lines, end, method: conceptText(r.dosage?.method) },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "Observation": {
        const r = validate(ctx, e, "Observation");
        checkSubject(e, "subject", r.subject);
        const occurredAt = requireOccurred(e, [
          ["effectiveDateTime", r.effectiveDateTime],
          ["effectivePeriod.start", r.effectivePeriod?.start],
          ["effectiveInstant", r.effectiveInstant],
          ["issued", r.issued],
        ]);
        if (folded.has(e.index)) break;
        if (isCheckupCategory(r.category) && r.hasMember?.length) {
          // a check-up panel: its own value or components (if any) and its members
          const own = hasValue(r) || r.component?.length ? ownItems(r, hasValue(r)) : [];
          const members = resultItems(r.hasMember, new Set([e.index]));
          const items = [...own, ...members.items];
          const name = conceptText(r.code) ?? "健診";
          push(e, r, {
            category: "CHECKUP",
            occurredAt,
            title: `${name} ${items.length}項目`,
            payload: {
              resourceType: e.resourceType,
              status: r.status ?? null,
              code: clean(r.code.coding?.find((x) => clean(x.code))?.code),
              name,
              category: (r.category ?? []).map(conceptText).filter(Boolean),
              items,
              unresolvedResults: members.unresolved,
            },
            isDeleted: isEnteredInError(r.status),
          });
          break;
        }
        const items = ownItems(r, hasValue(r));
        const title = items.length === 1 ? itemTitle(items[0]!) : `${conceptText(r.code) ?? "検査"} ${items.length}項目`;
        push(e, r, {
          category: "LAB",
          occurredAt,
          title,
          payload: { resourceType: e.resourceType, status: r.status ?? null, category: (r.category ?? []).map(conceptText).filter(Boolean), items },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "DiagnosticReport": {
        const r = validate(ctx, e, "DiagnosticReport");
        checkSubject(e, "subject", r.subject);
        const { items, unresolved } = resultItems(r.result);
        const conclusion = clean(r.conclusion);
        const forms = (r.presentedForm ?? []).map((a, i) => {
          const contentType = clean(a.contentType);
          let text: string | null = null;
          if (a.data !== undefined && contentType?.startsWith("text/")) {
            if (!/^[A-Za-z0-9+/=\s]*$/.test(a.data)) fail(ctx, "invalid base64 data", e.index, resourcePath(e.index, `presentedForm[${i}].data`));
            text = Buffer.from(a.data, "base64").toString("utf8");
          }
          return { contentType, title: clean(a.title), size: a.size ?? null, url: clean(a.url), hasData: a.data !== undefined, text };
        });
        const isCheckup = isCheckupCategory(r.category);
        const isReport = !isCheckup && (conclusion !== null || forms.length > 0);
        const name = conceptText(r.code) ?? (isCheckup ? "健診" : isReport ? "レポート" : "検査");
        push(e, r, {
          category: isCheckup ? "CHECKUP" : isReport ? "REPORT" : "LAB",
          occurredAt: requireOccurred(e, [
            ["effectiveDateTime", r.effectiveDateTime],
            ["effectivePeriod.start", r.effectivePeriod?.start],
            ["issued", r.issued],
          ]),
          title: isReport ? name : `${name} ${items.length}項目`,
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            code: clean(r.code.coding?.find((x) => clean(x.code))?.code),
            name,
            category: (r.category ?? []).map(conceptText).filter(Boolean),
            issued: checkedDate(ctx, e.index, "issued", r.issued),
            conclusion,
            conclusionCodes: (r.conclusionCode ?? []).map(conceptText).filter(Boolean),
            presentedForm: forms,
            items,
            unresolvedResults: unresolved,
          },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "ImagingStudy": {
        const r = validate(ctx, e, "ImagingStudy");
        checkSubject(e, "subject", r.subject);
        const modalities = [...new Set([...(r.modality ?? []), ...(r.series ?? []).flatMap((s) => (s.modality ? [s.modality] : []))].map((m) => clean(m.code)).filter((m): m is string => m !== null))];
        const description = clean(r.description) ?? conceptText(r.procedureCode?.[0]);
        const studyUid = r.identifier?.find((i) => i.system === "urn:dicom:uid")?.value ?? null;
        push(e, r, {
          category: "IMAGING",
          occurredAt: requireOccurred(e, [["started", r.started]]),
          title: [modalities.join("/"), description].filter(Boolean).join(" ") || "画像検査",
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            modalities,
            description,
            studyInstanceUid: studyUid ? studyUid.replace(/^urn:oid:/, "") : null,
            numberOfSeries: r.numberOfSeries ?? null,
            numberOfInstances: r.numberOfInstances ?? null,
            series: (r.series ?? []).map((s) => ({
              uid: clean(s.uid),
              modality: clean(s.modality?.code),
              description: clean(s.description),
              bodySite: clean(s.bodySite?.display) ?? clean(s.bodySite?.code),
              numberOfInstances: s.numberOfInstances ?? null,
            })),
          },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "Condition": {
        const r = validate(ctx, e, "Condition");
        checkSubject(e, "subject", r.subject);
        const name = conceptText(r.code) ?? "病名";
        const icd10 = r.code?.coding?.find((c) => /icd-?10/i.test(c.system ?? "") && clean(c.code));
        const verification = codesOf(r.verificationStatus)[0] ?? null;
        const suspected = verification === "provisional" || verification === "unconfirmed" || verification === "differential";
        push(e, r, {
          category: "DIAGNOSIS",
          occurredAt: requireOccurred(e, [
            ["onsetDateTime", r.onsetDateTime],
            ["onsetPeriod.start", r.onsetPeriod?.start],
            ["recordedDate", r.recordedDate],
          ]),
          title: suspected ? `${name}（疑い）` : name,
          payload: {
            resourceType: e.resourceType,
            name,
            icd10: clean(icd10?.code),
            codes: (r.code?.coding ?? []).filter((c) => clean(c.code)).map((c) => ({ system: clean(c.system), code: c.code!.trim(), display: clean(c.display) })),
            clinicalStatus: codesOf(r.clinicalStatus)[0] ?? null,
            verificationStatus: verification,
            onset: r.onsetDateTime ?? r.onsetPeriod?.start ?? null,
            abatement: checkedDate(ctx, e.index, "abatementDateTime", r.abatementDateTime),
            recordedDate: checkedDate(ctx, e.index, "recordedDate", r.recordedDate),
            bodySite: (r.bodySite ?? []).map(conceptText).filter(Boolean),
            note: clean(r.note?.map((n) => n.text).filter(Boolean).join("\n")),
          },
          isDeleted: isEnteredInError(undefined, r.verificationStatus),
        });
        break;
      }
      case "AllergyIntolerance": {
        const r = validate(ctx, e, "AllergyIntolerance");
        checkSubject(e, "patient", r.patient);
        const substance = conceptText(r.code) ?? conceptText(r.reaction?.[0]?.substance) ?? "アレルギー";
        const reactions = (r.reaction ?? []).map((x) => ({
          substance: conceptText(x.substance),
          manifestations: (x.manifestation ?? []).map(conceptText).filter((t): t is string => t !== null),
          severity: x.severity ?? null,
          description: clean(x.description),
        }));
        push(e, r, {
          category: "ALLERGY",
          occurredAt: requireOccurred(e, [
            ["onsetDateTime", r.onsetDateTime],
            ["recordedDate", r.recordedDate],
          ]),
          title: `アレルギー: ${substance}`,
          payload: {
            resourceType: e.resourceType,
            substance,
            type: r.type ?? null,
            category: r.category ?? [],
            criticality: r.criticality ?? null,
            clinicalStatus: codesOf(r.clinicalStatus)[0] ?? null,
            verificationStatus: codesOf(r.verificationStatus)[0] ?? null,
            reactions,
          },
          isDeleted: isEnteredInError(undefined, r.verificationStatus),
        });
        break;
      }
      case "Encounter": {
        const r = validate(ctx, e, "Encounter");
        checkSubject(e, "subject", r.subject);
        const cls = clean(r.class?.code);
        const inpatient = (cls !== null && ["IMP", "ACUTE", "NONAC"].includes(cls)) || /inpatient|入院/i.test(r.class?.display ?? "");
        if (!inpatient) break;
        const start = requireOccurred(e, [["period.start", r.period?.start]]);
        const endText = checkedDate(ctx, e.index, "period.end", r.period?.end);
        const end = endText ? parseFhirDateTime(endText) : null;
        push(e, r, {
          category: "ADMISSION",
          occurredAt: start,
          title: end ? `入院（${japanDay(start)}〜${japanDay(end)} 退院）` : "入院",
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            class: cls,
            start: r.period!.start!,
            end: endText,
            type: (r.type ?? []).map(conceptText).filter(Boolean),
            ward: clean(r.location?.[0]?.location?.display),
            admitSource: conceptText(r.hospitalization?.admitSource),
            dischargeDisposition: conceptText(r.hospitalization?.dischargeDisposition),
          },
          isDeleted: isEnteredInError(r.status),
        });
        break;
      }
      case "DocumentReference": {
        const r = validate(ctx, e, "DocumentReference");
        checkSubject(e, "subject", r.subject);
        const attachments = (r.content ?? []).map((c, i) => ({
          contentType: clean(c.attachment.contentType),
          title: clean(c.attachment.title),
          size: c.attachment.size ?? null,
          url: clean(c.attachment.url),
          language: clean(c.attachment.language),
          creation: checkedDate(ctx, e.index, `content[${i}].attachment.creation`, c.attachment.creation),
          hasData: c.attachment.data !== undefined,
        }));
        const type = conceptText(r.type);
        // Text sent inline (a discharge summary typed in the EMR) is the document: kept to be read.
        const text = (r.content ?? [])
          .flatMap((c, i) => {
            const a = c.attachment;
            if (a.data === undefined || !clean(a.contentType)?.startsWith("text/")) return [];
            if (!/^[A-Za-z0-9+/=\s]*$/.test(a.data)) fail(ctx, "invalid base64 data", e.index, resourcePath(e.index, `content[${i}].attachment.data`));
            const decoded = Buffer.from(a.data, "base64");
            if (decoded.byteLength > MAX_FILE_BYTES) fail(ctx, "attachment data is larger than 10 MB", e.index, resourcePath(e.index, `content[${i}].attachment.data`));
            return [decoded.toString("utf8")];
          })
          .join("\n\n");
        // Images and PDFs sent inline are kept as files of the item (the file store), not in the payload.
        const files = (r.content ?? []).flatMap((c, i) => {
          const a = c.attachment;
          if (a.data === undefined || !FILE_TYPES.includes(clean(a.contentType) ?? "")) return [];
          const bytes = Buffer.from(a.data, "base64");
          if (bytes.byteLength === 0 || bytes.byteLength > MAX_FILE_BYTES) fail(ctx, "attachment data is empty or larger than 10 MB", e.index, resourcePath(e.index, `content[${i}].attachment.data`));
          return [{ fileName: clean(a.title) ?? `document-${i + 1}`, contentType: clean(a.contentType)!, bytes: new Uint8Array(bytes) }];
        });
        push(e, r, {
          files,
          category: files.some((f) => f.contentType.startsWith("image/")) && !type?.includes("サマリ") ? "IMAGING" : "DOCUMENT",
          occurredAt: requireOccurred(e, [
            ["date", r.date],
            ["context.period.start", r.context?.period?.start],
            ["content[0].attachment.creation", r.content?.[0]?.attachment.creation],
          ]),
          title: clean(r.description) ?? type ?? attachments[0]?.title ?? "文書",
          payload: {
            resourceType: e.resourceType,
            status: r.status ?? null,
            docStatus: r.docStatus ?? null,
            type,
            category: (r.category ?? []).map(conceptText).filter(Boolean),
            description: clean(r.description),
            attachments,
            text: text || null,
          },
          isDeleted: isEnteredInError(r.status, undefined) || r.docStatus === "entered-in-error",
        });
        break;
      }
      default:
        // Patient and Medication are read above; other resource types are not imported.
        break;
    }
  }

  const facilityPatientId = patRef?.facilityPatientId ?? (idOnly as { value: string } | null)?.value;
  if (!facilityPatientId) fail(ctx, "no patient: the bundle has no Patient and no entry names a patient identifier", undefined, "entry");
  return {
    kind: "FHIR",
    dataType: "Bundle",
    patient,
    contents: drafts.map((d) => ({ facilityPatientId, ...d })),
  };
}
