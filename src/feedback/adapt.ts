import { perClassScores } from '../stats/classification.js';
import { lcgOrder, type SparseRow, trainSparseLogistic } from '../stats/sparse-logistic.js';
import type { Scorer, Sentiment, SentimentLabel } from './scorer.js';
import { features, tokenize } from './text.js';

/**
 * Domain adaptation from a few labels (issue #25.2; docs/feedback.md §Learning a company's domain):
 * a logistic regression over the comment's word n-grams plus the base scorer's three log-probabilities
 * (so it starts from the base and learns where the company's words differ), trained by the one sparse
 * trainer on the labelled comments. Settings fixed before any evaluation: n-grams seen in ≥ 2
 * labelled comments, 10 epochs, L2 1e-4, rate 0.2, class-balanced; 5 folds for the honest figure.
 */
const CLASSES: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

/**
 * Macro-F1 over the classes the labels use (a file labelled only negative/neutral is not marked down
 * for a positive class it never has).
 */
function macroF1(pred: readonly number[], gold: readonly number[], classes: number): number {
  const per = perClassScores(pred, gold, classes).filter((c) => c.n > 0);
  return per.length ? per.reduce((a, c) => a + c.f1, 0) / per.length : 0;
}

/** The L2 penalties `adapt` chooses among by cross-validation on the labels (docs/decisions.md). */
export const L2_CHOICES = [1e-4, 1e-3, 1e-2, 1e-1] as const;

/**
 * Reads a label column: words (negative/neutral/positive, neg/neu/pos, detractor/passive/promoter) or
 * numbers — {0, 1} is negative/positive, {−1, 0, 1} negative/neutral/positive. Undefined when blank or
 * unknown (the row is not used for training).
 */
export function labelReader(values: readonly string[]): (v: string) => 0 | 1 | 2 | undefined {
  const nums = new Set(values.map((v) => v.trim()).filter((v) => /^-?\d+$/.test(v)));
  const threeWay = nums.has('-1');
  return (raw) => {
    const v = raw.trim().toLowerCase();
    if (v === '') return undefined;
    if (['negative', 'neg', 'detractor', 'bad'].includes(v)) return 0;
    if (['neutral', 'neu', 'passive', 'mixed'].includes(v)) return 1;
    if (['positive', 'pos', 'promoter', 'good'].includes(v)) return 2;
    if (v === '-1') return 0;
    if (v === '0') return threeWay ? 1 : 0;
    if (v === '1') return 2;
    return undefined;
  };
}

/**
 * An adapted model, as stored (JSON): its features in index order (the three base log-probabilities
 * first, then n-grams), intercepts, and weights row-major (feature × output); one output = binary.
 */
export interface AdaptedModel {
  readonly features: readonly string[];
  readonly bias: readonly number[];
  readonly weights: readonly number[];
  readonly outputs: number;
}

interface Model {
  readonly index: Map<string, number>;
  readonly bias: ArrayLike<number>;
  readonly weights: ArrayLike<number>;
  readonly outputs: number;
}

/** The stored form of a fitted model (weights rounded to 6 decimals). */
function stored(m: Model): AdaptedModel {
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    features: [...m.index.keys()],
    bias: Array.from(m.bias, r),
    weights: Array.from(m.weights, r),
    outputs: m.outputs,
  };
}

function loaded(a: AdaptedModel): Model {
  return {
    index: new Map(a.features.map((f, i) => [f, i])),
    bias: a.bias,
    weights: a.weights,
    outputs: a.outputs,
  };
}

/** A scorer from a stored adapted model over `base` (the scorer it was adapted from). */
export function adaptedScorer(a: AdaptedModel, base: Scorer, name: string): Scorer {
  const m = loaded(a);
  return { name, score: (t) => predict(m, String(t ?? ''), base.score(String(t ?? ''))) };
}

const BASE = ['<base:negative>', '<base:neutral>', '<base:positive>'];

function rowOf(text: string, base: Sentiment, index: Map<string, number> | null, grow: boolean): SparseRow {
  const ids: number[] = [];
  const vals: number[] = [];
  const p = base.probabilities ?? {
    negative: base.label === 'negative' ? 0.8 : 0.1,
    neutral: base.label === 'neutral' ? 0.8 : 0.1,
    positive: base.label === 'positive' ? 0.8 : 0.1,
  };
  const lp = [p.negative, p.neutral, p.positive].map((x) => Math.log(Math.max(x, 1e-4)));
  BASE.forEach((f, k) => {
    ids.push(index!.get(f)!);
    vals.push(lp[k]!);
  });
  for (const f of new Set(features(tokenize(text)))) {
    let j = index?.get(f);
    if (j === undefined && grow && index) {
      j = index.size;
      index.set(f, j);
    }
    if (j !== undefined) {
      ids.push(j);
      vals.push(1);
    }
  }
  return { indices: ids, values: vals };
}

