import { describe, expect, it } from 'vitest';
import { bootstrapClassification, classificationScores, perClassScores } from './classification.js';

describe('classificationScores', () => {
  it('matches hand-computed accuracy, macro-F1 and average recall', () => {
    // gold 0 0 0 1 1 2 · pred 0 0 1 1 2 2
    // class 0: tp 2 fp 0 fn 1 → F1 4/5, recall 2/3; class 1: tp 1 fp 1 fn 1 → F1 1/2, recall 1/2;
    // class 2: tp 1 fp 1 fn 0 → F1 2/3, recall 1
    const s = classificationScores([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2], 3);
    expect(s.accuracy).toBeCloseTo(4 / 6, 12);
    expect(s.macroF1).toBeCloseTo((4 / 5 + 1 / 2 + 2 / 3) / 3, 12);
    expect(s.avgRecall).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 12);
  });

  it('scores a class never predicted right as 0 and an empty set as 0', () => {
    expect(classificationScores([0, 0], [1, 1], 2)).toEqual({ accuracy: 0, macroF1: 0, avgRecall: 0 });
    expect(classificationScores([], [], 2)).toEqual({ accuracy: 0, macroF1: 0, avgRecall: 0 });
  });
});

describe('perClassScores and bootstrapClassification', () => {
  it('per class: the hand-computed figures above, with precision', () => {
    const per = perClassScores([0, 0, 1, 1, 2, 2], [0, 0, 0, 1, 1, 2], 3);
    expect(per.map((x) => x.n)).toEqual([3, 2, 1]);
    expect(per[0]!.precision).toBe(1);
    expect(per[0]!.f1).toBeCloseTo(4 / 5, 12);
    expect(per[1]!.recall).toBeCloseTo(1 / 2, 12);
    expect(per[2]!.precision).toBeCloseTo(1 / 2, 12);
    expect(per[2]!.f1).toBeCloseTo(2 / 3, 12);
  });
  it('bootstrap intervals cover the point estimate, shrink with n and are reproducible', () => {
    const gold = Array.from({ length: 600 }, (_, i) => i % 3);
    const pred = gold.map((g, i) => (i % 5 === 0 ? (g + 1) % 3 : g)); // 80% right
    const point = classificationScores(pred, gold, 3);
    const b = bootstrapClassification(pred, gold, 3, 400, 7);
    expect(b.macroF1[0]).toBeLessThan(point.macroF1);
    expect(b.macroF1[1]).toBeGreaterThan(point.macroF1);
    expect(b.avgRecall[0]).toBeLessThan(point.avgRecall);
    // normal approximation of an 80% accuracy on 600 rows: ±1.96·√(0.16/600) ≈ ±0.032
    expect(b.avgRecall[1] - b.avgRecall[0]).toBeGreaterThan(0.04);
    expect(b.avgRecall[1] - b.avgRecall[0]).toBeLessThan(0.09);
    expect(bootstrapClassification(pred, gold, 3, 400, 7)).toEqual(b);
    const small = bootstrapClassification(pred.slice(0, 60), gold.slice(0, 60), 3, 400, 7);
    expect(small.macroF1[1] - small.macroF1[0]).toBeGreaterThan(b.macroF1[1] - b.macroF1[0]);
  });
});
