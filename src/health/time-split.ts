import { TouchpointError } from '../core/errors.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import type { FeatureSpec, RawValue } from './features.js';
import type { EngineInput } from './model.js';

/**
 * Features as known at a cut-off T, label = churn in [T, T + horizon) (docs/health.md §Time split).
 *
 * Every feature is a query over the data that returns, per customer, its value and `observed_at`:
 * the latest source time it read. The leakage guard refuses the data set when any feature's
 * `observed_at` is at or after T — a feature computed from what happened after the cut-off (a case
 * opened after, a survey answered after) would let the model read the outcome.
 */

export interface FeatureDefinition {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** Rows (customer_id, value, observed_at) for customers known at `t`. */
  readonly query: (t: Date) => SqlFragment;
}

const days = (n: number) => n * 86_400_000;

/** Activity in the `d` days before T. */
function eventCount(name: string, d: number): FeatureDefinition {
  return {
    name,
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, count(*)::DOUBLE AS value, max(ts) AS observed_at FROM events
      WHERE customer_id IS NOT NULL AND ts < ${t} AND ts >= ${new Date(t.getTime() - days(d))}
      GROUP BY customer_id`,
  };
}

/** The features built from events, cases, feedback and the profile; each reads only rows before T. */
export const DEFAULT_FEATURES: readonly FeatureDefinition[] = [
  {
    name: 'tenure_days',
    kind: 'numeric',
    query: (t) => sql`
      SELECT id AS customer_id, date_diff('second', created_at, ${t}::TIMESTAMP) / 86400.0 AS value,
             created_at AS observed_at
      FROM customers WHERE created_at < ${t}`,
  },
  eventCount('events_30d', 30),
  eventCount('events_90d', 90),
  {
    name: 'days_since_last_event',
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, date_diff('second', max(ts), ${t}::TIMESTAMP) / 86400.0 AS value, max(ts) AS observed_at
      FROM events WHERE customer_id IS NOT NULL AND ts < ${t} GROUP BY customer_id`,
  },
  {
    name: 'touchpoints_90d',
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, count(DISTINCT touchpoint)::DOUBLE AS value, max(ts) AS observed_at FROM events
      WHERE customer_id IS NOT NULL AND ts < ${t} AND ts >= ${new Date(t.getTime() - days(90))}
      GROUP BY customer_id`,
  },
  {
    name: 'cases_90d',
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, count(*)::DOUBLE AS value, max(opened_at) AS observed_at FROM cases
      WHERE customer_id IS NOT NULL AND opened_at < ${t} AND opened_at >= ${new Date(t.getTime() - days(90))}
      GROUP BY customer_id`,
  },
  {
    name: 'last_nps',
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, arg_max(score, ts) AS value, max(ts) AS observed_at FROM feedback
      WHERE customer_id IS NOT NULL AND kind = 'nps' AND ts < ${t} GROUP BY customer_id`,
  },
  {
    name: 'low_scores_180d',
    kind: 'numeric',
    query: (t) => sql`
      SELECT customer_id, count(*)::DOUBLE AS value, max(ts) AS observed_at FROM feedback
      WHERE customer_id IS NOT NULL AND ts < ${t} AND ts >= ${new Date(t.getTime() - days(180))}
        AND ((kind = 'nps' AND score <= 6) OR (kind = 'csat' AND score <= 2) OR (kind = 'ces' AND score >= 5))
      GROUP BY customer_id`,
  },
  ...(['segment', 'plan', 'region'] as const).map(
    (c): FeatureDefinition => ({
      name: c,
      kind: 'categorical',
      // profile fields are taken as set at signup (docs/health.md §Time split)
      query: (t) => sql`SELECT id AS customer_id, ${sqlColumn(c)} AS value, created_at AS observed_at
                        FROM customers WHERE created_at < ${t}`,
    }),
  ),
  {
    name: 'monthly_value',
    kind: 'numeric',
    query: (t) => sql`SELECT id AS customer_id, monthly_value AS value, created_at AS observed_at
                      FROM customers WHERE created_at < ${t}`,
  },
];

/**
 * Events per touchpoint in the 90 days before T, for the `top` touchpoints busiest in the 90 days before
 * `t` (chosen once, at the training cut-off, and used at every cut-off): which parts of the journey a
 * customer has been through lately (returns, support contacts, deliveries…), whatever the data calls them.
 */
export async function touchpointFeatures(db: Store, t: Date, top = 12): Promise<FeatureDefinition[]> {
  const from = new Date(t.getTime() - days(90));
  const rows = await db.all<{ touchpoint: string }>(sql`
    SELECT touchpoint FROM events WHERE customer_id IS NOT NULL AND ts < ${t} AND ts >= ${from}
    GROUP BY touchpoint ORDER BY count(*) DESC, touchpoint LIMIT ${top}`);
  return rows.map(({ touchpoint }) => ({
    name: `${touchpoint}_90d`,
    kind: 'numeric',
    query: (at: Date) => sql`
      SELECT customer_id, count(*)::DOUBLE AS value, max(ts) AS observed_at FROM events
      WHERE customer_id IS NOT NULL AND touchpoint = ${touchpoint}
        AND ts < ${at} AND ts >= ${new Date(at.getTime() - days(90))}
      GROUP BY customer_id`,
  }));
}

function sqlColumn(c: 'segment' | 'plan' | 'region'): SqlFragment {
  return c === 'segment' ? sql`segment` : c === 'plan' ? sql`plan` : sql`region`;
}

/** Customers here at T (signed up before, not churned before) and whether they churned in [T, T + h). */
function populationQuery(t: Date, horizonDays: number): SqlFragment {
  return sql`
    SELECT id, churned_at IS NOT NULL AND churned_at < ${new Date(t.getTime() + days(horizonDays))} AS churned
    FROM customers
    WHERE created_at < ${t} AND (churned_at IS NULL OR churned_at >= ${t})
    ORDER BY id`;
}

/**
 * The data set at cut-off `t`: one record per customer here at T, label = churned within the horizon.
 * Throws when a feature read anything at or after T (the leakage guard).
 */
export async function datasetAt(
  db: Store,
  t: Date,
  horizonDays: number,
  features: readonly FeatureDefinition[] = DEFAULT_FEATURES,
): Promise<EngineInput> {
  const people = await db.all<{ id: string; churned: boolean }>(populationQuery(t, horizonDays));
  const index = new Map(people.map((p, i) => [p.id, i]));
  const records = people.map(() => new Map<string, RawValue>());
  for (const f of features) {
    const rows = await db.all<{ customer_id: string; value: unknown; observed_at: string | Date | null }>(
      f.query(t),
    );
    let latest: number | null = null;
    for (const r of rows) {
      const i = index.get(r.customer_id);
      if (i === undefined) continue;
      if (r.observed_at !== null) {
        const at = new Date(r.observed_at).getTime();
        if (latest === null || at > latest) latest = at;
      }
      const v = r.value;
      (records[i] as Map<string, RawValue>).set(
        f.name,
        v === null || v === undefined ? null : f.kind === 'numeric' ? Number(v) : String(v),
      );
    }
    if (latest !== null && latest >= t.getTime())
      throw new TouchpointError(
        'invalid_input',
        `feature "${f.name}" uses data from ${new Date(latest).toISOString()}, at or after the cut-off ${t.toISOString()}: it would read the outcome (leakage); a feature may only use what was known before the cut-off`,
        { details: [{ field: f.name, message: 'computed after the label date' }] },
      );
  }
  // a count with no rows before T is 0, not missing
  for (const f of features)
    if (/_\d+d$/.test(f.name)) for (const r of records) if (!r.has(f.name)) r.set(f.name, 0);
  const specs: FeatureSpec[] = features.map((f) => ({ name: f.name, kind: f.kind }));
  return {
    ids: people.map((p) => p.id),
    records,
    y: Uint8Array.from(people.map((p) => (p.churned ? 1 : 0))),
    features: specs,
  };
}
