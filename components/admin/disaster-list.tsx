"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { useI18n } from "@/components/i18n-provider";
import { Button, FieldErrors, FormResultAlert, Input } from "@/components/ui/form";
import { useActionForm } from "@/components/ui/use-action-form";
import { closeDisasterAction, extendDisasterAction } from "@/lib/ems/disasters/actions";
import type { TDisasterRow } from "@/lib/ems/disasters/queries";
import { formatDateTime, type TLocale } from "@/lib/i18n";

const STATUS_STYLE = {
  ACTIVE: "bg-red-100 text-red-900",
  SCHEDULED: "bg-amber-100 text-amber-900",
  ENDED: "bg-slate-200 text-slate-700",
} as const;

function Chip({ children, className = "bg-slate-100 text-slate-800" }: { children: React.ReactNode; className?: string }) {
  return <span className={`mr-1 mb-1 inline-block rounded px-2 py-0.5 text-xs font-medium ${className}`}>{children}</span>;
}

const when = (d: Date | null, locale: TLocale) => formatDateTime(d, locale);

/** The easements a declaration allows, as short labels. */
function RuleChips({ d }: { d: TDisasterRow }) {
  const { t } = useI18n();
  const rules = [d.skipNotice && "skipNotice", d.consentAfterFact && "consentAfterFact", d.overridesWithdrawal && "overridesWithdrawal"].filter(Boolean) as string[];
  if (rules.length === 0) return <Chip>{t("disaster.rule.usual")}</Chip>;
  return (
    <>
      {rules.map((r) => (
        <Chip key={r} className="bg-amber-100 text-amber-900">
          {t(`disaster.rule.${r}`)}
        </Chip>
      ))}
    </>
  );
}

/** A field of a card's form: the label wraps the input (several cards are on the page, so ids would repeat). */
function CardField({ label, name, errors, required, children }: { label: string; name: string; errors: Record<string, string[]>; required?: boolean; children: React.ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="mb-3" data-field={name}>
      <label className="block text-sm">
        <span className="mb-1 block font-medium text-slate-700">
          {label}
          {required && (
            <span className="ml-1 text-red-600" aria-label={t("common.required")}>
              *
            </span>
          )}
        </span>
        {children}
      </label>
      <FieldErrors name={name} errors={errors} />
    </div>
  );
}

/** 期間延長: a later end and why. */
function ExtendForm({ d, onDone }: { d: TDisasterRow; onDone: () => void }) {
  const { t } = useI18n();
  const form = useActionForm(extendDisasterAction, onDone);
  const prefix = `extend-${d.id}`;
  return (
    <form method="post" onSubmit={form.onSubmit} noValidate className="rounded border border-slate-200 p-3" data-testid="disaster-extend-form">
      <FormResultAlert result={form.result} />
      <input type="hidden" name="id" value={d.id} />
      <div className="grid gap-x-4 sm:grid-cols-2">
        <CardField label={t("disaster.extendEndsAt")} name="endsAt" errors={form.fieldErrors} required>
          <Input type="datetime-local" name="endsAt" id={`${prefix}-endsAt`} errors={form.fieldErrors} aria-describedby={undefined} />
        </CardField>
        <CardField label={t("disaster.extendNote")} name="note" errors={form.fieldErrors}>
          <Input name="note" id={`${prefix}-note`} maxLength={1000} errors={form.fieldErrors} aria-describedby={undefined} />
        </CardField>
      </div>
      <Button type="submit" disabled={form.pending}>
        {form.pending ? t("common.saving") : t("disaster.extendSubmit")}
      </Button>
    </form>
  );
}

/** 早期終了: asks once more, with the reason. */
function CloseForm({ d, onCancel, onDone }: { d: TDisasterRow; onCancel: () => void; onDone: (endedGrants: number) => void }) {
  const { t } = useI18n();
  const form = useActionForm(closeDisasterAction, (r) => onDone(r.endedGrants));
  return (
    <form method="post" onSubmit={form.onSubmit} noValidate className="rounded border border-red-200 bg-red-50 p-3" data-testid="disaster-close-form">
      <FormResultAlert result={form.result} />
      <input type="hidden" name="id" value={d.id} />
      <p className="mb-2 text-sm text-red-900">{t("disaster.closeQuestion")}</p>
      <CardField label={t("disaster.closeNote")} name="note" errors={form.fieldErrors}>
        <Input name="note" id={`close-${d.id}-note`} maxLength={1000} errors={form.fieldErrors} aria-describedby={undefined} />
      </CardField>
      <div className="flex flex-wrap gap-3">
        <Button type="submit" variant="danger" disabled={form.pending}>
          {t("disaster.closeConfirm")}
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          {t("common.cancel")}
        </Button>
      </div>
    </form>
  );
}

