import { z } from 'zod';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { stratifiedRiskDifference, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import {
  type CaseMetricsOptions,
  caseMetricsCtes,
  caseWindow,
  DEFAULT_ACCESS_PATTERN,
} from './case-metrics.js';
import { pct, pctInterval, rate, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

export const LEVERS = ['empower', 'train', 'automate', 'access', 'own-it'] as const;
export type Lever = (typeof LEVERS)[number];

export const LeversParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  minTeamCases: z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe(
      'empower: a front-line team is a benchmark for a reason when it handled at least this many of its cases',
    ),
  automateShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe('automate: the same short path must resolve at least this share of the reason’s closed cases'),
  maxPathTeams: z
    .number()
    .int()
    .min(1)
    .default(2)
    .describe('a short path (automate) touches at most this many teams'),
  accessPattern: z
    .string()
    .optional()
    .describe('regular expression on transfer_reason naming a missing permission or system (access)'),
});
export type LeversParams = z.output<typeof LeversParams>;

/** One lever for one contact reason, with the figures behind the recommendation. */
export interface LeverFigure {
  readonly lever: Lever;
  readonly reason: string;
  readonly metric: string;
  /** Cases of the reason the lever addresses (numerator) over the cases it is measured on. */
  readonly k: number;
  readonly n: number;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** Other reasons' rate (empower: the benchmark tier-1 team's; own it: single-owner cases). */
  readonly baseline: number | null;
  readonly smallSample: boolean;
  /** Cases above baseline: (value − baseline) × n, what acting on the lever could remove. */
  readonly excessCases: number;
  readonly owner: string | null;
  readonly detail: string;
}

export interface OwnItStratum {
  readonly reason: string;
  readonly singleOwner: { readonly reopened: number; readonly cases: number };
  readonly severalOwners: { readonly reopened: number; readonly cases: number };
}

export interface LeversResult {
  readonly recommendations: readonly LeverFigure[];
  /**
   * Own it: reopen rate of cases with several owners minus cases with one owner end to end,
   * stratified by reason (Mantel–Haenszel weights). An association: harder cases travel more.
   */
  readonly ownIt: {
    readonly difference: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly p: number | null;
    readonly strata: number;
    readonly byReason: readonly OwnItStratum[];
  };
  /** False when no transfer records a reason: the access lever cannot be measured. */
  readonly transferReasonsRecorded: boolean;
  readonly findings: readonly StoredFinding[];
}

interface Row {
  reason: string;
  cases: number;
  customers: number;
  closed: number;
  approval_k: number;
  train_k: number;
  train_owner: string | null;
  auto_k: number;
  auto_path: string[] | null;
  access_k: number;
  access_owner: string | null;
  transfers_with_reason: number;
  single_n: number;
  single_bad: number;
  multi_n: number;
  multi_bad: number;
  examples: string[];
}

interface FrontRow {
  reason: string;
  team: string;
  n: number;
  escalated: number;
}

