import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { getMetric } from '../experiments/index.js';
import { type Store, sql } from '../store/index.js';

/**
 * Stored monitors (docs/monitors.md, "Stored monitors"): one metric series of one slice at a cadence,
 * judged by the detector (src/stats/change-detection.ts) at a false-alarm level, or by plain
 * thresholds, with the team that owns what it watches.
 *
 * What a monitor can watch (`metric`):
 * - `volume`: events (touchpoint visits, contacts logged as events) per period — a count;
 * - `contacts`: cases opened per period — a count;
 * - a registry metric of type `score` (`csat`, `nps`, `ces`, or a stored score metric): the mean of the
 *   period's answers with the number of answers behind it (the detector's mean-with-n test).
 */

export const MONITOR_MEASURES = ['volume', 'contacts'] as const;

/** Where a monitor looks. Which keys apply depends on the measure (`sliceKeysOf`). */
export const MonitorSlice = z
  .object({
    touchpoint: z.string().min(1).max(200).optional(),
    channel: z.string().min(1).max(200).optional(),
    team: z.string().min(1).max(200).optional(),
    persona: z.string().min(1).max(200).optional(),
    segment: z.string().min(1).max(200).optional(),
    reason: z.string().min(1).max(200).optional(),
  })
  .strict();
export type MonitorSlice = z.infer<typeof MonitorSlice>;

export type MonitorSource =
  | { readonly kind: 'volume' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'score'; readonly score: 'nps' | 'csat' | 'ces'; readonly metricSlice: MonitorSlice };

export interface Monitor {
  readonly id: string;
  readonly name: string;
  readonly metric: string;
  readonly slice: MonitorSlice;
  readonly cadence: 'hourly' | 'daily';
  readonly method: 'detector' | 'threshold';
  readonly alpha: number;
  readonly minN: number;
  readonly above: number | null;
  readonly below: number | null;
  /** The team told when it fires: given, else the slice's team, else the touchpoint's owner. */
  readonly ownerTeam: string | null;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly lastRunAt: string | null;
  /** Start of the newest period a run has judged. */
  readonly lastPeriod: string | null;
}

const MonitorIdText = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.:=-]{0,119}$/, 'a monitor id: lower-case letters, digits, _ . : = and -');

export const CreateMonitorParams = z.object({
  metric: z
    .string()
    .min(1)
    .describe(
      'what to watch: volume (events), contacts (cases opened), or a score metric (csat, nps, ces, …)',
    ),
  id: MonitorIdText.optional().describe('the monitor id (default: from the metric and slice)'),
  name: z.string().min(1).max(200).optional().describe('the name people read'),
  ...MonitorSlice.shape,
  cadence: z.enum(['hourly', 'daily']).default('daily').describe('one point per hour or per day'),
  method: z
    .enum(['detector', 'threshold'])
    .default('detector')
    .describe('detector: a change against its own seasonal history; threshold: only --above/--below'),
  alpha: z.number().gt(0).lt(0.5).default(0.01).describe('false-alarm level per series per week'),
  minN: z
    .number()
    .int()
    .min(1)
    .default(30)
    .describe('smallest number of answers behind a score point that is tested'),
  above: z.number().optional().describe('also fire on any value above this'),
  below: z.number().optional().describe('also fire on any value below this'),
  owner: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('the team told when it fires (default: the slice’s owner)'),
});
export type CreateMonitorParams = z.input<typeof CreateMonitorParams>;

/** Which slice keys each source can honour (a key it cannot is refused, never ignored). */
export function sliceKeysOf(source: MonitorSource['kind']): readonly (keyof MonitorSlice)[] {
  switch (source) {
    case 'volume':
      return ['touchpoint', 'channel', 'team', 'segment', 'persona'];
    case 'contacts':
      return ['channel', 'team', 'reason', 'segment', 'persona'];
    case 'score':
      return ['touchpoint', 'channel', 'team', 'reason', 'segment', 'persona'];
  }
}

