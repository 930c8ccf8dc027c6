import { describe, expect, it } from 'vitest';
import { ols, olsGrouped } from './ols.js';

// R's `cars` data (Ezekiel 1930): speed (mph) and stopping distance (ft) of 50 cars.
const speed = [
  4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15, 15, 16, 16,
  17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23, 24, 24, 24, 24, 25,
];
const dist = [
  2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60, 80, 20, 26, 54, 32,
  40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66, 54, 70, 92, 93, 120, 85,
];

describe('ols', () => {
  // R: summary(lm(dist ~ speed, data = cars)):
  //   (Intercept) −17.5791 (Std. Error 6.7584), speed 3.9324 (0.4155),
  //   Residual standard error 15.38 on 48 degrees of freedom, Multiple R-squared 0.6511.
  it("matches R's lm on the cars data", () => {
    const fit = ols(
      speed.map((s) => [1, s]),
      dist,
    );
    expect(fit.beta[0]).toBeCloseTo(-17.5791, 4);
    expect(fit.beta[1]).toBeCloseTo(3.9324, 4);
    expect(fit.se[0]).toBeCloseTo(6.7584, 4);
    expect(fit.se[1]).toBeCloseTo(0.4155, 4);
    expect(Math.sqrt(fit.sigma2)).toBeCloseTo(15.38, 2);
    expect(fit.r2).toBeCloseTo(0.6511, 4);
    expect(fit.n).toBe(50);
  });
  it('grouped observations give the same fit as the rows', () => {
    const groups = new Map<number, { n: number; sumY: number; sumYY: number }>();
    speed.forEach((s, i) => {
      const g = groups.get(s) ?? { n: 0, sumY: 0, sumYY: 0 };
      groups.set(s, { n: g.n + 1, sumY: g.sumY + dist[i]!, sumYY: g.sumYY + dist[i]! ** 2 });
    });
    const fit = olsGrouped([...groups].map(([s, g]) => ({ x: [1, s], ...g })));
    expect(fit.beta[1]).toBeCloseTo(3.9324, 4);
    expect(fit.se[1]).toBeCloseTo(0.4155, 4);
    expect(fit.r2).toBeCloseTo(0.6511, 4);
  });
  it('a column that is always 0 gets a 0 coefficient instead of failing (pseudo-inverse)', () => {
    const fit = ols(
      speed.map((s) => [1, s, 0]),
      dist,
    );
    expect(fit.beta[2]).toBe(0);
    expect(fit.beta[1]).toBeCloseTo(3.9324, 4);
  });
});
