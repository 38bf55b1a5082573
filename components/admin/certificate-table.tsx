"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { formatDateTime } from "@/lib/i18n";
import { revokeCertificateAction } from "@/lib/pki/actions";

type TRow = {
  id: string;
  serial: string;
  facilityName: string;
  facilityCode: string;
  terminalName: string;
  issuedAt: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedReason: string | null;
  status: "valid" | "revoked" | "expired";
  keyFile: TKeyFileCell;
  hasCertificatePem: boolean;
};

/** TKeyFileState of lib/pki/queries with its dates as text, as it crosses to the browser. */
export type TKeyFileCell =
  | { state: "pending"; deadline: string }
  | { state: "downloaded"; at: string; byName: string | null }
  | { state: "expired"; deadline: string }
  | { state: "revoked" }
  | { state: "csr" };

/** Where the row's key stands: waiting for its one download, downloaded (when, by whom), deleted, or on the terminal. */
function KeyFileCell({ file }: { file: TKeyFileCell }) {
  const { t, locale } = useI18n();
  const tone = { pending: "text-amber-800", downloaded: "text-emerald-700", expired: "text-slate-600", revoked: "text-slate-600", csr: "text-teal-800" }[file.state];
  return (
    <div data-testid="key-file">
      <span className={`font-medium whitespace-nowrap ${tone}`}>{t(`cert.file.${file.state}`)}</span>
      {file.state === "pending" && <div className="text-xs text-slate-500">{t("cert.file.pendingUntil", { deadline: formatDateTime(file.deadline, locale) })}</div>}
      {file.state === "downloaded" && (
        <div className="text-xs text-slate-500">
          <span className="whitespace-nowrap">{formatDateTime(file.at, locale)}</span> <span className="whitespace-nowrap">{file.byName ?? t("cert.file.unknownUser")}</span>
        </div>
      )}
      {file.state === "expired" && <div className="text-xs text-slate-500">{t("cert.file.expiredNote")}</div>}
    </div>
  );
}

function RevokeForm({ row, onDone }: { row: TRow; onDone: () => void }) {
  const { t } = useI18n();
  const { pending, result, fieldErrors, onSubmit } = useActionForm(revokeCertificateAction, onDone);
  return (
    <form method="post" onSubmit={onSubmit} noValidate className="mt-2 w-64 max-w-[80vw] rounded border border-red-200 bg-red-50 p-3">
      <FormResultAlert result={result} />
      <input type="hidden" name="certificateId" value={row.id} />
      <label htmlFor={`reason-${row.id}`} className="block text-sm font-medium">
        {t("cert.revokeReason")}
      </label>
      <Input name="reason" id={`reason-${row.id}`} errors={fieldErrors} placeholder={t("cert.revokeReasonHint")} />
      {(fieldErrors.reason ?? []).map((m) => (
        <p key={m} role="alert" className="text-sm text-red-700">
          {t(m)}
        </p>
      ))}
      <Button type="submit" variant="danger" disabled={pending} className="mt-2">
        {t("cert.revokeConfirm")}
      </Button>
    </form>
  );
}

export function CertificateTable({ rows }: { rows: TRow[] }) {
  const { t, locale } = useI18n();
  const [revoking, setRevoking] = useState<string | null>(null);
  if (rows.length === 0) return <p className="text-sm text-slate-500">{t("common.noResults")}</p>;
  // Five columns, so that a tablet held upright shows every one without scrolling sideways.
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-sm">
        <thead className="bg-slate-100 text-left align-bottom">
          <tr>
            <th className="px-2 py-2 lg:px-3">{t("cert.facility")}</th>
            <th className="px-2 py-2 lg:px-3">
              {t("cert.terminalName")}
              <span className="block text-xs font-normal text-slate-600">{t("cert.serial")}</span>
            </th>
            <th className="px-2 py-2 lg:px-3">
              {t("cert.issuedAt")}
              <span className="block text-xs font-normal text-slate-600">{t("cert.expiresAt")}</span>
            </th>
            <th className="px-2 py-2 lg:px-3">{t("cert.status")}</th>
            <th className="px-2 py-2 lg:px-3">{t("cert.keyFile")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const status = r.status;
            return (
              <tr key={r.id} className="border-b border-slate-200 align-top" data-testid={`cert-row-${r.serial}`}>
                <td className="min-w-[7rem] px-2 py-2 lg:px-3">
                  <span className="block text-xs text-slate-500">{r.facilityCode}</span>
                  {r.facilityName}
                </td>
                <td className="px-2 py-2 lg:px-3">
                  <span className="font-medium">{r.terminalName}</span>
                  <span className="block max-w-[12rem] font-mono text-[11px] break-all text-slate-500 lg:max-w-none">{r.serial}</span>
                </td>
                <td className="px-2 py-2 whitespace-nowrap lg:px-3">
                  {formatDateTime(r.issuedAt, locale)}
                  <span className="block text-xs text-slate-500">
                    {t("cert.expiresAt")} {formatDateTime(r.expiresAt, locale, false)}
                  </span>
                </td>
                <td className="px-2 py-2 lg:px-3">
                  <span className={`whitespace-nowrap ${status === "valid" ? "text-emerald-700" : "text-red-700"}`}>{t(`cert.status.${status}`)}</span>
                  {r.revokedAt && (
                    <div className="text-xs text-slate-500">
                      {formatDateTime(r.revokedAt, locale)} {r.revokedReason}
                    </div>
                  )}
                  {status !== "revoked" && (
                    <button type="button" className="mt-1 block min-h-8 text-left whitespace-nowrap text-red-700 underline" onClick={() => setRevoking(revoking === r.id ? null : r.id)}>
                      {t("cert.revoke")}
                    </button>
                  )}
                  {revoking === r.id && <RevokeForm row={r} onDone={() => setRevoking(null)} />}
                </td>
                <td className="px-2 py-2 lg:px-3">
                  <KeyFileCell file={r.keyFile} />
                  {status !== "revoked" && r.keyFile.state === "pending" && (
                    <a href={`/api/certificates/${r.id}`} className="mt-1 inline-block text-teal-700 underline">
                      {t("cert.download")}
                    </a>
                  )}
                  {r.keyFile.state === "csr" && r.hasCertificatePem && (
                    <a href={`/api/certificates/${r.id}/certificate`} className="mt-1 inline-block text-teal-700 underline" download>
                      {t("cert.downloadCrtShort")}
                    </a>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
