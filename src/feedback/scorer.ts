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
 * model; p(pos) = (1 − p(neutral))·σ(blend), p(neg) the rest; the label is the likeliest class and
 * the score p(pos) − p(neg); |score| < 0.15 is neutral. A comment with no known word and no lexicon hit is neutral, 0.
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
      const s = 1 / (1 + Math.exp(-z));
      const pos = (1 - p[1]) * s;
      const neg = (1 - p[1]) * (1 - s);
      return labelled(pos, neg, p[1]);
    },
  };
}

/** The positive/negative decision for binary evaluation: the sign of the blended polarity. */
export function polarityOf(s: Sentiment): 'positive' | 'negative' {
  return s.score >= 0 ? 'positive' : 'negative';
}

const round = (x: number) => Math.round(x * 10000) / 10000;

/** Scores below this in absolute value are neutral whatever the class probabilities say. */
export const NEUTRAL_BAND = 0.15;

/** The likeliest class (neutral inside the band), and the score p(pos) − p(neg). */
export function labelled(pos: number, neg: number, neutral: number): Sentiment {
  const score = round(pos - neg);
  const label: SentimentLabel =
    Math.abs(score) < NEUTRAL_BAND || (neutral >= pos && neutral >= neg)
      ? 'neutral'
      : pos >= neg
        ? 'positive'
        : 'negative';
  return { label, score };
}
