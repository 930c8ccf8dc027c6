import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { computeMetric, type MetricFigure, type MetricValue } from './compute-metric.js';
import {
  DefineMetricParams,
  defineMetric,
  getMetric,
  listMetrics,
  type Metric,
  type MetricFormat,
  MetricSlice,
} from './metrics.js';

/** A metric's value as people read it: 62.1 %, +12.0 points, 1.34. */
export function formatMetric(format: MetricFormat, v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (format === 'proportion') return `${(100 * v).toFixed(1)} %`;
  if (format === 'points') return `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

const describeSlice = (s: MetricSlice) =>
  Object.entries(s)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'all';

function metricRow(m: Metric) {
  return {
    id: m.id,
    version: m.version,
    name: m.name,
    type: m.definition.type,
    slice: describeSlice(m.slice),
    direction: m.higherIsBetter ? 'higher is better' : 'lower is better',
    origin: m.builtIn ? 'built-in' : `defined ${m.createdAt ?? ''}`,
  };
}

export const metricsOperation = defineOperation({
  area: 'experiments',
  verb: 'metrics',
  summary:
    'The metric registry: built-in and defined metrics (newest version of each) with their definitions',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({ metrics: await listMetrics(db) }),
  present: (r) => [{ rows: r.metrics.map(metricRow) }],
});

export const defineMetricOperation = defineOperation({
  area: 'experiments',
  verb: 'metric-define',
  summary: 'Define a metric in the registry (a new id, or a new version of an existing one)',
  params: DefineMetricParams,
  mode: 'write',
  run: (db, p, ctx) =>
    defineMetric(db, p, {
      ...(ctx.now ? { now: ctx.now() } : {}),
      ...(ctx.actor ? { actor: ctx.actor } : {}),
    }),
  present: (m) => [
    {
      text: `metric ${m.id} version ${m.version}: ${m.name} (${m.definition.type}, ${describeSlice(m.slice)})`,
    },
  ],
});

export const MetricValueParams = z.object({
  metric: z.string().min(1).describe('the metric id (experiments metrics lists them)'),
  version: z.number().int().min(1).optional().describe('a stored version (default the newest)'),
  from: TimeFrameParams.from,
  to: TimeFrameParams.to,
  by: z.enum(['month', 'segment']).optional().describe('one figure per month or per customer segment'),
  ...MetricSlice.shape,
});

const figureRow = (r: MetricValue, f: MetricFigure) => ({
  group: f.group ?? 'all',
  value: formatMetric(r.format, f.value),
  '95% interval': `${formatMetric(r.format, f.lo)} … ${formatMetric(r.format, f.hi)}`,
  n: f.n,
  customers: f.units,
  note: f.smallSample ? 'small sample' : '',
});

export const metricValueOperation = defineOperation({
  area: 'experiments',
  verb: 'metric',
  summary:
    'Compute a registry metric over a period and slice, overall and by month or segment, with 95 % intervals',
  params: MetricValueParams,
  mode: 'read',
  positional: ['metric'],
  run: async (db, p, ctx) =>
    computeMetric(db, await getMetric(db, p.metric, p.version), {
      from: p.from,
      to: p.to,
      groupBy: p.by,
      slice: { touchpoint: p.touchpoint, channel: p.channel, segment: p.segment, persona: p.persona },
      ...(ctx.now ? { now: ctx.now() } : {}),
    }),
  present: (r): readonly Section[] => [
    {
      title: `${r.name} (${r.metric} v${r.version}; ${describeSlice(r.slice)}; ${r.from ?? 'start'} → ${r.to ?? 'end'}; ${r.higherIsBetter ? 'higher' : 'lower'} is better)`,
      rows: [figureRow(r, r.overall), ...r.groups.map((g) => figureRow(r, g))],
    },
  ],
});

export const metricOperations = [metricsOperation, defineMetricOperation, metricValueOperation] as const;
