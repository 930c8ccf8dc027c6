/**
 * The one definition of each score's scale and direction (docs/feedback.md, "Scores"). Every
 * analysis, colour scale, label and default threshold reads it from here: the survey page's scale
 * ends, the cockpit's tiles and card colours, `feedback scores`' top/bottom counts, the journey map's
 * scale range and `journey moments`' bad-outcome thresholds.
 *
 * Higher is better on all three: NPS 0–10 (10 = extremely likely to recommend), CSAT 1–5
 * (5 = very satisfied), CES 1–7 (7 = very easy — the question asks "how easy was it …").
 *
 * Pure data and functions, no imports: the cockpit's browser bundle imports this file directly.
 */

export const SCORE_KINDS = ['nps', 'csat', 'ces'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

export interface ScoreScale {
  readonly kind: ScoreKind;
  /** Short label, e.g. "CES". */
  readonly label: string;
  /** What the number measures, e.g. "customer effort". */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Always true: a higher answer is a better experience. Kept explicit so readers need not guess. */
  readonly higherIsBetter: true;
  /** Words under the lowest and the highest answer (survey page, legends). */
  readonly lowEnd: string;
  readonly highEnd: string;
  /** Answers at or above this are good (NPS promoters 9–10, CSAT satisfied 4–5, CES easy 5–7). */
  readonly goodAtLeast: number;
  /** Answers at or below this are bad — the default "bad outcome" threshold (NPS detractors 0–6, CSAT 1–2, CES 1–3). */
  readonly badAtMost: number;
  /** Mean answer bands for colours: a mean ≥ good is good, ≥ mid is middling, lower is bad. */
  readonly meanBands: { readonly good: number; readonly mid: number };
  /** One phrase a reader sees beside the figure, e.g. "1–7, higher is easier". */
  readonly direction: string;
}

export const SCORE_SCALES: Readonly<Record<ScoreKind, ScoreScale>> = {
  nps: {
    kind: 'nps',
    label: 'NPS',
    name: 'likelihood to recommend',
    min: 0,
    max: 10,
    higherIsBetter: true,
    lowEnd: 'Not at all likely',
    highEnd: 'Extremely likely',
    goodAtLeast: 9,
    badAtMost: 6,
    meanBands: { good: 8, mid: 7 },
    direction: 'answers 0–10, higher is better',
  },
  csat: {
    kind: 'csat',
    label: 'CSAT',
    name: 'satisfaction',
    min: 1,
    max: 5,
    higherIsBetter: true,
    lowEnd: 'Very dissatisfied',
    highEnd: 'Very satisfied',
    goodAtLeast: 4,
    badAtMost: 2,
    meanBands: { good: 4, mid: 3.6 },
    direction: '1–5, higher is more satisfied',
  },
  ces: {
    kind: 'ces',
    label: 'CES',
    name: 'customer effort',
    min: 1,
    max: 7,
    higherIsBetter: true,
    lowEnd: 'Very difficult',
    highEnd: 'Very easy',
    goodAtLeast: 5,
    badAtMost: 3,
    meanBands: { good: 5, mid: 3.5 },
    direction: '1–7, higher is easier (7 = very easy)',
  },
};

/** The scale of a score kind. */
export const scoreScale = (kind: ScoreKind): ScoreScale => SCORE_SCALES[kind];

/** Width of the answer scale (max − min): 10, 4, 6. */
export const scaleSpan = (kind: ScoreKind): number => SCORE_SCALES[kind].max - SCORE_SCALES[kind].min;

/** A single answer at or below the kind's bad threshold (or the given one). */
export const isBadAnswer = (kind: ScoreKind, score: number, badAtMost = SCORE_SCALES[kind].badAtMost) =>
  score <= badAtMost;

/** A single answer at or above the kind's good threshold. */
export const isGoodAnswer = (kind: ScoreKind, score: number) => score >= SCORE_SCALES[kind].goodAtLeast;

export type ScoreBand = 'good' | 'mid' | 'bad' | 'none';

/** Colour band of a mean answer on the kind's scale (higher is better for every kind). */
export function meanBand(kind: ScoreKind, mean: number | null | undefined): ScoreBand {
  if (mean === null || mean === undefined || !Number.isFinite(mean)) return 'none';
  const b = SCORE_SCALES[kind].meanBands;
  return mean >= b.good ? 'good' : mean >= b.mid ? 'mid' : 'bad';
}

/**
 * Whether a change of a figure of this kind is an improvement: +1 better, −1 worse, 0 none.
 * Every kind's figure (NPS points, CSAT %, CES mean) rises when the experience improves.
 */
export const changeDirection = (kind: ScoreKind, difference: number): -1 | 0 | 1 =>
  difference === 0 ? 0 : difference > 0 === SCORE_SCALES[kind].higherIsBetter ? 1 : -1;

export const isScoreKind = (x: string): x is ScoreKind => (SCORE_KINDS as readonly string[]).includes(x);
