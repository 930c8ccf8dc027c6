import { describe, expect, it } from 'vitest';
import { cuped } from './cuped.js';

const sums = (x: number[], y: number[]) => ({
  n: x.length,
  sumX: x.reduce((a, b) => a + b, 0),
  sumY: y.reduce((a, b) => a + b, 0),
  sumXX: x.reduce((a, b) => a + b * b, 0),
  sumYY: y.reduce((a, b) => a + b * b, 0),
  sumXY: x.reduce((a, b, i) => a + b * y[i]!, 0),
});
const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const varOf = (v: number[]) => {
  const m = meanOf(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1);
};

describe('cuped', () => {
  // Reference computed the long way (Deng et al. 2013, §3.3): θ from all units, each unit adjusted
  // to y − θ(x − x̄), then Welch on the adjusted units.
  const cx = [12, 8, 15, 20, 5, 9, 14, 11, 7, 16];
  const cy = [14, 9, 15, 24, 6, 10, 16, 12, 9, 18];
  const tx = [10, 9, 17, 18, 6, 12, 13, 10, 8, 15];
  const ty = [13, 11, 20, 22, 9, 15, 16, 12, 10, 19];
  it('matches the unit-level adjustment', () => {
    const x = [...cx, ...tx];
    const y = [...cy, ...ty];
    const mx = meanOf(x);
    const theta = x.reduce((a, xi, i) => a + (xi - mx) * (y[i]! - meanOf(y)), 0) / (x.length - 1) / varOf(x);
    const adj = (xs: number[], ys: number[]) => ys.map((yi, i) => yi - theta * (xs[i]! - mx));
    const ac = adj(cx, cy);
    const at = adj(tx, ty);
    const r = cuped(sums(cx, cy), sums(tx, ty));
    expect(r.theta).toBeCloseTo(theta, 10);
    expect(r.adjusted.absolute.value).toBeCloseTo(meanOf(at) - meanOf(ac), 10);
    const se = Math.sqrt(varOf(ac) / 10 + varOf(at) / 10);
    expect(r.adjusted.statistic).toBeCloseTo((meanOf(at) - meanOf(ac)) / se, 8);
    expect(r.unadjusted.absolute.value).toBeCloseTo(meanOf(ty) - meanOf(cy), 10);
    // strongly correlated pre-period: most of the variance goes
    expect(r.varianceReduction).toBeGreaterThan(0.8);
    expect(r.adjusted.p).toBeLessThan(r.unadjusted.p);
    expect(r.warnings).toEqual([]);
  });
  // θ by hand: x = 1,2,3,4,3,4,5,6 and y = 1,2,3,4,2.5,3.5,4.5,5.5 → θ = 8/9 = 0.8889.
  // Unadjusted 4 − 2.5 = 1.5; adjusted 1.5 − θ·(4.5 − 2.5) = −0.2778: opposite signs.
  it('flags adjusted and unadjusted effects of opposite sign', () => {
    const r = cuped(sums([1, 2, 3, 4], [1, 2, 3, 4]), sums([3, 4, 5, 6], [2.5, 3.5, 4.5, 5.5]));
    expect(r.theta).toBeCloseTo(8 / 9, 12);
    expect(r.adjusted.absolute.value).toBeCloseTo(1.5 - (8 / 9) * 2, 12);
    expect(r.signFlip).toBe(true);
    expect(r.warnings.join(' ')).toMatch(/opposite signs/);
  });
  it('flags a pre-period imbalance between arms', () => {
    const c = Array.from({ length: 200 }, (_, i) => i % 10);
    const t = c.map((v) => v + 3);
    const r = cuped(sums(c, c), sums(t, t));
    expect(r.preImbalance.imbalanced).toBe(true);
    expect(r.warnings.join(' ')).toMatch(/pre-period imbalance/);
  });
});
