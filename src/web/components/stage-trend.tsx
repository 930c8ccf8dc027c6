import type { StageTrend, StageTrendResult } from '../../journeys/index.js';
import type { Params } from '../api.js';
import { fmtCount, fmtDate, fmtInterval, fmtNumber, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { filterParams, findOp, useApp, useOp } from '../state.js';
import { Chart, intervalBand } from './chart.js';
import { Async, Panel } from './ui.js';

const CONVERSION = '#2563eb';
const SENTIMENT = '#7c3aed';
const month = (m: string) => m.slice(0, 7);

/** The dated changes, numbered as the charts mark them. */
function eventLabel(i: number): string {
  return `${i + 1}`;
}

function StageChart(props: { s: StageTrend; r: StageTrendResult; last: boolean }) {
  const { s, r } = props;
  const x = r.months.map(month);
  const pts = s.points;
  const conv = (f: (v: NonNullable<(typeof pts)[number]['conversion']>) => number | null) =>
    pts.map((p) => (p.conversion && p.conversion.n > 0 ? f(p.conversion) : null));
  const sent = (f: (v: (typeof pts)[number]['sentiment']) => number | null) =>
    pts.map((p) => (p.sentiment.n > 0 ? f(p.sentiment) : null));
  const pct = (v: number | null) => (v === null ? null : Math.round(1000 * v) / 10);
  const rows = pts.map((p) => ({
    month: month(p.month),
    people: p.people,
    conversion: p.conversion?.value ?? null,
    conversionLow: p.conversion?.low ?? null,
    conversionHigh: p.conversion?.high ?? null,
    conversionN: p.conversion?.n ?? null,
    inProgress: p.inProgress,
    sentiment: p.sentiment.value,
    sentimentLow: p.sentiment.low,
    sentimentHigh: p.sentiment.high,
    comments: p.sentiment.n,
  }));
  // one dashed line per month holding dated changes, labelled with their numbers ("3, 4")
  const byMonth = new Map<string, string[]>();
  r.events.forEach((e, i) => {
    byMonth.set(month(e.at), [...(byMonth.get(month(e.at)) ?? []), eventLabel(i)]);
  });
  const marks = [...byMonth].map(([m, labels]) => ({
    xAxis: m,
    label: { formatter: labels.join(', '), position: 'end' },
  }));
  // the sentiment's band on the right axis, stacked apart from the conversion's
  const sentimentBand = intervalBand(
    sent((f) => f.low),
    sent((f) => (f.low === null || f.high === null ? null : f.high - f.low)),
    SENTIMENT,
    0.12,
  ).map((x) => ({ ...x, stack: 'ci-sentiment', yAxisIndex: 1 }));
  const nothing = props.last && pts.every((p) => p.sentiment.n === 0);
  return (
    <div class="stage-trend" data-testid="stage-trend-stage" data-stage={s.stage} data-points={pts.length}>
      <h4>
        {s.position}. {s.stage}
      </h4>
      {nothing ? (
        <p class="empty">The last stage converts to nothing, and none of its comments has a sentiment yet.</p>
      ) : (
        <Chart
          title={`${s.stage} by month`}
          height={200}
          rows={rows}
          option={{
            // no legend: the panel says blue = conversion (left axis, %), purple = sentiment (right axis)
            grid: { left: 40, right: 40, top: 18, bottom: 24 },
            tooltip: {
              trigger: 'axis',
              formatter: (ps: { dataIndex: number }[]) => {
                const p = pts[ps[0]?.dataIndex ?? 0]!;
                const c = p.conversion;
                const conv =
                  c === null
                    ? 'last stage: no conversion'
                    : c.value === null
                      ? 'conversion –'
                      : `conversion ${fmtPercent(c.value)} (${fmtInterval(c.low, c.high, (v) => fmtPercent(v))}) of ${fmtCount(c.n)}${p.inProgress ? `, ${fmtCount(p.inProgress)} still in their window` : ''}`;
                const f = p.sentiment;
                const se =
                  f.value === null
                    ? 'no comment with a sentiment'
                    : `sentiment ${fmtNumber(f.value, 0)} (${fmtInterval(f.low, f.high, (v) => fmtNumber(v, 0))}) of ${fmtCount(f.n)} comments${f.smallSample ? ' · small sample' : ''}`;
                const ev = r.events
                  .map((e, i) => ({ e, i }))
                  .filter(({ e }) => month(e.at) === month(p.month))
                  .map(({ e, i }) => `${eventLabel(i)}: ${e.kind} ${e.name} (${fmtDate(e.at)})`);
                return tipHtml`${month(p.month)} · ${fmtCount(p.people)} people<br/>${conv}<br/>${se}${ev.length ? `<br/>${ev.join('<br/>')}` : ''}`;
              },
            },
            xAxis: { type: 'category', data: x, boundaryGap: false, axisLabel: { fontSize: 10 } },
            yAxis: [
              { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %', fontSize: 10 } },
              { type: 'value', min: -100, max: 100, splitLine: { show: false }, axisLabel: { fontSize: 10 } },
            ],
            series: [
              ...(props.last
                ? []
                : [
                    ...intervalBand(
                      conv((c) => pct(c.low)),
                      conv((c) => (c.low === null || c.high === null ? null : pct(c.high - c.low))),
                      CONVERSION,
                    ),
                    {
                      type: 'line',
                      name: 'Conversion %',
                      data: conv((c) => pct(c.value)),
                      color: CONVERSION,
                      lineStyle: { width: 2 },
                      connectNulls: false,
                      markLine: {
                        symbol: 'none',
                        silent: true,
                        lineStyle: { type: 'dashed', color: '#b45309' },
                        data: marks,
                      },
                    },
                  ]),
              ...sentimentBand,
              {
                type: 'line',
                name: 'Sentiment',
                yAxisIndex: 1,
                data: sent((f) => f.value),
                color: SENTIMENT,
                connectNulls: false,
                // a small sample is drawn hollow, so a noisy month does not read as a step
                symbol: 'circle',
                symbolSize: 6,
                itemStyle: { color: SENTIMENT },
                ...(props.last
                  ? {
                      markLine: {
                        symbol: 'none',
                        silent: true,
                        lineStyle: { type: 'dashed', color: '#b45309' },
                        data: marks,
                      },
                    }
                  : {}),
              },
              {
                type: 'scatter',
                name: 'Sentiment (small sample)',
                yAxisIndex: 1,
                data: pts.map((p, i) =>
                  p.sentiment.n > 0 && p.sentiment.smallSample ? [i, p.sentiment.value] : null,
                ),
                symbol: 'emptyCircle',
                symbolSize: 8,
                color: SENTIMENT,
                silent: true,
              },
            ],
          }}
        />
      )}
    </div>
  );
}

/**
 * How each stage moved month by month (`journey stage-trend`): conversion to the next stage (the
 * map's definition) and the net sentiment of comments, each with its 95 % band, on complete months
 * only, with the experiments and policies dated in the span marked (numbered dashed lines, listed
 * below the charts).
 */
export function StageTrendPanel(props: { filters: Readonly<Record<string, string>>; enabled: boolean }) {
  const { ops } = useApp();
  const op = findOp(ops, 'journey', 'stage-trend');
  const params: Params = filterParams(op, props.filters);
  const state = useOp('journey.stage-trend', params, !!op && props.enabled);
  if (!op) return null;
  return (
    <Panel
      title="Stages over time"
      subtitle="Per complete month: conversion to the next stage (blue, left axis, %) and net sentiment of comments (purple, right axis, −100…100); shaded: 95 % interval; dashed and numbered: the dated changes listed below"
      wide
    >
      <Async state={state} what="the stages over time">
        {(r) =>
          r.months.length === 0 ? (
            <p class="empty">No complete month of data yet.</p>
          ) : (
            <div data-testid="stage-trend" data-months={r.months.length}>
              <p class="muted small">
                {r.months.length} complete months, {month(r.months[0]!)} to {month(r.months.at(-1)!)} (the
                month the data starts inside and the running month are left out). Conversion counts each
                person once per stage and month, over those whose {r.windowDays}-day window had passed or who
                went on; hollow: a sentiment of few comments.
                {r.stages.every((st) => st.points.every((x) => x.sentiment.n === 0)) &&
                  ' No comment has a sentiment yet: run the theme analysis (Voice page).'}
              </p>
              <div class="stage-trend-grid">
                {r.stages.map((s, i) => (
                  <StageChart key={s.stage} s={s} r={r} last={i === r.stages.length - 1} />
                ))}
              </div>
              {r.events.length > 0 ? (
                <ol class="dated-events" data-testid="dated-events">
                  {r.events.map((e, i) => (
                    <li key={`${e.kind}-${e.id}-${e.at}`} value={i + 1}>
                      <strong>{fmtDate(e.at)}</strong> · {e.kind}: {e.name}
                      {e.touchpoints.length > 0 && <span class="muted"> ({e.touchpoints.join(', ')})</span>}
                    </li>
                  ))}
                </ol>
              ) : (
                <p class="muted small">No experiment or policy is dated in this span.</p>
              )}
            </div>
          )
        }
      </Async>
    </Panel>
  );
}