/**
 * One declaration: what it covers, its period and rule, its history, and (while not over) extend
 * and close. After a change the page is reloaded with its message in the address: the card moves
 * to another list then, and a message kept in the card would go with it.
 */
export function DisasterCard({ d }: { d: TDisasterRow }) {
  const { t, locale } = useI18n();
  const router = useRouter();
  const [mode, setMode] = useState<"none" | "extend" | "close">("none");
  const finish = (query: string) => {
    setMode("none");
    router.replace(`/admin/disasters?${query}`, { scroll: false });
  };
  return (
    <article className="rounded border border-slate-200 p-4" data-testid="disaster-card" data-status={d.status}>
      <div className="flex flex-wrap items-center gap-2">
        <span className={`rounded px-2 py-0.5 text-xs font-semibold ${STATUS_STYLE[d.status]}`} data-testid="disaster-status">
          {t(`enum.DisasterStatus.${d.status}`)}
        </span>
        <h3 className="text-lg font-semibold" data-testid="disaster-name">
          {d.name}
        </h3>
      </div>
      <dl className="mt-2 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[10rem_1fr]">
        <dt className="text-slate-500">{t("disaster.areasShort")}</dt>
        <dd data-testid="disaster-areas">
          {d.areas.map((a) => (
            <Chip key={a}>{a}</Chip>
          ))}
        </dd>
        <dt className="text-slate-500">{t("disaster.viewers")}</dt>
        <dd data-testid="disaster-viewers">
          {d.allFacilities ? t("disaster.allFacilities") : d.viewerFacilities.map((f) => <Chip key={f.id}>{`${f.code} ${f.name}`}</Chip>)}
        </dd>
        <dt className="text-slate-500">{t("disaster.period")}</dt>
        <dd data-testid="disaster-period">
          {t("disaster.periodValue", { from: when(d.startsAt, locale), to: when(d.endsAt, locale) })}
          {d.closedAt && <span className="ml-2 font-medium text-red-800">{t("disaster.closedAtValue", { at: when(d.closedAt, locale) })}</span>}
        </dd>
        <dt className="text-slate-500">{t("disaster.rules")}</dt>
        <dd>
          <RuleChips d={d} />
        </dd>
        <dt className="text-slate-500">{t("disaster.grants")}</dt>
        <dd data-testid="disaster-grants">{t("disaster.grantsValue", { count: d.grantCount })}</dd>
        {d.note && (
          <>
            <dt className="text-slate-500">{t("disaster.note")}</dt>
            <dd className="whitespace-pre-line">{d.note}</dd>
          </>
        )}
        <dt className="text-slate-500">{t("disaster.history")}</dt>
        <dd>
          <ul className="space-y-0.5 text-xs text-slate-700" data-testid="disaster-history">
            {d.events.map((e, i) => (
              <li key={i}>
                {t("disaster.historyLine", { at: when(e.at, locale), kind: t(`enum.DisasterEventKind.${e.kind}`), by: e.by?.name ?? "―" })}
                {e.kind === "EXTENDED" && ` ${t("disaster.historyExtended", { from: when(e.previousEndsAt, locale), to: when(e.endsAt, locale) })}`}
                {e.kind === "DECLARED" && ` ${t("disaster.historyEnds", { to: when(e.endsAt, locale) })}`}
                {/* a declaration's own note is shown above; an extension's or closing's reason here */}
                {e.note && e.kind !== "DECLARED" && `: ${e.note}`}
              </li>
            ))}
          </ul>
        </dd>
      </dl>
      {d.status !== "ENDED" && (
        <div className="mt-3 space-y-3">
          {mode === "none" && (
            <div className="flex flex-wrap gap-3">
              <Button type="button" variant="secondary" onClick={() => setMode("extend")}>
                {t("disaster.extend")}
              </Button>
              <Button type="button" variant="secondary" className="text-red-800" onClick={() => setMode("close")}>
                {t("disaster.close")}
              </Button>
            </div>
          )}
          {mode === "extend" && <ExtendForm d={d} onDone={() => finish("done=extended")} />}
          {mode === "close" && <CloseForm d={d} onCancel={() => setMode("none")} onDone={(n) => finish(`done=closed&grants=${n}`)} />}
        </div>
      )}
    </article>
  );
}

/** The declarations of one status, or a line saying there are none. */
export function DisasterCards({ rows, empty }: { rows: TDisasterRow[]; empty?: string }) {
  if (rows.length === 0) return empty ? <p className="text-sm text-slate-500">{empty}</p> : null;
  return (
    <div className="space-y-4">
      {rows.map((d) => (
        <DisasterCard key={d.id} d={d} />
      ))}
    </div>
  );
}
