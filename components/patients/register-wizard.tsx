"use client";

import Link from "next/link";
import { useRef, useState } from "react";
import { ConsentFields } from "@/components/consent/consent-fields";
import { PatientInfoFields } from "@/components/patients/patient-info-fields";
import { useI18n } from "@/components/i18n-provider";
import { Alert, Button, Field, FieldErrors, FormResultAlert, Input, Select } from "@/components/ui/form";
import type { TActionResult } from "@/lib/errors";
import { checkDuplicatesAction, registerPatientAction } from "@/lib/patients/actions";
import type { TDuplicate } from "@/lib/patients/dto";

type TFacility = { id: string; nameKanji: string };

const PATIENT_FIELDS = ["nameKanji", "nameKana", "sex", "birthDate", "postalCode", "address", "phone", "mobilePhone"] as const;
const CONSENT_FIELDS = ["action", "scope", "method", "consentDate", "responsibleName", "explainedByName", "signer", "signerName", "proxyRelationship", "reason", "note"] as const;

/** Which step shows a field, so a refused submission opens the step with the first message. */
const stepOf = (key: string) => (key.startsWith("patient.") ? 1 : key.startsWith("links") ? 2 : key.startsWith("consent.") ? 3 : 0);

/**
 * 患者登録 (seed 000): 1 個人情報登録 → 2 連携施設の患者ID登録 → 3 同意 → saved together; 4 最新データ取得
 * follows once data feeds exist. Every step's inputs stay in one form, so going back keeps them.
 */
