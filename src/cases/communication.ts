import { z } from 'zod';
import { type FilterInput, FilterParams, type Filters } from '../core/filters.js';
import { defineOperation, type Section } from '../core/operation.js';
import { type TimeFrameInput, TimeFrameParams } from '../core/time.js';
import { type StoredFinding, writeFindings } from '../findings/index.js';
import { mean, stratifiedRiskDifference } from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { type CaseMetricsOptions, caseMetricsCtes, caseWindow } from './case-metrics.js';
import { noCases, pct, pctInterval, type Rate, rate, ratePct, round } from './figures.js';

/** How a case finds its CSAT answer without `feedback.case_id` (every cases verb that reads CSAT). */
export const CSAT_FALLBACK_DAYS = z
  .number()
  .int()
  .min(1)
  .default(7)
  .describe('without feedback.case_id: a CSAT from the same customer within this many days after close');

/** The update promise of the communication measures (every cases verb that judges updates). */
export const PROMISE_HOURS = z
  .number()
  .positive()
  .default(24)
  .describe('update promise: hours a customer may wait for news');

export const CommunicationParams = z.object({
  ...TimeFrameParams,
  ...FilterParams,
  promiseHours: PROMISE_HOURS,
  fallbackDays: CSAT_FALLBACK_DAYS,
});
export type CommunicationParams = z.output<typeof CommunicationParams>;

/**
 * The communication timeline of each case: the anchors are the opening, every `update_sent` and every
 * `closed` event (closing tells the customer). Gaps run between consecutive anchors; an open case
 * also has its running gap from the last anchor to the as-of instant. A case is **overdue** when any
 * gap exceeded the promise. `asOf` must be set (the instant open gaps are measured to).
 */
export function commCtes(o: CaseMetricsOptions & { asOf: string }, promiseHours: number): SqlFragment {
  return sql`${caseMetricsCtes(o)},
  anchors AS (
    SELECT id AS case_id, opened_at AS ts FROM cs
    UNION ALL SELECT case_id, ts FROM ev WHERE type IN ('update_sent', 'closed')
  ),
  gaps AS (
    SELECT case_id, ts, (epoch(ts) - epoch(lag(ts) OVER (PARTITION BY case_id ORDER BY ts))) / 3600.0 AS hours
    FROM anchors
  ),
  case_gaps AS (
    SELECT m.case_id, m.reason, m.customer_id, m.is_closed, m.closed_at, m.updates_sent,
      max(g.ts) AS last_anchor,
      max(g.hours) AS max_closed_gap,
      CASE WHEN NOT m.is_closed THEN (epoch(${o.asOf}::TIMESTAMP) - epoch(max(g.ts))) / 3600.0 END AS running_gap
    FROM case_metrics2 m JOIN gaps g ON g.case_id = m.case_id
    GROUP BY m.case_id, m.reason, m.customer_id, m.is_closed, m.closed_at, m.updates_sent
  ),
  case_comm AS (
    SELECT *, greatest(coalesce(max_closed_gap, 0), coalesce(running_gap, 0)) AS max_gap,
      greatest(coalesce(max_closed_gap, 0), coalesce(running_gap, 0)) > ${promiseHours} AS overdue
    FROM case_gaps
  )`;
}

export interface CsatGroup {
  readonly cases: number;
  readonly satisfied: Rate;
  readonly mean: number | null;
  readonly meanLow: number | null;
  readonly meanHigh: number | null;
}

