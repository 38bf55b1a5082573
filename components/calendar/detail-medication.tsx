"use client";

import { amount, coded, DefList, list, num, rec, ScrollTable, str, td, TextBlock, th, when, type TRec } from "@/components/calendar/detail-parts";
import { useI18n } from "@/components/i18n-provider";

/** One drug line of either source, as the table shows it. */
type TDrugRow = {
  rp: string | null;
  name: string | null;
  /** the mixed components of an injection (SS-MIX2 RXC) */
  components: { name: string; amount: string | null }[];
  dose: string | null;
  usage: string | null;
  days: number | null;
  total: string | null;
  route: string | null;
  instructions: string | null;
  rate: string | null;
  start: unknown;
  end: unknown;
};

function routeText(v: unknown): string | null {
  if (typeof v === "string") return str(v);
  const r = rec(v);
  const name = str(r.name) ?? str(r.code);
  const device = str(r.device);
  if (!name) return device;
  return device ? `${name}（${device}）` : name;
}

/** SS-MIX2 lines (drugName, doseUnit, components, route object) and FHIR lines (name, route text) alike */
function drugRow(raw: unknown): TDrugRow {
  const l = rec(raw);
  const components = list(l.components).map((c) => {
    const r = rec(c);
    return { name: str(r.drugName) ?? str(r.name) ?? str(r.drugCode) ?? str(r.code) ?? "", amount: amount(r.amount, r.unit) };
  });
  const duration = rec(l.duration);
  return {
    rp: str(l.rp),
    name: str(l.drugName) ?? str(l.name) ?? str(l.drugCode) ?? str(l.code),
    components: components.filter((c) => c.name !== "" || c.amount !== null),
    dose: amount(l.dose, l.doseUnit),
    usage: str(l.usage),
    days: num(l.days) ?? (str(duration.unit) === null ? num(duration.value) : null),
    total: amount(l.dispenseAmount, l.dispenseUnit),
    route: routeText(l.route),
    instructions: str(l.instructions),
    rate: str(l.rate),
    start: l.start,
    end: l.end,
  };
}

/** 処方・注射 (指示 / 実施): the drug lines, prescriber, department and order number. */
export function MedicationDetail({ payload, administered }: { payload: TRec; administered: boolean }) {
  const { t, locale } = useI18n();
  const rows = list(payload.lines).map(drugRow);
  // columns no line fills are left out (injections rarely have days, dispensings no instructions)
  const hasRp = rows.some((r) => r.rp);
  const hasUsage = rows.some((r) => r.usage);
  const hasDays = rows.some((r) => r.days !== null);
  const hasTotal = rows.some((r) => r.total);
  const hasRoute = rows.some((r) => r.route);
  const hasInstructions = rows.some((r) => r.instructions || r.rate);
  const hasPeriod = rows.some((r) => when(r.start, locale) || when(r.end, locale));
  const period = (r: TDrugRow) => {
    const s = when(r.start, locale);
    const e = when(r.end, locale);
    return s && e && s !== e ? `${s}〜${e}` : (s ?? (e ? `〜${e}` : null));
  };
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.med.prescriber"), value: str(payload.orderer) ?? str(payload.requester) },
          { label: t("content.med.department"), value: str(payload.department) },
          { label: t("content.orderNumber"), value: str(payload.orderNumber) },
          { label: t("content.status"), value: coded(t, "content.statusValue", payload.status) },
          { label: t("content.med.method"), value: str(payload.method) },
          { label: t("content.med.end"), value: when(payload.end, locale) },
        ]}
      />
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">{t("content.med.noLines")}</p>
      ) : (
        <ScrollTable caption={t("content.med.caption")}>
          <thead>
            <tr>
              {hasRp && <th scope="col" className={th}>Rp</th>}
              <th scope="col" className={th}>{t("content.med.drug")}</th>
              <th scope="col" className={th}>{t("content.med.dose")}</th>
              {hasUsage && <th scope="col" className={th}>{t("content.med.usage")}</th>}
              {hasDays && <th scope="col" className={th}>{t("content.med.days")}</th>}
              {hasTotal && <th scope="col" className={th}>{t("content.med.total")}</th>}
              {hasRoute && <th scope="col" className={th}>{t("content.med.route")}</th>}
              {hasInstructions && <th scope="col" className={th}>{t("content.med.instructions")}</th>}
              {hasPeriod && <th scope="col" className={th}>{administered ? t("content.med.givenAt") : t("content.med.period")}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i} className={i > 0 && r.rp !== null && r.rp !== rows[i - 1]!.rp ? "border-t-2 border-slate-300" : undefined}>
                {hasRp && <td className={`${td} whitespace-nowrap tabular-nums`}>{r.rp !== null && r.rp !== rows[i - 1]?.rp ? r.rp : ""}</td>}
                <td className={`${td} min-w-48`}>
                  {r.components.length > 0 ? (
                    <ul className="space-y-0.5">
                      {r.components.map((c, k) => (
                        <li key={k}>
                          {c.name}
                          {c.amount && <span className="ml-2 whitespace-nowrap text-slate-700">{c.amount}</span>}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    (r.name ?? "—")
                  )}
                </td>
                <td className={`${td} whitespace-nowrap`}>{r.dose ?? ""}</td>
                {hasUsage && <td className={`${td} min-w-40`}>{r.usage ?? ""}</td>}
                {hasDays && <td className={`${td} whitespace-nowrap`}>{r.days !== null ? t("content.med.daysValue", { days: r.days }) : ""}</td>}
                {hasTotal && <td className={`${td} whitespace-nowrap`}>{r.total ?? ""}</td>}
                {hasRoute && <td className={`${td} whitespace-nowrap`}>{r.route ?? ""}</td>}
                {hasInstructions && <td className={`${td} min-w-32`}>{[r.instructions, r.rate && t("content.med.rateValue", { rate: r.rate })].filter(Boolean).join(" / ")}</td>}
                {hasPeriod && <td className={`${td} whitespace-nowrap`}>{period(r) ?? ""}</td>}
              </tr>
            ))}
          </tbody>
        </ScrollTable>
      )}
      <DefList rows={[{ label: t("content.med.totalQuantity"), value: amount(payload.totalQuantity, payload.totalQuantityUnit) }]} />
      <TextBlock label={t("content.note")} text={str(payload.note)} />
    </div>
  );
}