export function RegisterWizard({ facilities, ownFacility, today }: { facilities: TFacility[]; ownFacility: TFacility | null; today: string }) {
  const { t } = useI18n();
  const formRef = useRef<HTMLFormElement>(null);
  const [step, setStep] = useState(1);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [result, setResult] = useState<TActionResult<unknown> | null>(null);
  const [pending, setPending] = useState(false);
  const [duplicates, setDuplicates] = useState<TDuplicate[]>([]);
  const [isDuplicateConfirmed, setDuplicateConfirmed] = useState(false);
  const [rows, setRows] = useState<number[]>([0]);
  const [nextRow, setNextRow] = useState(1);
  const [done, setDone] = useState<{ id: string; regionalId: string } | null>(null);

  /** "Register another": the form remounts empty once `done` is cleared. */
  function reset() {
    setStep(1);
    setErrors({});
    setResult(null);
    setDuplicates([]);
    setDuplicateConfirmed(false);
    setRows([0]);
    setDone(null);
  }

  function collect() {
    const fd = new FormData(formRef.current!);
    const text = (k: string) => {
      const v = fd.get(k);
      return typeof v === "string" ? v : "";
    };
    const patient = Object.fromEntries(PATIENT_FIELDS.map((f) => [f, text(`patient.${f}`)]));
    const links = rows
      .map((_, i) => ({ facilityId: text(`links.${i}.facilityId`), facilityPatientId: text(`links.${i}.facilityPatientId`) }))
      .filter((l) => l.facilityId || l.facilityPatientId);
    const consent: Record<string, unknown> = Object.fromEntries(CONSENT_FIELDS.map((f) => [f, text(`consent.${f}`)]));
    consent.facilityIds = fd.getAll("consent.facilityIds").filter((v): v is string => typeof v === "string");
    const scan = fd.get("consent.scan");
    return { patient, links, consent, scan: scan instanceof File && scan.size > 0 ? scan : null };
  }

  /** Steps 1 and 2 ask the server for likely duplicates (and check the fields) before going on. */
  async function checkAndGo(target: number) {
    const { patient, links } = collect();
    setPending(true);
    try {
      const r = await checkDuplicatesAction({ patient, links: target === 3 ? links : [] });
      if (!r.ok) {
        const relevant = Object.fromEntries(Object.entries(r.fieldErrors).filter(([k]) => stepOf(k) < target));
        setErrors(relevant);
        setResult(r);
        if (Object.keys(relevant).length > 0) {
          setStep(Math.min(...Object.keys(relevant).map(stepOf).filter((s) => s > 0), step));
          return;
        }
      } else {
        setErrors({});
        setResult(null);
        setDuplicates(r.data);
        if (r.data.length > 0 && !isDuplicateConfirmed) return;
      }
      setStep(target);
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
    } finally {
      setPending(false);
    }
  }

  async function submit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    if (step < 3) return checkAndGo(step + 1);
    const { patient, links, consent, scan } = collect();
    const fd = new FormData();
    fd.set("payload", JSON.stringify({ patient, links, consent, confirmDuplicate: isDuplicateConfirmed }));
    if (scan) fd.set("scan", scan);
    setPending(true);
    try {
      const r = await registerPatientAction(fd);
      setResult(r);
      if (r.ok) {
        setDone(r.data);
        setStep(4);
        return;
      }
      setErrors(r.fieldErrors);
      const steps = Object.keys(r.fieldErrors).map(stepOf).filter((s) => s > 0);
      if (steps.length > 0) setStep(Math.min(...steps));
      if (r.code === "CONFLICT") {
        setStep(1);
        const again = await checkDuplicatesAction({ patient, links });
        if (again.ok) setDuplicates(again.data);
      }
    } catch {
      setResult({ ok: false, code: "INTERNAL", fieldErrors: {} });
    } finally {
      setPending(false);
    }
  }

  const steps = [t("register.step1"), t("register.step2"), t("register.step3"), t("register.step4")];
  return (
    <div>
      <ol className="mb-6 grid gap-2 sm:grid-cols-4" aria-label={t("register.title")}>
        {steps.map((label, i) => (
          <li
            key={label}
            aria-current={step === i + 1 ? "step" : undefined}
            className={`rounded border px-3 py-2 text-sm ${step === i + 1 ? "border-teal-700 bg-teal-50 font-semibold text-teal-900" : step > i + 1 ? "border-slate-300 bg-white text-slate-700" : "border-slate-200 bg-slate-50 text-slate-500"}`}
          >
            {label}
          </li>
        ))}
      </ol>
      {done ? (
        <section className="rounded-lg bg-white p-5 shadow" data-testid="register-done">
          <Alert kind="success">{t("register.done", { regionalId: done.regionalId })}</Alert>
          <p className="mb-4 text-sm text-slate-600">{t("register.latestDataNote")}</p>
          <div className="flex flex-wrap gap-3">
            <Link href={`/patients/${done.id}`} className="inline-flex min-h-11 items-center rounded bg-teal-700 px-4 font-medium text-white">
              {t("patients.open")}
            </Link>
            {/* A fresh wizard: every step's fields start empty again. */}
            <Button type="button" variant="secondary" onClick={reset}>
              {t("patients.register")}
            </Button>
          </div>
        </section>
      ) : (
        <form ref={formRef} method="post" onSubmit={submit} className="rounded-lg bg-white p-5 shadow" noValidate>
          <FormResultAlert result={result && !result.ok && result.code !== "CONFLICT" ? result : null} />
          <section hidden={step !== 1} aria-label={steps[0]}>
            <PatientInfoFields prefix="patient." errors={errors} />
          </section>
          <section hidden={step !== 2} aria-label={steps[1]}>
            <p className="mb-4 text-sm text-slate-600">{t("register.linksLead")}</p>
            {rows.map((key, i) => (
              <div key={key} className="mb-2 grid items-start gap-x-3 sm:grid-cols-[1fr_1fr_auto]" data-testid={`link-row-${i}`}>
                <Field label={t("patients.facility")} name={`links.${i}.facilityId`} errors={errors}>
                  <Select name={`links.${i}.facilityId`} errors={errors} defaultValue={i === 0 && ownFacility ? ownFacility.id : ""}>
                    <option value="">―</option>
                    {facilities.map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.nameKanji}
                      </option>
                    ))}
                  </Select>
                </Field>
                <Field label={t("patient.facilityPatientId")} name={`links.${i}.facilityPatientId`} errors={errors}>
                  <Input name={`links.${i}.facilityPatientId`} errors={errors} autoComplete="off" />
                </Field>
                <div className="pt-6">
                  {rows.length > 1 && (
                    <Button type="button" variant="secondary" onClick={() => setRows(rows.filter((k) => k !== key))}>
                      {t("register.removeLinkRow")}
                    </Button>
                  )}
                </div>
              </div>
            ))}
            <FieldErrors name="links" errors={errors} />
            <Button
              type="button"
              variant="secondary"
              onClick={() => {
                setRows([...rows, nextRow]);
                setNextRow(nextRow + 1);
              }}
            >
              {t("register.addLinkRow")}
            </Button>
          </section>
          <section hidden={step !== 3} aria-label={steps[2]}>
            <p className="mb-4 text-sm text-slate-600">{t("register.consentLead")}</p>
            <ConsentFields action="GRANT" prefix="consent." errors={errors} facilities={facilities} today={today} />
          </section>
          {duplicates.length > 0 && step < 4 && (
            <div className="mt-4 rounded border border-amber-300 bg-amber-50 p-4" role="alert" data-testid="duplicates">
              <h2 className="mb-1 font-semibold text-amber-900">{t("register.duplicatesTitle")}</h2>
              <p className="mb-3 text-sm text-amber-900">{t("register.duplicatesLead")}</p>
              <ul className="mb-3 divide-y divide-amber-200">
                {duplicates.map((d) => (
                  <li key={d.id} className="flex flex-wrap items-center gap-3 py-2 text-sm">
                    <span>
                      <span className="block text-xs">{d.nameKana}</span>
                      <span className="font-medium">{d.nameKanji}</span>
                    </span>
                    <span>
                      {d.birth.wareki} ({d.birth.seireki})
                    </span>
                    <span>{t(`enum.Sex.${d.sex}`)}</span>
                    <span className="font-mono text-xs">
                      {t("patient.regionalId")} {d.regionalId}
                    </span>
                    <span className="text-xs">
                      {d.reasons.map((r) => t(`register.duplicateReason.${r}`, { facility: d.matchedFacilityName ?? "" })).join(" / ")}
                    </span>
                    <a
                      href={d.canAdminister ? `/patients/${d.id}` : `/patients?mode=registration&regionalId=${d.regionalId}`}
                      className="ml-auto inline-flex min-h-11 items-center rounded border border-amber-700 bg-white px-3 text-amber-900"
                    >
                      {t("register.openExisting")}
                    </a>
                  </li>
                ))}
              </ul>
              <label className="inline-flex min-h-11 items-center gap-2 text-sm">
                <input type="checkbox" checked={isDuplicateConfirmed} onChange={(e) => setDuplicateConfirmed(e.target.checked)} name="confirmDuplicate" />
                {t("register.confirmDuplicate")}
              </label>
            </div>
          )}
          <div className="mt-6 flex flex-wrap gap-3">
            {step > 1 && (
              <Button type="button" variant="secondary" onClick={() => setStep(step - 1)} disabled={pending}>
                {t("register.back")}
              </Button>
            )}
            <Button type="submit" disabled={pending} data-testid="wizard-submit">
              {pending ? (step < 3 ? t("register.checking") : t("register.submitting")) : step < 3 ? t("register.next") : t("register.submit")}
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
