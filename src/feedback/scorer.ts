import { existsSync, readFileSync } from 'node:fs';
import { type Embeddings, embedComment, shippedEmbeddings } from './embeddings.js';
import { scoreLexicon } from './lexicon.js';
import { polarityLogit, predict, type SentimentLabel, type SentimentModel } from './model.js';
import { denseMargin, type PolarityModel, polarityEval } from './polarity-model.js';
import { type Token, tokenize } from './text.js';
import {
  partsOf,
  type ThreeClassModel,
  threeClassLabel,
  threeClassProbs,
  threeClassRow,
} from './three-class.js';

export type { SentimentLabel } from './model.js';

/** One comment's sentiment: a label and a score in −1…1 (negative…positive). */
export interface Sentiment {
  readonly label: SentimentLabel;
  readonly score: number;
  /**
   * The three-class model's probabilities when it decided: its posterior with the three classes
   * taken as equally common (p_c / π_c renormalised, π the training tweets' class shares), so the
   * label is always the most probable class. Calibration is measured in the bench.
   */
  readonly probabilities?: { readonly negative: number; readonly neutral: number; readonly positive: number };
}

/**
 * The one interface every sentiment scorer implements, so a better model replaces another without
 * touching callers. `score` never throws: empty, very long, non-English or emoji-only text gets an
 * answer (neutral, 0 when nothing in it carries sentiment).
 */
export interface Scorer {
  readonly name: string;
  score(text: string): Sentiment;
}

/** Lexicon only: neutral band |compound| < 0.2 (VADER's authors use ±0.05; CX text needs a wider band). */
export function lexiconScorer(band = 0.2): Scorer {
  return {
    name: 'lexicon',
    score(text) {
      return lexiconLabel(scoreLexicon(String(text ?? '')).compound, band);
    },
  };
}

function lexiconLabel(c: number, band = 0.2): Sentiment {
  return { label: c >= band ? 'positive' : c <= -band ? 'negative' : 'neutral', score: round(c) };
}

let shipped: SentimentModel | undefined;
let shippedPol: PolarityModel | undefined;
let shippedThree: ThreeClassModel | null | undefined;
let shippedNeu: PolarityModel | null | undefined;

/** The shipped neutral-vs-opinion model (models/semeval-neutral.json), loaded once; null when not shipped. */
export function shippedNeutral(): PolarityModel | null {
  if (shippedNeu !== undefined) return shippedNeu;
  const url = new URL('./models/semeval-neutral.json', import.meta.url);
  shippedNeu = existsSync(url) ? (JSON.parse(readFileSync(url, 'utf8')) as PolarityModel) : null;
  return shippedNeu;
}

/** The shipped three-class decision (models/semeval-three.json), loaded once; null when not shipped. */
export function shippedThreeClass(): ThreeClassModel | null {
  if (shippedThree !== undefined) return shippedThree;
  const url = new URL('./models/semeval-three.json', import.meta.url);
  shippedThree = existsSync(url) ? (JSON.parse(readFileSync(url, 'utf8')) as ThreeClassModel) : null;
  return shippedThree;
}

/** The shipped 3-class SemEval model (src/feedback/models/semeval-lr.json), loaded once. */
export function shippedModel(): SentimentModel {
  shipped ??= JSON.parse(
    readFileSync(new URL('./models/semeval-lr.json', import.meta.url), 'utf8'),
  ) as SentimentModel;
  return shipped;
}

/** The shipped binary positive-vs-negative SemEval model (models/semeval-polarity.json), loaded once. */
export function shippedPolarity(): PolarityModel {
  shippedPol ??= JSON.parse(
    readFileSync(new URL('./models/semeval-polarity.json', import.meta.url), 'utf8'),
  ) as PolarityModel;
  return shippedPol;
}

/**
 * The blended pos-vs-neg logit of one tokenised comment, with the 3-class model's p(neutral) and the
 * lexicon compound. With a polarity model: intercept + a·margin + b·lexicon + c·(3-class log p₊/p₋);
 * without one (`null`), the 3-class model's own blend.
 */
export function blendedLogit(
  tokens: readonly Token[],
  model: SentimentModel = shippedModel(),
  polarity: PolarityModel | null = shippedPolarity(),
  vectors: Embeddings = shippedEmbeddings(),
): { z: number; pNeutral: number; lex: number; known: boolean } {
  const lex = scoreLexicon(tokens).compound;
  const p = predict(model, tokens);
  const three = polarityLogit(p);
  if (!polarity) {
    return {
      z: model.blend.intercept + model.blend.model * three + model.blend.lexicon * lex,
      pNeutral: p[1],
      lex,
      known: true,
    };
  }
  const { margin, known } = polarityEval(polarity, tokens);
  const b = polarity.blend;
  const dense =
    polarity.embedding && b.embedding
      ? b.embedding * denseMargin(polarity.embedding, embedComment(vectors, tokens))
      : 0;
  return {
    z: b.intercept + b.margin * margin + dense + b.lexicon * lex + b.three * three,
    pNeutral: p[1],
    lex,
    known: known > 0,
  };
}

