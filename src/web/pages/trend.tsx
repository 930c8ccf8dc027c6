import type { OperationInfo } from '../api.js';
import { Chart, intervalBand } from '../components/chart.js';
import { Loading, Panel } from '../components/ui.js';
import { fmtDate, fmtInterval, fmtNumber } from '../format.js';
import { tipHtml } from '../html.js';
import { isCompletePeriod } from '../periods.js';
import { filterParams, findOp, getFirstData, getLatestData, useOp } from '../state.js';

/** One point of a score over time, as every trend operation is read. */
export interface TrendPoint {
  readonly kind: string;
  readonly period: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number | null;
  /** Too few answers or too wide an interval to read (feedback's rule): drawn apart, never on the line. */
  readonly smallSample: boolean;
}

/** NPS, CSAT and CES by week (or month) from `feedback scores`, when the feedback capability exists. */
export function useTrend(
  ops: readonly OperationInfo[],
  filters: Record<string, string>,
  grain: 'week' | 'month',
  /** False holds the calls back (e.g. until the page's main content is drawn). */
  ready = true,
) {
  const op = findOp(ops, 'feedback', 'scores');
  const base = filterParams(op, filters);
  const nps = useOp('feedback.scores', { ...base, kind: 'nps', by: grain }, !!op && ready);
  const csat = useOp('feedback.scores', { ...base, kind: 'csat', by: grain }, !!op && ready);
  const ces = useOp('feedback.scores', { ...base, kind: 'ces', by: grain }, !!op && ready);
  if (!op) return null;
  const all = [nps, csat, ces];
  const done = all.every((s) => s.data);
  const first = getFirstData();
  const latest = getLatestData();
  // complete periods only: the running week (month) and the one the data starts inside are left out
  const data = done
    ? all.flatMap((s) =>
        s
          .data!.rows.filter((r) => isCompletePeriod(r.group, grain, first, latest))
          .map(
            (r): TrendPoint => ({
              kind: s.data!.kind,
              period: r.group,
              value: r.value,
              low: r.low,
              high: r.high,
              n: r.n,
              smallSample: r.smallSample,
            }),
          ),
      )
    : undefined;
  return {
    data,
    grain,
    error: all.find((s) => s.error)?.error,
    loading: !ready || all.some((s) => s.loading),
    reload: () => {
      for (const s of all) s.reload();
    },
  };
}

const COLORS: Record<string, string> = { nps: '#2563eb', csat: '#059669', ces: '#d97706' };

/** Scores over time, each with its 95 % interval drawn as a band. */
export function TrendSection(props: { trend: NonNullable<ReturnType<typeof useTrend>>; title: string }) {
  const points = props.trend.data ?? [];
  const kinds = [...new Set(points.map((p) => p.kind))];
  return (
    <Panel
      title={props.title}
      subtitle={`Complete ${props.trend.grain === 'week' ? 'weeks' : 'months'} only. Shaded: 95 % interval of well-measured points; hollow grey points: small samples, left off the line`}
      wide
    >
      {props.trend.error ? (
        <p class="error">{props.trend.error.message}</p>
      ) : points.length === 0 ? (
        props.trend.loading ? (
          <Loading what="scores over time" />
        ) : (
          <p class="empty">No scores in this period.</p>
        )
      ) : (
        <div class="grid">
          {kinds.map((kind) => {
            const s = points.filter((p) => p.kind === kind).sort((a, b) => (a.period < b.period ? -1 : 1));
            // a small sample never drags the line (an NPS of −100 from two answers): off the line and the band
            const ok = (p: TrendPoint, v: number | null) => (p.smallSample ? null : v);
            // the axis spans the well-measured bands; a small sample outside it is clipped, not drawn to scale
            const good = s.filter((p) => !p.smallSample && p.low !== null && p.high !== null);
            const yLo = good.length ? Math.min(...good.map((p) => p.low!)) : undefined;
            const yHi = good.length ? Math.max(...good.map((p) => p.high!)) : undefined;
            // round outward to a readable step (5 points on NPS/CSAT, 0.1–0.5 on CES)
            const step = (lo: number, hi: number) => {
              const r = Math.max(hi - lo, 0.1);
              const p10 = 10 ** Math.floor(Math.log10(r));
              return r / p10 >= 5 ? p10 : p10 / 2;
            };
            const yRange =
              yLo !== undefined && yHi !== undefined
                ? {
                    min: Number((Math.floor(yLo / step(yLo, yHi)) * step(yLo, yHi)).toFixed(6)),
                    max: Number((Math.ceil(yHi / step(yLo, yHi)) * step(yLo, yHi)).toFixed(6)),
                  }
                : { scale: true };
            const x = s.map((p) => fmtDate(p.period));
            const color = COLORS[kind.toLowerCase()] ?? '#6366f1';
            return (
              <Chart
                key={kind}
                title={`${kind.toUpperCase()} over time`}
                height={220}
                rows={s.map((p) => ({
                  period: p.period,
                  value: p.value,
                  low: p.low,
                  high: p.high,
                  n: p.n,
                  smallSample: p.smallSample,
                }))}
                option={{
                  title: { text: kind.toUpperCase(), textStyle: { fontSize: 13 } },
                  grid: { left: 50, right: 20, top: 35, bottom: 30 },
                  tooltip: {
                    trigger: 'axis',
                    formatter: (ps: { dataIndex: number }[]) => {
                      const p = s[ps[0]?.dataIndex ?? 0]!;
                      return tipHtml`${fmtDate(p.period)}<br/>${kind.toUpperCase()} ${fmtNumber(p.value, 1)} (${fmtInterval(p.low, p.high)})<br/>n = ${fmtNumber(p.n, 0)}${p.smallSample ? ' · small sample' : ''}`;
                    },
                  },
                  xAxis: { type: 'category', data: x, boundaryGap: false },
                  yAxis: { type: 'value', ...yRange },
                  series: [
                    ...intervalBand(
                      s.map((p) => ok(p, p.low)),
                      s.map((p) => ok(p, p.high !== null && p.low !== null ? p.high - p.low : null)),
                      color,
                      0.18,
                    ),
                    {
                      type: 'line',
                      name: kind,
                      data: s.map((p) => ok(p, p.value)),
                      color,
                      symbolSize: 4,
                      connectNulls: true,
                    },
                    {
                      type: 'scatter',
                      name: `${kind} (small sample)`,
                      data: s.map((p) => (p.smallSample ? p.value : null)),
                      itemStyle: { color: 'transparent', borderColor: '#8a93a3', borderWidth: 1 },
                      symbolSize: 6,
                    },
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
