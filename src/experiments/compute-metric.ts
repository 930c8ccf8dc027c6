import { caseMetricsCtes } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { filterSql, resolveFilters } from '../core/filters.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { resolveTimeFrame } from '../core/time.js';
import { isSmallSample, quantileRanks, ratioArm, wilson, Z95 } from '../stats/index.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import type { EventMatch, Metric, MetricDefinition, MetricFormat, MetricSlice } from './metrics.js';

/**
 * The one computation of every registry metric (docs/experiments.md, "Metrics"). SQL reduces the data
 * to one row per **unit** (a customer; an answer or case without a customer is its own unit) holding
 * x (the denominator: 1 for a customer-level metric, the answers / cases / events counted otherwise)
 * and y (the numerator), then to the sufficient statistics per group: units, Σx, Σy, Σx², Σy², Σxy.
 * The value is Σy/Σx; its 95 % interval is Wilson's when every unit contributes at most one 0/1
 * observation, else the delta method for a ratio of means over units (Deng, Knoblich & Lu 2018) —
 * answers and cases of one customer are not independent, customers are.
 *
 * Populations:
 * - **customer-level** metrics (conversion, retention, revenue, contact rate): without an experiment,
 *   the customers with an event in [from, to) in the slice, anchored at their first such event (per
 *   month with `groupBy: 'month'`); with an experiment, its exposed customers anchored at exposure.
 * - **record-level** metrics (scores, mean, ratio, quantile, handoffs, FCR, follow-up closure): the
 *   answers, events, cases or follow-ups dated in [from, to) in the slice; with an experiment, those of
 *   its exposed customers at or after their exposure (and before `to`), every exposed customer a unit.
 */
export interface ComputeMetricOptions {
  /** Start (inclusive) and end (exclusive) of the period, ISO 8601 in the workspace's zone. */
  readonly from?: string | null | undefined;
  readonly to?: string | null | undefined;
  /** Narrows the metric's own slice (a key given here replaces the metric's). */
  readonly slice?: MetricSlice | undefined;
  /** One figure per month (UTC, of the anchor or record) or per customer segment, beside the overall one. */
  readonly groupBy?: 'month' | 'segment' | undefined;
  /** Units = this experiment's exposed customers, grouped by arm. */
  readonly experiment?: string | undefined;
  /** The clock for the follow-up closure's eligibility (default now). */
  readonly now?: Date | undefined;
}

/** Sufficient statistics of a metric over one group. */
export interface MetricStats {
  readonly units: number;
  readonly sumX: number;
  readonly sumY: number;
  readonly sumXX: number;
  readonly sumYY: number;
  readonly sumXY: number;
}

export interface MetricFigure {
  /** The group (month `2026-03`, segment, arm); null for the overall figure. */
  readonly group: string | null;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  /** Observations: answers, cases, events or customers (Σx). */
  readonly n: number;
  /** Units (customers) behind them. */
  readonly units: number;
  readonly smallSample: boolean;
  readonly stats: MetricStats;
}

export interface MetricValue {
  readonly metric: string;
  readonly version: number;
  readonly name: string;
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  readonly from: string | null;
  readonly to: string | null;
  readonly slice: MetricSlice;
  readonly overall: MetricFigure;
  readonly groups: readonly MetricFigure[];
}

interface Ctx {
  readonly from: string | null;
  readonly to: string | null;
  readonly slice: MetricSlice;
  readonly groupBy: 'month' | 'segment' | 'arm' | null;
  readonly experiment: string | null;
  readonly now: Date;
}

/** [from, to) on a column; a bound left open adds no condition (the engine prunes better without one). */
const inWindow = (c: Ctx, col: SqlFragment) =>
  sql`${c.from === null ? sql`true` : sql`${col} >= ${c.from}::TIMESTAMP`} AND ${c.to === null ? sql`true` : sql`${col} < ${c.to}::TIMESTAMP`}`;

const customerFilter = (c: Ctx, col: SqlFragment) =>
  filterSql(
    { segment: c.slice.segment ?? null, channel: null, persona: c.slice.persona ?? null },
    { customer: col, channel: sql`NULL` },
  );

