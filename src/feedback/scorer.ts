import { readFileSync } from 'node:fs';
import { scoreLexicon } from './lexicon.js';
import { polarityLogit, predict, type SentimentLabel, type SentimentModel } from './model.js';
import { tokenize } from './text.js';

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
      const c = scoreLexicon(String(text ?? '')).compound;
      return { label: c >= band ? 'positive' : c <= -band ? 'negative' : 'neutral', score: c };
    },
  };
}

let shipped: SentimentModel | undefined;

/** The shipped SemEval-trained model (src/feedback/models/semeval-lr.json), loaded once. */
export function shippedModel(): SentimentModel {
  shipped ??= JSON.parse(
    readFileSync(new URL('./models/semeval-lr.json', import.meta.url), 'utf8'),
  ) as SentimentModel;
  return shipped;
}

/**
 * The default scorer: the SemEval model's class probabilities with its positive/negative split
 * re-weighted by the lexicon (the blend fitted on held-out SemEval tweets). p(neutral) comes from the
 * model decides neutral together with the lexicon (see `labelled`). A comment with no known word and no lexicon hit is neutral, 0.
 */
export function blendedScorer(model: SentimentModel = shippedModel()): Scorer {
  return {
    name: model.name === 'semeval-lr' ? 'semeval+lexicon' : `${model.name}+lexicon`,
    score(text) {
      const tokens = tokenize(String(text ?? ''));
      if (tokens.length === 0) return { label: 'neutral', score: 0 };
      const lex = scoreLexicon(tokens);
      const p = predict(model, tokens);
      const z =
        model.blend.intercept + model.blend.model * polarityLogit(p) + model.blend.lexicon * lex.compound;
      return labelled(z, p[1], lex.compound);
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
