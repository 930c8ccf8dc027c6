import { z } from 'zod';
import { FilterParams } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type Finding, type StoredFinding, writeFindings } from '../findings/index.js';
import { type Store, sql } from '../store/index.js';
import { type CaseMetricsOptions, caseMetricsCtes, caseWindow } from './case-metrics.js';
import { pct, rate, round } from './figures.js';
import { caseMetricsFor } from './metrics-store.js';

export const PingPongParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  minCases: z.number().int().min(1).default(1).describe('ignore reasons with fewer cases'),
});
export type PingPongParams = z.output<typeof PingPongParams>;

export interface ReasonRate {
  readonly reason: string;
  readonly cases: number;
  readonly customers: number;
  readonly k: number;
  readonly value: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** The same rate over every other reason. */
  readonly baseline: number | null;
  readonly smallSample: boolean;
  /** The most frequent return of this reason: `from` sent the case back to `to`, which had held it before. */
  readonly pair: { readonly from: string; readonly to: string; readonly returns: number } | null;
  readonly examples: readonly string[];
}

export interface PingPongResult {
  /** Cases that returned to a team they had left, per contact reason. */
  readonly pingPong: readonly ReasonRate[];
  /** Cases with at least one team handoff, per contact reason. */
  readonly handoff: readonly ReasonRate[];
  readonly findings: readonly StoredFinding[];
}

interface Row {
  reason: string;
  cases: number;
  customers: number;
  pp: number;
  pp_customers: number;
  transferred: number;
  tr_customers: number;
  pair_from: string | null;
  pair_to: string | null;
  pair_returns: number | null;
  tr_team: string | null;
  pp_examples: string[];
  tr_examples: string[];
}

function query(o: CaseMetricsOptions) {
  return sql`WITH ${caseMetricsCtes(o)},
    pairs AS (
      SELECT m.reason, a.prev_team AS pair_from, a.team AS pair_to, count(*) AS returns
      FROM asg a JOIN case_metrics2 m ON m.case_id = a.case_id
      WHERE a.is_return GROUP BY ALL
    ),
    top_pair AS (
      SELECT reason, arg_max(pair_from, returns) AS pair_from, arg_max(pair_to, returns) AS pair_to,
        max(returns) AS pair_returns
      FROM (SELECT reason, pair_from, pair_to, returns,
              row_number() OVER (PARTITION BY reason ORDER BY returns DESC, pair_from, pair_to) AS r FROM pairs)
      WHERE r = 1 GROUP BY reason
    ),
    tr_team AS (
      SELECT m.reason, a.prev_team, count(*) AS n,
        row_number() OVER (PARTITION BY m.reason ORDER BY count(*) DESC, a.prev_team) AS r
      FROM asg a JOIN case_metrics2 m ON m.case_id = a.case_id WHERE a.team_change GROUP BY 1, 2
    )
    SELECT m.reason, count(*) AS cases, count(DISTINCT customer_id) AS customers,
      count(*) FILTER (WHERE ping_pong) AS pp,
      count(DISTINCT customer_id) FILTER (WHERE ping_pong) AS pp_customers,
      count(*) FILTER (WHERE team_handoffs > 0) AS transferred,
      count(DISTINCT customer_id) FILTER (WHERE team_handoffs > 0) AS tr_customers,
      any_value(p.pair_from) AS pair_from, any_value(p.pair_to) AS pair_to, any_value(p.pair_returns) AS pair_returns,
      any_value(t.prev_team) AS tr_team,
      (list(case_id ORDER BY returns DESC, case_id) FILTER (WHERE ping_pong))[1:3] AS pp_examples,
      (list(case_id ORDER BY team_handoffs DESC, case_id) FILTER (WHERE team_handoffs > 0))[1:3] AS tr_examples
    FROM case_metrics2 m
    LEFT JOIN top_pair p ON p.reason = m.reason
    LEFT JOIN tr_team t ON t.reason = m.reason AND t.r = 1
    GROUP BY m.reason ORDER BY m.reason`;
}

function reasonRates(
  rows: readonly Row[],
  k: (r: Row) => number,
  pair: (r: Row) => ReasonRate['pair'],
  examples: (r: Row) => string[],
): ReasonRate[] {
  const totalK = rows.reduce((s, r) => s + k(r), 0);
  const totalN = rows.reduce((s, r) => s + r.cases, 0);
  return rows.map((r) => {
    const x = rate(k(r), r.cases);
    const restN = totalN - r.cases;
    return {
      reason: r.reason,
      cases: r.cases,
      customers: r.customers,
      k: k(r),
      value: round(x.value),
      low: round(x.low),
      high: round(x.high),
      baseline: restN > 0 ? round((totalK - k(r)) / restN) : null,
      smallSample: x.smallSample,
      pair: pair(r),
      examples: examples(r) ?? [],
    };
  });
}