const match = (m: EventMatch, e: 'e' | 'ev'): SqlFragment => {
  const alias = e === 'e' ? sql`e` : sql`ev`;
  return sql`(${m.touchpoint ?? null}::VARCHAR IS NULL OR ${alias}.touchpoint = ${m.touchpoint ?? null})
    AND (${m.event ?? null}::VARCHAR IS NULL OR ${alias}.name = ${m.event ?? null})`;
};

const prop = (alias: SqlFragment, name: string) =>
  sql`TRY_CAST(json_extract_string(${alias}.properties, ${`$.${name}`}) AS DOUBLE)`;

/** Events in the slice's touchpoint and channel (alias e). */
const eventSlice = (c: Ctx) =>
  sql`(${c.slice.touchpoint ?? null}::VARCHAR IS NULL OR e.touchpoint = ${c.slice.touchpoint ?? null})
    AND (${c.slice.channel ?? null}::VARCHAR IS NULL OR e.channel = ${c.slice.channel ?? null})`;

const grpOf = (c: Ctx, ts: SqlFragment): SqlFragment =>
  c.groupBy === 'month'
    ? sql`strftime(${ts}, '%Y-%m')`
    : c.groupBy === 'segment'
      ? sql`coalesce(c.segment, '(none)')`
      : sql`NULL::VARCHAR`;

const INFINITY = sql`'infinity'::TIMESTAMP`;

/** pop(unit, grp, t0, t1): the customer-level population, anchored. */
function population(c: Ctx): SqlFragment {
  if (c.experiment !== null)
    return sql`pop AS MATERIALIZED (SELECT x.customer_id AS unit, x.arm AS grp, x.exposed_at AS t0,
        coalesce(${c.to}::TIMESTAMP, ${INFINITY}) AS t1
      FROM experiment_exposures x
      WHERE x.experiment_id = ${c.experiment} AND ${inWindow(c, sql`x.exposed_at`)} AND ${customerFilter(c, sql`x.customer_id`)})`;
  const t1 =
    c.groupBy === 'month'
      ? sql`least(date_trunc('month', min(e.ts)) + INTERVAL 1 MONTH, coalesce(${c.to}::TIMESTAMP, ${INFINITY}))`
      : sql`coalesce(${c.to}::TIMESTAMP, ${INFINITY})`;
  return sql`pop AS (SELECT e.customer_id AS unit, ${grpOf(c, sql`e.ts`)} AS grp, min(e.ts) AS t0, ${t1} AS t1
    FROM events e LEFT JOIN customers c ON c.id = e.customer_id
    WHERE e.customer_id IS NOT NULL AND ${inWindow(c, sql`e.ts`)} AND ${eventSlice(c)}
      AND ${customerFilter(c, sql`e.customer_id`)}
    GROUP BY e.customer_id, ${grpOf(c, sql`e.ts`)})`;
}

const DATA_END = sql`(SELECT max(ts) FROM events)`;
const days = (n: number) => sql`to_days(CAST(${n} AS INTEGER))`;

/**
 * The statistics query of a customer-level metric: every unit of the population has x = 1, so only
 * the outcome y of the units that have one is aggregated (over the joined rows); units, Σx and Σx²
 * are the population's count and Σxy is Σy. No aggregation or join runs over every unit (10M
 * exposures: docs/experiments.md, "Performance").
 */
