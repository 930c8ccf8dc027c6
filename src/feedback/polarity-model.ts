import { seededOrder } from './model.js';
import { features, type Token } from './text.js';

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

/** Character n-grams of the word tokens, `c:` + n letters of `#word#`. */
export function charGrams(tokens: readonly Token[], min: number, max: number): string[] {
  const out: string[] = [];
  for (const tok of tokens) {
    if (tok.kind !== 'word') continue;
    const w = `#${tok.t}#`;
    for (let n = min; n <= max; n++) {
      for (let i = 0; i + n <= w.length; i++) out.push(`c:${w.slice(i, i + n)}`);
    }
  }
  return out;
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

/** The margin and how many of the comment's features the model knows (0: it has nothing to say). */
export function polarityEval(
  model: PolarityModel,
  tokens: readonly Token[],
): { margin: number; known: number } {
  let margin = model.bias;
  let known = 0;
  for (const f of polarityFeatures(tokens, model.chars)) {
    const w = model.weights[f];
    if (w !== undefined) {
      margin += w;
      known++;
    }
  }
  return { margin, known };
}

/**
 * Trains binary logistic regression on presence features with Adagrad, class-balanced, L2 applied
 * at each update of a feature (the same scheme as `trainSoftmax`). With `nb`, each feature's value
 * is its smoothed log-count ratio r = log((p_f+α)/‖p+α‖₁) − log((q_f+α)/‖q+α‖₁) instead of 1, and
 * the returned weights are w·r. Deterministic: a fixed visiting order.
 */
export function trainBinary(
  xs: readonly (readonly string[])[],
  ys: readonly (0 | 1)[],
  vocab: ReadonlySet<string>,
  opts: { epochs: number; l2: number; rate: number; nb: boolean },
): { bias: number; weights: Map<string, number> } {
  const index = new Map<string, number>();
  for (const v of vocab) index.set(v, index.size);
  const rows = xs.map((x) => Int32Array.from(x.filter((f) => index.has(f)).map((f) => index.get(f)!)));
  const n = index.size;
  const r = new Float64Array(n).fill(1);
  if (opts.nb) {
    const p = new Float64Array(n).fill(1);
    const q = new Float64Array(n).fill(1);
    rows.forEach((row, i) => {
      const t = ys[i] === 1 ? p : q;
      for (const f of row) t[f]! += 1;
    });
    let sp = 0;
    let sq = 0;
    for (let f = 0; f < n; f++) {
      sp += p[f]!;
      sq += q[f]!;
    }
    for (let f = 0; f < n; f++) r[f] = Math.log(p[f]! / sp) - Math.log(q[f]! / sq);
  }
  const pos = ys.filter((y) => y === 1).length;
  const cw = [ys.length / (2 * Math.max(1, ys.length - pos)), ys.length / (2 * Math.max(1, pos))];
  const w = new Float64Array(n);
  const g2 = new Float64Array(n).fill(1e-8);
  let bias = 0;
  let bg2 = 1e-8;
  const order = seededOrder(xs.length);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const i of order) {
      const row = rows[i]!;
      let z = bias;
      for (const f of row) z += w[f]! * r[f]!;
      const y = ys[i]!;
      const g = cw[y]! * (1 / (1 + Math.exp(-z)) - y);
      bg2 += g * g;
      bias -= (opts.rate * g) / Math.sqrt(bg2);
      for (const f of row) {
        const gg = g * r[f]! + opts.l2 * w[f]!;
        g2[f]! += gg * gg;
        w[f]! -= (opts.rate * gg) / Math.sqrt(g2[f]!);
      }
    }
  }
  const weights = new Map<string, number>();
  for (const [f, k] of index) weights.set(f, w[k]! * r[k]!);
  return { bias, weights };
}

/**
 * Class-balanced logistic regression on a few dense features (the blend / meta-model), fitted by
 * Newton's method with a tiny ridge; returns [intercept, ...weights].
 */
export function fitMeta(x: readonly (readonly number[])[], y: readonly (0 | 1)[]): number[] {
  const k = (x[0]?.length ?? 0) + 1;
  const pos = y.filter((v) => v === 1).length;
  const cw = [y.length / (2 * Math.max(1, y.length - pos)), y.length / (2 * Math.max(1, pos))];
  const w = new Array<number>(k).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(k).fill(0);
    const h = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1e-6 : 0)));
    x.forEach((xi, n) => {
      const v = [1, ...xi];
      const z = v.reduce((s, a, i) => s + a * w[i]!, 0);
      const p = 1 / (1 + Math.exp(-z));
      const c = cw[y[n]!]!;
      for (let i = 0; i < k; i++) {
        g[i]! += c * (p - y[n]!) * v[i]!;
        for (let j = 0; j < k; j++) h[i]![j]! += c * p * (1 - p) * v[i]! * v[j]!;
      }
    });
    const step = solve(h, g);
    let moved = 0;
    for (let i = 0; i < k; i++) {
      w[i]! -= step[i]!;
      moved = Math.max(moved, Math.abs(step[i]!));
    }
    if (moved < 1e-9) break;
  }
  return w;
}

/** Solves A·x = b by Gaussian elimination with partial pivoting (small dense systems). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/**
 * Binary logistic regression on dense features with Adagrad, class-balanced, L2; deterministic.
 * Returns [bias, ...weights].
 */
export function trainDense(
  xs: readonly Float64Array[],
  ys: readonly (0 | 1)[],
  opts: { epochs: number; l2: number; rate: number },
): number[] {
  const d = xs[0]?.length ?? 0;
  const w = new Float64Array(d + 1);
  const g2 = new Float64Array(d + 1).fill(1e-8);
  const pos = ys.filter((y) => y === 1).length;
  const cw = [ys.length / (2 * Math.max(1, ys.length - pos)), ys.length / (2 * Math.max(1, pos))];
  const order = xs.map((_, i) => i);
  let seed = 54321;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const i of order) {
      const x = xs[i]!;
      let z = w[0]!;
      for (let j = 0; j < d; j++) z += w[j + 1]! * x[j]!;
      const g = cw[ys[i]!]! * (1 / (1 + Math.exp(-z)) - ys[i]!);
      g2[0]! += g * g;
      w[0]! -= (opts.rate * g) / Math.sqrt(g2[0]!);
      for (let j = 0; j < d; j++) {
        const gg = g * x[j]! + opts.l2 * w[j + 1]!;
        g2[j + 1]! += gg * gg;
        w[j + 1]! -= (opts.rate * gg) / Math.sqrt(g2[j + 1]!);
      }
    }
  }
  return [...w];
}

/** The dense part's margin for features x. */
export function denseMargin(e: { bias: number; weights: readonly number[] }, x: Float64Array): number {
  let z = e.bias;
  for (let j = 0; j < x.length; j++) z += e.weights[j]! * x[j]!;
  return z;
}
