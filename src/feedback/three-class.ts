import { type Embeddings, embedComment } from './embeddings.js';
import { type LexiconScore, scoreLexicon } from './lexicon.js';
import type { SentimentModel } from './model.js';
import { predict } from './model.js';
import type { PolarityModel } from './polarity-model.js';
import { denseMargin, polarityEval, polarityFeatures } from './polarity-model.js';
import type { Token } from './text.js';

/**
 * The three-class decision (docs/feedback.md §Three classes): a multinomial logistic regression over
 * what the shipped parts compute for a comment — the binary blend's logit, the 3-class n-gram model's
 * log-odds of negative and of positive against neutral, and the lexicon (compound, positive and
 * negative sums, the CX rules' part, whether any word spoke) — fitted on held-out SemEval tweets by
 * `scripts/train-sentiment.ts --stack`. Its probabilities estimate the training distribution's
 * (fitted unweighted, so they are calibrated there); the label divides each by its class's share in
 * the training tweets (a balanced decision, as SemEval's average recall rewards).
 */
export interface ThreeClassModel {
  readonly name: string;
  readonly trainedOn: string;
  readonly features: readonly string[];
  readonly means: readonly number[];
  readonly sds: readonly number[];
  /** intercepts (negative, neutral, positive) */
  readonly bias: readonly number[];
  /** per feature, its three weights (on the standardised feature) */
  readonly weights: readonly (readonly number[])[];
  /** share of each class in the training tweets (negative, neutral, positive) */
  readonly priors: readonly number[];
  /**
   * Optional three-class GloVe part: multinomial logistic regression on `embedComment` (intercepts
   * and, per dense feature, three weights); its two log-odds against neutral are the last two
   * stacker features (THREE_CLASS_GLOVE_FEATURES).
   */
  readonly embedding?: { readonly bias: readonly number[]; readonly weights: readonly (readonly number[])[] };
  /** Whether the stacker reads the neutral-vs-opinion model's margin (its last feature; round 3). */
  readonly neutral?: boolean;
}

export const THREE_CLASS_FEATURES = [
  'blend logit',
  'negative vs neutral (3-class n-grams)',
  'positive vs neutral (3-class n-grams)',
  'lexicon compound',
  'lexicon positive sum',
  'lexicon negative sum',
  'CX rules',
  '|blend logit|',
  '|lexicon compound|',
  'no lexicon word',
  'no known n-gram',
  'log words',
] as const;

/** The stacker features a model with a three-class GloVe part adds. */
export const THREE_CLASS_GLOVE_FEATURES = [
  'negative vs neutral (3-class GloVe)',
  'positive vs neutral (3-class GloVe)',
] as const;

/** The stacker feature a model with the neutral-vs-opinion part adds (after the GloVe ones). */
export const THREE_CLASS_NEUTRAL_FEATURE = 'neutral vs opinion (NB words + characters)';

export interface Parts {
  /** the binary blend's pos-vs-neg logit */
  readonly z: number;
  /** the 3-class n-gram model's probabilities */
  readonly p3: readonly [number, number, number];
  readonly lexicon: LexiconScore;
  /** the polarity model knows at least one feature of the comment */
  readonly known: boolean;
  /** the comment's dense features (`embedComment`) */
  readonly embedded: Float64Array;
  /** the neutral-vs-opinion model's margin, when one was given */
  readonly neutral?: number;
}

