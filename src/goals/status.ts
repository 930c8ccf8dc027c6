import {
  computeMetric,
  getMetric,
  listExperiments,
  type MetricFormat,
  MetricSlice,
} from '../experiments/index.js';
import { linearForecast } from '../stats/index.js';
import type { Store } from '../store/index.js';
import { dataAsOf, type Goal, listGoals, WINDOW_DAYS } from './goals.js';

/**
 * Where each goal stands (docs/goals.md, "Status"): the live figure, the monthly trend, a forecast to
 * the due date and a status.
 *
 * - **current**: the metric over the {@link WINDOW_DAYS} days before the as-of instant (now, or the end
 *   of the data when earlier), with its 95 % interval and n.
 * - **trend**: the metric per calendar month (UTC) over the 12 months up to the as-of instant.
 * - **forecast**: a straight line through the monthly values of months with n ≥ 30 (at least 3 such
 *   months), extrapolated to the due date with a 95 % prediction interval (src/stats/trend.ts).
 * - **status** (the rule, fixed before any goal was evaluated):
 *   1. past the due date: `on-track` when the current value meets the target, else `off-track`;
 *   2. with a forecast: `on-track` when the forecast meets the target; `at-risk` when only the
 *      favourable end of its interval does; `off-track` when even that end misses;
 *   3. without a forecast: the current value is held against the straight path from the baseline (at
 *      the start) to the target (at the due date), at the as-of instant — `on-track` when it meets the
 *      path, `at-risk` when the favourable end of its interval does, else `off-track`;
 *   4. no current figure: `at-risk` ("no data in the last 90 days").
 *   "Meets" is ≥ for a metric where higher is better and ≤ where lower is better.
 */
export type GoalState = 'on-track' | 'at-risk' | 'off-track';

export interface GoalFigure {
  readonly value: number;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
}

/** The goal as set (its metric, slice, baseline, target, dates and owner), and where it stands. */
export interface GoalStatus
  extends Pick<Goal, 'id' | 'name' | 'metric' | 'slice' | 'baseline' | 'target' | 'start' | 'due' | 'owner'> {
  readonly metricName: string;
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  readonly status: GoalState;
  /** Why, in one sentence. */
  readonly reason: string;
  readonly current: GoalFigure | null;
  readonly trend: readonly ({ readonly month: string } & GoalFigure)[];
  readonly forecast: {
    readonly value: number;
    readonly lo: number;
    readonly hi: number;
    readonly at: string;
  } | null;
  /** Share of the way from the baseline to the target covered by the current value (null without both). */
  readonly progress: number | null;
  /** Linked by hand, plus every experiment whose primary metric is this goal's metric. */
  readonly links: Goal['links'];
}

export interface GoalsStatusResult {
  readonly asOf: string;
  readonly goals: readonly GoalStatus[];
}

const DAY = 86_400_000;
const MIN_MONTH_N = 30;

/** Month index of an instant (months since year 0, fractional within the month). */
function monthIndex(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const end = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return d.getUTCFullYear() * 12 + d.getUTCMonth() + (d.getTime() - start) / (end - start);
}

