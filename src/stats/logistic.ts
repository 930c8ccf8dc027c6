import { seeded } from './random.js';
/**
 * L2-regularised logistic regression fitted by Newton–Raphson (IRLS) — docs/health.md §Churn model.
 *
 * Objective: minimise −ℓ(β) + (λ/2) Σ_{j≥1} β_j², ℓ the Bernoulli log-likelihood, on standardised
 * columns (z = (x − mean) / sd, mean and sd of the rows given to the fit), the intercept unpenalised.
 * (Computed on x / sd, uncentred, which has the same slopes and keeps one-hot columns sparse.)
 * Newton step: (ZᵀWZ + λI*) δ = Zᵀ(y − μ) − λβ*, W = diag(μ(1 − μ)), I* the identity with 0 for the
 * intercept; step halving whenever the penalised objective does not fall. With observation weights
 * ℓ = Σ w_i ℓ_i (W and the gradient carry w_i). Coefficients are returned on
 * the original scale, so a prediction is σ(b₀ + Σ b_j x_j) on raw columns.
 */

export interface LogisticOptions {
  /** L2 penalty on the standardised scale; 0 = maximum likelihood. */
  readonly lambda?: number;
  readonly maxIterations?: number;
  /** Stop when the largest Newton step on the standardised scale is below this. */
  readonly tolerance?: number;
  /** Warm start: `standardised` of an earlier fit on the same rows (e.g. at a neighbouring λ). */
  readonly start?: readonly number[];
  /**
   * Observation weights (e.g. class balance n / (2·n_class)): row i counts w_i times in the
   * likelihood, and in the means and sds used for standardising. Default 1 each.
   */
  readonly weights?: ArrayLike<number>;
}

export interface LogisticFit {
  /** b₀ (intercept) then b₁…b_p, on the original scale of the columns. */
  readonly coefficients: readonly number[];
  readonly lambda: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Column means and standard deviations of the training rows (a constant column gets b = 0). */
  readonly means: readonly number[];
  readonly sds: readonly number[];
  /** Penalised objective at the optimum, −ℓ + (λ/2)‖β‖² (standardised scale). */
  readonly objective: number;
  /** Intercept and coefficients on the standardised scale (a warm start for another λ). */
  readonly standardised: readonly number[];
}

const sigmoid = (t: number) => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/** log(1 + e^t) without overflow. */
const softplus = (t: number) => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

