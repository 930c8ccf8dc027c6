import { describe, expect, it } from 'vitest';
import { ari, bestMatchF1, jaccard, nmi, silhouette } from './clustering.js';

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

describe('nmi and bestMatchF1', () => {
  it('nmi: 1 for the same partition under other names, 0 for independent ones, a hand-computed middle', () => {
    expect(nmi(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y'])).toBeCloseTo(1, 12);
    expect(nmi(['a', 'a', 'b', 'b'], ['x', 'y', 'x', 'y'])).toBeCloseTo(0, 12);
    // a = 0 0 1 1, b = 0 0 0 1: H(a) = ln 2, H(b) = −(¾ ln ¾ + ¼ ln ¼),
    // I = ½ ln(½/(½·¾))·… computed term by term: (2/4)ln((2·4)/(2·3)) + (1/4)ln((1·4)/(2·3)) + (1/4)ln((1·4)/(2·1))
    const hA = Math.log(2);
    const hB = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    const i = 0.5 * Math.log(8 / 6) + 0.25 * Math.log(4 / 6) + 0.25 * Math.log(4 / 2);
    expect(nmi(['0', '0', '1', '1'], ['0', '0', '0', '1'])).toBeCloseTo(i / ((hA + hB) / 2), 12);
  });
  it('bestMatchF1: per gold label, the best cluster’s F1; unassigned items count against recall', () => {
    // gold A A A B B · pred c c none d c → A: c has tp 2, size 3 → F1 = 4/(3+3) = 2/3; B: d tp 1 size 1 → 2/3, c tp 1 → 2/5
    const m = bestMatchF1(['c', 'c', '-', 'd', 'c'], ['A', 'A', 'A', 'B', 'B'], '-');
    expect(m.get('A')).toEqual({ f1: 2 / 3, cluster: 'c', n: 3 });
    expect(m.get('B')).toEqual({ f1: 2 / 3, cluster: 'd', n: 2 });
  });
});
