"use client";

import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FormResultAlert, Input, inputClass, Select } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { formatDateTime } from "@/lib/i18n";
import { issueCertificateAction, issueCertificateFromCsrAction } from "@/lib/pki/actions";

type TIssued =
  | { kind: "p12"; id: string; serial: string; oneTimePassword: string; expiresAt: string; downloadUntil: string }
  | { kind: "csr"; id: string; serial: string; expiresAt: string; keyLabel: string; fileName: string; chainPem: string };

/** The commands a terminal runs: its own key and request, then key and certificate into one .p12. */
export const CSR_COMMAND_RSA = 'openssl req -new -newkey rsa:2048 -nodes -keyout terminal.key -out terminal.csr -subj "/CN=terminal"';
export const CSR_COMMAND_EC = 'openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout terminal.key -out terminal.csr -subj "/CN=terminal"';
const p12Command = (crtFile: string) => `openssl pkcs12 -export -inkey terminal.key -in ${crtFile} -out terminal.p12`;

function Command({ text }: { text: string }) {
  return <pre className="mt-1 overflow-x-auto rounded bg-slate-900 px-3 py-2 text-xs whitespace-pre-wrap break-all text-slate-50">{text}</pre>;
}

function IssuedP12({ issued }: { issued: Extract<TIssued, { kind: "p12" }> }) {
  const { t, locale } = useI18n();
  return (
    <Alert kind="success">
      <p className="font-semibold">{t("cert.issued")}</p>
      <p className="mt-2">
        {t("cert.oneTimePassword")}: <code className="rounded bg-white px-2 py-1 text-lg tracking-wider" data-testid="one-time-password">{issued.oneTimePassword}</code>
      </p>
      <p className="mt-1 text-xs">{t("cert.passwordOnce")}</p>
      <p className="mt-2">
        {/* no `download` attribute: a refused second download must be able to show the list's explanation */}
        <a href={`/api/certificates/${issued.id}`} className="font-medium text-teal-800 underline" data-testid="download-p12">
          ⬇ {t("cert.download")}
        </a>
        <span className="ml-3 text-xs">serial {issued.serial}</span>
      </p>
      <p className="mt-1 text-xs" data-testid="download-once">
        {t("cert.downloadOnce", { deadline: formatDateTime(issued.downloadUntil, locale) })}
      </p>
    </Alert>
  );
}

function IssuedCrt({ issued }: { issued: Extract<TIssued, { kind: "csr" }> }) {
  const { t } = useI18n();
  return (
    <Alert kind="success">
      <p className="font-semibold">{t("cert.issuedFromCsr", { key: issued.keyLabel })}</p>
      <p className="mt-2">
        <a href={`/api/certificates/${issued.id}/certificate`} className="font-medium text-teal-800 underline" data-testid="download-crt" download>
          ⬇ {t("cert.downloadCrt")}
        </a>
        <span className="ml-3 text-xs">serial {issued.serial}</span>
      </p>
      <label htmlFor="issued-chain" className="mt-3 block text-xs font-medium">
        {t("cert.crtContents")}
      </label>
      <textarea id="issued-chain" readOnly rows={5} value={issued.chainPem} className={`${inputClass} font-mono text-xs`} data-testid="issued-chain" />
      <p className="mt-2 text-xs">{t("cert.crtInstall")}</p>
      <Command text={p12Command(issued.fileName)} />
    </Alert>
  );
}

