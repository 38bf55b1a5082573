import { z } from "zod";
import { lenient } from "@/lib/fields";
import { CALENDAR_ROW_IDS, CALENDAR_ZOOMS, DAY_SPANS, isDay, RECORD_SORTS, RECORD_TAB_IDS, type TRecordTabId } from "@/lib/clinical/calendar";

/** A calendar day, YYYY-MM-DD. */
export const zDay = z.string().refine(isDay, { message: "calendar.invalidDate" });

/** The calendar page's URL (?zoom=day&start=2026-11-01&days=14&facility=…&jump=today). */
export const ZCalendarQuery = z.object({
  zoom: lenient(z.enum(CALENDAR_ZOOMS)).transform((v) => v ?? "day"),
  start: lenient(zDay),
  days: lenient(z.coerce.number().pipe(z.union(DAY_SPANS.map((d) => z.literal(d))))),
  facility: lenient(z.uuid()),
  jump: lenient(z.enum(["today", "first", "last"])),
});
export type TCalendarSearch = z.infer<typeof ZCalendarQuery>;

/** One cell opened (the row and the column's days, the facility filter). */
export const ZCalendarCell = z
  .object({
    patientId: z.uuid({ message: "common.notFound" }),
    rowId: z.enum(CALENDAR_ROW_IDS),
    from: zDay,
    to: zDay,
    facilityId: z.uuid().nullish(),
  })
  .refine((c) => c.from <= c.to, { path: ["to"], message: "calendar.invalidRange" });

/** The lab trend's items (keys from labItemKey). */
export const ZLabTrend = z.object({
  patientId: z.uuid({ message: "common.notFound" }),
  keys: z.array(z.string().min(1).max(200)).min(1).max(12),
  from: zDay.nullish(),
  to: zDay.nullish(),
});

/** A tab view's URL (?tab=labs&from=&to=&facility=&q=&sort=date&dir=desc&page=2). */
export const ZRecordTabQuery = z.object({
  tab: lenient(z.enum(RECORD_TAB_IDS as [TRecordTabId, ...TRecordTabId[]])).transform((v) => v ?? "prescriptions"),
  from: lenient(zDay),
  to: lenient(zDay),
  facility: lenient(z.uuid()),
  q: lenient(z.string().max(100)),
  sort: lenient(z.enum(RECORD_SORTS)),
  dir: lenient(z.enum(["asc", "desc"])),
  page: lenient(z.coerce.number().int().min(1).max(10_000)),
});

/** The lab trend page's URL (?item=…&item=…&from=&to=). */
export const ZLabTrendQuery = z.object({
  item: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().min(1).max(200)).max(12).catch([])),
  from: lenient(zDay),
  to: lenient(zDay),
});
