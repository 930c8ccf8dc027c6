import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { SCORE_KINDS, SCORE_SCALES } from '../core/score-scales.js';
import { type Store, sql } from '../store/index.js';

/**
 * The metric registry (docs/experiments.md, "Metrics"): one typed definition per metric, owned here
 * and read by experiments, goals and (later) monitors. Built-in metrics exist in code; a user's
 * metrics are stored in `metrics`, one row per id and version (defining an id again adds a version;
 * the newest is the one computed, older ones stay readable).
 */

const name = z.string().min(1).max(200);

/** Which events count: a touchpoint, an event name, or both. */
export const EventMatch = z
  .object({
    touchpoint: name.optional(),
    event: name.optional().describe('the event name (events.name)'),
  })
  .strict();
export type EventMatch = z.infer<typeof EventMatch>;

const PropertyName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a property name: letters, digits and _')
  .describe('a key of events.properties');

const Side = EventMatch.extend({
  property: PropertyName.optional().describe('sum this property; without it, count the events'),
}).strict();

/** The typed definitions a metric can have. */
export const MetricDefinition = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('conversion'),
      reach: EventMatch.refine((m) => m.touchpoint !== undefined || m.event !== undefined, {
        message: 'name a touchpoint or an event to reach',
      }),
      withinDays: z.number().int().min(1).max(365).default(7),
    })
    .strict(),
  z.object({ type: z.literal('mean'), property: PropertyName, on: EventMatch.default({}) }).strict(),
  z.object({ type: z.literal('ratio'), numerator: Side, denominator: Side }).strict(),
  z
    .object({
      type: z.literal('quantile'),
      property: PropertyName,
      q: z.number().gt(0).lt(1),
      on: EventMatch.default({}),
    })
    .strict(),
  z.object({ type: z.literal('score'), kind: z.enum(SCORE_KINDS) }).strict(),
  z.object({ type: z.literal('contact_rate') }).strict(),
  z.object({ type: z.literal('handoffs_per_case') }).strict(),
  z.object({ type: z.literal('fcr') }).strict(),
  z
    .object({
      type: z.literal('followup_closure'),
      withinHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 90)
        .default(48),
    })
    .strict(),
  z.object({ type: z.literal('retention'), days: z.number().int().min(1).max(365) }).strict(),
  z
    .object({
      type: z.literal('revenue'),
      properties: z.array(PropertyName).min(1).default(['amount']),
      on: EventMatch.default({}),
    })
    .strict(),
]);
export type MetricDefinition = z.output<typeof MetricDefinition>;
export type MetricType = MetricDefinition['type'];

/** Where a metric is measured: a touchpoint, a channel, a segment, a persona (each optional). */
export const MetricSlice = z
  .object({
    touchpoint: name.optional(),
    channel: name.optional(),
    segment: name.optional(),
    persona: name.optional(),
  })
  .strict();
export type MetricSlice = z.infer<typeof MetricSlice>;

/** How a value reads: a share 0–1 (shown as %), NPS points −100…100, or a plain number. */
export type MetricFormat = 'proportion' | 'points' | 'number';

export interface Metric {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly definition: MetricDefinition;
  readonly slice: MetricSlice;
  readonly format: MetricFormat;
  /** Direction: whether a higher value is a better experience. */
  readonly higherIsBetter: boolean;
  readonly builtIn: boolean;
  readonly createdAt: string | null;
}

export const MetricId = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,62}$/,
    'a metric id: lower-case letters, digits, _ and -, starting with a letter',
  );

/** The format of a definition's value. */
export function formatOf(d: MetricDefinition): MetricFormat {
  switch (d.type) {
    case 'conversion':
    case 'fcr':
    case 'followup_closure':
    case 'retention':
      return 'proportion';
    case 'score':
      return d.kind === 'nps' ? 'points' : d.kind === 'csat' ? 'proportion' : 'number';
    default:
      return 'number';
  }
}

/**
 * Whether higher is better. Scores follow src/core/score-scales.ts (higher is better on all three);
 * contacts and handoffs are better low; a user's mean, ratio or quantile says so itself
 * (`lowerIsBetter`, e.g. a wait time or contacts per order).
 */