/** Fits on rows `x` (each of length p) and 0/1 labels `y`. */
export function fitLogistic(
  x: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  o: LogisticOptions = {},
): LogisticFit {
  const n = x.length;
  if (n === 0 || y.length !== n) throw new RangeError(`fitLogistic: ${n} rows and ${y.length} labels`);
  const p = x[0]?.length ?? 0;
  const lambda = o.lambda ?? 0;
  const maxIterations = o.maxIterations ?? 100;
  const tolerance = o.tolerance ?? 1e-8;
  const ow = o.weights;
  if (ow && ow.length !== n) throw new RangeError(`fitLogistic: ${n} rows and ${ow.length} weights`);
  const wt = (i: number) => (ow ? (ow[i] as number) : 1);
  let wsum = 0;
  for (let i = 0; i < n; i++) wsum += wt(i);
  const means = new Array<number>(p).fill(0);
  const sds = new Array<number>(p).fill(0);
  x.forEach((row, i) => {
    for (let j = 0; j < p; j++)
      means[j] = (means[j] ?? 0) + (ow ? (wt(i) * (row[j] ?? 0)) / wsum : (row[j] ?? 0) / n);
  });
  x.forEach((row, i) => {
    for (let j = 0; j < p; j++)
      sds[j] =
        (sds[j] ?? 0) +
        (ow
          ? (wt(i) * ((row[j] ?? 0) - (means[j] ?? 0)) ** 2) / wsum
          : ((row[j] ?? 0) - (means[j] ?? 0)) ** 2 / n);
  });
  for (let j = 0; j < p; j++) sds[j] = Math.sqrt(sds[j] ?? 0);
  const active = sds.map((s) => s > 1e-12);
  // Scaled design z = x / sd with the intercept in column 0, kept sparse (row-wise non-zeros): scaling
  // without centring leaves the optimum of every slope unchanged (centring only moves the intercept,
  // which is unpenalised) and keeps one-hot columns sparse, so each Newton step costs Σ nnz² not n·q².
  const q = p + 1;
  const rowStart = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = x[i] as ArrayLike<number>;
    colIdx.push(0);
    vals.push(1);
    for (let j = 0; j < p; j++) {
      const v = row[j] ?? 0;
      if (v !== 0 && active[j]) {
        colIdx.push(j + 1);
        vals.push(v / (sds[j] ?? 1));
      }
    }
    rowStart[i + 1] = colIdx.length;
  }
  const ci = Int32Array.from(colIdx);
  const cv = Float64Array.from(vals);
  const beta = new Float64Array(q);
  let ybar = 0;
  for (let i = 0; i < n; i++) ybar += ow ? (wt(i) * (y[i] ?? 0)) / wsum : (y[i] ?? 0) / n;
  beta[0] = Math.log(Math.max(ybar, 1e-9) / Math.max(1 - ybar, 1e-9));
  if (o.start?.length === q) beta.set(o.start);
  const eta = new Float64Array(n);
  const objective = (b: Float64Array) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      let t = 0;
      const end = rowStart[i + 1] as number;
      for (let k = rowStart[i] as number; k < end; k++)
        t += (cv[k] as number) * (b[ci[k] as number] as number);
      eta[i] = t;
      f += ow ? wt(i) * (softplus(t) - (y[i] ?? 0) * t) : softplus(t) - (y[i] ?? 0) * t;
    }
    for (let j = 1; j < q; j++) f += (lambda / 2) * (b[j] ?? 0) ** 2;
    return f;
  };
  let f = objective(beta);
  let iterations = 0;
  let converged = false;
  const h = new Float64Array(q * q);
  const g = new Float64Array(q);
  while (iterations < maxIterations) {
    iterations++;
    h.fill(0);
    g.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(eta[i] ?? 0);
      const w = wt(i) * Math.max(mu * (1 - mu), 1e-12);
      const r = wt(i) * ((y[i] ?? 0) - mu);
      const start = rowStart[i] as number;
      const end = rowStart[i + 1] as number;
      for (let ka = start; ka < end; ka++) {
        const a = ci[ka] as number;
        const za = cv[ka] as number;
        g[a] = (g[a] as number) + za * r;
        const wa = w * za;
        const rowA = a * q;
        // column indices ascend within a row: the upper triangle is b ≥ a
        for (let kb = ka; kb < end; kb++) {
          const idx = rowA + (ci[kb] as number);
          h[idx] = (h[idx] as number) + wa * (cv[kb] as number);
        }
      }
    }
    for (let a = 0; a < q; a++) for (let b = 0; b < a; b++) h[a * q + b] = h[b * q + a] ?? 0;
    for (let j = 1; j < q; j++) {
      g[j] = (g[j] ?? 0) - lambda * (beta[j] ?? 0);
      h[j * q + j] = (h[j * q + j] ?? 0) + lambda;
      // a constant column: pin its coefficient at 0 with a unit diagonal
      if (!active[j - 1]) {
        h[j * q + j] = 1;
        g[j] = 0;
      }
    }
    const step = choleskySolve(h, g, q);
    let t = 1;
    let next = new Float64Array(q);
    let fNext = Number.POSITIVE_INFINITY;
    for (let halvings = 0; halvings < 30; halvings++) {
      next = beta.map((b, j) => b + t * (step[j] ?? 0));
      fNext = objective(next);
      if (fNext <= f + 1e-12 * Math.abs(f)) break;
      t /= 2;
    }
    const maxStep = Math.max(...step.map((s) => Math.abs(s * t)));
    const decrease = f - fNext;
    beta.set(next);
    f = fNext;
    // Newton converges quadratically: a tiny step or no change in the objective ends it
    if (maxStep < tolerance || decrease <= 1e-13 * (Math.abs(f) + 1)) {
      converged = true;
      break;
    }
  }
  objective(beta); // leave eta at the optimum (not needed further, keeps f consistent)
  const coefficients = new Array<number>(q).fill(0);
  coefficients[0] = beta[0] ?? 0;
  for (let j = 0; j < p; j++) if (active[j]) coefficients[j + 1] = (beta[j + 1] ?? 0) / (sds[j] ?? 1);
  return { coefficients, lambda, iterations, converged, means, sds, objective: f, standardised: [...beta] };
}

