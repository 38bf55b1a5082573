import Link from "next/link";
import { ContentDetail } from "@/components/calendar/content-detail";
import { getContent } from "@/lib/clinical/queries";
import { getT } from "@/lib/i18n/server";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../../load-patient";

/** One content item on its own page (from the tab views; a link that can be kept). Another patient's id, or one the rule hides, is "not found". */
export default async function ContentPage({ params }: { params: Promise<{ id: string; contentId: string }> }) {
  const { id, contentId } = await params;
  const [{ viewer }, t] = await Promise.all([loadPatient(id), getT()]);
  const content = await orNotFound(getContent(viewer, contentId, { patientId: id }));
  return (
    <section className="space-y-3 rounded-lg bg-white p-5 shadow" data-testid="content-page">
      <p className="text-sm">
        <Link href={`/patients/${id}?zoom=day&start=${content.occurredDate}`} className="text-teal-800 underline">
          {t("calendar.showInCalendar")}
        </Link>
      </p>
      <ContentDetail content={content} patientId={id} />
    </section>
  );
}
