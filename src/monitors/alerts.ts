import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { instant, resolveInstant, workspaceZone } from '../core/time.js';
import { readMeta, type Store, sql, writeMeta } from '../store/index.js';

/**
 * Alerts (docs/monitors.md, "Alerts"): one stored firing per monitor and period, its state and every
 * change of it. The state machine is here and only here:
 *
 *   open ──ack──▶ acknowledged ──resolve──▶ resolved
 *     │  ◀─(snooze ends)─ snoozed ◀──snooze──┘ │
 *     └────────────resolve─────────────────────┘
 *
 * `snooze` hides an alert until a time (then it reads as open again, without a write); `resolve` is
 * final (a new break is a new firing). Every action is an `alert_actions` row (who, when, note).
 */

export type AlertState = 'open' | 'acknowledged' | 'snoozed' | 'resolved';
export type AlertAction = 'ack' | 'snooze' | 'resolve';

/** Allowed actions from each state (the effective state: a snooze that has ended reads as open). */
export const TRANSITIONS: Readonly<Record<AlertState, Readonly<Partial<Record<AlertAction, AlertState>>>>> = {
  open: { ack: 'acknowledged', snooze: 'snoozed', resolve: 'resolved' },
  acknowledged: { snooze: 'snoozed', resolve: 'resolved' },
  snoozed: { ack: 'acknowledged', snooze: 'snoozed', resolve: 'resolved' },
  resolved: {},
};

