"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { AddressPicker, type TChosen } from "@/components/mail/address-picker";
import { Clip } from "@/components/mail/clip";
import { Button, Field, FieldErrors, FormResultAlert, inputClass } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import type { TActionResult } from "@/lib/errors";
import { UPLOAD_ACCEPT } from "@/lib/files/upload-type";
import { formatDateTime } from "@/lib/i18n";
import { formatMegabytes } from "@/lib/notes/model";
import { saveDraftAction, sendMessageAction } from "@/lib/securemail/actions";
import type { TMailAttachment, TMailTemplateInfo } from "@/lib/securemail/dto";
import { BODY_MAX, SUBJECT_MAX } from "@/lib/securemail/schema";

/** How many file inputs the picker grows to (the total is limited by UPLOAD_MAX_MB). */
const MAX_FILE_INPUTS = 10;

export type TComposeInitial = {
  draftId: string | null;
  inReplyToId: string | null;
  to: TChosen[];
  subject: string;
  body: string;
  /** a saved draft's files, sent with it */
  attachments: TMailAttachment[];
  savedAt: Date | null;
};

/** The attachments: one more input appears when one is filled, with the running total against the limit. */
function MailFilePicker({ maxMb, errors, disabled }: { maxMb: number; errors: Record<string, string[]>; disabled: boolean }) {
  const { t } = useI18n();
  const [sizes, setSizes] = useState<number[]>([0]);
  const total = sizes.reduce((a, b) => a + b, 0);
  const over = total > maxMb * 1024 * 1024;
  return (
    <div className="space-y-2" data-field="files">
      <ul className="space-y-2">
        {sizes.map((_, i) => (
          <li key={i}>
            <input
              type="file"
              name="files"
              accept={UPLOAD_ACCEPT}
              disabled={disabled}
              aria-label={t("mail.form.fileN", { n: i + 1 })}
              className="block w-full text-sm file:mr-3 file:min-h-11 file:rounded file:border file:border-slate-300 file:bg-white file:px-4 file:py-2"
              onChange={(e) => {
                const size = e.currentTarget.files?.[0]?.size ?? 0;
                setSizes((prev) => {
                  const next = prev.map((s, j) => (j === i ? size : s));
                  return i === prev.length - 1 && size > 0 && prev.length < MAX_FILE_INPUTS ? [...next, 0] : next;
                });
              }}
            />
          </li>
        ))}
      </ul>
      <p className={`text-sm ${over ? "font-semibold text-red-700" : "text-slate-600"}`} aria-live="polite">
        {t("notes.form.total", { total: formatMegabytes(total), max: `${maxMb}MB` })}
      </p>
      <p className="text-xs text-slate-500">{t("notes.form.fileHint", { max: maxMb })}</p>
      <FieldErrors name="files" errors={errors} />
    </div>
  );
}

/**
 * メール作成: 宛先 (people, a facility's role, lists), 件名, 本文 with 定型文, attachments. 下書き保存
 * keeps it under ?draft=<id>, so a reload or a later visit finds it; 送信 opens the sent message
 * (with its 既読確認). Both wait for the page's script, as files cannot go without it.
 */
