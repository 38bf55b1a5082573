"use client";

import { amount, codedText, coded, DefList, joinTexts, list, rec, str, TextBlock, when, type TRec } from "@/components/calendar/detail-parts";
import { useI18n } from "@/components/i18n-provider";

const SUSPECTED = new Set(["provisional", "unconfirmed", "differential"]);

/** 病名: name, ICD-10, start / end, outcome (転帰), confirmation (確定 / 疑い). */
export function DiagnosisDetail({ payload }: { payload: TRec }) {
  const { t, locale } = useI18n();
  const verification = str(payload.verificationStatus);
  const name = str(payload.name);
  const suspected = (verification !== null && SUSPECTED.has(verification)) || (name?.endsWith("の疑い") ?? false) || (name?.endsWith("疑い") ?? false);
  const codes = list(payload.codes)
    .map(rec)
    .map((c) => str(c.code))
    .filter(Boolean)
    .join(", ");
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          {
            label: t("content.dx.name"),
            value: name && (
              <span className="font-medium">
                {name}
                {suspected && <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-bold text-amber-900 ring-1 ring-amber-300">{t("content.dx.suspected")}</span>}
              </span>
            ),
          },
          { label: t("content.dx.icd10"), value: str(payload.icd10) },
          { label: t("content.dx.code"), value: str(payload.code) ?? (codes || null) },
          { label: t("content.dx.start"), value: when(payload.startDate, locale) ?? when(payload.onset, locale) },
          { label: t("content.dx.end"), value: when(payload.endDate, locale) ?? when(payload.abatement, locale) },
          { label: t("content.dx.outcome"), value: codedText(payload.outcome) ?? coded(t, "content.dx.clinicalStatus", payload.clinicalStatus) },
          { label: t("content.dx.confirmation"), value: codedText(payload.confirmation) ?? coded(t, "content.dx.verificationStatus", verification) },
          { label: t("content.dx.ranking"), value: codedText(payload.ranking) },
          { label: t("content.dx.bodySite"), value: joinTexts(payload.bodySite) },
          { label: t("content.dx.recordedDate"), value: when(payload.recordedDate, locale) },
        ]}
      />
      <TextBlock label={t("content.note")} text={str(payload.note)} />
    </div>
  );
}

/** アレルギー: substance, type, severity, reactions (SS-MIX2 IAM/AL1, FHIR AllergyIntolerance). */
export function AllergyDetail({ payload }: { payload: TRec }) {
  const { t, locale } = useI18n();
  const categories = list(payload.category)
    .map((c) => coded(t, "content.allergy.categoryValue", c))
    .filter(Boolean)
    .join("、");
  const reactions = list(payload.reactions).map(rec);
  const reactionText = reactions
    .map((r) => {
      const severity = coded(t, "content.allergy.severityValue", r.severity);
      const what = [str(r.substance), joinTexts(r.manifestations)].filter(Boolean).join(" ");
      return [severity ? t("content.allergy.reactionSeverity", { what, severity }) : what, str(r.description)].filter(Boolean).join(" ");
    })
    .filter(Boolean);
  return (
    <DefList
      rows={[
        { label: t("content.allergy.substance"), value: codedText(payload.allergen) ?? str(payload.substance) },
        { label: t("content.allergy.type"), value: codedText(payload.allergyType) ?? coded(t, "content.allergy.typeValue", payload.type) },
        { label: t("content.allergy.category"), value: categories || null },
        { label: t("content.allergy.severity"), value: codedText(payload.severity) ?? coded(t, "content.allergy.criticalityValue", payload.criticality) },
        {
          label: t("content.allergy.reactions"),
          value:
            str(payload.reaction) ??
            (reactionText.length > 1 ? (
              <ul className="list-disc pl-5">
                {reactionText.map((r, i) => (
                  <li key={i}>{r}</li>
                ))}
              </ul>
            ) : (
              (reactionText[0] ?? null)
            )),
        },
        { label: t("content.allergy.onset"), value: when(payload.onsetDate, locale) ?? str(payload.onsetText) },
        { label: t("content.dx.outcome"), value: coded(t, "content.dx.clinicalStatus", payload.clinicalStatus) },
        { label: t("content.dx.confirmation"), value: coded(t, "content.dx.verificationStatus", payload.verificationStatus) },
      ]}
    />
  );
}

