import { z } from 'zod';
import { resolveTimeFrame, TimeFrameParams, workspaceZone } from '../core/time.js';
import { episodesOf, POINTS_PER_WEEK } from '../stats/change-detection.js';
import { type Store, sql } from '../store/index.js';
import { type Alert, listAlerts } from './alerts.js';
import { type BacktestChange, type BacktestResult, changeOf, seriesPointOf } from './backtest.js';
import { judge } from './run.js';
import { dataEnd, monitorSeries, nextPeriod, periodStart, sourceStart } from './series.js';
import { checkMonitor, getMonitor, type Monitor } from './stored.js';

export const HistoryParams = z.object({
  monitor: z.string().min(1).describe('the monitor id'),
  limit: z.number().int().min(1).max(1000).default(50).describe('runs and alerts to list'),
});

export interface MonitorHistory {
  readonly monitor: Monitor;
  readonly runs: readonly {
    readonly ranAt: string;
    readonly from: string | null;
    readonly to: string | null;
    readonly points: number;
    readonly firings: number;
    readonly ms: number;
    readonly actor: string | null;
  }[];
  readonly alerts: readonly Alert[];
}

/** A monitor's setting, its runs (newest first) and its firings. */
export async function monitorHistory(db: Store, p: z.output<typeof HistoryParams>): Promise<MonitorHistory> {
  const monitor = await getMonitor(db, p.monitor);
  const runs = await db.all<MonitorHistory['runs'][number]>(sql`SELECT
      strftime(ran_at, '%Y-%m-%dT%H:%M:%SZ') AS "ranAt", strftime(period_from, '%Y-%m-%dT%H:%M:%SZ') AS "from",
      strftime(period_to, '%Y-%m-%dT%H:%M:%SZ') AS "to", points, firings, ms, actor
    FROM monitor_runs WHERE monitor_id = ${p.monitor} ORDER BY ran_at DESC LIMIT ${p.limit}`);
  const alerts = await listAlerts(db, { monitor: p.monitor, state: 'all', limit: p.limit });
  return { monitor, runs, alerts };
}

export const SimulateParams = z.object({
  monitor: z.string().min(1).describe('the monitor id'),
  ...TimeFrameParams,
  method: z
    .enum(['detector', 'threshold'])
    .optional()
    .describe('try another method (default: the monitor’s)'),
  alpha: z.number().gt(0).lt(0.5).optional().describe('try another false-alarm level per series per week'),
  minN: z.number().int().min(1).optional().describe('try another smallest n behind a score point'),
  above: z.number().optional().describe('try a threshold above'),
  below: z.number().optional().describe('try a threshold below'),
});

export interface SimulateResult
  extends Pick<BacktestResult, 'rows' | 'from' | 'to' | 'kind' | 'tested' | 'changes' | 'alarmsPerWeek'> {
  readonly monitor: string;
  readonly name: string;
  readonly setting: Pick<Monitor, 'cadence' | 'method' | 'alpha' | 'minN' | 'above' | 'below'>;
  readonly series: NonNullable<BacktestResult['series']>;
  /** The firings the monitor has stored over the same periods. */
  readonly stored: readonly Pick<Alert, 'id' | 'periodStart' | 'direction' | 'state'>[];
}

/**
 * What a monitor's setting (or a setting tried on it) would have fired over its history: every
 * complete period with its baseline, band and signals (backtest's points view), the episodes, and
 * the alarmed points per week that setting costs.
 */
export async function simulateMonitor(
  db: Store,
  p: z.output<typeof SimulateParams>,
): Promise<SimulateResult> {
  const m = await getMonitor(db, p.monitor);
  const source = await checkMonitor(db, m.metric, m.slice);
  const zone = await workspaceZone(db);
  const frame = await resolveTimeFrame(db, p);
  const setting = {
    cadence: m.cadence,
    method: p.method ?? m.method,
    alpha: p.alpha ?? m.alpha,
    minN: p.minN ?? m.minN,
    above: p.above ?? m.above,
    below: p.below ?? m.below,
  };
  const first = await sourceStart(db, source);
  const end = await dataEnd(db);
  const limit = Math.min(
    frame.to?.getTime() ?? Number.POSITIVE_INFINITY,
    end ?? 0,
    frame.asOf?.getTime() ?? Date.now(),
  );
  let to = first === null ? 0 : periodStart(limit, m.cadence, zone);
  if (first !== null && nextPeriod(to, m.cadence, zone) <= limit) to = nextPeriod(to, m.cadence, zone);
  const start = first === null ? 0 : periodStart(first, m.cadence, zone);
  const points = first === null || to <= start ? [] : await monitorSeries(db, m, source, zone, start, to);
  const judged = judge(setting, points);
  const shownFrom = frame.from ? periodStart(frame.from.getTime(), m.cadence, zone) : start;
  const shown = judged.filter((x) => x.t >= shownFrom);
  const iso = (t: number) => new Date(t).toISOString();
  const tested = shown.filter((x) => x.z !== null || x.signals.length > 0).length;
  const alarms = shown.filter((x) => x.signals.length > 0).length;
  const changes: BacktestChange[] = episodesOf(shown).map(changeOf);
  const stored = (await listAlerts(db, { monitor: m.id, state: 'all', limit: 10_000 })).map((a) => ({
    id: a.id,
    periodStart: a.periodStart,
    direction: a.direction,
    state: a.state,
  }));
  return {
    monitor: m.id,
    name: m.name,
    setting,
    rows: shown.length,
    from: shown.length ? iso(shown[0]!.t) : iso(shownFrom),
    to: shown.length ? iso(shown[shown.length - 1]!.t) : iso(shownFrom),
    kind: source.kind === 'score' ? 'mean' : 'count',
    tested,
    changes,
    alarmsPerWeek: tested === 0 ? 0 : alarms / (tested / POINTS_PER_WEEK[m.cadence]),
    series: shown.map(seriesPointOf),
    stored,
  };
}
