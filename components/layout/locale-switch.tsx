"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useI18n } from "@/components/i18n-provider";
import { setLocaleAction } from "@/lib/auth/actions";

export function LocaleSwitch() {
  const { locale, t } = useI18n();
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <button
      type="button"
      disabled={pending}
      className="rounded border border-white/40 px-3 py-1 text-sm hover:bg-white/10"
      lang={locale === "ja" ? "en" : "ja"}
      onClick={() =>
        start(async () => {
          await setLocaleAction(locale === "ja" ? "en" : "ja");
          router.refresh();
        })
      }
    >
      {t("lang.switch")}
    </button>
  );
}
