import { requireViewer } from "@/lib/auth/viewer";
import { AppError } from "@/lib/errors";
import { getPatientPage } from "@/lib/patients/queries";

/**
 * A patient's header and linked facilities as JSON, through the same rule and log as the patient
 * page. Anything the viewer may not see answers 404, exactly like an id that names no one.
 */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer();
  try {
    const page = await getPatientPage(viewer, (await ctx.params).id);
    const { header, links, canSeeRecords, canAdminister } = page;
    return Response.json(
      {
        patient: header,
        canSeeRecords,
        canAdminister,
        links: links.map((l) => ({ facilityName: l.facilityName, facilityPatientId: l.facilityPatientId, publicationState: l.publicationState, isConsentInForce: l.isConsentInForce })),
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (err) {
    if (err instanceof AppError) return Response.json({ error: "not found" }, { status: 404 });
    throw err;
  }
}
