import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { type Rate, rate } from '../stats/rate.js';
import { type Store, sql } from '../store/index.js';
import { asOfParam, groupParam, groupSql, resolveAsOf } from './population.js';

export const RetentionParams = z.object({
  by: groupParam,
  months: z.number().int().min(1).max(36).default(12).describe('months after signup shown'),
  asOf: asOfParam,
});
export type RetentionParams = z.input<typeof RetentionParams>;

export interface RetentionCohort {
  readonly group: string;
  /** Signup month, YYYY-MM (UTC). */
  readonly cohort: string;
  readonly customers: number;
  /**
   * Month m (1…months): share of the cohort's customers observable for m months (signed up at least
   * m × 30.4375 days before as-of) who had not churned m months after their own signup; null when
   * nobody in the cohort is observable that long.
   */
  readonly retained: readonly (Rate | null)[];
}

export interface RetentionResult {
  readonly asOf: string;
  readonly months: number;
  readonly cohorts: readonly RetentionCohort[];
}

interface Row {
  grp: string;
  cohort: string;
  m: number;
  observable: number;
  retained: number;
  customers: number;
}

/** Cohort retention by signup month (docs/health.md §Retention); SQL counts, `rate` gives Wilson intervals. */
export async function getRetention(db: Store, params: RetentionParams): Promise<RetentionResult> {
  const p = RetentionParams.parse(params);
  const asOf = await resolveAsOf(db, p.asOf);
  const rows = await db.all<Row>(sql`
    WITH c0 AS (
      SELECT ${groupSql(p.by)} AS grp, strftime(c.created_at, '%Y-%m') AS cohort,
             date_diff('second', c.created_at, ${asOf}::TIMESTAMP) / 86400.0 AS age_days,
             CASE WHEN c.churned_at IS NOT NULL AND c.churned_at <= ${asOf}
                  THEN date_diff('second', c.created_at, c.churned_at) / 86400.0 END AS churn_days
      FROM customers c
      WHERE c.created_at IS NOT NULL AND c.created_at <= ${asOf}),
    months AS (SELECT unnest(range(1, ${p.months + 1})) AS m)
    SELECT grp, cohort, m,
           count(*) FILTER (WHERE age_days >= m * 30.4375) AS observable,
           count(*) FILTER (WHERE age_days >= m * 30.4375 AND (churn_days IS NULL OR churn_days > m * 30.4375)) AS retained,
           count(*) AS customers
    FROM c0, months
    GROUP BY ALL ORDER BY grp, cohort, m`);
  const cohorts = new Map<
    string,
    { group: string; cohort: string; customers: number; retained: (Rate | null)[] }
  >();
  for (const r of rows) {
    const key = `${r.grp}\u0000${r.cohort}`;
    const c = cohorts.get(key) ?? {
      group: r.grp,
      cohort: r.cohort,
      customers: Number(r.customers),
      retained: new Array<Rate | null>(p.months).fill(null),
    };
    const n = Number(r.observable);
    c.retained[Number(r.m) - 1] = n > 0 ? rate(Number(r.retained), n, 4) : null;
    cohorts.set(key, c);
  }
  return { asOf: asOf.toISOString(), months: p.months, cohorts: [...cohorts.values()] };
}

export function presentRetention(r: RetentionResult): Section[] {
  return [
    {
      title: `Retention by signup month: share not churned m months after signup (as of ${r.asOf}; * small sample)`,
      rows: r.cohorts.map((c) => ({
        group: c.group,
        cohort: c.cohort,
        customers: c.customers,
        ...Object.fromEntries(
          c.retained.map((x, i) => [
            `m${i + 1}`,
            x?.value == null ? '' : `${(100 * x.value).toFixed(1)}%${x.smallSample ? '*' : ''}`,
          ]),
        ),
      })),
    },
  ];
}

export const retentionOperation = defineOperation({
  area: 'health',
  verb: 'retention',
  summary: 'Cohort retention table by signup month (optionally by group), with Wilson intervals',
  params: RetentionParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getRetention(db, params),
  present: (r) => presentRetention(r),
});