function customerStats(c: Ctx, d: MetricDefinition): SqlFragment {
  const q = (eligible: SqlFragment, agg: SqlFragment) => sql`WITH ${population(c)},
      elig AS (SELECT * FROM pop WHERE ${eligible}),
      agg AS (${agg}),
      n AS (SELECT grp, count(*) AS units FROM elig GROUP BY grp),
      s AS (SELECT grp, sum(y) AS sy, sum(y * y) AS syy FROM agg GROUP BY grp)
    SELECT n.grp, n.units, n.units::DOUBLE AS sx, coalesce(s.sy, 0)::DOUBLE AS sy, n.units::DOUBLE AS sxx,
      coalesce(s.syy, 0)::DOUBLE AS syy, coalesce(s.sy, 0)::DOUBLE AS sxy
    FROM n LEFT JOIN s ON s.grp IS NOT DISTINCT FROM n.grp ORDER BY n.grp`;
  switch (d.type) {
    case 'conversion':
      return q(
        sql`t0 + ${days(d.withinDays)} <= ${DATA_END}`,
        sql`SELECT p.grp, p.unit, 1 AS y FROM elig p SEMI JOIN events ev ON ev.customer_id = p.unit AND ev.ts >= p.t0
          AND ev.ts <= p.t0 + ${days(d.withinDays)} AND ${match(d.reach, 'ev')}`,
      );
    case 'retention':
      return q(
        sql`t0 + ${days(2 * d.days)} <= ${DATA_END}`,
        sql`SELECT p.grp, p.unit, 1 AS y FROM elig p SEMI JOIN events ev ON ev.customer_id = p.unit
          AND ev.ts >= p.t0 + ${days(d.days)} AND ev.ts < p.t0 + ${days(2 * d.days)}`,
      );
    case 'revenue': {
      const amount = d.properties.map((n) => prop(sql`ev`, n)).reduce((a, b) => sql`coalesce(${a}, ${b})`);
      return q(
        sql`true`,
        sql`SELECT p.grp, p.unit, coalesce(sum(${amount}), 0) AS y
          FROM elig p JOIN events ev ON ev.customer_id = p.unit AND ev.ts >= p.t0 AND ev.ts < p.t1 AND ${match(d.on, 'ev')}
          GROUP BY p.grp, p.unit`,
      );
    }
    case 'contact_rate':
      return q(
        sql`true`,
        sql`SELECT p.grp, p.unit, count(*) AS y
          FROM elig p JOIN cases k ON k.customer_id = p.unit AND k.opened_at >= p.t0 AND k.opened_at < p.t1
          GROUP BY p.grp, p.unit`,
      );
    default:
      throw new Error(`not a customer-level metric: ${d.type}`);
  }
}

