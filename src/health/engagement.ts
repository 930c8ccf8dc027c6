import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { type Interval, mean } from '../stats/index.js';
import { kaplanMeier, type Median, survivalAt, survivalRows } from '../stats/survival.js';
import { type Store, sql } from '../store/index.js';
import { asOfParam, resolveAsOf } from './population.js';

/**
 * Engagement and success (docs/health.md §Engagement and success).
 *
 * Engagement of a customer here at as-of (signed up before, not churned), over the `days` before it:
 * - frequency f = distinct days with an inbound event;
 * - recency r = days since the last inbound event (ever; none: least recent);
 * - breadth b = distinct touchpoints with an inbound event.
 * engagement = 100 × (pr(f) + pr(−r) + pr(b)) / 3, pr = percent rank among the customers here
 * ((rank − 1) / (n − 1), ties at their lowest rank): 0 = least engaged on all three, 100 = most.
 * Ranks make the three comparable whatever their units, and the score is read as "more engaged than
 * x % of customers".
 *
 * Success: the first time a customer reached the outcome they came for, a configurable event
 * (touchpoint, and optionally event name and outcome — e.g. delivery / outcome "on time"). Time to
 * first value = days from signup to it; customers who have not reached it are censored at churn or
 * as-of, so the distribution is a Kaplan–Meier curve of "not yet reached" (share reached by t =
 * 1 − Ŝ(t), with the log-log band).
 */
export const EngagementParams = z.object({
  asOf: asOfParam,
  days: z.number().int().min(7).max(730).default(90).describe('window of frequency and breadth, in days'),
  successTouchpoint: z.string().optional().describe('success event: its touchpoint (e.g. delivery)'),
  successName: z.string().optional().describe('success event: its name (optional)'),
  successOutcome: z.string().optional().describe('success event: its outcome (optional, e.g. "on time")'),
  at: z
    .array(z.number().positive())
    .default([7, 30, 90])
    .describe('days after signup at which the share that reached success is shown'),
});
export type EngagementParams = z.input<typeof EngagementParams>;

export interface EngagementResult {
  readonly asOf: string;
  readonly days: number;
  readonly customers: number;
  readonly engagement: Interval;
  readonly quartiles: readonly [number, number, number] | null;
  readonly components: {
    readonly frequencyMedian: number | null;
    readonly recencyMedian: number | null;
    readonly breadthMedian: number | null;
  };
  readonly bySegment: readonly { readonly segment: string; readonly engagement: Interval }[];
  readonly success: {
    readonly event: string;
    readonly customers: number;
    readonly reached: number;
    /** Median days to first value, with its interval (Brookmeyer–Crowley). */
    readonly medianDays: Median;
    readonly reachedBy: readonly {
      readonly days: number;
      readonly share: number | null;
      readonly low: number | null;
      readonly high: number | null;
    }[];
  } | null;
}

