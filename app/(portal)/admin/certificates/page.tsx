import { notFound } from "next/navigation";
import { CertificateTable } from "@/components/admin/certificate-table";
import { IssueCertificateForm } from "@/components/admin/issue-certificate-form";
import { canManageCertificates } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getT } from "@/lib/i18n/server";
import { listCertificates } from "@/lib/pki/queries";

export default async function CertificatesPage({ searchParams }: { searchParams: Promise<{ facilityId?: string; status?: string }> }) {
  const viewer = await requireViewer();
  if (!canManageCertificates(viewer)) notFound();
  const params = await searchParams;
  const status = (["valid", "revoked", "expired", "all"] as const).find((s) => s === params.status) ?? "all";
  const [t, facilities, rows] = await Promise.all([getT(), listFacilityOptions(viewer), listCertificates(viewer, { facilityId: params.facilityId, status })]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("cert.title")}</h1>
      <p className="text-sm text-slate-600">{t("cert.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("cert.issueTitle")}</h2>
        <IssueCertificateForm facilities={facilities} />
      </section>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("cert.listTitle")}</h2>
        <form className="mb-4 flex flex-wrap items-end gap-3" method="get">
          <label className="text-sm">
            {t("cert.facility")}
            <select name="facilityId" defaultValue={params.facilityId ?? ""} className="ml-2 rounded border border-slate-300 px-2 py-2">
              <option value="">{t("common.all")}</option>
              {facilities.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.code} {f.nameKanji}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            {t("cert.status")}
            <select name="status" defaultValue={status} className="ml-2 rounded border border-slate-300 px-2 py-2">
              {(["all", "valid", "revoked", "expired"] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`cert.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <button className="min-h-11 rounded border border-slate-300 px-4">{t("common.search")}</button>
        </form>
        <CertificateTable rows={rows.map((r) => ({ ...r, issuedAt: r.issuedAt.toISOString(), expiresAt: r.expiresAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null }))} />
      </section>
    </div>
  );
}
