import jStat from 'jstat';

export { ari, bestMatchF1, jaccard, nmi, silhouette } from './clustering.js';

/**
 * Pure statistics over aggregates (DESIGN.md §6). SQL reduces rows to counts and moments; these
 * functions turn them into figures with 95% intervals. Each is tested against published values.
 */

export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

/** A figure is a small sample when n < 30 or its interval is wider than ±`maxHalfWidth`. */
export function isSmallSample(iv: { n: number; low: number; high: number }, maxHalfWidth = 0.1): boolean {
  return iv.n < 30 || (iv.high - iv.low) / 2 > maxHalfWidth;
}

export const Z95 = 1.959963984540054;

/** Standard normal CDF Φ(x) (jStat). */
export function normalCdf(x: number): number {
  return jStat.normal.cdf(x, 0, 1);
}

/** Two-sided p-value of a standard normal statistic: 2·(1 − Φ(|z|)). */
export function normalTwoSidedP(z: number): number {
  return 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1));
}

/** Wilson score interval for a proportion k/n (Wilson 1927; Newcombe 1998 method 3). */
export function wilson(k: number, n: number, z = Z95): Interval {
  if (n <= 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

/**
 * Net Promoter Score in points (−100…100) with a normal interval from the trinomial variance:
 * var(NPS) = (p + d − (p − d)²) / n, on the −1…1 scale.
 */
export function nps(promoters: number, passives: number, detractors: number, z = Z95): Interval {
  const n = promoters + passives + detractors;
  if (n === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  const p = promoters / n;
  const d = detractors / n;
  const score = p - d;
  const se = Math.sqrt(Math.max(0, p + d - score * score) / n);
  return {
    value: 100 * score,
    low: Math.max(-100, 100 * (score - z * se)),
    high: Math.min(100, 100 * (score + z * se)),
    n,
  };
}

/** Moments of a sample, as SQL returns them: n, sum, sum of squares. */
export interface Moments {
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

export function variance(m: Moments): number {
  if (m.n < 2) return Number.NaN;
  return Math.max(0, (m.sumSq - (m.sum * m.sum) / m.n) / (m.n - 1));
}

/** Mean with a Student-t 95% interval. */
export function mean(m: Moments, level = 0.95): Interval {
  if (m.n === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  const mu = m.sum / m.n;
  if (m.n < 2) return { value: mu, low: Number.NaN, high: Number.NaN, n: m.n };
  const se = Math.sqrt(variance(m) / m.n);
  const t = jStat.studentt.inv(1 - (1 - level) / 2, m.n - 1);
  return { value: mu, low: mu - t * se, high: mu + t * se, n: m.n };
}

export interface TestResult {
  readonly difference: number;
  readonly low: number;
  readonly high: number;
  readonly statistic: number;
  readonly p: number;
}

/** Two-sided two-proportion z-test (pooled SE for the test, unpooled for the difference's interval). */
export function twoProportions(k1: number, n1: number, k2: number, n2: number): TestResult {
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (k1 + k2) / (n1 + n2);
  const seTest = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = seTest === 0 ? 0 : (p1 - p2) / seTest;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return {
    difference: p1 - p2,
    low: p1 - p2 - Z95 * se,
    high: p1 - p2 + Z95 * se,
    statistic: z,
    p: normalTwoSidedP(z),
  };
}

/** Welch's t-test on two samples' moments: difference of means a − b with its interval. */
export function welch(a: Moments, b: Moments): TestResult {
  const va = variance(a) / a.n;
  const vb = variance(b) / b.n;
  const diff = a.sum / a.n - b.sum / b.n;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = se === 0 ? 0 : diff / se;
  const q = jStat.studentt.inv(0.975, df);
  return {
    difference: diff,
    low: diff - q * se,
    high: diff + q * se,
    statistic: t,
    p: 2 * (1 - jStat.studentt.cdf(Math.abs(t), df)),
  };
}

/** Difference of two NPS values (points) with a z-test from the two trinomial variances. */
export function npsDifference(
  a: { promoters: number; passives: number; detractors: number },
  b: { promoters: number; passives: number; detractors: number },
): TestResult {
  const one = (x: typeof a) => {
    const n = x.promoters + x.passives + x.detractors;
    const p = x.promoters / n;
    const d = x.detractors / n;
    return { s: p - d, v: (p + d - (p - d) ** 2) / n };
  };
  const A = one(a);
  const B = one(b);
  const se = Math.sqrt(A.v + B.v);
  const diff = A.s - B.s;
  const z = se === 0 ? 0 : diff / se;
  return {
    difference: 100 * diff,
    low: 100 * (diff - Z95 * se),
    high: 100 * (diff + Z95 * se),
    statistic: z,
    p: normalTwoSidedP(z),
  };
}

/**
 * Mantel–Haenszel-style stratified difference of proportions: strata weighted by
 * n1·n2/(n1+n2), variance summed with the same weights. Used where groups differ in mix.
 */
export function stratifiedRiskDifference(
  strata: readonly { k1: number; n1: number; k2: number; n2: number }[],
): TestResult & { readonly strata: number } {
  let wSum = 0;
  let dSum = 0;
  let vSum = 0;
  let used = 0;
  for (const s of strata) {
    if (s.n1 === 0 || s.n2 === 0) continue;
    const w = (s.n1 * s.n2) / (s.n1 + s.n2);
    const p1 = s.k1 / s.n1;
    const p2 = s.k2 / s.n2;
    wSum += w;
    dSum += w * (p1 - p2);
    vSum += w * w * ((p1 * (1 - p1)) / s.n1 + (p2 * (1 - p2)) / s.n2);
    used++;
  }
  if (wSum === 0)
    return { difference: Number.NaN, low: Number.NaN, high: Number.NaN, statistic: 0, p: 1, strata: 0 };
  const diff = dSum / wSum;
  const se = Math.sqrt(vSum) / wSum;
  const z = se === 0 ? 0 : diff / se;
  return {
    difference: diff,
    low: diff - Z95 * se,
    high: diff + Z95 * se,
    statistic: z,
    p: normalTwoSidedP(z),
    strata: used,
  };
}

export { type BayesResult, type GaussianPrior, gaussianLift, PROPER_PRIOR } from './bayes.js';
export { type ClusteredEstimate, clusteredMean, clusteredSlope } from './cluster.js';
export { type CupedMoments, type CupedResult, cuped } from './cuped.js';
export {
  type ArmSummary,
  armOfCounts,
  armOfMoments,
  type Comparison,
  compareMeans,
  compareProportions,
  compareSummaries,
  type Estimate,
  relativeLift,
  responseRateGuardrail,
  type SrmResult,
  sampleRatioMismatch,
} from './experiment.js';
export { benjaminiHochberg, holm } from './multiple.js';
export { type OlsFit, type OlsGroup, ols, olsGrouped } from './ols.js';
export { durationDays, sampleSizeMean, sampleSizeProportion } from './power.js';
export { quantileDifference, quantileRanks } from './quantile.js';
export { seeded } from './random.js';
export { type RatioMoments, ratioArm } from './ratio.js';
export { mixingRho2, type SequentialResult, sequentialInterval } from './sequential.js';
export {
  MIN_EFFECTS_FOR_EB,
  type ShrinkageResult,
  type ShrinkInput,
  type ShrunkEffect,
  shrinkEffects,
} from './shrinkage.js';
export {
  percentile,
  poissonWeights,
  type StandardisedDifference,
  type StratumCounts,
  standardisedDifference,
} from './standardised.js';
export { type LinearForecast, linearForecast } from './trend.js';
