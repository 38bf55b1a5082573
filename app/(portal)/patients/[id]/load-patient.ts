import "server-only";
import { redirect } from "next/navigation";
import { cache } from "react";
import { requireViewer } from "@/lib/auth/viewer";
import { findEndedGrant } from "@/lib/ems/queries";
import { AppError } from "@/lib/errors";
import { getPatientPage } from "@/lib/patients/queries";
import { orNotFound } from "@/lib/server/or-not-found";

/** The patient page's data, once per request (the layout and the page share it, and one log row). */
export const loadPatient = cache(async (id: string) => {
  const viewer = await requireViewer();
  const page = await orNotFound(async () => {
    try {
      return await getPatientPage(viewer, id);
    } catch (e) {
      // refused once the viewer's own emergency grant has ended: say so, rather than a bare "not found"
      if (e instanceof AppError && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN") && (await findEndedGrant(viewer, id))) redirect(`/ems/ended?patient=${encodeURIComponent(id)}`);
      throw e;
    }
  });
  return { viewer, page };
});
