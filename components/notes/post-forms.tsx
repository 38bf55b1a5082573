"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { useHydrated } from "@/components/ui/use-hydrated";
import { Alert, Button, Field, FieldErrors, FormResultAlert, Input, inputClass, Select } from "@/components/ui/form";
import { QUALIFICATIONS } from "@/lib/enums";
import type { TActionResult } from "@/lib/errors";
import { UPLOAD_ACCEPT } from "@/lib/files/upload-type";
import { formatMegabytes } from "@/lib/notes/model";
import { DOCUMENT_TYPES, NOTE_ICONS, NOTE_KINDS, NOTE_MAX_FILES, NOTE_TYPES, SHORT_TITLE_MAX } from "@/lib/notes/schema";
import { postDocumentAction, postFileAction, postNoteAction } from "@/lib/notes/actions";

/*
 * The three post forms of seed 000 (ノート, サマリー文書, ファイル). They send multipart form data
 * to a server action; the files are checked on the server (by content), and a refusal names the
 * file and why. The running total against the limit shows as in the seed ("0.037MB / 30MB").
 */

type TPostContext = { patientId: string; uploadMaxMb: number; sharedWithOthers: boolean; defaultQualification: string; nowLocal: string; today: string };

function useMultipartPost(action: (patientId: string, form: FormData) => Promise<TActionResult<{ id: string }>>, patientId: string, after: (id: string) => string) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TActionResult<{ id: string }> | null>(null);
  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setPending(true);
    try {
      const r = await action(patientId, new FormData(e.currentTarget));
      setResult(r);
      if (r.ok) router.push(after(r.data.id));
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
    } finally {
      setPending(false);
    }
  }
  return { pending, ready: hydrated && !pending, result, fieldErrors: result && !result.ok ? result.fieldErrors : {}, onSubmit };
}

/** The files of a post: several inputs (one more appears when one is filled), a camera button on phones, the running total. */
function FilePicker({ name, multiple, maxMb, errors, required, accept = UPLOAD_ACCEPT }: { name: string; multiple: boolean; maxMb: number; errors: Record<string, string[]>; required?: boolean; accept?: string }) {
  const { t } = useI18n();
  const [sizes, setSizes] = useState<number[]>([0]);
  const [photoSize, setPhotoSize] = useState(0);
  const total = sizes.reduce((a, b) => a + b, 0) + photoSize;
  const over = total > maxMb * 1024 * 1024;
  return (
    <div className="space-y-2" data-field={name}>
      <ul className="space-y-2">
        {sizes.map((_, i) => (
          <li key={i}>
            <input
              type="file"
              name={name}
              accept={accept}
              required={required && i === 0}
              aria-label={t("notes.form.fileN", { n: i + 1 })}
              className="block w-full text-sm file:mr-3 file:min-h-11 file:rounded file:border file:border-slate-300 file:bg-white file:px-4 file:py-2"
              onChange={(e) => {
                const size = e.currentTarget.files?.[0]?.size ?? 0;
                setSizes((prev) => {
                  const next = prev.map((s, j) => (j === i ? size : s));
                  return multiple && i === prev.length - 1 && size > 0 && prev.length < NOTE_MAX_FILES ? [...next, 0] : next;
                });
              }}
            />
          </li>
        ))}
      </ul>
      {multiple && (
        <label className="inline-flex min-h-11 cursor-pointer items-center gap-2 rounded border border-slate-300 bg-white px-4 text-sm">
          <svg viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8" aria-hidden="true">
            <path d="M4 8h3l2-3h6l2 3h3v11H4z" />
            <circle cx="12" cy="13" r="3.5" />
          </svg>
          {t("notes.form.camera")}
          {/* a phone opens its camera for this one (capture); the photo is sent with the note */}
          <input type="file" name={name} accept="image/jpeg,image/png" capture="environment" className="sr-only" data-testid="camera-input" onChange={(e) => setPhotoSize(e.currentTarget.files?.[0]?.size ?? 0)} />
        </label>
      )}
      <p className={`text-sm ${over ? "font-semibold text-red-700" : "text-slate-600"}`} aria-live="polite">
        {t("notes.form.total", { total: formatMegabytes(total), max: `${maxMb}MB` })}
      </p>
      <p className="text-xs text-slate-500">{t("notes.form.fileHint", { max: maxMb })}</p>
      <FieldErrors name={name} errors={errors} />
    </div>
  );
}

