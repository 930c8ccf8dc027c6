import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { OperationContext } from '../core/operation.js';
import { resolveInstant, TimeFrameParams, workspaceZone } from '../core/time.js';
import { type Evidence, type Finding, writeFindings } from '../findings/index.js';
import { enqueue } from '../notify/index.js';
import { detectChanges, type PointResult } from '../stats/change-detection.js';
import { type Store, sql } from '../store/index.js';
import { type Alert, alertGroups, alertMessage, listAlerts, quietHours } from './alerts.js';
import {
  batchKeyOf,
  batchSeries,
  customersIn,
  dataEnd,
  type MonitorPoint,
  monitorSeries,
  nextPeriod,
  periodStart,
  sourceStart,
} from './series.js';
import { checkMonitor, getMonitor, listMonitors, type Monitor, type MonitorSource } from './stored.js';

/**
 * Running monitors (docs/monitors.md, "Runs and alerts"). A run judges the complete periods a monitor
 * has not judged yet: its series over the lookback (enough history for the detector's warm-up) is
 * computed in one query, the detector runs over it in time order, and each alarmed period in the
 * judged range becomes one `alerts` row keyed by monitor + period — `INSERT OR IGNORE`, so re-running
 * over the same periods never adds a firing. A period is complete once it ends at or before both the
 * clock and the newest record of the workspace (a workspace whose feeds all stopped is not told every
 * day that everything dropped to zero; one feed that stops while others flow is).
 */

/** History before the first judged period, so every weekday or hour-of-week slot is warmed up. */
const LOOKBACK_PERIODS = { daily: 26 * 7, hourly: 12 * 168 } as const;

export const RunMonitorsParams = z.object({
  monitor: z
    .array(z.string().min(1))
    .default([])
    .describe('monitor ids to run (default: every enabled monitor)'),
  // the one time vocabulary (src/core/time.ts): from = judge the periods from this instant (default:
  // those after the last judged period; a first run judges the last complete period); asOf = the
  // clock: periods ending after it are not complete (default now)
  from: TimeFrameParams.from,
  asOf: TimeFrameParams.asOf,
  due: z
    .boolean()
    .default(false)
    .describe('only the monitors with a complete period not judged yet (what the scheduler runs)'),
});
export type RunMonitorsParams = z.output<typeof RunMonitorsParams>;

export interface MonitorRunResult {
  readonly monitor: string;
  readonly judged: { readonly from: string; readonly to: string } | null;
  readonly points: number;
  readonly firings: readonly string[];
  readonly newFirings: number;
  readonly ms: number;
}

export interface RunMonitorsResult {
  readonly ranAt: string;
  readonly monitors: readonly MonitorRunResult[];
  readonly newAlerts: number;
  readonly ms: number;
}

const iso = (t: number) => new Date(t).toISOString();

function previousPeriod(t: number, cadence: Monitor['cadence'], zone: string): number {
  if (cadence === 'hourly') return t - 3_600_000;
  return DateTime.fromMillis(t, { zone }).minus({ days: 1 }).startOf('day').toMillis();
}

function back(t: number, cadence: Monitor['cadence'], zone: string, periods: number): number {
  if (cadence === 'hourly') return t - periods * 3_600_000;
  return DateTime.fromMillis(t, { zone }).minus({ days: periods }).startOf('day').toMillis();
}

/** The detector over a monitor's points with the monitor's setting (a threshold monitor keeps only its thresholds). */
export function judge(
  monitor: Pick<Monitor, 'cadence' | 'method' | 'alpha' | 'minN' | 'above' | 'below'>,
  points: readonly MonitorPoint[],
): PointResult[] {
  const d = detectChanges(points, {
    cadence: monitor.cadence,
    alpha: monitor.alpha,
    minN: monitor.minN,
    ...(monitor.above === null ? {} : { above: monitor.above }),
    ...(monitor.below === null ? {} : { below: monitor.below }),
  });
  if (monitor.method === 'detector') return [...d.points];
  return d.points.map((p) => ({ ...p, signals: p.signals.filter((s) => s === 'above' || s === 'below') }));
}

