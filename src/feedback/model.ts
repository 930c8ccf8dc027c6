import { features, type Token } from './text.js';

export const CLASSES = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof CLASSES)[number];

/** Weights of a multinomial logistic regression over n-gram presence, as shipped in JSON. */
export interface SentimentModel {
  readonly name: string;
  readonly trainedOn: string;
  readonly classes: readonly SentimentLabel[];
  readonly bias: readonly number[];
  readonly weights: Readonly<Record<string, readonly number[]>>;
  /** pos-vs-neg logit = intercept + model·(log p₊ − log p₋) + lexicon·compound */
  blend: { intercept: number; model: number; lexicon: number };
}

/** Class probabilities (negative, neutral, positive) of one comment. */
export function predict(model: SentimentModel, tokens: readonly Token[]): [number, number, number] {
  const z: [number, number, number] = [model.bias[0]!, model.bias[1]!, model.bias[2]!];
  for (const f of new Set(features(tokens))) {
    const w = model.weights[f];
    if (w) {
      z[0] += w[0]!;
      z[1] += w[1]!;
      z[2] += w[2]!;
    }
  }
  return softmax(z);
}

function softmax(z: number[]): [number, number, number] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e[0]! + e[1]! + e[2]!;
  return [e[0]! / s, e[1]! / s, e[2]! / s];
}

/**
 * Trains a 3-class softmax regression with Adagrad on sparse binary features, class-balanced
 * (each class weighs n / (3·n_c)), L2-regularised. Deterministic: fixed visiting order.
 */
export function trainSoftmax(
  xs: readonly (readonly string[])[],
  ys: readonly number[],
  vocab: ReadonlySet<string>,
  opts: { epochs: number; l2: number; rate: number },
): { bias: number[]; weights: Map<string, number[]> } {
  const counts = [0, 0, 0];
  for (const y of ys) counts[y]!++;
  const cw = counts.map((c) => (c === 0 ? 0 : ys.length / (3 * c)));
  const weights = new Map<string, number[]>();
  const g2 = new Map<string, number[]>();
  for (const v of vocab) {
    weights.set(v, [0, 0, 0]);
    g2.set(v, [1e-8, 1e-8, 1e-8]);
  }
  const bias = [0, 0, 0];
  const bg2 = [1e-8, 1e-8, 1e-8];
  const order = seededOrder(xs.length);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const i of order) {
      const fs = xs[i]!.filter((f) => vocab.has(f));
      const z: [number, number, number] = [bias[0]!, bias[1]!, bias[2]!];
      for (const f of fs) {
        const w = weights.get(f)!;
        z[0] += w[0]!;
        z[1] += w[1]!;
        z[2] += w[2]!;
      }
      const p = softmax(z);
      const y = ys[i]!;
      for (let c = 0; c < 3; c++) {
        const g = cw[y]! * (p[c]! - (c === y ? 1 : 0));
        bg2[c]! += g * g;
        bias[c]! -= (opts.rate * g) / Math.sqrt(bg2[c]!);
        for (const f of fs) {
          const w = weights.get(f)!;
          const acc = g2.get(f)!;
          const gg = g + opts.l2 * w[c]!;
          acc[c]! += gg * gg;
          w[c]! -= (opts.rate * gg) / Math.sqrt(acc[c]!);
        }
      }
    }
  }
  return { bias, weights };
}

/** The model's pos-vs-neg log-odds, log p₊ − log p₋. */
export function polarityLogit(p: readonly number[]): number {
  return Math.log(Math.max(p[2]!, 1e-9)) - Math.log(Math.max(p[0]!, 1e-9));
}

/** Fits the blend weights by logistic regression (gradient descent, standard two-feature problem). */
export function fitBlend(
  model: SentimentModel,
  rows: readonly { tokens: readonly Token[]; lexicon: number; y: number }[],
): SentimentModel['blend'] {
  const x = rows.map((r) => [1, polarityLogit(predict(model, r.tokens)), r.lexicon] as const);
  const pos = rows.filter((r) => r.y === 1).length;
  const cw = [rows.length / (2 * Math.max(1, rows.length - pos)), rows.length / (2 * Math.max(1, pos))];
  const w = [0, 0, 0];
  for (let it = 0; it < 2000; it++) {
    const g = [0, 0, 0];
    x.forEach((xi, i) => {
      const p = 1 / (1 + Math.exp(-(w[0]! * xi[0] + w[1]! * xi[1] + w[2]! * xi[2])));
      const e = (p - rows[i]!.y) * cw[rows[i]!.y]!;
      for (let k = 0; k < 3; k++) g[k]! += e * xi[k]!;
    });
    for (let k = 0; k < 3; k++) w[k]! -= (0.5 * g[k]!) / x.length;
  }
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { intercept: r(w[0]!), model: r(w[1]!), lexicon: r(w[2]!) };
}

/** 0..n−1 in a fixed pseudo-random order (Fisher–Yates driven by an LCG), the same on every run. */
export function seededOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 12345;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
