import { useState } from 'preact/hooks';
import type { StoredFinding } from '../../findings/index.js';
import type { LifecycleResult, RetentionResult, ScoreResult, SurvivalResult } from '../../health/index.js';
import { ApiError, postOp } from '../api.js';
import type { PageProps } from '../app.js';
import { canWrite } from '../components/analysis.js';
import { Chart, percentHeatmap } from '../components/chart.js';
import { DataTable } from '../components/table.js';
import { Async, ErrorBox, PageHead, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtInterval, fmtMoney, fmtNumber, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { findOp, useApp, useOp } from '../state.js';
import { ChurnQualityPanel } from './health-model.js';

const STAGE_COLORS: Record<string, string> = {
  onboarding: '#60a5fa',
  active: '#16a34a',
  'at risk': '#f59e0b',
  dormant: '#94a3b8',
  'won back': '#8b5cf6',
  churned: '#dc2626',
};
/** Time in stage at monthly resolution (docs/health.md §Life cycle): 0 = entered since the last month start. */
const inStage = (days: number | null) =>
  days === null
    ? ''
    : days === 0
      ? 'median: entered this month'
      : `median ${fmtNumber(days, 0)} days in stage`;
const GROUP_COLORS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2'];

/**
 * Health (docs/health.md): the life cycle (stages at each month start, where customers are now),
 * survival by segment with its bands, findings by the revenue they put at risk, and the customers
 * with the lowest health score — with the score's own backtested AUC beside it.
 */
export function HealthPage(_props: PageProps) {
  const life = useOp<LifecycleResult>('health', 'lifecycle', {});
  const survival = useOp<SurvivalResult>('health', 'survival', { by: 'segment', unit: 'month' });
  const findings = useOp<{ findings: StoredFinding[] }>('findings', 'list', { limit: 2000 });
  const score = useOp<ScoreResult>('health', 'score', { limit: 20 });
  const retention = useOp<RetentionResult>('health', 'retention', {});
  const { ops, session } = useApp();
  const canCompute = Boolean(findOp(ops, 'health', 'business-case')) && canWrite(session?.role);
  const [running, setRunning] = useState(false);
  const [runError, setRunError] = useState<ApiError | null>(null);
  const compute = async () => {
    setRunning(true);
    setRunError(null);
    try {
      await postOp('health', 'business-case', {});
      findings.reload();
    } catch (e) {
      setRunError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setRunning(false);
    }
  };
  return (
    <div class="page">
      <PageHead title="Health" uses={[]} />
      <Panel
        primary
        wide
        title="Life cycle"
        subtitle="Each customer's stage at the start of every month, from the life-cycle rules (touchpoint health lifecycle --print-rules)."
      >
        <Async state={life} what="life cycle">
          {(d) => (
            <div>
              <div class="stats">
                {d.stages.map((s) => (
                  <Stat
                    key={s.stage}
                    label={s.stage}
                    value={fmtCount(s.customers)}
                    detail={`${fmtPercent(s.share)} · ${inStage(d.timeInStage.find((t) => t.stage === s.stage)?.medianDays ?? null)}`}
                  />
                ))}
              </div>
              <Chart
                title="Customers by life-cycle stage, month by month"
                height={280}
                rows={d.snapshots.map((s) => ({ at: s.at, ...s.counts }))}
                option={{
                  grid: { left: 60, right: 20, top: 40, bottom: 30 },
                  legend: { top: 0 },
                  tooltip: { trigger: 'axis' },
                  xAxis: { type: 'category', data: d.snapshots.map((s) => fmtDate(s.at)) },
                  yAxis: { type: 'value', name: 'customers' },
                  series: d.stages.map((s) => ({
                    type: 'bar',
                    stack: 'stages',
                    name: s.stage,
                    color: STAGE_COLORS[s.stage],
                    data: d.snapshots.map((x) => x.counts[s.stage]),
                  })),
                }}
              />
            </div>
          )}
        </Async>
      </Panel>
      <div class="grid">
        <Panel
          title="Survival by segment"
          subtitle="Kaplan–Meier share still a customer, months after signup, with the 95% log-log band; customers still here are censored."
        >
          <Async state={survival} what="survival">
            {(d) => (
              <Chart
                title="Survival by segment"
                height={300}
                rows={d.groups.flatMap((g) =>
                  g.curve.map((p) => ({
                    group: g.group,
                    month: p.time,
                    survival: p.survival,
                    low: p.low,
                    high: p.high,
                    atRisk: p.atRisk,
                  })),
                )}
                option={{
                  grid: { left: 50, right: 20, top: 40, bottom: 30 },
                  legend: { top: 0, data: d.groups.map((g) => g.group) },
                  tooltip: { trigger: 'axis' },
                  xAxis: { type: 'value', name: 'months', min: 0 },
                  yAxis: { type: 'value', min: 0, max: 1 },
                  series: d.groups.flatMap((g, i) => {
                    const color = GROUP_COLORS[i % GROUP_COLORS.length];
                    return [
                      {
                        type: 'line',
                        stack: `band-${i}`,
                        data: g.curve.map((p) => [p.time, p.low]),
                        lineStyle: { opacity: 0 },
                        symbol: 'none',
                        step: 'end',
                        silent: true,
                      },
                      {
                        type: 'line',
                        stack: `band-${i}`,
                        data: g.curve.map((p) => [p.time, p.high - p.low]),
                        lineStyle: { opacity: 0 },
                        areaStyle: { color, opacity: 0.15 },
                        symbol: 'none',
                        step: 'end',
                        silent: true,
                      },
                      {
                        type: 'line',
                        name: g.group,
                        color,
                        step: 'end',
                        symbol: 'none',
                        data: g.curve.map((p) => [p.time, p.survival]),
                      },
                    ];
                  }),
                }}
              />
            )}
          </Async>
        </Panel>
        <Panel
          title="At risk: lowest health score"
          subtitle="The weighted health score (touchpoint health score) with its own backtest: AUC on churn in the following months."
        >
          <Async state={score} what="health score">
            {(d) => (
              <div>
                <div class="stats">
                  <Stat
                    label="score AUC (backtest)"
                    value={fmtNumber(d.backtest.auc.value, 3)}
                    detail={`[${fmtNumber(d.backtest.auc.low, 3)}, ${fmtNumber(d.backtest.auc.high, 3)}] · ${fmtCount(d.backtest.customers)} customers`}
                    tone={d.backtest.auc.high < 0.5 ? 'bad' : ''}
                  />
                  <Stat
                    label="fitted model AUC"
                    value={fmtNumber(d.backtest.modelAuc.value, 3)}
                    detail={`[${fmtNumber(d.backtest.modelAuc.low, 3)}, ${fmtNumber(d.backtest.modelAuc.high, 3)}]`}
                  />
                  <Stat label="red" value={fmtCount(d.bands.red)} detail="score below 40" />
                </div>
                {d.backtest.auc.high < 0.5 && (
                  <p class="muted">
                    This score ranks the customers who churned as healthier than those who stayed: its weights
                    point the wrong way for this data.
                  </p>
                )}
                <DataTable
                  title="Lowest health scores"
                  rows={d.lowest.map((x) => ({
                    customer: x.customer,
                    score: Math.round(x.score * 10) / 10,
                    band: x.band,
                    weakest: Object.entries(x.components).sort((a, b) => a[1] - b[1])[0]?.[0] ?? '',
                  }))}
                  empty="No customers here."
                />
              </div>
            )}
          </Async>
        </Panel>
      </div>
      <Panel
        wide
        title="Retention by signup month"
        subtitle="Share of each signup cohort still a customer m months after signing up, among those observable that long (Wilson 95% interval in the tooltip); '–' where nobody is observable yet."
      >
        <Async state={retention} what="retention">
          {(d) => {
            const months = d.months;
            const cells = d.cohorts.flatMap((c, y) =>
              c.retained.map(
                (r, m) =>
                  [m, y, r?.value === null || r === null ? null : Math.round(100 * r.value!)] as [
                    number,
                    number,
                    number | null,
                  ],
              ),
            );
            return (
              <Chart
                title="Retention by signup month"
                height={Math.max(220, 40 + 26 * d.cohorts.length)}
                rows={d.cohorts.flatMap((c) =>
                  c.retained.map((r, m) => ({
                    cohort: c.cohort,
                    month: m + 1,
                    retained: r?.value ?? null,
                    low: r?.low ?? null,
                    high: r?.high ?? null,
                    n: r?.n ?? 0,
                  })),
                )}
                option={{
                  tooltip: {
                    formatter: (p: { data: [number, number, number | null] }) => {
                      const c = d.cohorts[p.data[1]]!;
                      const r = c.retained[p.data[0]];
                      return r
                        ? tipHtml`${c.cohort}, month ${p.data[0] + 1}<br/>${fmtPercent(r.value)} (${fmtInterval(r.low, r.high, (v) => fmtPercent(v))}), n = ${fmtCount(r.n)}`
                        : tipHtml`${c.cohort}, month ${p.data[0] + 1}: not observable yet`;
                    },
                  },
                  grid: { left: 80, right: 20, top: 10, bottom: 60 },
                  xAxis: {
                    type: 'category',
                    data: Array.from({ length: months }, (_, i) => `month ${i + 1}`),
                  },
                  yAxis: { type: 'category', data: d.cohorts.map((c) => c.cohort), inverse: true },
                  ...percentHeatmap(cells),
                }}
              />
            );
          }}
        </Async>
      </Panel>
      <Panel
        wide
        title="Findings by revenue at risk"
        subtitle="A year's revenue at risk = customers affected × excess churn against comparable customers × annual value, 95% bootstrap interval (touchpoint health business-case)."
        actions={
          canCompute && (
            <button type="button" class="btn small" onClick={compute} disabled={running}>
              {running ? 'Computing…' : 'Compute the business case'}
            </button>
          )
        }
      >
        {runError && <ErrorBox error={runError} retry={compute} />}
        <Async state={findings} what="findings">
          {(d) => (
            <DataTable
              title="Findings by revenue at risk"
              rows={[...d.findings]
                .filter((f) => f.revenueAtRisk !== null && f.revenueAtRisk !== undefined)
                .sort((a, b) => (b.revenueAtRisk ?? 0) - (a.revenueAtRisk ?? 0))
                .map((f) => ({
                  finding: f.title,
                  analysis: f.analysis,
                  'revenue at risk / yr': fmtMoney(f.revenueAtRisk),
                  '95% interval': `${fmtMoney(f.revenueAtRiskLow)} – ${fmtMoney(f.revenueAtRiskHigh)}`,
                  'cost to serve / yr': f.costToServe === null ? '–' : fmtMoney(f.costToServe),
                }))}
              empty="No business case yet: run touchpoint health business-case after the analyses."
            />
          )}
        </Async>
      </Panel>
      <ChurnQualityPanel />
    </div>
  );
}