const UP = new Set(['spike', 'shift-up', 'above']);

/** Examples behind a firing: comments and cases of the slice in the period, and the funnel step. */
async function evidenceOf(db: Store, m: Monitor, from: number, to: number): Promise<Evidence> {
  const s = m.slice;
  const opt = (v: string | undefined) => v ?? null;
  const [comments, cases, step] = await Promise.all([
    db.all<{ id: string; text: string }>(sql`SELECT f.id, f.comment AS text FROM feedback f
      WHERE f.comment IS NOT NULL AND f.comment <> '' AND f.ts >= ${iso(from)}::TIMESTAMP AND f.ts < ${iso(to)}::TIMESTAMP
        AND (${opt(s.touchpoint)}::VARCHAR IS NULL OR f.touchpoint = ${opt(s.touchpoint)})
        AND (${opt(s.channel)}::VARCHAR IS NULL OR f.channel = ${opt(s.channel)})
        AND (${opt(s.team)}::VARCHAR IS NULL OR f.case_id IN (SELECT id FROM cases WHERE owner_team = ${opt(s.team)})
             OR ${opt(s.team)}::VARCHAR IS NULL OR f.touchpoint IN (SELECT touchpoint FROM touchpoint_owners WHERE team_id = ${opt(s.team)}))
        AND (${opt(s.reason)}::VARCHAR IS NULL OR f.case_id IN (SELECT id FROM cases WHERE reason = ${opt(s.reason)}))
      ORDER BY f.score NULLS LAST, f.id LIMIT 3`),
    s.touchpoint !== undefined
      ? Promise.resolve([])
      : db.all<{ id: string; text: string | null }>(sql`SELECT k.id, k.reason AS text FROM cases k
      WHERE k.opened_at >= ${iso(from)}::TIMESTAMP AND k.opened_at < ${iso(to)}::TIMESTAMP
        AND (${opt(s.channel)}::VARCHAR IS NULL OR k.channel = ${opt(s.channel)})
        AND (${opt(s.team)}::VARCHAR IS NULL OR k.owner_team = ${opt(s.team)})
        AND (${opt(s.reason)}::VARCHAR IS NULL OR k.reason = ${opt(s.reason)})
      ORDER BY k.opened_at, k.id LIMIT 3`),
    s.touchpoint === undefined
      ? Promise.resolve(undefined)
      : db.one<{
          journey: string;
          stage: string;
        }>(sql`SELECT journey_id AS journey, stage FROM journey_touchpoints
      WHERE touchpoint = ${s.touchpoint} ORDER BY journey_id LIMIT 1`),
  ]);
  return {
    analysis: 'monitors history',
    params: { monitor: m.id, from: iso(from), to: iso(to) },
    examples: [
      ...comments.map((c) => ({ kind: 'comment' as const, id: c.id, text: c.text })),
      ...cases.map((c) => ({ kind: 'case' as const, id: c.id, ...(c.text ? { text: c.text } : {}) })),
    ],
    ...(step
      ? {
          funnelStep: {
            journey: step.journey,
            stage: step.stage,
            touchpoint: s.touchpoint,
            analysis: 'journeys funnel',
            params: { journey: step.journey },
          },
        }
      : {}),
  };
}

/** The alert group of a firing: its direction and the workspace-zone day it falls on (a bad day over many slices is one group). */
export function groupKeyOf(t: number, direction: 'up' | 'down', zone: string): string {
  return `${DateTime.fromMillis(t, { zone }).toISODate()}:${direction}`;
}

interface Plan {
  readonly monitor: Monitor;
  readonly source: MonitorSource;
  /** First period judged, first period of the lookback, end (exclusive) of the complete periods. */
  readonly judgeFrom: number;
  readonly start: number;
  readonly endT: number;
}

