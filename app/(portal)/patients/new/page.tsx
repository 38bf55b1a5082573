import { RegisterWizard } from "@/components/patients/register-wizard";
import { assertAllowed, mayRegisterPatients } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { orNotFound } from "@/lib/server/or-not-found";
import { formatSeireki, todayInJapan } from "@/lib/dates";
import { getT } from "@/lib/i18n/server";
import { listLinkableFacilities } from "@/lib/patients/queries";

/** 患者登録 (liaison staff and the secretariat). */
export default async function RegisterPatientPage() {
  const viewer = await requireViewer();
  await orNotFound(() => assertAllowed(mayRegisterPatients(viewer.roles), "register patients"));
  const [t, facilities] = await Promise.all([getT(), listLinkableFacilities()]);
  const own = facilities.find((f) => f.id === viewer.facilityId) ?? null;
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">{t("register.title")}</h1>
      <p className="text-sm text-slate-600">{t("register.lead")}</p>
      <RegisterWizard facilities={facilities.map(({ id, nameKanji }) => ({ id, nameKanji }))} ownFacility={own && { id: own.id, nameKanji: own.nameKanji }} today={formatSeireki(todayInJapan())} />
    </div>
  );
}