export function IssueCertificateForm({ facilities, downloadHours }: { facilities: { id: string; code: string; nameKanji: string }[]; downloadHours: number }) {
  const { t } = useI18n();
  const [method, setMethod] = useState<"server" | "csr">("server");
  const [csrText, setCsrText] = useState("");
  const [issued, setIssued] = useState<TIssued | null>(null);
  const p12 = useActionForm(issueCertificateAction, (d) => setIssued({ kind: "p12", ...d }));
  const [fileKey, setFileKey] = useState(0);
  const csr = useActionForm(issueCertificateFromCsrAction, (d) => {
    setIssued({ kind: "csr", ...d });
    // a request is used once: a second press must not certify the same key again by accident
    setCsrText("");
    setFileKey((k) => k + 1);
  });
  const { pending, result, fieldErrors, onSubmit } = method === "server" ? p12 : csr;
  return (
    <div>
      {issued && (
        <div data-testid="issued-certificate">{issued.kind === "p12" ? <IssuedP12 issued={issued} /> : <IssuedCrt issued={issued} />}</div>
      )}
      <form method="post" onSubmit={onSubmit} noValidate className="grid gap-x-4 md:grid-cols-3">
        <div className="md:col-span-3">
          <FormResultAlert result={result} />
        </div>
        <fieldset className="mb-4 md:col-span-3">
          <legend className="mb-1 text-sm font-medium text-slate-700">{t("cert.method")}</legend>
          <div className="grid gap-2 md:grid-cols-2">
            {(["server", "csr"] as const).map((m) => (
              <label key={m} className={`flex min-h-11 cursor-pointer gap-3 rounded border px-3 py-2 ${method === m ? "border-teal-600 bg-teal-50" : "border-slate-300"}`}>
                <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} className="mt-1" />
                <span>
                  <span className="block text-sm font-medium">{t(`cert.method.${m}`)}</span>
                  <span className="block text-xs text-slate-600">{m === "server" ? t("cert.method.serverHint", { hours: downloadHours }) : t("cert.method.csrHint")}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <Field label={t("cert.facility")} name="facilityId" errors={fieldErrors} required>
          <Select name="facilityId" defaultValue="" errors={fieldErrors}>
            <option value="">{t("cert.chooseFacility")}</option>
            {facilities.map((f) => (
              <option key={f.id} value={f.id}>
                {f.code} {f.nameKanji}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t("cert.terminalName")} name="terminalName" errors={fieldErrors} hint={t("cert.terminalHint")} required>
          <Input name="terminalName" errors={fieldErrors} />
        </Field>
        <Field label={t("cert.days")} name="days" errors={fieldErrors} required>
          <Input name="days" type="number" inputMode="numeric" defaultValue={730} errors={fieldErrors} />
        </Field>
        {method === "csr" && (
          <div className="md:col-span-3">
            <Field label={t("cert.csr")} name="csrPem" errors={fieldErrors} hint={t("cert.csrHint")} required>
              <textarea
                id="csrPem"
                name="csrPem"
                rows={7}
                value={csrText}
                onChange={(e) => setCsrText(e.currentTarget.value)}
                spellCheck={false}
                placeholder={"-----BEGIN CERTIFICATE REQUEST-----\n…\n-----END CERTIFICATE REQUEST-----"}
                className={`${inputClass} font-mono text-xs`}
                aria-invalid={(fieldErrors.csrPem?.length ?? 0) > 0}
                aria-describedby={(fieldErrors.csrPem?.length ?? 0) > 0 ? "csrPem-error" : undefined}
              />
            </Field>
            <label className="-mt-2 mb-4 block text-sm">
              <span className="mb-1 block font-medium text-slate-700">{t("cert.csrFile")}</span>
              <input
                key={fileKey}
                type="file"
                accept=".csr,.pem,.req,.txt"
                data-testid="csr-file"
                className="block w-full text-sm file:mr-3 file:min-h-11 file:rounded file:border file:border-slate-300 file:bg-white file:px-4 file:py-2"
                onChange={async (e) => {
                  const file = e.currentTarget.files?.[0];
                  // read here, sent as text: a binary (DER) file shows as garbage and is refused with "not PEM"
                  if (file) setCsrText(await file.text());
                }}
              />
            </label>
            <details className="mb-4 rounded border border-slate-200 bg-slate-50 px-3 py-2 text-sm" data-testid="csr-help">
              <summary className="cursor-pointer font-medium">{t("cert.csrHowTo")}</summary>
              <p className="mt-2">{t("cert.csrHowToText")}</p>
              <Command text={CSR_COMMAND_RSA} />
              <p className="mt-2">{t("cert.csrHowToEc")}</p>
              <Command text={CSR_COMMAND_EC} />
              <p className="mt-2 text-xs text-slate-600">{t("cert.csrKeys")}</p>
            </details>
          </div>
        )}
        <div className="md:col-span-3">
          <Button type="submit" disabled={pending}>
            {pending ? t("common.saving") : t("cert.issueSubmit")}
          </Button>
        </div>
      </form>
    </div>
  );
}