/** What a monitor's metric reads, or a refusal naming the metrics it can watch. */
export async function sourceOf(db: Store, metric: string): Promise<MonitorSource> {
  if (metric === 'volume' || metric === 'contacts') return { kind: metric };
  const m = await getMetric(db, metric);
  if (m.definition.type !== 'score')
    throw new TouchpointError(
      'invalid_input',
      `metric: a monitor watches volume, contacts or a score metric (csat, nps, ces or a stored score metric); ${metric} is a ${m.definition.type} metric`,
      { details: [{ field: 'metric', message: 'not a monitorable metric' }] },
    );
  const s = m.slice;
  return {
    kind: 'score',
    score: m.definition.kind,
    metricSlice: MonitorSlice.parse({
      ...(s.touchpoint ? { touchpoint: s.touchpoint } : {}),
      ...(s.channel ? { channel: s.channel } : {}),
      ...(s.segment ? { segment: s.segment } : {}),
      ...(s.persona ? { persona: s.persona } : {}),
    }),
  };
}

const SLICE_ORDER: readonly (keyof MonitorSlice)[] = [
  'touchpoint',
  'team',
  'reason',
  'channel',
  'segment',
  'persona',
];

/** A readable, stable id: `volume.touchpoint=checkout`, `csat.team=billing`. */
export function monitorIdOf(metric: string, slice: MonitorSlice, cadence: string): string {
  const parts = SLICE_ORDER.filter((k) => slice[k] !== undefined).map(
    (k) =>
      `${k}=${String(slice[k])
        .toLowerCase()
        .replace(/[^a-z0-9_.-]+/g, '-')}`,
  );
  return [metric, ...parts, ...(cadence === 'hourly' ? ['hourly'] : [])].join('.').slice(0, 120);
}

function nameOf(metric: string, slice: MonitorSlice, cadence: string): string {
  const what = metric === 'volume' ? 'Volume' : metric === 'contacts' ? 'Contacts' : metric.toUpperCase();
  const where = SLICE_ORDER.filter((k) => slice[k] !== undefined).map((k) => `${k} ${slice[k]}`);
  return `${what}${where.length ? ` — ${where.join(', ')}` : ''} (${cadence})`;
}

/** The team that owns a slice: its team, else the touchpoint's owner (any channel), else null. */
export async function ownerOfSlice(db: Store, slice: MonitorSlice): Promise<string | null> {
  if (slice.team) return slice.team;
  if (slice.touchpoint) {
    const r = await db.one<{ team: string }>(sql`SELECT team_id AS team FROM touchpoint_owners
      WHERE touchpoint = ${slice.touchpoint} AND (channel = '*' OR channel = ${slice.channel ?? null})
      ORDER BY CASE WHEN channel = '*' THEN 1 ELSE 0 END LIMIT 1`);
    if (r) return r.team;
  }
  if (slice.reason) {
    // the team that handles most of the reason's cases
    const r = await db.one<{ team: string }>(sql`SELECT owner_team AS team FROM cases
      WHERE reason = ${slice.reason} AND owner_team IS NOT NULL GROUP BY owner_team ORDER BY count(*) DESC, owner_team LIMIT 1`);
    if (r) return r.team;
  }
  return null;
}

function sliceOf(p: z.output<typeof CreateMonitorParams>): MonitorSlice {
  return MonitorSlice.parse(
    Object.fromEntries(SLICE_ORDER.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])),
  );
}

/** Checks a monitor's metric and slice against what its source can honour. */
export async function checkMonitor(db: Store, metric: string, slice: MonitorSlice): Promise<MonitorSource> {
  const source = await sourceOf(db, metric);
  const keys = sliceKeysOf(source.kind);
  for (const k of SLICE_ORDER)
    if (slice[k] !== undefined && !keys.includes(k))
      throw new TouchpointError(
        'invalid_input',
        `${k}: ${metric} cannot be sliced by ${k} (it can by ${keys.join(', ')})`,
        { details: [{ field: k, message: `not a slice of ${metric}` }] },
      );
  return source;
}

