import { describe, expect, it } from 'vitest';
import { durationDays, sampleSizeMean, sampleSizeProportion } from './power.js';

describe('power and duration', () => {
  // R: power.prop.test(p1 = 0.5, p2 = 0.75, power = 0.9) prints n = 76.7. By hand:
  // (1.959964·√(2·0.625·0.375) + 1.281552·√(0.25 + 0.1875))² / 0.25² = (1.341889 + 0.847666)²/0.0625
  // = 76.7064 (scipy brentq on R's power formula: 76.70693).
  it('proportions: matches power.prop.test', () => {
    expect(sampleSizeProportion(0.5, 0.5, 0.05, 0.9)).toBeCloseTo(76.70693, 3);
  });
  // R: power.t.test(power = 0.9, delta = 1) → n = 22.02110 (noncentral t; scipy.stats.nct: 22.021088)
  it('means: within 0.05 of power.t.test', () => {
    expect(Math.abs(sampleSizeMean(1, 1, 0.05, 0.9) - 22.0211)).toBeLessThan(0.05);
  });
  it('days: 77 per arm × 2 arms at 10 units a day, all in the test → 16 days; half in → 31', () => {
    expect(durationDays(76.7, 2, 10)).toBe(16);
    expect(durationDays(76.7, 2, 10, 0.5)).toBe(31);
  });
});
