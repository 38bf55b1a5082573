"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button } from "@/components/ui/form";
import { setBookmarkAction } from "@/lib/patients/actions";

/** ブックマーク on and off (seed 001). */
export function BookmarkButton({ patientId, isBookmarked }: { patientId: string; isBookmarked: boolean }) {
  const { t } = useI18n();
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [isOn, setOn] = useState(isBookmarked);
  return (
    <Button
      type="button"
      variant="secondary"
      aria-pressed={isOn}
      disabled={pending}
      onClick={async () => {
        setPending(true);
        const r = await setBookmarkAction({ patientId, isOn: !isOn }).catch(() => null);
        if (r?.ok) {
          setOn(!isOn);
          router.refresh();
        }
        setPending(false);
      }}
    >
      <span aria-hidden className={`mr-2 ${isOn ? "text-amber-500" : "text-slate-400"}`}>
        ★
      </span>
      {isOn ? t("patientPage.unbookmark") : t("patientPage.bookmark")}
    </Button>
  );
}