/** 受付・入退院 (SS-MIX2 ADT events, FHIR inpatient Encounter). */
export function AdmissionDetail({ payload, title }: { payload: TRec; title: string }) {
  const { t, locale } = useI18n();
  const dataType = str(payload.dataType);
  const event = (dataType && coded(t, "content.adt", dataType)) || title;
  const patientClass = coded(t, "content.adt.classValue", payload.patientClass) ?? coded(t, "content.adt.classValue", payload.class);
  return (
    <DefList
      rows={[
        {
          label: t("content.adt.event"),
          value: (
            <span>
              {event}
              {payload.cancelled === true && <span className="ml-2 rounded bg-slate-200 px-1.5 py-0.5 text-xs font-bold text-slate-800">{t("content.adt.cancelled")}</span>}
            </span>
          ),
        },
        { label: t("content.adt.class"), value: patientClass },
        { label: t("content.adt.type"), value: joinTexts(payload.type) },
        { label: t("content.adt.location"), value: str(payload.location) ?? str(payload.ward) },
        { label: t("content.adt.priorLocation"), value: str(payload.priorLocation) },
        { label: t("content.adt.doctor"), value: str(payload.attendingDoctor) },
        { label: t("content.adt.department"), value: str(payload.department) },
        { label: t("content.adt.admittedAt"), value: when(payload.admittedAt, locale) ?? when(payload.start, locale) },
        { label: t("content.adt.dischargedAt"), value: when(payload.dischargedAt, locale) ?? when(payload.end, locale) },
        { label: t("content.adt.eventAt"), value: when(payload.eventAt, locale) },
        { label: t("content.adt.admitSource"), value: str(payload.admitSource) },
        { label: t("content.adt.dischargeDisposition"), value: str(payload.dischargeDisposition) },
        { label: t("content.status"), value: coded(t, "content.statusValue", payload.status) },
      ]}
    />
  );
}

/** ノート: diet orders (SS-MIX2 OMD) and free-text notes. */
export function NoteDetail({ payload }: { payload: TRec }) {
  const { t, locale } = useI18n();
  const diets = list(payload.diets).map(rec);
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.note.kind"), value: coded(t, "content.note.kindValue", payload.kind) },
          {
            label: t("content.note.diet"),
            value: diets.length > 0 && (
              <ul className="space-y-0.5">
                {diets.map((d, i) => (
                  <li key={i}>{[str(d.text) ?? codedText(d.code), str(d.text) && codedText(d.code) !== str(d.text) ? codedText(d.code) : null].filter(Boolean).join(" / ") || "—"}</li>
                ))}
              </ul>
            ),
          },
          { label: t("content.note.start"), value: when(payload.startAt, locale) },
          { label: t("content.note.frequency"), value: str(payload.frequency) },
          { label: t("content.orderNumber"), value: str(payload.orderNumber) },
        ]}
      />
      <TextBlock text={str(payload.text) ?? str(payload.note) ?? str(payload.description)} />
    </div>
  );
}

/** 基本情報: the facility's demographics of the patient, with height / weight / blood type and allergies. */
export function PatientInfoDetail({ payload }: { payload: TRec }) {
  const { t, locale } = useI18n();
  const p = rec(payload.patient);
  const observations = list(payload.observations)
    .map(rec)
    .map((o) => ({ name: str(o.name) ?? str(o.code), value: amount(o.value, o.unit) }))
    .filter((o) => o.name && o.value);
  const allergies = list(payload.allergies)
    .map(rec)
    .map((a) => codedText(a.allergen))
    .filter(Boolean)
    .join("、");
  return (
    <DefList
      rows={[
        { label: t("patient.nameKanji"), value: str(p.nameKanji) },
        { label: t("patient.nameKana"), value: str(p.nameKana) },
        { label: t("patient.sex"), value: str(p.sex) && coded(t, "enum.Sex", p.sex) },
        { label: t("patient.birthDate"), value: when(p.birthDate, locale) },
        { label: t("patient.postalCode"), value: str(p.postalCode) },
        { label: t("patient.address"), value: str(p.address) },
        { label: t("patient.phone"), value: str(p.phone) },
        { label: t("patient.facilityPatientId"), value: str(p.facilityPatientId) },
        ...observations.map((o) => ({ label: o.name!, value: o.value })),
        { label: t("content.patientInfo.allergies"), value: allergies || null },
      ]}
    />
  );
}