function toFinding(
  kind: 'ping-pong' | 'handoff',
  r: ReasonRate,
  customers: number,
  owner: string | null,
  params: Record<string, unknown>,
): Finding {
  const what = kind === 'ping-pong' ? 'come back to a team they had left' : 'are transferred between teams';
  const pair = r.pair ? ` (mostly ${r.pair.from} → ${r.pair.to})` : '';
  return {
    kind,
    p: 'process',
    title: `${pct(r.value)} of “${r.reason}” cases ${what}${kind === 'ping-pong' ? pair : ''}, vs ${pct(r.baseline)} for other reasons`,
    slice: { reason: r.reason },
    metric: kind === 'ping-pong' ? 'ping_pong_rate' : 'transfer_rate',
    value: r.value,
    baseline: r.baseline,
    ciLow: r.low,
    ciHigh: r.high,
    n: r.cases,
    smallSample: r.smallSample,
    score: (r.value ?? 0) - (r.baseline ?? 0),
    customersAffected: customers,
    evidence: {
      analysis: 'cases.handoffs',
      params: { ...params, by: 'reason' },
      cases: r.k,
      pair: r.pair,
      examples: r.examples.map((id) => ({ kind: 'case' as const, id })),
    },
    ownerTeam: owner,
  };
}

/**
 * Ping-pong and transfer rates per contact reason, each against the same rate over every other
 * reason, written as findings (kinds `ping-pong` in analysis `cases.ping-pong`, `handoff` in
 * `cases.handoffs`) for reasons above their baseline. Score = rate − baseline; small samples last.
 * Owner: the team that sends the cases back (ping-pong) or away (handoff) most often.
 */
export async function getPingPong(
  db: Store,
  params: PingPongParams,
  now: Date = new Date(),
): Promise<PingPongResult> {
  const o = await caseMetricsFor(db, await caseWindow(db, params));
  const rows = (await db.all<Row>(query(o))).filter((r) => r.cases >= params.minCases);
  const byReason = new Map(rows.map((r) => [r.reason, r]));
  const pingPong = reasonRates(
    rows,
    (r) => r.pp,
    (r) =>
      r.pair_from && r.pair_to ? { from: r.pair_from, to: r.pair_to, returns: r.pair_returns ?? 0 } : null,
    (r) => r.pp_examples,
  );
  const handoff = reasonRates(
    rows,
    (r) => r.transferred,
    () => null,
    (r) => r.tr_examples,
  );
  const above = (x: ReasonRate) => x.k > 0 && x.value !== null && x.value > (x.baseline ?? 0);
  const fp = { from: params.from, to: params.to, asOf: params.asOf };
  const ppFindings = pingPong
    .filter(above)
    .map((x) => toFinding('ping-pong', x, byReason.get(x.reason)!.pp_customers, x.pair?.from ?? null, fp));
  const hoFindings = handoff
    .filter(above)
    .map((x) =>
      toFinding('handoff', x, byReason.get(x.reason)!.tr_customers, byReason.get(x.reason)!.tr_team, fp),
    );
  const stored = [
    ...(await writeFindings(db, 'cases.ping-pong', fp, ppFindings, now)),
    ...(await writeFindings(db, 'cases.handoffs', fp, hoFindings, now)),
  ];
  const order = (a: ReasonRate, b: ReasonRate) =>
    Number(a.smallSample) - Number(b.smallSample) ||
    (b.value ?? 0) - (b.baseline ?? 0) - ((a.value ?? 0) - (a.baseline ?? 0));
  return { pingPong: pingPong.sort(order), handoff: handoff.sort(order), findings: stored };
}

export const pingPongOperation = defineOperation({
  area: 'cases',
  verb: 'ping-pong',
  summary: 'Contact reasons whose cases bounce between teams (A→B→A), written as findings',
  params: PingPongParams,
  mode: 'write',
  listField: 'pingPong',
  run: (db, params, ctx) => getPingPong(db, params, ctx.now?.()),
  present: (r): Section[] => [
    {
      title: 'Ping-pong by contact reason (cases returning to a team they left)',
      rows: r.pingPong.map((x) => ({
        reason: x.reason,
        cases: x.cases,
        'ping-pong': `${pct(x.value)} [${pct(x.low)}–${pct(x.high)}]${x.smallSample ? ' (small n)' : ''}`,
        'other reasons': pct(x.baseline),
        'main pair': x.pair ? `${x.pair.from} → ${x.pair.to} (${x.pair.returns})` : '',
        examples: x.examples.join(', '),
      })),
    },
    {
      text: `${r.findings.filter((f) => f.kind === 'ping-pong').length} ping-pong and ${
        r.findings.filter((f) => f.kind === 'handoff').length
      } handoff findings written (touchpoint findings list --kind ping-pong)`,
    },
  ],
});
