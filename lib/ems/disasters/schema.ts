import { z } from "zod";
import { zCheckbox, zOptionalText, zRequiredText } from "@/lib/fields";
import { isUuid, nfkc } from "@/lib/text";

/*
 * Disaster declarations (seed 000: 令和6年能登半島地震におけるEMS機能の臨時運用ルール): the
 * secretariat names the disaster, the affected area and the period; while it is in force, staff
 * of the facilities it names may open evacuees from that area by #EMS. Form messages are
 * dictionary keys (lib/i18n), so they show in the user's language.
 */

/** One area is one prefecture or municipality as written in addresses (varchar(50) in the table). */
export const DISASTER_AREA_MAX = 50;
export const DISASTER_AREAS_MAX = 50;
/** A declaration ends by itself: at most a year ahead, then it is extended (and the extension recorded). */
export const DISASTER_MAX_DAYS = 366;

/**
 * Areas as typed: one per line or separated by commas (、，,;), each width-folded and trimmed,
 * blanks dropped, repeats kept once (in the order first typed).
 */
export function splitAreas(text: string): string[] {
  const out: string[] = [];
  for (const part of nfkc(text).split(/[\n\r,、;；]+/)) {
    const a = part.replace(/\s+/g, "").trim();
    if (a && !out.includes(a)) out.push(a);
  }
  return out;
}

/**
 * An area is matched as text inside the patient's address, so it must read as a place name: a
 * prefecture, a district or a municipality (or a ward), e.g. 石川県, 輪島市, 鳳珠郡穴水町. A bare
 * "市" or a typo would otherwise cover every address or none.
 */
const PLACE = /^.+[都道府県郡市区町村]$/;

const zAreas = z.preprocess(
  (v) => (Array.isArray(v) ? splitAreas(v.map(String).join("\n")) : typeof v === "string" ? splitAreas(v) : []),
  z.array(z.string()).superRefine((areas, ctx) => {
    if (areas.length === 0) ctx.addIssue({ code: "custom", message: "v.disaster.areas.required" });
    if (areas.length > DISASTER_AREAS_MAX) ctx.addIssue({ code: "custom", message: `v.disaster.areas.tooMany|${JSON.stringify({ max: DISASTER_AREAS_MAX })}` });
    for (const area of areas) {
      if (area.length > DISASTER_AREA_MAX) ctx.addIssue({ code: "custom", message: `v.disaster.areas.tooLong|${JSON.stringify({ area: area.slice(0, 20), max: DISASTER_AREA_MAX })}` });
      else if (!PLACE.test(area)) ctx.addIssue({ code: "custom", message: `v.disaster.areas.notPlace|${JSON.stringify({ area })}` });
    }
  }),
);

/** datetime-local (2026-11-22T09:30) read as Japan time, or an ISO instant; empty is null, or refused with `requiredKey`. */
const zJapanTime = (formatKey: string, requiredKey?: string) =>
  z.preprocess(
    (v) => (v instanceof Date ? v.toISOString() : typeof v === "string" ? nfkc(v).trim() : v),
    z.union([z.string(), z.null(), z.undefined()], { message: formatKey }).transform((s, ctx): Date | null => {
      if (s == null || s === "") {
        if (requiredKey) ctx.addIssue({ code: "custom", message: requiredKey });
        return null;
      }
      const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(s);
      const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s);
      const d = new Date(local ? `${s.length === 16 ? `${s}:00` : s}+09:00` : iso ? s : "invalid");
      // a day the month does not have (02-31) is refused, not moved into the next month
      const rolled = local && !Number.isNaN(d.getTime()) && new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10) !== s.slice(0, 10);
      if (Number.isNaN(d.getTime()) || rolled) {
        ctx.addIssue({ code: "custom", message: formatKey });
        return z.NEVER;
      }
      return d;
    }),
  );

/** Checks across fields run with the fields' own messages, so every mistake shows at once. */
const always = { when: () => true };