export interface CommunicationResult {
  readonly asOf: string;
  readonly promiseHours: number;
  /** Gaps between consecutive updates (opening → first update included), closed gaps only. */
  readonly gaps: {
    readonly n: number;
    readonly medianHours: number | null;
    readonly p90Hours: number | null;
    readonly overPromise: Rate;
  };
  readonly openCases: number;
  readonly openPastPromise: number;
  /** Promises with a date: kept when an update or the closure came by the promised time. */
  readonly promises: { readonly made: number; readonly pending: number; readonly kept: Rate };
  readonly csat: {
    /** How answers were linked: by feedback.case_id, or (only when no answer has one) same customer within fallbackDays after close. */
    readonly source: 'case_id' | 'customer-window' | 'none';
    readonly linkedCases: number;
    readonly overdue: CsatGroup;
    readonly onTime: CsatGroup;
    /** Satisfied (4–5) rate of overdue minus on-time cases, stratified by reason: an association, not a cause. */
    readonly difference: {
      readonly value: number | null;
      readonly low: number | null;
      readonly high: number | null;
      readonly p: number | null;
      readonly strata: number;
    };
    readonly byMaxGap: readonly ({ readonly band: string } & CsatGroup)[];
    readonly note: string;
  };
  /** A `communication` finding when late updates go with lower CSAT beyond chance (interval below 0). */
  readonly findings: readonly StoredFinding[];
}

interface StratumRow {
  reason: string;
  overdue: boolean;
  n: number;
  sat: number;
  sum: number;
  sum_sq: number;
}

/**
 * The frame of the communication verbs, in the workspace's zone; as-of defaults to the earlier of now
 * and the latest case event in the data.
 */
export async function communicationWindow(
  db: Store,
  p: TimeFrameInput & FilterInput,
  now: Date = new Date(),
): Promise<{ asOf: string; from: string | null; to: string | null; filters: Filters }> {
  const w = await caseWindow(db, p);
  return { ...w, asOf: w.asOf ?? (await latestCaseInstant(db, now)) };
}

/** The earlier of now and the latest case event in the data. */
async function latestCaseInstant(db: Store, now: Date): Promise<string> {
  const row = await db.one<{ t: string | null }>(
    sql`SELECT greatest((SELECT max(ts) FROM case_events), (SELECT max(opened_at) FROM cases)) AS t`,
  );
  const max = row?.t ? new Date(row.t) : now;
  return (max < now ? max : now).toISOString();
}

/** SQL for each case's CSAT (first answer), linked by case_id, or by the customer window fallback. */
export function csatLink(
  source: 'case_id' | 'customer-window',
  fallbackDays: number,
  cases: SqlFragment = sql`case_comm`,
): SqlFragment {
  return source === 'case_id'
    ? sql`SELECT case_id, arg_min(score, ts) AS score FROM feedback
          WHERE kind = 'csat' AND case_id IS NOT NULL AND score IS NOT NULL GROUP BY case_id`
    : sql`SELECT c.case_id, arg_min(f.score, f.ts) AS score
          FROM ${cases} c JOIN feedback f ON f.customer_id = c.customer_id AND f.kind = 'csat'
            AND f.score IS NOT NULL AND c.is_closed
            AND f.ts >= c.closed_at AND f.ts < c.closed_at + to_days(${fallbackDays}::INTEGER)
          GROUP BY c.case_id`;
}

