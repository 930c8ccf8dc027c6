import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { TimeFrameParams } from '../core/time.js';
import {
  type ArmSummary,
  type Comparison,
  compareProportions,
  compareSummaries,
  type Estimate,
  gaussianLift,
  holm,
  normalTwoSidedP,
  quantileDifference,
  ratioArm,
  relativeLift,
  type SrmResult,
  sampleRatioMismatch,
  sequentialInterval,
  Z95,
} from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { computeMetric, type MetricFigure } from './compute-metric.js';
import { getMetric, type MetricFormat } from './metrics.js';
import { type Experiment, experimentState, getExperiment, type MetricRef } from './stored.js';

/**
 * Results of a stored experiment (docs/experiments.md, "Results and decisions"): every declared metric
 * computed per arm by the registry's one function (`computeMetric` with the experiment's exposures as
 * units), compared with the control by the statistics module — the delta method over customers for
 * every metric (a customer-level proportion by the two-proportion z-test), relative lift by the delta
 * method, the Bayesian chance to beat control, the always-valid confidence sequence (tuned for the
 * exposures so far), Holm over the treatments on the primary metric — the SRM check against the
 * declared weights, and the recommendation from the criteria declared at creation.
 */
export const ResultsParams = z.object({
  id: z.string().min(1).describe('the experiment id'),
  to: TimeFrameParams.to,
});
export type ResultsParams = z.input<typeof ResultsParams>;

export interface ArmResult {
  readonly arm: string;
  readonly units: number;
  readonly n: number;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
}

export interface LiftResult {
  readonly arm: string;
  readonly absolute: Estimate;
  readonly relative: Estimate;
  readonly p: number;
  /** Holm over the treatments (primary metric); the raw p for guardrails. */
  readonly pAdjusted: number;
  /** Always-valid 95 % interval of the absolute lift and its p (valid under daily peeking). */
  readonly sequential: { readonly low: number; readonly high: number; readonly p: number };
  readonly chanceToWin: number;
  /** Significantly better (+1), worse (−1) or neither (0), by the p the state calls for. */
  readonly verdict: -1 | 0 | 1;
}

export interface MetricComparison {
  readonly metric: string;
  readonly version: number;
  readonly name: string;
  readonly role: 'primary' | 'guardrail';
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  readonly arms: readonly ArmResult[];
  readonly lifts: readonly LiftResult[];
}

export type Recommendation = 'ship' | 'roll back' | 'keep testing' | 'investigate';

export interface ExperimentResults {
  readonly experiment: Experiment;
  readonly state: ReturnType<typeof experimentState>;
  /** Running experiments are judged on the always-valid p (peeking is allowed), finished ones on the fixed-horizon p. */
  readonly pBasis: 'sequential' | 'fixed';
  readonly exposures: number;
  readonly srm: SrmResult;
  readonly metrics: readonly MetricComparison[];
  readonly recommendations: readonly {
    readonly arm: string;
    readonly decision: Recommendation;
    readonly why: string;
  }[];
  readonly warnings: readonly string[];
}

const summaryOf = (f: MetricFigure): ArmSummary => {
  const s = f.stats;
  return ratioArm({ n: s.units, sumX: s.sumX, sumY: s.sumY, sumXX: s.sumXX, sumYY: s.sumYY, sumXY: s.sumXY });
};

/**
 * One treatment against the control on one metric's per-arm figures: the two-proportion z-test when
 * every unit holds one 0/1 observation of a share, else Welch on the delta-method variances. The one
 * comparison behind results, the sequential looks and the re-measure.
 */
export function compareArms(format: MetricFormat, c: MetricFigure, t: MetricFigure): Comparison {
  const oneEach = (f: MetricFigure) => f.stats.sumX === f.stats.units && f.stats.sumXX === f.stats.sumX;
  const binary = (f: MetricFigure) => f.stats.sumYY === f.stats.sumY;
  return oneEach(c) && oneEach(t) && binary(c) && binary(t) && format === 'proportion'
    ? compareProportions({ k: c.stats.sumY, n: c.stats.units }, { k: t.stats.sumY, n: t.stats.units })
    : compareSummaries(summaryOf(c), summaryOf(t), c.stats.units - 1, t.stats.units - 1);
}