export async function getEngagement(db: Store, params: EngagementParams): Promise<EngagementResult> {
  const p = EngagementParams.parse(params);
  const asOf = await resolveAsOf(db, p.asOf);
  const from = new Date(asOf.getTime() - p.days * 86_400_000);
  const scored = sql`
    WITH here AS (
      SELECT id, coalesce(segment, '(missing)') AS segment FROM customers
      WHERE created_at < ${asOf} AND (churned_at IS NULL OR churned_at > ${asOf})),
    ev AS (SELECT customer_id, ts, touchpoint FROM events
           WHERE customer_id IS NOT NULL AND direction = 'inbound' AND ts < ${asOf}),
    m AS (
      SELECT h.id, h.segment,
        (SELECT count(DISTINCT date_trunc('day', ts)) FROM ev WHERE ev.customer_id = h.id AND ts >= ${from}) AS f,
        (SELECT date_diff('second', max(ts), ${asOf}::TIMESTAMP) / 86400.0 FROM ev WHERE ev.customer_id = h.id) AS r,
        (SELECT count(DISTINCT touchpoint) FROM ev WHERE ev.customer_id = h.id AND ts >= ${from}) AS b
      FROM here h)
    SELECT id, segment, f, r, b,
      100 * (percent_rank() OVER (ORDER BY f) + percent_rank() OVER (ORDER BY r DESC NULLS FIRST)
             + percent_rank() OVER (ORDER BY b)) / 3 AS score
    FROM m`;
  const summary = await db.one<{
    n: number;
    s: number | null;
    ss: number | null;
    q1: number | null;
    q2: number | null;
    q3: number | null;
    mf: number | null;
    mr: number | null;
    mb: number | null;
  }>(sql`
    SELECT count(*) AS n, sum(score) AS s, sum(score * score) AS ss,
      quantile_cont(score, 0.25) AS q1, quantile_cont(score, 0.5) AS q2, quantile_cont(score, 0.75) AS q3,
      median(f) AS mf, median(r) AS mr, median(b) AS mb
    FROM (${scored})`);
  const segments = await db.all<{ segment: string; n: number; s: number; ss: number }>(sql`
    SELECT segment, count(*) AS n, sum(score) AS s, sum(score * score) AS ss FROM (${scored})
    GROUP BY segment ORDER BY segment`);
  const n = Number(summary?.n ?? 0);
  const moments = (x: { n: number; s: number | null; ss: number | null }) =>
    mean({ n: Number(x.n), sum: Number(x.s ?? 0), sumSq: Number(x.ss ?? 0) });
  let success: EngagementResult['success'] = null;
  if (p.successTouchpoint) {
    const rows = await db.all<{ t: number; reached: boolean }>(sql`
      WITH first AS (
        SELECT e.customer_id, min(e.ts) AS ts FROM events e JOIN customers c ON c.id = e.customer_id
        WHERE e.touchpoint = ${p.successTouchpoint} AND e.ts >= c.created_at AND e.ts < ${asOf}
          AND (${p.successName ?? null}::VARCHAR IS NULL OR e.name = ${p.successName ?? null})
          AND (${p.successOutcome ?? null}::VARCHAR IS NULL OR e.outcome = ${p.successOutcome ?? null})
        GROUP BY e.customer_id)
      SELECT floor(date_diff('second', c.created_at,
                   coalesce(f.ts, least(coalesce(c.churned_at, ${asOf}::TIMESTAMP), ${asOf}::TIMESTAMP))) / 86400.0) AS t,
             f.ts IS NOT NULL AS reached
      FROM customers c LEFT JOIN first f ON f.customer_id = c.id
      WHERE c.created_at < ${asOf}`);
    const km = kaplanMeier(survivalRows(rows.map((r) => ({ time: Number(r.t), event: r.reached }))));
    const last = km.points.at(-1)?.time ?? 0;
    success = {
      event: [p.successTouchpoint, p.successName, p.successOutcome].filter(Boolean).join(' / '),
      customers: rows.length,
      reached: rows.filter((r) => r.reached).length,
      medianDays: km.median,
      reachedBy: p.at.map((d) => {
        if (d > last) return { days: d, share: null, low: null, high: null };
        const pt = survivalAt(km, d);
        return pt
          ? { days: d, share: 1 - pt.survival, low: 1 - pt.high, high: 1 - pt.low }
          : { days: d, share: 0, low: 0, high: 0 };
      }),
    };
  }
  return {
    asOf: asOf.toISOString(),
    days: p.days,
    customers: n,
    engagement: moments(summary ?? { n: 0, s: 0, ss: 0 }),
    quartiles: n ? [summary!.q1!, summary!.q2!, summary!.q3!] : null,
    components: {
      frequencyMedian: summary?.mf ?? null,
      recencyMedian: summary?.mr ?? null,
      breadthMedian: summary?.mb ?? null,
    },
    bySegment: segments.map((s) => ({ segment: s.segment, engagement: moments(s) })),
    success,
  };
}

const f1 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(1);
const ivText = (i: Interval) => `${f1(i.value)} [${f1(i.low)}, ${f1(i.high)}]`;
const pct = (v: number | null) => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);

export const engagementOperation = defineOperation({
  area: 'health',
  verb: 'engagement',
  summary:
    'Engagement (frequency, recency, breadth) of the customers here, and time to first value of a success event',
  params: EngagementParams,
  mode: 'read',
  run: (db, params) => getEngagement(db, params),
  present: (r): Section[] => [
    {
      title: `Engagement 0–100 of ${r.customers.toLocaleString('en-US')} customers here on ${r.asOf.slice(0, 10)} (window ${r.days} days): mean ${ivText(r.engagement)}, quartiles ${r.quartiles?.map((q) => q.toFixed(1)).join(' / ') ?? '–'}; median active days ${f1(r.components.frequencyMedian)}, days since last event ${f1(r.components.recencyMedian)}, touchpoints ${f1(r.components.breadthMedian)}`,
      rows: r.bySegment.map((s) => ({
        segment: s.segment,
        customers: s.engagement.n,
        engagement: ivText(s.engagement),
      })),
    },
    r.success
      ? {
          title: `Success "${r.success.event}": ${r.success.reached.toLocaleString('en-US')} of ${r.success.customers.toLocaleString('en-US')} customers reached it; median ${r.success.medianDays.value ?? 'not reached'} days [${r.success.medianDays.low ?? '–'}, ${r.success.medianDays.high ?? '–'}] after signup`,
          rows: r.success.reachedBy.map((x) => ({
            'days after signup': x.days,
            'reached by then': pct(x.share),
            '95% band': x.share === null ? '–' : `${pct(x.low)} – ${pct(x.high)}`,
          })),
        }
      : {
          text: 'Success: name the event with --success-touchpoint (and --success-name / --success-outcome).',
        },
  ],
});
