import { describe, expect, it } from 'vitest';
import { clusteredMean, clusteredSlope } from './cluster.js';
import { mean } from './index.js';

describe('clusteredSlope', () => {
  it('matches the CR1 sandwich computed by hand', () => {
    // clusters A: (0,1),(1,2)  B: (0,2),(1,4)  C: (0,0),(1,3)
    // x̄ = .5, ȳ = 2, Sxx = 1.5, Sxy = 3 → b = 2, a = 1; residuals A: 0,−1  B: 1,1  C: −1,0
    // cluster scores Σ(x−x̄)e: A −.5, B 0, C .5 → meat .5; CR0 = .5/1.5² = .2222;
    // CR1 factor 3/2 · 5/4 = 1.875 → V = .41667, se = .64550; t(2, .975) = 4.302653
    const r = clusteredSlope([0, 1, 0, 1, 0, 1], [1, 2, 2, 4, 0, 3], ['A', 'A', 'B', 'B', 'C', 'C']);
    expect(r.value).toBeCloseTo(2, 12);
    expect(r.intercept).toBeCloseTo(1, 12);
    expect(r.se).toBeCloseTo(Math.sqrt((0.5 / 2.25) * 1.875), 12);
    expect(r.se).toBeCloseTo(0.645497, 5);
    expect(r.high - r.value).toBeCloseTo(4.302653 * 0.645497, 4);
    expect(r).toMatchObject({ n: 6, clusters: 3 });
  });

  it('gives no interval with one cluster or no spread in x', () => {
    expect(clusteredSlope([0, 1, 2], [1, 2, 3], ['a', 'a', 'a']).se).toBeNaN();
    expect(clusteredSlope([1, 1, 1], [1, 2, 3], ['a', 'b', 'c']).value).toBeNaN();
  });
});

describe('clusteredMean', () => {
  it('equals the ordinary t interval with one observation per cluster (G/(G−1)·Σe²/n² = s²/n)', () => {
    const y = [3, 5, 6, 9, 2];
    const r = clusteredMean(y, ['a', 'b', 'c', 'd', 'e']);
    const sum = y.reduce((s, v) => s + v, 0);
    const ref = mean({ n: 5, sum, sumSq: y.reduce((s, v) => s + v * v, 0) });
    expect(r.value).toBe(5);
    expect(r.low).toBeCloseTo(ref.low, 12);
    expect(r.high).toBeCloseTo(ref.high, 12);
  });

  it('widens when answers repeat within a cluster', () => {
    // two employees answering twice each: cluster sums of deviations (−3, 3) around 5
    // V = 2/1 · (9 + 9) / 16 = 2.25 → se 1.5
    const r = clusteredMean([3.5, 3.5, 6.5, 6.5], ['a', 'a', 'b', 'b']);
    expect(r.value).toBe(5);
    expect(r.se).toBeCloseTo(1.5, 12);
  });
});