export function higherIsBetterOf(d: MetricDefinition, lowerIsBetter = false): boolean {
  switch (d.type) {
    case 'score':
      return SCORE_SCALES[d.kind].higherIsBetter;
    case 'contact_rate':
    case 'handoffs_per_case':
      return false;
    case 'mean':
    case 'ratio':
    case 'quantile':
    case 'revenue':
      return !lowerIsBetter;
    default:
      return true;
  }
}

function builtIn(
  id: string,
  nameText: string,
  description: string,
  definition: z.input<typeof MetricDefinition>,
  slice: MetricSlice = {},
): Metric {
  const d = MetricDefinition.parse(definition);
  return {
    id,
    version: 1,
    name: nameText,
    description,
    definition: d,
    slice,
    format: formatOf(d),
    higherIsBetter: higherIsBetterOf(d),
    builtIn: true,
    createdAt: null,
  };
}

/** Metrics every workspace has without defining them. */
export const BUILT_IN_METRICS: readonly Metric[] = [
  builtIn(
    'nps',
    'NPS',
    'Net Promoter Score of NPS answers: % promoters (9–10) − % detractors (0–6), points',
    {
      type: 'score',
      kind: 'nps',
    },
  ),
  builtIn('csat', 'CSAT', 'share of CSAT answers that are satisfied (4–5 of 1–5)', {
    type: 'score',
    kind: 'csat',
  }),
  builtIn('ces', 'CES', 'mean CES answer, 1–7, higher is easier', { type: 'score', kind: 'ces' }),
  builtIn(
    'fcr',
    'First-contact resolution',
    'closed cases never transferred, reassigned or reopened / closed cases',
    {
      type: 'fcr',
    },
  ),
  builtIn(
    'handoffs_per_case',
    'Handoffs per case',
    'team handoffs per case opened (cases capability definition)',
    {
      type: 'handoffs_per_case',
    },
  ),
  builtIn(
    'followup_closure_48h',
    '48 h follow-up closure',
    'follow-ups closed within 48 h of the answer / follow-ups closed or at least 48 h old',
    { type: 'followup_closure', withinHours: 48 },
  ),
  builtIn('contact_rate', 'Contact rate', 'cases opened per active customer (a customer with an event)', {
    type: 'contact_rate',
  }),
  builtIn(
    'revenue_per_customer',
    'Revenue per customer',
    'sum of properties.amount (else properties.value) over events, per active customer',
    { type: 'revenue', properties: ['amount', 'value'] },
  ),
  builtIn('retention_30d', '30-day retention', 'active again 30–60 days after the first event', {
    type: 'retention',
    days: 30,
  }),
];

interface MetricRow {
  id: string;
  version: number;
  name: string;
  description: string | null;
  definition: string;
  slice: string;
  created_at: string;
}

function fromRow(r: MetricRow): Metric {
  const raw = JSON.parse(r.definition) as { lowerIsBetter?: boolean } & Record<string, unknown>;
  const { lowerIsBetter, ...def } = raw;
  const d = MetricDefinition.parse(def);
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    description: r.description ?? '',
    definition: d,
    slice: MetricSlice.parse(JSON.parse(r.slice)),
    format: formatOf(d),
    higherIsBetter: higherIsBetterOf(d, lowerIsBetter === true),
    builtIn: false,
    createdAt: r.created_at,
  };
}

/** Every metric: the built-ins, then the newest version of each stored one (by id). */
export async function listMetrics(db: Store): Promise<readonly Metric[]> {
  const rows =
    await db.all<MetricRow>(sql`SELECT id, version, name, description, definition::VARCHAR AS definition,
      slice::VARCHAR AS slice, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at
    FROM metrics QUALIFY version = max(version) OVER (PARTITION BY id) ORDER BY id`);
  return [...BUILT_IN_METRICS, ...rows.map(fromRow)];
}

