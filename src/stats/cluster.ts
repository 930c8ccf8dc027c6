import jStat from 'jstat';

/**
 * Cluster-robust inference for observations grouped in clusters (employees' repeated answers, a
 * team's cases): the sandwich variance with the small-sample factor of Stata's `vce(cluster)` (CR1)
 * and a Student-t interval on G − 1 degrees of freedom (G clusters). Pure functions.
 */
export interface ClusteredEstimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly se: number;
  /** observations */
  readonly n: number;
  /** clusters */
  readonly clusters: number;
}

const NAN_ESTIMATE = (n: number, clusters: number): ClusteredEstimate => ({
  value: Number.NaN,
  low: Number.NaN,
  high: Number.NaN,
  se: Number.NaN,
  n,
  clusters,
});

function tQuantile(df: number): number {
  return jStat.studentt.inv(0.975, df);
}

/**
 * Mean of `y` with a cluster-robust interval: V = G/(G−1) · Σ_g (Σ_{i∈g} (y_i − ȳ))² / n².
 * With one observation per cluster this is the ordinary variance of the mean, s²/n.
 */
export function clusteredMean(y: readonly number[], cluster: readonly string[]): ClusteredEstimate {
  const n = y.length;
  const sums = new Map<string, number>();
  let total = 0;
  for (const v of y) total += v;
  const mu = total / n;
  y.forEach((v, i) => {
    sums.set(cluster[i]!, (sums.get(cluster[i]!) ?? 0) + (v - mu));
  });
  const g = sums.size;
  if (n === 0) return NAN_ESTIMATE(0, 0);
  if (g < 2) return { ...NAN_ESTIMATE(n, g), value: mu };
  let meat = 0;
  for (const s of sums.values()) meat += s * s;
  const se = Math.sqrt(((g / (g - 1)) * meat) / (n * n));
  const t = tQuantile(g - 1);
  return { value: mu, low: mu - t * se, high: mu + t * se, se, n, clusters: g };
}

/**
 * Slope of the least-squares line y = a + b·x with a cluster-robust (CR1) standard error:
 * V(b) = c · Σ_g (Σ_{i∈g} (x_i − x̄)·e_i)² / Sxx², c = G/(G−1) · (n−1)/(n−2), e the residuals — the
 * slope element of the sandwich (XᵀX)⁻¹ (Σ_g X_gᵀ e_g e_gᵀ X_g) (XᵀX)⁻¹, as `regress y x,
 * vce(cluster g)` reports it. Interval: t on G − 1 degrees of freedom.
 */
export function clusteredSlope(
  x: readonly number[],
  y: readonly number[],
  cluster: readonly string[],
): ClusteredEstimate & { readonly intercept: number } {
  const n = x.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += x[i]!;
    sy += y[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const groups = new Set(cluster).size;
  if (n < 3 || sxx === 0) return { ...NAN_ESTIMATE(n, groups), intercept: Number.NaN };
  const b = sxy / sxx;
  const a = my - b * mx;
  const scores = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const e = y[i]! - a - b * x[i]!;
    scores.set(cluster[i]!, (scores.get(cluster[i]!) ?? 0) + (x[i]! - mx) * e);
  }
  const g = scores.size;
  if (g < 2) return { ...NAN_ESTIMATE(n, g), value: b, intercept: a };
  let meat = 0;
  for (const s of scores.values()) meat += s * s;
  const c = (g / (g - 1)) * ((n - 1) / (n - 2));
  const se = Math.sqrt((c * meat) / (sxx * sxx));
  const t = tQuantile(g - 1);
  return { value: b, low: b - t * se, high: b + t * se, se, n, clusters: g, intercept: a };
}
