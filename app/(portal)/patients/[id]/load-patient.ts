import "server-only";
import { cache } from "react";
import { requireViewer } from "@/lib/auth/viewer";
import { getPatientPage } from "@/lib/patients/queries";
import { orNotFound } from "@/lib/server/or-not-found";

/** The patient page's data, once per request (the layout and the page share it, and one log row). */
export const loadPatient = cache(async (id: string) => {
  const viewer = await requireViewer();
  return { viewer, page: await orNotFound(getPatientPage(viewer, id)) };
});