/** One metric by id (newest version, or the one asked for); refuses an unknown id with the list. */
export async function getMetric(db: Store, id: string, version?: number): Promise<Metric> {
  const b = BUILT_IN_METRICS.find((m) => m.id === id);
  if (b) return b;
  const row =
    await db.one<MetricRow>(sql`SELECT id, version, name, description, definition::VARCHAR AS definition,
      slice::VARCHAR AS slice, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at
    FROM metrics WHERE id = ${id} AND (${version ?? null}::INTEGER IS NULL OR version = ${version ?? null})
    ORDER BY version DESC LIMIT 1`);
  if (!row) {
    const known = (await listMetrics(db)).map((m) => m.id);
    throw new TouchpointError(
      'not_found',
      `metric: no metric ${JSON.stringify(id)}${version ? ` version ${version}` : ''} (known: ${known.join(', ')})`,
      { details: [{ field: 'metric', message: 'unknown metric' }] },
    );
  }
  return fromRow(row);
}

export const DefineMetricParams = z.object({
  id: MetricId.describe('the metric id (a new id, or an existing one to add a version)'),
  name: z.string().min(1).max(200).describe('the name people read'),
  description: z.string().max(2000).optional(),
  definition: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .describe(
      'the definition as JSON, e.g. {"type":"conversion","reach":{"touchpoint":"checkout"},"withinDays":7}; types: conversion, mean, ratio, quantile, score, contact_rate, handoffs_per_case, fcr, followup_closure, retention, revenue',
    ),
  lowerIsBetter: z.boolean().default(false).describe('a decrease is good (mean, ratio, quantile metrics)'),
  ...MetricSlice.shape,
});
export type DefineMetricParams = z.input<typeof DefineMetricParams>;

/** Parses a definition given as JSON text or an object, naming the field that is wrong. */
export function parseDefinition(input: string | Record<string, unknown>): MetricDefinition {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      throw new TouchpointError(
        'invalid_input',
        'definition: not JSON (e.g. {"type":"score","kind":"csat"})',
        {
          details: [{ field: 'definition', message: 'not JSON' }],
        },
      );
    }
  }
  const r = MetricDefinition.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const path = ['definition', ...i.path.map(String)].join('.');
    throw new TouchpointError('invalid_input', `${path}: ${i.message}`, {
      details: [{ field: path, message: i.message }],
    });
  }
  return r.data;
}

/** Stores a metric definition as a new version of its id. Built-in ids are reserved. */
export async function defineMetric(
  db: Store,
  params: DefineMetricParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<Metric> {
  const p = DefineMetricParams.parse(params);
  if (BUILT_IN_METRICS.some((m) => m.id === p.id))
    throw new TouchpointError('conflict', `id: ${p.id} is a built-in metric; choose another id`, {
      details: [{ field: 'id', message: 'built-in metric' }],
    });
  const d = parseDefinition(p.definition);
  const slice: MetricSlice = MetricSlice.parse({
    touchpoint: p.touchpoint,
    channel: p.channel,
    segment: p.segment,
    persona: p.persona,
  });
  const stored = { ...d, ...(p.lowerIsBetter ? { lowerIsBetter: true } : {}) };
  const now = ctx.now ?? new Date();
  await db.transaction(async (tx) => {
    const v = await tx.one<{ v: number }>(
      sql`SELECT coalesce(max(version), 0) + 1 AS v FROM metrics WHERE id = ${p.id}`,
    );
    await tx.exec(sql`INSERT INTO metrics VALUES (${p.id}, ${v?.v ?? 1}, ${p.name}, ${p.description ?? null},
      ${JSON.stringify(stored)}::JSON, ${JSON.stringify(slice)}::JSON, ${now.toISOString()}::TIMESTAMP, ${ctx.actor ?? null})`);
  });
  return getMetric(db, p.id);
}

/** The stored versions of one metric, oldest first. */
export async function metricVersions(db: Store, id: string): Promise<readonly Metric[]> {
  const rows =
    await db.all<MetricRow>(sql`SELECT id, version, name, description, definition::VARCHAR AS definition,
      slice::VARCHAR AS slice, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at
    FROM metrics WHERE id = ${id} ORDER BY version`);
  return rows.map(fromRow);
}
