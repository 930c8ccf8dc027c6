/**
 * Logistic regression on many sparse features, fitted by stochastic gradient with Adagrad steps —
 * the one trainer of every text model (the shipped sentiment models, their dense GloVe part and the
 * per-workspace company model; docs/feedback.md).
 *
 * Why a second trainer beside `fitLogistic` (Newton, ./logistic.ts): a text model has 10⁵–10⁶
 * features, so Newton's q×q Hessian (10¹⁰–10¹² cells) cannot even be stored; one pass of Adagrad
 * costs Σ non-zeros. For a few dense columns (a blend of model margins, a churn model) Newton is
 * exact and is what `fitLogistic` does — use it there.
 *
 * Model: `classes = 2` is binary with one logit, P(y = 1) = σ(b + Σ wᵢxᵢ); `classes ≥ 3` is
 * multinomial (softmax over one linear score per class). Class-balanced by default: a row of class
 * c weighs n / (K · n_c). L2 is applied to each weight at each update of it (lazily: a weight not present in
 * a row is not decayed). Deterministic: rows are visited in a fixed pseudo-random order (Fisher–Yates
 * driven by the LCG s ← (1103515245·s + 12345) mod 2³¹ from `seed`), the order the shipped models
 * were trained with — changing it retrains every model.
 */

/** One row: the indices of its non-zero features, and their values (1 when omitted). */
export interface SparseRow {
  readonly indices: Int32Array | readonly number[];
  readonly values?: Float64Array | readonly number[];
}

export interface SparseLogisticOptions {
  /** Number of classes K (2 = binary, one logit). */
  readonly classes: number;
  /** Number of features (indices run 0…features−1). */
  readonly features: number;
  readonly epochs: number;
  readonly l2: number;
  /** Adagrad base step. */
  readonly rate: number;
  /** Seed of the visiting order (default 12345). */
  readonly seed?: number;
  /**
   * Weigh each class n / (K·n_c) (default true). Off, the probabilities estimate the training
   * distribution's (calibrated); a balanced decision then divides each by its class's share.
   */
  readonly balanced?: boolean;
}

export interface SparseLogisticFit {
  /** K′ = 1 (binary) or K intercepts. */
  readonly bias: Float64Array;
  /** Row-major features × K′: weight of feature f for output c at f·K′ + c. */
  readonly weights: Float64Array;
  /** K′: outputs per feature. */
  readonly outputs: number;
}

/** 0…n−1 in the fixed pseudo-random order of the trainer (see the module comment). */
export function lcgOrder(n: number, seed = 12345): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = order.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Softmax of z in place (max-shifted); returns z. */
export function softmaxInPlace(z: Float64Array | number[]): Float64Array | number[] {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of z) if (v > m) m = v;
  let s = 0;
  for (let c = 0; c < z.length; c++) {
    z[c] = Math.exp(z[c]! - m);
    s += z[c]!;
  }
  for (let c = 0; c < z.length; c++) z[c] = z[c]! / s;
  return z;
}

/** Fits on `rows` with labels `y` in 0…K−1. */
export function trainSparseLogistic(
  rows: readonly SparseRow[],
  y: ArrayLike<number>,
  o: SparseLogisticOptions,
): SparseLogisticFit {
  const K = o.classes;
  if (K < 2) throw new RangeError(`trainSparseLogistic: ${K} classes`);
  if (rows.length !== y.length)
    throw new RangeError(`trainSparseLogistic: ${rows.length} rows, ${y.length} labels`);
  const out = K === 2 ? 1 : K;
  const n = rows.length;
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  const cw = counts.map((c) => (c === 0 ? 0 : o.balanced === false ? 1 : n / (K * c)));
  const w = new Float64Array(o.features * out);
  const g2 = new Float64Array(o.features * out).fill(1e-8);
  const bias = new Float64Array(out);
  const bg2 = new Float64Array(out).fill(1e-8);
  const z = new Float64Array(out);
  const order = lcgOrder(n, o.seed ?? 12345);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (const i of order) {
      const row = rows[i]!;
      const idx = row.indices;
      const val = row.values;
      const yi = y[i]!;
      for (let c = 0; c < out; c++) z[c] = bias[c]!;
      for (let k = 0; k < idx.length; k++) {
        const base = idx[k]! * out;
        const v = val ? val[k]! : 1;
        for (let c = 0; c < out; c++) z[c] = z[c]! + w[base + c]! * v;
      }
      if (out === 1) z[0] = 1 / (1 + Math.exp(-z[0]!));
      else softmaxInPlace(z);
      for (let c = 0; c < out; c++) {
        const target = out === 1 ? yi : c === yi ? 1 : 0;
        const g = cw[yi]! * (z[c]! - target);
        bg2[c] = bg2[c]! + g * g;
        bias[c] = bias[c]! - (o.rate * g) / Math.sqrt(bg2[c]!);
        for (let k = 0; k < idx.length; k++) {
          const at = idx[k]! * out + c;
          const gg = g * (val ? val[k]! : 1) + o.l2 * w[at]!;
          g2[at] = g2[at]! + gg * gg;
          w[at] = w[at]! - (o.rate * gg) / Math.sqrt(g2[at]!);
        }
      }
    }
  }
  return { bias, weights: w, outputs: out };
}

/**
 * Maps string features to indices over a vocabulary (features outside it are dropped, duplicates
 * kept as given) — the usual input of `trainSparseLogistic` for text.
 */
export function indexRows(
  xs: readonly (readonly string[])[],
  vocab: Iterable<string>,
): { index: Map<string, number>; rows: SparseRow[] } {
  const index = new Map<string, number>();
  for (const v of vocab) if (!index.has(v)) index.set(v, index.size);
  const rows = xs.map((x) => {
    const ids: number[] = [];
    for (const f of x) {
      const j = index.get(f);
      if (j !== undefined) ids.push(j);
    }
    return { indices: Int32Array.from(ids) };
  });
  return { index, rows };
}
