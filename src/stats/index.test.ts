import { describe, expect, it } from 'vitest';
import {
  isSmallSample,
  mean,
  nps,
  npsDifference,
  stratifiedRiskDifference,
  twoProportions,
  wilson,
} from './index.js';

describe('wilson', () => {
  // Newcombe (1998), Statistics in Medicine 17:857–872, Table I: 81/263 → 0.2553–0.3662
  it('matches Newcombe 1998 example', () => {
    const iv = wilson(81, 263);
    expect(iv.low).toBeCloseTo(0.2553, 4);
    expect(iv.high).toBeCloseTo(0.3662, 4);
  });
  // Newcombe Table I: 0/10 → 0–0.2775; 10/10 → 0.7225–1
  it.each([
    [0, 10, 0, 0.2775],
    [10, 10, 0.7225, 1],
  ])('edge %i/%i', (k, n, lo, hi) => {
    const iv = wilson(k, n);
    expect(iv.low).toBeCloseTo(lo, 4);
    expect(iv.high).toBeCloseTo(hi, 4);
  });
  it('n = 0 is NaN, not a crash', () => expect(Number.isNaN(wilson(0, 0).value)).toBe(true));
});

describe('nps', () => {
  it('hand-computed: 50 promoters, 30 passives, 20 detractors', () => {
    // NPS = 0.5 − 0.2 = 0.3; var = (0.5 + 0.2 − 0.09)/100 = 0.0061; se = 0.078102
    const iv = nps(50, 30, 20);
    expect(iv.value).toBeCloseTo(30, 10);
    expect(iv.low).toBeCloseTo(100 * (0.3 - 1.959964 * 0.0781025), 3);
    expect(iv.high).toBeCloseTo(100 * (0.3 + 1.959964 * 0.0781025), 3);
  });
  it('all promoters: 100 with a zero-width interval', () => {
    expect(nps(7, 0, 0)).toEqual({ value: 100, low: 100, high: 100, n: 7 });
  });
  it('difference of two equal groups is 0 with p = 1', () => {
    const r = npsDifference(
      { promoters: 5, passives: 3, detractors: 2 },
      { promoters: 5, passives: 3, detractors: 2 },
    );
    expect(r.difference).toBe(0);
    expect(r.p).toBeCloseTo(1, 10);
  });
});

describe('mean', () => {
  it('t interval of 1..5', () => {
    // mean 3, sd 1.5811, se 0.70711, t(0.975, 4) = 2.776445
    const iv = mean({ n: 5, sum: 15, sumSq: 55 });
    expect(iv.value).toBe(3);
    expect(iv.low).toBeCloseTo(3 - 2.776445 * Math.SQRT1_2, 5);
  });
});

describe('twoProportions', () => {
  // Cookie Cats published figures: 7-day retention 19.02% (n 44,700) vs 18.20% (n 45,489), p ≈ 0.0016
  it('reproduces the cookie-cats 7-day result', () => {
    const r = twoProportions(8502, 44700, 8279, 45489);
    expect(r.p).toBeGreaterThan(0.001);
    expect(r.p).toBeLessThan(0.0025);
  });
});

describe('stratifiedRiskDifference', () => {
  it('one stratum equals the plain difference', () => {
    const r = stratifiedRiskDifference([{ k1: 30, n1: 100, k2: 20, n2: 100 }]);
    expect(r.difference).toBeCloseTo(0.1, 10);
  });
  it('removes a mix effect (Simpson) that the pooled difference shows', () => {
    // within each stratum the rates are equal; pooled they differ because of mix
    const strata = [
      { k1: 80, n1: 100, k2: 8, n2: 10 },
      { k1: 2, n1: 10, k2: 20, n2: 100 },
    ];
    expect(stratifiedRiskDifference(strata).difference).toBeCloseTo(0, 10);
  });
});

describe('isSmallSample', () => {
  it('flags n < 30 and wide intervals', () => {
    expect(isSmallSample(wilson(3, 5))).toBe(true);
    expect(isSmallSample(wilson(500, 1000))).toBe(false);
  });
});
