"use server";

import { cookies } from "next/headers";
import { runAction } from "@/lib/action-result";
import { changePassword, resetPasswordByQuestion, setSecretQuestion, endSession } from "@/lib/auth/mutations";
import { findSecretQuestion } from "@/lib/auth/queries";
import { ZChangePassword, ZResetByQuestion, ZSecretQuestion, ZSignIn } from "@/lib/auth/schema";
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

/** Before sign-in: the question for a login ID (the page is still behind the terminal certificate). */
export async function findSecretQuestionAction(input: unknown) {
  return runAction(ZSignIn.pick({ loginId: true }), input, async ({ loginId }) => {
    const question = await findSecretQuestion(loginId);
    if (!question) throw new AppError("VALIDATION", "no question", { loginId: ["reset.noQuestion"] });
    return { question };
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
