import { describe, expect, it } from 'vitest';
import { ari, jaccard, silhouette } from './clustering.js';

describe('adjusted Rand index', () => {
  // scikit-learn's adjusted_rand_score documentation examples
  it.each([
    [['0', '0', '1', '1'], ['1', '1', '0', '0'], 1],
    [['0', '0', '1', '2'], ['0', '0', '1', '1'], 0.5714285714285715],
    [['0', '0', '1', '1'], ['0', '1', '0', '1'], -0.5],
  ])('%j vs %j = %d', (a, b, want) => {
    expect(ari(a, b)).toBeCloseTo(want, 12);
  });
});

describe('silhouette', () => {
  it('matches the hand computation on four points on a line', () => {
    // 0,1 | 4,5: s = 1 − 1/4.5, 1 − 1/3.5, 1 − 1/3.5, 1 − 1/4.5
    const want = (2 * (1 - 1 / 4.5) + 2 * (1 - 1 / 3.5)) / 4;
    expect(silhouette([[0], [1], [4], [5]], [0, 0, 1, 1])).toBeCloseTo(want, 12);
  });
  it('is 0 for one cluster and a singleton counts 0', () => {
    expect(silhouette([[0], [1]], [0, 0])).toBe(0);
    // 0 | 1,3: s(0)=0 (alone); s(1): a=2, b=1 → −0.5; s(3): a=2, b=3 → 1/3
    expect(silhouette([[0], [1], [3]], [0, 1, 1])).toBeCloseTo((0 - 0.5 + 1 / 3) / 3, 12);
  });
});

describe('jaccard', () => {
  it('is |A∩B| / |A∪B|', () => {
    expect(jaccard(new Set([1, 2, 3]), new Set([2, 3, 4, 5]))).toBeCloseTo(2 / 5, 12);
    expect(jaccard(new Set(), new Set())).toBe(1);
  });
});
