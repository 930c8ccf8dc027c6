import { readFileSync } from 'node:fs';
import { type Embeddings, embedComment, shippedEmbeddings } from './embeddings.js';
import { scoreLexicon } from './lexicon.js';
import { polarityLogit, predict, type SentimentLabel, type SentimentModel } from './model.js';
import { denseMargin, type PolarityModel, polarityEval } from './polarity-model.js';
import { type Token, tokenize } from './text.js';

export type { SentimentLabel } from './model.js';

/** One comment's sentiment: a label and a score in −1…1 (negative…positive). */
export interface Sentiment {
  readonly label: SentimentLabel;
  readonly score: number;
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
): Scorer {
  const name = polarity
    ? `${polarity.name}+lexicon`
    : `${model.name === 'semeval-lr' ? 'semeval' : model.name}+lexicon`;
  return {
    name,
    score(text) {
      const tokens = tokenize(String(text ?? ''));
      if (tokens.length === 0) return { label: 'neutral', score: 0 };
      const { z, pNeutral, lex, known } = blendedLogit(tokens, model, polarity, vectors);
      // a comment the polarity model knows nothing of (emoji only, another language): the lexicon speaks alone
      if (!known) return lexiconLabel(lex);
      return labelled(z, pNeutral, lex);
    },
  };
}

/** The positive/negative decision for binary evaluation: the sign of the blended polarity. */
export function polarityOf(s: Sentiment): 'positive' | 'negative' {
  return s.score >= 0 ? 'positive' : 'negative';
}

const round = (x: number) => Math.round(x * 10000) / 10000;

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
