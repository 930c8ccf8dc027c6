import { wilson } from './index.js';

/**
 * Discrimination and calibration of a risk score against 0/1 outcomes (docs/health.md §Quality).
 */

const Z95 = 1.959963984540054;

export interface Auc {
  /** Mann–Whitney AUC: P(score of a positive > score of a negative) + ½ P(tie). */
  readonly value: number;
  /** DeLong (1988) standard error and the normal 95% interval, clipped to [0, 1]. */
  readonly se: number;
  readonly low: number;
  readonly high: number;
  readonly positives: number;
  readonly negatives: number;
}

/** Mid-ranks (1-based) of `v`, ties sharing their average rank. */
function midRanks(v: readonly number[]): Float64Array {
  const order = v.map((_, i) => i).sort((a, b) => (v[a] ?? 0) - (v[b] ?? 0));
  const ranks = new Float64Array(v.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1] as number] === v[order[i] as number]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k] as number] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * AUC with DeLong's variance, in O(n log n) through mid-ranks (Sun & Xu 2014): for positive i,
 * V10_i = (R_i − R⁺_i) / n₀, R the mid-rank among all scores and R⁺ among positives; for negative j,
 * V01_j = 1 − (R_j − R⁻_j) / n₁. AUC = mean V10; var = s²(V10)/n₁ + s²(V01)/n₀.
 */
export function aucDeLong(scores: readonly number[], labels: ArrayLike<number>): Auc {
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => {
    if ((labels[i] ?? 0) === 1) pos.push(s);
    else neg.push(s);
  });
  const n1 = pos.length;
  const n0 = neg.length;
  if (n1 === 0 || n0 === 0)
    return {
      value: Number.NaN,
      se: Number.NaN,
      low: Number.NaN,
      high: Number.NaN,
      positives: n1,
      negatives: n0,
    };
  const all = midRanks([...pos, ...neg]);
  const rp = midRanks(pos);
  const rn = midRanks(neg);
  const v10 = pos.map((_, i) => ((all[i] ?? 0) - (rp[i] ?? 0)) / n0);
  const v01 = neg.map((_, j) => 1 - ((all[n1 + j] ?? 0) - (rn[j] ?? 0)) / n1);
  const value = v10.reduce((a, b) => a + b, 0) / n1;
  const sampleVar = (v: number[]) => {
    if (v.length < 2) return 0;
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
  };
  const se = Math.sqrt(sampleVar(v10) / n1 + sampleVar(v01) / n0);
  return {
    value,
    se,
    low: Math.max(0, value - Z95 * se),
    high: Math.min(1, value + Z95 * se),
    positives: n1,
    negatives: n0,
  };
}

export interface TopFraction {
  /** Customers flagged: the ⌈fraction·n⌉ highest scores (ties broken by input order). */
  readonly flagged: number;
  readonly precision: { value: number; low: number; high: number };
  readonly recall: { value: number; low: number; high: number };
  /** Precision over the base rate. */
  readonly lift: number;
}

/** Precision and recall (Wilson 95% intervals) when the top `fraction` of scores is flagged. */
export function topFraction(
  scores: readonly number[],
  labels: ArrayLike<number>,
  fraction = 0.1,
): TopFraction {
  const n = scores.length;
  const flagged = Math.ceil(fraction * n);
  const order = scores.map((_, i) => i).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  let hits = 0;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] === 1 ? 1 : 0;
  for (let k = 0; k < flagged; k++) hits += labels[order[k] as number] === 1 ? 1 : 0;
  const iv = (k: number, m: number) => {
    const w = wilson(k, m);
    return { value: w.value, low: w.low, high: w.high };
  };
  return {
    flagged,
    precision: iv(hits, flagged),
    recall: iv(hits, positives),
    lift: flagged > 0 && positives > 0 ? hits / flagged / (positives / n) : Number.NaN,
  };
}

/** Brier score: mean (p − y)². */
export function brier(probabilities: readonly number[], labels: ArrayLike<number>): number {
  let s = 0;
  probabilities.forEach((p, i) => {
    s += (p - (labels[i] ?? 0)) ** 2;
  });
  return s / Math.max(1, probabilities.length);
}

export interface ReliabilityBin {
  readonly bin: number;
  readonly n: number;
  readonly meanPredicted: number;
  readonly observed: number;
  readonly low: number;
  readonly high: number;
}

/**
 * Reliability curve: customers sorted by predicted probability, cut into `bins` equal-count groups
 * (deciles by default); each bin's mean prediction beside its observed rate (Wilson 95% interval).
 */
export function reliability(
  probabilities: readonly number[],
  labels: ArrayLike<number>,
  bins = 10,
): ReliabilityBin[] {
  const n = probabilities.length;
  const order = probabilities
    .map((_, i) => i)
    .sort((a, b) => (probabilities[a] ?? 0) - (probabilities[b] ?? 0));
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let sp = 0;
    let k = 0;
    for (let r = from; r < to; r++) {
      const i = order[r] as number;
      sp += probabilities[i] ?? 0;
      k += labels[i] === 1 ? 1 : 0;
    }
    const w = wilson(k, to - from);
    out.push({
      bin: b + 1,
      n: to - from,
      meanPredicted: sp / (to - from),
      observed: w.value,
      low: w.low,
      high: w.high,
    });
  }
  return out;
}
