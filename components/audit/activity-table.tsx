import { CountLink, td, th } from "@/components/audit/parts";
import type { TFacilityActivity } from "@/lib/audit/reports/queries";
import { daysRange, rowsHref, toJstLocal, type TActivityCells } from "@/lib/audit/reports/rules";
import type { AccessType } from "@/lib/enums";
import type { TLocale, TTranslate } from "@/lib/i18n";
import { dateOfDay, type TDay } from "@/lib/clinical/calendar";

/** The rows page's from/to for whole Japan-time days. */
function daysSpan(from: TDay, to: TDay) {
  const r = daysRange(from, to);
  return { from: toJstLocal(r.from), to: toJstLocal(r.to) };
}

type TCellsProps = { cells: TActivityCells; types: AccessType[]; facility: string; span: { from: string; to: string }; label: string; t: TTranslate };

function ActivityCells({ cells, types, facility, span, label, t }: TCellsProps) {
  return (
    <>
      {types.map((type) => (
        <td key={type} className={`${td} py-0 text-right`}>
          <CountLink count={cells.byType[type]} href={rowsHref({ facility, type, ...span })} label={`${label} ${t(`enum.AccessType.${type}`)}`} />
        </td>
      ))}
      <td className={`${td} py-0 text-right font-semibold`}>
        <CountLink count={cells.rows} href={rowsHref({ facility, ...span })} label={`${label} ${t("auditReports.activity.total")}`} />
      </td>
      <td className={`${td} text-right`}>{cells.users}</td>
      <td className={`${td} text-right`}>{cells.patients}</td>
    </>
  );
}

/** 11/22（日） or 11/22 (Sun): weekends show in a month of days. */
function dayLabel(day: TDay, locale: TLocale): string {
  const weekday = new Intl.DateTimeFormat(locale === "ja" ? "ja-JP" : "en-GB", { weekday: "short", timeZone: "UTC" }).format(dateOfDay(day));
  return `${day.slice(5).replace("-", "/")} (${weekday})`;
}

/** One row per day of the month, a column per access type that occurs; each count opens its rows. */
export function ActivityTable({ activity, facility, t, locale }: { activity: TFacilityActivity; facility: string; t: TTranslate; locale: TLocale }) {
  const { days, types, total, month } = activity;
  const common = { types, facility, t };
  return (
    <table className="text-sm" data-testid="activity-table">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className={th}>{t("auditReports.activity.day")}</th>
          {types.map((type) => (
            <th key={type} className={`${th} text-right`}>
              {t(`enum.AccessType.${type}`)}
            </th>
          ))}
          <th className={`${th} text-right`}>{t("auditReports.activity.total")}</th>
          <th className={`${th} text-right`}>{t("auditReports.activity.users")}</th>
          <th className={`${th} text-right`}>{t("auditReports.activity.patients")}</th>
        </tr>
      </thead>
      <tbody>
        {days.map((d) => (
          <tr key={d.day} className={`border-b border-slate-200 ${d.rows ? "" : "text-slate-400"}`} data-testid={`activity-day-${d.day}`}>
            <th scope="row" className={`${th} text-left font-normal`}>
              {dayLabel(d.day, locale)}
            </th>
            <ActivityCells cells={d} span={daysSpan(d.day, d.day)} label={d.day} {...common} />
          </tr>
        ))}
      </tbody>
      <tfoot className="bg-slate-50 font-semibold">
        <tr data-testid="activity-total">
          <th scope="row" className={`${th} text-left`}>
            {t("auditReports.activity.total")}
          </th>
          <ActivityCells cells={total} span={daysSpan(days[0]!.day, days.at(-1)!.day)} label={month} {...common} />
        </tr>
      </tfoot>
    </table>
  );
}
