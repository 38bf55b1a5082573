"use client";

import { useId } from "react";
import { DocumentDetail, ImagingDetail, ReportDetail } from "@/components/calendar/detail-imaging";
import { LabDetail } from "@/components/calendar/detail-lab";
import { MedicationDetail } from "@/components/calendar/detail-medication";
import { ContentFiles, DefList, rec, str, TextBlock, type TRec } from "@/components/calendar/detail-parts";
import { AdmissionDetail, AllergyDetail, DiagnosisDetail, NoteDetail, PatientInfoDetail } from "@/components/calendar/detail-records";
import { useI18n } from "@/components/i18n-provider";
import { PostDetail } from "@/components/notes/post-detail";
import { postPayloadOf } from "@/lib/notes/model";
import type { TContentView } from "@/lib/clinical/dto";
import type { TLabValue } from "@/lib/clinical/lab-items";
import { formatDateTime } from "@/lib/i18n";

function Body({ content, payload, onTrend, patientId }: { content: TContentView; payload: TRec; onTrend?: (item: TLabValue) => void; patientId?: string }) {
  const post = postPayloadOf(payload);
  if (post) return <PostDetail contentId={content.id} post={post} threadHref={patientId && post.post === "note" ? `/patients/${patientId}/notes/${content.id}` : undefined} />;
  switch (content.category) {
    case "PRESCRIPTION_ORDER":
    case "INJECTION_ORDER":
      return <MedicationDetail payload={payload} administered={false} />;
    case "PRESCRIPTION_DISPENSED":
    case "INJECTION_ADMINISTERED":
      return <MedicationDetail payload={payload} administered />;
    case "LAB":
    case "CHECKUP":
      return (
        <>
          <LabDetail payload={payload} onTrend={onTrend} />
          <ContentFiles contentId={content.id} files={content.files} pdf="link" />
        </>
      );
    case "IMAGING":
      return <ImagingDetail content={content} payload={payload} />;
    case "REPORT":
      return <ReportDetail content={content} payload={payload} onTrend={onTrend} />;
    case "DOCUMENT":
    case "FILE":
      return <DocumentDetail content={content} payload={payload} />;
    case "DIAGNOSIS":
      return <DiagnosisDetail payload={payload} />;
    case "ALLERGY":
      return <AllergyDetail payload={payload} />;
    case "ADMISSION":
      return <AdmissionDetail payload={payload} title={content.title} />;
    case "NOTE":
    case "NOTE_CONTACT":
      return <NoteDetail payload={payload} />;
    case "PATIENT_INFO":
      return <PatientInfoDetail payload={payload} />;
    default:
      return (
        <>
          <TextBlock text={str(payload.text) ?? str(payload.description)} />
          <ContentFiles contentId={content.id} files={content.files} pdf="inline" />
        </>
      );
  }
}

/**
 * One content item in full, by its category, for SS-MIX2 and FHIR payloads alike: a header
 * (title, date-time, facility, category) and the category's view. Missing or odd payload
 * fields are left out, never fatal. `onTrend` makes lab item names buttons that open a trend.
 */
export function ContentDetail({ content, onTrend, patientId }: { content: TContentView; onTrend?: (item: TLabValue) => void; patientId?: string }) {
  const { t, locale } = useI18n();
  const headingId = useId();
  const payload = rec(content.payload);
  const occurred = content.occurredAt instanceof Date || typeof content.occurredAt === "string" ? new Date(content.occurredAt) : null;
  return (
    <article className="min-w-0 space-y-4" aria-labelledby={headingId} data-testid="content-detail" data-category={content.category}>
      <header className="space-y-1 border-b border-slate-200 pb-3">
        <p>
          <span className="inline-block rounded bg-teal-50 px-2 py-0.5 text-xs font-medium text-teal-900 ring-1 ring-teal-200">{t(`enum.ContentCategory.${content.category}`)}</span>
        </p>
        <h3 id={headingId} className="text-lg font-semibold break-words text-slate-900">
          {content.title}
        </h3>
        <DefList
          rows={[
            { label: t("content.occurredAt"), value: occurred && !Number.isNaN(occurred.getTime()) ? formatDateTime(occurred, locale, true) : content.occurredDate },
            { label: t("content.facility"), value: content.ownerFacilityName },
          ]}
        />
      </header>
      <Body content={content} payload={payload} onTrend={onTrend} patientId={patientId} />
      {Object.keys(payload).length === 0 && content.files.length === 0 && <p className="text-sm text-slate-600">{t("content.noDetails")}</p>}
    </article>
  );
}
