"use client";

import { LabTable } from "@/components/calendar/detail-lab";
import { amount, codedText, coded, ContentFiles, DefList, joinTexts, list, num, rec, ScrollTable, str, td, TextBlock, th, when, type TRec } from "@/components/calendar/detail-parts";
import { useI18n } from "@/components/i18n-provider";
import type { TContentView } from "@/lib/clinical/dto";
import { labItemsOf, type TLabValue } from "@/lib/clinical/lab-items";

/** "胸部.Ｘ線単純撮影.立位正面(A→P)" → "胸部 Ｘ線単純撮影 立位正面(A→P)" (JJ1017 names are dotted) */
const examTitle = (name: string | null) =>
  name
    ?.split(".")
    .map((p) => p.trim())
    .filter((p) => p !== "" && p !== "-")
    .join(" ") || null;

/** the non-text results of an SS-MIX2 study (text findings are shown as the item's findings) */
function studyResults(observations: unknown): string | null {
  const out = list(observations)
    .map(rec)
    .filter((o) => o.valueType !== "TX" && o.valueType !== "FT")
    .map((o) => {
      const value = amount(o.value, o.unit);
      const name = str(o.name);
      return value ? (name ? `${name}: ${value}` : value) : null;
    })
    .filter(Boolean);
  return out.length ? out.join("\n") : null;
}