/**
 * The default scorer: the binary SemEval polarity model's margin, the lexicon and the 3-class
 * model's pos-vs-neg log-odds combined by a meta-model fitted on held-out SemEval tweets; p(neutral)
 * from the 3-class model decides neutral together with the lexicon (see `labelled`). A comment with
 * no known word and no lexicon hit is neutral, 0. `polarity: null` gives the earlier 3-class blend.
 */
export function blendedScorer(
  model: SentimentModel = shippedModel(),
  polarity: PolarityModel | null = shippedPolarity(),
  vectors?: Embeddings,
  three: ThreeClassModel | null = polarity === shippedPolarity() ? shippedThreeClass() : null,
): Scorer {
  const name = polarity
    ? `${polarity.name}${three ? `+${three.name}` : ''}+lexicon`
    : `${model.name === 'semeval-lr' ? 'semeval' : model.name}+lexicon`;
  return {
    name,
    score(text) {
      return scoreTokens(tokenize(String(text ?? '')), 0, model, polarity, vectors, three);
    },
  };
}

/**
 * One tokenised comment's sentiment with the shipped parts, `extra` added to the pos-vs-neg log-odds
 * (a company model's). With the three-class model: its probabilities, the balanced label, and
 * score = q₊ − q₋ of the balanced probabilities (so the label and the score's sign agree); without it,
 * the binary blend and the neutral rules of `labelled`.
 */
export function scoreTokens(
  tokens: readonly Token[],
  extra = 0,
  model: SentimentModel = shippedModel(),
  polarity: PolarityModel | null = shippedPolarity(),
  vectors: Embeddings = shippedEmbeddings(),
  three: ThreeClassModel | null = polarity === shippedPolarity() ? shippedThreeClass() : null,
): Sentiment {
  if (tokens.length === 0) return { label: 'neutral', score: 0 };
  if (polarity && three) {
    const parts = partsOf(tokens, model, polarity, vectors, three.neutral ? shippedNeutral() : null);
    // a comment the polarity model knows nothing of (emoji only, another language): the lexicon speaks alone
    if (!parts.known && extra === 0) return lexiconLabel(parts.lexicon.compound);
    // the CX rules (hand-written for support language, rare in tweets, so the fit cannot weigh them)
    // shift the pos-vs-neg log-odds by CX_WEIGHT per unit of valence
    const p = threeClassProbs(
      three,
      threeClassRow(parts, tokens, three.embedding, three.neutral),
      extra + CX_WEIGHT * parts.lexicon.cx,
    );
    const q = p.map((v, c) => v / three.priors[c]!);
    const sum = q[0]! + q[1]! + q[2]!;
    const score = round((q[2]! - q[0]!) / sum);
    let label = (['negative', 'neutral', 'positive'] as const)[threeClassLabel(three, p)];
    // general-Twitter n-grams alone do not make a plain statement an opinion (as in `labelled`)
    if (label !== 'neutral' && parts.lexicon.hits === 0 && Math.abs(score) < 0.5) label = 'neutral';
    return {
      label,
      score,
      probabilities: {
        negative: round(q[0]! / sum),
        neutral: round(q[1]! / sum),
        positive: round(q[2]! / sum),
      },
    };
  }
  const { z, pNeutral, lex, known } = blendedLogit(tokens, model, polarity, vectors);
  if (!known && extra === 0) return lexiconLabel(lex);
  return labelled(z + extra, pNeutral, lex);
}

/** The positive/negative decision for binary evaluation: the sign of the blended polarity. */
export function polarityOf(s: Sentiment): 'positive' | 'negative' {
  return s.score >= 0 ? 'positive' : 'negative';
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/**
 * Pos-vs-neg log-odds per unit of CX-rule valence (lexicon.ts: CX words, phrases, sarcasm): set by
 * hand, not fitted — a CX rule of valence −2.6 ("rip-off") moves the odds by e^−3.9 ≈ ×0.02. It was
 * 0.6 until the 3-class n-gram model was retrained with less shrinkage (issue #25.1, round 2): its
 * larger weights on "appreciate", "great", "thanks" out-voted the rules, and 1.5 is the least of
 * {0.6, 0.8, 1.0, 1.2, 1.5} that keeps the regression fixture at 24/24 (docs/decisions.md).
 */
export const CX_WEIGHT = 1.5;

/** Polarity below this in absolute value is neutral. */
export const NEUTRAL_BAND = 0.2;

/**
 * Label and score from the blended pos-vs-neg logit `z`: score = 2σ(z) − 1 (−1…1). Neutral when the
 * score is inside the band, or when the model finds the text neutral (p(neutral) > 0.6) and the
 * lexicon sees little sentiment (|compound| < 0.25), or when no lexicon word speaks and the model is
 * not sure (|score| < 0.5): general-Twitter n-grams alone do not make a plain statement an opinion.
 */
export function labelled(z: number, pNeutral: number, lexicon: number): Sentiment {
  const score = round(2 / (1 + Math.exp(-z)) - 1);
  const neutral =
    Math.abs(score) < NEUTRAL_BAND ||
    (pNeutral > 0.6 && Math.abs(lexicon) < 0.25) ||
    (lexicon === 0 && Math.abs(score) < 0.5);
  const label: SentimentLabel = neutral ? 'neutral' : score > 0 ? 'positive' : 'negative';
  return { label, score };
}
