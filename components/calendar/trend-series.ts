import type { TCalendarFacility, TTrendSeries } from "@/lib/clinical/queries";

/** One lab item's values split into one line per facility, in the facility's calendar colour. */
export function seriesByFacility(s: TTrendSeries, facilities: TCalendarFacility[]) {
  const byFacility = new Map<string, TTrendSeries["points"]>();
  for (const p of s.points) byFacility.set(p.facilityId, [...(byFacility.get(p.facilityId) ?? []), p]);
  return [...byFacility].map(([facilityId, points]) => {
    const f = facilities.find((x) => x.id === facilityId);
    return { label: f?.name ?? "", color: f?.color ?? "#475569", points: points.map((p) => ({ date: p.day, value: p.value, flag: p.flag })) };
  });
}
