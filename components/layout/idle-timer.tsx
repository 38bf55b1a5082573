"use client";

import { signOut } from "next-auth/react";
import { useEffect, useRef, useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { endIdleSessionAction } from "@/lib/auth/actions";

/**
 * Ends the session after `idleSeconds` without keyboard, pointer or touch input (seed 004: terminals
 * lock after 5 minutes) and returns to the login page. The server enforces the same limit on its
 * side from the session's last request; activity here is reported so typing a long form counts.
 */
export function IdleTimer({ idleSeconds }: { idleSeconds: number }) {
  const { t } = useI18n();
  const lastActivity = useRef(0);
  const lastReported = useRef(0);
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);

  useEffect(() => {
    const now = Date.now();
    lastActivity.current = now;
    lastReported.current = now;
    const onActivity = () => {
      lastActivity.current = Date.now();
    };
    const events = ["pointerdown", "keydown", "touchstart", "wheel", "scroll"] as const;
    events.forEach((e) => window.addEventListener(e, onActivity, { passive: true }));
    let ending = false;
    const timer = window.setInterval(() => {
      const idleMs = Date.now() - lastActivity.current;
      const left = Math.ceil((idleSeconds * 1000 - idleMs) / 1000);
      setSecondsLeft(left <= Math.min(60, idleSeconds / 2) ? Math.max(left, 0) : null);
      if (left <= 0 && !ending) {
        ending = true;
        void endIdleSessionAction()
          .catch(() => {})
          .finally(() => void signOut({ callbackUrl: "/login?reason=idle" }));
        return;
      }
      // Report activity to the server at most every 30 s (and well inside the limit).
      const reportEvery = Math.min(30_000, (idleSeconds * 1000) / 3);
      if (lastActivity.current > lastReported.current && Date.now() - lastReported.current > reportEvery) {
        lastReported.current = Date.now();
        void fetch("/api/session", { method: "POST", cache: "no-store" }).catch(() => {});
      }
    }, 1000);
    return () => {
      window.clearInterval(timer);
      events.forEach((e) => window.removeEventListener(e, onActivity));
    };
  }, [idleSeconds]);

  if (secondsLeft === null) return null;
  return (
    <div role="status" className="fixed inset-x-0 bottom-0 z-30 bg-amber-100 px-4 py-3 text-center text-amber-900 shadow-lg">
      {t("idle.warning", { seconds: secondsLeft })}
    </div>
  );
}
