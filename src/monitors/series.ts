import { DateTime } from 'luxon';
import { filterSql, resolveFilters } from '../core/filters.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import type { SeriesPoint } from '../stats/change-detection.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import type { Monitor, MonitorSlice, MonitorSource } from './stored.js';

/**
 * A monitor's series, one point per period, from one parameterised SQL query: the count (volume,
 * contacts) or the mean of the period's answers with the number of answers behind it (scores), and
 * the distinct customers behind each point. Days are the workspace zone's days; hours are UTC hours
 * (an hour is an hour in every zone but the half-hour ones). Periods with no record are points of 0
 * (a count) or of no answers (a score: not tested).
 */
export interface MonitorPoint extends SeriesPoint {
  readonly customers: number;
}

export const PERIOD_MS = { hourly: 3_600_000, daily: 86_400_000 } as const;

/** `AND`s of the conditions that apply (each value a bound parameter); true when none does. */
const all = (parts: readonly (SqlFragment | false | undefined)[]): SqlFragment =>
  parts.filter((x): x is SqlFragment => !!x).reduce((a, b) => sql`${a} AND ${b}`, sql`true`);

/**
 * The rows a monitor counts: rec(ts, cust, y), filtered by its slice. Only the slice's own conditions
 * are in the query (a condition on an absent key would still cost a join per row).
 */
function recordsOf(source: MonitorSource, slice: MonitorSlice): SqlFragment {
  const f = { segment: slice.segment ?? null, channel: null, persona: slice.persona ?? null };
  switch (source.kind) {
    case 'volume':
      return sql`SELECT e.ts, e.customer_id AS cust, 1 AS y FROM events e WHERE ${all([
        slice.touchpoint !== undefined && sql`e.touchpoint = ${slice.touchpoint}`,
        slice.channel !== undefined && sql`e.channel = ${slice.channel}`,
        slice.team !== undefined &&
          sql`e.touchpoint IN (SELECT touchpoint FROM touchpoint_owners WHERE team_id = ${slice.team})`,
        filterSql(f, { customer: sql`e.customer_id`, channel: sql`e.channel` }),
      ])}`;
    case 'contacts':
      return sql`SELECT k.opened_at AS ts, k.customer_id AS cust, 1 AS y FROM cases k WHERE ${all([
        slice.channel !== undefined && sql`k.channel = ${slice.channel}`,
        slice.team !== undefined && sql`k.owner_team = ${slice.team}`,
        slice.reason !== undefined && sql`k.reason = ${slice.reason}`,
        filterSql(f, { customer: sql`k.customer_id`, channel: sql`k.channel` }),
      ])}`;
    case 'score': {
      const s = SCORE_SCALES[source.score];
      // the registry's encoding of each answer (src/experiments/compute-metric.ts): NPS ±1 per
      // promoter/detractor (×100 here), CSAT 1 when satisfied, CES the answer itself
      const y =
        source.score === 'nps'
          ? sql`CASE WHEN f.score >= ${s.goodAtLeast} THEN 100 WHEN f.score <= ${s.badAtMost} THEN -100 ELSE 0 END`
          : source.score === 'csat'
            ? sql`CASE WHEN f.score >= ${s.goodAtLeast} THEN 1 ELSE 0 END`
            : sql`f.score`;
      const m = { ...source.metricSlice, ...slice };
      // a team's answers: those about its cases, else those at the touchpoints it owns
      const team = sql`coalesce((SELECT k.owner_team FROM cases k WHERE k.id = f.case_id),
        (SELECT arg_min(o.team_id, CASE WHEN o.channel = f.channel THEN 0 ELSE 1 END) FROM touchpoint_owners o
         WHERE o.touchpoint = f.touchpoint AND (o.channel = f.channel OR o.channel = '*')))`;
      return sql`SELECT f.ts, f.customer_id AS cust, ${y} AS y FROM feedback f WHERE ${all([
        sql`f.kind = ${source.score} AND f.score IS NOT NULL`,
        m.touchpoint !== undefined && sql`f.touchpoint = ${m.touchpoint}`,
        m.channel !== undefined && sql`f.channel = ${m.channel}`,
        m.reason !== undefined && sql`f.case_id IN (SELECT id FROM cases WHERE reason = ${m.reason})`,
        m.team !== undefined && sql`${team} = ${m.team}`,
        filterSql(
          { ...f, segment: m.segment ?? null, persona: m.persona ?? null },
          { customer: sql`f.customer_id`, channel: sql`f.channel` },
        ),
      ])}`;
    }
  }
}