async function compare(
  db: Store,
  e: Experiment,
  ref: MetricRef,
  role: 'primary' | 'guardrail',
  to: string | undefined,
  useSequential: boolean,
): Promise<MetricComparison> {
  const metric = await getMetric(db, ref.id, ref.version);
  const v = await computeMetric(db, metric, { experiment: e.id, to });
  const order = e.variants.map((x) => x.name);
  const fig = (arm: string) => v.groups.find((g) => g.group === arm);
  const arms = order.map((arm): ArmResult => {
    const f = fig(arm);
    return {
      arm,
      units: f?.units ?? 0,
      n: f?.n ?? 0,
      value: f?.value ?? null,
      lo: f?.lo ?? null,
      hi: f?.hi ?? null,
    };
  });
  const c = fig(order[0]!);
  const scale = metric.format === 'points' ? 100 : 1;
  const lifts: LiftResult[] = [];
  for (const arm of order.slice(1)) {
    const t = fig(arm);
    if (!c || !t || c.stats.units < 2 || t.stats.units < 2 || c.n === 0 || t.n === 0) continue;
    if (metric.definition.type === 'quantile') {
      const d = quantileDifference(
        { value: c.value!, low: c.lo!, high: c.hi! },
        { value: t.value!, low: t.lo!, high: t.hi! },
      );
      const se = (d.high - d.low) / (2 * Z95);
      const z = se > 0 ? d.value / se : 0;
      const p = se > 0 ? normalTwoSidedP(z) : 1;
      const rel = { value: t.value! / c.value! - 1, low: Number.NaN, high: Number.NaN };
      lifts.push({
        arm,
        absolute: d,
        relative: rel,
        p,
        pAdjusted: p,
        sequential: { low: Number.NaN, high: Number.NaN, p: 1 },
        chanceToWin: Number.NaN,
        verdict: 0,
      });
      continue;
    }
    const cmp = compareArms(metric.format, c, t);
    const rel = relativeLift(cmp.control, cmp.treatment);
    const bayes = gaussianLift(rel, null, !metric.higherIsBetter);
    const seq = sequentialInterval(
      cmp.absolute.value,
      cmp.control.varMean + cmp.treatment.varMean,
      c.stats.units + t.stats.units,
      { tuning: c.stats.units + t.stats.units },
    );
    lifts.push({
      arm,
      absolute: {
        value: scale * cmp.absolute.value,
        low: scale * cmp.absolute.low,
        high: scale * cmp.absolute.high,
      },
      relative: cmp.relative,
      p: cmp.p,
      pAdjusted: cmp.p,
      sequential: { low: scale * seq.low, high: scale * seq.high, p: seq.p },
      chanceToWin: bayes.chanceToWin,
      verdict: 0,
    });
  }
  // Holm over the treatments on the primary metric (declared before launch); guardrails unadjusted,
  // the conservative side for a harm check
  const adjusted = role === 'primary' ? holm(lifts.map((l) => l.p)) : lifts.map((l) => l.p);
  const out = lifts.map((l, i) => {
    const p = useSequential ? l.sequential.p : adjusted[i]!;
    const good = metric.higherIsBetter ? l.absolute.value > 0 : l.absolute.value < 0;
    const verdict: -1 | 0 | 1 = p < e.criteria.alpha ? (good ? 1 : -1) : 0;
    return { ...l, pAdjusted: adjusted[i]!, verdict };
  });
  return {
    metric: metric.id,
    version: metric.version,
    name: metric.name,
    role,
    format: metric.format,
    higherIsBetter: metric.higherIsBetter,
    arms,
    lifts: out,
  };
}

/**
 * The recommendation per treatment, from the declared criteria only:
 * `investigate` on a sample-ratio mismatch; `roll back` when the primary metric or any guardrail is
 * significantly worse; `ship` when the primary metric is significantly better and no guardrail is
 * significantly worse; `keep testing` otherwise.
 */
function recommend(
  e: Experiment,
  srm: SrmResult,
  metrics: readonly MetricComparison[],
): ExperimentResults['recommendations'] {
  const primary = metrics.find((m) => m.role === 'primary')!;
  return e.variants.slice(1).map((v) => {
    if (srm.mismatch)
      return {
        arm: v.name,
        decision: 'investigate' as const,
        why: `sample-ratio mismatch (χ² p = ${srm.p.toExponential(1)} < ${srm.threshold}): the assignment or the exposure log is broken`,
      };
    const harm = metrics.filter(
      (m) => m.role === 'guardrail' && m.lifts.find((l) => l.arm === v.name)?.verdict === -1,
    );
    const lift = primary.lifts.find((l) => l.arm === v.name);
    if (lift?.verdict === -1)
      return { arm: v.name, decision: 'roll back' as const, why: `${primary.name} is significantly worse` };
    if (harm.length > 0)
      return {
        arm: v.name,
        decision: 'roll back' as const,
        why: `guardrail ${harm.map((m) => m.name).join(', ')} significantly worse`,
      };
    if (lift?.verdict === 1)
      return {
        arm: v.name,
        decision: 'ship' as const,
        why: `${primary.name} is significantly better; no guardrail harmed`,
      };
    return {
      arm: v.name,
      decision: 'keep testing' as const,
      why: `${primary.name}: no significant difference yet`,
    };
  });
}

export async function experimentResults(
  db: Store,
  params: ResultsParams,
  ctx: { now?: Date } = {},
): Promise<ExperimentResults> {
  const p = ResultsParams.parse(params);
  const e = await getExperiment(db, p.id);
  const now = ctx.now ?? new Date();
  const state = experimentState(e, now);
  const counts = await db.all<{ arm: string; n: number }>(
    sql`SELECT arm, count(*) AS n FROM experiment_exposures WHERE experiment_id = ${e.id} GROUP BY arm`,
  );
  const exposures = counts.reduce((a, r) => a + Number(r.n), 0);
  if (exposures === 0)
    throw new TouchpointError(
      'unavailable',
      `experiment ${e.id}: no exposures yet (experiments assign, or experiments import-exposures FILE)`,
    );
  const observed = e.variants.map((v) => Number(counts.find((r) => r.arm === v.name)?.n ?? 0));
  const srm = sampleRatioMismatch(
    observed,
    e.variants.map((v) => v.weight),
    e.criteria.srmThreshold,
  );
  const useSequential = state === 'running' || state === 'planned';
  const metrics = [
    await compare(db, e, e.primary, 'primary', p.to, useSequential),
    ...(await Promise.all(e.guardrails.map((g) => compare(db, e, g, 'guardrail', p.to, useSequential)))),
  ];
  const warnings: string[] = [];
  if (srm.mismatch)
    warnings.push(
      `sample-ratio mismatch: ${observed.join(' / ')} exposures against weights ${e.variants.map((v) => v.weight).join(' / ')} (p = ${srm.p.toExponential(1)})`,
    );
  if (useSequential)
    warnings.push(
      'still running: decisions use the always-valid p, which stays valid however often you look',
    );
  return {
    experiment: e,
    state,
    pBasis: useSequential ? 'sequential' : 'fixed',
    exposures,
    srm,
    metrics,
    recommendations: recommend(e, srm, metrics),
    warnings,
  };
}
