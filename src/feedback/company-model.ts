import { createHash } from 'node:crypto';
import { type AdaptedModel, adapt } from './adapt.js';
import { polarityLogit, predict, type SentimentModel, trainSoftmax } from './model.js';
import { blendedLogit, blendedScorer, type Scorer, scoreTokens } from './scorer.js';
import { features, tokenize } from './text.js';

/** Labelled comments needed before a company model is even tried. */
export const MIN_LABELLED = 200;

interface Answer {
  readonly id: string;
  readonly comment: string;
  readonly kind: string;
  readonly score: number | null;
  /** an analyst's correction of its label (feedback_labels), which wins over the self-label */
  readonly corrected?: string | null;
}

const CLASS_OF: Record<string, 0 | 1 | 2> = { negative: 0, neutral: 1, positive: 2 };

/** Self-labelled comments: promoters (NPS 9–10, CSAT 5) positive, detractors (NPS 0–6, CSAT 1–2) negative. */
export function selfLabel(a: Answer): 0 | 1 | undefined {
  if (a.score === null) return undefined;
  if (a.kind === 'nps') return a.score >= 9 ? 1 : a.score <= 6 ? 0 : undefined;
  if (a.kind === 'csat') return a.score >= 5 ? 1 : a.score <= 2 ? 0 : undefined;
  return undefined;
}

function train(rows: readonly { text: string; y: 0 | 1 }[]): SentimentModel {
  const xs = rows.map((r) => [...new Set(features(tokenize(r.text)))]);
  const df = new Map<string, number>();
  for (const x of xs) for (const f of x) df.set(f, (df.get(f) ?? 0) + 1);
  const vocab = new Set([...df.entries()].filter(([, n]) => n >= 3).map(([f]) => f));
  const { bias, weights } = trainSoftmax(
    xs,
    rows.map((r) => (r.y === 1 ? 2 : 0)),
    vocab,
    { epochs: 4, l2: 1e-4, rate: 0.2 },
  );
  return {
    name: 'company-lr',
    trainedOn: `${rows.length} of this workspace's scored comments`,
    classes: ['negative', 'neutral', 'positive'],
    bias,
    weights: Object.fromEntries(weights),
    blend: { intercept: 0, model: 1, lexicon: 0 },
  };
}

/**
 * A model learned from the company's own scored answers, blended with the shipped scorer:
 * polarity logit = shipped blend + the company model's log p₊/p₋. It is used only when at least
 * `MIN_LABELLED` self-labelled comments exist and 5-fold cross-validation (folds by id hash) shows
 * it beats the shipped scorer on them.
 */
export function companyScorer(answers: readonly Answer[]): {
  used: boolean;
  scorer: Scorer;
  model?: SentimentModel;
  adapted?: AdaptedModel;
  report?: {
    trainedOn: number;
    cvAccuracy: number;
    baselineAccuracy: number;
    used: boolean;
    classes?: 3;
    corrected?: number;
  };
} {
  const corrected = answers.filter((a) => a.corrected && CLASS_OF[a.corrected] !== undefined);
  if (corrected.some((a) => a.corrected === 'neutral')) return threeClassCompany(answers, corrected.length);
  const labelled = answers
    .map((a) => ({
      id: a.id,
      text: a.comment,
      y:
        a.corrected && CLASS_OF[a.corrected] !== undefined
          ? CLASS_OF[a.corrected] === 2
            ? 1
            : 0
          : selfLabel(a),
    }))
    .filter((r): r is { id: string; text: string; y: 0 | 1 } => r.y !== undefined && r.text.trim() !== '')
    .slice(0, 20_000);
  const fallback: Scorer = { name: 'none', score: () => ({ label: 'neutral', score: 0 }) };
  if (labelled.length < MIN_LABELLED) return { used: false, scorer: fallback };
  const fold = (id: string) =>
    Number.parseInt(createHash('md5').update(id).digest('hex').slice(0, 4), 16) % 5;
  let right = 0;
  let rightBase = 0;
  for (let f = 0; f < 5; f++) {
    const m = train(labelled.filter((r) => fold(r.id) !== f));
    for (const r of labelled.filter((x) => fold(x.id) === f)) {
      const base = blendedLogit(tokenize(r.text)).z;
      const own = polarityLogit(predict(m, tokenize(r.text)));
      if (base + own >= 0 === (r.y === 1)) right++;
      if (base >= 0 === (r.y === 1)) rightBase++;
    }
  }
  const cvAccuracy = right / labelled.length;
  const baselineAccuracy = rightBase / labelled.length;
  const used = cvAccuracy > baselineAccuracy;
  const model = train(labelled);
  return {
    used,
    scorer: companyModelScorer(model),
    model,
    report: {
      trainedOn: labelled.length,
      cvAccuracy,
      baselineAccuracy,
      used,
      ...(corrected.length ? { corrected: corrected.length } : {}),
    },
  };
}

/**
 * The three-class company model (issue #25.2): when an analyst's corrections include neutral, the
 * labels are three-class — corrections as given, self-labels as negative/positive — and the model is
 * the domain adaptation of `adapt.ts` (n-grams plus the shipped scorer's three log-probabilities,
 * the one sparse trainer), used when its 5-fold cross-validated macro-F1 beats the shipped scorer's
 * on the same comments. `cvAccuracy`/`baselineAccuracy` then hold those macro-F1s.
 */
function threeClassCompany(
  answers: readonly Answer[],
  corrections: number,
): ReturnType<typeof companyScorer> {
  const labelled = answers
    .map((a) => {
      const c = a.corrected ? CLASS_OF[a.corrected] : undefined;
      const s = selfLabel(a);
      return { text: a.comment, y: c ?? (s === undefined ? undefined : s === 1 ? 2 : 0) };
    })
    .filter((r): r is { text: string; y: 0 | 1 | 2 } => r.y !== undefined && r.text.trim() !== '')
    .slice(0, 20_000);
  const fallback: Scorer = { name: 'none', score: () => ({ label: 'neutral', score: 0 }) };
  if (labelled.length < MIN_LABELLED) return { used: false, scorer: fallback };
  const a = adapt(
    blendedScorer(),
    labelled.map((r) => r.text),
    labelled.map((r) => r.y),
  );
  const used = a.adaptedMacroF1 > a.baseMacroF1;
  return {
    used,
    scorer: a.scorer,
    adapted: a.model,
    report: {
      trainedOn: labelled.length,
      cvAccuracy: a.adaptedMacroF1,
      baselineAccuracy: a.baseMacroF1,
      used,
      classes: 3,
      corrected: corrections,
    },
  };
}

/** The shipped blend plus a trained company model's log p₊/p₋ (a stored model scores the same). */
export function companyModelScorer(model: SentimentModel, name = 'company+semeval+lexicon'): Scorer {
  return {
    name,
    score(text) {
      const tokens = tokenize(String(text ?? ''));
      if (tokens.length === 0) return { label: 'neutral', score: 0 };
      return scoreTokens(tokens, polarityLogit(predict(model, tokens)));
    },
  };
}
