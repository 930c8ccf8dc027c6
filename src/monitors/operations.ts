import { z } from 'zod';
import { type AnyOperation, defineOperation, type Section } from '../core/operation.js';
import {
  ActOnAlertsParams,
  type ActResult,
  type Alert,
  type AlertAction,
  actOnAlerts,
  alertGroups,
  alertMessage,
  ListAlertsParams,
  listAlerts,
  QuietHoursParams,
  quietHours,
  setQuietHours,
} from './alerts.js';
import { type BacktestChange, BacktestParams, type BacktestResult, backtestSeries } from './backtest.js';
import { HistoryParams, monitorHistory, SimulateParams, simulateMonitor } from './history.js';
import { RunMonitorsParams, refreshFindings, runMonitors } from './run.js';
import {
  AcceptParams,
  acceptProposals,
  CreateMonitorParams,
  createMonitor,
  listMonitors,
  type Monitor,
  proposeMonitors,
} from './stored.js';

const day = (iso: string) => iso.replace(/T00:00:00\.000Z$/, '').replace(/:00\.000Z$/, 'Z');
const fmt = (v: number | null) =>
  v === null
    ? '–'
    : Number.isInteger(v) || Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 1
        ? v.toFixed(2)
        : v.toPrecision(3);

/** The changes a setting would have raised, one row per episode (backtest and a monitor's simulate). */
function episodesSection(changes: readonly BacktestChange[]): Section {
  return {
    title: 'Changes it would have raised (one row per episode)',
    rows: changes.map((c) => ({
      from: day(c.start),
      to: day(c.end),
      direction: c.direction,
      signals: c.signals.join(', '),
      points: c.points,
      'worst value': fmt(c.peak.value),
      expected: fmt(c.peak.expected),
      z: c.peak.z === null ? '–' : c.peak.z.toFixed(1),
    })),
  };
}

function present(r: BacktestResult): readonly Section[] {
  const s = r.settings;
  return [
    {
      text:
        `${r.file}: ${r.rows} ${s.cadence} points of a ${r.kind === 'count' ? 'count' : 'mean or rate'} from ${day(r.from)} to ${day(r.to)}; ` +
        `${r.tested} tested (${r.untested.warmingUp} warming up${r.kind === 'mean' ? `, ${r.untested.smallSample} with n < ${s.minN}` : ''}). ` +
        `False-alarm level ${s.alpha} per week; ${r.changes.length} change${r.changes.length === 1 ? '' : 's'} ` +
        `(${r.alarmsPerWeek.toFixed(3)} alarmed points per tested week).`,
    },
    r.changes.length === 0
      ? { text: 'No change would have been raised over this history.' }
      : episodesSection(r.changes),
  ];
}

export const backtestOperation = defineOperation({
  area: 'monitors',
  verb: 'backtest',
  workspace: 'optional',
  summary:
    'Run the monitor detector over a metric series exported from elsewhere (one row per period) and list the changes it would have raised',
  params: BacktestParams,
  mode: 'read',
  positional: ['file'],
  // the CLI reads the file into `series`; over HTTP the caller sends `series` itself
  fileInputs: { file: 'series' },
  run: (db, p) => backtestSeries(db, p),
  present,
});

const sliceText = (m: Pick<Monitor, 'slice'>) =>
  Object.entries(m.slice)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'all';

const monitorRow = (m: Monitor) => ({
  id: m.id,
  metric: m.metric,
  slice: sliceText(m),
  cadence: m.cadence,
  method: m.method === 'detector' ? `detector α=${m.alpha}` : `threshold ${m.above ?? ''}${m.below ?? ''}`,
  owner: m.ownerTeam ?? '–',
  'last judged': m.lastPeriod ? day(`${m.lastPeriod.slice(0, -1)}.000Z`) : 'never',
});

const actx = (ctx: { now?: () => Date; actor?: string }) => ({
  ...(ctx.now ? { now: ctx.now() } : {}),
  ...(ctx.actor ? { actor: ctx.actor } : {}),
});

