import type { OperationInfo } from '../api.js';
import { Chart } from '../components/chart.js';
import { Panel } from '../components/ui.js';
import { fmtDate, fmtInterval, fmtNumber } from '../format.js';
import { filterParams, useOp } from '../state.js';

/** One point of a score over time, as every trend operation is read. */
export interface TrendPoint {
  readonly kind: string;
  readonly period: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Reads the points of a trend result: any list of rows carrying a period, a value and its interval. */
export function trendPoints(result: unknown): TrendPoint[] {
  const out: TrendPoint[] = [];
  const visit = (v: unknown, kind?: string) => {
    if (Array.isArray(v)) {
      for (const r of v) {
        if (r && typeof r === 'object' && !Array.isArray(r)) {
          const o = r as Record<string, unknown>;
          const period =
            str(o.period) ?? str(o.week) ?? str(o.month) ?? str(o.date) ?? str(o.bucket) ?? str(o.ts);
          const value = num(o.value) ?? num(o.score) ?? num(o.nps) ?? num(o.mean);
          const k = str(o.kind) ?? str(o.metric) ?? kind;
          if (period && k && (value !== null || o.value === null)) {
            out.push({
              kind: k,
              period,
              value,
              low: num(o.low) ?? num(o.ciLow) ?? num(o.ci_low),
              high: num(o.high) ?? num(o.ciHigh) ?? num(o.ci_high),
              n: num(o.n),
            });
          } else visit(Object.values(o).find(Array.isArray), k);
        }
      }
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v))
        if (Array.isArray(x) || (x && typeof x === 'object')) visit(x, kind ?? k);
    }
  };
  visit(result);
  return out;
}

/** The feedback capability's score trend, when it exists. */
export function useTrend(
  ops: readonly OperationInfo[],
  filters: Record<string, string>,
  grain: 'week' | 'month',
) {
  const op = ops.find(
    (o) => (o.area === 'feedback' || o.area === 'voice') && /trend|over-time|scores/.test(o.verb),
  );
  const params = { ...filterParams(op, filters), ...(op?.fields.includes('grain') ? { grain } : {}) };
  const state = useOp<unknown>(op?.area ?? 'feedback', op?.verb ?? 'trend', params, !!op);
  if (!op) return null;
  return { ...state, data: state.data === undefined ? undefined : trendPoints(state.data) };
}

const COLORS: Record<string, string> = { nps: '#2563eb', csat: '#059669', ces: '#d97706' };

/** Scores over time, each with its 95 % interval drawn as a band. */
export function TrendSection(props: { trend: NonNullable<ReturnType<typeof useTrend>>; title: string }) {
  const points = props.trend.data ?? [];
  const kinds = [...new Set(points.map((p) => p.kind))];
  return (
    <Panel title={props.title} subtitle="Shaded: 95 % interval" wide>
      {props.trend.error ? (
        <p class="error">{props.trend.error.message}</p>
      ) : points.length === 0 ? (
        <p class="empty">{props.trend.loading ? 'Loading…' : 'No scores in this period.'}</p>
      ) : (
        <div class="grid">
          {kinds.map((kind) => {
            const s = points.filter((p) => p.kind === kind).sort((a, b) => (a.period < b.period ? -1 : 1));
            const x = s.map((p) => fmtDate(p.period));
            const color = COLORS[kind.toLowerCase()] ?? '#6366f1';
            return (
              <Chart
                key={kind}
                title={`${kind.toUpperCase()} over time`}
                height={220}
                rows={s.map((p) => ({ period: p.period, value: p.value, low: p.low, high: p.high, n: p.n }))}
                option={{
                  title: { text: kind.toUpperCase(), textStyle: { fontSize: 13 } },
                  grid: { left: 50, right: 20, top: 35, bottom: 30 },
                  tooltip: {
                    trigger: 'axis',
                    formatter: (ps: { dataIndex: number }[]) => {
                      const p = s[ps[0]?.dataIndex ?? 0]!;
                      return `${fmtDate(p.period)}<br/>${kind.toUpperCase()} ${fmtNumber(p.value, 1)} (${fmtInterval(p.low, p.high)})<br/>n = ${fmtNumber(p.n, 0)}`;
                    },
                  },
                  xAxis: { type: 'category', data: x, boundaryGap: false },
                  yAxis: { type: 'value', scale: true },
                  series: [
                    {
                      type: 'line',
                      data: s.map((p) => p.low),
                      stack: 'ci',
                      lineStyle: { opacity: 0 },
                      symbol: 'none',
                      silent: true,
                    },
                    {
                      type: 'line',
                      data: s.map((p) => (p.high !== null && p.low !== null ? p.high - p.low : null)),
                      stack: 'ci',
                      lineStyle: { opacity: 0 },
                      areaStyle: { color, opacity: 0.18 },
                      symbol: 'none',
                      silent: true,
                    },
                    { type: 'line', name: kind, data: s.map((p) => p.value), color, symbolSize: 4 },
                  ],
                }}
              />
            );
          })}
        </div>
      )}
    </Panel>
  );
}
