import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { SCORE_KINDS, type ScoreKind, scaleSpan } from '../core/score-scales.js';
import { TimeFrameParams } from '../core/time.js';
import { getScores, type ScoreRow } from '../feedback/index.js';
import { isSmallSample, mean, nps, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { journeyParam, loadJourney, ownerJoin, resolveFrame, round } from './journey.js';

export const EmotionParams = z.object({
  journey: journeyParam,
  ...TimeFrameParams,
});
export type EmotionParams = z.input<typeof EmotionParams>;

/** A figure with its 95 % interval and n; small = too few or too wide to read (feedback's rule). */
export interface EmotionFigure {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
}

/** What customers feel at one place of the journey: comments' sentiment and the three scores. */
export interface Emotion {
  /**
   * Net sentiment of the comments, % positive − % negative (−100…100), with the trinomial interval
   * (the NPS formula over positive / neutral / negative comments). Null n = 0 before the comments
   * are analysed (`feedback themes`).
   */
  readonly sentiment: EmotionFigure;
  /** NPS points, CSAT % satisfied (4–5), CES mean (1–7, 7 = very easy): higher is better on all three. */
  readonly scores: Readonly<Record<ScoreKind, EmotionFigure>>;
}

export interface EmotionTouchpoint extends Emotion {
  readonly touchpoint: string;
  readonly owner: string | null;
  /** A real comment left at this touchpoint, of the touchpoint's prevailing sentiment; null without one. */
  readonly quote: { readonly text: string; readonly ts: string; readonly sentiment: string } | null;
}

export interface EmotionStage extends Emotion {
  readonly stage: string;
  readonly position: number;
  readonly touchpoints: readonly EmotionTouchpoint[];
}

export interface EmotionResult {
  readonly journey: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly stages: readonly EmotionStage[];
  /** Comments with a sentiment (0 until `feedback themes` has analysed them). */
  readonly analysedComments: number;
}

const EMPTY: EmotionFigure = { value: null, low: null, high: null, n: 0, smallSample: true };
const fin = (x: number): number | null => (Number.isFinite(x) ? (round(x) ?? null) : null);

interface Counts {
  n: number;
  top: number;
  middle: number;
  bottom: number;
  sum: number;
  sumSq: number;
}
const zero = (): Counts => ({ n: 0, top: 0, middle: 0, bottom: 0, sum: 0, sumSq: 0 });
const add = (a: Counts, b: Counts) => {
  a.n += b.n;
  a.top += b.top;
  a.middle += b.middle;
  a.bottom += b.bottom;
  a.sum += b.sum;
  a.sumSq += b.sumSq;
};

/**
 * The score of summed counts, as `feedback scores` defines it (NPS trinomial, CSAT Wilson share of
 * 4–5, CES mean with a t interval), so a stage's figure is that of all its touchpoints' answers.
 */
export function scoreOf(kind: ScoreKind, c: Counts): EmotionFigure {
  if (c.n === 0) return EMPTY;
  if (kind === 'nps') {
    const iv = nps(c.top, c.middle, c.bottom);
    return {
      value: fin(iv.value),
      low: fin(iv.low),
      high: fin(iv.high),
      n: c.n,
      smallSample: isSmallSample({ n: c.n, low: iv.low / 100, high: iv.high / 100 }),
    };
  }
  if (kind === 'csat') {
    const iv = wilson(c.top, c.n);
    return {
      value: fin(iv.value * 100),
      low: fin(iv.low * 100),
      high: fin(iv.high * 100),
      n: c.n,
      smallSample: isSmallSample(iv),
    };
  }
  const m = mean({ n: c.n, sum: c.sum, sumSq: c.sumSq });
  const span = scaleSpan('ces');
  return {
    value: fin(m.value),
    low: fin(m.low),
    high: fin(m.high),
    n: c.n,
    smallSample: !Number.isFinite(m.low) || isSmallSample({ n: c.n, low: m.low / span, high: m.high / span }),
  };
}

/** Net sentiment of positive / neutral / negative comment counts (−100…100) with its interval. */
export function sentimentOf(pos: number, neu: number, neg: number): EmotionFigure {
  const n = pos + neu + neg;
  if (n === 0) return EMPTY;
  const iv = nps(pos, neu, neg);
  return {
    value: fin(iv.value),
    low: fin(iv.low),
    high: fin(iv.high),
    n,
    smallSample: isSmallSample({ n, low: iv.low / 100, high: iv.high / 100 }),
  };
}

const countsOf = (r: ScoreRow): Counts => ({ ...r.counts });

/**
 * The emotion curve of a journey: per stage (in order) and per touchpoint, the net sentiment of the
 * comments left there and the three scores (direction-correct: higher is better), each with its 95 %
 * interval and n, plus the owner team and one real comment. Feedback is placed by its touchpoint; a
 * stage's figures pool the answers and comments of its touchpoints.
 */
export async function getEmotion(db: Store, input: EmotionParams): Promise<EmotionResult> {
  const p = validate(EmotionParams, input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const tps = await db.all<{ stage: string; touchpoint: string; owner: string | null }>(sql`
    SELECT jt.stage, jt.touchpoint, ${ownerJoin(sql`jt.touchpoint`, sql`NULL`)} AS owner
    FROM journey_touchpoints jt WHERE jt.journey_id = ${j.id} ORDER BY jt.stage, jt.touchpoint`);
  const span = { from: p.from, to: p.to, asOf: frame.asOf.toISOString() };
  // the scores by touchpoint, as `feedback scores --by touchpoint` computes them (one definition)
  const byKind = new Map<ScoreKind, Map<string, ScoreRow>>();
  for (const kind of SCORE_KINDS) {
    const r = await getScores(db, { kind, by: 'touchpoint', ...span } as Parameters<typeof getScores>[1]);
    byKind.set(kind, new Map(r.rows.map((x) => [x.group, x])));
  }
  const inRange = sql`f.ts <= ${frame.asOf} AND f.ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND f.ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  // comments' sentiment, as the text analysis labelled them (feedback_text, written by `feedback themes`)
  const sent = await db.all<{
    touchpoint: string;
    pos: number;
    neu: number;
    neg: number;
    pos_quote: { text: string; ts: string } | null;
    neg_quote: { text: string; ts: string } | null;
  }>(sql`
    SELECT f.touchpoint,
      count(*) FILTER (t.label = 'positive') AS pos,
      count(*) FILTER (t.label = 'neutral') AS neu,
      count(*) FILTER (t.label = 'negative') AS neg,
      arg_max({'text': f.comment, 'ts': f.ts::VARCHAR}, f.ts) FILTER (t.label = 'positive' AND length(f.comment) BETWEEN 25 AND 240) AS pos_quote,
      arg_max({'text': f.comment, 'ts': f.ts::VARCHAR}, f.ts) FILTER (t.label = 'negative' AND length(f.comment) BETWEEN 25 AND 240) AS neg_quote
    FROM feedback f JOIN feedback_text t ON t.feedback_id = f.id
    WHERE f.touchpoint IS NOT NULL AND f.comment IS NOT NULL AND ${inRange}
    GROUP BY f.touchpoint`);
  const sentBy = new Map(sent.map((s) => [s.touchpoint, s]));
  const stages: EmotionStage[] = j.stages.map((stage, i) => {
    const mine = tps.filter((t) => t.stage === stage);
    const stageCounts = Object.fromEntries(SCORE_KINDS.map((k) => [k, zero()])) as Record<ScoreKind, Counts>;
    let pos = 0;
    let neu = 0;
    let neg = 0;
    const touchpoints: EmotionTouchpoint[] = mine.map((t) => {
      const scores = {} as Record<ScoreKind, EmotionFigure>;
      for (const k of SCORE_KINDS) {
        const row = byKind.get(k)!.get(t.touchpoint);
        if (row) add(stageCounts[k], countsOf(row));
        scores[k] = row ? scoreOf(k, countsOf(row)) : EMPTY;
      }
      const s = sentBy.get(t.touchpoint);
      pos += Number(s?.pos ?? 0);
      neu += Number(s?.neu ?? 0);
      neg += Number(s?.neg ?? 0);
      const sentiment = sentimentOf(Number(s?.pos ?? 0), Number(s?.neu ?? 0), Number(s?.neg ?? 0));
      const prevailing = sentiment.value !== null && sentiment.value < 0 ? 'negative' : 'positive';
      const q = prevailing === 'negative' ? (s?.neg_quote ?? s?.pos_quote) : (s?.pos_quote ?? s?.neg_quote);
      return {
        touchpoint: t.touchpoint,
        owner: t.owner,
        sentiment,
        scores,
        quote: q
          ? {
              text: q.text,
              ts: q.ts,
              sentiment: q === s?.neg_quote ? 'negative' : 'positive',
            }
          : null,
      };
    });
    return {
      stage,
      position: i + 1,
      sentiment: sentimentOf(pos, neu, neg),
      scores: Object.fromEntries(SCORE_KINDS.map((k) => [k, scoreOf(k, stageCounts[k])])) as Record<
        ScoreKind,
        EmotionFigure
      >,
      touchpoints: touchpoints.sort(
        (a, b) => b.sentiment.n + b.scores.nps.n - (a.sentiment.n + a.scores.nps.n),
      ),
    };
  });
  return {
    journey: j.id,
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    stages,
    analysedComments: sent.reduce((a, s) => a + Number(s.pos) + Number(s.neu) + Number(s.neg), 0),
  };
}

export const emotionOperation = defineOperation({
  area: 'journey',
  verb: 'emotion',
  summary:
    'The emotion curve: per stage and touchpoint, net sentiment of comments and NPS / CSAT / CES with intervals, owner and a real quote',
  params: EmotionParams,
  mode: 'read',
  run: (db, params) => getEmotion(db, params),
  present: (r) => [
    {
      title: `Emotion along the journey ${r.journey} (higher is better on every figure)`,
      rows: r.stages.map((s) => ({
        stage: s.stage,
        sentiment: fig(s.sentiment, 0),
        nps: fig(s.scores.nps, 1),
        csat: fig(s.scores.csat, 1),
        ces: fig(s.scores.ces, 2),
      })),
    },
    ...(r.analysedComments === 0
      ? [{ text: 'No comment has a sentiment yet: run `touchpoint feedback themes` first.' }]
      : []),
  ],
});

function fig(f: EmotionFigure, digits: number): string {
  if (f.value === null) return '–';
  return `${f.value.toFixed(digits)} (${f.low?.toFixed(digits)} – ${f.high?.toFixed(digits)}) n ${f.n}${f.smallSample ? ' small' : ''}`;
}
