/**
 * A lab trend as a plain SVG line chart: time on the x axis (real date spacing), the value on the
 * y axis, the reference range as a shaded band, one line per series (facility). No hooks and no
 * "use client": it renders the same from server and client components. Abnormal points are drawn
 * with their own marker shape (▲ high, ▼ low, ◆ other), not by colour alone.
 */
import type { TLabFlag } from "@/lib/clinical/lab-items";

export type TTrendChartPoint = { date: string /* yyyy-mm-dd */; value: number; flag?: TLabFlag };
export type TTrendChartSeries = { label: string; color: string; points: TTrendChartPoint[] };
export type TTrendChartProps = {
  series: TTrendChartSeries[];
  unit?: string | null;
  low?: number | null;
  high?: number | null;
  title?: string;
  /** height in the chart's own units (it scales with its width); default 240 */
  height?: number;
  /**
   * width of the chart's coordinate system (default 640): it always fills its container, so a
   * narrow panel reads better with a smaller value (e.g. 360: larger text, fewer ticks)
   */
  width?: number;
  /** wording of the summary and legend (the chart has no context of its own); default ja */
  locale?: "ja" | "en";
};

const PAD = { left: 52, right: 16, top: 24, bottom: 30 };
const DAY = 86_400_000;
/** above this many points a series draws its normal points as the line only (abnormal ones keep their markers) */
const MARKER_LIMIT = 400;
const HIGH_COLOR = "#dc2626";
const LOW_COLOR = "#2563eb";
const OTHER_COLOR = "#b45309";

const WORDS = {
  ja: {
    chart: "推移グラフ",
    points: "{n}件",
    range: "基準値 {range}",
    high: "高値 {n}件",
    low: "低値 {n}件",
    abnormal: "異常 {n}件",
    noData: "データがありません",
    legendHigh: "高値 (H)",
    legendLow: "低値 (L)",
    legendOther: "異常",
    legendBand: "基準範囲",
    latest: "最新 {value}（{date}）",
    separator: "、",
  },
  en: {
    chart: "Trend chart",
    points: "{n} values",
    range: "reference range {range}",
    high: "{n} high",
    low: "{n} low",
    abnormal: "{n} abnormal",
    noData: "No data",
    legendHigh: "High (H)",
    legendLow: "Low (L)",
    legendOther: "Abnormal",
    legendBand: "Reference range",
    latest: "latest {value} ({date})",
    separator: "; ",
  },
} as const;

type TWords = (typeof WORDS)[keyof typeof WORDS];
const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));

/** yyyy-mm-dd → UTC ms; null when not a real date */
function dayOf(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(t);
  return d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]) ? t : null;
}

const ymd = (t: number) => new Date(t).toISOString().slice(0, 10).replace(/-/g, "/");

/** "nice" ticks covering [min, max]: steps of 1, 2, 2.5 or 5 × 10^k */
export function niceTicks(min: number, max: number, target = 5): { ticks: number[]; step: number } {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, target);
  }
  const raw = (max - min) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 0.5 && ticks.length < 50; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return { ticks, step };
}

function decimalsOf(step: number): number {
  const s = String(step);
  const i = s.indexOf(".");
  return i < 0 ? 0 : Math.min(6, s.length - i - 1);
}

const formatValue = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));

/** date ticks: years, months (1, 2, 3, 6) or days (1, 2, 7, 14) apart, at most `max` of them */
function dateTicks(from: number, to: number, max: number): { t: number; label: string }[] {
  const spanDays = (to - from) / DAY;
  const start = new Date(from);
  if (spanDays > 62) {
    const months = spanDays / 30.44;
    const step = [1, 2, 3, 6, 12, 24, 60, 120].find((s) => months / s <= max) ?? 120;
    const out: { t: number; label: string }[] = [];
    let y = start.getUTCFullYear();
    let m = start.getUTCMonth() + 1; // the first month start after `from`
    if (step >= 12) {
      y += 1;
      y = Math.ceil(y / (step / 12)) * (step / 12);
      m = 0;
    } else m = Math.ceil(m / step) * step;
    for (let i = 0; i < 40; i++) {
      const t = Date.UTC(y, m, 1);
      if (t > to) break;
      const d = new Date(t);
      const label = step >= 12 ? String(d.getUTCFullYear()) : `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}`;
      if (t >= from) out.push({ t, label });
      m += step;
    }
    return out;
  }
  const step = [1, 2, 7, 14, 31].find((s) => spanDays / s <= max) ?? 31;
  const out: { t: number; label: string }[] = [];
  for (let t = Math.ceil(from / DAY) * DAY; t <= to && out.length < 40; t += step * DAY) {
    const d = new Date(t);
    out.push({ t, label: out.length === 0 ? ymd(t) : `${d.getUTCMonth() + 1}/${d.getUTCDate()}` });
  }
  return out;
}

