"use client";

import { Fragment } from "react";
import { coded, DefList, joinTexts, list, ScrollTable, str, td, TextBlock, th, when, type TRec } from "@/components/calendar/detail-parts";
import { useI18n } from "@/components/i18n-provider";
import { labItemsOf, type TLabFlag, type TLabValue } from "@/lib/clinical/lab-items";

/** lab rows are one line each: cells centred on the (taller) trend button */
const cell = td.replace("align-top", "align-middle");

const FLAG_STYLE: Record<Exclude<TLabFlag, null>, { row: string; badge: string; arrow: string }> = {
  H: { row: "text-red-700 font-semibold", badge: "bg-red-100 text-red-800 ring-red-300", arrow: "↑" },
  HH: { row: "text-red-800 font-bold", badge: "bg-red-700 text-white ring-red-800", arrow: "↑↑" },
  L: { row: "text-blue-700 font-semibold", badge: "bg-blue-100 text-blue-800 ring-blue-300", arrow: "↓" },
  LL: { row: "text-blue-800 font-bold", badge: "bg-blue-700 text-white ring-blue-800", arrow: "↓↓" },
  A: { row: "text-amber-800 font-semibold", badge: "bg-amber-100 text-amber-900 ring-amber-300", arrow: "*" },
};

/** the H / L / HH / LL / A badge, with its meaning for screen readers and as a tooltip */
export function FlagBadge({ flag }: { flag: TLabFlag }) {
  const { t } = useI18n();
  if (!flag) return null;
  const label = t(`content.lab.flag.${flag}`);
  return (
    <span title={label} className={`inline-flex min-w-7 items-center justify-center rounded px-1.5 py-0.5 text-xs font-bold ring-1 ${FLAG_STYLE[flag].badge}`}>
      <span aria-hidden>{flag}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

/** Lab items: item / value / unit / reference range / flag; abnormal rows in colour, with a badge and an arrow. */
export function LabTable({ items, onTrend }: { items: TLabValue[]; onTrend?: (item: TLabValue) => void }) {
  const { t } = useI18n();
  const hasSpecimen = items.some((i) => i.specimen);
  if (items.length === 0) return <p className="text-sm text-slate-600">{t("content.lab.noItems")}</p>;
  return (
    <ScrollTable caption={t("content.lab.caption")}>
      <thead>
        <tr>
          <th scope="col" className={th}>{t("content.lab.item")}</th>
          <th scope="col" className={`${th} text-right`}>{t("content.lab.value")}</th>
          <th scope="col" className={th}>{t("content.lab.unit")}</th>
          <th scope="col" className={th}>{t("content.lab.range")}</th>
          <th scope="col" className={`${th} text-center`}>{t("content.lab.flag")}</th>
          {hasSpecimen && <th scope="col" className={th}>{t("content.lab.specimen")}</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((item, i) => {
          const style = item.flag ? FLAG_STYLE[item.flag] : null;
          const showGroup = item.group !== null && item.group !== items[i - 1]?.group;
          return (
            <Fragment key={i}>
              {showGroup && (
              <tr>
                <th scope="colgroup" colSpan={hasSpecimen ? 6 : 5} className="bg-slate-100 px-2 py-1 text-left text-xs font-medium text-slate-700">
                  {item.group}
                </th>
              </tr>
              )}
            <tr className={style?.row}>
              <th scope="row" className={`${cell} min-w-36 text-left font-normal`}>
                {onTrend && item.numeric !== null ? (
                  <button
                    type="button"
                    onClick={() => onTrend(item)}
                    className="-my-1 inline-flex min-h-11 items-center gap-2 rounded px-1 text-left underline decoration-dotted underline-offset-4 hover:bg-teal-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-teal-600"
                    aria-label={t("content.lab.trendOf", { name: item.name })}
                  >
                    <span>{item.name}</span>
                    <span aria-hidden className="whitespace-nowrap rounded border border-teal-600 px-1.5 text-xs font-medium text-teal-800 no-underline">
                      {t("content.lab.trend")}
                    </span>
                  </button>
                ) : (
                  item.name
                )}
                {item.comment && <p className="mt-0.5 whitespace-pre-wrap text-xs font-normal text-slate-600">{item.comment}</p>}
              </th>
              <td className={`${cell} whitespace-pre-wrap text-right tabular-nums`}>
                {style && <span aria-hidden className="mr-1">{style.arrow}</span>}
                {item.value ?? <span className="text-slate-400">{t("content.lab.pending")}</span>}
              </td>
              <td className={`${cell} whitespace-nowrap`}>{item.unit ?? ""}</td>
              <td className={`${cell} whitespace-nowrap font-normal text-slate-700`}>{item.range ?? ""}</td>
              <td className={`${cell} text-center`}>
                <FlagBadge flag={item.flag} />
              </td>
              {hasSpecimen && <td className={`${cell} whitespace-nowrap font-normal`}>{item.specimen ?? ""}</td>}
            </tr>
            </Fragment>
          );
        })}
      </tbody>
    </ScrollTable>
  );
}

/** 検査・健診 (SS-MIX2 OML/OUL, FHIR Observation / DiagnosticReport / check-up panels). */
export function LabDetail({ payload, onTrend }: { payload: TRec; onTrend?: (item: TLabValue) => void }) {
  const { t, locale } = useI18n();
  const items = labItemsOf(payload);
  const unresolved = list(payload.unresolvedResults).length;
  return (
    <div className="space-y-3">
      <DefList
        rows={[
          { label: t("content.lab.name"), value: str(payload.name) },
          { label: t("content.lab.kind"), value: coded(t, "content.lab.kindValue", payload.kind) },
          { label: t("content.lab.category"), value: joinTexts(payload.category) },
          { label: t("content.orderNumber"), value: str(payload.orderNumber) },
          { label: t("content.status"), value: coded(t, "content.statusValue", payload.status) },
          { label: t("content.lab.issued"), value: when(payload.issued, locale) },
        ]}
      />
      {payload.kind === "order" && <p className="text-sm text-slate-600">{t("content.lab.orderOnly")}</p>}
      <LabTable items={items} onTrend={onTrend} />
      {unresolved > 0 && <p className="text-sm text-amber-800">{t("content.lab.unresolved", { count: unresolved })}</p>}
      <TextBlock label={t("content.lab.conclusion")} text={str(payload.conclusion)} />
      <TextBlock label={t("content.comment")} text={str(payload.comment) ?? str(payload.note)} />
    </div>
  );
}
