import jStat from 'jstat';
import { ols } from './ols.js';

/**
 * A straight-line trend through points (x, y) by ordinary least squares, extrapolated to `x0`, with a
 * 95 % **prediction** interval for the value at x0 (Montgomery, Peck & Vining, "Introduction to
 * Linear Regression Analysis", §2.5): ŷ₀ ± t₀.₉₇₅,ₙ₋₂ · √(σ̂²·(1 + 1/n + (x₀ − x̄)²/Sxx)). x is centred
 * first, so the intercept and slope estimates are uncorrelated and their standard errors suffice.
 * Needs at least 3 points (one degree of freedom for σ̂²); returns null with fewer.
 */
export interface LinearForecast {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  /** Change of y per unit of x. */
  readonly slope: number;
  readonly n: number;
}

export function linearForecast(
  points: readonly { x: number; y: number }[],
  x0: number,
): LinearForecast | null {
  const n = points.length;
  if (n < 3) return null;
  const xBar = points.reduce((a, p) => a + p.x, 0) / n;
  const fit = ols(
    points.map((p) => [1, p.x - xBar]),
    points.map((p) => p.y),
  );
  const [b0, b1] = fit.beta as [number, number];
  const [se0, se1] = fit.se as [number, number];
  const d = x0 - xBar;
  const value = b0 + b1 * d;
  const se = Math.sqrt(fit.sigma2 + se0 * se0 + d * d * se1 * se1);
  const t = jStat.studentt.inv(0.975, n - 2);
  return { value, low: value - t * se, high: value + t * se, slope: b1, n };
}