function train(
  texts: readonly string[],
  base: readonly Sentiment[],
  y: readonly number[],
  binary: boolean,
  l2 = 1e-4,
): Model {
  const df = new Map<string, number>();
  for (const t of texts) for (const f of new Set(features(tokenize(t)))) df.set(f, (df.get(f) ?? 0) + 1);
  const index = new Map<string, number>(BASE.map((f, k) => [f, k]));
  for (const [f, n] of [...df.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
    if (n >= 2) index.set(f, index.size);
  const rows = texts.map((t, i) => rowOf(t, base[i]!, index, false));
  const fit = trainSparseLogistic(rows, binary ? y.map((v) => (v === 2 ? 1 : 0)) : y, {
    classes: binary ? 2 : 3,
    features: index.size,
    epochs: 10,
    l2,
    rate: 0.2,
  });
  return { index, ...fit };
}

function predict(m: Model, text: string, base: Sentiment): Sentiment {
  const row = rowOf(text, base, m.index, false);
  const z = Array.from(m.bias);
  row.indices.forEach((j, k) => {
    for (let c = 0; c < m.outputs; c++) z[c]! += m.weights[j * m.outputs + c]! * (row.values?.[k] ?? 1);
  });
  if (m.outputs === 1) {
    const p = 1 / (1 + Math.exp(-z[0]!));
    return { label: p >= 0.5 ? 'positive' : 'negative', score: Math.round((2 * p - 1) * 10000) / 10000 };
  }
  const mx = Math.max(...z);
  const e = z.map((v) => Math.exp(v - mx));
  const s = e[0]! + e[1]! + e[2]!;
  const p = e.map((v) => v / s);
  const c = p.indexOf(Math.max(...p));
  const r = (x: number) => Math.round(x * 10000) / 10000;
  return {
    label: CLASSES[c]!,
    score: r(p[2]! - p[0]!),
    probabilities: { negative: r(p[0]!), neutral: r(p[1]!), positive: r(p[2]!) },
  };
}

export interface Adaptation {
  /** labelled comments used */
  readonly labelled: number;
  /** classes the labels use: 2 (negative/positive) or 3 */
  readonly classes: 2 | 3;
  readonly folds: number;
  /** macro-F1 on the labelled comments: adapted (out of fold) and the base scorer, same rows */
  readonly adaptedMacroF1: number;
  /** the L2 the cross-validation chose (of L2_CHOICES) */
  readonly l2: number;
  readonly baseMacroF1: number;
  readonly scorer: Scorer;
  /** the model trained on every labelled comment, as stored */
  readonly model: AdaptedModel;
}

/**
 * Adapts `base` to labelled comments: the cross-validated figure (5 folds, each comment scored by a
 * model that did not see it) beside the base scorer's on the same comments, and a scorer trained on
 * all of them. With two classes both decide positive/negative (the sign of the score).
 */
export function adapt(
  base: Scorer,
  texts: readonly string[],
  labels: readonly (0 | 1 | 2)[],
  folds = 5,
): Adaptation {
  const binary = !labels.includes(1);
  const baseScores = texts.map((t) => base.score(t));
  const decide = (s: Sentiment) => (binary ? (s.score >= 0 ? 2 : 0) : CLASSES.indexOf(s.label));
  const order = lcgOrder(texts.length, 777);
  const fold = new Int32Array(texts.length);
  order.forEach((row, pos) => {
    fold[row] = pos % folds;
  });
  const gold = [...labels];
  const k = binary ? 2 : 3;
  const map = (xs: readonly number[]) => (binary ? xs.map((x) => (x === 2 ? 1 : 0)) : xs);
  // L2 chosen by the cross-validated macro-F1 on these labels (ties: the larger)
  let best: { l2: number; f1: number } | undefined;
  for (const l2 of L2_CHOICES) {
    const pred = new Array<number>(texts.length).fill(0);
    for (let f = 0; f < folds; f++) {
      const tr = texts.flatMap((_, i) => (fold[i] === f ? [] : [i]));
      const m = train(
        tr.map((i) => texts[i]!),
        tr.map((i) => baseScores[i]!),
        tr.map((i) => labels[i]!),
        binary,
        l2,
      );
      texts.forEach((t, i) => {
        if (fold[i] === f) pred[i] = decide(predict(m, t, baseScores[i]!));
      });
    }
    const f1 = macroF1(map(pred), map(gold), k);
    if (!best || f1 >= best.f1) best = { l2, f1 };
  }
  const adapted = best!.f1;
  const baseF1 = macroF1(map(baseScores.map(decide)), map(gold), k);
  const all = train(texts, baseScores, labels, binary, best!.l2);
  return {
    labelled: texts.length,
    classes: binary ? 2 : 3,
    folds,
    adaptedMacroF1: adapted,
    l2: best!.l2,
    baseMacroF1: baseF1,
    model: stored(all),
    scorer: {
      name: `adapted(${texts.length} labels)+${base.name}`,
      score: (t) => predict(all, t, base.score(t)),
    },
  };
}
