import jStat from 'jstat';
import { type Moments, normalTwoSidedP, variance, Z95 } from './index.js';

/**
 * Comparing a treatment arm with a control arm (docs/experiments.md). Every function takes the
 * sufficient statistics SQL returns — {n, sum, sumSq} per arm, or counts — and is pure.
 * Lift is always treatment − control (absolute) and treatment / control − 1 (relative).
 */

export interface Estimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** The mean of an arm and the variance of that mean (σ²/n), the two numbers every test needs. */
export interface ArmSummary {
  readonly n: number;
  readonly mean: number;
  /** variance of the mean: s²/n */
  readonly varMean: number;
}

export interface Comparison {
  readonly control: ArmSummary;
  readonly treatment: ArmSummary;
  readonly absolute: Estimate;
  readonly relative: Estimate;
  /** z (proportions) or Welch t (means) statistic of the absolute difference */
  readonly statistic: number;
  /** Welch–Satterthwaite degrees of freedom; Infinity for the z-test */
  readonly df: number;
  readonly p: number;
}

/** Summary of a mean metric's arm from its moments (sample variance with n − 1). */
export function armOfMoments(m: Moments): ArmSummary {
  return { n: m.n, mean: m.sum / m.n, varMean: variance(m) / m.n };
}

/** Summary of a proportion metric's arm from k successes out of n (variance p(1 − p)/n). */
export function armOfCounts(k: number, n: number): ArmSummary {
  const p = k / n;
  return { n, mean: p, varMean: (p * (1 - p)) / n };
}

/**
 * Relative lift t/c − 1 with its delta-method variance (first-order Taylor expansion; Kohavi, Tang &
 * Xu 2020, "Trustworthy Online Controlled Experiments", §18; GrowthBook's frequentist engine):
 * Var(μt/μc) ≈ Var(μt)/μc² + μt²·Var(μc)/μc⁴, arms independent.
 */
export function relativeLift(c: ArmSummary, t: ArmSummary, z = Z95): Estimate & { readonly se: number } {
  const value = t.mean / c.mean - 1;
  const se = Math.sqrt(t.varMean / c.mean ** 2 + (t.mean ** 2 * c.varMean) / c.mean ** 4);
  return { value, low: value - z * se, high: value + z * se, se };
}

/**
 * Two-proportion z-test (pooled variance for the test statistic, as R's `prop.test(correct = FALSE)`
 * and a 2×2 χ² without continuity correction; unpooled variance for the difference's interval).
 */
export function compareProportions(
  control: { k: number; n: number },
  treatment: { k: number; n: number },
): Comparison {
  const c = armOfCounts(control.k, control.n);
  const t = armOfCounts(treatment.k, treatment.n);
  const pooled = (control.k + treatment.k) / (control.n + treatment.n);
  const seTest = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  const z = seTest === 0 ? 0 : (t.mean - c.mean) / seTest;
  return comparison(c, t, Z95, {
    statistic: z,
    df: Number.POSITIVE_INFINITY,
    p: seTest === 0 ? 1 : normalTwoSidedP(z),
  });
}

/** Welch's t-test of two arms' means (Welch 1947; R `t.test(var.equal = FALSE)`). */
export function compareMeans(control: Moments, treatment: Moments): Comparison {
  return compareSummaries(armOfMoments(control), armOfMoments(treatment), control.n - 1, treatment.n - 1);
}

/**
 * Welch comparison of two arm summaries (means, CUPED-adjusted means, ratios): t = Δ/√(Va + Vb) with
 * Welch–Satterthwaite degrees of freedom from the per-arm degrees of freedom `dfC`, `dfT`.
 */
export function compareSummaries(c: ArmSummary, t: ArmSummary, dfC: number, dfT: number): Comparison {
  const diff = t.mean - c.mean;
  const v = c.varMean + t.varMean;
  const se = Math.sqrt(v);
  const df = v === 0 ? Number.POSITIVE_INFINITY : v ** 2 / (c.varMean ** 2 / dfC + t.varMean ** 2 / dfT);
  const q = Number.isFinite(df) ? jStat.studentt.inv(0.975, df) : Z95;
  const stat = se === 0 ? 0 : diff / se;
  const p =
    se === 0
      ? 1
      : Number.isFinite(df)
        ? 2 * (1 - jStat.studentt.cdf(Math.abs(stat), df))
        : normalTwoSidedP(stat);
  return comparison(c, t, q, { statistic: stat, df, p });
}

/**
 * The comparison of two arms given the test's outcome: the difference t − c with its interval
 * ± q·√(Va + Vb) (unpooled), and the relative lift with its delta-method interval.
 */
function comparison(
  c: ArmSummary,
  t: ArmSummary,
  q: number,
  test: Pick<Comparison, 'statistic' | 'df' | 'p'>,
): Comparison {
  const diff = t.mean - c.mean;
  const se = Math.sqrt(c.varMean + t.varMean);
  const { value, low, high } = relativeLift(c, t);
  return {
    control: c,
    treatment: t,
    absolute: { value: diff, low: diff - q * se, high: diff + q * se },
    relative: { value, low, high },
    ...test,
  };
}

/**
 * Sample-ratio mismatch: χ² goodness of fit of the units per arm against the planned weights
 * (Fabijan et al. 2019, "Diagnosing Sample Ratio Mismatch in Online Controlled Experiments").
 * p < `threshold` (0.001 by default) is a mismatch: the assignment or the logging is broken and
 * no effect estimate can be trusted, so a ship recommendation is blocked.
 */
export interface SrmResult {
  readonly observed: readonly number[];
  readonly expected: readonly number[];
  readonly statistic: number;
  readonly df: number;
  readonly p: number;
  readonly threshold: number;
  readonly mismatch: boolean;
}

export function sampleRatioMismatch(
  observed: readonly number[],
  weights: readonly number[] = observed.map(() => 1),
  threshold = 0.001,
): SrmResult {
  const total = observed.reduce((a, b) => a + b, 0);
  const wSum = weights.reduce((a, b) => a + b, 0);
  const expected = weights.map((w) => (total * w) / wSum);
  const statistic = observed.reduce((acc, o, i) => acc + (o - expected[i]!) ** 2 / expected[i]!, 0);
  const df = observed.length - 1;
  const p = df < 1 || total === 0 ? 1 : 1 - jStat.chisquare.cdf(statistic, df);
  return { observed, expected, statistic, df, p, threshold, mismatch: p < threshold };
}

/**
 * Response-rate guardrail for metrics only some units report (a survey's CSAT): if the treatment
 * changes who answers, the answers' mean is biased whatever its p-value. Two-proportion z-test on
 * responded/exposed per arm; `biased` when p < `alpha`.
 */
export function responseRateGuardrail(
  control: { responded: number; n: number },
  treatment: { responded: number; n: number },
  alpha = 0.05,
): { readonly control: number; readonly treatment: number; readonly p: number; readonly biased: boolean } {
  const r = compareProportions(
    { k: control.responded, n: control.n },
    { k: treatment.responded, n: treatment.n },
  );
  return { control: r.control.mean, treatment: r.treatment.mean, p: r.p, biased: r.p < alpha };
}
