"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { DeleteConfirm, EditDeleteButtons } from "@/components/mail/item-actions";
import { AddressPicker, type TChosen } from "@/components/mail/address-picker";
import { useRun } from "@/components/mail/use-run";
import { Alert, Button, Field, FieldErrors, FormResultAlert, inputClass } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { deleteMailingListAction, saveMailingListAction } from "@/lib/securemail/actions";
import type { TMailingListInfo } from "@/lib/securemail/dto";

type TEditing = { id: string | null; name: string; description: string; members: TChosen[] };

const blank: TEditing = { id: null, name: "", description: "", members: [] };

function editingOf(l: TMailingListInfo): TEditing {
  return { id: l.id, name: l.name, description: l.description ?? "", members: l.members.map((m) => ({ addressee: { kind: "user", userId: m.userId }, label: `${m.name}（${m.facilityName}）` })) };
}

function ListForm({ initial, onDone, onCancel }: { initial: TEditing; onDone: (key: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const hydrated = useHydrated();
  const [v, setV] = useState(initial);
  const { pending, result, fieldErrors, run } = useRun();
  const idBase = initial.id ?? "new";
  const memberErrors = Object.entries(fieldErrors)
    .filter(([k]) => k === "memberIds" || k.startsWith("memberIds."))
    .flatMap(([, m]) => m);
  return (
    <form
      className="space-y-1 rounded border border-teal-200 bg-teal-50/40 p-3"
      data-testid="list-form"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await run("save", () =>
          saveMailingListAction({
            id: v.id,
            name: v.name,
            description: v.description,
            memberIds: v.members.flatMap((m) => (m.addressee.kind === "user" ? [m.addressee.userId] : [])),
          }),
        );
        if (r.ok) onDone(initial.id ? "mail.lists.updated" : "mail.lists.created");
      }}
    >
      <FormResultAlert result={result} />
      <Field label={t("mail.lists.name")} name={`${idBase}-name`} errors={{ [`${idBase}-name`]: fieldErrors.name ?? [] }} required>
        <input id={`${idBase}-name`} value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} maxLength={100} className={inputClass} autoComplete="off" />
      </Field>
      <Field label={t("mail.lists.description")} name={`${idBase}-description`} errors={{ [`${idBase}-description`]: fieldErrors.description ?? [] }}>
        <input id={`${idBase}-description`} value={v.description} onChange={(e) => setV({ ...v, description: e.currentTarget.value })} maxLength={200} className={inputClass} autoComplete="off" />
      </Field>
      <div className="mb-4">
        <label htmlFor={`${idBase}-members`} className="mb-1 block text-sm font-medium text-slate-700">
          {t("mail.lists.members", { count: v.members.length })}
        </label>
        <AddressPicker id={`${idBase}-members`} value={v.members} onChange={(members) => setV({ ...v, members })} usersOnly disabled={!hydrated} />
        <FieldErrors name="memberIds" errors={{ memberIds: memberErrors }} />
      </div>
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

/** メーリングリスト: the lists the viewer owns (edit, delete) and those they are a member of. */
export function MailingLists({ lists }: { lists: TMailingListInfo[] }) {
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
        <ListForm initial={blank} onDone={finish} onCancel={() => setEditing(null)} />
      ) : (
        <Button
          type="button"
          disabled={!hydrated}
          onClick={() => {
            setDone(null);
            setEditing("new");
          }}
          data-testid="list-new"
        >
          ＋ {t("mail.lists.new")}
        </Button>
      )}
      {lists.length === 0 ? (
        <p className="text-sm text-slate-500">{t("mail.lists.empty")}</p>
      ) : (
        <ul className="space-y-3" data-testid="mailing-lists">
          {lists.map((l) =>
            editing === l.id ? (
              <li key={l.id}>
                <ListForm initial={editingOf(l)} onDone={finish} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={l.id} className="space-y-2 rounded border border-slate-200 p-3" data-testid="mailing-list" data-name={l.name}>
                <div className="flex flex-wrap items-start gap-2">
                  <div className="min-w-0 flex-1">
                    <h3 className="font-semibold break-words">{l.name}</h3>
                    {l.description && <p className="text-sm break-words text-slate-700">{l.description}</p>}
                    <p className="text-xs text-slate-600">{l.isMine ? t("mail.lists.mine") : t("mail.lists.owner", { name: l.ownerName })}</p>
                  </div>
                  {l.isMine && (
                    <EditDeleteButtons
                      disabled={!hydrated}
                      onEdit={() => {
                        setDone(null);
                        setEditing(l.id);
                      }}
                      onDelete={() => setDeleting(l.id)}
                    />
                  )}
                </div>
                {deleting === l.id && (
                  <DeleteConfirm
                    question={t("mail.lists.deleteConfirm", { name: l.name })}
                    busy={pending !== null}
                    onConfirm={async () => {
                      const r = await run("delete", () => deleteMailingListAction({ id: l.id }));
                      if (r.ok) finish("mail.lists.deleted");
                    }}
                    onCancel={() => setDeleting(null)}
                  />
                )}
                <details className="text-sm">
                  <summary className="inline-flex min-h-11 cursor-pointer items-center text-teal-800">{t("mail.lists.members", { count: l.members.length })}</summary>
                  <ul className="flex flex-wrap gap-2">
                    {l.members.map((m) => (
                      <li key={m.userId} className="rounded-full border border-slate-300 bg-white px-3 py-1">
                        {m.name} <span className="text-xs text-slate-600">{m.facilityName}</span>
                      </li>
                    ))}
                  </ul>
                </details>
              </li>
            ),
          )}
        </ul>
      )}
    </div>
  );
}