export async function csatSource(db: Store): Promise<'case_id' | 'customer-window'> {
  const r = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM feedback WHERE case_id IS NOT NULL AND kind = 'csat'`,
  );
  return (r?.n ?? 0) > 0 ? 'case_id' : 'customer-window';
}

function group(n: number, sat: number, sum: number, sumSq: number): CsatGroup {
  const m = mean({ n, sum, sumSq });
  return {
    cases: n,
    satisfied: rate(sat, n),
    mean: round(m.value, 3),
    meanLow: round(m.low, 3),
    meanHigh: round(m.high, 3),
  };
}

/**
 * Keeping customers informed: update gaps, open cases past the promise, the promise-kept rate and
 * CSAT of cases whose updates ran late vs on time (stratified by reason, with intervals; never causal).
 */
export async function getCommunication(
  db: Store,
  params: CommunicationParams,
  now: Date = new Date(),
): Promise<CommunicationResult> {
  const o = await communicationWindow(db, params, now);
  const asOf = o.asOf;
  const ctes = commCtes(o, params.promiseHours);
  const source = await csatSource(db);
  const [g] = await db.all<{
    n: number;
    median: number | null;
    p90: number | null;
    over: number;
    open_cases: number;
    open_past: number;
    made: number;
    pending: number;
    kept: number;
  }>(sql`WITH ${ctes},
    promises AS (
      SELECT p.case_id, p.ts, p.promised_at,
        EXISTS (SELECT 1 FROM ev u WHERE u.case_id = p.case_id AND u.type IN ('update_sent', 'closed')
          AND u.ts > p.ts AND u.ts <= p.promised_at) AS kept
      FROM ev p WHERE p.promised_at IS NOT NULL
    )
    SELECT (SELECT count(hours) FROM gaps) AS n,
      (SELECT median(hours) FROM gaps) AS median,
      (SELECT quantile_cont(hours, 0.9) FROM gaps) AS p90,
      (SELECT count(*) FROM gaps WHERE hours > ${params.promiseHours}) AS over,
      (SELECT count(*) FROM case_comm WHERE NOT is_closed) AS open_cases,
      (SELECT count(*) FROM case_comm WHERE NOT is_closed AND running_gap > ${params.promiseHours}) AS open_past,
      (SELECT count(*) FROM promises) AS made,
      (SELECT count(*) FROM promises WHERE NOT kept AND promised_at > ${asOf}::TIMESTAMP) AS pending,
      (SELECT count(*) FROM promises WHERE kept) AS kept`);
  const strata = await db.all<StratumRow>(sql`WITH ${ctes}, link AS (${csatLink(source, params.fallbackDays)})
    SELECT c.reason, c.overdue, count(*) AS n, count(*) FILTER (WHERE l.score >= 4) AS sat,
      sum(l.score) AS sum, sum(l.score * l.score) AS sum_sq
    FROM case_comm c JOIN link l ON l.case_id = c.case_id GROUP BY 1, 2 ORDER BY 1, 2`);
  const bands = await db.all<{ band: string; n: number; sat: number; sum: number; sum_sq: number }>(sql`
    WITH ${ctes}, link AS (${csatLink(source, params.fallbackDays)})
    SELECT CASE WHEN c.max_gap <= ${params.promiseHours} THEN 'within promise'
                WHEN c.max_gap <= 2 * ${params.promiseHours} THEN 'up to 2× promise'
                ELSE 'over 2× promise' END AS band,
      count(*) AS n, count(*) FILTER (WHERE l.score >= 4) AS sat, sum(l.score) AS sum, sum(l.score * l.score) AS sum_sq
    FROM case_comm c JOIN link l ON l.case_id = c.case_id GROUP BY 1 ORDER BY min(c.max_gap)`);
  const sumBy = (overdue: boolean) => {
    const rows = strata.filter((s) => s.overdue === overdue);
    return group(
      rows.reduce((s, r) => s + r.n, 0),
      rows.reduce((s, r) => s + r.sat, 0),
      rows.reduce((s, r) => s + r.sum, 0),
      rows.reduce((s, r) => s + r.sum_sq, 0),
    );
  };
  const reasons = [...new Set(strata.map((s) => s.reason))];
  const d = stratifiedRiskDifference(
    reasons.map((reason) => {
      const a = strata.find((s) => s.reason === reason && s.overdue);
      const b = strata.find((s) => s.reason === reason && !s.overdue);
      return { k1: a?.sat ?? 0, n1: a?.n ?? 0, k2: b?.sat ?? 0, n2: b?.n ?? 0 };
    }),
  );
  const linked = strata.reduce((s, r) => s + r.n, 0);
  const made = g?.made ?? 0;
  const pending = g?.pending ?? 0;
  const overdue = sumBy(true);
  const onTime = sumBy(false);
  const fp = {
    from: params.from,
    to: params.to,
    asOf,
    promiseHours: params.promiseHours,
    fallbackDays: params.fallbackDays,
  };
  const stored = await writeFindings(
    db,
    'cases.communication',
    fp,
    d.strata > 0 && d.high < 0
      ? [
          {
            kind: 'communication',
            p: 'process',
            title: `Customers left without an update for more than ${params.promiseHours} h are satisfied ${pct(
              -d.difference,
            )} less often than customers updated on time (same contact reason compared; an association)`,
            slice: {},
            metric: 'csat_satisfied_rate_late_updates',
            value: round(overdue.satisfied.value),
            baseline: round(onTime.satisfied.value),
            ciLow: round(overdue.satisfied.low),
            ciHigh: round(overdue.satisfied.high),
            n: overdue.cases,
            smallSample: overdue.satisfied.smallSample,
            score: -d.difference,
            customersAffected: null,
            evidence: {
              analysis: 'cases.communication',
              params: fp,
              difference: { value: d.difference, low: d.low, high: d.high, p: d.p, strata: d.strata },
              openPastPromise: g?.open_past ?? 0,
            },
            ownerTeam: null,
          },
        ]
      : [],
    now,
  );
  return {
    asOf,
    promiseHours: params.promiseHours,
    gaps: {
      n: g?.n ?? 0,
      medianHours: round(g?.median, 2),
      p90Hours: round(g?.p90, 2),
      overPromise: rate(g?.over ?? 0, g?.n ?? 0),
    },
    openCases: g?.open_cases ?? 0,
    openPastPromise: g?.open_past ?? 0,
    promises: { made, pending, kept: rate(g?.kept ?? 0, made - pending) },
    csat: {
      source: linked === 0 ? 'none' : source,
      linkedCases: linked,
      overdue,
      onTime,
      difference: {
        value: round(d.difference),
        low: round(d.low),
        high: round(d.high),
        p: round(d.p),
        strata: d.strata,
      },
      byMaxGap: bands.map((b) => ({ band: b.band, ...group(b.n, b.sat, b.sum, b.sum_sq) })),
      note: 'Cases whose updates ran late are compared with on-time cases of the same contact reason. This is an association: late updates and low CSAT may share a cause (harder cases).',
    },
    findings: stored,
  };
}

export const communicationOperation = defineOperation({
  area: 'cases',
  verb: 'communication',
  summary: 'Update gaps, open cases past the update promise, promise-kept rate, update cadence vs CSAT',
  params: CommunicationParams,
  mode: 'write',
  run: (db, params, ctx) => getCommunication(db, params, ctx.now?.()),
  present: (r): Section[] =>
    r.openCases === 0 && r.gaps.n === 0
      ? [noCases('case updates')]
      : [
          {
            title: `Communication as of ${r.asOf} (promise: an update every ${r.promiseHours} h)`,
            rows: [
              { figure: 'gaps between updates', value: r.gaps.n },
              { figure: 'median gap (h)', value: r.gaps.medianHours },
              { figure: '90th percentile gap (h)', value: r.gaps.p90Hours },
              { figure: 'gaps over the promise', value: ratePct(r.gaps.overPromise) },
              { figure: 'open cases past the promise', value: `${r.openPastPromise} of ${r.openCases}` },
              {
                figure: 'promises kept',
                value: `${ratePct(r.promises.kept)}, ${r.promises.pending} pending`,
              },
            ],
          },
          {
            title: `CSAT (4–5 = satisfied) by update cadence — linked by ${r.csat.source}, ${r.csat.linkedCases} cases`,
            rows: [
              { group: 'updates late (any gap over promise)', ...csatRow(r.csat.overdue) },
              { group: 'updates on time', ...csatRow(r.csat.onTime) },
              ...r.csat.byMaxGap.map((b) => ({ group: `max gap ${b.band}`, ...csatRow(b) })),
            ],
          },
          {
            text: `Late minus on time, stratified by reason: ${pctInterval(
              r.csat.difference.value,
              r.csat.difference.low,
              r.csat.difference.high,
              'needs CSAT answers linked to cases with late and with on-time updates',
            )} satisfied. ${r.csat.note}`,
          },
        ],
});

const csatRow = (g: CsatGroup) => ({
  cases: g.cases,
  satisfied: ratePct(g.satisfied),
  'mean CSAT': g.mean === null ? '–' : `${g.mean} [${g.meanLow ?? '–'}–${g.meanHigh ?? '–'}]`,
});
