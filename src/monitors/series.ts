import { DateTime } from 'luxon';
import { filterSql, resolveFilters } from '../core/filters.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import type { SeriesPoint } from '../stats/change-detection.js';
import { join, type SqlFragment, type Store, sql } from '../store/index.js';
import type { Monitor, MonitorSlice, MonitorSource } from './stored.js';

/**
 * A monitor's series, one point per period, from one parameterised SQL query: the count (volume,
 * contacts) or the mean of the period's answers with the number of answers behind it (scores), and
 * (for a firing) the distinct customers behind a point. Days are the workspace zone's days; hours are UTC hours
 * (an hour is an hour in every zone but the half-hour ones). Periods with no record are points of 0
 * (a count) or of no answers (a score: not tested).
 */
export type MonitorPoint = SeriesPoint;

export const PERIOD_MS = { hourly: 3_600_000, daily: 86_400_000 } as const;

/** `AND`s of the conditions that apply (each value a bound parameter); true when none does. */
const all = (parts: readonly (SqlFragment | false | undefined)[]): SqlFragment =>
  parts.filter((x): x is SqlFragment => !!x).reduce((a, b) => sql`${a} AND ${b}`, sql`true`);

/**
 * The rows a monitor counts: rec(ts, cust, y), filtered by its slice. Only the slice's own conditions
 * are in the query (a condition on an absent key would still cost a join per row).
 */
