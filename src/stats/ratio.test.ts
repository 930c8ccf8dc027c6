import { describe, expect, it } from 'vitest';
import { compareSummaries } from './experiment.js';
import { ratioArm } from './ratio.js';

const sums = (units: [number, number][]) => ({
  n: units.length,
  sumX: units.reduce((a, [x]) => a + x, 0),
  sumY: units.reduce((a, [, y]) => a + y, 0),
  sumXX: units.reduce((a, [x]) => a + x * x, 0),
  sumYY: units.reduce((a, [, y]) => a + y * y, 0),
  sumXY: units.reduce((a, [x, y]) => a + x * y, 0),
});

describe('ratioArm (delta method)', () => {
  // Units (orders, contacts) = (1, 2), (2, 2), (3, 5): R = 9/6 = 1.5, x̄ = 2. By hand, the
  // linearised units (y − R·x)/x̄ are 0.25, −0.5, 0.25 with mean 0 and sample variance 0.1875,
  // so Var(R) = 0.1875/3 = 0.0625 (Deng, Knoblich & Lu 2018, eq. 2).
  it('contacts per order, by hand', () => {
    const r = ratioArm(
      sums([
        [1, 2],
        [2, 2],
        [3, 5],
      ]),
    );
    expect(r.mean).toBe(1.5);
    expect(r.varMean).toBeCloseTo(0.0625, 12);
  });
  it('equals the sample variance of the linearised units on a larger fixture', () => {
    const units: [number, number][] = [
      [1, 20],
      [3, 45],
      [2, 0],
      [5, 120],
      [1, 15],
      [4, 52],
      [2, 31],
      [6, 99],
    ];
    const r = ratioArm(sums(units));
    const R = units.reduce((a, [, y]) => a + y, 0) / units.reduce((a, [x]) => a + x, 0);
    const xBar = units.reduce((a, [x]) => a + x, 0) / units.length;
    const u = units.map(([x, y]) => (y - R * x) / xBar);
    const m = u.reduce((a, b) => a + b, 0) / u.length;
    const s2 = u.reduce((a, b) => a + (b - m) ** 2, 0) / (u.length - 1);
    expect(r.varMean).toBeCloseTo(s2 / u.length, 10);
  });
  it('compares two arms of revenue per visitor', () => {
    const c = ratioArm(
      sums([
        [1, 2],
        [2, 2],
        [3, 5],
      ]),
    );
    const t = ratioArm(
      sums([
        [1, 3],
        [2, 3],
        [3, 6],
      ]),
    );
    // t: R = 2, x̄ = 2, u = 0.5, −0.5, 0 → s² = 0.25, Var = 0.25/3
    const r = compareSummaries(c, t, 2, 2);
    expect(r.absolute.value).toBe(0.5);
    expect(r.statistic).toBeCloseTo(0.5 / Math.sqrt(0.0625 + 0.25 / 3), 10);
  });
});