/** The record relation rec(unit, cust, ts, x, y) of a record-level metric, and CTEs it needs first. */
function records(c: Ctx, d: MetricDefinition): { prefix: SqlFragment | null; rec: SqlFragment } {
  const noTouchpoint = (what: string) => {
    if (c.slice.touchpoint !== undefined)
      throw new TouchpointError(
        'invalid_input',
        `touchpoint: ${what} have no touchpoint; slice this metric by channel, segment or persona`,
        { details: [{ field: 'touchpoint', message: `${what} have no touchpoint` }] },
      );
  };
  switch (d.type) {
    case 'score': {
      const s = SCORE_SCALES[d.kind];
      const y =
        d.kind === 'nps'
          ? sql`CASE WHEN f.score >= ${s.goodAtLeast} THEN 1 WHEN f.score <= ${s.badAtMost} THEN -1 ELSE 0 END`
          : d.kind === 'csat'
            ? sql`CASE WHEN f.score >= ${s.goodAtLeast} THEN 1 ELSE 0 END`
            : sql`f.score`;
      return {
        prefix: null,
        rec: sql`SELECT coalesce(f.customer_id, f.id) AS unit, f.customer_id AS cust, f.ts, 1 AS x, ${y} AS y
          FROM feedback f WHERE f.kind = ${d.kind} AND f.score IS NOT NULL
            AND (${c.slice.touchpoint ?? null}::VARCHAR IS NULL OR f.touchpoint = ${c.slice.touchpoint ?? null})
            AND (${c.slice.channel ?? null}::VARCHAR IS NULL OR f.channel = ${c.slice.channel ?? null})
            AND ${customerFilter(c, sql`f.customer_id`)}`,
      };
    }
    case 'mean':
      return {
        prefix: null,
        rec: sql`SELECT coalesce(e.customer_id, e.anonymous_id) AS unit, e.customer_id AS cust, e.ts, 1 AS x,
            ${prop(sql`e`, d.property)} AS y
          FROM events e WHERE ${prop(sql`e`, d.property)} IS NOT NULL AND ${match(d.on, 'e')} AND ${eventSlice(c)}
            AND ${customerFilter(c, sql`e.customer_id`)}`,
      };
    case 'quantile':
      return {
        prefix: null,
        rec: sql`SELECT coalesce(e.customer_id, e.anonymous_id) AS unit, e.customer_id AS cust, e.ts, 1 AS x,
            ${prop(sql`e`, d.property)} AS y
          FROM events e WHERE ${prop(sql`e`, d.property)} IS NOT NULL AND ${match(d.on, 'e')} AND ${eventSlice(c)}
            AND ${customerFilter(c, sql`e.customer_id`)}`,
      };
    case 'ratio': {
      const side = (s: typeof d.numerator) =>
        sql`CASE WHEN ${match(s, 'e')} THEN ${s.property ? sql`coalesce(${prop(sql`e`, s.property)}, 0)` : sql`1`} ELSE 0 END`;
      return {
        prefix: null,
        rec: sql`SELECT coalesce(e.customer_id, e.anonymous_id) AS unit, e.customer_id AS cust, e.ts,
            ${side(d.denominator)} AS x, ${side(d.numerator)} AS y
          FROM events e WHERE ((${match(d.numerator, 'e')}) OR (${match(d.denominator, 'e')})) AND ${eventSlice(c)}
            AND ${customerFilter(c, sql`e.customer_id`)}`,
      };
    }
    case 'handoffs_per_case':
    case 'fcr': {
      noTouchpoint('cases');
      const filters = {
        segment: c.slice.segment ?? null,
        channel: c.slice.channel ?? null,
        persona: c.slice.persona ?? null,
      };
      const prefix = caseMetricsCtes({ from: c.experiment ? null : c.from, to: c.to, filters });
      return {
        prefix,
        rec:
          d.type === 'fcr'
            ? sql`SELECT coalesce(customer_id, case_id) AS unit, customer_id AS cust, opened_at AS ts, 1 AS x,
                CASE WHEN fcr THEN 1 ELSE 0 END AS y FROM case_metrics2 WHERE fcr IS NOT NULL`
            : sql`SELECT coalesce(customer_id, case_id) AS unit, customer_id AS cust, opened_at AS ts, 1 AS x,
                team_handoffs AS y FROM case_metrics2`,
      };
    }
    case 'followup_closure': {
      const h = sql`to_hours(CAST(${d.withinHours} AS BIGINT))`;
      return {
        prefix: null,
        rec: sql`SELECT u.id AS unit, u.customer_id AS cust, u.answered_at AS ts, 1 AS x,
            CASE WHEN u.status = 'closed' AND u.closed_at <= u.answered_at + ${h} THEN 1 ELSE 0 END AS y
          FROM follow_ups u
          WHERE (u.status = 'closed' OR u.answered_at <= ${c.now.toISOString()}::TIMESTAMP - ${h})
            AND (${c.slice.touchpoint ?? null}::VARCHAR IS NULL OR u.touchpoint = ${c.slice.touchpoint ?? null})
            AND (${c.slice.channel ?? null}::VARCHAR IS NULL OR u.channel = ${c.slice.channel ?? null})
            AND ${customerFilter(c, sql`u.customer_id`)}`,
      };
    }
    default:
      throw new Error(`not a record-level metric: ${d.type}`);
  }
}

/** The statistics query of a record-level metric (WITH list, prefix first). */
function recordStats(c: Ctx, d: MetricDefinition): SqlFragment {
  const { prefix, rec } = records(c, d);
  const head = prefix ? sql`${prefix}, ` : sql``;
  if (c.experiment !== null)
    // each exposed customer is one unit of one arm: aggregate the records joined to their exposure;
    // a customer without records adds only to the count of units
    return sql`WITH ${head}rec AS (${rec}), ${population(c)},
      agg AS (SELECT p.grp, r.cust, sum(r.x) AS x, sum(r.y) AS y
        FROM rec r JOIN pop p ON r.cust = p.unit AND r.ts >= p.t0 AND r.ts < p.t1 GROUP BY p.grp, r.cust),
      n AS (SELECT grp, count(*) AS units FROM pop GROUP BY grp),
      s AS (SELECT grp, sum(x) AS sx, sum(y) AS sy, sum(x * x) AS sxx, sum(y * y) AS syy, sum(x * y) AS sxy
        FROM agg GROUP BY grp)
      SELECT n.grp, n.units, coalesce(s.sx, 0)::DOUBLE AS sx, coalesce(s.sy, 0)::DOUBLE AS sy,
        coalesce(s.sxx, 0)::DOUBLE AS sxx, coalesce(s.syy, 0)::DOUBLE AS syy, coalesce(s.sxy, 0)::DOUBLE AS sxy
      FROM n LEFT JOIN s ON s.grp IS NOT DISTINCT FROM n.grp ORDER BY n.grp`;
  return sql`WITH ${head}rec AS (${rec}), units AS (
      SELECT ${grpOf(c, sql`r.ts`)} AS grp, r.unit, sum(r.x) AS x, sum(r.y) AS y
      FROM rec r LEFT JOIN customers c ON c.id = r.cust
      WHERE ${inWindow(c, sql`r.ts`)}
      GROUP BY ALL)
    SELECT grp, count(*) AS units, sum(x)::DOUBLE AS sx, sum(y)::DOUBLE AS sy,
      sum(x * x)::DOUBLE AS sxx, sum(y * y)::DOUBLE AS syy, sum(x * y)::DOUBLE AS sxy
    FROM units GROUP BY grp ORDER BY grp`;
}

