"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { EnumSelectField } from "@/components/notes/post-forms";
import { QualificationBadge } from "@/components/notes/qualification-badge";
import { Button, Field, FieldErrors, FormResultAlert, Input, inputClass } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { QUALIFICATIONS } from "@/lib/enums";
import { formatDateTime } from "@/lib/i18n";
import type { TNotePayload } from "@/lib/notes/model";
import { NOTE_ICONS, NOTE_KINDS, NOTE_TYPES } from "@/lib/notes/schema";
import type { TComment } from "@/lib/notes/queries";
import { deleteNoteAction, editNoteAction, postCommentAction } from "@/lib/notes/actions";

/** Comments under a note, LINE-style (seed 000 mobile note): others on the left, mine on the right, newest last, with 既読 counts. */
export function CommentThread({ contentId, comments }: { contentId: string; comments: TComment[] }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const form = useActionForm(
    (input) => postCommentAction(contentId, input),
    () => {
      (document.getElementById("comment-body") as HTMLTextAreaElement | null)?.form?.reset();
      router.refresh();
    },
  );
  return (
    <section className="space-y-3" aria-labelledby="comments-heading" data-testid="comments">
      <h3 id="comments-heading" className="text-base font-semibold">
        {t("notes.comments.heading", { n: comments.length })}
      </h3>
      {comments.length === 0 && <p className="text-sm text-slate-600">{t("notes.comments.none")}</p>}
      <ol className="space-y-3">
        {comments.map((c) => (
          <li key={c.id} className={`flex gap-2 ${c.isMine ? "flex-row-reverse" : ""}`} data-testid="comment" data-unread={c.isUnread ? "1" : "0"}>
            {c.author.qualification && <QualificationBadge qualification={c.author.qualification} size="md" />}
            <div className={`max-w-[85%] min-w-0 ${c.isMine ? "text-right" : ""}`}>
              <p className="text-xs text-slate-600">
                {c.author.facilityName} {c.author.name}
              </p>
              <div className={`mt-0.5 inline-block rounded-2xl px-3 py-2 text-left break-words whitespace-pre-wrap ${c.isMine ? "bg-teal-600 text-white" : "bg-slate-100 text-slate-900"} ${c.isUnread ? "ring-2 ring-amber-400" : ""}`}>
                {c.body}
              </div>
              <p className="mt-0.5 text-xs text-slate-500">
                {c.isUnread && <span className="mr-2 font-semibold text-amber-700">{t("notes.comments.new")}</span>}
                {c.readBy > 0 && <span className="mr-2">{t("notes.comments.readBy", { n: c.readBy })}</span>}
                <time dateTime={new Date(c.createdAt).toISOString()}>{formatDateTime(c.createdAt, locale)}</time>
              </p>
            </div>
          </li>
        ))}
      </ol>
      <form onSubmit={form.onSubmit} method="post" className="space-y-2 border-t border-slate-200 pt-3" noValidate>
        <FormResultAlert result={form.result} />
        <label htmlFor="comment-body" className="block text-sm font-medium text-slate-700">
          {t("notes.comments.write")}
        </label>
        <textarea id="comment-body" name="body" rows={3} className={inputClass} aria-invalid={(form.fieldErrors.body?.length ?? 0) > 0} />
        <FieldErrors name="body" errors={form.fieldErrors} />
        <div className="flex flex-wrap items-center justify-between gap-2">
          <label className="flex min-h-11 items-center gap-2 text-sm">
            <input type="checkbox" name="notify" className="h-5 w-5" />
            {t("notes.form.notify")}
          </label>
          <Button type="submit" disabled={!hydrated || form.pending} aria-busy={form.pending}>
            {t("notes.comments.send")}
          </Button>
        </div>
      </form>
    </section>
  );
}

/** The author's edit and delete, while the window is open; the earlier version is kept. */
export function NoteAuthorTools({ contentId, patientId, note, occurredLocal, title, editableUntil }: { contentId: string; patientId: string; note: TNotePayload; occurredLocal: string; title: string; editableUntil: Date }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [deleteError, setDeleteError] = useState(false);
  const form = useActionForm(
    (input) => editNoteAction(contentId, input),
    () => {
      setEditing(false);
      router.refresh();
    },
  );
  async function onDelete() {
    if (!window.confirm(t("notes.delete.confirm"))) return;
    const r = await deleteNoteAction(contentId);
    if (r.ok) router.push(`/patients/${patientId}/notes`);
    else setDeleteError(true);
  }
  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-600">{t("notes.edit.until", { until: formatDateTime(editableUntil, locale) })}</p>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="secondary" onClick={() => setEditing((v) => !v)} aria-expanded={editing}>
          {t("common.edit")}
        </Button>
        <Button type="button" variant="danger" onClick={onDelete}>
          {t("notes.delete.button")}
        </Button>
      </div>
      {deleteError && <p className="text-sm text-red-700" role="alert">{t("notes.edit.closed")}</p>}
      {editing && (
        <form onSubmit={form.onSubmit} className="max-w-2xl rounded border border-slate-200 p-3" noValidate data-testid="note-edit-form">
          <FormResultAlert result={form.result} />
          <div className="grid gap-x-4 sm:grid-cols-2">
            <EnumSelectField name="noteType" label={t("notes.form.noteType")} values={NOTE_TYPES} labelKey="notes.noteType" defaultValue={note.noteType} errors={form.fieldErrors} />
            <EnumSelectField name="noteKind" label={t("notes.form.noteKind")} values={NOTE_KINDS} labelKey="notes.noteKind" defaultValue={note.noteKind} errors={form.fieldErrors} />
            <EnumSelectField name="qualification" label={t("notes.form.qualification")} values={QUALIFICATIONS} labelKey="enum.Qualification" defaultValue={note.qualification} errors={form.fieldErrors} />
            <EnumSelectField name="icon" label={t("notes.form.icon")} values={NOTE_ICONS} labelKey="notes.icon" defaultValue={note.icon} errors={form.fieldErrors} />
          </div>
          <Field label={t("notes.form.occurredAt")} name="occurredAt" errors={form.fieldErrors} required>
            <Input type="datetime-local" name="occurredAt" defaultValue={occurredLocal} errors={form.fieldErrors} />
          </Field>
          <Field label={t("notes.form.title")} name="title" errors={form.fieldErrors}>
            <Input name="title" defaultValue={title} maxLength={100} errors={form.fieldErrors} />
          </Field>
          <Field label={t("notes.form.body")} name="body" errors={form.fieldErrors} required>
            <textarea id="body" name="body" rows={6} defaultValue={note.body} className={inputClass} />
          </Field>
          <Button type="submit" disabled={form.pending}>
            {t("common.save")}
          </Button>
        </form>
      )}
    </div>
  );
}
