import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import {
  type KaplanMeier,
  kaplanMeier,
  type LogRank,
  logRank,
  type SurvivalRow,
  survivalAt,
} from '../stats/survival.js';
import { type Store, sql } from '../store/index.js';
import { asOfParam, groupParam, groupSql, resolveAsOf } from './population.js';

export const SurvivalParams = z.object({
  by: groupParam,
  unit: z.enum(['day', 'week', 'month']).default('month').describe('unit of time (a month is 30.4375 days)'),
  time: z
    .string()
    .optional()
    .describe(
      'a numeric attribute holding each customer’s time (e.g. tenure); default: created_at to churn or as-of',
    ),
  label: z
    .string()
    .default('churned')
    .describe('the event: churned (churned or churned_at set) or a yes/no attribute'),
  at: z.array(z.number().nonnegative()).default([3, 6, 12]).describe('times at which to read each curve'),
  asOf: asOfParam,
});
export type SurvivalParams = z.input<typeof SurvivalParams>;

export interface SurvivalGroup {
  readonly group: string;
  readonly n: number;
  readonly events: number;
  readonly median: KaplanMeier['median'];
  /** Ŝ(t) with its band at each requested time (null past the last observation). */
  readonly at: readonly { time: number; survival: number | null; low: number | null; high: number | null }[];
  readonly curve: KaplanMeier['points'];
}

export interface SurvivalResult {
  readonly unit: 'day' | 'week' | 'month';
  readonly asOf: string | null;
  readonly groups: readonly SurvivalGroup[];
  /** Log-rank test across the groups; null with one group. */
  readonly logRank: LogRank | null;
}

const DAYS = { day: 1, week: 7, month: 30.4375 } as const;

interface Row {
  grp: string;
  time: number;
  deaths: number;
  censored: number;
}

/**
 * Kaplan–Meier curves by group (docs/health.md §Survival). Time is `floor(days / unit)` from signup
 * to churn, or to the data's end for a customer still here (censored); or a numeric attribute
 * (`--time tenure`) with the event from `--label`. The engine returns (group, time, deaths,
 * censored); the curves, bands, medians and the log-rank test are pure functions of those rows.
 */
export async function getSurvival(db: Store, params: SurvivalParams): Promise<SurvivalResult> {
  const p = SurvivalParams.parse(params);
  const group = groupSql(p.by);
  const event =
    p.label === 'churned'
      ? sql`(coalesce(c.churned, false) OR c.churned_at IS NOT NULL)`
      : sql`lower(CAST(c.attributes->>${p.label} AS VARCHAR)) IN ('yes', 'true', '1', 'y')`;
  let rows: Row[];
  let asOf: Date | null = null;
  if (p.time) {
    rows = await db.all<Row>(sql`
      SELECT grp, time, count(*) FILTER (WHERE ev) AS deaths, count(*) FILTER (WHERE NOT ev) AS censored
      FROM (SELECT ${group} AS grp, TRY_CAST(c.attributes->>${p.time} AS DOUBLE) AS time, ${event} AS ev
            FROM customers c)
      WHERE time IS NOT NULL
      GROUP BY ALL ORDER BY grp, time`);
    if (rows.length === 0)
      throw new TouchpointError('invalid_input', `time: no customer has a numeric attribute "${p.time}"`, {
        details: [{ field: 'time', message: 'no numeric values' }],
      });
  } else {
    asOf = await resolveAsOf(db, p.asOf);
    const unitDays = DAYS[p.unit];
    rows = await db.all<Row>(sql`
      SELECT grp, floor(days / ${unitDays}) AS time,
             count(*) FILTER (WHERE ev) AS deaths, count(*) FILTER (WHERE NOT ev) AS censored
      FROM (SELECT ${group} AS grp,
                   date_diff('second', c.created_at,
                     CASE WHEN c.churned_at IS NOT NULL AND c.churned_at <= ${asOf} THEN c.churned_at ELSE ${asOf}::TIMESTAMP END
                   ) / 86400.0 AS days,
                   c.churned_at IS NOT NULL AND c.churned_at <= ${asOf} AS ev
            FROM customers c
            WHERE c.created_at IS NOT NULL AND c.created_at <= ${asOf})
      WHERE days >= 0
      GROUP BY ALL ORDER BY grp, time`);
    if (rows.length === 0)
      throw new TouchpointError('unavailable', 'no customers with a signup date (created_at) before as-of');
  }
  const byGroup = new Map<string, SurvivalRow[]>();
  for (const r of rows) {
    const list = byGroup.get(r.grp) ?? [];
    list.push({ time: Number(r.time), deaths: Number(r.deaths), censored: Number(r.censored) });
    byGroup.set(r.grp, list);
  }
  const groups: SurvivalGroup[] = [...byGroup.entries()].map(([group, rs]) => {
    const km = kaplanMeier(rs);
    const last = km.points.at(-1)?.time ?? 0;
    return {
      group,
      n: km.n,
      events: km.events,
      median: km.median,
      at: p.at.map((t) => {
        const pt = t <= last ? survivalAt(km, t) : null;
        const inside = t <= last;
        return {
          time: t,
          survival: inside ? (pt?.survival ?? 1) : null,
          low: inside ? (pt?.low ?? 1) : null,
          high: inside ? (pt?.high ?? 1) : null,
        };
      }),
      curve: km.points,
    };
  });
  groups.sort((a, b) => b.n - a.n || (a.group < b.group ? -1 : 1));
  return {
    unit: p.unit,
    asOf: asOf ? asOf.toISOString() : null,
    groups,
    logRank:
      groups.length > 1 ? logRank([...byGroup.entries()].map(([group, rs]) => ({ group, rows: rs }))) : null,
  };
}

const r4 = (v: number | null) => (v === null ? null : Number(v.toFixed(4)));

export function presentSurvival(r: SurvivalResult): Section[] {
  return [
    {
      title: `Survival by group (time in ${r.unit}s${r.asOf ? `, as of ${r.asOf}` : ''}; 95% log-log bands)`,
      rows: r.groups.map((g) => ({
        group: g.group,
        customers: g.n,
        churned: g.events,
        median:
          g.median.value === null
            ? 'not reached'
            : `${g.median.value} [${g.median.low ?? '–'}, ${g.median.high ?? '–'}]`,
        ...Object.fromEntries(
          g.at.map((a) => [
            `S(${a.time})`,
            a.survival === null ? '–' : `${r4(a.survival)} [${r4(a.low)}, ${r4(a.high)}]`,
          ]),
        ),
      })),
    },
    ...(r.logRank
      ? [
          {
            text: `log-rank test: χ² = ${r.logRank.chiSquare.toFixed(2)} on ${r.logRank.df} df, p = ${r.logRank.p.toPrecision(3)}`,
          },
        ]
      : []),
  ];
}

export const survivalOperation = defineOperation({
  area: 'health',
  verb: 'survival',
  summary: 'Kaplan–Meier survival by group with Greenwood bands, medians and a log-rank test',
  params: SurvivalParams,
  mode: 'read',
  cache: {},
  run: (db, params) => getSurvival(db, params),
  present: (r) => presentSurvival(r),
});