/** The start of the period holding instant t (a local day, or a UTC hour). */
export function periodStart(t: number, cadence: Monitor['cadence'], zone: string): number {
  if (cadence === 'hourly') return Math.floor(t / PERIOD_MS.hourly) * PERIOD_MS.hourly;
  return DateTime.fromMillis(t, { zone }).startOf('day').toMillis();
}

/** The start of the period after the one starting at t. */
export function nextPeriod(t: number, cadence: Monitor['cadence'], zone: string): number {
  if (cadence === 'hourly') return t + PERIOD_MS.hourly;
  return DateTime.fromMillis(t, { zone }).plus({ days: 1 }).startOf('day').toMillis();
}

/** The newest record time the workspace holds (events, cases, answers), or null when empty. */
export async function dataEnd(db: Store): Promise<number | null> {
  const r = await db.one<{ t: string | null }>(sql`SELECT strftime(greatest(
      (SELECT max(ts) FROM events), (SELECT max(opened_at) FROM cases), (SELECT max(ts) FROM feedback)),
    '%Y-%m-%dT%H:%M:%S.%gZ') AS t`);
  return r?.t ? Date.parse(r.t) : null;
}

/** The first record time of the monitor's source, or null when it has none. */
export async function sourceStart(db: Store, source: MonitorSource): Promise<number | null> {
  const q =
    source.kind === 'volume'
      ? sql`SELECT min(ts) AS t FROM events`
      : source.kind === 'contacts'
        ? sql`SELECT min(opened_at) AS t FROM cases`
        : sql`SELECT min(ts) AS t FROM feedback WHERE kind = ${source.score}`;
  const r = await db.one<{ t: string | null }>(
    sql`SELECT strftime(t, '%Y-%m-%dT%H:%M:%S.%gZ') AS t FROM (${q})`,
  );
  return r?.t ? Date.parse(r.t) : null;
}

/**
 * The monitor's points for the periods starting in [from, to) (both period starts): one query,
 * grouped by period in the engine, zero-filled here.
 */
export async function monitorSeries(
  db: Store,
  monitor: Pick<Monitor, 'cadence' | 'slice'>,
  source: MonitorSource,
  zone: string,
  from: number,
  to: number,
): Promise<MonitorPoint[]> {
  await resolveFilters(db, { persona: monitor.slice.persona });
  const bucket =
    monitor.cadence === 'hourly'
      ? sql`date_trunc('hour', r.ts)`
      : sql`date_trunc('day', timezone(${zone}, r.ts::TIMESTAMPTZ))`;
  const rows = await db.all<{ period: string; n: number; sy: number; customers: number }>(
    sql`WITH rec AS (${recordsOf(source, monitor.slice)})
      SELECT strftime(${bucket}, '%Y-%m-%dT%H:%M:%S') AS period, count(*) AS n, sum(r.y)::DOUBLE AS sy,
        count(DISTINCT r.cust) AS customers
      FROM rec r WHERE r.ts >= ${new Date(from).toISOString()}::TIMESTAMP AND r.ts < ${new Date(to).toISOString()}::TIMESTAMP
      GROUP BY 1`,
  );
  const at = (period: string) =>
    monitor.cadence === 'hourly' ? Date.parse(`${period}Z`) : DateTime.fromISO(period, { zone }).toMillis();
  const byPeriod = new Map(rows.map((r) => [at(r.period), r]));
  const out: MonitorPoint[] = [];
  for (let t = from; t < to; t = nextPeriod(t, monitor.cadence, zone)) {
    const r = byPeriod.get(t);
    const n = Number(r?.n ?? 0);
    const customers = Number(r?.customers ?? 0);
    if (source.kind === 'score') out.push({ t, value: n > 0 ? Number(r!.sy) / n : 0, n, customers });
    else out.push({ t, value: n, customers });
  }
  return out;
}
