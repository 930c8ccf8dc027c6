import { describe, expect, it } from 'vitest';
import { seeded } from './random.js';
import { percentile, poissonWeights, standardisedDifference } from './standardised.js';

describe('standardisedDifference (standardised to the exposed)', () => {
  it('compares the exposed with comparable people of their own strata, by hand', () => {
    // stratum 1: 10 exposed, 4 events; 90 comparable, 9 events (10%)
    // stratum 2: 30 exposed, 3 events; 20 comparable, 1 event (5%)
    // stratum 3: 5 exposed, 5 events; nobody comparable → left out
    const r = standardisedDifference([
      { nE: 10, dE: 4, nU: 90, dU: 9 },
      { nE: 30, dE: 3, nU: 20, dU: 1 },
      { nE: 5, dE: 5, nU: 0, dU: 0 },
      { nE: 0, dE: 0, nU: 50, dU: 40 },
    ]);
    // exposed 7/40 = 0.175; expected (10·0.10 + 30·0.05)/40 = 2.5/40 = 0.0625
    expect(r.exposedRate).toBeCloseTo(0.175, 12);
    expect(r.comparableRate).toBeCloseTo(0.0625, 12);
    expect(r.difference).toBeCloseTo(0.1125, 12);
    expect(r.exposedCompared).toBe(40);
    expect(r.exposedUnmatched).toBe(5);
    expect(r.strata).toBe(2);
  });

  it('is not fooled by mix: equal rates within strata give no difference where the raw rates differ', () => {
    // exposed are mostly in the high-churn stratum; within each stratum the rates are equal
    const strata = [
      { nE: 80, dE: 24, nU: 20, dU: 6 }, // 30% both
      { nE: 20, dE: 1, nU: 180, dU: 9 }, // 5% both
    ];
    const raw = 25 / 100 - 15 / 200; // 0.25 vs 0.075: a raw comparison would call it an effect
    expect(raw).toBeGreaterThan(0.1);
    expect(standardisedDifference(strata).difference).toBeCloseTo(0, 12);
  });

  it('returns NaN with nothing to compare', () => {
    expect(standardisedDifference([{ nE: 3, dE: 1, nU: 0, dU: 0 }]).difference).toBeNaN();
  });
});

describe('poissonWeights', () => {
  it('draws Poisson(1) weights reproducibly: mean ≈ 1, variance ≈ 1, P(0) ≈ e^-1', () => {
    const w = poissonWeights(20_000, 5, seeded(7));
    expect(w).toEqual(poissonWeights(20_000, 5, seeded(7)));
    const n = w.length;
    const mean = w.reduce((s, x) => s + x, 0) / n;
    const variance = w.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    const zeros = w.filter((x) => x === 0).length / n;
    // n = 100,000 draws: the standard error of the mean is 1/√n ≈ 0.0032
    expect(Math.abs(mean - 1)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(Math.abs(zeros - Math.exp(-1))).toBeLessThan(0.01);
  });
});

describe('percentile (R type 7)', () => {
  it.each([
    [0, 1],
    [0.5, 2.5],
    [0.25, 1.75],
    [1, 4],
  ])('quantile %f of 1..4 is %f (R: quantile(1:4, q))', (q, v) => {
    expect(percentile([4, 2, 1, 3], q)).toBeCloseTo(v, 12);
  });
});
