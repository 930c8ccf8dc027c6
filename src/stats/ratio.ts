import type { ArmSummary } from './experiment.js';

/**
 * Per-unit sums of a ratio metric's arm: Y the numerator (revenue, contacts, CSAT points), X the
 * denominator (visits, orders, answers), both per randomisation unit.
 */
export interface RatioMoments {
  readonly n: number;
  readonly sumY: number;
  readonly sumX: number;
  readonly sumYY: number;
  readonly sumXX: number;
  readonly sumXY: number;
}

/**
 * A ratio metric ΣY/ΣX of one arm with its delta-method variance (Deng, Knoblich & Lu 2018,
 * "Applying the Delta Method in Metric Analytics", eq. 2): the units are independent, the events
 * inside a unit are not, so the variance is that of the unit-level linearisation
 * (Y − R·X)/x̄: Var(R) ≈ (s_Y² − 2R·s_XY + R²·s_X²) / (n·x̄²), sample (co)variances with n − 1.
 */
export function ratioArm(m: RatioMoments): ArmSummary {
  const r = m.sumY / m.sumX;
  const xBar = m.sumX / m.n;
  const d = m.n - 1;
  const sYY = (m.sumYY - (m.sumY * m.sumY) / m.n) / d;
  const sXX = (m.sumXX - (m.sumX * m.sumX) / m.n) / d;
  const sXY = (m.sumXY - (m.sumX * m.sumY) / m.n) / d;
  const v = Math.max(0, sYY - 2 * r * sXY + r * r * sXX) / (m.n * xBar * xBar);
  return { n: m.n, mean: r, varMean: v };
}