/** SS-MIX2 studies (orders and their child exams); columns no study fills are left out */
function Studies({ studies }: { studies: TRec[] }) {
  const { t, locale } = useI18n();
  const children = studies.filter((s) => s.control === "CH");
  const shown = (children.length > 0 ? children : studies).map((s) => ({
    name: examTitle(str(s.name)) ?? str(s.code) ?? "—",
    modality: str(s.modality),
    performedAt: when(s.performedAt, locale),
    procedures: joinTexts(s.procedures),
    results: studyResults(s.observations),
  }));
  if (shown.length === 0) return null;
  const has = (k: "modality" | "performedAt" | "procedures" | "results") => shown.some((s) => s[k] !== null);
  return (
    <ScrollTable caption={t("content.imaging.studies")}>
      <thead>
        <tr>
          <th scope="col" className={th}>{t("content.imaging.exam")}</th>
          {has("modality") && <th scope="col" className={th}>{t("content.imaging.modality")}</th>}
          {has("performedAt") && <th scope="col" className={th}>{t("content.imaging.performedAt")}</th>}
          {has("procedures") && <th scope="col" className={th}>{t("content.imaging.procedures")}</th>}
          {has("results") && <th scope="col" className={th}>{t("content.imaging.results")}</th>}
        </tr>
      </thead>
      <tbody>
        {shown.map((s, i) => (
          <tr key={i}>
            <td className={`${td} min-w-48`}>{s.name}</td>
            {has("modality") && <td className={`${td} whitespace-nowrap`}>{s.modality ?? ""}</td>}
            {has("performedAt") && <td className={`${td} whitespace-nowrap`}>{s.performedAt ?? ""}</td>}
            {has("procedures") && <td className={td}>{s.procedures ?? ""}</td>}
            {has("results") && <td className={`${td} whitespace-pre-wrap`}>{s.results ?? ""}</td>}
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** FHIR ImagingStudy series */
function Series({ series }: { series: TRec[] }) {
  const { t } = useI18n();
  if (series.length === 0) return null;
  return (
    <ScrollTable caption={t("content.imaging.series")}>
      <thead>
        <tr>
          <th scope="col" className={th}>{t("content.imaging.modality")}</th>
          <th scope="col" className={th}>{t("content.imaging.seriesDescription")}</th>
          <th scope="col" className={th}>{t("content.imaging.bodySite")}</th>
          <th scope="col" className={`${th} text-right`}>{t("content.imaging.instances")}</th>
        </tr>
      </thead>
      <tbody>
        {series.map((s, i) => (
          <tr key={i}>
            <td className={`${td} whitespace-nowrap`}>{codedText(s.modality) ?? ""}</td>
            <td className={`${td} min-w-40`}>{str(s.description) ?? ""}</td>
            <td className={td}>{codedText(s.bodySite) ?? ""}</td>
            <td className={`${td} text-right tabular-nums`}>{str(s.numberOfInstances) ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </ScrollTable>
  );
}

/** 画像 (SS-MIX2 OMG orders / studies / physiology results, FHIR ImagingStudy, images sent as DocumentReference). */
export function ImagingDetail({ content, payload }: { content: TContentView; payload: TRec }) {
  const { t } = useI18n();
  const modality = str(payload.modality) ?? joinTexts(payload.modalities, "/");
  const instances = num(payload.numberOfInstances);
  const seriesCount = num(payload.numberOfSeries);
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.imaging.modality"), value: modality },
          { label: t("content.imaging.description"), value: str(payload.studyDescription) ?? str(payload.description) },
          { label: t("content.imaging.kind"), value: str(payload.kind) ?? str(payload.type) },
          { label: t("content.imaging.stage"), value: coded(t, "content.imaging.stageValue", payload.stage) },
          { label: t("content.orderNumber"), value: str(payload.orderNumber) },
          { label: t("content.status"), value: coded(t, "content.statusValue", payload.status) },
          {
            label: t("content.imaging.counts"),
            value: seriesCount !== null || instances !== null ? t("content.imaging.countsValue", { series: seriesCount ?? "—", instances: instances ?? "—" }) : null,
          },
          { label: t("content.imaging.studyUid"), value: str(payload.studyInstanceUid) && <span className="break-all font-mono text-xs">{str(payload.studyInstanceUid)}</span> },
        ]}
      />
      <TextBlock label={t("content.imaging.findings")} text={str(payload.findings)} />
      <Studies studies={list(payload.studies).map(rec)} />
      <Series series={list(payload.series).map(rec)} />
      <ContentFiles contentId={content.id} files={content.files} pdf="link" />
    </div>
  );
}

/** a DiagnosticReport's presented forms: their text as written, else what is known of them */
function PresentedForms({ forms }: { forms: TRec[] }) {
  const { t } = useI18n();
  if (forms.length === 0) return null;
  return (
    <div className="space-y-2">
      {forms.map((f, i) => {
        const text = str(f.text);
        const title = str(f.title) ?? t("content.report.form", { n: i + 1 });
        return text ? (
          <TextBlock key={i} label={title} text={text} />
        ) : (
          <p key={i} className="text-sm text-slate-700">
            {[title, str(f.contentType)].filter(Boolean).join(" · ")}
          </p>
        );
      })}
    </div>
  );
}

/** レポート (FHIR DiagnosticReport with a conclusion or presented form). */
export function ReportDetail({ content, payload, onTrend }: { content: TContentView; payload: TRec; onTrend?: (item: TLabValue) => void }) {
  const { t, locale } = useI18n();
  const items = labItemsOf(payload);
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.report.name"), value: str(payload.name) },
          { label: t("content.lab.category"), value: joinTexts(payload.category) },
          { label: t("content.status"), value: coded(t, "content.statusValue", payload.status) },
          { label: t("content.lab.issued"), value: when(payload.issued, locale) },
          { label: t("content.report.conclusionCodes"), value: joinTexts(payload.conclusionCodes) },
        ]}
      />
      <TextBlock label={t("content.report.conclusion")} text={str(payload.conclusion)} />
      <PresentedForms forms={list(payload.presentedForm).map(rec)} />
      {items.length > 0 && <LabTable items={items} onTrend={onTrend} />}
      <ContentFiles contentId={content.id} files={content.files} pdf="inline" />
    </div>
  );
}

/** the attachments a document names (metadata only; the data itself is in the files) */
function Attachments({ attachments, fileNames }: { attachments: TRec[]; fileNames: Set<string> }) {
  const { t, locale } = useI18n();
  // attachments sent inline were stored as the item's files (named by title, else document-n): list the others
  const shown = attachments.filter((a, i) => !(a.hasData === true && fileNames.has(str(a.title) ?? `document-${i + 1}`)));
  if (shown.length === 0) return null;
  return (
    <section className="text-sm">
      <h4 className="mb-1 font-medium text-slate-700">{t("content.document.attachments")}</h4>
      <ul className="list-disc space-y-0.5 pl-5">
        {shown.map((a, i) => {
          const size = num(a.size);
          return (
            <li key={i}>
              {[str(a.title) ?? t("content.report.form", { n: i + 1 }), str(a.contentType), size !== null ? t("content.document.bytes", { kb: Math.max(1, Math.round(size / 1024)) }) : null, when(a.creation, locale)]
                .filter(Boolean)
                .join(" · ")}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** 文書 (FHIR DocumentReference): type, description, and its PDFs shown inline, images in the viewer. */
export function DocumentDetail({ content, payload }: { content: TContentView; payload: TRec }) {
  const { t } = useI18n();
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.document.type"), value: str(payload.type) },
          { label: t("content.lab.category"), value: joinTexts(payload.category) },
          { label: t("content.document.description"), value: str(payload.description) },
          { label: t("content.status"), value: coded(t, "content.statusValue", payload.docStatus) ?? coded(t, "content.statusValue", payload.status) },
        ]}
      />
      <TextBlock text={str(payload.text)} />
      <Attachments attachments={list(payload.attachments).map(rec)} fileNames={new Set(content.files.map((f) => f.fileName))} />
      <ContentFiles contentId={content.id} files={content.files} pdf="inline" />
    </div>
  );
}
