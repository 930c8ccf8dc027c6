import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { FilterParams, personaOf, requirePersonas, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { SCORE_KINDS, SCORE_SCALES, scaleSpan } from '../core/score-scales.js';
import { instant, resolveInstant, resolveTimeFrame, TimeFrameParams } from '../core/time.js';
import {
  type Interval,
  isSmallSample,
  mean,
  nps,
  npsDifference,
  type TestResult,
  twoProportions,
  welch,
  wilson,
} from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { ownerOf, window } from './base.js';

export { SCORE_KINDS };
export const GROUP_BY = [
  'none',
  'touchpoint',
  'channel',
  'segment',
  'persona',
  'team',
  'week',
  'month',
] as const;

export const ScoresParams = z.object({
  kind: z.enum(SCORE_KINDS).default('nps').describe('which score'),
  by: z.enum(GROUP_BY).default('none').describe('break the score down by'),
  ...TimeFrameParams,
  ...FilterParams,
  compareFrom: instant
    .optional()
    .describe('comparison period start; with --compare-to adds the change and its test'),
  compareTo: instant.optional().describe('comparison period end (exclusive)'),
});
export type ScoresParams = z.output<typeof ScoresParams>;

/** Sufficient statistics of one group of answers, as SQL returns them. */
export interface ScoreCounts {
  readonly n: number;
  /** NPS: 9–10 · CSAT: 4–5 · CES: 5–7 */
  readonly top: number;
  /** NPS: 7–8 (passives); otherwise 0 */
  readonly middle: number;
  /** NPS: 0–6 · CSAT: 1–2 · CES: 1–3 */
  readonly bottom: number;
  readonly sum: number;
  readonly sumSq: number;
}

export interface ScoreFigure {
  /** NPS in points (−100…100); CSAT share satisfied in % (4–5 of 1–5); CES mean (1–7) */
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
  /** CSAT mean (1–5) or CES share easy (≥ 5) in %, with its interval; NPS: promoter/detractor shares in % */
  readonly secondary: {
    readonly name: string;
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
  };
  readonly counts: ScoreCounts;
}

export interface ScoreChange {
  readonly previous: ScoreFigure;
  readonly difference: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly p: number | null;
  readonly test: 'nps-difference z' | 'two-proportion z' | 'welch t';
  readonly significant: boolean;
}

export interface ScoreRow extends ScoreFigure {
  readonly group: string;
  readonly change?: ScoreChange;
}

export interface ScoresResult {
  readonly kind: (typeof SCORE_KINDS)[number];
  readonly by: (typeof GROUP_BY)[number];
  readonly rows: readonly ScoreRow[];
}

const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
const ivScale = (iv: Interval, k: number) => ({
  value: fin(iv.value * k),
  low: fin(iv.low * k),
  high: fin(iv.high * k),
});

/**
 * Turns counts into the figure. NPS = %promoters − %detractors with the trinomial interval; CSAT =
 * share of 4–5 with a Wilson interval (mean with a t interval as secondary); CES = mean on 1–7 with a
 * t interval (share ≥ 5 with Wilson as secondary). Small sample: n < 30 or interval wider than ±10
 * points (CES: wider than ±0.6, i.e. ±10% of the 6-point span of its 1–7 scale).
 */
export function figure(kind: ScoresParams['kind'], c: ScoreCounts): ScoreFigure {
  if (kind === 'nps') {
    const iv = nps(c.top, c.middle, c.bottom);
    const prom = wilson(c.top, c.n);
    return {
      ...ivScale(iv, 1),
      n: c.n,
      smallSample: c.n === 0 || isSmallSample({ n: iv.n, low: iv.low / 100, high: iv.high / 100 }),
      secondary: { name: 'promoters %', ...ivScale(prom, 100) },
      counts: c,
    };
  }
  const m = mean({ n: c.n, sum: c.sum, sumSq: c.sumSq });
  const share = wilson(c.top, c.n);
  if (kind === 'csat') {
    return {
      ...ivScale(share, 100),
      n: c.n,
      smallSample: c.n === 0 || isSmallSample(share),
      secondary: { name: 'mean (1–5)', ...ivScale(m, 1) },
      counts: c,
    };
  }
  return {
    ...ivScale(m, 1),
    n: c.n,
    smallSample:
      c.n === 0 ||
      isSmallSample({ n: m.n, low: m.low / scaleSpan('ces'), high: m.high / scaleSpan('ces') }) ||
      !Number.isFinite(m.low),
    secondary: { name: 'easy % (≥ 5)', ...ivScale(share, 100) },
    counts: c,
  };
}

/** The change current − previous with the test that fits the score. */
export function change(kind: ScoresParams['kind'], cur: ScoreCounts, prev: ScoreCounts): ScoreChange {
  const previous = figure(kind, prev);
  let t: TestResult | undefined;
  let test: ScoreChange['test'];
  if (kind === 'nps') {
    test = 'nps-difference z';
    if (cur.n > 0 && prev.n > 0)
      t = npsDifference(
        { promoters: cur.top, passives: cur.middle, detractors: cur.bottom },
        { promoters: prev.top, passives: prev.middle, detractors: prev.bottom },
      );
  } else if (kind === 'csat') {
    test = 'two-proportion z';
    if (cur.n > 0 && prev.n > 0) {
      const r = twoProportions(cur.top, cur.n, prev.top, prev.n);
      t = { ...r, difference: r.difference * 100, low: r.low * 100, high: r.high * 100 };
    }
  } else {
    test = 'welch t';
    if (cur.n > 1 && prev.n > 1)
      t = welch(
        { n: cur.n, sum: cur.sum, sumSq: cur.sumSq },
        { n: prev.n, sum: prev.sum, sumSq: prev.sumSq },
      );
  }
  return {
    previous,
    difference: t ? fin(t.difference) : null,
    low: t ? fin(t.low) : null,
    high: t ? fin(t.high) : null,
    p: t ? fin(t.p) : null,
    test,
    significant: t !== undefined && Number.isFinite(t.p) && t.p < 0.05,
  };
}

function groupExpr(by: ScoresParams['by']): SqlFragment {
  switch (by) {
    case 'none':
      return sql`'all'`;
    case 'touchpoint':
      return sql`coalesce(f.touchpoint, '(none)')`;
    case 'channel':
      return sql`coalesce(f.channel, '(none)')`;
    case 'segment':
      return sql`coalesce((SELECT c.segment FROM customers c WHERE c.id = f.customer_id), '(none)')`;
    case 'persona':
      return personaOf(sql`f.customer_id`);
    case 'team':
      return sql`coalesce(${ownerOf}, '(unowned)')`;
    case 'week':
      return sql`strftime(date_trunc('week', f.ts), '%Y-%m-%d')`;
    case 'month':
      return sql`strftime(f.ts, '%Y-%m')`;
  }
}

/** Thresholds of each kind (score-scales.ts): top = good answers, bottom = bad ones, middle between (NPS passives). */
function bands(kind: ScoresParams['kind']): { top: number; midLow: number; bottom: number } {
  const s = SCORE_SCALES[kind];
  return { top: s.goodAtLeast, midLow: s.badAtMost + 1, bottom: s.badAtMost };
}

interface CountRow {
  grp: string;
  period: string;
  n: number;
  top: number;
  middle: number;
  bottom: number;
  total: number;
  total_sq: number;
}

/**
 * NPS, CSAT or CES by group, with n, a 95% interval and a small-sample flag; with a comparison
 * period, the change and its significance test. SQL reduces answers to counts and moments per group
 * and period; the statistics are computed here.
 */
export async function getScores(db: Store, params: ScoresParams): Promise<ScoresResult> {
  const { kind, by } = params;
  const comparing = params.compareFrom !== undefined || params.compareTo !== undefined;
  if (comparing && (params.compareFrom === undefined || params.compareTo === undefined))
    throw new TouchpointError('invalid_input', 'give both --compare-from and --compare-to');
  const b = bands(kind);
  const cur = await resolveTimeFrame(db, params);
  const filters = await resolveFilters(db, params);
  if (by === 'persona') await requirePersonas(db);
  const inCur = window(cur, filters);
  const inPrev = comparing
    ? window(
        {
          from: await resolveInstant(db, params.compareFrom, 'compareFrom'),
          to: await resolveInstant(db, params.compareTo, 'compareTo'),
          asOf: cur.asOf,
        },
        filters,
      )
    : sql`false`;
  const rows = await db.all<CountRow>(sql`
    WITH tagged AS (
      SELECT ${groupExpr(by)} AS grp, f.score,
        CASE WHEN ${inCur} THEN 'cur' ELSE 'prev' END AS period
      FROM feedback f
      WHERE f.kind = ${kind} AND f.score IS NOT NULL AND ((${inCur}) OR (${inPrev}))
    )
    SELECT grp, period, count(*) AS n,
      count(*) FILTER (WHERE score >= ${b.top}) AS top,
      count(*) FILTER (WHERE score >= ${b.midLow} AND score < ${b.top}) AS middle,
      count(*) FILTER (WHERE score <= ${b.bottom}) AS bottom,
      sum(score) AS total, sum(score * score) AS total_sq
    FROM tagged GROUP BY grp, period ORDER BY grp`);
  const zero: ScoreCounts = { n: 0, top: 0, middle: 0, bottom: 0, sum: 0, sumSq: 0 };
  const groups = new Map<string, { cur: ScoreCounts; prev: ScoreCounts }>();
  for (const r of rows) {
    const g = groups.get(r.grp) ?? { cur: zero, prev: zero };
    const c: ScoreCounts = {
      n: r.n,
      top: r.top,
      middle: r.middle,
      bottom: r.bottom,
      sum: r.total,
      sumSq: r.total_sq,
    };
    groups.set(r.grp, r.period === 'cur' ? { ...g, cur: c } : { ...g, prev: c });
  }
  if (by === 'none' && groups.size === 0) groups.set('all', { cur: zero, prev: zero });
  const out: ScoreRow[] = [...groups.entries()]
    .filter(([, g]) => g.cur.n > 0 || by === 'none')
    .map(([group, g]) => ({
      group,
      ...figure(kind, g.cur),
      ...(comparing ? { change: change(kind, g.cur, g.prev) } : {}),
    }));
  // time buckets in order; other groups by volume, well-measured first
  if (by === 'week' || by === 'month') out.sort((a, b2) => a.group.localeCompare(b2.group));
  else
    out.sort(
      (a, b2) =>
        Number(a.smallSample) - Number(b2.smallSample) || b2.n - a.n || a.group.localeCompare(b2.group),
    );
  return { kind, by, rows: out };
}

const fmt = (v: number | null, d = 1) => (v === null ? '—' : v.toFixed(d));

export const scoresOperation = defineOperation({
  area: 'feedback',
  verb: 'scores',
  summary:
    'NPS, CSAT or CES with n and 95% intervals, by touchpoint, channel, segment, persona, team or period',
  params: ScoresParams,
  mode: 'read',
  cache: {},
  listField: 'rows',
  run: (db, params) => getScores(db, params),
  present: (r) => [
    {
      title: `${r.kind.toUpperCase()}${r.by === 'none' ? '' : ` by ${r.by}`}`,
      rows: r.rows.map((x) => ({
        [r.by === 'none' ? 'scope' : r.by]: x.group,
        n: x.n,
        [r.kind]: fmt(x.value, r.kind === 'ces' ? 2 : 1),
        '95% interval': `${fmt(x.low, r.kind === 'ces' ? 2 : 1)} … ${fmt(x.high, r.kind === 'ces' ? 2 : 1)}`,
        [x.secondary.name]: fmt(x.secondary.value, 1),
        ...(x.change
          ? {
              change: fmt(x.change.difference, r.kind === 'ces' ? 2 : 1),
              p: x.change.p === null ? '—' : x.change.p.toFixed(3),
              significant: x.change.significant ? 'yes' : 'no',
            }
          : {}),
        flag: x.smallSample ? 'small sample' : '',
      })),
    },
  ],
});
