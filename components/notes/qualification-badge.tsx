"use client";

import { useI18n } from "@/components/i18n-provider";

/** Colours per 資格種別 group: doctors, nurses, pharmacists, care, others. */
const TONE: Record<string, string> = {
  DOCTOR: "bg-sky-700",
  DENTIST: "bg-sky-700",
  NURSE: "bg-pink-700",
  PUBLIC_HEALTH_NURSE: "bg-pink-700",
  MIDWIFE: "bg-pink-700",
  PHARMACIST: "bg-emerald-700",
  CARE_MANAGER: "bg-amber-700",
  CARE_WORKER: "bg-amber-700",
  SOCIAL_WORKER: "bg-violet-700",
};

/**
 * The author's qualification as a small round badge (seed 000: "アップロードした職種のアイコンが表示"):
 * one character (医, 看, 薬…) that reads the same on every terminal; the full name is its label.
 */
export function QualificationBadge({ qualification, size = "sm" }: { qualification: string; size?: "sm" | "md" }) {
  const { t } = useI18n();
  const dim = size === "md" ? "h-7 w-7 text-sm" : "h-5 w-5 text-[11px]";
  return (
    <span
      role="img"
      aria-label={t(`enum.Qualification.${qualification}`)}
      title={t(`enum.Qualification.${qualification}`)}
      className={`inline-flex shrink-0 items-center justify-center rounded-full font-bold leading-none text-white ${dim} ${TONE[qualification] ?? "bg-slate-600"}`}
    >
      {t(`notes.qualificationShort.${qualification}`)}
    </span>
  );
}