/** [min, max] of a non-empty list (no spread: lists may be long) */
function extent(values: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

type TPlotted = { t: number; value: number; flag: TLabFlag; date: string };

/** a path through points, coordinates to 0.1 */
const polygon = (pts: [number, number][]) => `${pts.map(([px, py], i) => `${i === 0 ? "M" : "L"}${Math.round(px * 10) / 10} ${Math.round(py * 10) / 10}`).join("")}Z`;

function Marker({ x, y, flag, color, r }: { x: number; y: number; flag: TLabFlag; color: string; r: number }) {
  if (flag === "H" || flag === "HH") {
    const s = flag === "HH" ? 7 : 5.5;
    return <path d={polygon([[x, y - s], [x + s, y + s * 0.75], [x - s, y + s * 0.75]])} fill={HIGH_COLOR} stroke={flag === "HH" ? "#7f1d1d" : "white"} strokeWidth={1.2} />;
  }
  if (flag === "L" || flag === "LL") {
    const s = flag === "LL" ? 7 : 5.5;
    return <path d={polygon([[x, y + s], [x + s, y - s * 0.75], [x - s, y - s * 0.75]])} fill={LOW_COLOR} stroke={flag === "LL" ? "#1e3a8a" : "white"} strokeWidth={1.2} />;
  }
  if (flag === "A") return <path d={polygon([[x, y - 5.5], [x + 5.5, y], [x, y + 5.5], [x - 5.5, y]])} fill={OTHER_COLOR} stroke="white" strokeWidth={1.2} />;
  return <circle cx={x} cy={y} r={r} fill={color} stroke="white" strokeWidth={r > 2 ? 1 : 0} />;
}

function LegendMarker({ flag, color }: { flag: TLabFlag; color?: string }) {
  return (
    <svg width="14" height="14" viewBox="-7 -7 14 14" aria-hidden className="shrink-0">
      {color && flag === null && <line x1={-7} x2={7} y1={0} y2={0} stroke={color} strokeWidth={2} />}
      <Marker x={0} y={0} flag={flag} color={color ?? "#334155"} r={3.5} />
    </svg>
  );
}

function summary(w: TWords, p: TTrendChartProps, all: TPlotted[], first: number, last: number): string {
  const unit = p.unit ? ` ${p.unit}` : "";
  const [min, max] = extent(all.map((x) => x.value));
  const latest = all.reduce((a, b) => (b.t >= a.t ? b : a));
  const highs = all.filter((x) => x.flag === "H" || x.flag === "HH").length;
  const lows = all.filter((x) => x.flag === "L" || x.flag === "LL").length;
  const others = all.filter((x) => x.flag === "A").length;
  const range = p.low != null || p.high != null ? `${p.low != null ? formatValue(p.low) : ""}–${p.high != null ? formatValue(p.high) : ""}${unit}` : null;
  return [
    `${p.title ?? w.chart}: ${p.series.map((s) => s.label).join(", ")}`,
    `${ymd(first)}–${ymd(last)}`,
    fill(w.points, { n: all.length }),
    `${formatValue(min)}–${formatValue(max)}${unit}`,
    fill(w.latest, { value: `${formatValue(latest.value)}${unit}`, date: ymd(latest.t) }),
    range && fill(w.range, { range }),
    highs > 0 && fill(w.high, { n: highs }),
    lows > 0 && fill(w.low, { n: lows }),
    others > 0 && fill(w.abnormal, { n: others }),
  ]
    .filter(Boolean)
    .join(w.separator);
}

/** A trend of one lab item across facilities: see the file comment. */
export function TrendChart(props: TTrendChartProps) {
  const { unit, low = null, high = null, title, height = 240 } = props;
  const width = Math.max(240, props.width ?? 640);
  const w = WORDS[props.locale ?? "ja"];
  const series = props.series.map((s) => ({
    ...s,
    points: s.points
      .map((p) => ({ t: dayOf(p.date), value: p.value, flag: p.flag ?? null, date: p.date }))
      .filter((p): p is TPlotted => p.t !== null && typeof p.value === "number" && Number.isFinite(p.value))
      .sort((a, b) => a.t - b.t),
  }));
  const all = series.flatMap((s) => s.points);
  if (all.length === 0)
    return (
      <figure className="rounded border border-slate-200 p-3 text-sm text-slate-600">
        {title && <figcaption className="mb-1 font-medium text-slate-800">{title}</figcaption>}
        <p>{w.noData}</p>
      </figure>
    );

  // x: the dates, with a margin; a single day gets a month either side
  let [first, last] = extent(all.map((p) => p.t));
  const dataFirst = first;
  const dataLast = last;
  if (last - first < DAY) {
    first -= 30 * DAY;
    last += 30 * DAY;
  } else {
    const m = (last - first) * 0.03;
    first -= m;
    last += m;
  }
  // y: the values and the reference limits
  const limits = [low, high].filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const [lo, hi] = extent([...all.map((p) => p.value), ...limits]);
  const { ticks, step } = niceTicks(lo, hi, height < 180 ? 3 : 5);
  const yMin = ticks[0]!;
  const yMax = ticks[ticks.length - 1]!;
  const decimals = decimalsOf(step);

  const plotW = width - PAD.left - PAD.right;
  const plotH = Math.max(60, height - PAD.top - PAD.bottom);
  const round = (v: number) => Math.round(v * 10) / 10;
  const x = (t: number) => round(PAD.left + ((t - first) / (last - first)) * plotW);
  const y = (v: number) => round(PAD.top + (1 - (v - yMin) / (yMax - yMin)) * plotH);
  const bottom = PAD.top + plotH;
  const hasLow = typeof low === "number" && Number.isFinite(low);
  const hasHigh = typeof high === "number" && Number.isFinite(high);
  const bandTop = hasHigh ? y(high) : PAD.top;
  const bandBottom = hasLow ? y(low) : bottom;
  const flags = new Set(all.map((p) => p.flag));
  const unitText = unit ? ` ${unit}` : "";

  return (
    <figure className="w-full">
      {title && <figcaption className="mb-1 text-sm font-medium text-slate-800">{title}{unit ? <span className="ml-1 font-normal text-slate-500">({unit})</span> : null}</figcaption>}
      <svg viewBox={`0 0 ${width} ${PAD.top + plotH + PAD.bottom}`} width="100%" role="img" aria-label={summary(w, props, all, dataFirst, dataLast)} className="block h-auto max-w-full select-none text-slate-500">
        {(hasLow || hasHigh) && (
          <g>
            <rect x={PAD.left} y={bandTop} width={plotW} height={Math.max(0, bandBottom - bandTop)} fill="#10b981" fillOpacity={0.1} />
            {hasHigh && <line x1={PAD.left} x2={PAD.left + plotW} y1={bandTop} y2={bandTop} stroke="#059669" strokeDasharray="4 3" strokeWidth={1} />}
            {hasLow && <line x1={PAD.left} x2={PAD.left + plotW} y1={bandBottom} y2={bandBottom} stroke="#059669" strokeDasharray="4 3" strokeWidth={1} />}
          </g>
        )}
        <g fontSize={11} fill="currentColor">
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={PAD.left + plotW} y1={y(v)} y2={y(v)} stroke="#e2e8f0" strokeWidth={1} />
              <text x={PAD.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
                {v.toFixed(decimals)}
              </text>
            </g>
          ))}
          {(dataLast - dataFirst < DAY ? [{ t: dataFirst, label: ymd(dataFirst) }] : dateTicks(first, last, Math.max(2, Math.floor(plotW / 80)))).map(({ t, label }) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={bottom} y2={bottom + 4} stroke="#94a3b8" />
              <text x={x(t)} y={bottom + 16} textAnchor="middle">
                {label}
              </text>
            </g>
          ))}
          {unit && (
            <text x={PAD.left - 6} y={PAD.top - 10} textAnchor="end" fontSize={10}>
              {unit}
            </text>
          )}
        </g>
        <line x1={PAD.left} x2={PAD.left + plotW} y1={bottom} y2={bottom} stroke="#94a3b8" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={bottom} stroke="#94a3b8" />
        {series.map((s, si) => {
          const dense = s.points.length > MARKER_LIMIT;
          const r = s.points.length > 120 ? 2 : 3.5;
          return (
            <g key={si}>
              {s.points.length > 1 && (
                <path
                  d={s.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.t)} ${y(p.value)}`).join("")}
                  fill="none"
                  stroke={s.color}
                  strokeWidth={dense ? 1.2 : 2}
                  strokeLinejoin="round"
                />
              )}
              {s.points.map((p, i) =>
                dense && p.flag === null ? null : (
                  <g key={i}>
                    <title>{`${ymd(p.t)}  ${formatValue(p.value)}${unitText}${p.flag ? ` (${p.flag})` : ""}  ${s.label}`}</title>
                    <Marker x={x(p.t)} y={y(p.value)} flag={p.flag} color={s.color} r={r} />
                  </g>
                ),
              )}
            </g>
          );
        })}
      </svg>
      <ul className="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
        {props.series.map((s, i) => (
          <li key={i} className="flex items-center gap-1">
            <LegendMarker flag={null} color={s.color} />
            {s.label}
          </li>
        ))}
        {(flags.has("H") || flags.has("HH")) && (
          <li className="flex items-center gap-1">
            <LegendMarker flag="H" />
            {w.legendHigh}
          </li>
        )}
        {(flags.has("L") || flags.has("LL")) && (
          <li className="flex items-center gap-1">
            <LegendMarker flag="L" />
            {w.legendLow}
          </li>
        )}
        {flags.has("A") && (
          <li className="flex items-center gap-1">
            <LegendMarker flag="A" />
            {w.legendOther}
          </li>
        )}
        {(hasLow || hasHigh) && (
          <li className="flex items-center gap-1">
            <span aria-hidden className="inline-block h-3 w-4 border-y border-dashed border-emerald-600 bg-emerald-500/10" />
            {w.legendBand}
            {` ${hasLow ? formatValue(low) : ""}–${hasHigh ? formatValue(high) : ""}`}
          </li>
        )}
      </ul>
    </figure>
  );
}