export async function goalStatus(db: Store, goal: Goal, asOf: Date, now: Date): Promise<GoalStatus> {
  const metric = await getMetric(db, goal.metric);
  const slice = MetricSlice.parse(goal.slice);
  const hib = metric.higherIsBetter;
  const meets = (v: number, t: number) => (hib ? v >= t : v <= t);
  const cur = await computeMetric(db, metric, {
    from: new Date(asOf.getTime() - WINDOW_DAYS * DAY).toISOString(),
    to: new Date(asOf.getTime() + 1).toISOString(),
    slice,
    now,
  });
  const trendFrom = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - 11, 1));
  const monthly = await computeMetric(db, metric, {
    from: trendFrom.toISOString(),
    to: new Date(asOf.getTime() + 1).toISOString(),
    slice,
    groupBy: 'month',
    now,
  });
  const trend = monthly.groups
    .filter((g) => g.value !== null)
    .map((g) => ({ month: g.group!, value: g.value!, lo: g.lo, hi: g.hi, n: g.n }));
  const due = new Date(goal.due);
  const start = new Date(goal.start);
  const points = trend
    .filter((t) => t.n >= MIN_MONTH_N)
    .map((t) => ({ x: monthIndex(new Date(`${t.month}-01T00:00:00Z`)) + 0.5, y: t.value }));
  const f = due > asOf ? linearForecast(points, monthIndex(due)) : null;
  // a share stays in 0…1 and NPS in −100…100: a straight line does not know the scale ends
  const [min, max] =
    metric.format === 'proportion'
      ? [0, 1]
      : metric.format === 'points'
        ? [-100, 100]
        : [-Infinity, Infinity];
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  const forecast = f ? { value: clamp(f.value), lo: clamp(f.low), hi: clamp(f.high), at: goal.due } : null;
  const current =
    cur.overall.value === null
      ? null
      : { value: cur.overall.value, lo: cur.overall.lo, hi: cur.overall.hi, n: cur.overall.n };
  const fmt = (v: number) =>
    metric.format === 'proportion'
      ? `${(100 * v).toFixed(1)} %`
      : metric.format === 'points'
        ? v.toFixed(1)
        : v.toFixed(2);
  const favourable = (lo: number | null, hi: number | null, v: number) => (hib ? (hi ?? v) : (lo ?? v));
  let status: GoalState;
  let reason: string;
  if (current === null) {
    status = 'at-risk';
    reason = `no data in the last ${WINDOW_DAYS} days`;
  } else if (due <= asOf) {
    status = meets(current.value, goal.target) ? 'on-track' : 'off-track';
    reason = `due date passed: ${fmt(current.value)} against a target of ${fmt(goal.target)}`;
  } else if (forecast) {
    status = meets(forecast.value, goal.target)
      ? 'on-track'
      : meets(favourable(forecast.lo, forecast.hi, forecast.value), goal.target)
        ? 'at-risk'
        : 'off-track';
    reason = `trend of ${points.length} months forecasts ${fmt(forecast.value)} (${fmt(forecast.lo)} … ${fmt(forecast.hi)}) by the due date, target ${fmt(goal.target)}`;
  } else {
    const span = due.getTime() - start.getTime();
    const share = Math.min(1, Math.max(0, (asOf.getTime() - start.getTime()) / span));
    const path = goal.baseline === null ? goal.target : goal.baseline + (goal.target - goal.baseline) * share;
    status = meets(current.value, path)
      ? 'on-track'
      : meets(favourable(current.lo, current.hi, current.value), path)
        ? 'at-risk'
        : 'off-track';
    reason = `too few months for a trend: current ${fmt(current.value)} against ${fmt(path)} expected by now on the way to ${fmt(goal.target)}`;
  }
  const progress =
    current !== null && goal.baseline !== null && goal.target !== goal.baseline
      ? (current.value - goal.baseline) / (goal.target - goal.baseline)
      : null;
  return {
    id: goal.id,
    name: goal.name,
    metric: goal.metric,
    metricName: metric.name,
    format: metric.format,
    higherIsBetter: hib,
    slice,
    baseline: goal.baseline,
    target: goal.target,
    start: goal.start,
    due: goal.due,
    owner: goal.owner,
    status,
    reason,
    current,
    trend,
    forecast,
    progress,
    links: {
      experiments: [
        ...new Set([
          ...goal.links.experiments,
          ...(await listExperiments(db)).filter((e) => e.primary.id === goal.metric).map((e) => e.id),
        ]),
      ],
      findings: goal.links.findings,
    },
  };
}

/** Every goal's status, due date first. */
export async function goalsStatus(
  db: Store,
  o: { now?: Date; id?: string } = {},
): Promise<GoalsStatusResult> {
  const now = o.now ?? new Date();
  const asOf = await dataAsOf(db, now);
  const goals = (await listGoals(db)).filter((g) => o.id === undefined || g.id === o.id);
  const out: GoalStatus[] = [];
  for (const g of goals) out.push(await goalStatus(db, g, asOf, now));
  return { asOf: asOf.toISOString(), goals: out };
}
