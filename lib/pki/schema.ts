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

/** The longest request accepted: an RSA-8192 request is about 5,000 characters of PEM. */
export const CSR_MAX_CHARS = 16_000;

/** Issuing for a key the terminal made: its PKCS#10 request (PEM), pasted or read from a file. */
export const ZIssueCertificateFromCsr = ZIssueCertificate.extend({
  csrPem: z
    .string({ message: "v.csr.required" })
    .trim()
    .min(1, { message: "v.csr.required" })
    .max(CSR_MAX_CHARS, { message: `v.csr.tooLong|${JSON.stringify({ max: CSR_MAX_CHARS })}` }),
});
export type TIssueCertificateFromCsr = z.infer<typeof ZIssueCertificateFromCsr>;

export const ZRevokeCertificate = z.object({
  certificateId: z.string().uuid(),
  reason: z
    .string()
    .trim()
    .min(1, { message: "v.revokeReason.required" })
    .max(200, { message: "v.tooLong" }),
});
export type TRevokeCertificate = z.infer<typeof ZRevokeCertificate>;
