import { describe, expect, it } from 'vitest';
import { aucDeLong, brier, reliability, topFraction } from './auc.js';

/**
 * Hanley & McNeil (1982), Radiology 143:29, table 1: 109 CT images rated 1 (definitely normal) … 5
 * (definitely abnormal); 58 normal, 51 abnormal. Published area under the ROC curve 0.893.
 */
const NORMAL = [33, 6, 6, 11, 2];
const ABNORMAL = [3, 2, 2, 11, 33];
const expand = (counts: number[], label: number) =>
  counts.flatMap((c, r) => Array.from({ length: c }, () => ({ score: r + 1, label })));
const CT = [...expand(NORMAL, 0), ...expand(ABNORMAL, 1)];

/** DeLong's variance the slow way (all pairs), an independent check of the rank formula. */
function delongBrute(scores: number[], labels: number[]) {
  const pos = scores.filter((_, i) => labels[i] === 1);
  const neg = scores.filter((_, i) => labels[i] === 0);
  const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
  const v10 = pos.map((a) => neg.reduce((s, b) => s + psi(a, b), 0) / neg.length);
  const v01 = neg.map((b) => pos.reduce((s, a) => s + psi(a, b), 0) / pos.length);
  const m = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const s2 = (v: number[]) => v.reduce((a, b) => a + (b - m(v)) ** 2, 0) / (v.length - 1);
  return { auc: m(v10), se: Math.sqrt(s2(v10) / pos.length + s2(v01) / neg.length) };
}

describe('aucDeLong', () => {
  it('reproduces Hanley & McNeil’s CT example (AUC 0.893) and the all-pairs DeLong SE', () => {
    const scores = CT.map((r) => r.score);
    const labels = CT.map((r) => r.label);
    const a = aucDeLong(scores, labels);
    expect(a.value).toBeCloseTo(0.893, 3);
    const brute = delongBrute(scores, labels);
    expect(a.value).toBeCloseTo(brute.auc, 12);
    expect(a.se).toBeCloseTo(brute.se, 12);
    // Hanley–McNeil's own (exponential-approximation) SE is 0.032; DeLong's is close to it
    expect(a.se).toBeGreaterThan(0.025);
    expect(a.se).toBeLessThan(0.04);
    expect(a.low).toBeCloseTo(a.value - 1.959963984540054 * a.se, 12);
    expect({ positives: a.positives, negatives: a.negatives }).toEqual({ positives: 51, negatives: 58 });
  });

  it.each([
    ['perfect', [0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1], 1],
    ['reversed', [0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1], 0],
    ['all tied', [0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1], 0.5],
  ])('%s', (_, s, y, want) => {
    expect(aucDeLong(s, y).value).toBe(want);
  });

  it('one class only: NaN, not a number that looks measured', () => {
    expect(aucDeLong([0.1, 0.2], [0, 0]).value).toBeNaN();
  });
});

describe('topFraction, brier, reliability', () => {
  it('hand-computed on 10 customers', () => {
    const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
    const y = [1, 0, 1, 0, 0, 0, 1, 0, 0, 0];
    const top = topFraction(p, y, 0.2); // flags 0.9 and 0.8: 1 hit of 2; recall 1 of 3
    expect(top.flagged).toBe(2);
    expect(top.precision.value).toBe(0.5);
    expect(top.recall.value).toBeCloseTo(1 / 3, 12);
    expect(top.lift).toBeCloseTo(0.5 / 0.3, 12);
    // Brier: Σ(p − y)² / 10
    const want = p.reduce((s, v, i) => s + (v - y[i]!) ** 2, 0) / 10;
    expect(brier(p, y)).toBeCloseTo(want, 12);
    expect(brier(p, y)).toBeCloseTo(2.0525 / 10, 12); // .01+.64+.09+.36+.25+.16+.49+.04+.01+.0025
    const bins = reliability(p, y, 2); // lowest five: 0.05…0.4 (1 churner), highest five: 0.5…0.9 (2)
    expect(bins).toEqual([
      expect.objectContaining({ bin: 1, n: 5, observed: 0.2 }),
      expect.objectContaining({ bin: 2, n: 5, observed: 0.4 }),
    ]);
    expect(bins[0]?.meanPredicted).toBeCloseTo((0.05 + 0.1 + 0.2 + 0.3 + 0.4) / 5, 12);
  });
});
