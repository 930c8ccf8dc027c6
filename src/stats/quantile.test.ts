import { describe, expect, it } from 'vitest';
import { quantileDifference, quantileRanks } from './quantile.js';

describe('quantileRanks', () => {
  // Median of n = 100: the exact binomial interval is X(40) … X(61), since for B ~ Bin(100, 0.5)
  // P(B ≤ 39) = 0.0176 and P(B ≤ 60) = 0.9824 (Conover 1999, §3.2; scipy.stats.binom.cdf).
  // Normal approximation: 50 ∓ 1.959964·5 = 40.2 … 59.8 → ⌊40.2⌋ = 40, ⌈59.8⌉ + 1 = 61.
  it('median of 100 values: point rank 50, interval ranks 40 … 61', () => {
    expect(quantileRanks(100, 0.5)).toEqual({ point: 50, low: 40, high: 61 });
  });
  // P90 of n = 1,000: 900 ∓ 1.959964·√90 = 900 ∓ 18.594 → 881 … 919 + 1
  it('P90 of 1,000 values', () => {
    expect(quantileRanks(1000, 0.9)).toEqual({ point: 900, low: 881, high: 920 });
  });
  it('clamps to 1 … n for tiny samples', () => {
    expect(quantileRanks(3, 0.5)).toEqual({ point: 2, low: 1, high: 3 });
  });
});

describe('quantileDifference', () => {
  it('combines the two arms’ interval widths as standard errors', () => {
    // se = 3.919928/(2·1.959964) = 1 in each arm → ±1.959964·√2
    const r = quantileDifference(
      { value: 10, low: 10 - 1.959964, high: 10 + 1.959964 },
      { value: 12, low: 12 - 1.959964, high: 12 + 1.959964 },
    );
    expect(r.value).toBe(2);
    expect(r.high - r.value).toBeCloseTo(1.959964 * Math.SQRT2, 5);
  });
});
