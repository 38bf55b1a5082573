import { notFound } from "next/navigation";
import { EditPatientForm } from "@/components/patients/edit-patient-form";
import { formatDateTime } from "@/lib/i18n";
import { getLocale, getT } from "@/lib/i18n/server";
import { listPatientRevisions } from "@/lib/patients/queries";
import { orNotFound } from "@/lib/server/or-not-found";
import { loadPatient } from "../load-patient";

/** 個人情報の修正 with the change history (every version kept). */
export default async function EditPatientPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { viewer, page } = await loadPatient(id);
  if (!page.canAdminister) notFound();
  const [t, locale, revisions] = await Promise.all([getT(), getLocale(), orNotFound(listPatientRevisions(viewer, id))]);
  const h = page.header;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("edit.title")}</h2>
        <EditPatientForm
          patientId={id}
          version={h.version}
          defaults={{
            nameKanji: h.nameKanji,
            nameKana: h.nameKana,
            sex: h.sex,
            birthDate: h.birth.seireki,
            postalCode: h.postalCode ?? "",
            address: h.address ?? "",
            phone: h.phone ?? "",
            mobilePhone: h.mobilePhone ?? "",
          }}
        />
      </section>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("edit.history")}</h2>
        <ol className="space-y-3 text-sm" data-testid="revisions">
          {revisions.map((r) => (
            <li key={r.version} className="rounded border border-slate-200 p-3">
              <div className="flex flex-wrap gap-2">
                <span className="font-semibold">
                  {t("edit.version")} {r.version}
                </span>
                <span>{formatDateTime(r.changedAt, locale)}</span>
                <span>{r.changedByName}</span>
              </div>
              {r.version === 1 ? (
                <p className="text-slate-600">{t("edit.registered")}</p>
              ) : (
                <ul className="mt-1 list-disc pl-5">
                  {r.changes.map((c) => (
                    <li key={c.field}>
                      {t(`patient.${c.field}`)}: <del className="text-slate-500">{c.before}</del> → {c.after}
                    </li>
                  ))}
                </ul>
              )}
              {r.reason && <p className="mt-1 text-slate-600">{r.reason}</p>}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
