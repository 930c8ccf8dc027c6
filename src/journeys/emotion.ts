import { z } from 'zod';
import { FilterParams, filterSql, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { SCORE_KINDS, SCORE_SCALES, type ScoreKind, scaleSpan } from '../core/score-scales.js';
import { TimeFrameParams } from '../core/time.js';
import { isSmallSample, mean, nps, wilson } from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { journeyParam, loadJourney, ownerJoin, resolveFrame, round } from './journey.js';

export const EmotionParams = z.object({
  journey: journeyParam,
  placeDays: z
    .number()
    .positive()
    .default(14)
    .describe(
      'an answer without a touchpoint is placed at the respondent’s last own event at most this many days before it',
    ),
  ...TimeFrameParams,
  ...FilterParams,
});
export type EmotionParams = z.input<typeof EmotionParams>;

/** A figure with its 95 % interval and n; small = too few or too wide to read (feedback's rule). */
export interface EmotionFigure {
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
  /** Scores: the mean answer (what the cockpit's colour bands read, `meanBand`); sentiment: null. */
  readonly mean: number | null;
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

const EMPTY: EmotionFigure = { value: null, low: null, high: null, n: 0, smallSample: true, mean: null };
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
  const meanAnswer = fin(c.sum / c.n);
  if (kind === 'nps') {
    const iv = nps(c.top, c.middle, c.bottom);
    return {
      value: fin(iv.value),
      low: fin(iv.low),
      high: fin(iv.high),
      n: c.n,
      smallSample: isSmallSample({ n: c.n, low: iv.low / 100, high: iv.high / 100 }),
      mean: meanAnswer,
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
      mean: meanAnswer,
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
    mean: meanAnswer,
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
    mean: null,
  };
}

/**
 * Every answer (of feedback `f` matching `where`) placed on the journey: at its own touchpoint, else at
 * the respondent's last inbound event at most `placeDays` before it (a relationship NPS sent after a
 * delivery speaks of the delivery). Columns: id, kind, score, comment, ts, touchpoint.
 */
export function placedAnswers(where: SqlFragment, placeDays: number): SqlFragment {
  const placeSeconds = Math.round(placeDays * 86400);
  return sql`
    SELECT f.id, f.kind, f.score, f.comment, f.ts, coalesce(f.touchpoint, e.touchpoint) AS touchpoint
    FROM (SELECT * FROM feedback f WHERE ${where}) f
    ASOF LEFT JOIN (
      SELECT customer_id, ts, touchpoint FROM events WHERE direction = 'inbound' AND customer_id IS NOT NULL
    ) e ON e.customer_id = f.customer_id AND f.ts >= e.ts
    WHERE f.touchpoint IS NOT NULL
      OR (e.ts IS NOT NULL AND f.ts <= e.ts + to_seconds(${placeSeconds}::BIGINT))`;
}

/**
 * The emotion curve of a journey: per stage (in order) and per touchpoint, the net sentiment of the
 * comments left there and the three scores (direction-correct: higher is better), each with its 95 %
 * interval and n, plus the owner team and one real comment. An answer is placed at its touchpoint,
 * or, without one (a relationship NPS), at the respondent's last inbound event at most `placeDays`
 * before it; answers with neither are left out. A stage's figures pool its touchpoints' answers.
 */
export async function getEmotion(db: Store, input: EmotionParams): Promise<EmotionResult> {
  const p = validate(EmotionParams, input);
  const j = await loadJourney(db, p.journey);
  const frame = await resolveFrame(db, p);
  const tps = await db.all<{ stage: string; touchpoint: string; owner: string | null }>(sql`
    SELECT jt.stage, jt.touchpoint, ${ownerJoin(sql`jt.touchpoint`, sql`NULL`)} AS owner
    FROM journey_touchpoints jt WHERE jt.journey_id = ${j.id} ORDER BY jt.stage, jt.touchpoint`);
  const filters = await resolveFilters(db, p);
  // the shared filters: the respondent's segment or persona, the answer's channel
  const inRange = sql`f.ts <= ${frame.asOf} AND f.ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND f.ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')
    AND ${filterSql(filters, { customer: sql`f.customer_id`, channel: sql`f.channel` })}`;
  const placed = placedAnswers(inRange, p.placeDays);
  const nps = SCORE_SCALES.nps;
  const csat = SCORE_SCALES.csat;
  const ces = SCORE_SCALES.ces;
  // the sufficient statistics `feedback scores` reduces answers to (top / middle / bottom as it counts them)
  const counts = await db.all<{ touchpoint: string; kind: ScoreKind } & Counts>(sql`
    SELECT touchpoint, kind, count(*) AS n,
      count(*) FILTER (WHERE (kind = 'nps' AND score >= ${nps.goodAtLeast}) OR (kind = 'csat' AND score >= ${csat.goodAtLeast})
        OR (kind = 'ces' AND score >= ${ces.goodAtLeast})) AS top,
      count(*) FILTER (WHERE kind = 'nps' AND score > ${nps.badAtMost} AND score < ${nps.goodAtLeast}) AS middle,
      count(*) FILTER (WHERE (kind = 'nps' AND score <= ${nps.badAtMost}) OR (kind = 'csat' AND score <= ${csat.badAtMost})
        OR (kind = 'ces' AND score <= ${ces.badAtMost})) AS bottom,
      sum(score) AS sum, sum(score * score) AS sumSq
    FROM (${placed}) WHERE score IS NOT NULL AND kind IN ('nps', 'csat', 'ces')
    GROUP BY ALL`);
  const byKind = new Map<ScoreKind, Map<string, Counts>>(SCORE_KINDS.map((k) => [k, new Map()]));
  for (const c of counts)
    byKind.get(c.kind)?.set(c.touchpoint, {
      n: Number(c.n),
      top: Number(c.top),
      middle: Number(c.middle),
      bottom: Number(c.bottom),
      sum: Number(c.sum),
      sumSq: Number(c.sumSq),
    });
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
    FROM (${placed}) f JOIN feedback_text t ON t.feedback_id = f.id
    WHERE f.comment IS NOT NULL
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
        const c = byKind.get(k)!.get(t.touchpoint);
        if (c) add(stageCounts[k], c);
        scores[k] = c ? scoreOf(k, c) : EMPTY;
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
  cache: {},
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
