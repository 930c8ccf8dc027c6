import { fitLogistic } from '../stats/logistic.js';
import { indexRows, softmaxInPlace, trainSparseLogistic } from '../stats/sparse-logistic.js';
import { charGrams, features, type Token } from './text.js';

export const CLASSES = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof CLASSES)[number];

/** Weights of a multinomial logistic regression over n-gram presence, as shipped in JSON. */
export interface SentimentModel {
  readonly name: string;
  readonly trainedOn: string;
  readonly classes: readonly SentimentLabel[];
  readonly bias: readonly number[];
  readonly weights: Readonly<Record<string, readonly number[]>>;
  /** Character n-gram lengths (`c:` features of `charGrams`) the model also reads; none when absent. */
  readonly chars?: readonly [number, number] | null;
  /** pos-vs-neg logit = intercept + model·(log p₊ − log p₋) + lexicon·compound */
  blend: { intercept: number; model: number; lexicon: number };
}

/** The distinct features a 3-class model reads: word n-grams, plus character n-grams when it has them. */
export function modelFeatures(
  tokens: readonly Token[],
  chars: readonly [number, number] | null,
): Set<string> {
  const fs = new Set(features(tokens));
  if (chars) for (const c of charGrams(tokens, chars[0], chars[1])) fs.add(c);
  return fs;
}

/** Class probabilities (negative, neutral, positive) of one comment. */
export function predict(model: SentimentModel, tokens: readonly Token[]): [number, number, number] {
  const z: [number, number, number] = [model.bias[0]!, model.bias[1]!, model.bias[2]!];
  for (const f of modelFeatures(tokens, model.chars ?? null)) {
    const w = model.weights[f];
    if (w) {
      z[0] += w[0]!;
      z[1] += w[1]!;
      z[2] += w[2]!;
    }
  }
  return softmaxInPlace(z) as [number, number, number];
}

/**
 * Trains the 3-class softmax regression over sparse binary features (class-balanced, L2, Adagrad,
 * deterministic): the one sparse trainer, `trainSparseLogistic` (stats/), on presence features.
 */
export function trainSoftmax(
  xs: readonly (readonly string[])[],
  ys: readonly number[],
  vocab: ReadonlySet<string>,
  opts: { epochs: number; l2: number; rate: number },
): { bias: number[]; weights: Map<string, number[]> } {
  const { index, rows } = indexRows(xs, vocab);
  const fit = trainSparseLogistic(rows, ys, { classes: 3, features: index.size, ...opts });
  const weights = new Map<string, number[]>();
  for (const [f, j] of index) weights.set(f, [...fit.weights.subarray(j * 3, j * 3 + 3)]);
  return { bias: [...fit.bias], weights };
}

/** The model's pos-vs-neg log-odds, log p₊ − log p₋. */
export function polarityLogit(p: readonly number[]): number {
  return Math.log(Math.max(p[2]!, 1e-9)) - Math.log(Math.max(p[0]!, 1e-9));
}

/**
 * Fits the blend weights: class-balanced logistic regression of positive-vs-negative on the model's
 * polarity logit and the lexicon compound (`fitLogistic`, Newton, unpenalised), rounded to 3 places.
 */
export function fitBlend(
  model: SentimentModel,
  rows: readonly { tokens: readonly Token[]; lexicon: number; y: number }[],
): SentimentModel['blend'] {
  const x = rows.map((r) => [polarityLogit(predict(model, r.tokens)), r.lexicon]);
  const w = fitBalanced(
    x,
    rows.map((r) => (r.y === 1 ? 1 : 0)),
  );
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { intercept: r(w[0]!), model: r(w[1]!), lexicon: r(w[2]!) };
}

/**
 * Class-balanced logistic regression on a few dense columns (a blend of margins): `fitLogistic`
 * (Newton) with each row weighted n / (2·n_class), unpenalised. Returns [intercept, ...weights] on
 * the columns' own scale.
 */
export function fitBalanced(x: readonly (readonly number[])[], y: readonly (0 | 1)[]): number[] {
  const pos = y.filter((v) => v === 1).length;
  const cw = [y.length / (2 * Math.max(1, y.length - pos)), y.length / (2 * Math.max(1, pos))];
  return [...fitLogistic(x, y, { weights: y.map((v) => cw[v]!) }).coefficients];
}
