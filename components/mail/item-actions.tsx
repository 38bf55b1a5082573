"use client";

import { useI18n } from "@/components/i18n-provider";
import { Button } from "@/components/ui/form";

/** 編集 and 削除 for one of the viewer's own items (a mailing list, a template). */
export function EditDeleteButtons({ disabled, onEdit, onDelete }: { disabled: boolean; onEdit: () => void; onDelete: () => void }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-wrap gap-2">
      <Button type="button" variant="secondary" disabled={disabled} onClick={onEdit}>
        {t("common.edit")}
      </Button>
      <Button type="button" variant="secondary" disabled={disabled} onClick={onDelete}>
        {t("mail.delete")}
      </Button>
    </div>
  );
}

/** The inline "really delete?" with its question, 削除する and キャンセル. */
export function DeleteConfirm({ question, busy, onConfirm, onCancel }: { question: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <div role="alertdialog" aria-label={question} className="flex flex-wrap items-center gap-2 rounded border border-red-300 bg-red-50 px-3 py-2">
      <span className="text-sm text-red-900">{question}</span>
      <Button type="button" variant="danger" disabled={busy} onClick={onConfirm}>
        {t("mail.deleteYes")}
      </Button>
      <Button type="button" variant="secondary" onClick={onCancel}>
        {t("common.cancel")}
      </Button>
    </div>
  );
}