export const listMonitorsOperation = defineOperation({
  area: 'monitors',
  verb: 'list',
  summary: 'The stored monitors: metric, slice, cadence, method, owner and the last period judged',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({ monitors: await listMonitors(db) }),
  present: (r) =>
    r.monitors.length === 0
      ? [
          {
            text: 'No monitors yet: touchpoint monitors propose, then monitors accept --all (or monitors create).',
          },
        ]
      : [{ rows: r.monitors.map(monitorRow) }],
});

export const createMonitorOperation = defineOperation({
  area: 'monitors',
  verb: 'create',
  summary:
    'Store a monitor: one metric (volume, contacts, a score) of a slice at a cadence, with its method and owner',
  params: CreateMonitorParams,
  mode: 'write',
  positional: ['metric'],
  run: (db, p, ctx) => createMonitor(db, p, actx(ctx)),
  present: (m) => [{ text: `Monitor ${m.id} stored (${m.name}); owner ${m.ownerTeam ?? 'none'}.` }],
});

export const proposeOperation = defineOperation({
  area: 'monitors',
  verb: 'propose',
  summary:
    'Default monitors for this workspace: each journey touchpoint’s volume, each team’s CSAT and contacts, each contact reason’s volume',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({ proposals: await proposeMonitors(db) }),
  present: (r) => [
    {
      rows: r.proposals.map((x) => ({
        id: x.id,
        owner: x.ownerTeam ?? '–',
        stored: x.exists ? 'yes' : 'no',
        why: x.why,
      })),
    },
    { text: 'Store them with: touchpoint monitors accept --all (or name ids: monitors accept --ids ID)' },
  ],
});

export const acceptOperation = defineOperation({
  area: 'monitors',
  verb: 'accept',
  summary: 'Store proposed monitors (the named ids, or all with --all)',
  params: AcceptParams,
  mode: 'write',
  run: (db, p, ctx) => acceptProposals(db, p, actx(ctx)),
  present: (r) => [
    {
      text: `${r.created.length} monitor(s) stored${r.skipped.length ? `, ${r.skipped.length} already stored` : ''}.`,
    },
  ],
});

export const runOperation = defineOperation({
  area: 'monitors',
  verb: 'run',
  summary:
    'Judge the complete periods monitors have not judged yet and store each firing as an alert (idempotent: a period fires once); for cron',
  params: RunMonitorsParams,
  mode: 'write',
  viaServer: true,
  run: (db, p, ctx) => runMonitors(db, p, ctx),
  present: (r) => [
    {
      text: `${r.monitors.length} monitor(s) run at ${r.ranAt} in ${(r.ms / 1000).toFixed(1)} s; ${r.newAlerts} new alert(s).`,
    },
    ...(r.monitors.some((m) => m.firings.length > 0)
      ? [
          {
            title: 'Firings',
            rows: r.monitors
              .filter((m) => m.firings.length > 0)
              .map((m) => ({ monitor: m.monitor, firings: m.firings.length, new: m.newFirings })),
          },
        ]
      : []),
  ],
});

const sign = (v: number) => `${v > 0 ? '+' : ''}${fmt(v)}`;

const alertRow = (a: Alert) => ({
  id: a.id,
  state: a.state,
  period: day(`${a.periodStart.slice(0, -1)}.000Z`),
  direction: a.direction,
  value: fmt(a.value),
  expected: fmt(a.expected),
  'change (band)':
    a.change.value === null
      ? '–'
      : `${sign(a.change.value)}${a.change.low === null || a.change.high === null ? '' : ` (${sign(a.change.low)} … ${sign(a.change.high)})`}`,
  n: a.n ?? '–',
  customers: a.customersAffected ?? '–',
  owner: a.ownerTeam ?? '–',
  group: a.groupKey,
});

export const historyOperation = defineOperation({
  area: 'monitors',
  verb: 'history',
  summary: 'A monitor’s runs and firings',
  params: HistoryParams,
  mode: 'read',
  positional: ['monitor'],
  run: (db, p) => monitorHistory(db, p),
  present: (r) => [
    { text: `${r.monitor.name} (${r.monitor.id}): ${r.runs.length} run(s), ${r.alerts.length} firing(s).` },
    ...(r.alerts.length ? [{ title: 'Firings', rows: r.alerts.map(alertRow) }] : []),
    ...(r.runs.length
      ? [
          {
            title: 'Runs',
            rows: r.runs.map((x) => ({
              at: x.ranAt,
              judged: `${x.from ?? '–'} … ${x.to ?? '–'}`,
              points: x.points,
              firings: x.firings,
              ms: Math.round(x.ms),
            })),
          },
        ]
      : []),
  ],
});