function query(o: CaseMetricsOptions, maxPathTeams: number) {
  return sql`WITH ${caseMetricsCtes(o)},
    cm AS (SELECT * FROM case_metrics2),
    chains AS (
      SELECT reason, team_chain, count(*) AS n,
        row_number() OVER (PARTITION BY reason ORDER BY count(*) DESC, team_chain::VARCHAR) AS r
      FROM cm WHERE is_closed AND reopens = 0 AND len(team_chain) BETWEEN 1 AND ${maxPathTeams} GROUP BY 1, 2
    ),
    returners AS (
      SELECT m.reason, a.prev_team AS team, count(*) AS n,
        row_number() OVER (PARTITION BY m.reason ORDER BY count(*) DESC, a.prev_team) AS r
      FROM asg a JOIN cm m ON m.case_id = a.case_id WHERE a.is_return GROUP BY 1, 2
    ),
    blocked AS (
      SELECT m.reason, a.prev_team AS team, count(*) AS n,
        row_number() OVER (PARTITION BY m.reason ORDER BY count(*) DESC, a.prev_team) AS r
      FROM asg a JOIN cm m ON m.case_id = a.case_id
      WHERE a.team_change AND regexp_matches(coalesce(a.transfer_reason, ''), ${o.accessPattern ?? null}) GROUP BY 1, 2
    )
    SELECT m.reason, count(*) AS cases, count(DISTINCT customer_id) AS customers,
      count(*) FILTER (WHERE is_closed) AS closed,
      count(*) FILTER (WHERE approval_transfers > 0) AS approval_k,
      count(*) FILTER (WHERE ping_pong OR reopens > 0) AS train_k,
      coalesce(any_value(rt.team), mode(last_team) FILTER (WHERE reopens > 0)) AS train_owner,
      count(*) FILTER (WHERE is_closed AND reopens = 0 AND m.team_chain = ch.team_chain) AS auto_k,
      any_value(ch.team_chain) AS auto_path,
      count(*) FILTER (WHERE access_transfers > 0) AS access_k,
      any_value(bl.team) AS access_owner,
      sum(transfers_with_reason) AS transfers_with_reason,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND single_owner) AS single_n,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND single_owner AND reopens > 0) AS single_bad,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND NOT single_owner) AS multi_n,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND NOT single_owner AND reopens > 0) AS multi_bad,
      (list(case_id ORDER BY returns DESC, team_handoffs DESC, case_id) FILTER (WHERE team_handoffs > 0))[1:3] AS examples
    FROM cm m
    LEFT JOIN chains ch ON ch.reason = m.reason AND ch.r = 1
    LEFT JOIN returners rt ON rt.reason = m.reason AND rt.r = 1
    LEFT JOIN blocked bl ON bl.reason = m.reason AND bl.r = 1
    GROUP BY m.reason ORDER BY m.reason`;
}

/** Per reason and tier-1 team the case started with: cases, and cases it passed to another team. */
function frontQuery(o: CaseMetricsOptions) {
  return sql`WITH ${caseMetricsCtes(o)}
    SELECT reason, first_team AS team, count(*) AS n, count(*) FILTER (WHERE team_handoffs > 0) AS escalated
    FROM case_metrics2 WHERE first_tier = 1 GROUP BY 1, 2 ORDER BY 1, 2`;
}

function figure(
  lever: Lever,
  metric: string,
  r: Pick<Row, 'reason'>,
  k: number,
  n: number,
  baseline: number | null,
  owner: string | null,
  detail: string,
  score?: number,
): LeverFigure & { score: number } {
  const x = rate(k, n);
  return {
    lever,
    reason: r.reason,
    metric,
    k,
    n,
    value: round(x.value),
    low: round(x.low),
    high: round(x.high),
    baseline: round(baseline),
    smallSample: x.smallSample,
    excessCases: Math.round(((x.value ?? 0) - (baseline ?? 0)) * n),
    owner,
    detail,
    score: score ?? (x.value ?? 0) - (baseline ?? 0),
  };
}

/** A count column of a reason's row. */
type Count = 'cases' | 'closed' | 'approval_k' | 'train_k' | 'auto_k' | 'access_k';

/** Rate of the other reasons: (Σk − k) / (Σn − n). */
const rest = (rows: readonly Row[], r: Row, k: Count, n: Count) => {
  const K = rows.reduce((s, x) => s + x[k], 0) - r[k];
  const N = rows.reduce((s, x) => s + x[n], 0) - r[n];
  return N > 0 ? K / N : null;
};

/**
 * The five levers (docs/cases.md), each with the figures behind it:
 * - empower (per reason): the share of the reason's cases that tier-1 teams pass on, against the
 *   tier-1 team that passes on the fewest of the same reason (at least `minTeamCases` cases); shown
 *   only when above that benchmark's upper 95% bound. Transfers for an approval count as passed on.
 * - train (per reason): cases that bounce back to a team (ping-pong) or are reopened, vs other
 *   reasons; owner is the team that sends cases back most.
 * - automate (per reason at or above the median volume): the reason's most common short path
 *   (≤ maxPathTeams teams, closed, no reopen) resolves at least `automateShare` of its closed cases.
 * - access (per reason, when transfers record reasons): transfers naming a missing permission or
 *   system, vs other reasons.
 * - own it (all reasons): reopen rate of cases with several owners vs one owner end to end,
 *   stratified by reason; shown when the stratified difference is above 0 with 95% confidence.
 * Ranked well-measured first, then by score (rate above baseline); written as findings of
 * analysis `cases.levers`, kind = the lever, slice { reason, lever }.
 */
