/**
 * Exposed-standardised comparison of two rates across strata (the "effect on the affected", ATT):
 * the exposed group's observed rate against the rate the same exposed people would have had at the
 * comparable (unexposed) rate of their own stratum. Strata where nobody comparable exists cannot be
 * compared and are left out, with the exposed count they held.
 *
 *   exposedRate    = Σ_s d_E,s / Σ_s n_E,s
 *   comparableRate = Σ_s n_E,s · (d_U,s / n_U,s) / Σ_s n_E,s      (over strata with n_E,s > 0 and n_U,s > 0)
 *   difference     = exposedRate − comparableRate
 *
 * Unlike a raw exposed-versus-rest difference, a group that differs in mix (more new customers, more
 * consumers) is compared with people like it (DESIGN.md §6). Rothman, Greenland & Lash, Modern
 * Epidemiology, ch. 15 (standardisation to the exposed).
 */
export interface StratumCounts {
  /** Exposed units and events. */
  readonly nE: number;
  readonly dE: number;
  /** Comparable (unexposed) units and events. */
  readonly nU: number;
  readonly dU: number;
}

export interface StandardisedDifference {
  readonly exposedRate: number;
  readonly comparableRate: number;
  readonly difference: number;
  /** Exposed units in strata that had comparable units (the ones compared). */
  readonly exposedCompared: number;
  /** Exposed units left out: their stratum had no comparable unit. */
  readonly exposedUnmatched: number;
  readonly strata: number;
}

export function standardisedDifference(strata: readonly StratumCounts[]): StandardisedDifference {
  let nE = 0;
  let dE = 0;
  let expected = 0;
  let unmatched = 0;
  let used = 0;
  for (const s of strata) {
    if (s.nE <= 0) continue;
    if (s.nU <= 0) {
      unmatched += s.nE;
      continue;
    }
    nE += s.nE;
    dE += s.dE;
    expected += s.nE * (s.dU / s.nU);
    used++;
  }
  if (nE === 0)
    return {
      exposedRate: Number.NaN,
      comparableRate: Number.NaN,
      difference: Number.NaN,
      exposedCompared: 0,
      exposedUnmatched: unmatched,
      strata: 0,
    };
  const exposedRate = dE / nE;
  const comparableRate = expected / nE;
  return {
    exposedRate,
    comparableRate,
    difference: exposedRate - comparableRate,
    exposedCompared: nE,
    exposedUnmatched: unmatched,
    strata: used,
  };
}

/**
 * Poisson(1) bootstrap weights (Hanley & MacGibbon 2006; the "Poisson bootstrap" of Chamandy et al.
 * 2012): weight of unit i in replicate b at `i * replicates + b`. Resampling units with replacement
 * gives each unit a Binomial(n, 1/n) count, which a Poisson(1) draw approximates for large n and which
 * needs no pass over the whole sample per replicate. Seeded: the same seed, the same weights.
 */
export function poissonWeights(units: number, replicates: number, random: () => number): Uint8Array {
  const w = new Uint8Array(units * replicates);
  const e1 = Math.exp(-1);
  for (let i = 0; i < w.length; i++) {
    // Knuth: the number of uniforms whose running product stays above e^-1
    let k = 0;
    let p = random();
    while (p > e1 && k < 255) {
      k++;
      p *= random();
    }
    w[i] = k;
  }
  return w;
}

/** The q-quantile (0…1) of values by linear interpolation between order statistics (R type 7). */
export function percentile(values: readonly number[], q: number): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return v[lo]! + (h - lo) * (v[hi]! - v[lo]!);
}
