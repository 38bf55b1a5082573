import { formatDateTime, type TLocale, type TTranslate } from "@/lib/i18n";
import type { TKeyFileState } from "@/lib/pki/queries";

/**
 * Why a terminal's .p12 file cannot be downloaded, in the reader's language: the same words on the
 * certificate screen (after a browser's second download) and in a script's 410 answer.
 */
export function keyFileRefusal(t: TTranslate, locale: TLocale, cert: { facilityCode: string; terminalName: string; keyFile: TKeyFileState }): string {
  const terminal = `${cert.facilityCode} ${cert.terminalName}`;
  const f = cert.keyFile;
  switch (f.state) {
    case "downloaded":
      return t("cert.gone.downloaded", { terminal, at: formatDateTime(f.at, locale), by: f.byName ?? t("cert.file.unknownUser") });
    case "expired":
      return t("cert.gone.expired", { terminal, deadline: formatDateTime(f.deadline, locale) });
    case "revoked":
      return t("cert.gone.revoked", { terminal });
    case "csr":
      return t("cert.gone.csr", { terminal });
    case "pending":
      return t("cert.gone.other", { terminal });
  }
}
