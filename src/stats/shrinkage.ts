import { gaussianLift, PROPER_PRIOR } from './bayes.js';
import { Z95 } from './index.js';

/**
 * Empirical-Bayes shrinkage of a set of effects toward their common mean, for the winner's curse of an
 * experimentation program (the experiments that look best are, on average, those whose noise pushed
 * them up). Normal–normal model: y_i ~ N(θ_i, s_i²), θ_i ~ N(μ, τ²).
 *
 * - τ² by the DerSimonian–Laird moment estimator (DerSimonian & Laird 1986):
 *   Q = Σ w_i (y_i − ȳ_w)², w_i = 1/s_i², τ̂² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
 * - μ̂ = Σ v_i y_i / Σ v_i with v_i = 1/(s_i² + τ̂²).
 * - shrinkage factor B_i = min(1, ((k − 3)/(k − 1)) · s_i²/(s_i² + τ̂²)) — Morris (1983), "Parametric
 *   empirical Bayes inference", JASA 78, eq. 4.1: the (k − 3)/(k − 1) corrects for estimating μ and
 *   τ², and with equal s_i it is exactly the positive-part James–Stein estimator toward the grand
 *   mean (Efron & Morris 1975), which the test checks on their baseball data.
 * - θ̃_i = μ̂ + (1 − B_i)(y_i − μ̂), variance (Morris 1983, eq. 4.2)
 *   s_i²(1 − ((k − 1)/k)·B_i) + (2/(k − 3))·B_i²·(y_i − μ̂)², a normal 95 % interval.
 *
 * With fewer than 4 effects (k − 3 ≤ 0) the program says nothing about its own spread; each effect is
 * then shrunk toward zero by the documented proper prior N(0, 0.3²) on relative lift (bayes.ts),
 * which is the winner's-curse correction a single experiment can get.
 */
export interface ShrinkInput {
  readonly value: number;
  readonly se: number;
}

export interface ShrunkEffect {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly se: number;
  /** Share of the distance to the centre removed (0 = untouched, 1 = fully pooled). */
  readonly shrinkage: number;
}

export interface ShrinkageResult {
  readonly method: 'empirical-bayes' | 'prior';
  readonly k: number;
  /** Program mean μ̂ (0 under the prior). */
  readonly mean: number;
  /** Between-effect standard deviation τ̂ (the prior's sd under the prior). */
  readonly tau: number;
  readonly effects: readonly ShrunkEffect[];
}

export const MIN_EFFECTS_FOR_EB = 4;

export function shrinkEffects(input: readonly ShrinkInput[]): ShrinkageResult {
  const xs = input.filter((x) => Number.isFinite(x.value) && Number.isFinite(x.se) && x.se > 0);
  if (xs.length !== input.length)
    throw new Error('shrinkEffects: every effect needs a finite value and se > 0');
  const k = xs.length;
  if (k < MIN_EFFECTS_FOR_EB) {
    return {
      method: 'prior',
      k,
      mean: PROPER_PRIOR.mean,
      tau: PROPER_PRIOR.sd,
      effects: xs.map((x) => {
        const b = gaussianLift({ value: x.value, se: x.se }, PROPER_PRIOR);
        return {
          value: b.mean,
          low: b.low,
          high: b.high,
          se: b.sd,
          shrinkage: x.se ** 2 / (x.se ** 2 + PROPER_PRIOR.sd ** 2),
        };
      }),
    };
  }
  const w = xs.map((x) => 1 / x.se ** 2);
  const sw = w.reduce((a, b) => a + b, 0);
  const sw2 = w.reduce((a, b) => a + b * b, 0);
  const yw = xs.reduce((a, x, i) => a + w[i]! * x.value, 0) / sw;
  const q = xs.reduce((a, x, i) => a + w[i]! * (x.value - yw) ** 2, 0);
  const tau2 = Math.max(0, (q - (k - 1)) / (sw - sw2 / sw));
  const v = xs.map((x) => 1 / (x.se ** 2 + tau2));
  const sv = v.reduce((a, b) => a + b, 0);
  const mu = xs.reduce((a, x, i) => a + v[i]! * x.value, 0) / sv;
  const effects = xs.map((x) => {
    const s2 = x.se ** 2;
    const b = Math.min(1, ((k - 3) / (k - 1)) * (s2 / (s2 + tau2)));
    const value = mu + (1 - b) * (x.value - mu);
    const variance = s2 * (1 - ((k - 1) / k) * b) + (2 / (k - 3)) * b * b * (x.value - mu) ** 2;
    const se = Math.sqrt(Math.max(0, variance));
    return { value, low: value - Z95 * se, high: value + Z95 * se, se, shrinkage: b };
  });
  return { method: 'empirical-bayes', k, mean: mu, tau: Math.sqrt(tau2), effects };
}
