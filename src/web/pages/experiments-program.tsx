import { useState } from 'preact/hooks';
import type { LooksResult } from '../../experiments/looks.js';
import type { ProgramView } from '../../experiments/program.js';
import type { Remeasure } from '../../experiments/remeasure.js';
import { ApiError, postOp } from '../api.js';
import { canWrite } from '../components/analysis.js';
import { Chart } from '../components/chart.js';
import { LiftBar } from '../components/liftbar.js';
import { Async, Empty, ErrorBox, Panel, Stat } from '../components/ui.js';
import { fmtDate } from '../format.js';
import { tipHtml } from '../html.js';
import { useApp, useOp } from '../state.js';

const pct = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(1)} %` : '—');
const pv = (p: number) => (!Number.isFinite(p) ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
/** A change in a KPI's unit: points of a share, NPS points, or a number. */
const delta = (format: string, v: number) =>
  !Number.isFinite(v)
    ? '—'
    : format === 'proportion'
      ? `${v > 0 ? '+' : ''}${(100 * v).toFixed(1)} pts`
      : `${v > 0 ? '+' : ''}${Number(v.toPrecision(3))}`;

/**
 * The program view: win rate, each experiment's effect on its primary metric as measured and shrunk
 * for the winner's curse, and the cumulative shipped impact per KPI.
 */
export function ProgramPanel() {
  const state = useOp<ProgramView>('experiments', 'program', {});
  return (
    <Panel
      wide
      title="The program"
      subtitle="Across experiments: how often a change wins, how large the effects are once shrunk for the winner's curse, and what the shipped ones added to each KPI."
    >
      <Async state={state} what="the program view">
        {(p) =>
          p.effects.length === 0 ? (
            <Empty>No experiment has a measured effect yet.</Empty>
          ) : (
            <div data-testid="xp-program">
              <div class="stats">
                <Stat
                  label="Win rate"
                  value={p.winRate ? `${Math.round(100 * p.winRate.value)} %` : '—'}
                  detail={
                    p.winRate
                      ? `${p.shipped} shipped of ${p.decided} decided; 95 % interval ${Math.round(100 * p.winRate.low)}–${Math.round(100 * p.winRate.high)} %`
                      : `no decision yet (${p.experiments} experiment${p.experiments === 1 ? '' : 's'})`
                  }
                />
                <Stat
                  label="Typical effect (program mean)"
                  value={p.shrinkage.method === 'empirical-bayes' ? pct(p.shrinkage.mean) : '—'}
                  detail={
                    p.shrinkage.method === 'empirical-bayes'
                      ? `between-experiment sd ${(100 * p.shrinkage.tau).toFixed(1)} %, ${p.shrinkage.k} effects`
                      : `${p.shrinkage.k} effect${p.shrinkage.k === 1 ? '' : 's'}: too few to estimate the program's spread`
                  }
                />
                <Stat
                  label="Shrinkage"
                  value={p.shrinkage.method === 'empirical-bayes' ? 'Empirical Bayes' : 'Prior N(0, 0.3²)'}
                  detail={p.shrinkage.reference}
                />
              </div>
              <EffectsTable p={p} />
              {p.impact.length > 0 && (
                <>
                  <h3>Cumulative shipped impact</h3>
                  <p class="small muted">
                    Shrunk lift × the control's value, summed in decision order (assumes the effects add and
                    last; the re-measure checks that they did).
                  </p>
                  <div class="table-wrap scroll-x">
                    <table data-testid="xp-impact">
                      <caption class="sr-only">Cumulative shipped impact per KPI</caption>
                      <thead>
                        <tr>
                          <th scope="col">KPI</th>
                          <th scope="col">Experiment</th>
                          <th scope="col">Shipped</th>
                          <th scope="col">Impact (95 % interval)</th>
                          <th scope="col">Cumulative (95 % interval)</th>
                        </tr>
                      </thead>
                      <tbody>
                        {p.impact.flatMap((k) =>
                          k.steps.map((s) => (
                            <tr key={`${k.metric}-${s.experiment}`}>
                              <th scope="row">{k.metricName}</th>
                              <td>{s.experiment}</td>
                              <td>{fmtDate(s.decidedAt)}</td>
                              <td>
                                {delta(k.format, s.impact)} [{delta(k.format, s.low)} …{' '}
                                {delta(k.format, s.high)}]
                              </td>
                              <td>
                                {delta(k.format, s.cumulative)} [{delta(k.format, s.cumulativeLow)} …{' '}
                                {delta(k.format, s.cumulativeHigh)}]
                              </td>
                            </tr>
                          )),
                        )}
                      </tbody>
                    </table>
                  </div>
                </>
              )}
            </div>
          )
        }
      </Async>
    </Panel>
  );
}

