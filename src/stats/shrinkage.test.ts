import { describe, expect, it } from 'vitest';
import { shrinkEffects } from './shrinkage.js';

describe('empirical-Bayes shrinkage of program effects', () => {
  it('is the James–Stein estimator of Efron & Morris on their baseball data when the variances are equal', () => {
    // Efron & Morris (1975, JASA 70; 1977, Scientific American "Stein's paradox in statistics"):
    // batting averages of 18 players after 45 at-bats; grand mean .265, shrinking factor c = .212,
    // Clemente's .400 shrunk to about .294, Alvis's .156 to .242.
    const y = [
      0.4, 0.378, 0.356, 0.333, 0.311, 0.311, 0.289, 0.267, 0.244, 0.244, 0.222, 0.222, 0.222, 0.222, 0.222,
      0.2, 0.178, 0.156,
    ];
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const se = Math.sqrt((mean * (1 - mean)) / 45);
    const r = shrinkEffects(y.map((value) => ({ value, se })));
    expect(r.method).toBe('empirical-bayes');
    expect(r.mean).toBeCloseTo(0.265, 3);
    const c = 1 - r.effects[0]!.shrinkage;
    expect(c).toBeCloseTo(0.212, 3);
    expect(r.effects[0]!.value).toBeCloseTo(0.294, 3);
    expect(r.effects[17]!.value).toBeCloseTo(0.242, 3);
    // every estimate moves toward the mean, none crosses it
    for (let i = 0; i < y.length; i++) {
      const d0 = y[i]! - r.mean;
      const d1 = r.effects[i]!.value - r.mean;
      expect(Math.abs(d1)).toBeLessThanOrEqual(Math.abs(d0) + 1e-12);
      expect(d0 * d1).toBeGreaterThanOrEqual(0);
    }
  });

  it('weights unequal variances (DerSimonian–Laird τ², Morris 1983 factor), values checked by hand', () => {
    // y = .10 .02 −.04 .00, se = .05 .02 .04 .02 → w = 400, 2500, 625, 2500 (Σ 6025);
    // ȳ_w = (40 + 50 − 25 + 0)/6025 = .010788; Q = 5.29876; Σw² = 12,800,625;
    // τ̂² = (5.29876 − 3)/(6025 − 12,800,625/6025) = .00059570; μ̂ = .0122607;
    // B₁ = (1/3)·.0025/(.0025 + .0005957) = .26919 → θ̃₁ = .0122607 + .73081·(.10 − .0122607) = .076381.
    // (re-computed in Python with the same formulas)
    const r = shrinkEffects([
      { value: 0.1, se: 0.05 },
      { value: 0.02, se: 0.02 },
      { value: -0.04, se: 0.04 },
      { value: 0, se: 0.02 },
    ]);
    expect(r.tau ** 2).toBeCloseTo(0.0005956989, 9);
    expect(r.mean).toBeCloseTo(0.0122606987, 9);
    expect(r.effects.map((e) => e.value)).toEqual([
      expect.closeTo(0.0763813968, 9),
      expect.closeTo(0.0189636357, 9),
      expect.closeTo(-0.0273059224, 9),
      expect.closeTo(0.0016418214, 9),
    ]);
    expect(r.effects[0]!.se).toBeCloseTo(0.0557758396, 9);
    // the noisiest effect is shrunk most
    expect(r.effects[0]!.shrinkage).toBeGreaterThan(r.effects[1]!.shrinkage);
  });

  it('with fewer than four effects shrinks each toward zero by the proper prior N(0, 0.3²)', () => {
    // conjugate: .10 · .09/(.09 + .01) = .09; sd = √(.01·.09/.1) = .0948683
    const r = shrinkEffects([
      { value: 0.1, se: 0.1 },
      { value: -0.02, se: 0.01 },
    ]);
    expect(r.method).toBe('prior');
    expect(r.effects[0]!.value).toBeCloseTo(0.09, 12);
    expect(r.effects[0]!.se).toBeCloseTo(0.0948683298, 9);
    expect(r.effects[1]!.value).toBeCloseTo(-0.02 * (0.09 / 0.0901), 12);
  });

  it('refuses an effect without a standard error', () => {
    expect(() => shrinkEffects([{ value: 0.1, se: 0 }])).toThrow(/se > 0/);
  });
});
