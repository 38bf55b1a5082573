"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { DeleteConfirm, EditDeleteButtons } from "@/components/mail/item-actions";
import { useRun } from "@/components/mail/use-run";
import { Alert, Button, Field, FormResultAlert, inputClass } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { deleteTemplateAction, saveTemplateAction } from "@/lib/securemail/actions";
import type { TMailTemplateInfo } from "@/lib/securemail/dto";
import { BODY_MAX, SUBJECT_MAX } from "@/lib/securemail/schema";

type TEditing = { id: string | null; name: string; subject: string; body: string };

function TemplateForm({ initial, onDone, onCancel }: { initial: TEditing; onDone: (key: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const hydrated = useHydrated();
  const [v, setV] = useState(initial);
  const { pending, result, fieldErrors, run } = useRun();
  const id = (field: string) => `${initial.id ?? "new"}-${field}`;
  const errorsFor = (field: string) => ({ [id(field)]: fieldErrors[field] ?? [] });
  return (
    <form
      className="space-y-1 rounded border border-teal-200 bg-teal-50/40 p-3"
      data-testid="template-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await run("save", () => saveTemplateAction({ id: v.id, name: v.name, subject: v.subject, body: v.body }));
        if (r.ok) onDone(initial.id ? "mail.templates.updated" : "mail.templates.created");
      }}
    >
      <FormResultAlert result={result} />
      <Field label={t("mail.templates.name")} name={id("name")} errors={errorsFor("name")} required>
        <input id={id("name")} value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} maxLength={100} className={inputClass} autoComplete="off" />
      </Field>
      <Field label={t("mail.form.subject")} name={id("subject")} errors={errorsFor("subject")}>
        <input id={id("subject")} value={v.subject} onChange={(e) => setV({ ...v, subject: e.currentTarget.value })} maxLength={SUBJECT_MAX} className={inputClass} autoComplete="off" />
      </Field>
      <Field label={t("mail.form.body")} name={id("body")} errors={errorsFor("body")}>
        <textarea id={id("body")} rows={8} value={v.body} onChange={(e) => setV({ ...v, body: e.currentTarget.value })} maxLength={BODY_MAX} className={inputClass} />
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={!hydrated || pending !== null}>
          {pending ? t("common.saving") : t("common.save")}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
      </div>
    </form>
  );
}

/** 定型文管理: the viewer's saved subjects and bodies, offered in メール作成. */
export function TemplatesEditor({ templates }: { templates: TMailTemplateInfo[] }) {
  const { t } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { pending, result, run } = useRun();

  function finish(key: string) {
    setEditing(null);
    setDeleting(null);
    setDone(key);
    router.refresh();
  }

  return (
    <div className="space-y-4">
      {done && <Alert kind="success">{t(done)}</Alert>}
      <FormResultAlert result={result} />
      {editing === "new" ? (
        <TemplateForm initial={{ id: null, name: "", subject: "", body: "" }} onDone={finish} onCancel={() => setEditing(null)} />
      ) : (
        <Button
          type="button"
          disabled={!hydrated}
          onClick={() => {
            setDone(null);
            setEditing("new");
          }}
          data-testid="template-new"
        >
          ＋ {t("mail.templates.new")}
        </Button>
      )}
      {templates.length === 0 ? (
        <p className="text-sm text-slate-500">{t("mail.templates.empty")}</p>
      ) : (
        <ul className="space-y-3" data-testid="templates">
          {templates.map((tpl) =>
            editing === tpl.id ? (
              <li key={tpl.id}>
                <TemplateForm initial={tpl} onDone={finish} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={tpl.id} className="space-y-2 rounded border border-slate-200 p-3" data-testid="template" data-name={tpl.name}>
                <div className="flex flex-wrap items-start gap-2">
                  <div className="min-w-0 flex-1">
                    <h3 className="font-semibold break-words">{tpl.name}</h3>
                    {tpl.subject && (
                      <p className="text-sm break-words">
                        <span className="text-slate-600">{t("mail.form.subject")}:</span> {tpl.subject}
                      </p>
                    )}
                  </div>
                  <EditDeleteButtons
                    disabled={!hydrated}
                    onEdit={() => {
                      setDone(null);
                      setEditing(tpl.id);
                    }}
                    onDelete={() => setDeleting(tpl.id)}
                  />
                </div>
                {deleting === tpl.id && (
                  <DeleteConfirm
                    question={t("mail.templates.deleteConfirm", { name: tpl.name })}
                    busy={pending !== null}
                    onConfirm={async () => {
                      const r = await run("delete", () => deleteTemplateAction({ id: tpl.id }));
                      if (r.ok) finish("mail.templates.deleted");
                    }}
                    onCancel={() => setDeleting(null)}
                  />
                )}
                {tpl.body && <p className="line-clamp-4 rounded bg-slate-50 px-3 py-2 text-sm break-words whitespace-pre-wrap text-slate-700">{tpl.body}</p>}
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