/** The linear predictor b₀ + Σ b_j x_j. */
export function linearPredictor(fit: Pick<LogisticFit, 'coefficients'>, row: ArrayLike<number>): number {
  const c = fit.coefficients;
  let t = c[0] ?? 0;
  for (let j = 1; j < c.length; j++) t += (c[j] ?? 0) * (row[j - 1] ?? 0);
  return t;
}

/** P(y = 1 | row) = σ(linear predictor). */
export function predictLogistic(fit: Pick<LogisticFit, 'coefficients'>, row: ArrayLike<number>): number {
  return sigmoid(linearPredictor(fit, row));
}

/**
 * Each column's contribution to one row's linear predictor, measured from the training mean:
 * c_j = b_j (x_j − x̄_j), and a baseline b₀ + Σ b_j x̄_j, so baseline + Σ c_j = the linear predictor
 * exactly (the log-odds; the probability is its sigmoid).
 */
export function contributions(
  fit: Pick<LogisticFit, 'coefficients' | 'means'>,
  row: ArrayLike<number>,
): { baseline: number; contributions: number[] } {
  const c = fit.coefficients;
  let baseline = c[0] ?? 0;
  const out: number[] = [];
  for (let j = 1; j < c.length; j++) {
    const m = fit.means[j - 1] ?? 0;
    baseline += (c[j] ?? 0) * m;
    out.push((c[j] ?? 0) * ((row[j - 1] ?? 0) - m));
  }
  return { baseline, contributions: out };
}

/** Solves A x = b for a symmetric positive-definite q×q A (row-major) by Cholesky. */
function choleskySolve(a: Float64Array, b: Float64Array, q: number): Float64Array {
  const l = new Float64Array(q * q);
  for (let i = 0; i < q; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * q + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * q + k] ?? 0) * (l[j * q + k] ?? 0);
      if (i === j) l[i * q + i] = Math.sqrt(Math.max(s, 1e-12));
      else l[i * q + j] = s / (l[j * q + j] ?? 1);
    }
  }
  const yv = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    let s = b[i] ?? 0;
    for (let k = 0; k < i; k++) s -= (l[i * q + k] ?? 0) * (yv[k] ?? 0);
    yv[i] = s / (l[i * q + i] ?? 1);
  }
  const xv = new Float64Array(q);
  for (let i = q - 1; i >= 0; i--) {
    let s = yv[i] ?? 0;
    for (let k = i + 1; k < q; k++) s -= (l[k * q + i] ?? 0) * (xv[k] ?? 0);
    xv[i] = s / (l[i * q + i] ?? 1);
  }
  return xv;
}

/** A seeded shuffle into k folds, stratified by label so each fold keeps the base rate. */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed = 1): Int32Array {
  const rand = seeded(seed >>> 0 || 1);
  const fold = new Int32Array(y.length);
  for (const label of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if ((y[i] ?? 0) === label) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    idx.forEach((row, pos) => {
      fold[row] = pos % k;
    });
  }
  return fold;
}
