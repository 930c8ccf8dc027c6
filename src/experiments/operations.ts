import { type AnyOperation, defineOperation, type Section } from '../core/operation.js';
import {
  AnalyzeParams,
  type AnalyzeResult,
  type ArmFigure,
  analyzeExperiment,
  type MetricResult,
  type TreatmentResult,
} from './analyze.js';
import { experimentOperations } from './experiment-operations.js';
import { metricOperations } from './metric-operations.js';
import { PowerParams, planExperiment } from './power.js';

const pct = (v: number, d = 2) => `${(100 * v).toFixed(d)} %`;
const signed = (v: number, f: (x: number) => string) => `${v >= 0 ? '+' : ''}${f(v)}`;
const num = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(4);
const pv = (p: number) => (p < 0.0001 ? p.toExponential(1) : p.toFixed(4));

function armRows(
  m: MetricResult,
  arms: readonly ArmFigure[],
  treatments: readonly TreatmentResult[],
): object[] {
  const value = m.kind === 'proportion' ? (v: number) => pct(v) : num;
  const abs = m.kind === 'proportion' ? (v: number) => `${(100 * v).toFixed(2)} pts` : num;
  return arms.map((a, i) => {
    const t = i === 0 ? undefined : treatments[i - 1];
    return {
      variant: i === 0 ? `${a.variant} (control)` : a.variant,
      units: a.units,
      n: a.n,
      [m.kind === 'proportion' ? 'rate' : m.kind]: value(a.value),
      '95% interval': `${value(a.low)} … ${value(a.high)}`,
      'lift (abs)': t
        ? `${signed(t.absolute.value, abs)} [${abs(t.absolute.low)} … ${abs(t.absolute.high)}]`
        : '',
      'lift (rel)': t
        ? `${signed(t.relative.value, (v) => pct(v, 1))} [${pct(t.relative.low, 1)} … ${pct(t.relative.high, 1)}]`
        : '',
      p: t ? pv(t.p) : '',
      'p adj': t ? pv(t.pAdjusted) : '',
      'P(beat control)': t ? pct(t.bayes.chanceToWin, 1) : '',
      'risk (rel)': t ? pct(t.bayes.riskTreatment, 2) : '',
      'always-valid 95%': t ? `${abs(t.sequential.low)} … ${abs(t.sequential.high)}` : '',
    };
  });
}

function presentAnalysis(r: AnalyzeResult): readonly Section[] {
  const out: Section[] = [
    {
      text:
        `${r.file}: ${r.units.toLocaleString('en-US')} units, control ${r.control}; ` +
        `SRM χ² = ${r.srm.statistic.toFixed(2)}, p = ${pv(r.srm.p)} ${r.srm.mismatch ? '— SAMPLE RATIO MISMATCH' : `(no mismatch at ${r.srm.threshold})`}; ` +
        `correction ${r.correction}; prior ${r.prior}; sequential tuned for N* = ${r.sequentialTuning.toLocaleString('en-US')}`,
    },
  ];
  for (const m of r.metrics) {
    out.push({
      title: `${m.metric} (${m.kind}${m.lowerIsBetter ? ', lower is better' : ''})`,
      rows: armRows(m, m.arms, m.treatments),
    });
    if (m.outliers && (m.outliers.extreme > 0 || m.winsorized))
      out.push({
        title: `${m.metric}: largest values (P99 ${num(m.outliers.p99)}; ${m.outliers.extreme} above 10 × P99)`,
        rows: m.outliers.top.map((o) => ({ ...o })),
      });
    if (m.winsorized) {
      const w = m.winsorized;
      out.push({
        title: `${m.metric} winsorised at P${(100 * w.quantile).toFixed(1).replace(/\.0$/, '')} = ${num(w.cap)} (${w.capped.map((c) => `${c.units} capped in ${c.variant}`).join(', ')})`,
        rows: armRows(m, w.arms, w.treatments),
      });
    }
    for (const q of m.quantiles)
      out.push({
        title: `${m.metric}: P${Math.round(100 * q.q)} by order statistics`,
        rows: q.arms.map((a, i) => {
          const t = i === 0 ? undefined : q.treatments[i - 1];
          return {
            variant: a.variant,
            value: num(a.value),
            '95% interval': `${num(a.low)} … ${num(a.high)}`,
            difference: t ? `${signed(t.value, num)} [${num(t.low)} … ${num(t.high)}]` : '',
          };
        }),
      });
    if (m.cuped.length > 0)
      out.push({
        title: `${m.metric}: CUPED-adjusted`,
        rows: m.cuped.map((c) => ({
          variant: c.variant,
          theta: num(c.theta),
          'variance removed': pct(c.varianceReduction, 1),
          'lift (abs)': `${signed(c.absolute.value, num)} [${num(c.absolute.low)} … ${num(c.absolute.high)}]`,
          'lift (rel)': `${signed(c.relative.value, (v) => pct(v, 1))}`,
          p: pv(c.p),
          'pre-period balance p': pv(c.preImbalanceP),
        })),
      });
    for (const rr of m.responseRate)
      out.push({
        text: `${m.metric}: response rate ${pct(rr.control, 1)} (control) vs ${pct(rr.treatment, 1)} (${rr.variant}), p = ${pv(rr.p)}${rr.biased ? ' — BIASED' : ''}`,
      });
  }
  out.push({
    title: `Recommendation (primary metric ${r.metrics[0]?.metric ?? ''})`,
    rows: r.recommendations.map((x) => ({ ...x })),
  });
  if (r.warnings.length > 0)
    out.push({ title: 'WARNINGS', text: r.warnings.map((w) => `! ${w}`).join('\n') });
  return out;
}

export const analyzeOperation = defineOperation({
  area: 'experiments',
  verb: 'analyze',
  workspace: 'optional',
  summary:
    'Analyse an experiment run elsewhere from a CSV (one row per unit): lift with intervals, p, Bayesian chance to win, SRM, CUPED, winsorising',
  params: AnalyzeParams,
  mode: 'read',
  positional: ['file'],
  // the CLI reads FILE into csv; the API takes the CSV as a text/csv body (or the csv field of a JSON body)
  fileInputs: { file: 'csv' },
  upload: true,
  run: (db, p, ctx) =>
    analyzeExperiment(db, p).then((r) => {
      for (const w of r.warnings) ctx.log?.(`warning: ${w}`);
      return r;
    }),
  present: presentAnalysis,
});

export const powerOperation = defineOperation({
  area: 'experiments',
  verb: 'power',
  workspace: 'optional',
  summary:
    'Sample size and days before launch, for a baseline, a minimum detectable effect and the daily traffic',
  params: PowerParams,
  mode: 'read',
  run: async (_db, p) => planExperiment(p),
  present: (r) => [
    {
      text:
        `${r.metric === 'proportion' ? `${pct(r.baseline)} → ${pct(r.target)}` : `${num(r.baseline)} → ${num(r.target)}`}` +
        ` at α = ${r.alpha}, power ${pct(r.power, 0)}: ${r.perArm.toLocaleString('en-US')} units per arm, ` +
        `${r.total.toLocaleString('en-US')} in all, ${r.days} days`,
    },
  ],
});

export const operations: readonly AnyOperation[] = [
  analyzeOperation,
  powerOperation,
  ...metricOperations,
  ...experimentOperations,
];
