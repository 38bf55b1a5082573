import { GrantBanner } from "@/components/ems/grant-banner";
import { PatientHeader } from "@/components/patients/patient-header";
import { PatientTabs } from "@/components/patients/patient-tabs";
import { findActiveGrant } from "@/lib/ems/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { loadPatient } from "./load-patient";

/** Every patient screen: the emergency grant in force (if any), the header (seed 004 患者情報) and the tabs. */
export default async function PatientLayout({ children, params }: { children: React.ReactNode; params: Promise<{ id: string }> }) {
  const { id } = await params;
  const [{ viewer, page }, t, locale] = await Promise.all([loadPatient(id), getT(), getLocale()]);
  const grant = viewer.hasEmsPrivilege ? await findActiveGrant(viewer, id) : null;
  const tabs = [
    ...(page.canSeeRecords
      ? [
          { href: `/patients/${id}`, label: t("patientPage.calendar") },
          { href: `/patients/${id}/records`, label: t("patientPage.records") },
          { href: `/patients/${id}/labs`, label: t("patientPage.labs") },
          // an emergency grant opens records to read, not the notes or the care team
          ...(page.isEmergencyOnly
            ? []
            : [
                { href: `/patients/${id}/notes`, label: t("patientPage.notes") },
                { href: `/patients/${id}/participants`, label: t("patientPage.participants") },
              ]),
        ]
      : [{ href: `/patients/${id}`, label: t("patientPage.overview") }]),
    { href: `/patients/${id}/consent`, label: t("patientPage.consent") },
    ...(page.canAdminister
      ? [
          { href: `/patients/${id}/links`, label: t("patientPage.links") },
          { href: `/patients/${id}/edit`, label: t("patientPage.edit") },
        ]
      : []),
  ];
  return (
    <div className="space-y-4">
      {grant && <GrantBanner grant={grant} t={t} locale={locale} />}
      <PatientHeader page={page} t={t} />
      <PatientTabs tabs={tabs} />
      {children}
    </div>
  );
}