export const simulateOperation = defineOperation({
  area: 'monitors',
  verb: 'simulate',
  summary:
    'What a monitor’s setting (or one tried with --alpha, --above, …) would have fired over its history, point by point',
  params: SimulateParams,
  mode: 'read',
  positional: ['monitor'],
  run: (db, p) => simulateMonitor(db, p),
  present: (r) => [
    {
      text:
        `${r.name}: ${r.rows} ${r.setting.cadence} points from ${day(r.from)} to ${day(r.to)}, ${r.tested} tested; ` +
        `${r.setting.method === 'detector' ? `detector at ${r.setting.alpha} per week` : 'thresholds only'}: ` +
        `${r.changes.length} change(s), ${r.alarmsPerWeek.toFixed(3)} alarmed points per tested week.`,
    },
    ...(r.changes.length ? [episodesSection(r.changes)] : []),
  ],
});

export const listAlertsOperation = defineOperation({
  area: 'alerts',
  verb: 'list',
  summary:
    'Alerts raised by monitors (unresolved by default) with figure, baseline, change, customers and owner',
  params: ListAlertsParams,
  mode: 'read',
  listField: 'alerts',
  run: async (db, p, ctx) => ({ alerts: await listAlerts(db, p, ctx.now?.() ?? new Date()) }),
  present: (r) => (r.alerts.length === 0 ? [{ text: 'No alerts.' }] : [{ rows: r.alerts.map(alertRow) }]),
});

function actOperation(action: AlertAction, summary: string) {
  return defineOperation({
    area: 'alerts',
    verb: action,
    summary,
    params: ActOnAlertsParams,
    mode: 'write',
    positional: ['ids'],
    run: async (db, p, ctx) => {
      const r = await actOnAlerts(db, action, p, actx(ctx));
      // a resolved alert leaves the `alert` findings
      if (action === 'resolve' && r.changed.length > 0) await refreshFindings(db, ctx.now?.() ?? new Date());
      return r;
    },
    present: (r: ActResult) => [
      {
        text:
          r.changed.length === 0
            ? 'Nothing changed.'
            : `${r.changed.length} alert(s) ${r.changed[0]!.to}${r.by ? ` by ${r.by}` : ''} at ${r.at}.`,
      },
    ],
  });
}

export const quietHoursOperation = defineOperation({
  area: 'alerts',
  verb: 'quiet-hours',
  summary: 'Quiet hours (workspace zone): alerts raised inside them are delivered when they end',
  params: QuietHoursParams,
  mode: 'write',
  run: (db, p) => setQuietHours(db, p),
});

export const messagesOperation = defineOperation({
  area: 'alerts',
  verb: 'messages',
  summary:
    'The messages delivery would send now: one per alert group (a bad day over many slices is one message)',
  params: z.object({}),
  mode: 'read',
  run: async (db, _p, ctx) => {
    const now = ctx.now?.() ?? new Date();
    const quiet = await quietHours(db);
    return { messages: (await alertGroups(db, now)).map((g) => alertMessage(g, quiet, now)) };
  },
  present: (r) =>
    r.messages.length === 0
      ? [{ text: 'Nothing to send.' }]
      : r.messages.map((m) => ({ title: m.subject, text: m.text })),
});

export const operations: readonly AnyOperation[] = [
  backtestOperation,
  listMonitorsOperation,
  createMonitorOperation,
  proposeOperation,
  acceptOperation,
  runOperation,
  historyOperation,
  simulateOperation,
  listAlertsOperation,
  actOperation('ack', 'Acknowledge alerts (by id or --group): someone is on it'),
  actOperation('snooze', 'Snooze alerts until --until (default 24 h): they read as open again after it'),
  actOperation('resolve', 'Resolve alerts: final; a new break is a new firing'),
  quietHoursOperation,
  messagesOperation,
];
