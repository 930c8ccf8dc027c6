/**
 * Always-valid (sequential) inference for a difference whose estimate is approximately normal:
 * the two-sided normal-mixture confidence sequence of Howard, Ramdas, McAuliffe & Sekhon (2021),
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", eq. (14), as GrowthBook and
 * Eppo use it. It holds simultaneously at every look, so a team may peek daily.
 *
 * With n units, per-unit variance s² = n·Var(Δ̂) and mixing parameter ρ, the half-width is
 *   s · √( 2(nρ² + 1)/(n²ρ²) · ln(√(nρ² + 1)/α) ).
 * Tuning: ρ is chosen to make the sequence tightest at n = N* (`tuning`, the planned total sample):
 *   ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*.
 * The always-valid p-value is 1/Λₙ (the mixture likelihood ratio; Johari et al. 2017, mSPRT),
 * which is below α exactly when the sequence excludes 0.
 */
export interface SequentialResult {
  readonly low: number;
  readonly high: number;
  readonly halfWidth: number;
  readonly p: number;
  readonly tuning: number;
  readonly alpha: number;
}

export function mixingRho2(alpha: number, tuning: number): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / tuning;
}

export function sequentialInterval(
  estimate: number,
  varEstimate: number,
  n: number,
  opts: { alpha?: number; tuning?: number } = {},
): SequentialResult {
  const alpha = opts.alpha ?? 0.05;
  const tuning = opts.tuning ?? 5000;
  const rho2 = mixingRho2(alpha, tuning);
  const s2 = varEstimate * n;
  const a = n * rho2 + 1;
  const halfWidth = Math.sqrt(s2) * Math.sqrt(((2 * a) / (n * n * rho2)) * Math.log(Math.sqrt(a) / alpha));
  // ln Λ = n²ρ²Δ² / (2 s² (nρ² + 1)) − ln √(nρ² + 1)
  const logLambda = s2 > 0 ? (n * n * rho2 * estimate * estimate) / (2 * s2 * a) - 0.5 * Math.log(a) : 0;
  return {
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    halfWidth,
    p: Math.min(1, Math.exp(-logLambda)),
    tuning,
    alpha,
  };
}
