import { type ArmSummary, type Comparison, compareMeans, compareSummaries } from './experiment.js';

/** Per-arm sums of the metric Y and its pre-period covariate X (the same metric before exposure). */
export interface CupedMoments {
  readonly n: number;
  readonly sumY: number;
  readonly sumYY: number;
  readonly sumX: number;
  readonly sumXX: number;
  readonly sumXY: number;
}

export interface CupedResult {
  /** θ = Cov(X, Y) / Var(X) over all units of all arms */
  readonly theta: number;
  readonly adjusted: Comparison;
  readonly unadjusted: Comparison;
  /** 1 − Var(adjusted Δ) / Var(unadjusted Δ): the share of variance removed */
  readonly varianceReduction: number;
  /** the pre-period covariate compared between arms (Welch); randomisation makes it balanced */
  readonly preImbalance: { readonly difference: number; readonly p: number; readonly imbalanced: boolean };
  /** adjusted and unadjusted effects point in opposite directions */
  readonly signFlip: boolean;
  /** human-readable health warnings; empty when healthy */
  readonly warnings: readonly string[];
}

const cov = (n: number, sa: number, sb: number, sab: number) => (sab - (sa * sb) / n) / (n - 1);

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013, "Improving the Sensitivity of Online Controlled
 * Experiments by Utilizing Pre-Experiment Data", §3.3): Ŷ = Y − θ(X − X̄) with one θ pooled over
 * the arms and X̄ the mean over all units, so each arm's adjusted mean is ȳᵢ − θ(x̄ᵢ − X̄) and its
 * variance (s²_Y − 2θ·s_XY + θ²·s²_X)/nᵢ from the arm's own moments. The health check compares the
 * pre-period between arms (imbalanced at p < `imbalanceAlpha`: a broken assignment or a pre-period
 * that already saw the treatment) and flags adjusted and unadjusted effects of opposite sign.
 */
export function cuped(control: CupedMoments, treatment: CupedMoments, imbalanceAlpha = 0.001): CupedResult {
  const n = control.n + treatment.n;
  const all = {
    sumX: control.sumX + treatment.sumX,
    sumY: control.sumY + treatment.sumY,
    sumXX: control.sumXX + treatment.sumXX,
    sumXY: control.sumXY + treatment.sumXY,
  };
  const varX = cov(n, all.sumX, all.sumX, all.sumXX);
  const theta = varX > 0 ? cov(n, all.sumX, all.sumY, all.sumXY) / varX : 0;
  const xBar = all.sumX / n;
  const arm = (m: CupedMoments): ArmSummary => {
    const sYY = cov(m.n, m.sumY, m.sumY, m.sumYY);
    const sXX = cov(m.n, m.sumX, m.sumX, m.sumXX);
    const sXY = cov(m.n, m.sumX, m.sumY, m.sumXY);
    return {
      n: m.n,
      mean: m.sumY / m.n - theta * (m.sumX / m.n - xBar),
      varMean: Math.max(0, sYY - 2 * theta * sXY + theta * theta * sXX) / m.n,
    };
  };
  const adjusted = compareSummaries(arm(control), arm(treatment), control.n - 1, treatment.n - 1);
  const unadjusted = compareMeans(
    { n: control.n, sum: control.sumY, sumSq: control.sumYY },
    { n: treatment.n, sum: treatment.sumY, sumSq: treatment.sumYY },
  );
  const pre = compareMeans(
    { n: control.n, sum: control.sumX, sumSq: control.sumXX },
    { n: treatment.n, sum: treatment.sumX, sumSq: treatment.sumXX },
  );
  const vAdj = adjusted.control.varMean + adjusted.treatment.varMean;
  const vRaw = unadjusted.control.varMean + unadjusted.treatment.varMean;
  const signFlip = adjusted.absolute.value * unadjusted.absolute.value < 0;
  const imbalanced = pre.p < imbalanceAlpha;
  const warnings: string[] = [];
  if (imbalanced)
    warnings.push(
      `pre-period imbalance between arms (p = ${pre.p.toPrecision(2)}): check the assignment and that the pre-period ends before exposure`,
    );
  if (signFlip)
    warnings.push(
      'CUPED-adjusted and unadjusted effects have opposite signs: report both, trust neither alone',
    );
  return {
    theta,
    adjusted,
    unadjusted,
    varianceReduction: vRaw > 0 ? 1 - vAdj / vRaw : 0,
    preImbalance: { difference: pre.absolute.value, p: pre.p, imbalanced },
    signFlip,
    warnings,
  };
}
