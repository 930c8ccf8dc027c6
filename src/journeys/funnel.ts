import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { FilterParams, filterSql, resolveFilters } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { validate } from '../core/params.js';
import { TimeFrameParams } from '../core/time.js';
import { join, raw, type SqlFragment, type Store, sql } from '../store/index.js';
import { type Dimension, dimensionName, dimensionSql, parseDimension } from './breakdown.js';
import {
  type Frame,
  HOUR,
  journeyEvents,
  journeyParam,
  loadJourney,
  PERSON,
  personOf,
  resolveFrame,
  round,
} from './journey.js';
import { type Rate, rate } from './rate.js';

export const FunnelParams = z.object({
  journey: journeyParam,
  level: z.enum(['stage', 'touchpoint']).default('stage').describe('steps are stages or touchpoints'),
  steps: z
    .array(z.string())
    .optional()
    .describe('ordered steps (default: the journey’s stages); required for touchpoint funnels'),
  windowDays: z
    .number()
    .positive()
    .default(30)
    .describe('every step must happen within this many days of step 1'),
  stepWindowDays: z
    .array(z.string())
    .optional()
    .describe('optional per-step windows in days, for steps 2..k, each measured from the previous step'),
  by: z
    .array(z.string())
    .max(2)
    .optional()
    .describe('break down by up to two of: channel, segment:FIELD, cohort, persona'),
  ...TimeFrameParams,
  ...FilterParams,
});
export type FunnelParams = z.input<typeof FunnelParams>;

export interface FunnelStep {
  readonly step: string;
  readonly position: number;
  /** People who did steps 1..k in order within the windows. */
  readonly reached: number;
  /** Reached k, not k+1, and the window for k+1 had not elapsed at as-of: not a drop-off. */
  readonly inProgress: number;
  /** Reached k, not k+1, window elapsed. Zero at the last step. */
  readonly droppedOff: number;
  /** reached_k / (reached_{k−1} − inProgress_{k−1}); null at step 1. */
  readonly stepConversion: Rate | null;
  /** reached_k / (reached_1 − Σ_{j<k} inProgress_j). */
  readonly absoluteConversion: Rate;
  /** Median hours from step k−1 to step k among people who reached k. */
  readonly medianHoursFromPrevious: number | null;
  readonly medianHoursFromStart: number | null;
}

export interface FunnelGroup {
  readonly key: Readonly<Record<string, string | null>>;
  readonly steps: readonly FunnelStep[];
}

export interface FunnelResult {
  readonly journey: string | null;
  readonly level: 'stage' | 'touchpoint';
  readonly steps: readonly string[];
  readonly windowDays: number;
  readonly stepWindowDays: readonly (number | null)[];
  readonly from: string | null;
  readonly to: string | null;
  readonly asOf: string;
  readonly by: readonly string[];
  readonly overall: readonly FunnelStep[];
  readonly groups: readonly FunnelGroup[];
}

const col = (name: string, k: number): SqlFragment => raw(`${name}${k}`);

interface Resolved {
  readonly steps: readonly string[];
  readonly level: 'stage' | 'touchpoint';
  readonly journey: string | null;
  readonly windowDays: number;
  readonly stepWindows: readonly (number | null)[];
  readonly frame: Frame;
  readonly source: SqlFragment;
}

/**
 * Per person: the matched time of every step (t1..tk), the deadline of every step (dl2..dlk) and
 * the entry channel, as a relation named `m`. Step 1 is the person's first step-1 event inside
 * [from, to); step k is the earliest step-k event at or after step k−1 (strictly after when the step
 * repeats an earlier one) and no later than its deadline = min(t1 + window, t_{k−1} + step window).
 * Events after as-of are ignored.
 */
export function matchSql(r: Resolved): SqlFragment {
  const { steps, frame } = r;
  const inRange = sql`ts >= coalesce(${frame.from}::TIMESTAMP, TIMESTAMP '-infinity') AND ts < coalesce(${frame.to}::TIMESTAMP, TIMESTAMP 'infinity')`;
  const lists = steps.slice(1).map((s, i) => sql`list(ts) FILTER (step_key = ${s}) AS ${col('l', i + 2)}`);
  const windowSeconds = Math.round(r.windowDays * 86400);
  let chain = sql`
    p AS (
      SELECT person,
        min(ts) FILTER (step_key = ${steps[0]!} AND ${inRange}) AS t1,
        arg_min(channel, ts) FILTER (step_key = ${steps[0]!} AND ${inRange}) AS entry_channel
        ${lists.length ? sql`, ${join(lists)}` : sql``}
      FROM (${r.source}) ev
      WHERE step_key IN (SELECT unnest(${steps as string[]}))
      GROUP BY person
    ),
    m1 AS (SELECT *, t1 + to_seconds(${windowSeconds}::BIGINT) AS deadline FROM p WHERE t1 IS NOT NULL)`;
  for (let k = 2; k <= steps.length; k++) {
    const w = r.stepWindows[k - 2];
    const repeated = steps.slice(0, k - 1).includes(steps[k - 1]!);
    const dl =
      w === null || w === undefined
        ? sql`deadline`
        : sql`least(deadline, ${col('t', k - 1)} + to_seconds(${Math.round(w * 86400)}::BIGINT))`;
    chain = sql`${chain},
    ${col('m', k)} AS (
      SELECT *, list_min(list_filter(${col('l', k)}, x -> x ${raw(repeated ? '>' : '>=')} ${col('t', k - 1)} AND x <= ${col('dl', k)})) AS ${col('t', k)}
      FROM (SELECT *, ${dl} AS ${col('dl', k)} FROM ${col('m', k - 1)}))`;
  }
  return sql`WITH ${chain}, m AS (SELECT * FROM ${col('m', steps.length)})`;
}

