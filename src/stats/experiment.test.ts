import { describe, expect, it } from 'vitest';
import {
  armOfCounts,
  compareMeans,
  compareProportions,
  relativeLift,
  responseRateGuardrail,
  sampleRatioMismatch,
} from './experiment.js';

const moments = (xs: number[]) => ({
  n: xs.length,
  sum: xs.reduce((a, b) => a + b, 0),
  sumSq: xs.reduce((a, b) => a + b * b, 0),
});

describe('compareProportions (two-proportion z-test)', () => {
  // Cookie Cats (Kaggle / DataCamp "Mobile Games A/B Testing"): gate_30 20,034/44,700 vs gate_40
  // 20,119/45,489 retained on day 1; published 44.8188 % vs 44.2283 %, p = 0.0744. scipy 1.17
  // chi2_contingency([[20034, 24666], [20119, 25370]], correction=False): p = 0.074410, √χ² = 1.78409.
  it('reproduces the Cookie Cats day-1 retention test', () => {
    const r = compareProportions({ k: 20034, n: 44700 }, { k: 20119, n: 45489 });
    expect(r.control.mean).toBeCloseTo(0.448188, 6);
    expect(r.treatment.mean).toBeCloseTo(0.442283, 6);
    expect(r.statistic).toBeCloseTo(-1.78409, 4);
    expect(r.p).toBeCloseTo(0.07441, 5);
    // unpooled interval, by hand: √(p₁q₁/n₁ + p₂q₂/n₂) = 0.0033098
    const se = Math.sqrt((0.448188 * 0.551812) / 44700 + (0.442283 * 0.557717) / 45489);
    expect(r.absolute.high - r.absolute.value).toBeCloseTo(1.959964 * se, 6);
  });
  // 7-day: 8,502/44,700 vs 8,279/45,489: published p = 0.00155; scipy p = 0.0015542, √χ² = 3.16436
  it('reproduces the Cookie Cats day-7 retention test', () => {
    const r = compareProportions({ k: 8502, n: 44700 }, { k: 8279, n: 45489 });
    expect(r.p).toBeCloseTo(0.0015542, 6);
    expect(Math.abs(r.statistic)).toBeCloseTo(3.16436, 4);
  });
  it('two identical arms: difference 0, p = 1; no successes anywhere: p = 1, not NaN', () => {
    expect(compareProportions({ k: 5, n: 10 }, { k: 5, n: 10 }).p).toBeCloseTo(1, 12);
    expect(compareProportions({ k: 0, n: 10 }, { k: 0, n: 10 }).p).toBe(1);
  });
});

describe('compareMeans (Welch t-test)', () => {
  // R: t.test(extra ~ group, data = sleep) (Student 1908 sleep data), Welch: t = −1.8608,
  // df = 17.776, p = 0.07939, 95% CI −3.3654832 … 0.2054832 for group1 − group2. Here treatment =
  // group 2, so the signs flip. scipy ttest_ind(g2, g1, equal_var=False) agrees: t = 1.860813.
  const g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
  it("matches R's t.test on the sleep data", () => {
    const r = compareMeans(moments(g1), moments(g2));
    expect(r.absolute.value).toBeCloseTo(1.58, 10);
    expect(r.statistic).toBeCloseTo(1.860813, 5);
    expect(r.df).toBeCloseTo(17.776474, 5);
    expect(r.p).toBeCloseTo(0.0793941, 6);
    expect(r.absolute.low).toBeCloseTo(-0.2054832, 6);
    expect(r.absolute.high).toBeCloseTo(3.3654832, 6);
  });
  it('relative lift by the delta method, by hand on the sleep data', () => {
    // means 0.75 and 2.33; s² = 3.200556 and 4.009000; Var(mean) = s²/10
    // rel = 2.33/0.75 − 1 = 2.106667; Var = 0.4009/0.5625 + 2.33²·0.3200556/0.75⁴ = 0.712711 + 5.491541 (se 2.490828)
    const r = compareMeans(moments(g1), moments(g2));
    expect(r.relative.value).toBeCloseTo(2.106667, 5);
    const se = Math.sqrt(0.4009 / 0.5625 + (2.33 ** 2 * 0.32005556) / 0.75 ** 4);
    expect(se).toBeCloseTo(2.490828, 5);
    expect(r.relative.high - r.relative.value).toBeCloseTo(1.959964 * se, 5);
  });
});

describe('relativeLift', () => {
  it('proportions 0.10 → 0.12 with n = 10,000 each, by hand', () => {
    // Var = 0.12·0.88/10⁴/0.01 + 0.0144·0.09/10⁴/10⁻⁴ = 0.001056 + 0.001296 = 0.002352
    const r = relativeLift(armOfCounts(1000, 10000), armOfCounts(1200, 10000));
    expect(r.value).toBeCloseTo(0.2, 12);
    expect(r.se).toBeCloseTo(Math.sqrt(0.002352), 10);
  });
});

describe('sampleRatioMismatch', () => {
  // Cookie Cats: 44,700 vs 45,489 planned 50/50; scipy chisquare: χ² = 6.902405, p = 0.008608
  it('Cookie Cats: p = 0.0086, no mismatch at 0.001', () => {
    const r = sampleRatioMismatch([44700, 45489]);
    expect(r.statistic).toBeCloseTo(6.902405, 5);
    expect(r.p).toBeCloseTo(0.008608, 6);
    expect(r.mismatch).toBe(false);
  });
  it('50,000 vs 51,000 is no mismatch at 0.001; 50,000 vs 51,500 is', () => {
    // χ² = 2·500²/50,500 = 9.901, p = 0.00165 > 0.001
    expect(sampleRatioMismatch([50000, 51000]).mismatch).toBe(false);
    // χ² = 2·750²/50,750 = 22.167, p = 2.5e-6
    const r = sampleRatioMismatch([50000, 51500]);
    expect(r.statistic).toBeCloseTo(22.1675, 3);
    expect(r.mismatch).toBe(true);
  });
  it('honours planned weights: 2,000 vs 1,000 planned 2:1 is no mismatch', () => {
    const r = sampleRatioMismatch([2000, 1000], [2, 1]);
    expect(r.statistic).toBe(0);
    expect(r.p).toBe(1);
  });
});

describe('responseRateGuardrail', () => {
  it('flags a treatment that changes who answers (30 % vs 36 % of 2,000)', () => {
    // pooled p = 0.33, se = √(0.33·0.67·(2/2000)) = 0.014869, z = 4.035, p = 5.5e-5
    const r = responseRateGuardrail({ responded: 600, n: 2000 }, { responded: 720, n: 2000 });
    expect(r.biased).toBe(true);
    expect(r.p).toBeLessThan(0.0001);
    expect(responseRateGuardrail({ responded: 600, n: 2000 }, { responded: 610, n: 2000 }).biased).toBe(
      false,
    );
  });
});
