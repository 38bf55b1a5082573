import type { TTranslate } from "@/lib/i18n";

/* Pieces the audit screens share: GET filter forms, scrolling tables and count links, sized for a tablet. */

export const th = "px-3 py-2 whitespace-nowrap";
export const td = "px-3 py-2";
export const fieldClass = "min-h-11 w-full rounded border border-slate-300 bg-white px-2 py-2";

export function PageTitle({ title, lead }: { title: string; lead?: string }) {
  return (
    <div className="space-y-2">
      <h1 className="text-2xl font-bold">{title}</h1>
      {lead && <p className="text-sm text-slate-600">{lead}</p>}
    </div>
  );
}

export function Card({ children, testId }: { children: React.ReactNode; testId?: string }) {
  return (
    <section className="rounded-lg bg-white p-5 shadow" data-testid={testId}>
      {children}
    </section>
  );
}

/** A GET form: the filters live in the URL, so a view can be kept, reloaded and linked to. */
export function FilterForm({ children, columns = "lg:grid-cols-6" }: { children: React.ReactNode; columns?: string }) {
  return (
    <form method="get" role="search" className={`grid gap-3 sm:grid-cols-2 ${columns}`}>
      {children}
    </form>
  );
}

export function FilterField({ label, hint, className = "", children }: { label: string; hint?: string; className?: string; children: React.ReactNode }) {
  return (
    <label className={`text-sm ${className}`}>
      <span className="mb-1 block">{label}</span>
      {children}
      {hint && <span className="mt-1 block text-xs text-slate-500">{hint}</span>}
    </label>
  );
}

export function SubmitButton({ label }: { label: string }) {
  return (
    <div className="flex items-end">
      <button className="min-h-11 w-full rounded bg-teal-700 px-6 font-medium text-white hover:bg-teal-800">{label}</button>
    </div>
  );
}

export type TFacilityOption = { code: string; nameKanji: string };

/** Facilities by their code (施設ID), which the audit URLs carry. */
export function FacilitySelect({ name = "facility", value, facilities, emptyLabel }: { name?: string; value?: string; facilities: TFacilityOption[]; emptyLabel: string }) {
  return (
    <select name={name} defaultValue={value ?? ""} className={fieldClass}>
      <option value="">{emptyLabel}</option>
      {facilities.map((f) => (
        <option key={f.code} value={f.code}>
          {f.code} {f.nameKanji}
        </option>
      ))}
    </select>
  );
}

/** A table that scrolls sideways inside its card instead of widening the page. */
export function TableScroll({ children }: { children: React.ReactNode }) {
  return <div className="-mx-5 overflow-x-auto px-5">{children}</div>;
}

export function ResultCount({ total, t, testId }: { total: number; t: TTranslate; testId?: string }) {
  return (
    <p className="mb-2 text-sm text-slate-600" data-testid={testId}>
      {t("common.results", { count: total })}
    </p>
  );
}

/** A count that opens the rows behind it; nothing to open for zero. */
export function CountLink({ count, href, label }: { count: number | undefined; href: string; label?: string }) {
  if (!count) return <span className="text-slate-300">0</span>;
  return (
    <a href={href} aria-label={label} className="inline-flex min-h-11 min-w-11 items-center justify-end text-teal-800 underline underline-offset-2 hover:text-teal-950">
      {count.toLocaleString("ja-JP")}
    </a>
  );
}

/** Who did it: the name over the login ID and the facility. */
export function PersonCell({ person }: { person: { name: string; loginId: string } | null }) {
  if (!person) return <span className="text-slate-400">―</span>;
  return (
    <span className="block min-w-32">
      <span className="block font-medium">{person.name}</span>
      <span className="block font-mono text-xs text-slate-500">{person.loginId}</span>
    </span>
  );
}
