import { z } from "zod";

export const ZIssueCertificate = z.object({
  facilityId: z.string().uuid({ message: "施設を選択してください" }),
  terminalName: z
    .string()
    .trim()
    .min(1, { message: "端末名を入力してください" })
    .max(100, { message: "端末名は100文字以内で入力してください" }),
  days: z.coerce
    .number({ message: "有効日数は数字で入力してください" })
    .int({ message: "有効日数は整数で入力してください" })
    .min(1, { message: "有効日数は1日以上にしてください" })
    .max(3650, { message: "有効日数は3650日以内にしてください" }),
});
export type TIssueCertificate = z.infer<typeof ZIssueCertificate>;

export const ZRevokeCertificate = z.object({
  certificateId: z.string().uuid(),
  reason: z
    .string()
    .trim()
    .min(1, { message: "失効理由を入力してください" })
    .max(200, { message: "失効理由は200文字以内で入力してください" }),
});
export type TRevokeCertificate = z.infer<typeof ZRevokeCertificate>;
