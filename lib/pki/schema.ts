import { z } from "zod";

export const ZIssueCertificate = z.object({
  facilityId: z.string().uuid({ message: "v.facility.required" }),
  terminalName: z
    .string()
    .trim()
    .min(1, { message: "v.terminalName.required" })
    .max(100, { message: "v.tooLong" }),
  days: z.coerce
    .number({ message: "v.days.range" })
    .int({ message: "v.days.range" })
    .min(1, { message: "v.days.range" })
    .max(3650, { message: "v.days.range" }),
});
export type TIssueCertificate = z.infer<typeof ZIssueCertificate>;

export const ZRevokeCertificate = z.object({
  certificateId: z.string().uuid(),
  reason: z
    .string()
    .trim()
    .min(1, { message: "v.revokeReason.required" })
    .max(200, { message: "v.tooLong" }),
});
export type TRevokeCertificate = z.infer<typeof ZRevokeCertificate>;
