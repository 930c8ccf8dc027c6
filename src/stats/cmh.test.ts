import { describe, expect, it } from 'vitest';
import { cochranMantelHaenszel } from './cmh.js';

describe('cochranMantelHaenszel', () => {
  it('matches R mantelhaen.test on the Rabbits data (Agresti 1990): X² = 3.9286, p = 0.04747', () => {
    // R: array(c(0,0,6,5, 3,0,3,6, 6,2,0,4, 5,6,1,0, 2,5,0,0), dim = c(2, 2, 5)); rows are the groups
    const cells = [
      [0, 0, 6, 5],
      [3, 0, 3, 6],
      [6, 2, 0, 4],
      [5, 6, 1, 0],
      [2, 5, 0, 0],
    ];
    const strata = cells.map(([a, c, b, d]) => ({ k1: a!, n1: a! + b!, k2: c!, n2: c! + d! }));
    const r = cochranMantelHaenszel(strata);
    expect(r.statistic).toBeCloseTo(3.9286, 4);
    expect(r.p).toBeCloseTo(0.04747, 5);
    expect(r.strata).toBe(5);
  });

  it('does not call 0 of 2 against 26 of 43 significant', () => {
    expect(cochranMantelHaenszel([{ k1: 0, n1: 2, k2: 26, n2: 43 }]).p).toBeGreaterThan(0.05);
  });
});