/** The parts of one tokenised comment (shared with the binary blend, computed once). */
export function partsOf(
  tokens: readonly Token[],
  model: SentimentModel,
  polarity: PolarityModel,
  vectors: Embeddings,
  neutral?: PolarityModel | null,
): Parts {
  const lexicon = scoreLexicon(tokens);
  const p3 = predict(model, tokens);
  const three = Math.log(Math.max(p3[2], 1e-9)) - Math.log(Math.max(p3[0], 1e-9));
  const feats = polarityFeatures(tokens, polarity.chars);
  const { margin, known } = polarityEval(polarity, tokens, feats);
  const b = polarity.blend;
  const embedded = embedComment(vectors, tokens);
  const dense =
    polarity.embedding && b.embedding ? b.embedding * denseMargin(polarity.embedding, embedded) : 0;
  const z = b.intercept + b.margin * margin + dense + b.lexicon * lexicon.compound + b.three * three;
  return {
    z,
    p3,
    lexicon,
    known: known > 0,
    embedded,
    ...(neutral
      ? {
          // the same features when the two models read the same character n-grams (computed once)
          neutral: polarityEval(
            neutral,
            tokens,
            sameChars(neutral.chars, polarity.chars) ? feats : polarityFeatures(tokens, neutral.chars),
          ).margin,
        }
      : {}),
  };
}

const sameChars = (a: PolarityModel['chars'], b: PolarityModel['chars']) =>
  a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1]);

const squash = (x: number) => x / Math.sqrt(x * x + 15);

/** The three-class GloVe part's log-odds of negative and of positive against neutral. */
export function gloveLogOdds(
  e: NonNullable<ThreeClassModel['embedding']>,
  x: Float64Array,
): [number, number] {
  const s = [e.bias[0]!, e.bias[1]!, e.bias[2]!];
  for (let j = 0; j < x.length; j++) {
    const w = e.weights[j]!;
    s[0]! += w[0]! * x[j]!;
    s[1]! += w[1]! * x[j]!;
    s[2]! += w[2]! * x[j]!;
  }
  return [s[0]! - s[1]!, s[2]! - s[1]!];
}

/**
 * The stacker's input row (in THREE_CLASS_FEATURES order, then THREE_CLASS_GLOVE_FEATURES when
 * `glove` — the model's three-class GloVe part — is given).
 */
export function threeClassRow(
  parts: Parts,
  tokens: readonly Token[],
  glove?: ThreeClassModel['embedding'],
  neutral = false,
): number[] {
  const { z, p3, lexicon: l } = parts;
  const lp = (i: number) => Math.log(Math.max(p3[i]!, 1e-9));
  let words = 0;
  for (const t of tokens) if (t.kind === 'word') words++;
  return [
    z,
    lp(0) - lp(1),
    lp(2) - lp(1),
    l.compound,
    squash(l.positive),
    squash(l.negative),
    squash(l.cx),
    Math.abs(z),
    Math.abs(l.compound),
    l.hits === 0 ? 1 : 0,
    parts.known ? 0 : 1,
    Math.log1p(words),
    ...(glove ? gloveLogOdds(glove, parts.embedded) : []),
    ...(neutral ? [parts.neutral ?? 0] : []),
  ];
}

/** Class probabilities (negative, neutral, positive) for a row, with an optional extra pos-vs-neg log-odds. */
export function threeClassProbs(
  m: ThreeClassModel,
  row: readonly number[],
  extra = 0,
): [number, number, number] {
  const s = [m.bias[0]!, m.bias[1]!, m.bias[2]!];
  for (let j = 0; j < row.length; j++) {
    const x = (row[j]! - m.means[j]!) / (m.sds[j]! || 1);
    const w = m.weights[j]!;
    s[0]! += w[0]! * x;
    s[1]! += w[1]! * x;
    s[2]! += w[2]! * x;
  }
  s[0]! -= extra / 2;
  s[2]! += extra / 2;
  const mx = Math.max(s[0]!, s[1]!, s[2]!);
  const e = s.map((v) => Math.exp(v - mx));
  const t = e[0]! + e[1]! + e[2]!;
  return [e[0]! / t, e[1]! / t, e[2]! / t];
}

/** The balanced decision: the class whose probability is highest relative to its training share. */
export function threeClassLabel(m: ThreeClassModel, p: readonly number[]): 0 | 1 | 2 {
  let best = 0;
  for (let c = 1; c < 3; c++) if (p[c]! / m.priors[c]! > p[best]! / m.priors[best]!) best = c;
  return best as 0 | 1 | 2;
}
