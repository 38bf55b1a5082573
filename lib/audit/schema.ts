import { z } from "zod";
import { queryValue } from "@/lib/fields";

/** YYYY-MM, a month in Japan time (the CSV's and the partition's unit). */
export const zMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: "audit.month.invalid" });

export const EXPORT_DIRECTIONS = ["viewing", "viewed"] as const;
export const EXPORT_ENCODINGS = ["cp932", "utf8"] as const;
export type TExportDirection = (typeof EXPORT_DIRECTIONS)[number];
export type TExportEncoding = (typeof EXPORT_ENCODINGS)[number];


/**
 * コンテンツ参照記録 (seed 000): a facility's month, in one direction — what our staff viewed, or
 * our contents viewed by others — optionally for one patient (our facility patient ID or the
 * regional ID).
 */
export const ZAccessLogExport = z.object({
  facilityId: z.preprocess(queryValue, z.uuid({ message: "audit.facility.required" })),
  month: z.preprocess(queryValue, zMonth),
  direction: z.preprocess(queryValue, z.enum(EXPORT_DIRECTIONS, { message: "audit.direction.required" })),
  patientId: z.preprocess(queryValue, z.string().trim().max(20, { message: "audit.patient.invalid" }).optional()),
  encoding: z.preprocess(queryValue, z.enum(EXPORT_ENCODINGS).default("cp932")),
});
export type TAccessLogExport = z.infer<typeof ZAccessLogExport>;

export const ZAccessLogVerify = z.object({
  facilityId: z.preprocess(queryValue, z.uuid({ message: "audit.facility.required" })),
  month: z.preprocess(queryValue, zMonth),
});

/** The month's bounds as instants: from 00:00 JST on the 1st to 00:00 JST on the next 1st. */
export function monthBounds(month: string): { from: Date; to: Date } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1) - 9 * 3600_000), to: new Date(Date.UTC(y, m, 1) - 9 * 3600_000) };
}

/** The Japan-time month of an instant, YYYY-MM. */
export const monthOf = (d: Date): string => new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 7);
