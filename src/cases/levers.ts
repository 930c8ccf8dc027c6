import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { stratifiedRiskDifference, twoProportions } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import {
  type CaseMetricsOptions,
  caseWindowParams,
  checkInstant,
  DEFAULT_ACCESS_PATTERN,
} from './case-metrics.js';
import { pct, rate, round } from './figures.js';
import { withPushToFront } from './handoffs.js';

export const LEVERS = ['empower', 'train', 'automate', 'access', 'own-it'] as const;
export type Lever = (typeof LEVERS)[number];

export const LeversParams = z.object({
  ...caseWindowParams,
  pushToFrontShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('share of a reason closed at tier 1 without transfer above which escalations count (empower)'),
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
  /** Same metric over every other reason (own-it: the single-owner cases of this reason). */
  readonly baseline: number | null;
  readonly smallSample: boolean;
  /** Cases above baseline: (value − baseline) × n, what acting on the lever could remove. */
  readonly excessCases: number;
  readonly owner: string | null;
  readonly detail: string;
}

export interface LeversResult {
  readonly recommendations: readonly LeverFigure[];
  /** Own it across reasons: reopen rate of multi-owner minus single-owner cases, stratified by reason. */
  readonly ownItOverall: {
    readonly difference: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly p: number | null;
    readonly strata: number;
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
  empower_k: number;
  empower_owner: string | null;
  train_k: number;
  train_owner: string | null;
  auto_k: number;
  auto_path: string[] | null;
  access_k: number;
  access_owner: string | null;
  transfers_with_reason: number;
  resolved: number;
  single_n: number;
  single_bad: number;
  multi_n: number;
  multi_bad: number;
  first_owner: string | null;
  examples: string[];
}

function query(o: CaseMetricsOptions, share: number, maxPathTeams: number) {
  return sql`WITH ${withPushToFront(o, share)},
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
      count(*) FILTER (WHERE push_to_front OR approval_transfers > 0) AS empower_k,
      mode(first_team) FILTER (WHERE push_to_front OR approval_transfers > 0) AS empower_owner,
      count(*) FILTER (WHERE ping_pong OR reopens > 0) AS train_k,
      coalesce(any_value(rt.team), mode(last_team) FILTER (WHERE reopens > 0)) AS train_owner,
      count(*) FILTER (WHERE is_closed AND reopens = 0 AND m.team_chain = ch.team_chain) AS auto_k,
      any_value(ch.team_chain) AS auto_path,
      count(*) FILTER (WHERE access_transfers > 0) AS access_k,
      any_value(bl.team) AS access_owner,
      sum(transfers_with_reason) AS transfers_with_reason,
      count(*) FILTER (WHERE resolutions > 0 OR reopens > 0) AS resolved,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND single_owner) AS single_n,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND single_owner AND reopens > 0) AS single_bad,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND NOT single_owner) AS multi_n,
      count(*) FILTER (WHERE (resolutions > 0 OR reopens > 0) AND NOT single_owner AND reopens > 0) AS multi_bad,
      mode(first_team) AS first_owner,
      (list(case_id ORDER BY returns DESC, team_handoffs DESC, case_id) FILTER (WHERE team_handoffs > 0))[1:3] AS examples
    FROM cm m
    LEFT JOIN chains ch ON ch.reason = m.reason AND ch.r = 1
    LEFT JOIN returners rt ON rt.reason = m.reason AND rt.r = 1
    LEFT JOIN blocked bl ON bl.reason = m.reason AND bl.r = 1
    GROUP BY m.reason ORDER BY m.reason`;
}

function figure(
  lever: Lever,
  metric: string,
  r: Row,
  k: number,
  n: number,
  baseline: number | null,
  owner: string | null,
  detail: string,
): LeverFigure {
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
  };
}

/** Rate of the other reasons: (Σk − k) / (Σn − n). */
const rest = (rows: readonly Row[], r: Row, k: (x: Row) => number, n: (x: Row) => number) => {
  const K = rows.reduce((s, x) => s + k(x), 0) - k(r);
  const N = rows.reduce((s, x) => s + n(x), 0) - n(r);
  return N > 0 ? K / N : null;
};

/**
 * The five levers per contact reason (docs/cases.md):
 * - empower: cases escalated from tier 1 although the reason is usually closed there (push-to-front),
 *   or transferred for an approval — share of the reason's cases vs other reasons;
 * - train: cases that bounce back to a team (ping-pong) or are reopened — vs other reasons; owner is
 *   the team that sends cases back most;
 * - automate: closed cases following the reason's most common short path (≤ maxPathTeams teams, no
 *   reopen) — vs other reasons, only for reasons at or above the median volume;
 * - access: cases with a transfer whose recorded reason names a missing permission or system;
 * - own it: reopen rate of cases with more than one owner vs one owner end to end within the reason
 *   (and across reasons, stratified by reason).
 * Recommendations are ranked well-measured first, then by value − baseline; findings are written
 * for levers above their baseline (analysis `cases.levers`, kind = the lever).
 */
export async function getLevers(
  db: Store,
  params: LeversParams,
  now: Date = new Date(),
): Promise<LeversResult> {
  const o: CaseMetricsOptions = {
    asOf: checkInstant('as-of', params.asOf),
    from: checkInstant('from', params.from),
    to: checkInstant('to', params.to),
    ...(params.accessPattern ? { accessPattern: params.accessPattern } : {}),
  };
  const withDefaults = { ...o, accessPattern: o.accessPattern ?? DEFAULT_ACCESS_PATTERN };
  const rows = await db.all<Row>(query(withDefaults, params.pushToFrontShare, params.maxPathTeams));
  const reasonsRecorded = rows.some((r) => r.transfers_with_reason > 0);
  const volumes = rows.map((r) => r.cases).sort((a, b) => a - b);
  const medianVolume = volumes.length ? volumes[Math.floor((volumes.length - 1) / 2)]! : 0;
  const figures: LeverFigure[] = [];
  for (const r of rows) {
    figures.push(
      figure(
        'empower',
        'push_to_front_or_approval_rate',
        r,
        r.empower_k,
        r.cases,
        rest(
          rows,
          r,
          (x) => x.empower_k,
          (x) => x.cases,
        ),
        r.empower_owner,
        `${r.empower_k} cases escalated from tier 1 though the reason is usually closed there, or sent for approval`,
      ),
      figure(
        'train',
        'bounce_or_reopen_rate',
        r,
        r.train_k,
        r.cases,
        rest(
          rows,
          r,
          (x) => x.train_k,
          (x) => x.cases,
        ),
        r.train_owner,
        `${r.train_k} cases bounced back to a team or reopened`,
      ),
    );
    if (r.cases >= medianVolume && r.auto_path && r.auto_path.length > 0) {
      figures.push(
        figure(
          'automate',
          'same_short_path_rate',
          r,
          r.auto_k,
          r.closed,
          rest(
            rows,
            r,
            (x) => x.auto_k,
            (x) => x.closed,
          ),
          r.auto_path[r.auto_path.length - 1] ?? null,
          `${r.auto_k} of ${r.closed} closed cases followed the same path ${r.auto_path.join(' → ')}`,
        ),
      );
    }
    if (reasonsRecorded) {
      figures.push(
        figure(
          'access',
          'missing_access_transfer_rate',
          r,
          r.access_k,
          r.cases,
          rest(
            rows,
            r,
            (x) => x.access_k,
            (x) => x.cases,
          ),
          r.access_owner,
          `${r.access_k} cases transferred because a permission or system was missing`,
        ),
      );
    }
    if (r.single_n > 0 && r.multi_n > 0) {
      figures.push(
        figure(
          'own-it',
          'reopen_rate_multi_owner',
          r,
          r.multi_bad,
          r.multi_n,
          r.single_bad / r.single_n,
          r.first_owner,
          `reopened: ${pct(r.multi_bad / r.multi_n)} of ${r.multi_n} cases with several owners vs ${pct(
            r.single_bad / r.single_n,
          )} of ${r.single_n} with one owner end to end`,
        ),
      );
    }
  }
  const score = (f: LeverFigure) => (f.value ?? 0) - (f.baseline ?? 0);
  const ranked = figures
    .filter((f) => f.k > 0 && score(f) > 0)
    .sort((a, b) => Number(a.smallSample) - Number(b.smallSample) || score(b) - score(a));
  const overall = stratifiedRiskDifference(
    rows.map((r) => ({ k1: r.multi_bad, n1: r.multi_n, k2: r.single_bad, n2: r.single_n })),
  );
  const byReason = new Map(rows.map((r) => [r.reason, r]));
  const fp = { from: params.from, to: params.to, asOf: params.asOf };
  const findings: Finding[] = ranked.map((f) => {
    const r = byReason.get(f.reason)!;
    const diff =
      f.lever === 'own-it' ? twoProportions(r.multi_bad, r.multi_n, r.single_bad, r.single_n) : undefined;
    return {
      kind: f.lever,
      p:
        f.lever === 'automate' || f.lever === 'access'
          ? 'product'
          : f.lever === 'train'
            ? 'people'
            : 'process',
      title: `${LEVER_TITLE[f.lever]} for “${f.reason}”: ${f.detail}`,
      slice: { reason: f.reason, lever: f.lever },
      metric: f.metric,
      value: f.value,
      baseline: f.baseline,
      ciLow: f.low,
      ciHigh: f.high,
      n: f.n,
      smallSample: f.smallSample,
      score: score(f),
      customersAffected: r.customers,
      evidence: {
        analysis: 'cases.levers',
        params: fp,
        excessCases: f.excessCases,
        ...(diff
          ? { difference: { value: diff.difference, low: diff.low, high: diff.high, p: diff.p } }
          : {}),
        examples: (r.examples ?? []).map((id) => ({ kind: 'case' as const, id })),
      },
      ownerTeam: f.owner,
    };
  });
  const stored = await writeFindings(db, 'cases.levers', fp, findings, now);
  return {
    recommendations: ranked,
    ownItOverall: {
      difference: round(overall.difference),
      low: round(overall.low),
      high: round(overall.high),
      p: round(overall.p),
      strata: overall.strata,
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
      title: 'Recommended levers (value vs other reasons; own-it vs single-owner cases)',
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
      text: `Own it, all reasons (stratified by reason): multi-owner minus single-owner reopen rate ${pct(
        r.ownItOverall.difference,
      )} [${pct(r.ownItOverall.low)}–${pct(r.ownItOverall.high)}] — an association, not a cause.${
        r.transferReasonsRecorded ? '' : ' No transfer records a reason: the access lever is not measured.'
      }`,
    },
  ],
});
