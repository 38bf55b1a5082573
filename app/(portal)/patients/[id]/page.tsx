import { CalendarGrid } from "@/components/calendar/calendar-grid";
import { CalendarToolbar } from "@/components/calendar/calendar-toolbar";
import { compactCalendar } from "@/components/calendar/calendar-view";
import { NoRecordsAccess } from "@/components/patients/no-records-access";
import { Alert } from "@/components/ui/form";
import { getCalendar } from "@/lib/clinical/queries";
import { ZCalendarQuery } from "@/lib/clinical/schema";
import { getT } from "@/lib/i18n/server";
import { loadPatient } from "./load-patient";

/** The patient's calendar (seed 000): every facility's records the viewer may see, by day, week or month. */
export default async function PatientCalendarPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ viewer, page }, t] = await Promise.all([loadPatient(id), getT()]);
  if (!page.canSeeRecords) return <NoRecordsAccess t={t} />;
  const q = ZCalendarQuery.parse(sp);
  const data = await getCalendar(viewer, id, { zoom: q.zoom, start: q.start, days: q.days, facilityId: q.facility, jump: q.jump });
  // one object for both client components: the flight data carries it once
  const calendar = compactCalendar(data);
  return (
    <section className="space-y-3 rounded-lg bg-white p-3 shadow sm:p-5" data-testid="records-access">
      <h2 className="sr-only">{t("calendar.title")}</h2>
      <CalendarToolbar patientId={id} calendar={calendar} />
      {data.facilities.length === 0 && <Alert kind="info">{t("calendar.noSources")}</Alert>}
      <CalendarGrid calendar={calendar} patientId={id} />
      <p className="text-xs text-slate-600">{t("calendar.keyboardHelp")}</p>
    </section>
  );
}