const CUSTOMER_LEVEL = new Set(['conversion', 'retention', 'revenue', 'contact_rate']);

interface StatsRow {
  grp: string | null;
  units: number;
  sx: number | null;
  sy: number | null;
  sxx: number | null;
  syy: number | null;
  sxy: number | null;
}

function figure(m: Metric, r: StatsRow | undefined, group: string | null): MetricFigure {
  const stats: MetricStats = {
    units: Number(r?.units ?? 0),
    sumX: Number(r?.sx ?? 0),
    sumY: Number(r?.sy ?? 0),
    sumXX: Number(r?.sxx ?? 0),
    sumYY: Number(r?.syy ?? 0),
    sumXY: Number(r?.sxy ?? 0),
  };
  const n = stats.sumX;
  const scale = m.format === 'points' ? 100 : 1;
  const empty = { group, value: null, lo: null, hi: null, n, units: stats.units, smallSample: true, stats };
  if (n <= 0 || stats.units === 0) return empty;
  const oneEach = stats.sumXX === stats.sumX && stats.sumX === stats.units;
  const binary = stats.sumYY === stats.sumY;
  if (m.format === 'proportion' && oneEach && binary) {
    const w = wilson(stats.sumY, n);
    return {
      group,
      value: w.value,
      lo: w.low,
      hi: w.high,
      n,
      units: stats.units,
      smallSample: isSmallSample(w),
      stats,
    };
  }
  const value = stats.sumY / stats.sumX;
  if (stats.units < 2) return { ...empty, value: scale * value };
  const arm = ratioArm({
    n: stats.units,
    sumX: stats.sumX,
    sumY: stats.sumY,
    sumXX: stats.sumXX,
    sumYY: stats.sumYY,
    sumXY: stats.sumXY,
  });
  const half = Z95 * Math.sqrt(arm.varMean);
  // a share stays in 0…1 and NPS in −100…100 (the normal interval can cross them on small samples)
  const [min, max] =
    m.format === 'proportion' ? [0, 1] : m.format === 'points' ? [-100, 100] : [-Infinity, Infinity];
  const iv = {
    n,
    low: Math.max(min, scale * (value - half)),
    high: Math.min(max, scale * (value + half)),
  };
  const maxHalf = m.format === 'proportion' ? 0.1 : m.format === 'points' ? 10 : Number.POSITIVE_INFINITY;
  return {
    group,
    value: scale * value,
    lo: iv.low,
    hi: iv.high,
    n,
    units: stats.units,
    smallSample: isSmallSample(iv, maxHalf),
    stats,
  };
}