/** Stores a monitor. An id that exists is refused (a monitor's history belongs to its setting). */
export async function createMonitor(
  db: Store,
  params: CreateMonitorParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<Monitor> {
  const p = CreateMonitorParams.parse(params);
  const slice = sliceOf(p);
  await checkMonitor(db, p.metric, slice);
  if (p.method === 'threshold' && p.above === undefined && p.below === undefined)
    throw new TouchpointError('invalid_input', 'above: a threshold monitor needs --above or --below', {
      details: [{ field: 'above', message: 'no threshold' }],
    });
  const id = p.id ?? monitorIdOf(p.metric, slice, p.cadence);
  if (await db.one(sql`SELECT 1 FROM monitors WHERE id = ${id}`))
    throw new TouchpointError('conflict', `id: monitor ${id} exists; give another --id`, {
      details: [{ field: 'id', message: 'exists' }],
    });
  const owner = p.owner ?? (await ownerOfSlice(db, slice));
  const now = ctx.now ?? new Date();
  await db.transaction(async (tx) => {
    await tx.exec(sql`INSERT INTO monitors (id, name, metric, slice, cadence, method, alpha, min_n, above, below,
        owner_team, enabled, created_at, created_by)
      VALUES (${id}, ${p.name ?? nameOf(p.metric, slice, p.cadence)}, ${p.metric}, ${JSON.stringify(slice)}::JSON,
        ${p.cadence}, ${p.method}, ${p.alpha}, ${p.minN}, ${p.above ?? null}, ${p.below ?? null}, ${owner},
        true, ${now.toISOString()}::TIMESTAMP, ${ctx.actor ?? null})`);
  });
  return getMonitor(db, id);
}

interface MonitorRow {
  id: string;
  name: string;
  metric: string;
  slice: string;
  cadence: 'hourly' | 'daily';
  method: 'detector' | 'threshold';
  alpha: number;
  min_n: number;
  above: number | null;
  below: number | null;
  owner_team: string | null;
  enabled: boolean;
  created_at: string;
  created_by: string | null;
  last_run_at: string | null;
  last_period: string | null;
}

const COLUMNS = sql`id, name, metric, slice::VARCHAR AS slice, cadence, method, alpha, min_n, above, below,
  owner_team, enabled, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, created_by,
  strftime(last_run_at, '%Y-%m-%dT%H:%M:%SZ') AS last_run_at, strftime(last_period, '%Y-%m-%dT%H:%M:%SZ') AS last_period`;

function fromRow(r: MonitorRow): Monitor {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    slice: JSON.parse(r.slice) as MonitorSlice,
    cadence: r.cadence,
    method: r.method,
    alpha: r.alpha,
    minN: r.min_n,
    above: r.above,
    below: r.below,
    ownerTeam: r.owner_team,
    enabled: r.enabled,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastRunAt: r.last_run_at,
    lastPeriod: r.last_period,
  };
}

export async function listMonitors(db: Store): Promise<readonly Monitor[]> {
  const rows = await db.all<MonitorRow>(sql`SELECT ${COLUMNS} FROM monitors ORDER BY id`);
  return rows.map(fromRow);
}

export async function getMonitor(db: Store, id: string): Promise<Monitor> {
  const r = await db.one<MonitorRow>(sql`SELECT ${COLUMNS} FROM monitors WHERE id = ${id}`);
  if (!r) {
    const ids = (await db.all<{ id: string }>(sql`SELECT id FROM monitors ORDER BY id LIMIT 20`)).map(
      (x) => x.id,
    );
    throw new TouchpointError(
      'not_found',
      `monitor: no monitor ${JSON.stringify(id)}${ids.length ? ` (e.g. ${ids.slice(0, 5).join(', ')})` : ' (none yet: touchpoint monitors propose)'}`,
      { details: [{ field: 'monitor', message: 'unknown monitor' }] },
    );
  }
  return fromRow(r);
}

/** The smallest number of answers behind a tested day of a proposed team-CSAT monitor. */
export const PROPOSED_SCORE_MIN_N = 20;

/** A monitor the workspace would benefit from, not stored yet. */
export interface Proposal {
  readonly id: string;
  readonly name: string;
  readonly metric: string;
  readonly slice: MonitorSlice;
  readonly cadence: 'daily';
  readonly ownerTeam: string | null;
  /** Smallest n behind a tested point (scores). */
  readonly minN: number;
  readonly why: string;
  /** Already stored under this id. */
  readonly exists: boolean;
}

/**
 * The default monitors: each journey touchpoint's daily volume, each team's daily CSAT and contact
 * volume, and each contact reason's daily volume. Daily, detector at 1 % per series per week.
 */
