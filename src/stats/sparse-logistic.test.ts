import { describe, expect, it } from 'vitest';
import { fitLogistic, predictLogistic } from './logistic.js';
import { indexRows, lcgOrder, trainSparseLogistic } from './sparse-logistic.js';

// Challenger O-ring data (as in logistic.test.ts: Dalal, Fowlkes & Hoadley 1989, table 1)
const TEMP = [66, 70, 69, 68, 67, 72, 73, 70, 57, 63, 70, 78, 67, 53, 67, 75, 70, 81, 76, 79, 75, 76, 58];
const DISTRESS = [0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1];

describe('trainSparseLogistic', () => {
  it('first Adagrad step moves every touched weight by the rate, against the gradient (hand-computed)', () => {
    // binary, one row of class 1: weight n/(2·1) = 0.5, p = σ(0) = 0.5, g = 0.5·(0.5 − 1) = −0.25,
    // Adagrad: step = rate·g/√(1e-8 + g²) ≈ −rate → bias = w = +rate
    const b = trainSparseLogistic([{ indices: [0] }], [1], {
      classes: 2,
      features: 2,
      epochs: 1,
      l2: 0,
      rate: 0.1,
    });
    expect(b.outputs).toBe(1);
    expect(b.bias[0]).toBeCloseTo(0.1, 6);
    expect(b.weights[0]).toBeCloseTo(0.1, 6);
    expect(b.weights[1]).toBe(0); // absent feature untouched
    // 3 classes, one row of class 0: p = 1/3 each, g = (1/3)(1/3 − [c = 0]) = −2/9, 1/9, 1/9
    const m = trainSparseLogistic([{ indices: [1], values: [2] }], [0], {
      classes: 3,
      features: 2,
      epochs: 1,
      l2: 0,
      rate: 0.1,
    });
    expect([...m.bias].map((v) => Number(v.toFixed(6)))).toEqual([0.1, -0.1, -0.1]);
    // feature value 2: gg = 2g, the Adagrad step is still rate·sign
    expect([...m.weights.subarray(3, 6)].map((v) => Number(v.toFixed(6)))).toEqual([0.1, -0.1, -0.1]);
  });

  it('converges to the class-balanced maximum-likelihood fit (Newton, fitLogistic) on the Challenger data', () => {
    const z = TEMP.map((t) => (t - 70) / 7);
    const pos = DISTRESS.filter((y) => y === 1).length;
    const weights = DISTRESS.map((y) => (y === 1 ? 23 / (2 * pos) : 23 / (2 * (23 - pos))));
    const newton = fitLogistic(
      z.map((v) => [v]),
      DISTRESS,
      { weights },
    );
    const sgd = trainSparseLogistic(
      z.map((v) => ({ indices: [0], values: [v] })),
      DISTRESS,
      { classes: 2, features: 1, epochs: 3000, l2: 0, rate: 0.5 },
    );
    expect(sgd.bias[0]).toBeCloseTo(newton.coefficients[0]!, 1);
    expect(sgd.weights[0]).toBeCloseTo(newton.coefficients[1]!, 1);
    for (const v of [-2, 0, 1.5]) {
      const p = 1 / (1 + Math.exp(-(sgd.bias[0]! + sgd.weights[0]! * v)));
      expect(Math.abs(p - predictLogistic(newton, [v]))).toBeLessThan(0.01);
    }
  });

  it('is deterministic and its visiting order is the fixed LCG permutation', () => {
    expect(lcgOrder(5)).toEqual(lcgOrder(5));
    expect([...lcgOrder(6)].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lcgOrder(6, 54321)).not.toEqual(lcgOrder(6));
    const { rows } = indexRows([['a', 'b'], ['b', 'zz'], ['c']], ['a', 'b', 'c']);
    expect(rows.map((r) => [...r.indices])).toEqual([[0, 1], [1], [2]]);
    const o = { classes: 3, features: 3, epochs: 5, l2: 0.01, rate: 0.3 };
    expect([...trainSparseLogistic(rows, [0, 1, 2], o).weights]).toEqual([
      ...trainSparseLogistic(rows, [0, 1, 2], o).weights,
    ]);
  });
});

describe('fitLogistic observation weights', () => {
  it('a weight of 2 is the same fit as the row twice', () => {
    const x = TEMP.map((t) => [t]);
    const w = TEMP.map((_, i) => (i % 4 === 0 ? 2 : 1));
    const weighted = fitLogistic(x, DISTRESS, { weights: w });
    const dx: number[][] = [];
    const dy: number[] = [];
    x.forEach((row, i) => {
      for (let k = 0; k < w[i]!; k++) {
        dx.push(row);
        dy.push(DISTRESS[i]!);
      }
    });
    const duplicated = fitLogistic(dx, dy);
    expect(weighted.coefficients[0]).toBeCloseTo(duplicated.coefficients[0]!, 6);
    expect(weighted.coefficients[1]).toBeCloseTo(duplicated.coefficients[1]!, 8);
  });
});