/** Quantile figures: order statistics (stats/quantile.ts) over each group's sorted values. */
async function quantileFigures(
  db: Store,
  c: Ctx,
  d: Extract<MetricDefinition, { type: 'quantile' }>,
): Promise<{ overall: MetricFigure; groups: MetricFigure[] }> {
  const { rec } = records(c, d);
  const vals =
    c.experiment !== null
      ? sql`rec AS (${rec}), ${population(c)}, vals AS (
          SELECT p.grp, r.unit, r.y FROM pop p JOIN rec r ON r.cust = p.unit AND r.ts >= p.t0 AND r.ts < p.t1)`
      : sql`rec AS (${rec}), vals AS (
          SELECT ${grpOf(c, sql`r.ts`)} AS grp, r.unit, r.y FROM rec r LEFT JOIN customers c ON c.id = r.cust
          WHERE ${inWindow(c, sql`r.ts`)})`;
  const rows = await db.all<{ grp: string | null; overall: boolean; n: number; units: number; l: number[] }>(
    sql`WITH ${vals} SELECT grp, grouping(grp) = 1 AS overall, count(*) AS n, count(DISTINCT unit) AS units,
      list_sort(list(y)) AS l FROM vals GROUP BY GROUPING SETS ((grp), ()) ORDER BY overall DESC, grp`,
  );
  const fig = (r: (typeof rows)[number] | undefined, group: string | null): MetricFigure => {
    const n = Number(r?.n ?? 0);
    const stats: MetricStats = {
      units: Number(r?.units ?? 0),
      sumX: n,
      sumY: 0,
      sumXX: n,
      sumYY: 0,
      sumXY: 0,
    };
    if (!r || n === 0)
      return { group, value: null, lo: null, hi: null, n, units: stats.units, smallSample: true, stats };
    const k = quantileRanks(n, d.q);
    const l = r.l.map(Number);
    return {
      group,
      value: l[k.point - 1]!,
      lo: l[k.low - 1]!,
      hi: l[k.high - 1]!,
      n,
      units: stats.units,
      smallSample: n < 30,
      stats,
    };
  };
  return {
    overall: fig(
      rows.find((r) => r.overall),
      null,
    ),
    groups: rows.filter((r) => !r.overall).map((r) => fig(r, r.grp)),
  };
}

/**
 * Computes one registry metric over a period, a slice and optionally per group or per experiment arm:
 * the sufficient statistics, the value, its 95 % interval and n, overall and per group.
 */
export async function computeMetric(
  db: Store,
  metric: Metric,
  o: ComputeMetricOptions = {},
): Promise<MetricValue> {
  const frame = await resolveTimeFrame(db, { from: o.from ?? undefined, to: o.to ?? undefined });
  const slice: MetricSlice = { ...metric.slice, ...stripUndefined(o.slice ?? {}) };
  await resolveFilters(db, { persona: slice.persona });
  const c: Ctx = {
    from: frame.from?.toISOString() ?? null,
    to: frame.to?.toISOString() ?? null,
    slice,
    groupBy: o.experiment ? 'arm' : (o.groupBy ?? null),
    experiment: o.experiment ?? null,
    now: o.now ?? new Date(),
  };
  const d = metric.definition;
  let overall: MetricFigure;
  let groups: MetricFigure[];
  if (d.type === 'quantile') {
    ({ overall, groups } = await quantileFigures(db, c, d));
  } else {
    const stats = (cx: Ctx) =>
      db.all<StatsRow>(CUSTOMER_LEVEL.has(d.type) ? customerStats(cx, d) : recordStats(cx, d));
    const rows = await stats(c);
    // sufficient statistics add up over groups that partition the units (arms, segments); a customer
    // active in several months is one unit overall, so the overall figure of a monthly view is its own query
    const overallRows = c.groupBy === 'month' ? await stats({ ...c, groupBy: null }) : rows;
    const sum = (k: keyof StatsRow) => overallRows.reduce((a, r) => a + Number(r[k] ?? 0), 0);
    overall = figure(
      metric,
      overallRows.length === 0
        ? undefined
        : {
            grp: null,
            units: sum('units'),
            sx: sum('sx'),
            sy: sum('sy'),
            sxx: sum('sxx'),
            syy: sum('syy'),
            sxy: sum('sxy'),
          },
      null,
    );
    groups = c.groupBy === null ? [] : rows.map((r) => figure(metric, r, r.grp));
  }
  return {
    metric: metric.id,
    version: metric.version,
    name: metric.name,
    format: metric.format,
    higherIsBetter: metric.higherIsBetter,
    from: c.from,
    to: c.to,
    slice,
    overall,
    groups: c.groupBy === null ? [] : groups,
  };
}

function stripUndefined(s: MetricSlice): MetricSlice {
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== '')) as MetricSlice;
}