export async function proposeMonitors(db: Store): Promise<readonly Proposal[]> {
  const [touchpoints, teams, reasons, existing, owners] = await Promise.all([
    db.all<{ v: string }>(sql`SELECT DISTINCT touchpoint AS v FROM journey_touchpoints ORDER BY 1`),
    db.all<{ v: string }>(sql`SELECT id AS v FROM teams ORDER BY 1`),
    db.all<{ v: string; team: string | null }>(sql`SELECT reason AS v,
        arg_max(owner_team, n) AS team FROM (SELECT reason, owner_team, count(*) AS n FROM cases
        WHERE reason IS NOT NULL GROUP BY ALL) GROUP BY reason ORDER BY 1`),
    db.all<{ id: string }>(sql`SELECT id FROM monitors`),
    db.all<{ touchpoint: string; team: string }>(
      sql`SELECT touchpoint, arg_min(team_id, CASE WHEN channel = '*' THEN 0 ELSE 1 END) AS team
        FROM touchpoint_owners GROUP BY touchpoint`,
    ),
  ]);
  const have = new Set(existing.map((r) => r.id));
  const owner = new Map(owners.map((o) => [o.touchpoint, o.team]));
  const out: Proposal[] = [];
  const add = (metric: string, slice: MonitorSlice, ownerTeam: string | null, why: string) => {
    const id = monitorIdOf(metric, slice, 'daily');
    out.push({
      id,
      name: nameOf(metric, slice, 'daily'),
      metric,
      slice,
      cadence: 'daily',
      ownerTeam,
      // a team's daily CSAT rests on tens of answers: 20 is no handful, and 30 would leave most
      // days of a mid-sized team untested (docs/decisions.md, "Default monitors")
      minN: metric === 'csat' ? PROPOSED_SCORE_MIN_N : 30,
      why,
      exists: have.has(id),
    });
  };
  for (const t of touchpoints)
    add(
      'volume',
      { touchpoint: t.v },
      owner.get(t.v) ?? null,
      'a journey touchpoint: a break shows first in its volume',
    );
  for (const t of teams) {
    add('csat', { team: t.v }, t.v, 'a team’s CSAT: a process or policy change sours its answers');
    add('contacts', { team: t.v }, t.v, 'a team’s contact volume: inflow it must absorb');
  }
  for (const r of reasons)
    add('contacts', { reason: r.v }, r.team, 'a contact reason’s volume: a spike names what broke upstream');
  return out;
}

export const AcceptParams = z.object({
  ids: z.array(z.string().min(1)).default([]).describe('the proposed monitor ids to store'),
  all: z.boolean().default(false).describe('store every proposed monitor not stored yet'),
});

/** Stores proposed monitors (the given ids, or all with --all); an id already stored is skipped. */
export async function acceptProposals(
  db: Store,
  p: z.output<typeof AcceptParams>,
  ctx: { now?: Date; actor?: string } = {},
): Promise<{ readonly created: readonly string[]; readonly skipped: readonly string[] }> {
  const proposals = await proposeMonitors(db);
  if (!p.all && p.ids.length === 0)
    throw new TouchpointError('invalid_input', 'ids: name proposed monitors to accept, or give --all', {
      details: [{ field: 'ids', message: 'nothing to accept' }],
    });
  const byId = new Map(proposals.map((x) => [x.id, x]));
  for (const id of p.ids)
    if (!byId.has(id))
      throw new TouchpointError(
        'not_found',
        `ids: ${id} is not a proposed monitor (touchpoint monitors propose)`,
        {
          details: [{ field: 'ids', message: 'not proposed' }],
        },
      );
  const chosen = p.all ? proposals : p.ids.map((id) => byId.get(id)!);
  const created: string[] = [];
  const skipped: string[] = [];
  for (const x of chosen) {
    if (x.exists) {
      skipped.push(x.id);
      continue;
    }
    await createMonitor(
      db,
      {
        metric: x.metric,
        id: x.id,
        name: x.name,
        ...x.slice,
        cadence: x.cadence,
        ...(x.ownerTeam ? { owner: x.ownerTeam } : {}),
      },
      ctx,
    );
    created.push(x.id);
  }
  return { created, skipped };
}
