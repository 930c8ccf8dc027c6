import { describe, expect, it } from 'vitest';
import { contributions, fitLogistic, linearPredictor, predictLogistic, stratifiedFolds } from './logistic.js';

/**
 * The 23 shuttle launches before Challenger: launch temperature (°F) and whether any O-ring showed
 * thermal distress (Dalal, Fowlkes & Hoadley 1989, JASA 84:945, table 1). The published maximum-
 * likelihood fit is logit P(distress) = 15.0429 − 0.2322 · temperature (Agresti, "Categorical Data
 * Analysis", the space-shuttle example; R: glm(td ~ temp, family = binomial)). Checked independently
 * by the score equations being zero at the fit.
 */
const TEMP = [66, 70, 69, 68, 67, 72, 73, 70, 57, 63, 70, 78, 67, 53, 67, 75, 70, 81, 76, 79, 75, 76, 58];
const DISTRESS = [0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1];

/** Score equations Σ x_ij (y_i − μ_i) for the intercept and each column. */
function score(x: number[][], y: number[], fit: { coefficients: readonly number[] }): number[] {
  const s = new Array<number>(x[0]!.length + 1).fill(0);
  x.forEach((row, i) => {
    const r = y[i]! - predictLogistic(fit, row);
    s[0]! += r;
    row.forEach((v, j) => {
      s[j + 1]! += v * r;
    });
  });
  return s;
}

describe('fitLogistic', () => {
  it('reproduces the published Challenger O-ring MLE and solves the score equations', () => {
    const x = TEMP.map((t) => [t]);
    const fit = fitLogistic(x, DISTRESS);
    expect(fit.converged).toBe(true);
    expect(fit.coefficients[0]).toBeCloseTo(15.0429, 3);
    expect(fit.coefficients[1]).toBeCloseTo(-0.2322, 4);
    for (const s of score(x, DISTRESS, fit)) expect(Math.abs(s)).toBeLessThan(1e-8);
  });

  it('two correlated columns and an unpenalised intercept: the penalised score equations hold', () => {
    // on the standardised scale the optimum satisfies Zᵀ(y − μ) = λβ (intercept row: Σ(y − μ) = 0)
    const x = TEMP.map((t, i) => [t, (i % 3) + t / 10]);
    const lambda = 2;
    const fit = fitLogistic(x, DISTRESS, { lambda });
    expect(fit.converged).toBe(true);
    const s = new Array<number>(3).fill(0);
    x.forEach((row, i) => {
      const r = DISTRESS[i]! - predictLogistic(fit, row);
      s[0]! += r;
      row.forEach((v, j) => {
        s[j + 1]! += ((v - fit.means[j]!) / fit.sds[j]!) * r;
      });
    });
    expect(Math.abs(s[0]!)).toBeLessThan(1e-8);
    for (let j = 1; j <= 2; j++) {
      const betaStd = fit.coefficients[j]! * fit.sds[j - 1]!;
      expect(s[j]!).toBeCloseTo(lambda * betaStd, 8);
    }
    // the penalty shrinks: the penalised slope on temperature is smaller in size than the MLE's
    const mle = fitLogistic(x, DISTRESS);
    expect(Math.abs(fit.coefficients[1]!)).toBeLessThan(Math.abs(mle.coefficients[1]!));
  });

  it('a constant column gets coefficient 0 and does not break the fit', () => {
    const fit = fitLogistic(
      TEMP.map((t) => [t, 5]),
      DISTRESS,
    );
    expect(fit.coefficients[2]).toBe(0);
    expect(fit.coefficients[1]).toBeCloseTo(-0.2322, 4);
  });

  it('contributions sum to the linear predictor', () => {
    const x = TEMP.map((t, i) => [t, i % 2]);
    const fit = fitLogistic(x, DISTRESS, { lambda: 0.5 });
    for (const row of x) {
      const c = contributions(fit, row);
      expect(c.baseline + c.contributions.reduce((a, b) => a + b, 0)).toBeCloseTo(
        linearPredictor(fit, row),
        12,
      );
    }
  });

  it('refuses mismatched rows and labels', () => {
    expect(() => fitLogistic([[1]], [1, 0])).toThrow(/1 rows and 2 labels/);
  });
});

describe('stratifiedFolds', () => {
  it('keeps every fold’s positives within one of each other and is reproducible', () => {
    const y = Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const f = stratifiedFolds(y, 5, 7);
    const pos = [0, 1, 2, 3, 4].map((k) => y.filter((v, i) => v === 1 && f[i] === k).length);
    expect(Math.max(...pos) - Math.min(...pos)).toBeLessThanOrEqual(1);
    expect([...stratifiedFolds(y, 5, 7)]).toEqual([...f]);
  });
});
