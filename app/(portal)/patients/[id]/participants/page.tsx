import { ParticipantsPanel } from "@/components/notes/participants-panel";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { getT } from "@/lib/i18n/server";
import { listParticipants } from "@/lib/notes/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../load-patient";

/** 参加者 (seed 000): the patient's care team, who hear of new notes, documents and files. */
export default async function ParticipantsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [{ viewer, page }, t] = await Promise.all([loadPatient(id), getT()]);
  if (!page.canSeeRecords) return <NoRecordsAccess t={t} />;
  const { participants, candidates, isParticipant } = await orNotFound(listParticipants(viewer, id));
  return (
    <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="participants">
      <h2 className="text-lg font-semibold">{t("participants.title")}</h2>
      <p className="text-sm text-slate-600">{t("participants.lead")}</p>
      <ParticipantsPanel patientId={id} viewerId={viewer.userId} participants={participants} candidates={candidates} isParticipant={isParticipant} />
    </section>
  );
}