/** Which periods a run of `m` judges and reads, or null when it has none to judge. */
async function planOf(
  db: Store,
  m: Monitor,
  o: {
    now: number;
    end: number | null;
    from: number | null;
    zone: string;
    starts: Map<string, Promise<number | null>>;
  },
): Promise<Plan | null> {
  const source = await checkMonitor(db, m.metric, m.slice);
  if (o.end === null) return null;
  // periods ending at or before min(clock, newest record) are complete
  const limit = Math.min(o.now, o.end);
  let endT = periodStart(limit, m.cadence, o.zone);
  if (nextPeriod(endT, m.cadence, o.zone) <= limit) endT = nextPeriod(endT, m.cadence, o.zone);
  const judgeFrom =
    o.from !== null
      ? periodStart(o.from, m.cadence, o.zone)
      : m.lastPeriod !== null
        ? nextPeriod(Date.parse(m.lastPeriod), m.cadence, o.zone)
        : previousPeriod(endT, m.cadence, o.zone);
  if (judgeFrom >= endT) return null;
  const key = sourceKey(source);
  if (!o.starts.has(key)) o.starts.set(key, sourceStart(db, source));
  const first = await o.starts.get(key)!;
  if (first === null) return null;
  const start = Math.max(
    back(judgeFrom, m.cadence, o.zone, LOOKBACK_PERIODS[m.cadence]),
    periodStart(first, m.cadence, o.zone),
  );
  return { monitor: m, source, judgeFrom, start, endT };
}

const sourceKey = (s: MonitorSource) => (s.kind === 'score' ? `score:${s.score}` : s.kind);

async function runOne(
  db: Store,
  plan: Plan,
  points: readonly MonitorPoint[],
  o: { now: number; zone: string; actor: string | null; t0: number },
): Promise<MonitorRunResult> {
  const { monitor: m, judgeFrom, endT } = plan;
  const t0 = o.t0;
  const judged = judge(m, points);
  const fired = judged.filter((p) => p.t >= judgeFrom && p.signals.length > 0);
  const now = new Date(o.now);
  const ids: string[] = [];
  let added = 0;
  const rows: {
    p: PointResult;
    to: number;
    direction: 'up' | 'down';
    evidence: Evidence;
    customers: number;
  }[] = [];
  for (const p of fired) {
    const to = nextPeriod(p.t, m.cadence, o.zone);
    const direction: 'up' | 'down' = p.signals.some((s) => UP.has(s)) ? 'up' : 'down';
    const [evidence, customers] = await Promise.all([
      evidenceOf(db, m, p.t, to),
      customersIn(db, m, plan.source, p.t, to),
    ]);
    rows.push({ p, to, direction, evidence, customers });
  }
  await db.transaction(async (tx) => {
    for (const { p, to, direction, evidence, customers } of rows) {
      const id = `${m.id}@${iso(p.t)}`;
      ids.push(id);
      const exists = await tx.one(sql`SELECT 1 FROM alerts WHERE id = ${id}`);
      if (exists) continue;
      added++;
      const change = p.expected === null ? null : p.value - p.expected;
      await tx.exec(sql`INSERT INTO alerts (id, monitor_id, group_key, period_start, period_end, direction, signals,
          value, expected, low, high, change_low, change_high, z, p, n, customers_affected, owner_team, evidence,
          state, snoozed_until, created_at, updated_at, updated_by)
        VALUES (${id}, ${m.id}, ${groupKeyOf(p.t, direction, o.zone)}, ${iso(p.t)}::TIMESTAMP, ${iso(to)}::TIMESTAMP,
          ${direction}, ${JSON.stringify(p.signals)}::VARCHAR[], ${p.value}, ${p.expected}, ${p.low}, ${p.high},
          ${change === null || p.high === null ? null : p.value - p.high}, ${change === null || p.low === null ? null : p.value - p.low},
          ${p.z}, ${p.p}, ${p.n ?? null}, ${customers}, ${m.ownerTeam}, ${JSON.stringify(evidence)}::JSON,
          'open', NULL, ${now.toISOString()}::TIMESTAMP, ${now.toISOString()}::TIMESTAMP, ${o.actor})`);
    }
    const last = previousPeriod(endT, m.cadence, o.zone);
    await tx.exec(sql`UPDATE monitors SET last_run_at = ${now.toISOString()}::TIMESTAMP,
      last_period = greatest(coalesce(last_period, ${iso(last)}::TIMESTAMP), ${iso(last)}::TIMESTAMP) WHERE id = ${m.id}`);
    await tx.exec(sql`INSERT INTO monitor_runs VALUES (${randomUUID()}, ${m.id},
      ${now.toISOString()}::TIMESTAMP, ${iso(judgeFrom)}::TIMESTAMP, ${iso(endT)}::TIMESTAMP, ${points.length},
      ${ids.length}, ${performance.now() - t0}, ${o.actor})`);
  });
  return {
    monitor: m.id,
    judged: { from: iso(judgeFrom), to: iso(endT) },
    points: points.length,
    firings: ids,
    newFirings: added,
    ms: performance.now() - t0,
  };
}

