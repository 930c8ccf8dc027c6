import { describe, expect, it } from 'vitest';
import { classificationScores } from './classification.js';

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
