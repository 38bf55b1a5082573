/**
 * One-line summaries of content items for the tab views (seed 004), read from the payloads the
 * importers store (SS-MIX2 and FHIR shapes). Pure; odd payloads give what can be read, never throw.
 */
import type { TContentCategory } from "@/lib/clinical/ingest/types";
import { labItemsOf } from "@/lib/clinical/lab-items";

type TRecord = Record<string, unknown>;
const rec = (v: unknown): TRecord => (v && typeof v === "object" && !Array.isArray(v) ? (v as TRecord) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : null);
const join = (parts: (string | null | undefined)[], sep = " ") => parts.filter((p): p is string => !!p).join(sep);

/** yyyy-mm-dd from an SS-MIX2 yyyymmdd / ISO date or date-time. */
export function dayText(v: unknown): string | null {
  const s = str(v);
  if (!s) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(s);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** 病名 tab (seed 004): 開始日, 終了日, 転帰区分 from PPR-01 (ZPR/PRB) or FHIR Condition. */
export function diagnosisFields(payload: unknown): { start: string | null; end: string | null; outcome: string | null; suspected: boolean } {
  const p = rec(payload);
  const outcome = str(rec(p.outcome).name) ?? str(rec(p.outcome).code) ?? str(p.clinicalStatus);
  const confirmation = str(rec(p.confirmation).code) ?? str(p.verificationStatus);
  return {
    start: dayText(p.startDate) ?? dayText(p.onset) ?? dayText(p.recordedDate),
    end: dayText(p.endDate) ?? dayText(p.abatement),
    outcome,
    suspected: confirmation === "provisional" || confirmation === "unconfirmed" || confirmation === "differential" || confirmation === "S",
  };
}

function drugLine(l: unknown): string {
  const x = rec(l);
  const name = str(x.drugName) ?? str(x.name) ?? str(x.drugCode) ?? str(x.code);
  const dose = str(x.dose);
  const days = str(x.days);
  return join([name, dose && join([dose, str(x.doseUnit)], ""), str(x.usage), days && `${days}日分`]);
}

/** A short description of an item's content, for lists (titles stay in their own column). */
export function summaryOf(category: TContentCategory, payload: unknown): string {
  const p = rec(payload);
  switch (category) {
    case "PRESCRIPTION_ORDER":
    case "PRESCRIPTION_DISPENSED":
    case "INJECTION_ORDER":
    case "INJECTION_ADMINISTERED":
      return arr(p.lines).map(drugLine).filter(Boolean).join(" / ");
    case "LAB":
    case "CHECKUP":
      return labItemsOf(payload)
        .slice(0, 6)
        .map((i) => join([i.name, i.value && join([i.value, i.unit], "")]) + (i.flag ? `(${i.flag})` : ""))
        .join("、");
    case "IMAGING":
      return join([str(p.modality) ?? arr(p.modalities).map(str).filter(Boolean).join("/"), str(p.studyDescription) ?? str(p.description), str(p.findings)?.slice(0, 80)]);
    case "REPORT":
      return join([str(p.name), str(p.conclusion)?.slice(0, 80)]);
    case "DOCUMENT":
      return join([str(p.type), str(p.description)]);
    case "DIAGNOSIS": {
      const d = diagnosisFields(payload);
      return join([d.start && `${d.start}〜${d.end ?? ""}`, d.outcome]);
    }
    case "ALLERGY":
      return join([str(rec(p.allergen).name) ?? str(p.substance), str(rec(p.severity).name) ?? str(p.criticality), str(p.reaction)]);
    case "ADMISSION":
      return join([str(p.location) ?? str(p.ward), str(p.department), str(p.attendingDoctor)]);
    default:
      return "";
  }
}
