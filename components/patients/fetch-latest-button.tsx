"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button } from "@/components/ui/form";
import { fetchLatestDataAction } from "@/lib/clinical/actions";

type TResult = Awaited<ReturnType<typeof fetchLatestDataAction>>;

/** 最新データ取得: imports this patient's data from the facility's SS-MIX2 storage now. */
export function FetchLatestButton({ linkId }: { linkId: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TResult | null>(null);
  return (
    <div className="text-sm" aria-live="polite">
      <Button
        type="button"
        variant="secondary"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          const r = await fetchLatestDataAction({ linkId }).catch(() => null);
          setResult(r);
          setPending(false);
          if (r?.ok) router.refresh();
        }}
      >
        {pending ? t("links.fetching") : t("links.latestData")}
      </Button>
      {pending && <span className="ml-2 inline-block h-4 w-4 animate-spin rounded-full border-2 border-teal-700 border-t-transparent align-middle" aria-hidden />}
      {result?.ok && (
        <p className="mt-1 text-slate-700" data-testid="fetch-result">
          {t("links.fetched", { files: result.data.files, created: result.data.created + result.data.replaced, unchanged: result.data.unchanged, failed: result.data.failed })}
        </p>
      )}
      {result?.ok && result.data.errors.map((e) => <p key={e.file} className="text-xs text-red-700">{e.file}: {e.error}</p>)}
      {result && !result.ok && <p className="mt-1 text-red-700">{t(result.fieldErrors._form?.[0] ?? "common.error")}</p>}
    </div>
  );
}