export function ComposeForm({ initial, templates, uploadMaxMb }: { initial: TComposeInitial; templates: TMailTemplateInfo[]; uploadMaxMb: number }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const [to, setTo] = useState<TChosen[]>(initial.to);
  const [subject, setSubject] = useState(initial.subject);
  const [body, setBody] = useState(() => initial.body.replace(/\r\n?/g, "\n"));
  const [pending, setPending] = useState<"draft" | "send" | null>(null);
  const [result, setResult] = useState<TActionResult<{ id: string }> | null>(null);
  const fieldErrors = result && !result.ok ? result.fieldErrors : {};
  const toErrors = Object.entries(fieldErrors)
    .filter(([k]) => k === "to" || k.startsWith("to."))
    .flatMap(([, v]) => v);

  function applyTemplate(id: string) {
    const tpl = templates.find((x) => x.id === id);
    if (!tpl) return;
    if (tpl.subject) setSubject(tpl.subject);
    setBody((b) => (b.trim() ? `${b.replace(/\s+$/, "")}\n\n${tpl.body}` : tpl.body));
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const intent = submitter?.value === "send" ? "send" : "draft";
    const form = new FormData(e.currentTarget);
    form.set("to", JSON.stringify(to.map((c) => c.addressee)));
    // A form's own encoding turns the text's line breaks into CRLF; the state holds them as typed.
    form.set("subject", subject);
    form.set("body", body);
    form.delete("intent");
    // An untouched file input sends an empty, nameless file.
    const files = form.getAll("files").filter((f) => typeof f !== "string" && f.size > 0);
    form.delete("files");
    for (const f of files) form.append("files", f);
    setPending(intent);
    try {
      const r = intent === "send" ? await sendMessageAction(form) : await saveDraftAction(form);
      setResult(r);
      if (!r.ok) return;
      if (intent === "send") {
        router.push(`/mail/${r.data.id}`);
      } else {
        const url = `/mail/compose?draft=${r.data.id}`;
        // The page is read again with the saved draft (and its files), so a reload keeps it.
        if (initial.draftId === r.data.id) router.refresh();
        else router.replace(url);
      }
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
    } finally {
      setPending(null);
    }
  }

  const busy = !hydrated || pending !== null;
  return (
    <form onSubmit={onSubmit} method="post" encType="multipart/form-data" noValidate className="space-y-1" data-testid="compose-form">
      <input type="hidden" name="draftId" value={initial.draftId ?? ""} />
      <input type="hidden" name="inReplyToId" value={initial.inReplyToId ?? ""} />
      <FormResultAlert result={result} />
      {initial.savedAt && (
        <p role="status" className="mb-3 text-sm text-emerald-800" data-testid="draft-saved">
          {t("mail.form.savedAt", { date: formatDateTime(initial.savedAt, locale) })}
        </p>
      )}
      <div className="mb-4" data-field="to">
        <label htmlFor="mail-to" className="mb-1 block text-sm font-medium text-slate-700">
          {t("mail.form.to")}
          <span className="ml-1 text-red-600" aria-label={t("common.required")}>
            *
          </span>
        </label>
        <AddressPicker id="mail-to" value={to} onChange={setTo} disabled={!hydrated} invalid={toErrors.length > 0} describedBy="to-error" />
        <p className="mt-1 text-xs text-slate-500">{t("mail.form.toHint")}</p>
        <FieldErrors name="to" errors={toErrors.length ? { to: toErrors } : {}} />
      </div>
      {templates.length > 0 && (
        <div className="mb-4 flex flex-wrap items-end gap-2">
          <label className="text-sm">
            <span className="mb-1 block font-medium text-slate-700">{t("mail.form.template")}</span>
            <select
              className="min-h-11 rounded border border-slate-300 bg-white px-2 text-base"
              value=""
              disabled={!hydrated}
              onChange={(e) => applyTemplate(e.currentTarget.value)}
              data-testid="template-select"
            >
              <option value="">{t("mail.form.templateChoose")}</option>
              {templates.map((tpl) => (
                <option key={tpl.id} value={tpl.id}>
                  {tpl.name}
                </option>
              ))}
            </select>
          </label>
          <Link href="/mail/templates" className="inline-flex min-h-11 items-center text-sm text-teal-800 underline underline-offset-2">
            {t("mail.templates.title")}
          </Link>
        </div>
      )}
      <Field label={t("mail.form.subject")} name="subject" errors={fieldErrors} required>
        <input
          id="subject"
          name="subject"
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
          maxLength={SUBJECT_MAX}
          autoComplete="off"
          className={inputClass}
          aria-invalid={(fieldErrors.subject?.length ?? 0) > 0}
        />
      </Field>
      <Field label={t("mail.form.body")} name="body" errors={fieldErrors}>
        <textarea
          id="body"
          name="body"
          rows={12}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          maxLength={BODY_MAX}
          className={inputClass}
          aria-invalid={(fieldErrors.body?.length ?? 0) > 0}
        />
      </Field>
      <fieldset className="mb-4">
        <legend className="mb-1 block text-sm font-medium text-slate-700">{t("mail.form.files")}</legend>
        {initial.attachments.length > 0 && (
          <ul className="mb-2 space-y-1 text-sm" data-testid="draft-attachments">
            {initial.attachments.map((a) => (
              <li key={a.id} className="flex flex-wrap items-center gap-x-2" data-file={a.fileName}>
                <Clip label={t("mail.hasAttachments")} />
                <span className="break-all">{a.fileName}</span>
                <span className="text-xs text-slate-600">{formatMegabytes(a.size)}</span>
              </li>
            ))}
            <li className="text-xs text-slate-500">{t("mail.form.draftFilesKept")}</li>
          </ul>
        )}
        <MailFilePicker maxMb={uploadMaxMb} errors={fieldErrors} disabled={!hydrated} />
      </fieldset>
      <div className="flex flex-wrap gap-3 pt-2">
        {/* first in the form: Enter in a field saves a draft, never sends */}
        <Button type="submit" name="intent" value="draft" variant="secondary" disabled={busy} aria-busy={pending === "draft"} className="disabled:text-slate-400">
          {pending === "draft" ? t("common.saving") : t("mail.form.saveDraft")}
        </Button>
        <Button type="submit" name="intent" value="send" disabled={busy} aria-busy={pending === "send"} className="order-first sm:order-none">
          {pending === "send" ? t("mail.form.sending") : t("mail.form.send")}
        </Button>
        <Link href="/mail" className="inline-flex min-h-11 items-center px-2 text-teal-800 underline underline-offset-2">
          {t("common.cancel")}
        </Link>
      </div>
    </form>
  );
}
