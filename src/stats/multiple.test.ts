import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, holm } from './multiple.js';

// p = (0.01, 0.04, 0.03, 0.005, 0.2), m = 5. By hand as R's p.adjust:
// Holm: sorted 0.005·5 = 0.025, 0.01·4 = 0.04, 0.03·3 = 0.09, 0.04·2 = 0.08 → 0.09 (running max), 0.2·1.
// BH: from the largest, p·m/rank with a running min: 0.2, 0.05, 0.05, 0.025, 0.025
// (scipy.stats.false_discovery_control gives the same [0.025, 0.05, 0.05, 0.025, 0.2]).
const ps = [0.01, 0.04, 0.03, 0.005, 0.2];

describe('multiple-testing correction', () => {
  it('Holm', () => {
    const r = holm(ps);
    for (const [i, v] of [0.04, 0.09, 0.09, 0.025, 0.2].entries()) expect(r[i]).toBeCloseTo(v, 12);
  });
  it('Benjamini–Hochberg', () => {
    const r = benjaminiHochberg(ps);
    for (const [i, v] of [0.025, 0.05, 0.05, 0.025, 0.2].entries()) expect(r[i]).toBeCloseTo(v, 12);
  });
  it('caps at 1 and keeps an empty family empty', () => {
    expect(holm([0.6, 0.7])).toEqual([1, 1]);
    expect(benjaminiHochberg([])).toEqual([]);
  });
});