/** Aggregates over the matched relation `m` joined to customers as `c`, grouped by `dims`. */
function aggregates(steps: readonly string[], asOf: Date): SqlFragment {
  const parts: SqlFragment[] = [];
  for (let k = 1; k <= steps.length; k++) {
    parts.push(sql`count(${col('t', k)}) AS ${col('reached', k)}`);
    if (k < steps.length) {
      parts.push(
        sql`count(*) FILTER (${col('t', k)} IS NOT NULL AND ${col('t', k + 1)} IS NULL AND ${col('dl', k + 1)} > ${asOf}) AS ${col('inprog', k)}`,
      );
    }
    if (k > 1) {
      parts.push(sql`median(epoch(${col('t', k)}) - epoch(${col('t', k - 1)})) AS ${col('med', k)}`);
      parts.push(sql`median(epoch(${col('t', k)}) - epoch(t1)) AS ${col('medstart', k)}`);
    }
  }
  return join(parts);
}

type AggRow = Record<string, number | string | null>;

export function stepsFromRow(steps: readonly string[], row: AggRow): FunnelStep[] {
  const n = (name: string, k: number): number => Number(row[`${name}${k}`] ?? 0);
  const out: FunnelStep[] = [];
  let inProgressBefore = 0;
  for (let k = 1; k <= steps.length; k++) {
    const reached = n('reached', k);
    const inProgress = k < steps.length ? n('inprog', k) : 0;
    const next = k < steps.length ? n('reached', k + 1) : reached;
    const med = row[`med${k}`];
    const medStart = row[`medstart${k}`];
    out.push({
      step: steps[k - 1]!,
      position: k,
      reached,
      inProgress,
      droppedOff: k < steps.length ? reached - next - inProgress : 0,
      stepConversion: k === 1 ? null : rate(reached, n('reached', k - 1) - n('inprog', k - 1)),
      absoluteConversion: rate(reached, n('reached', 1) - inProgressBefore),
      medianHoursFromPrevious: k === 1 || med === null ? null : round(Number(med) / HOUR),
      medianHoursFromStart: k === 1 || medStart === null ? null : round(Number(medStart) / HOUR),
    });
    inProgressBefore += inProgress;
  }
  return out;
}

/** Resolves steps, windows, frame and the event source (person, ts, channel, step_key). */
export async function resolveFunnel(
  db: Store,
  params: z.output<typeof FunnelParams>,
): Promise<Resolved & { dims: Dimension[] }> {
  const frame = await resolveFrame(db, params);
  let steps = params.steps ?? [];
  let journey: string | null = null;
  let source: SqlFragment;
  if (params.level === 'stage') {
    const j = await loadJourney(db, params.journey);
    journey = j.id;
    if (steps.length === 0) steps = [...j.stages];
    const unknown = steps.filter((s) => !j.stages.includes(s));
    if (unknown.length > 0) {
      throw new TouchpointError('invalid_input', `steps: ${unknown[0]} is not a stage of journey ${j.id}`, {
        details: [{ field: 'steps', message: `stages: ${j.stages.join(', ')}` }],
      });
    }
    source = sql`SELECT person, ts, channel, stage AS step_key FROM (${journeyEvents(j, frame, { inboundOnly: true })})`;
  } else {
    if (steps.length === 0) {
      throw new TouchpointError('invalid_input', 'steps: a touchpoint funnel needs --steps', {
        details: [{ field: 'steps', message: 'list the touchpoints in order' }],
      });
    }
    source = sql`SELECT ${PERSON} AS person, ts, channel, touchpoint AS step_key FROM events WHERE direction = 'inbound' AND ts <= ${frame.asOf}`;
  }
  if (steps.length < 2) {
    throw new TouchpointError('invalid_input', 'steps: a funnel needs at least two steps', {
      details: [{ field: 'steps', message: 'at least two steps' }],
    });
  }
  const sw = params.stepWindowDays ?? [];
  if (sw.length > steps.length - 1) {
    throw new TouchpointError(
      'invalid_input',
      `stepWindowDays: at most ${steps.length - 1} windows (steps 2..k)`,
    );
  }
  const stepWindows = steps.slice(1).map((_, i) => {
    const s = sw[i];
    if (s === undefined || s === '' || s === '-') return null;
    const v = Number(s);
    if (!(v > 0))
      throw new TouchpointError('invalid_input', `stepWindowDays: ${s} is not a positive number of days`);
    return v;
  });
  const dims = (params.by ?? []).map(parseDimension);
  return {
    steps,
    level: params.level,
    journey,
    windowDays: params.windowDays,
    stepWindows,
    frame,
    source,
    dims,
  };
}

