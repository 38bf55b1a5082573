"use server";

import { cookies } from "next/headers";
import { runAction } from "@/lib/action-result";
import { changePassword, endSession, lookUpSecretQuestion, resetPasswordByQuestion, setSecretQuestion } from "@/lib/auth/mutations";
import { ZChangePassword, ZResetByQuestion, ZResetLookup, ZSecretQuestion } from "@/lib/auth/schema";
import { getSessionState, getTerminal, requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { LOCALE_COOKIE, toLocale } from "@/lib/i18n";

export async function changePasswordAction(input: unknown) {
  const viewer = await requireViewer({ passwordFlow: true });
  return runAction(ZChangePassword, input, (data) => changePassword(viewer, data));
}

export async function setSecretQuestionAction(input: unknown) {
  const viewer = await requireViewer({ passwordFlow: true });
  return runAction(ZSecretQuestion, input, (data) => setSecretQuestion(viewer, data));
}

/**
 * Before sign-in (the pages are still behind the terminal certificate): the question for a login
 * ID and its registered e-mail address, then the reset itself. Both answer alike for any ID.
 */
export async function findSecretQuestionAction(input: unknown) {
  const terminal = await getTerminal();
  return runAction(ZResetLookup, input, async (data) => {
    if (!terminal) throw new AppError("FORBIDDEN", "no terminal");
    return lookUpSecretQuestion(data, terminal, terminal.remoteAddress ?? null);
  });
}

export async function resetPasswordAction(input: unknown) {
  const terminal = await getTerminal();
  return runAction(ZResetByQuestion, input, async (data) => {
    if (!terminal) throw new AppError("FORBIDDEN", "no terminal");
    await resetPasswordByQuestion(data, terminal, terminal.remoteAddress ?? null);
  });
}

/** Ends the session for inactivity (called by the idle timer in the browser before it leaves). */
export async function endIdleSessionAction() {
  const state = await getSessionState();
  if (state.ok) await endSession(state.viewer.sessionId, "IDLE_TIMEOUT");
}

export async function setLocaleAction(locale: string) {
  (await cookies()).set(LOCALE_COOKIE, toLocale(locale), { path: "/", sameSite: "lax", secure: true, httpOnly: false, maxAge: 365 * 86400 });
}