function EffectsTable(props: { p: ProgramView }) {
  const p = props.p;
  const span = Math.max(1e-9, ...p.effects.flatMap((e) => [Math.abs(e.raw.low), Math.abs(e.raw.high)])) * 1.1;
  return (
    <div class="table-wrap scroll-x">
      <table data-testid="xp-effects">
        <caption class="sr-only">Effects on the primary metric, as measured and shrunk</caption>
        <thead>
          <tr>
            <th scope="col">Experiment</th>
            <th scope="col">Primary metric</th>
            <th scope="col">Decision</th>
            <th scope="col">Measured lift (95 %)</th>
            <th scope="col">Shrunk lift (95 %)</th>
            <th scope="col" class="num">
              Shrinkage
            </th>
          </tr>
        </thead>
        <tbody>
          {p.effects.map((e) => {
            const sig = (lo: number, hi: number): -1 | 0 | 1 => (lo > 0 ? 1 : hi < 0 ? -1 : 0);
            return (
              <tr key={`${e.experiment}-${e.arm}`} data-experiment={e.experiment}>
                <th scope="row">
                  {e.name} <span class="muted small">({e.arm})</span>
                </th>
                <td>
                  {e.metricName}{' '}
                  <span class="muted small">{e.higherIsBetter ? '' : '(lower is better)'}</span>
                </td>
                <td>{e.decision ?? e.state}</td>
                <td>
                  <div class="lift">
                    <span>
                      {pct(e.raw.value)} [{pct(e.raw.low)} … {pct(e.raw.high)}]
                    </span>
                    <LiftBar
                      low={e.raw.low}
                      high={e.raw.high}
                      value={e.raw.value}
                      span={span}
                      verdict={sig(e.raw.low, e.raw.high)}
                      label={`${e.experiment} measured lift ${pct(e.raw.value)}`}
                    />
                  </div>
                </td>
                <td>
                  <div class="lift">
                    <span>
                      {pct(e.shrunk.value)} [{pct(e.shrunk.low)} … {pct(e.shrunk.high)}]
                    </span>
                    <LiftBar
                      low={e.shrunk.low}
                      high={e.shrunk.high}
                      value={e.shrunk.value}
                      span={span}
                      verdict={sig(e.shrunk.low, e.shrunk.high)}
                      label={`${e.experiment} shrunk lift ${pct(e.shrunk.value)}`}
                    />
                  </div>
                </td>
                <td class="num">{Math.round(100 * e.shrinkage)} %</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="small muted">Lifts are relative, oriented so that positive is better.</p>
    </div>
  );
}

/** The primary metric's z at each daily look against the always-valid boundary (and the 1.96 a peeker uses). */
export function BoundaryChart(props: { id: string }) {
  const state = useOp<LooksResult>('experiments', 'boundary', { id: props.id });
  return (
    <section class="xp-metric" data-testid="xp-boundary">
      <h3>Sequential boundary over time</h3>
      <Async state={state} what="the sequential looks">
        {(r) => {
          if (r.looks.length === 0) return <Empty>No look with data in both arms yet.</Empty>;
          const rows = r.looks.map((l) => ({
            day: l.day,
            units: l.units,
            z: Number(l.z.toFixed(3)),
            boundary: Number(l.boundary.toFixed(3)),
            fixed: 1.96,
            'always-valid p': Number(l.p.toPrecision(4)),
          }));
          const hi = Math.max(3, ...r.looks.flatMap((l) => [Math.abs(l.z), Math.min(l.boundary, 12)])) * 1.1;
          return (
            <>
              <p class="small">
                {r.metricName}, {r.arm} vs control: the test statistic z at each look against the always-valid
                boundary (Howard et al. 2021, tuned for {r.tuning.toLocaleString('en-US')} units, α {r.alpha}
                ).{' '}
                {r.firstCrossing ? (
                  <strong>Crossed on {r.firstCrossing}.</strong>
                ) : (
                  'Not crossed: no decision is justified yet, however often one looks.'
                )}{' '}
                {r.firstFixedCrossing && !r.firstCrossing
                  ? `A daily peek at |z| > 1.96 would have declared a winner on ${r.firstFixedCrossing}.`
                  : ''}
              </p>
              <Chart
                title={`${r.experiment}: sequential boundary`}
                height={240}
                rows={rows}
                option={{
                  grid: { left: 44, right: 20, top: 28, bottom: 30 },
                  legend: { top: 0 },
                  tooltip: {
                    trigger: 'axis',
                    formatter: (ps: { dataIndex: number }[]) => {
                      const l = r.looks[ps[0]?.dataIndex ?? -1];
                      return l
                        ? tipHtml`${l.day}: z = ${l.z.toFixed(2)}, boundary ±${l.boundary.toFixed(2)}<br/>${l.units} units, always-valid p ${pv(l.p)}`
                        : '';
                    },
                  },
                  xAxis: { type: 'category', data: r.looks.map((l) => l.day), boundaryGap: false },
                  yAxis: { type: 'value', min: -hi, max: hi, name: 'z' },
                  series: [
                    {
                      type: 'line',
                      name: 'z (treatment − control)',
                      data: r.looks.map((l) => l.z),
                      color: '#2563eb',
                      symbolSize: 4,
                    },
                    {
                      type: 'line',
                      name: 'always-valid boundary',
                      data: r.looks.map((l) => Math.min(l.boundary, hi)),
                      color: '#b91c1c',
                      symbol: 'none',
                    },
                    {
                      type: 'line',
                      name: '−boundary',
                      data: r.looks.map((l) => -Math.min(l.boundary, hi)),
                      color: '#b91c1c',
                      symbol: 'none',
                    },
                    {
                      type: 'line',
                      name: 'fixed horizon ±1.96',
                      data: r.looks.map(() => 1.96),
                      color: '#9ca3af',
                      symbol: 'none',
                      lineStyle: { type: 'dashed' },
                      markLine: {
                        symbol: 'none',
                        silent: true,
                        label: { show: false },
                        lineStyle: { type: 'dashed', color: '#9ca3af' },
                        data: [{ yAxis: -1.96 }, { yAxis: 0 }],
                      },
                    },
                  ],
                }}
              />
            </>
          );
        }}
      </Async>
    </section>
  );
}

/**
 * A shipped experiment's re-measure, offered on its page: when it is due, and a button that measures
 * the primary metric before the experiment against after the rollout (experiments remeasure).
 */
export function RemeasureBox(props: { id: string; decidedAt: string | null }) {
  const { session } = useApp();
  const [result, setResult] = useState<Remeasure | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const due = props.decidedAt ? new Date(new Date(props.decidedAt).getTime() + 28 * 86_400_000) : null;
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await postOp<Remeasure>('experiments', 'remeasure', { id: props.id }));
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="xp-metric" data-testid="xp-remeasure">
      <h3>Did the fix work? Re-measure after the rollout</h3>
      <p class="small">
        Shipped {fmtDate(props.decidedAt)}: the primary metric in the 28 days before the experiment against
        the 28 days after the rollout{due ? ` (possible from ${fmtDate(due.toISOString())})` : ''}. A
        before/after, not randomised.
      </p>
      {canWrite(session?.role) && (
        <button type="button" class="btn small" onClick={run} disabled={busy}>
          {busy ? 'Measuring…' : 'Re-measure now'}
        </button>
      )}
      {error && <ErrorBox error={error} />}
      {result && (
        <p data-testid="xp-remeasure-result">
          <strong>{result.verdict}</strong>: {delta(result.format, result.change.value)} [
          {delta(result.format, result.change.low)} … {delta(result.format, result.change.high)}], p{' '}
          {pv(result.p)} (n {result.before.n} before, {result.after.n} after)
          {result.experimentLift ? `; the experiment measured ${pct(result.experimentLift.value)}` : ''}.
        </p>
      )}
    </section>
  );
}
