import { Matrix, pseudoInverse } from 'ml-matrix';

/**
 * A group of observations sharing one row of the design matrix: SQL reduces rows to groups (a
 * pattern of covariates) with n, Σy and Σy², and the weighted normal equations on the groups give
 * exactly the fit on the rows.
 */
export interface OlsGroup {
  readonly x: readonly number[];
  readonly n: number;
  readonly sumY: number;
  readonly sumYY: number;
}

export interface OlsFit {
  readonly beta: readonly number[];
  /** standard errors √(σ²·[(XᵀX)⁻¹]ⱼⱼ) */
  readonly se: readonly number[];
  /** residual variance RSS/(n − p) */
  readonly sigma2: number;
  readonly rss: number;
  readonly tss: number;
  readonly r2: number;
  /** observations (Σ group n) and coefficients */
  readonly n: number;
  readonly p: number;
}

/**
 * Ordinary least squares over grouped observations: β = (XᵀX)⁺Xᵀy with XᵀX = Σ nᵍ·xᵍxᵍᵀ and
 * Xᵀy = Σ xᵍ·Σyᵍ; RSS = Σ (Σy²ᵍ − 2ŷᵍΣyᵍ + nᵍŷᵍ²). The Moore–Penrose inverse keeps a rank-deficient
 * design (a column that is always 0) from failing. Same figures as R's `lm` (intercept included
 * by the caller as a column of ones).
 */
export function olsGrouped(groups: readonly OlsGroup[]): OlsFit {
  const p = groups[0]?.x.length ?? 0;
  const XtX = Matrix.zeros(p, p);
  const Xty = Matrix.zeros(p, 1);
  let n = 0;
  let sumY = 0;
  let sumYY = 0;
  for (const g of groups) {
    const x = g.x;
    n += g.n;
    sumY += g.sumY;
    sumYY += g.sumYY;
    for (let a = 0; a < p; a++) {
      const xa = x[a]!;
      if (xa === 0) continue;
      Xty.set(a, 0, Xty.get(a, 0) + xa * g.sumY);
      for (let b = 0; b < p; b++) {
        const xb = x[b]!;
        if (xb !== 0) XtX.set(a, b, XtX.get(a, b) + g.n * xa * xb);
      }
    }
  }
  const inv = pseudoInverse(XtX);
  const beta = inv.mmul(Xty).to1DArray();
  let rss = 0;
  for (const g of groups) {
    const yhat = g.x.reduce((acc, v, j) => acc + v * beta[j]!, 0);
    rss += g.sumYY - 2 * yhat * g.sumY + g.n * yhat * yhat;
  }
  const tss = sumYY - (sumY * sumY) / n;
  const sigma2 = Math.max(0, rss) / (n - p);
  const se = beta.map((_, j) => Math.sqrt(Math.max(0, sigma2 * inv.get(j, j))));
  return { beta, se, sigma2, rss, tss, r2: tss > 0 ? 1 - rss / tss : 0, n, p };
}

/** OLS on plain rows: `x[i]` the covariates of observation i (include a 1 for the intercept). */
export function ols(x: readonly (readonly number[])[], y: readonly number[]): OlsFit {
  return olsGrouped(x.map((xi, i) => ({ x: xi, n: 1, sumY: y[i]!, sumYY: y[i]! * y[i]! })));
}