/** The viewing facilities: every facility of the network, or those chosen. */
export const DISASTER_VIEWER_SCOPES = ["ALL", "CHOSEN"] as const;

const zFacilityIds = z.preprocess(
  (v) => (v == null || v === "" ? [] : Array.isArray(v) ? v.map(String) : [String(v)]),
  z.array(z.string()).superRefine((ids, ctx) => {
    if (ids.length > 1000 || ids.some((id) => !isUuid(id))) ctx.addIssue({ code: "custom", message: "v.disaster.viewerFacilityIds.unknown" });
  }),
);

/** 発令: the secretariat's form. skipNotice and consentAfterFact come checked on the form, as the Noto rule had them. */
export const ZDeclareDisaster = z
  .object({
    name: zRequiredText(100, "v.disaster.name.required"),
    areas: zAreas,
    viewerScope: z.enum(DISASTER_VIEWER_SCOPES, { message: "v.disaster.viewerScope.required" }),
    viewerFacilityIds: zFacilityIds,
    startsAt: zJapanTime("v.disaster.startsAt.format"),
    endsAt: zJapanTime("v.disaster.endsAt.format", "v.disaster.endsAt.required"),
    skipNotice: zCheckbox,
    consentAfterFact: zCheckbox,
    overridesWithdrawal: zCheckbox,
    note: zOptionalText(z.string().max(1000, { message: "v.tooLong" })),
  })
  .superRefine((v, ctx) => {
    if (v.viewerScope === "CHOSEN" && Array.isArray(v.viewerFacilityIds) && v.viewerFacilityIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["viewerFacilityIds"], message: "v.disaster.viewerFacilityIds.required" });
    }
    if (v.startsAt instanceof Date && v.endsAt instanceof Date && v.endsAt <= v.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "v.disaster.endsAt.afterStart" });
  }, always)
  // "every facility" is stored as no facility named (chiikilink_disasters reads an empty list so)
  .transform((v) => ({ ...v, viewerFacilityIds: v.viewerScope === "ALL" ? [] : [...new Set(v.viewerFacilityIds)], endsAt: v.endsAt as Date }));
export type TDeclareDisaster = z.infer<typeof ZDeclareDisaster>;

const zDeclarationId = z.uuid({ message: "v.disaster.id.required" });

/** 期間延長: a later end, and why. */
export const ZExtendDisaster = z
  .object({
    id: zDeclarationId,
    endsAt: zJapanTime("v.disaster.endsAt.format", "v.disaster.endsAt.required"),
    note: zOptionalText(z.string().max(1000, { message: "v.tooLong" })),
  })
  .transform((v) => ({ ...v, endsAt: v.endsAt as Date }));
export type TExtendDisaster = z.infer<typeof ZExtendDisaster>;

/** 早期終了: ends now; why, if said. */
export const ZCloseDisaster = z.object({
  id: zDeclarationId,
  note: zOptionalText(z.string().max(1000, { message: "v.tooLong" })),
});
export type TCloseDisaster = z.infer<typeof ZCloseDisaster>;

/** Where a declaration stands at `now`: in force, not started yet, or over (by its end, or closed early). */
export type TDisasterStatus = "ACTIVE" | "SCHEDULED" | "ENDED";

/** The moment a declaration stops: its end, or the earlier closing. */
export const effectiveEnd = (d: { endsAt: Date; closedAt: Date | null }): Date => (d.closedAt && d.closedAt < d.endsAt ? d.closedAt : d.endsAt);

/** The same test as chiikilink_disasters (starts_at ≤ t < ends_at, not closed at t), for lists and forms. */
export function disasterStatus(d: { startsAt: Date; endsAt: Date; closedAt: Date | null }, now: Date): TDisasterStatus {
  if (effectiveEnd(d) <= now) return "ENDED";
  return d.startsAt > now ? "SCHEDULED" : "ACTIVE";
}
