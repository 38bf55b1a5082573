import { parseEmsQuery } from "@/lib/access/emergency";

/*
 * The way in to EMS from the patient search: `<施設患者ID>#EMS` typed into any of its text boxes
 * is not a search (it would find nothing) but a request for emergency access, so it goes to the
 * EMS entry with the ID filled in (and the facility, when one was picked).
 */

/** The search's text boxes a user may type `ID#EMS` into. */
const TEXT_FIELDS = ["facilityPatientId", "name", "regionalId"] as const;

export type TEmsEntry = { facilityPatientId: string; facilityId?: string };

/** `ID#EMS` in the search's query (the first text box holding one), with the facility picked; else null. */
export function emsEntryOf(params: Partial<Record<(typeof TEXT_FIELDS)[number] | "facilityId", string | string[] | undefined>>): TEmsEntry | null {
  for (const field of TEXT_FIELDS) {
    const v = params[field];
    const id = typeof v === "string" ? parseEmsQuery(v) : null;
    if (!id) continue;
    const facilityId = typeof params.facilityId === "string" && params.facilityId.trim() ? params.facilityId.trim() : undefined;
    return facilityId ? { facilityPatientId: id, facilityId } : { facilityPatientId: id };
  }
  return null;
}

/** The EMS entry's address: the ID filled in; with a facility, straight to the identity check. */
export function emsEntryHref(e: TEmsEntry): string {
  const sp = new URLSearchParams();
  if (e.facilityId) sp.set("facility", e.facilityId);
  sp.set("id", e.facilityPatientId);
  return `/ems?${sp.toString()}`;
}
