"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { useRun } from "@/components/mail/use-run";
import { Button, FieldErrors, FormResultAlert, inputClass } from "@/components/ui/form";
import { useHydrated } from "@/components/ui/use-hydrated";
import { createFolderAction, deleteFolderAction } from "@/lib/securemail/actions";

/** フォルダー一覧(作成): a name, then the new folder opens. */
export function FolderCreate() {
  const { t } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const { pending, result, fieldErrors, run, setResult } = useRun();
  if (!open) {
    return (
      <button
        type="button"
        disabled={!hydrated}
        onClick={() => setOpen(true)}
        className="inline-flex min-h-11 items-center gap-1 rounded border border-dashed border-slate-300 bg-white px-3 text-sm text-teal-800 hover:bg-teal-50 md:w-full md:border-transparent md:bg-transparent md:underline md:underline-offset-2"
        data-testid="folder-create-open"
      >
        <span aria-hidden>＋</span>
        {t("mail.folder.create")}
      </button>
    );
  }
  return (
    <form
      className="w-full space-y-2 rounded border border-slate-200 bg-white p-2 md:mt-1"
      onSubmit={async (e) => {
        e.preventDefault();
        const r = await run("create", () => createFolderAction({ name }));
        if (r.ok) {
          setOpen(false);
          setName("");
          router.push(`/mail?folder=${r.data.id}`);
        }
      }}
      data-testid="folder-create"
    >
      <label htmlFor="mail-folder-name" className="block text-sm font-medium text-slate-700">
        {t("mail.folder.name")}
      </label>
      <input id="mail-folder-name" name="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={50} className={inputClass} autoFocus autoComplete="off" />
      <FieldErrors name="name" errors={fieldErrors} />
      {result && !result.ok && Object.keys(fieldErrors).length === 0 && <FormResultAlert result={result} />}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending !== null} className="text-sm">
          {t("mail.folder.createSubmit")}
        </Button>
        <Button
          type="button"
          variant="secondary"
          className="text-sm"
          onClick={() => {
            setOpen(false);
            setResult(null);
          }}
        >
          {t("common.cancel")}
        </Button>
      </div>
    </form>
  );
}

/** このフォルダーを削除, asked twice. */
export function FolderDelete({ id, name }: { id: string; name: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const hydrated = useHydrated();
  const [asking, setAsking] = useState(false);
  const { pending, result, run } = useRun();
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="folder-delete">
      {asking ? (
        <>
          <span className="text-sm text-red-800">{t("mail.folder.deleteConfirm", { name })}</span>
          <Button
            type="button"
            variant="danger"
            disabled={pending !== null}
            onClick={async () => {
              const r = await run("delete", () => deleteFolderAction({ id }));
              if (r.ok) {
                router.push("/mail");
              }
            }}
          >
            {t("mail.folder.deleteYes")}
          </Button>
          <Button type="button" variant="secondary" onClick={() => setAsking(false)}>
            {t("common.cancel")}
          </Button>
        </>
      ) : (
        <Button type="button" variant="secondary" disabled={!hydrated} onClick={() => setAsking(true)}>
          {t("mail.folder.delete")}
        </Button>
      )}
      <FormResultAlert result={result} />
    </div>
  );
}
