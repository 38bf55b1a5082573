"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button, FormResultAlert } from "@/components/ui/form";
import type { TActionResult } from "@/lib/errors";
import { markNotificationsReadAction } from "@/lib/notes/actions";

/** すべて既読にする: the list and the header's badge are read again afterwards. */
export function MarkAllReadButton({ disabled }: { disabled: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TActionResult<{ count: number }> | null>(null);
  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end">
      <Button
        type="button"
        variant="secondary"
        disabled={disabled || pending}
        className="disabled:text-slate-400"
        onClick={async () => {
          setPending(true);
          const r = await markNotificationsReadAction({ ids: "all" }).catch(() => ({ ok: false as const, code: "INTERNAL" as const, fieldErrors: {} }));
          setResult(r);
          if (r.ok) router.refresh();
          setPending(false);
        }}
      >
        {pending ? t("common.saving") : t("notices.markAllRead")}
      </Button>
      {result?.ok && (
        <p role="status" className="text-sm text-emerald-800">
          {t("notices.markedRead", { count: result.data.count })}
        </p>
      )}
      <FormResultAlert result={result} />
    </div>
  );
}