function recordsOf(source: MonitorSource, slice: MonitorSlice, k: SqlFragment = sql`NULL`): SqlFragment {
  const f = { segment: slice.segment ?? null, channel: null, persona: slice.persona ?? null };
  switch (source.kind) {
    case 'volume':
      return sql`SELECT e.ts, e.customer_id AS cust, 1 AS y, ${k} AS k FROM events e WHERE ${all([
        slice.touchpoint !== undefined && sql`e.touchpoint = ${slice.touchpoint}`,
        slice.channel !== undefined && sql`e.channel = ${slice.channel}`,
        slice.team !== undefined &&
          sql`e.touchpoint IN (SELECT touchpoint FROM touchpoint_owners WHERE team_id = ${slice.team})`,
        filterSql(f, { customer: sql`e.customer_id`, channel: sql`e.channel` }),
      ])}`;
    case 'contacts':
      return sql`SELECT k.opened_at AS ts, k.customer_id AS cust, 1 AS y, ${k} AS k FROM cases k WHERE ${all([
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
      return sql`SELECT f.ts, f.customer_id AS cust, ${y} AS y, ${k} AS k FROM feedback f WHERE ${all([
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

/** The distinct customers behind one period's figure of a monitor (for a firing). */
export async function customersIn(
  db: Store,
  monitor: Pick<Monitor, 'slice'>,
  source: MonitorSource,
  from: number,
  to: number,
): Promise<number> {
  const r = await db.one<{
    n: number;
  }>(sql`SELECT count(DISTINCT r.cust) AS n FROM (${recordsOf(source, monitor.slice)}) r
    WHERE r.ts >= ${new Date(from).toISOString()}::TIMESTAMP AND r.ts < ${new Date(to).toISOString()}::TIMESTAMP`);
  return Number(r?.n ?? 0);
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

/** The slice keys a batch can group monitors on: the monitor's slice has this key and no other. */
const BATCH_KEYS = ['touchpoint', 'team', 'reason', 'channel'] as const;
type BatchKey = (typeof BATCH_KEYS)[number];

/** The key a monitor's series can be fetched in one query with others on, or null. */
export function batchKeyOf(m: Pick<Monitor, 'slice'>, source: MonitorSource): BatchKey | null {
  const keys = Object.entries(m.slice)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  if (keys.length !== 1) return null;
  const k = keys[0] as BatchKey;
  if (!BATCH_KEYS.includes(k)) return null;
  if (source.kind === 'score' && Object.keys(source.metricSlice).length > 0) return null;
  return keyColumn(source, k) === null ? null : k;
}

/** The column (over rec's source alias) a batch groups on, or null when the source has none. */
function keyColumn(source: MonitorSource, key: BatchKey): SqlFragment | null {
  switch (source.kind) {
    case 'volume':
      return key === 'touchpoint' ? sql`e.touchpoint` : key === 'channel' ? sql`e.channel` : null;
    case 'contacts':
      return key === 'team'
        ? sql`k.owner_team`
        : key === 'reason'
          ? sql`k.reason`
          : key === 'channel'
            ? sql`k.channel`
            : null;
    case 'score':
      return key === 'touchpoint'
        ? sql`f.touchpoint`
        : key === 'channel'
          ? sql`f.channel`
          : key === 'reason'
            ? sql`(SELECT k.reason FROM cases k WHERE k.id = f.case_id)`
            : sql`coalesce((SELECT k.owner_team FROM cases k WHERE k.id = f.case_id),
              (SELECT arg_min(o.team_id, CASE WHEN o.channel = f.channel THEN 0 ELSE 1 END) FROM touchpoint_owners o
               WHERE o.touchpoint = f.touchpoint AND (o.channel = f.channel OR o.channel = '*')))`;
  }
}

interface PeriodRow {
  k: string | null;
  period: string;
  n: number;
  sy: number;
}

function bucketOf(cadence: Monitor['cadence'], zone: string): SqlFragment {
  if (cadence === 'hourly') return sql`date_trunc('hour', r.ts)`;
  // the engine's zone conversion costs per row: UTC days need none
  return zone === 'UTC'
    ? sql`date_trunc('day', r.ts)`
    : sql`date_trunc('day', timezone(${zone}, r.ts::TIMESTAMPTZ))`;
}

function zeroFilled(
  rows: readonly PeriodRow[],
  cadence: Monitor['cadence'],
  source: MonitorSource,
  zone: string,
  from: number,
  to: number,
): MonitorPoint[] {
  const at = (period: string) =>
    cadence === 'hourly' ? Date.parse(`${period}Z`) : DateTime.fromISO(period, { zone }).toMillis();
  const byPeriod = new Map(rows.map((r) => [at(r.period), r]));
  const out: MonitorPoint[] = [];
  for (let t = from; t < to; t = nextPeriod(t, cadence, zone)) {
    const r = byPeriod.get(t);
    const n = Number(r?.n ?? 0);
    if (source.kind === 'score') out.push({ t, value: n > 0 ? Number(r!.sy) / n : 0, n });
    else out.push({ t, value: n });
  }
  return out;
}

/**
 * The series of several monitors of one source, cadence and slice key (each slice = one value of
 * it) in one query: grouped by the key and the period in the engine. Returns points per key value
 * for the periods starting in [from, to).
 */
export async function batchSeries(
  db: Store,
  source: MonitorSource,
  cadence: Monitor['cadence'],
  key: BatchKey,
  values: readonly string[],
  zone: string,
  from: number,
  to: number,
): Promise<Map<string, MonitorPoint[]>> {
  const col = keyColumn(source, key)!;
  const rec = recordsOf(source, {}, col);
  const rows = await db.all<PeriodRow>(
    sql`WITH rec AS (SELECT * FROM (${rec}) WHERE k IN (${join(values.map((v) => sql`${v}`))})),
      g AS (SELECT r.k, ${bucketOf(cadence, zone)} AS b, count(*) AS n, sum(r.y)::DOUBLE AS sy
        FROM rec r WHERE r.ts >= ${new Date(from).toISOString()}::TIMESTAMP AND r.ts < ${new Date(to).toISOString()}::TIMESTAMP
        GROUP BY ALL)
      SELECT k, strftime(b, '%Y-%m-%dT%H:%M:%S') AS period, n, sy FROM g`,
  );
  const byKey = new Map<string, PeriodRow[]>();
  for (const r of rows) if (r.k !== null) byKey.set(r.k, [...(byKey.get(r.k) ?? []), r]);
  return new Map(values.map((v) => [v, zeroFilled(byKey.get(v) ?? [], cadence, source, zone, from, to)]));
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
  const rows = await db.all<PeriodRow>(
    sql`WITH rec AS (${recordsOf(source, monitor.slice)}),
      g AS (SELECT ${bucketOf(monitor.cadence, zone)} AS b, count(*) AS n, sum(r.y)::DOUBLE AS sy
        FROM rec r WHERE r.ts >= ${new Date(from).toISOString()}::TIMESTAMP AND r.ts < ${new Date(to).toISOString()}::TIMESTAMP
        GROUP BY 1)
      SELECT NULL::VARCHAR AS k, strftime(b, '%Y-%m-%dT%H:%M:%S') AS period, n, sy FROM g`,
  );
  return zeroFilled(rows, monitor.cadence, source, zone, from, to);
}
