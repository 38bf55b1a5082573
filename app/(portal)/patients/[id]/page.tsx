import Link from "next/link";
import { Alert } from "@/components/ui/form";
import { getT } from "@/lib/i18n/server";
import { loadPatient } from "./load-patient";

/** The patient's overview: what the viewer may do here. The calendar of records lands here with the data feeds. */
export default async function PatientOverviewPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [{ page }, t] = await Promise.all([loadPatient(id), getT()]);
  return (
    <section className="rounded-lg bg-white p-5 shadow">
      {page.canSeeRecords ? (
        <p className="text-sm text-slate-600" data-testid="records-access">
          {t("patientPage.calendarSoon")}
        </p>
      ) : (
        <Alert kind="warning">{t("patientPage.noRecordsAccess")}</Alert>
      )}
      <div className="mt-4 flex flex-wrap gap-3">
        <Link href={`/patients/${id}/consent`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
          {t("patientPage.consent")}
        </Link>
        {page.canAdminister && (
          <Link href={`/patients/${id}/links`} className="inline-flex min-h-11 items-center rounded border border-slate-300 bg-white px-4">
            {t("patientPage.links")}
          </Link>
        )}
      </div>
    </section>
  );
}