export async function getLevers(
  db: Store,
  params: LeversParams,
  now: Date = new Date(),
): Promise<LeversResult> {
  const o = await caseMetricsFor(db, {
    ...(await caseWindow(db, params)),
    accessPattern: params.accessPattern ?? DEFAULT_ACCESS_PATTERN,
  });
  const rows = await db.all<Row>(query(o, params.maxPathTeams));
  const front = await db.all<FrontRow>(frontQuery(o));
  const reasonsRecorded = rows.some((r) => r.transfers_with_reason > 0);
  const volumes = rows.map((r) => r.cases).sort((a, b) => a - b);
  const medianVolume = volumes.length ? volumes[Math.floor((volumes.length - 1) / 2)]! : 0;
  const figures: (LeverFigure & { score: number })[] = [];
  for (const r of rows) {
    /** The reason's rate k/n, against the same rate over the other reasons. */
    const againstOtherReasons = (
      lever: Lever,
      metric: string,
      k: Count,
      n: Count,
      owner: string | null,
      detail: string,
    ) => figure(lever, metric, r, r[k], r[n], rest(rows, r, k, n), owner, detail);
    // empower: tier-1 teams passing on cases their peers close
    const teams = front.filter((f) => f.reason === r.reason);
    const n = teams.reduce((s, f) => s + f.n, 0);
    const k = teams.reduce((s, f) => s + f.escalated, 0);
    const bench = teams
      .filter((f) => f.n >= params.minTeamCases)
      .map((f) => ({ ...f, w: wilson(f.escalated, f.n) }))
      .sort((a, b) => a.w.value - b.w.value || b.n - a.n)[0];
    if (bench && teams.length > 1 && n > 0 && k / n > bench.w.high) {
      const worst = [...teams].sort((a, b) => b.escalated / b.n - a.escalated / a.n)[0]!;
      figures.push(
        figure(
          'empower',
          'front_line_pass_on_rate',
          r,
          k,
          n,
          bench.w.value,
          worst.team,
          `tier 1 passes on ${pct(k / n)} of these cases; ${bench.team} passes on only ${pct(bench.w.value)} of the same reason`,
          k / n - bench.w.high,
        ),
      );
    } else if (r.approval_k > 0) {
      figures.push(
        againstOtherReasons(
          'empower',
          'approval_transfer_rate',
          'approval_k',
          'cases',
          null,
          `${r.approval_k} cases transferred only to get an approval`,
        ),
      );
    }
    figures.push(
      againstOtherReasons(
        'train',
        'bounce_or_reopen_rate',
        'train_k',
        'cases',
        r.train_owner,
        `${r.train_k} cases bounced back to a team or reopened`,
      ),
    );
    if (r.cases >= medianVolume && r.auto_path && r.auto_path.length > 0 && r.closed > 0) {
      if (r.auto_k / r.closed >= params.automateShare)
        figures.push(
          againstOtherReasons(
            'automate',
            'same_short_path_rate',
            'auto_k',
            'closed',
            r.auto_path[r.auto_path.length - 1] ?? null,
            `${r.auto_k} of ${r.closed} closed cases followed the same path ${r.auto_path.join(' → ')}`,
          ),
        );
    }
    if (reasonsRecorded) {
      figures.push(
        againstOtherReasons(
          'access',
          'missing_access_transfer_rate',
          'access_k',
          'cases',
          r.access_owner,
          `${r.access_k} cases transferred because a permission or system was missing`,
        ),
      );
    }
  }
  const strata = rows.map((r) => ({ k1: r.multi_bad, n1: r.multi_n, k2: r.single_bad, n2: r.single_n }));
  const overall = stratifiedRiskDifference(strata);
  const multiN = rows.reduce((s, r) => s + r.multi_n, 0);
  const multiK = rows.reduce((s, r) => s + r.multi_bad, 0);
  const singleN = rows.reduce((s, r) => s + r.single_n, 0);
  const singleK = rows.reduce((s, r) => s + r.single_bad, 0);
  if (overall.strata > 0 && overall.low > 0) {
    figures.push(
      figure(
        'own-it',
        'reopen_rate_several_owners',
        { reason: '(all)' },
        multiK,
        multiN,
        singleN > 0 ? singleK / singleN : null,
        null,
        `cases with several owners are reopened ${pct(overall.difference)} more often than cases with one owner end to end, same reason compared (${overall.strata} reasons)`,
        overall.difference,
      ),
    );
  }
  const ranked = figures
    .filter((f) => f.k > 0 && f.score > 0)
    .sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || b.score - a.score);
  const byReason = new Map(rows.map((r) => [r.reason, r]));
  const fp = { from: params.from, to: params.to, asOf: params.asOf };
  const findings: Finding[] = ranked.map((f) => {
    const r = byReason.get(f.reason);
    const all = f.lever === 'own-it';
    return {
      kind: f.lever,
      p:
        f.lever === 'automate' || f.lever === 'access'
          ? 'product'
          : f.lever === 'train'
            ? 'people'
            : 'process',
      title: `${LEVER_TITLE[f.lever]}${all ? '' : ` for “${f.reason}”`}: ${f.detail}`,
      slice: all ? { lever: f.lever } : { reason: f.reason, lever: f.lever },
      metric: f.metric,
      value: f.value,
      baseline: f.baseline,
      ciLow: f.low,
      ciHigh: f.high,
      n: f.n,
      smallSample: f.smallSample,
      score: f.score,
      customersAffected: r?.customers ?? null,
      evidence: {
        analysis: 'cases.levers',
        params: fp,
        excessCases: f.excessCases,
        ...(all
          ? { difference: { value: overall.difference, low: overall.low, high: overall.high, p: overall.p } }
          : {}),
        examples: (r?.examples ?? []).map((id) => ({ kind: 'case' as const, id })),
      },
      ownerTeam: f.owner,
    };
  });
  const stored = await writeFindings(db, 'cases.levers', fp, findings, now);
  return {
    recommendations: ranked.map(({ score: _s, ...f }) => f),
    ownIt: {
      difference: round(overall.difference),
      low: round(overall.low),
      high: round(overall.high),
      p: round(overall.p),
      strata: overall.strata,
      byReason: rows.map((r) => ({
        reason: r.reason,
        singleOwner: { reopened: r.single_bad, cases: r.single_n },
        severalOwners: { reopened: r.multi_bad, cases: r.multi_n },
      })),
    },
    transferReasonsRecorded: reasonsRecorded,
    findings: stored,
  };
}