/** Whether a monitor has a complete period it has not judged (what the scheduler asks). */
export function isDue(m: Monitor, now: number, end: number | null, zone: string): boolean {
  if (!m.enabled || end === null) return false;
  if (m.lastPeriod === null) return true;
  const limit = Math.min(now, end);
  const next = nextPeriod(Date.parse(m.lastPeriod), m.cadence, zone);
  return nextPeriod(next, m.cadence, zone) <= limit;
}

/**
 * Whether any enabled monitor has a complete period to judge at `now` — a read, so the scheduler
 * takes the workspace's writer (and moves its cached analyses on) only when there is work.
 */
export async function anyDue(db: Store, now: Date = new Date()): Promise<boolean> {
  const monitors = (await listMonitors(db)).filter((m) => m.enabled);
  if (monitors.length === 0) return false;
  const [end, zone] = [await dataEnd(db), await workspaceZone(db)];
  return monitors.some((m) => isDue(m, now.getTime(), end, zone));
}

/** Runs the given monitors (or every enabled one) and refreshes the `alert` findings. */
export async function runMonitors(
  db: Store,
  p: RunMonitorsParams,
  ctx: OperationContext = {},
): Promise<RunMonitorsResult> {
  const t0 = performance.now();
  const zone = await workspaceZone(db);
  const asOf = await resolveInstant(db, p.asOf, 'asOf');
  const nowMs = (asOf ?? ctx.now?.() ?? new Date()).getTime();
  const from = await resolveInstant(db, p.from, 'from');
  const chosen =
    p.monitor.length > 0
      ? await Promise.all(p.monitor.map((id) => getMonitor(db, id)))
      : (await listMonitors(db)).filter((m) => m.enabled);
  const end = await dataEnd(db);
  const due = p.due ? chosen.filter((m) => isDue(m, nowMs, end, zone)) : chosen;
  const starts = new Map<string, Promise<number | null>>();
  const o = { now: nowMs, end, from: from?.getTime() ?? null, zone, starts };
  const plans: Plan[] = [];
  const none: MonitorRunResult[] = [];
  for (const m of due) {
    const plan = await planOf(db, m, o);
    if (plan) plans.push(plan);
    else none.push({ monitor: m.id, judged: null, points: 0, firings: [], newFirings: 0, ms: 0 });
  }
  // monitors of one table, cadence and slice key (each touchpoint's volume, each reason's contacts)
  // share one grouped query: one scan of the table instead of one per monitor
  const groups = new Map<string, Plan[]>();
  for (const p of plans) {
    const k = batchKeyOf(p.monitor, p.source);
    if (k === null) continue;
    const g = `${sourceKey(p.source)}|${p.monitor.cadence}|${k}|${p.endT}`;
    groups.set(g, [...(groups.get(g) ?? []), p]);
  }
  const fetched = new Map<Plan, Promise<MonitorPoint[]>>();
  for (const [g, members] of groups) {
    if (members.length < 2) continue;
    const key = g.split('|')[2] as 'touchpoint' | 'team' | 'reason' | 'channel';
    const from = Math.min(...members.map((p) => p.start));
    const batch = batchSeries(
      db,
      members[0]!.source,
      members[0]!.monitor.cadence,
      key,
      [...new Set(members.map((p) => p.monitor.slice[key]!))],
      zone,
      from,
      members[0]!.endT,
    );
    for (const p of members)
      fetched.set(
        p,
        batch.then((b) => b.get(p.monitor.slice[key]!)!.filter((x) => x.t >= p.start)),
      );
  }
  const results: MonitorRunResult[] = [...none];
  for (const [i, p] of plans.entries()) {
    ctx.onProgress?.({ phase: 'monitors', done: i, total: plans.length, unit: 'monitors' });
    const t0 = performance.now();
    const points = await (fetched.get(p) ?? monitorSeries(db, p.monitor, p.source, zone, p.start, p.endT));
    results.push(await runOne(db, p, points, { now: nowMs, zone, actor: ctx.actor ?? null, t0 }));
  }
  const order = new Map(due.map((m, i) => [m.id, i]));
  results.sort((a, b) => order.get(a.monitor)! - order.get(b.monitor)!);
  const newAlerts = results.reduce((a, r) => a + r.newFirings, 0);
  if (newAlerts > 0) {
    await refreshFindings(db, new Date(nowMs));
    await notifyAlerts(db, new Date(nowMs));
  }
  return { ranAt: iso(nowMs), monitors: results, newAlerts, ms: performance.now() - t0 };
}