export interface Alert {
  readonly id: string;
  readonly monitor: string;
  readonly monitorName: string | null;
  readonly metric: string | null;
  readonly groupKey: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly direction: 'up' | 'down';
  readonly signals: readonly string[];
  readonly value: number;
  readonly expected: number | null;
  /** The band the baseline allowed (the detector's point-test band). */
  readonly low: number | null;
  readonly high: number | null;
  /** value − expected, and how far beyond the band it went: [value − high, value − low]. */
  readonly change: {
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
  };
  readonly z: number | null;
  readonly p: number | null;
  /** Answers behind a score point; null for a count. */
  readonly n: number | null;
  /** Distinct customers behind the period's figure in the slice. */
  readonly customersAffected: number | null;
  readonly ownerTeam: string | null;
  readonly evidence: Record<string, unknown>;
  readonly state: AlertState;
  readonly snoozedUntil: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

interface AlertRow {
  id: string;
  monitor_id: string;
  name: string | null;
  metric: string | null;
  group_key: string;
  period_start: string;
  period_end: string;
  direction: 'up' | 'down';
  signals: string[];
  value: number;
  expected: number | null;
  low: number | null;
  high: number | null;
  change_low: number | null;
  change_high: number | null;
  z: number | null;
  p: number | null;
  n: number | null;
  customers_affected: number | null;
  owner_team: string | null;
  evidence: string;
  state: AlertState;
  snoozed_until: string | null;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

const TS_COLUMNS = {
  period_start: sql`a.period_start`,
  period_end: sql`a.period_end`,
  snoozed_until: sql`a.snoozed_until`,
  created_at: sql`a.created_at`,
  updated_at: sql`a.updated_at`,
} as const;
const ts = (col: keyof typeof TS_COLUMNS) => sql`strftime(${TS_COLUMNS[col]}, '%Y-%m-%dT%H:%M:%SZ')`;

function effective(r: AlertRow, now: Date): AlertState {
  if (r.state === 'snoozed' && r.snoozed_until !== null && Date.parse(r.snoozed_until) <= now.getTime())
    return 'open';
  return r.state;
}

function fromRow(r: AlertRow, now: Date): Alert {
  const state = effective(r, now);
  return {
    id: r.id,
    monitor: r.monitor_id,
    monitorName: r.name,
    metric: r.metric,
    groupKey: r.group_key,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    direction: r.direction,
    signals: r.signals,
    value: r.value,
    expected: r.expected,
    low: r.low,
    high: r.high,
    change: {
      value: r.expected === null ? null : r.value - r.expected,
      low: r.change_low,
      high: r.change_high,
    },
    z: r.z,
    p: r.p,
    n: r.n === null ? null : Number(r.n),
    customersAffected: r.customers_affected === null ? null : Number(r.customers_affected),
    ownerTeam: r.owner_team,
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    state,
    snoozedUntil: state === 'snoozed' ? r.snoozed_until : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

export const ListAlertsParams = z.object({
  state: z
    .enum(['open', 'acknowledged', 'snoozed', 'resolved', 'unresolved', 'all'])
    .default('unresolved')
    .describe('which alerts: unresolved (open, acknowledged, snoozed) by default'),
  monitor: z.string().min(1).optional().describe('only this monitor’s alerts'),
  group: z.string().min(1).optional().describe('only this alert group (day:direction)'),
  limit: z.number().int().min(1).max(10_000).default(200),
});
export type ListAlertsParams = z.input<typeof ListAlertsParams>;

/** Alerts, newest period first, with their effective state at `now`. */
export async function listAlerts(
  db: Store,
  params: ListAlertsParams,
  now: Date = new Date(),
): Promise<readonly Alert[]> {
  const p = ListAlertsParams.parse(params);
  const rows = await db.all<AlertRow>(sql`SELECT a.id, a.monitor_id, m.name, m.metric, a.group_key,
      ${ts('period_start')} AS period_start, ${ts('period_end')} AS period_end, a.direction, a.signals, a.value,
      a.expected, a.low, a.high, a.change_low, a.change_high, a.z, a.p, a.n, a.customers_affected, a.owner_team,
      a.evidence::VARCHAR AS evidence, a.state, ${ts('snoozed_until')} AS snoozed_until,
      ${ts('created_at')} AS created_at, ${ts('updated_at')} AS updated_at, a.updated_by
    FROM alerts a LEFT JOIN monitors m ON m.id = a.monitor_id
    WHERE (${p.monitor ?? null}::VARCHAR IS NULL OR a.monitor_id = ${p.monitor ?? null})
      AND (${p.group ?? null}::VARCHAR IS NULL OR a.group_key = ${p.group ?? null})
      AND (${p.state === 'all' || p.state === 'unresolved' || p.state === 'open' || p.state === 'snoozed'} OR a.state = ${p.state})
      AND (${p.state !== 'unresolved'} OR a.state <> 'resolved')
    ORDER BY a.period_start DESC, a.id`);
  return rows
    .map((r) => fromRow(r, now))
    .filter((a) => p.state === 'all' || p.state === 'unresolved' || a.state === p.state)
    .slice(0, p.limit);
}

export const ActOnAlertsParams = z.object({
  ids: z.array(z.string().min(1)).default([]).describe('alert ids'),
  group: z.string().min(1).optional().describe('every unresolved alert of this group (day:direction)'),
  until: instant.optional().describe('snooze until this instant (default: 24 hours from now)'),
  note: z.string().max(2000).optional().describe('a note kept with the action'),
});
export type ActOnAlertsParams = z.input<typeof ActOnAlertsParams>;

export interface ActResult {
  readonly action: AlertAction;
  readonly changed: readonly { readonly id: string; readonly from: AlertState; readonly to: AlertState }[];
  readonly by: string | null;
  readonly at: string;
}

/** Applies one action to alerts (by id or by group), in one transaction; an action a state does not allow is refused. */
export async function actOnAlerts(
  db: Store,
  action: AlertAction,
  params: ActOnAlertsParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<ActResult> {
  const p = ActOnAlertsParams.parse(params);
  const now = ctx.now ?? new Date();
  if (p.ids.length === 0 && p.group === undefined)
    throw new TouchpointError('invalid_input', 'ids: name alerts, or give --group', {
      details: [{ field: 'ids', message: 'no alert named' }],
    });
  const until =
    action === 'snooze'
      ? ((await resolveInstant(db, p.until, 'until')) ?? new Date(now.getTime() + 24 * 3_600_000))
      : null;
  if (until !== null && until.getTime() <= now.getTime())
    throw new TouchpointError('invalid_input', 'until: a snooze ends in the future', {
      details: [{ field: 'until', message: 'in the past' }],
    });
  const byGroup = p.group
    ? await listAlerts(db, { group: p.group, state: 'unresolved', limit: 10_000 }, now)
    : [];
  const named = await Promise.all(
    p.ids.map(async (id) => {
      const a = (await listAlerts(db, { state: 'all', limit: 10_000 }, now)).find((x) => x.id === id);
      if (!a)
        throw new TouchpointError(
          'not_found',
          `ids: no alert ${JSON.stringify(id)} (touchpoint alerts list)`,
          {
            details: [{ field: 'ids', message: 'unknown alert' }],
          },
        );
      return a;
    }),
  );
  if (p.group && byGroup.length === 0)
    throw new TouchpointError('not_found', `group: no unresolved alert in group ${p.group}`, {
      details: [{ field: 'group', message: 'no alert' }],
    });
  const targets = [...new Map([...named, ...byGroup].map((a) => [a.id, a])).values()];
  const changed: { id: string; from: AlertState; to: AlertState }[] = [];
  for (const a of targets) {
    const to = TRANSITIONS[a.state][action];
    if (to === undefined)
      throw new TouchpointError(
        'conflict',
        `${a.id}: a ${a.state} alert cannot be ${action === 'ack' ? 'acknowledged' : `${action}d`}`,
        { details: [{ field: 'ids', message: `${a.state}` }] },
      );
    changed.push({ id: a.id, from: a.state, to });
  }
  const at = now.toISOString();
  await db.transaction(async (tx) => {
    for (const c of changed) {
      await tx.exec(sql`UPDATE alerts SET state = ${c.to}, snoozed_until = ${until?.toISOString() ?? null}::TIMESTAMP,
        updated_at = ${at}::TIMESTAMP, updated_by = ${ctx.actor ?? null} WHERE id = ${c.id}`);
      await tx.exec(sql`INSERT INTO alert_actions VALUES (${c.id}, ${at}::TIMESTAMP, ${ctx.actor ?? null}, ${action},
        ${[p.note, until ? `until ${until.toISOString()}` : undefined].filter(Boolean).join('; ') || null})`);
    }
  });
  return { action, changed, by: ctx.actor ?? null, at };
}

/** Every recorded action on one alert, oldest first. */
export async function alertActions(
  db: Store,
  id: string,
): Promise<readonly { at: string; actor: string | null; action: string; note: string | null }[]> {
  return db.all(sql`SELECT strftime(acted_at, '%Y-%m-%dT%H:%M:%SZ') AS at, actor, action, note FROM alert_actions
    WHERE alert_id = ${id} ORDER BY acted_at, action`);
}

// ---------------------------------------------------------------------------------------------
// Quiet hours and grouping: what delivery (src/notify, wired by the lead) sends, and when.

export const QUIET_HOURS_KEY = 'monitors.quiet_hours';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM');
export const QuietHoursParams = z.object({
  start: HHMM.optional().describe('quiet from this time of day (workspace zone), e.g. 22:00'),
  end: HHMM.optional().describe('until this time of day, e.g. 07:00'),
  off: z.boolean().default(false).describe('no quiet hours'),
});

export interface QuietHours {
  readonly start: string;
  readonly end: string;
  readonly zone: string;
}

export async function quietHours(db: Store): Promise<QuietHours | null> {
  const v = (await readMeta(db, QUIET_HOURS_KEY)) as { start: string; end: string } | null;
  return v ? { ...v, zone: await workspaceZone(db) } : null;
}

export async function setQuietHours(
  db: Store,
  p: z.output<typeof QuietHoursParams>,
): Promise<{ quietHours: QuietHours | null }> {
  if (p.off) {
    await db.exec(sql`DELETE FROM meta WHERE key = ${QUIET_HOURS_KEY}`);
    return { quietHours: null };
  }
  if (p.start === undefined || p.end === undefined || p.start === p.end)
    throw new TouchpointError('invalid_input', 'start: give --start and --end (different times), or --off', {
      details: [{ field: 'start', message: 'quiet hours need a start and an end' }],
    });
  await writeMeta(db, QUIET_HOURS_KEY, { start: p.start, end: p.end });
  return { quietHours: await quietHours(db) };
}

/**
 * When a message may be sent: `now`, or the end of the quiet hours when `now` falls inside them
 * (a window that crosses midnight, 22:00–07:00, is read as one night).
 */
export function deliverableAt(now: Date, quiet: QuietHours | null): Date {
  if (!quiet) return now;
  const local = DateTime.fromJSDate(now, { zone: quiet.zone });
  const at = (hhmm: string, day: DateTime) => {
    const [h, m] = hhmm.split(':').map(Number) as [number, number];
    return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
  };
  const today = local.startOf('day');
  const s = at(quiet.start, today);
  const e = at(quiet.end, today);
  if (s < e) return local >= s && local < e ? e.toJSDate() : now;
  // crosses midnight: quiet from s to e tomorrow, and from e-yesterday's night until e today
  if (local >= s) return at(quiet.end, today.plus({ days: 1 })).toJSDate();
  if (local < e) return e.toJSDate();
  return now;
}

/** A bad day over many slices: the unresolved alerts of one group, told once. */
export interface AlertGroup {
  readonly key: string;
  readonly alerts: readonly Alert[];
}

export async function alertGroups(db: Store, now: Date = new Date()): Promise<readonly AlertGroup[]> {
  const alerts = (await listAlerts(db, { state: 'unresolved', limit: 10_000 }, now)).filter(
    (a) => a.state === 'open',
  );
  const by = new Map<string, Alert[]>();
  for (const a of alerts) by.set(a.groupKey, [...(by.get(a.groupKey) ?? []), a]);
  return [...by.entries()].map(([key, list]) => ({ key, alerts: list }));
}

export interface AlertMessage {
  /** Idempotency key: one per group and its set of firings (a firing added later is a new message). */
  readonly key: string;
  readonly subject: string;
  readonly text: string;
  /** Machine-readable: the group, its alerts and their owners. */
  readonly data: {
    readonly group: string;
    readonly owners: readonly string[];
    readonly alerts: readonly Pick<
      Alert,
      | 'id'
      | 'monitor'
      | 'periodStart'
      | 'direction'
      | 'value'
      | 'expected'
      | 'change'
      | 'customersAffected'
      | 'ownerTeam'
    >[];
    readonly notBefore?: string;
  };
}

const num = (v: number | null) =>
  v === null ? '–' : Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);

/**
 * The message delivery sends for one alert or one group of alerts (webhook, e-mail): ready to send,
 * with the idempotency key a receiver de-duplicates on. A group of fifty slices is one message.
 */
export function alertMessage(
  alertOrGroup: Alert | AlertGroup,
  quiet: QuietHours | null = null,
  now?: Date,
): AlertMessage {
  const g: AlertGroup =
    'alerts' in alertOrGroup ? alertOrGroup : { key: alertOrGroup.groupKey, alerts: [alertOrGroup] };
  const sorted = [...g.alerts].sort(
    (a, b) => Math.abs(b.z ?? 99) - Math.abs(a.z ?? 99) || a.id.localeCompare(b.id),
  );
  const ids = sorted.map((a) => a.id).sort();
  const key = `alert-group:${g.key}:${ids.length === 1 ? ids[0] : hash(ids.join('|'))}`;
  const [day, direction] = g.key.split(':');
  const first = sorted[0];
  const subject =
    sorted.length === 1 && first
      ? `${first.monitorName ?? first.monitor}: ${first.direction} to ${num(first.value)} (expected ${num(first.expected)}) on ${day}`
      : `${sorted.length} monitors went ${direction} on ${day}`;
  const lines = sorted.map(
    (a) =>
      `- ${a.monitorName ?? a.monitor}: ${num(a.value)} vs expected ${num(a.expected)}` +
      `${a.change.low !== null && a.change.high !== null ? ` (beyond the band by ${num(a.change.low)} … ${num(a.change.high)})` : ''}` +
      `${a.n !== null ? `, n = ${a.n}` : ''}${a.customersAffected !== null ? `, ${a.customersAffected} customers` : ''}` +
      `${a.ownerTeam ? ` — owner ${a.ownerTeam}` : ''} [${a.id}]`,
  );
  const owners = [...new Set(sorted.map((a) => a.ownerTeam).filter((x): x is string => x !== null))].sort();
  const notBefore = now ? deliverableAt(now, quiet) : undefined;
  return {
    key,
    subject,
    text: `${subject}\n\n${lines.join('\n')}\n\nAcknowledge: touchpoint alerts ack --group ${g.key}`,
    data: {
      group: g.key,
      owners,
      alerts: sorted.map((a) => ({
        id: a.id,
        monitor: a.monitor,
        periodStart: a.periodStart,
        direction: a.direction,
        value: a.value,
        expected: a.expected,
        change: a.change,
        customersAffected: a.customersAffected,
        ownerTeam: a.ownerTeam,
      })),
      ...(notBefore && now && notBefore.getTime() !== now.getTime()
        ? { notBefore: notBefore.toISOString() }
        : {}),
    },
  };
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}