const LEVER_TITLE: Record<Lever, string> = {
  empower: 'Empower the front line',
  train: 'Train',
  automate: 'Automate',
  access: 'Give access',
  'own-it': 'Own it end to end',
};

export const leversOperation = defineOperation({
  area: 'cases',
  verb: 'levers',
  summary: 'The five levers (empower, train, automate, access, own it) per contact reason, ranked',
  params: LeversParams,
  mode: 'write',
  listField: 'recommendations',
  run: (db, params, ctx) => getLevers(db, params, ctx.now?.()),
  present: (r): Section[] => [
    {
      title:
        'Recommended levers (value vs baseline: other reasons; empower: the best tier-1 team; own it: one owner)',
      rows: r.recommendations.map((f, i) => ({
        '#': i + 1,
        lever: f.lever,
        reason: f.reason,
        value: `${pct(f.value)} [${pct(f.low)}–${pct(f.high)}]${f.smallSample ? ' (small n)' : ''}`,
        baseline: pct(f.baseline),
        'cases above baseline': f.excessCases,
        owner: f.owner ?? '',
        why: f.detail,
      })),
    },
    {
      text: `Own it, all reasons (stratified by reason): several owners minus one owner, reopen rate ${pctInterval(
        r.ownIt.difference,
        r.ownIt.low,
        r.ownIt.high,
        'needs closed cases with one owner and with several',
      )} — an association, not a cause.${
        r.transferReasonsRecorded ? '' : ' No transfer records a reason: the access lever is not measured.'
      }`,
    },
  ],
});
