import { z } from 'zod';
import { getTeamHandoffsPerCase } from '../cases/index.js';
import { defineOperation, type Section } from '../core/operation.js';
import { isSmallSample, mean, nps, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';

export const SummaryParams = z.object({
  top: z.number().int().min(1).max(100).default(5).describe('how many contact reasons to list'),
});
export type SummaryParams = z.output<typeof SummaryParams>;

export interface Score {
  readonly channel: string;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
  readonly smallSample: boolean;
}

export interface SummaryResult {
  readonly counts: Readonly<Record<string, number>>;
  /** NPS in points (−100…100), trinomial 95% interval. */
  readonly nps: readonly Score[];
  /** CSAT = share of 4–5 answers on 1–5, in percent, Wilson 95% interval. */
  readonly csat: readonly Score[];
  /** CES = mean effort score on 1–7, t 95% interval. */
  readonly ces: readonly Score[];
  readonly topReasons: readonly { reason: string; cases: number; share: number }[];
  /** Team handoffs per case, as `cases handoffs` counts them (the cases capability's one definition). */
  readonly handoffsPerCase: number | null;
  readonly cases: number;
}

const COUNTED = [
  'customers',
  'events',
  'feedback',
  'cases',
  'case_events',
  'teams',
  'employees',
  'pulse',
  'findings',
] as const;

interface ScoreRow {
  kind: 'nps' | 'csat' | 'ces';
  channel: string;
  n: number;
  hi: number; // nps promoters (9–10) · csat 4–5 · ces unused
  lo: number; // nps detractors (0–6)
  sum: number;
  sum_sq: number;
}

/** The engine reduces every answer to counts and moments per kind × channel, with an 'all' row per kind. */
function scoreQuery() {
  return sql`
    SELECT kind, coalesce(channel, 'all') AS channel, count(*) AS n,
           count(*) FILTER (WHERE (kind = 'nps' AND score >= 9) OR (kind = 'csat' AND score >= 4)) AS hi,
           count(*) FILTER (WHERE kind = 'nps' AND score <= 6) AS lo,
           sum(score) AS sum, sum(score * score) AS sum_sq
    FROM (SELECT kind, coalesce(channel, 'unknown') AS channel, score FROM feedback WHERE kind IN ('nps', 'csat', 'ces'))
    GROUP BY GROUPING SETS ((kind, channel), (kind))
    ORDER BY kind, grouping(channel) DESC, n DESC, 2`;
}

function toScore(r: ScoreRow): Score {
  const iv =
    r.kind === 'nps'
      ? nps(r.hi, r.n - r.hi - r.lo, r.lo)
      : r.kind === 'csat'
        ? scale(wilson(r.hi, r.n), 100)
        : mean({ n: r.n, sum: r.sum, sumSq: r.sum_sq });
  // DESIGN.md §6: ±10 points for NPS and CSAT (percent scales); ±0.5 on the 7-point CES scale
  const halfWidth = r.kind === 'ces' ? 0.5 : 10;
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    channel: r.channel,
    value: finite(iv.value),
    low: finite(iv.low),
    high: finite(iv.high),
    n: r.n,
    smallSample: isSmallSample(iv, halfWidth) || !Number.isFinite(iv.low),
  };
}

const scale = (iv: { value: number; low: number; high: number; n: number }, k: number) => ({
  value: iv.value * k,
  low: iv.low * k,
  high: iv.high * k,
  n: iv.n,
});

/**
 * The first picture of a workspace: rows per table; NPS, CSAT and CES overall and by channel with n
 * and 95% intervals; the top contact reasons; average team handoffs per case.
 */
export async function getSummary(db: Store, params: SummaryParams): Promise<SummaryResult> {
  const counts: Record<string, number> = {};
  const countRows = await db.all<{ t: string; n: number }>(sql`
    SELECT 'customers' AS t, count(*) AS n FROM customers UNION ALL SELECT 'events', count(*) FROM events
    UNION ALL SELECT 'feedback', count(*) FROM feedback UNION ALL SELECT 'cases', count(*) FROM cases
    UNION ALL SELECT 'case_events', count(*) FROM case_events UNION ALL SELECT 'teams', count(*) FROM teams
    UNION ALL SELECT 'employees', count(*) FROM employees UNION ALL SELECT 'pulse', count(*) FROM pulse
    UNION ALL SELECT 'findings', count(*) FROM findings`);
  for (const t of COUNTED) counts[t] = countRows.find((r) => r.t === t)?.n ?? 0;

  const scores = (await db.all<ScoreRow>(scoreQuery())).map((r) => ({ kind: r.kind, score: toScore(r) }));
  const reasons = await db.all<{ reason: string; cases: number; share: number }>(sql`
    SELECT coalesce(reason, 'unknown') AS reason, count(*) AS cases, count(*) / sum(count(*)) OVER () AS share
    FROM cases GROUP BY ALL ORDER BY cases DESC, reason LIMIT ${params.top}`);
  const handoffs = await getTeamHandoffsPerCase(db);
  return {
    counts,
    nps: scores.filter((s) => s.kind === 'nps').map((s) => s.score),
    csat: scores.filter((s) => s.kind === 'csat').map((s) => s.score),
    ces: scores.filter((s) => s.kind === 'ces').map((s) => s.score),
    topReasons: reasons,
    handoffsPerCase: handoffs.perCase,
    cases: handoffs.cases,
  };
}

const interval = (s: Score, digits: number) =>
  s.low === null || s.high === null ? '' : `${s.low.toFixed(digits)} – ${s.high.toFixed(digits)}`;

const scoreRows = (list: readonly Score[], digits: number) =>
  list.map((s) => ({
    channel: s.channel,
    score: s.value === null ? null : Number(s.value.toFixed(digits)),
    '95% interval': interval(s, digits),
    n: s.n,
    note: s.smallSample ? 'small sample' : '',
  }));

export function presentSummary(r: SummaryResult): Section[] {
  return [
    { title: 'Rows per table', rows: Object.entries(r.counts).map(([table, rows]) => ({ table, rows })) },
    { title: 'NPS (points, −100…100)', rows: scoreRows(r.nps, 1) },
    { title: 'CSAT (% answering 4–5 of 5)', rows: scoreRows(r.csat, 1) },
    { title: 'CES (mean effort, 1–7)', rows: scoreRows(r.ces, 2) },
    {
      title: 'Top contact reasons',
      rows: r.topReasons.map((x) => ({
        reason: x.reason,
        cases: x.cases,
        share: `${(100 * x.share).toFixed(1)}%`,
      })),
    },
    {
      text: `Team handoffs per case: ${r.handoffsPerCase !== null ? r.handoffsPerCase.toFixed(2) : r.cases === 0 ? 'no cases' : 'not seen (no case event names a team)'} (over ${r.cases.toLocaleString('en-US')} cases)`,
    },
  ];
}

export const summaryOperation = defineOperation({
  area: 'overview',
  verb: 'summary',
  summary: 'Rows per table, NPS / CSAT / CES overall and by channel, top contact reasons, handoffs per case',
  params: SummaryParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getSummary(db, params),
  present: (r) => presentSummary(r),
});
