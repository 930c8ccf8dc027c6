import { indexRows, trainSparseLogistic } from '../stats/sparse-logistic.js';
import { fitBalanced } from './model.js';
import { charGrams, features, type Token } from './text.js';

export { charGrams } from './text.js';

/**
 * A binary positive-vs-negative linear model over sparse presence features, as shipped in JSON:
 * margin = bias + Σ weight(f) over the distinct features f of a comment. Word features are those of
 * `features()` (unigrams, negation-marked, and bigrams); with `chars` set, character n-grams of each
 * word (padded with `#`, lengths chars[0]…chars[1]) are added, prefixed `c:`. When trained
 * NB-style (log-count-ratio scaled features, Wang & Manning 2012) the shipped weight is already the
 * product w·r, so prediction is the same sum.
 */
export interface PolarityModel {
  readonly name: string;
  readonly trainedOn: string;
  readonly chars: readonly [number, number] | null;
  readonly bias: number;
  readonly weights: Readonly<Record<string, number>>;
  /**
   * pos-vs-neg logit = intercept + margin·margin + lexicon·compound + three·(log p₊ − log p₋ of the
   * 3-class model), fitted on a SemEval hold-out.
   */
  readonly blend: { intercept: number; margin: number; lexicon: number; three: number; embedding?: number };
  /** Optional dense part: logistic regression on `embedComment` features (shipped GloVe vectors). */
  readonly embedding?: { readonly bias: number; readonly weights: readonly number[] };
  /** The vector set the dense part was trained with (e.g. `glove-100k`); the shipped one if absent. */
  readonly vectors?: string;
}

/** The distinct features of a comment for a model with (or without) character n-grams. */
export function polarityFeatures(
  tokens: readonly Token[],
  chars: readonly [number, number] | null,
): string[] {
  const fs = features(tokens);
  if (chars) for (const c of charGrams(tokens, chars[0], chars[1])) fs.push(c);
  return [...new Set(fs)];
}

/** The model's margin (log-odds of positive vs negative before the blend). */
export function polarityMargin(model: PolarityModel, tokens: readonly Token[]): number {
  return polarityEval(model, tokens).margin;
}

/**
 * The margin and how many of the comment's features the model knows (0: it has nothing to say).
 * `features` may be passed when already computed for another model with the same `chars`.
 */
export function polarityEval(
  model: PolarityModel,
  tokens: readonly Token[],
  features: readonly string[] = polarityFeatures(tokens, model.chars),
): { margin: number; known: number } {
  let margin = model.bias;
  let known = 0;
  for (const f of features) {
    const w = model.weights[f];
    if (w !== undefined) {
      margin += w;
      known++;
    }
  }
  return { margin, known };
}

/**
 * Trains binary logistic regression on presence features (`trainSparseLogistic`: class-balanced,
 * L2, Adagrad, deterministic). With `nb`, each feature's value is its smoothed log-count ratio
 * r = log((p_f+α)/‖p+α‖₁) − log((q_f+α)/‖q+α‖₁) instead of 1 (Wang & Manning 2012), and the returned
 * weights are w·r, so prediction stays a sum of weights.
 */
export function trainBinary(
  xs: readonly (readonly string[])[],
  ys: readonly (0 | 1)[],
  vocab: ReadonlySet<string>,
  opts: { epochs: number; l2: number; rate: number; nb: boolean },
): { bias: number; weights: Map<string, number> } {
  const { index, rows } = indexRows(xs, vocab);
  const n = index.size;
  const r = new Float64Array(n).fill(1);
  if (opts.nb) {
    const p = new Float64Array(n).fill(1);
    const q = new Float64Array(n).fill(1);
    rows.forEach((row, i) => {
      const t = ys[i] === 1 ? p : q;
      for (const f of row.indices) t[f]! += 1;
    });
    let sp = 0;
    let sq = 0;
    for (let f = 0; f < n; f++) {
      sp += p[f]!;
      sq += q[f]!;
    }
    for (let f = 0; f < n; f++) r[f] = Math.log(p[f]! / sp) - Math.log(q[f]! / sq);
  }
  const scaled = opts.nb
    ? rows.map((row) => ({ indices: row.indices, values: Float64Array.from(row.indices, (f) => r[f]!) }))
    : rows;
  const fit = trainSparseLogistic(scaled, ys, {
    classes: 2,
    features: n,
    epochs: opts.epochs,
    l2: opts.l2,
    rate: opts.rate,
  });
  const weights = new Map<string, number>();
  for (const [f, k] of index) weights.set(f, fit.weights[k]! * r[k]!);
  return { bias: fit.bias[0]!, weights };
}

/**
 * The blend / meta-model: class-balanced logistic regression on a few dense features (`fitBalanced`,
 * Newton); returns [intercept, ...weights].
 */
export const fitMeta = fitBalanced;

/**
 * Binary logistic regression on dense features (the GloVe part): `trainSparseLogistic` with every
 * column present in every row, visiting order seed 54321. Returns [bias, ...weights].
 */
export function trainDense(
  xs: readonly Float64Array[],
  ys: readonly (0 | 1)[],
  opts: { epochs: number; l2: number; rate: number },
): number[] {
  const d = xs[0]?.length ?? 0;
  const all = Int32Array.from({ length: d }, (_, j) => j);
  const fit = trainSparseLogistic(
    xs.map((x) => ({ indices: all, values: x })),
    ys,
    { classes: 2, features: d, seed: 54321, ...opts },
  );
  return [fit.bias[0]!, ...fit.weights];
}

/** The dense part's margin for features x. */
export function denseMargin(e: { bias: number; weights: readonly number[] }, x: Float64Array): number {
  let z = e.bias;
  for (let j = 0; j < x.length; j++) z += e.weights[j]! * x[j]!;
  return z;
}
