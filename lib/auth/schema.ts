import { z } from "zod";
import { checkPasswordRules, PASSWORD_MAX } from "@/lib/auth/password-policy";

/** Form messages are dictionary keys (lib/i18n), so they show in the user's language. */
export const ZSignIn = z.object({
  loginId: z.string().trim().min(1, { message: "v.loginId.required" }).max(64, { message: "v.tooLong" }),
  password: z.string().min(1, { message: "v.password.required" }).max(PASSWORD_MAX, { message: "v.tooLong" }),
});
export type TSignIn = z.infer<typeof ZSignIn>;

export const ZNewPassword = z
  .object({
    newPassword: z.string(),
    confirmPassword: z.string(),
  })
  .superRefine((v, ctx) => {
    for (const p of checkPasswordRules(v.newPassword)) ctx.addIssue({ code: "custom", path: ["newPassword"], message: `password.${p}` });
    if (v.newPassword !== v.confirmPassword) ctx.addIssue({ code: "custom", path: ["confirmPassword"], message: "password.mismatch" });
  });

export const ZChangePassword = z
  .object({ currentPassword: z.string().min(1, { message: "v.currentPassword.required" }) })
  .and(ZNewPassword);
export type TChangePassword = z.infer<typeof ZChangePassword>;

export const ZSecretQuestion = z.object({
  question: z.string().trim().min(1, { message: "v.secretQuestion.required" }).max(200, { message: "v.tooLong" }),
  answer: z.string().trim().min(2, { message: "v.secretAnswer.required" }).max(200, { message: "v.tooLong" }),
});
export type TSecretQuestion = z.infer<typeof ZSecretQuestion>;

/** Forgotten password: the ID and the registered e-mail address (both needed before the question shows). */
export const ZResetLookup = z.object({
  loginId: z.string().trim().min(1, { message: "v.loginId.required" }).max(64, { message: "v.tooLong" }),
  email: z.string().trim().min(1, { message: "v.email.required" }).max(254, { message: "v.tooLong" }),
});
export type TResetLookup = z.infer<typeof ZResetLookup>;

export const ZResetByQuestion = ZResetLookup.extend({
  answer: z.string().trim().min(1, { message: "v.secretAnswer.required" }).max(200, { message: "v.tooLong" }),
}).and(ZNewPassword);
export type TResetByQuestion = z.infer<typeof ZResetByQuestion>;