/** A required select over one of the post's value lists, its options labelled `${labelKey}.${value}`. */
export function EnumSelectField({ name, label, values, labelKey, defaultValue, errors }: { name: string; label: string; values: readonly string[]; labelKey: string; defaultValue: string; errors: Record<string, string[]> }) {
  const { t } = useI18n();
  return (
    <Field label={label} name={name} errors={errors} required>
      <Select name={name} defaultValue={defaultValue} errors={errors}>
        {values.map((v) => (
          <option key={v} value={v}>
            {t(`${labelKey}.${v}`)}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** 登録 (disabled until the page's script runs or while sending), and a way back. */
function SubmitRow({ f, cancelHref }: { f: { ready: boolean; pending: boolean }; cancelHref?: string }) {
  const { t } = useI18n();
  return (
    <div className="mt-4 flex flex-wrap gap-3">
      <Button type="submit" disabled={!f.ready} aria-busy={f.pending}>
        {f.pending ? t("notes.form.sending") : t("notes.form.submit")}
      </Button>
      {cancelHref && (
        <a href={cancelHref} className="inline-flex min-h-11 items-center px-4 text-teal-800 underline">
          {t("common.cancel")}
        </a>
      )}
    </div>
  );
}

function NotifyCheckbox() {
  const { t } = useI18n();
  return (
    <label className="flex min-h-11 items-center gap-2 text-sm">
      <input type="checkbox" name="notify" className="h-5 w-5" />
      <span>
        {t("notes.form.notify")} <span className="text-slate-600">{t("notes.form.notifyHint")}</span>
      </span>
    </label>
  );
}

function SharingNotice({ shared }: { shared: boolean }) {
  const { t } = useI18n();
  return shared ? null : <Alert kind="warning">{t("notes.form.notShared")}</Alert>;
}

function Radios({ name, values, labelKey, defaultValue, legend }: { name: string; values: readonly string[]; labelKey: string; defaultValue: string; legend: string }) {
  const { t } = useI18n();
  return (
    <fieldset className="mb-4">
      <legend className="mb-1 text-sm font-medium text-slate-700">
        {legend}
        <span className="ml-1 text-red-600">*</span>
      </legend>
      <div className="flex flex-wrap gap-2">
        {values.map((v) => (
          <label key={v} className="inline-flex min-h-11 items-center gap-2 rounded border border-slate-300 bg-white px-3 text-sm has-[:checked]:border-teal-700 has-[:checked]:bg-teal-50">
            <input type="radio" name={name} value={v} defaultChecked={v === defaultValue} className="h-4 w-4" />
            {t(`${labelKey}.${v}`)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function NoteForm({ ctx }: { ctx: TPostContext }) {
  const { t } = useI18n();
  const f = useMultipartPost(postNoteAction, ctx.patientId, (id) => `/patients/${ctx.patientId}/notes/${id}`);
  return (
    <form onSubmit={f.onSubmit} method="post" encType="multipart/form-data" className="max-w-2xl" noValidate data-testid="note-form">
      <p className="mb-4 text-sm text-slate-600">{t("notes.form.intro")}</p>
      <SharingNotice shared={ctx.sharedWithOthers} />
      <FormResultAlert result={f.result} />
      <Radios name="noteType" values={NOTE_TYPES} labelKey="notes.noteType" defaultValue="NOTE" legend={t("notes.form.noteType")} />
      <Radios name="noteKind" values={NOTE_KINDS} labelKey="notes.noteKind" defaultValue="RECORD" legend={t("notes.form.noteKind")} />
      <EnumSelectField name="qualification" label={t("notes.form.qualification")} values={QUALIFICATIONS} labelKey="enum.Qualification" defaultValue={ctx.defaultQualification} errors={f.fieldErrors} />
      <Field label={t("notes.form.occurredAt")} name="occurredAt" errors={f.fieldErrors} required>
        <Input type="datetime-local" name="occurredAt" defaultValue={ctx.nowLocal} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.form.title")} name="title" errors={f.fieldErrors}>
        <Input name="title" maxLength={100} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.form.body")} name="body" errors={f.fieldErrors} required>
        <textarea id="body" name="body" rows={8} className={inputClass} aria-invalid={(f.fieldErrors.body?.length ?? 0) > 0} />
      </Field>
      <Field label={t("notes.form.files")} name="files" errors={{}}>
        <FilePicker name="files" multiple maxMb={ctx.uploadMaxMb} errors={f.fieldErrors} />
      </Field>
      <Radios name="icon" values={NOTE_ICONS} labelKey="notes.icon" defaultValue="QUALIFICATION" legend={t("notes.form.icon")} />
      <NotifyCheckbox />
      <SubmitRow f={f} cancelHref={`/patients/${ctx.patientId}/notes`} />
    </form>
  );
}

export function DocumentForm({ ctx }: { ctx: TPostContext }) {
  const { t } = useI18n();
  const f = useMultipartPost(postDocumentAction, ctx.patientId, () => `/patients/${ctx.patientId}/notes?kind=documents`);
  return (
    <form onSubmit={f.onSubmit} method="post" encType="multipart/form-data" className="max-w-2xl" noValidate data-testid="document-form">
      <p className="mb-4 text-sm text-slate-600">{t("notes.document.intro")}</p>
      <SharingNotice shared={ctx.sharedWithOthers} />
      <FormResultAlert result={f.result} />
      <EnumSelectField name="documentType" label={t("notes.document.type")} values={DOCUMENT_TYPES} labelKey="notes.documentType" defaultValue="NURSING_SUMMARY" errors={f.fieldErrors} />
      <Field label={t("notes.document.date")} name="date" errors={f.fieldErrors} required>
        <Input type="date" name="date" defaultValue={ctx.today} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.form.fileOne")} name="file" errors={{}} required>
        <FilePicker name="file" multiple={false} maxMb={ctx.uploadMaxMb} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.document.title")} name="title" errors={f.fieldErrors} hint={t("notes.form.max40")}>
        <Input name="title" maxLength={SHORT_TITLE_MAX} errors={f.fieldErrors} />
      </Field>
      <p className="mb-4 text-sm text-slate-600">{t("notes.document.pdfNote")}</p>
      <NotifyCheckbox />
      <SubmitRow f={f} />
    </form>
  );
}

export function FileForm({ ctx }: { ctx: TPostContext }) {
  const { t } = useI18n();
  const f = useMultipartPost(postFileAction, ctx.patientId, () => `/patients/${ctx.patientId}/notes?kind=files`);
  return (
    <form onSubmit={f.onSubmit} method="post" encType="multipart/form-data" className="max-w-2xl" noValidate data-testid="file-form">
      <p className="mb-4 text-sm text-slate-600">{t("notes.file.intro")}</p>
      <SharingNotice shared={ctx.sharedWithOthers} />
      <FormResultAlert result={f.result} />
      <Field label={t("notes.file.from")} name="from" errors={f.fieldErrors} required>
        <Input type="date" name="from" defaultValue={ctx.today} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.form.fileOne")} name="file" errors={{}} required>
        <FilePicker name="file" multiple={false} maxMb={ctx.uploadMaxMb} errors={f.fieldErrors} />
      </Field>
      <Field label={t("notes.file.description")} name="description" errors={f.fieldErrors} required hint={t("notes.form.max40")}>
        <Input name="description" maxLength={SHORT_TITLE_MAX} errors={f.fieldErrors} />
      </Field>
      <fieldset className="mb-4">
        <legend className="mb-1 text-sm font-medium text-slate-700">
          {t("notes.file.period")}
          <span className="ml-1 text-red-600">*</span>
        </legend>
        <Field label={t("notes.file.periodLabel")} name="periodLabel" errors={f.fieldErrors} hint={t("notes.file.periodLabelHint")}>
          <Input name="periodLabel" maxLength={SHORT_TITLE_MAX} errors={f.fieldErrors} />
        </Field>
        <Field label={t("notes.file.to")} name="to" errors={f.fieldErrors} required>
          <Input type="date" name="to" errors={f.fieldErrors} />
        </Field>
      </fieldset>
      <NotifyCheckbox />
      <SubmitRow f={f} />
    </form>
  );
}