/**
 * Hands each open alert group to delivery (the notify capability's outbox): one message per group and
 * its set of firings, idempotent on the message's key, so re-running a monitor never sends twice and
 * a bad day over fifty slices is one message. Sent to the owning team's destinations when the group
 * has one owner, else to those subscribed to every team; held until quiet hours end.
 */
async function notifyAlerts(db: Store, now: Date): Promise<void> {
  const quiet = await quietHours(db);
  for (const g of await alertGroups(db, now)) {
    const m = alertMessage(g, quiet, now);
    await enqueue(
      db,
      {
        key: m.key,
        topic: 'alert',
        subject: m.subject,
        text: m.text,
        data: m.data,
        team: m.data.owners.length === 1 ? m.data.owners[0] : null,
        ...(m.data.notBefore ? { notBefore: new Date(m.data.notBefore) } : {}),
      },
      now,
    );
  }
}

/**
 * The `alert` findings (the one Finding model, src/findings): one per monitor with an alert not
 * resolved, from its newest firing; the figure's interval is the baseline band it left.
 */
export async function refreshFindings(db: Store, now: Date): Promise<void> {
  const alerts = await listAlerts(db, { state: 'unresolved', limit: 10_000 }, now);
  const monitors = new Map((await listMonitors(db)).map((m) => [m.id, m]));
  const newest = new Map<string, Alert>();
  for (const a of alerts) {
    const b = newest.get(a.monitor);
    if (!b || a.periodStart > b.periodStart) newest.set(a.monitor, a);
  }
  const findings: Finding[] = [...newest.values()].map((a) => {
    const m = monitors.get(a.monitor);
    const slice = m?.slice ?? {};
    return {
      kind: 'alert',
      p: 'process',
      title: `${m?.name ?? a.monitor}: ${a.direction === 'up' ? 'up' : 'down'} to ${round(a.value)} (expected ${a.expected === null ? '–' : round(a.expected)}) on ${a.periodStart.slice(0, 16).replace('T00:00', '')}`,
      slice: { ...slice, monitor: a.monitor },
      metric: m?.metric ?? 'volume',
      value: a.value,
      baseline: a.expected,
      ciLow: a.low,
      ciHigh: a.high,
      n: a.n,
      smallSample: false,
      score: Math.abs(a.z ?? 10),
      customersAffected: a.customersAffected,
      evidence: {
        analysis: 'monitors history',
        params: { monitor: a.monitor },
        ...a.evidence,
        alert: a.id,
        group: a.groupKey,
        change: a.change,
      },
      ownerTeam: a.ownerTeam,
    } satisfies Finding;
  });
  await writeFindings(db, 'monitors', {}, findings, now);
}

const round = (v: number) => (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
