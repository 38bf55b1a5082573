"use client";

import { useI18n } from "@/components/i18n-provider";
import { messageParts } from "@/lib/errors";

/** A labelled field with its error messages right beneath it (messages are dictionary keys). */
export function Field({
  label,
  name,
  errors,
  hint,
  required,
  children,
}: {
  label: string;
  name: string;
  errors?: Record<string, string[]>;
  hint?: string;
  required?: boolean;
  children: React.ReactNode;
}) {
  const { t } = useI18n();
  return (
    <div className="mb-4" data-field={name}>
      <label htmlFor={name} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
        {required && <span className="ml-1 text-red-600" aria-label={t("common.required")}>*</span>}
      </label>
      {children}
      {hint && <p className="mt-1 text-xs text-slate-500">{hint}</p>}
      <FieldErrors name={name} errors={errors ?? {}} />
    </div>
  );
}

/** A field's messages (dictionary keys) right beneath it. */
export function FieldErrors({ name, errors }: { name: string; errors: Record<string, string[]> }) {
  const { t } = useI18n();
  const messages = errors[name] ?? [];
  if (messages.length === 0) return null;
  return (
    <ul className="mt-1 text-sm text-red-700" role="alert" id={`${name}-error`}>
      {messages.map((m) => (
        <li key={m}>{t(messageParts(m).key, messageParts(m).vars)}</li>
      ))}
    </ul>
  );
}

export const inputClass =
  "block w-full rounded border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30 aria-[invalid=true]:border-red-500";

export function Input(props: React.InputHTMLAttributes<HTMLInputElement> & { name: string; errors?: Record<string, string[]> }) {
  const { errors, ...rest } = props;
  const invalid = (errors?.[props.name]?.length ?? 0) > 0;
  return <input id={props.name} aria-invalid={invalid} aria-describedby={invalid ? `${props.name}-error` : undefined} className={inputClass} {...rest} />;
}

export function Select(props: React.SelectHTMLAttributes<HTMLSelectElement> & { name: string; errors?: Record<string, string[]> }) {
  const { errors, ...rest } = props;
  const invalid = (errors?.[props.name]?.length ?? 0) > 0;
  return <select id={props.name} aria-invalid={invalid} className={inputClass} {...rest} />;
}

export function Button({ variant = "primary", className = "", ...props }: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "secondary" | "danger" }) {
  const styles = {
    primary: "bg-teal-700 text-white hover:bg-teal-800 disabled:bg-teal-400",
    secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50",
    danger: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-400",
  }[variant];
  return <button className={`inline-flex min-h-11 items-center justify-center rounded px-4 py-2 text-base font-medium ${styles} ${className}`} {...props} />;
}

export function Alert({ kind = "info", children }: { kind?: "info" | "error" | "success" | "warning"; children: React.ReactNode }) {
  const styles = {
    info: "border-sky-300 bg-sky-50 text-sky-900",
    error: "border-red-300 bg-red-50 text-red-900",
    success: "border-emerald-300 bg-emerald-50 text-emerald-900",
    warning: "border-amber-300 bg-amber-50 text-amber-900",
  }[kind];
  return (
    <div role={kind === "error" ? "alert" : "status"} className={`mb-4 rounded border px-4 py-3 text-sm ${styles}`}>
      {children}
    </div>
  );
}

/** The banner above a form after a failed submit: field messages are shown beside the fields. */
export function FormResultAlert({ result }: { result: { ok: boolean; code?: string; fieldErrors?: Record<string, string[]> } | null }) {
  const { t } = useI18n();
  if (!result || result.ok) return null;
  const formLevel = result.fieldErrors?._form ?? [];
  const text =
    result.code === "FORBIDDEN" ? t("common.forbidden") : result.code === "NOT_FOUND" ? t("common.notFound") : result.code === "VALIDATION" ? t("common.formError") : t("common.error");
  return (
    <Alert kind="error">
      {text}
      {formLevel.map((m) => (
        <div key={m}>{t(messageParts(m).key, messageParts(m).vars)}</div>
      ))}
    </Alert>
  );
}
