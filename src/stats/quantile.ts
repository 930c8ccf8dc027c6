import type { Estimate } from './experiment.js';
import { Z95 } from './index.js';

/**
 * Distribution-free interval for a quantile q from order statistics (Conover 1999, "Practical
 * Nonparametric Statistics", §3.2, with the normal approximation to the binomial count of units
 * below the quantile): the point is the order statistic of rank ⌈nq⌉ (the inverse of the empirical
 * distribution, R `quantile(type = 1)`); the 95% interval runs from rank ⌊nq − z√(nq(1 − q))⌋ to
 * rank ⌈nq + z√(nq(1 − q))⌉ + 1 (clamped to 1…n), which reproduces the exact binomial ranks in
 * Conover's examples and errs on the wide side. Ranks are 1-based; SQL fetches those order statistics.
 */
export function quantileRanks(n: number, q: number, z = Z95): { point: number; low: number; high: number } {
  const c = (r: number) => Math.min(n, Math.max(1, r));
  const h = z * Math.sqrt(n * q * (1 - q));
  return { point: c(Math.ceil(n * q)), low: c(Math.floor(n * q - h)), high: c(Math.ceil(n * q + h) + 1) };
}

/**
 * Difference of two arms' quantiles (treatment − control) with a normal interval whose standard
 * errors are read off each arm's order-statistic interval, se = (high − low)/(2z) (Price & Bonett
 * 2002, "Distribution-free confidence intervals for difference and ratio of medians").
 */
export function quantileDifference(control: Estimate, treatment: Estimate, z = Z95): Estimate {
  const se = (e: Estimate) => (e.high - e.low) / (2 * z);
  const d = treatment.value - control.value;
  const h = z * Math.sqrt(se(control) ** 2 + se(treatment) ** 2);
  return { value: d, low: d - h, high: d + h };
}
