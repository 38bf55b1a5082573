import { notFound } from "next/navigation";
import { CertificateTable, type TKeyFileCell } from "@/components/admin/certificate-table";
import { IssueCertificateForm } from "@/components/admin/issue-certificate-form";
import { Alert } from "@/components/ui/form";
import { canManageCertificates } from "@/lib/access/roles";
import { requireViewer } from "@/lib/auth/viewer";
import { env } from "@/lib/env";
import { listFacilityOptions } from "@/lib/facilities/queries";
import { getLocale, getT } from "@/lib/i18n/server";
import { getCertificateFileState, listCertificates, type TKeyFileState } from "@/lib/pki/queries";
import { keyFileRefusal } from "@/lib/pki/wording";

const keyFileCell = (f: TKeyFileState): TKeyFileCell =>
  f.state === "pending" || f.state === "expired"
    ? { ...f, deadline: f.deadline.toISOString() }
    : f.state === "downloaded"
      ? { ...f, at: f.at.toISOString() }
      : f;

export default async function CertificatesPage({ searchParams }: { searchParams: Promise<{ facilityId?: string; status?: string; gone?: string }> }) {
  const viewer = await requireViewer();
  if (!canManageCertificates(viewer)) notFound();
  const params = await searchParams;
  const status = (["valid", "revoked", "expired", "all"] as const).find((s) => s === params.status) ?? "all";
  const [t, locale, facilities, rows, gone] = await Promise.all([
    getT(),
    getLocale(),
    listFacilityOptions(viewer),
    listCertificates(viewer, { facilityId: params.facilityId, status }),
    // a refused .p12 download comes back here (/api/certificates/<id>) to say why
    params.gone ? getCertificateFileState(viewer, params.gone).catch(() => null) : null,
  ]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-bold">{t("cert.title")}</h1>
      {gone && gone.keyFile.state !== "pending" && (
        <div data-testid="download-refused">
          <Alert kind="error">
            <p className="font-semibold">{t("cert.gone.title")}</p>
            <p className="mt-1">{keyFileRefusal(t, locale, gone)}</p>
          </Alert>
        </div>
      )}
      <p className="text-sm text-slate-600">{t("cert.lead")}</p>
      <section className="rounded-lg bg-white p-5 shadow">
        <h2 className="mb-3 text-lg font-semibold">{t("cert.issueTitle")}</h2>
        <IssueCertificateForm facilities={facilities} downloadHours={env().TERMINAL_P12_DOWNLOAD_HOURS} />
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
        <CertificateTable
          rows={rows.map((r) => ({
            ...r,
            issuedAt: r.issuedAt.toISOString(),
            expiresAt: r.expiresAt.toISOString(),
            revokedAt: r.revokedAt?.toISOString() ?? null,
            keyFile: keyFileCell(r.keyFile),
          }))}
        />
      </section>
    </div>
  );
}