/**
 * Ordered funnel. A person is counted at step k when they did steps 1..k in that order, step 1
 * inside [from, to) (their first such event), every step within `windowDays` of step 1 and, when
 * given, within `stepWindowDays[k−2]` of step k−1. Timestamp ties count as in order. Only inbound
 * events are steps: an e-mail the company sends is not the customer moving on. People whose
 * window for the next step had not elapsed at as-of are in progress, never drop-offs.
 */
export async function getFunnel(db: Store, input: FunnelParams): Promise<FunnelResult> {
  const params = validate(FunnelParams, input);
  const r = await resolveFunnel(db, params);
  const dimSql = await Promise.all(r.dims.map((d) => dimensionSql(db, d, sql`m.entry_channel`, sql`m.t1`)));
  // the shared filters: a customer filter (segment, persona) keeps the people who are such customers
  // (anonymous visitors drop out); a channel filter keeps the people who entered on that channel
  const f = await resolveFilters(db, params);
  const customerFilter =
    f.segment !== null || f.persona !== null
      ? sql`m.person IN (SELECT ${personOf('c.id')} FROM customers c
          WHERE ${filterSql({ ...f, channel: null }, { customer: sql`c.id`, channel: sql`NULL` })})`
      : sql`true`;
  const where = sql`${customerFilter} AND ${f.channel !== null ? sql`m.entry_channel = ${f.channel}` : sql`true`}`;
  const dimCols = dimSql.map((d, i) => sql`${d} AS ${raw(`d${i + 1}`)}`);
  const groupCols = r.dims.map((_, i) => raw(`d${i + 1}`));
  const query = sql`${matchSql(r)},
    g AS (SELECT m.* ${dimCols.length ? sql`, ${join(dimCols)}` : sql``}
          FROM m ${r.dims.some((d) => d.kind !== 'channel') ? sql`LEFT JOIN customers c ON ${personOf('c.id')} = m.person` : sql``}
          WHERE ${where})
    SELECT ${groupCols.length ? sql`${join(groupCols)}, grouping(${join(groupCols)}) AS overall_flag,` : sql`0 AS overall_flag,`}
      ${aggregates(r.steps, r.frame.asOf)}
    FROM g
    ${groupCols.length ? sql`GROUP BY GROUPING SETS ((), (${join(groupCols)})) ORDER BY overall_flag DESC, reached1 DESC, ${join(groupCols)}` : sql``}`;
  const rows = await db.all<AggRow>(query);
  const names = r.dims.map(dimensionName);
  const overallRow = rows.find((x) => Number(x.overall_flag) !== 0 || groupCols.length === 0);
  const overall = overallRow ? stepsFromRow(r.steps, overallRow) : stepsFromRow(r.steps, {});
  const groups = rows
    .filter((x) => groupCols.length > 0 && Number(x.overall_flag) === 0)
    .map((x) => ({
      key: Object.fromEntries(names.map((nm, i) => [nm, (x[`d${i + 1}`] as string | null) ?? null])),
      steps: stepsFromRow(r.steps, x),
    }));
  return {
    journey: r.journey,
    level: r.level,
    steps: r.steps,
    windowDays: r.windowDays,
    stepWindowDays: r.stepWindows,
    from: r.frame.from?.toISOString() ?? null,
    to: r.frame.to?.toISOString() ?? null,
    asOf: r.frame.asOf.toISOString(),
    by: names,
    overall,
    groups,
  };
}

const pct = (x: Rate | null): string =>
  x === null || x.value === null
    ? ''
    : `${(100 * x.value).toFixed(1)}% [${(100 * (x.low ?? 0)).toFixed(1)}–${(100 * (x.high ?? 0)).toFixed(1)}]${x.smallSample ? ' *' : ''}`;

const stepRows = (steps: readonly FunnelStep[], key: Record<string, unknown> = {}) =>
  steps.map((s) => ({
    ...key,
    step: `${s.position}. ${s.step}`,
    reached: s.reached,
    'in progress': s.inProgress,
    'dropped off': s.droppedOff,
    'step conv.': pct(s.stepConversion),
    'overall conv.': pct(s.absoluteConversion),
    'median h': s.medianHoursFromPrevious,
  }));

export const funnelOperation = defineOperation({
  area: 'journey',
  verb: 'funnel',
  summary: 'Ordered funnel over stages or touchpoints with windows, in-progress people and breakdowns',
  params: FunnelParams,
  mode: 'read',
  cache: {},
  listField: 'groups',
  run: (db, params) => getFunnel(db, params),
  present: (r) => [
    {
      title: `Funnel ${r.steps.join(' → ')} (window ${r.windowDays} d, as of ${r.asOf.slice(0, 16)}; * small sample)`,
      rows: stepRows(r.overall),
    },
    ...(r.groups.length
      ? [{ title: `By ${r.by.join(' × ')}`, rows: r.groups.flatMap((g) => stepRows(g.steps, g.key)) }]
      : []),
  ],
});
