import { td, th } from "@/components/audit/parts";
import type { TSignInRow } from "@/lib/audit/reports/queries";
import { isSignInFailure } from "@/lib/audit/reports/rules";
import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";

/** サインイン履歴: failures and locks in red, so they stand out in a long list. */
export function SignInTable({ rows, t, locale }: { rows: TSignInRow[]; t: TTranslate; locale: TLocale }) {
  return (
    <table className="min-w-full text-sm">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>{t("auditReports.at")}</th>
          <th className={th}>{t("auditReports.facility")}</th>
          <th className={th}>{t("auditReports.user")}</th>
          <th className={th}>{t("auditReports.signIns.loginTyped")}</th>
          <th className={th}>{t("auditReports.signIns.kind")}</th>
          <th className={th}>{t("auditReports.signIns.ip")}</th>
          <th className={th}>{t("auditReports.certSerial")}</th>
          <th className={th}>{t("auditReports.detail")}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} className="border-b border-slate-200 align-top" data-testid="signin-row" data-kind={r.kind} data-login={r.loginId}>
            <td className={`${td} whitespace-nowrap`}>{formatDateTime(r.at, locale, true, true)}</td>
            <td className={`${td} min-w-36`}>
              {r.facilityName ?? "―"}
              {r.facilityCode && <span className="block font-mono text-xs text-slate-500">{r.facilityCode}</span>}
            </td>
            <td className={`${td} whitespace-nowrap`}>{r.userName ?? "―"}</td>
            <td className={`${td} font-mono text-xs`}>{r.loginId}</td>
            <td className={`${td} whitespace-nowrap ${isSignInFailure(r.kind) ? "font-medium text-red-700" : ""}`}>{t(`enum.SignInEventKind.${r.kind}`)}</td>
            <td className={`${td} font-mono text-xs`}>{r.ip ?? ""}</td>
            <td className={`${td} max-w-40 font-mono text-xs break-all`}>{r.certSerial ?? ""}</td>
            <td className={`${td} min-w-40 text-xs text-slate-600`}>{r.detail ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
