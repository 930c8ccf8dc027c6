import { useState } from 'preact/hooks';
import type { ChurnBacktestResult } from '../../health/index.js';
import { Chart, intervalBand } from '../components/chart.js';
import { DataTable } from '../components/table.js';
import { Async, Panel, Stat } from '../components/ui.js';
import { fmtCount, fmtDate, fmtPercent } from '../format.js';
import { tipHtml } from '../html.js';
import { useOp } from '../state.js';

const auc = (a: { value: number; low: number; high: number }) =>
  `${a.value.toFixed(3)} [${a.low.toFixed(3)} … ${a.high.toFixed(3)}]`;

/**
 * The churn model's quality (docs/health.md, "Quality"): the time-based holdout of `health
 * churn-backtest` — AUC with DeLong's interval, the top decile's precision and recall, the Brier score
 * and the reliability curve, each feature alone for comparison, the backtest window — and what the
 * model is not. The backtest trains two models and takes tens of seconds, so it runs on request.
 */
export function ChurnQualityPanel() {
  const [run, setRun] = useState(false);
  const state = useOp<ChurnBacktestResult>('health', 'churn-backtest', {}, run);
  return (
    <Panel
      wide
      title="The churn model's quality"
      subtitle="Trained on what was known at one date, tested on who churned after a later one: the figures a model is judged by, out of time."
      actions={
        !run && (
          <button type="button" class="btn small" onClick={() => setRun(true)}>
            Run the backtest
          </button>
        )
      }
    >
      {!run ? (
        <p class="muted">
          The backtest fits both churn models on the history (tens of seconds on a large workspace); run it to
          see their AUC, calibration and the window they were tested on.
        </p>
      ) : (
        <Async state={state} what="the churn backtest">
          {(r) => <Quality r={r} />}
        </Async>
      )}
    </Panel>
  );
}

function Quality(props: { r: ChurnBacktestResult }) {
  const r = props.r;
  const best = [...r.models].sort((a, b) => b.auc.value - a.auc.value)[0]!;
  const rate = r.test.customers ? r.test.churned / r.test.customers : 0;
  const bins = best.reliability;
  return (
    <div data-testid="churn-quality">
      <div class="stats">
        <Stat
          label={`AUC (${best.model})`}
          value={best.auc.value.toFixed(3)}
          detail={`95 % interval ${best.auc.low.toFixed(3)}–${best.auc.high.toFixed(3)} (DeLong); 0.5 is chance`}
          tone={best.auc.value > 0.95 ? 'bad' : best.auc.low > 0.5 ? 'good' : ''}
        />
        <Stat
          label="Top decile precision"
          value={fmtPercent(best.topDecile.precision.value)}
          detail={`${fmtCount(best.topDecile.flagged)} flagged; recall ${fmtPercent(best.topDecile.recall.value)}; ${best.topDecile.lift.toFixed(1)}× the base rate ${fmtPercent(rate)}`}
        />
        <Stat
          label="Brier score"
          value={best.brier.toFixed(4)}
          detail={`a constant ${fmtPercent(rate)} would score ${(rate * (1 - rate)).toFixed(4)}`}
        />
        <Stat
          label="Backtest window"
          value={`${fmtDate(r.testCutoff)} + ${r.horizonDays} d`}
          detail={`trained at ${fmtDate(r.trainCutoff)} (${fmtCount(r.train.customers)} customers, ${fmtCount(r.train.churned)} churned); tested on ${fmtCount(r.test.customers)}, ${fmtCount(r.test.churned)} churned`}
        />
      </div>
      {best.auc.value > 0.95 && (
        <p class="notice">
          An AUC above 0.95 on churn is suspect: look for a feature that records the outcome.
        </p>
      )}
      <div class="grid">
        <div>
          <h3>Calibration (reliability curve, {best.model})</h3>
          <Chart
            title="Churn model calibration"
            height={240}
            rows={bins.map((b) => ({ ...b }))}
            option={{
              grid: { left: 50, right: 20, top: 28, bottom: 40 },
              legend: { top: 0 },
              tooltip: {
                trigger: 'axis',
                formatter: (ps: { dataIndex: number }[]) => {
                  const b = bins[ps[0]?.dataIndex ?? -1];
                  return b
                    ? tipHtml`bin ${b.bin} (n = ${b.n})<br/>predicted ${fmtPercent(b.meanPredicted)}, observed ${fmtPercent(b.observed)} (${fmtPercent(b.low)} – ${fmtPercent(b.high)})`
                    : '';
                },
              },
              xAxis: { type: 'category', data: bins.map((b) => `${b.bin}`), name: 'risk decile' },
              yAxis: {
                type: 'value',
                name: 'churn',
                axisLabel: { formatter: (v: number) => `${Math.round(100 * v)} %` },
              },
              series: [
                ...intervalBand(
                  bins.map((b) => b.low),
                  bins.map((b) => b.high - b.low),
                  '#dc2626',
                ),
                { type: 'line', name: 'observed', data: bins.map((b) => b.observed), color: '#dc2626' },
                {
                  type: 'line',
                  name: 'predicted',
                  data: bins.map((b) => b.meanPredicted),
                  color: '#2563eb',
                  lineStyle: { type: 'dashed' },
                },
              ],
            }}
          />
        </div>
        <div>
          <h3>Models and baselines (same holdout)</h3>
          <DataTable
            title="Churn models and baselines"
            rows={[
              ...r.models.map((m) => ({ what: `model: ${m.model}`, auc: auc(m.auc) })),
              ...r.baselines.map((b) => ({ what: b.name, auc: auc(b.auc) })),
            ]}
          />
        </div>
      </div>
      <p class="small" data-testid="churn-not">
        <strong>What it is not.</strong> A ranking of who is likely to leave in the next {r.horizonDays} days
        from what was known at the cut-off — not a cause: a feature that predicts churn (few recent visits) is
        not a lever by itself. Its probabilities are calibrated on this holdout only; a change in the business
        (a price, a new channel) needs a new backtest. It sees only the data here: a reason a customer never
        expressed is not in it.
      </p>
    </div>
  );
}
