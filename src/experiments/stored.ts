import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { instant, resolveInstant } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { getMetric } from './metrics.js';

/**
 * Stored experiments (docs/experiments.md, "Stored experiments"): the hypothesis, the finding or theme
 * it addresses, the arms and their weights, the dates, the primary and guardrail metrics of the
 * registry (pinned to the version current at creation) and the decision criteria — all declared before
 * launch, so the decision can never come from whichever metric looks best afterwards.
 */
export interface Variant {
  readonly name: string;
  readonly weight: number;
}

export interface MetricRef {
  readonly id: string;
  readonly version: number;
}

/** Declared at creation; `decide` and `results` read nothing else. */
export interface Criteria {
  /** Significance level of the primary metric (Holm-adjusted over the treatments) and of guardrails. */
  readonly alpha: number;
  /** Sample-ratio mismatch threshold (χ² p below it blocks any ship recommendation). */
  readonly srmThreshold: number;
}

export interface Experiment {
  readonly id: string;
  readonly name: string;
  readonly hypothesis: string;
  readonly finding: string | null;
  readonly theme: string | null;
  /** First is the control. */
  readonly variants: readonly Variant[];
  readonly start: string;
  readonly end: string | null;
  readonly primary: MetricRef;
  readonly guardrails: readonly MetricRef[];
  readonly criteria: Criteria;
  readonly owner: string;
  readonly createdAt: string;
  readonly decision: 'ship' | 'stop' | 'iterate' | null;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly decisionNote: string | null;
  /** The primary metric's measured effect when the decision was taken (the learning log). */
  readonly measured: unknown;
}

const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and -');

export const CreateExperimentParams = z.object({
  id: Slug.describe('the experiment id, also its assignment key'),
  name: z.string().min(1).max(200),
  hypothesis: z
    .string()
    .min(1)
    .max(2000)
    .describe('what should change and why ("a delivery-day SMS raises CSAT at delivery")'),
  finding: z.string().min(1).optional().describe('the finding it addresses (findings list)'),
  theme: z.string().min(1).optional().describe('the theme it addresses'),
  variants: z
    .array(z.string().min(1))
    .min(2)
    .describe('arms with weights, the control first: control=50,sms=50 (no weight: equal)'),
  start: instant.describe('first day of exposure'),
  end: instant.optional().describe('planned end (results before it use the always-valid interval)'),
  primary: z.string().min(1).describe('the primary metric (a registry id)'),
  guardrails: z.array(z.string().min(1)).default([]).describe('guardrail metrics (registry ids)'),
  alpha: z.number().gt(0).lt(0.5).default(0.05).describe('significance level declared before launch'),
  owner: z.string().min(1).max(200),
});
export type CreateExperimentParams = z.input<typeof CreateExperimentParams>;

export function parseVariants(items: readonly string[]): Variant[] {
  const out = items.map((v, i) => {
    const m = /^([A-Za-z0-9_.-]{1,60})(?:=(\d+(?:\.\d+)?))?$/.exec(v.trim());
    if (!m || (m[2] !== undefined && Number(m[2]) <= 0))
      throw new TouchpointError(
        'invalid_input',
        `variants: ${JSON.stringify(v)} is not NAME or NAME=WEIGHT with a positive weight (e.g. control=50)`,
        { details: [{ field: `variants.${i}`, message: 'not NAME=WEIGHT' }] },
      );
    return { name: m[1]!, weight: m[2] === undefined ? 1 : Number(m[2]) };
  });
  const names = new Set(out.map((v) => v.name));
  if (names.size !== out.length)
    throw new TouchpointError('invalid_input', 'variants: two arms share a name', {
      details: [{ field: 'variants', message: 'duplicate arm' }],
    });
  return out;
}

interface Row {
  id: string;
  name: string;
  hypothesis: string;
  finding_id: string | null;
  theme: string | null;
  variants: string;
  start_at: string;
  end_at: string | null;
  primary_metric: string;
  guardrails: string;
  criteria: string;
  owner: string;
  created_at: string;
  decision: Experiment['decision'];
  decided_at: string | null;
  decided_by: string | null;
  decision_note: string | null;
  measured: string | null;
}

const SELECT = sql`SELECT id, name, hypothesis, finding_id, theme, variants::VARCHAR AS variants,
    strftime(start_at, '%Y-%m-%dT%H:%M:%SZ') AS start_at, strftime(end_at, '%Y-%m-%dT%H:%M:%SZ') AS end_at,
    primary_metric::VARCHAR AS primary_metric, guardrails::VARCHAR AS guardrails, criteria::VARCHAR AS criteria,
    owner, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, decision,
    strftime(decided_at, '%Y-%m-%dT%H:%M:%SZ') AS decided_at, decided_by, decision_note, measured::VARCHAR AS measured
  FROM experiments`;

function fromRow(r: Row): Experiment {
  return {
    id: r.id,
    name: r.name,
    hypothesis: r.hypothesis,
    finding: r.finding_id,
    theme: r.theme,
    variants: JSON.parse(r.variants),
    start: r.start_at,
    end: r.end_at,
    primary: JSON.parse(r.primary_metric),
    guardrails: JSON.parse(r.guardrails),
    criteria: JSON.parse(r.criteria),
    owner: r.owner,
    createdAt: r.created_at,
    decision: r.decision,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    decisionNote: r.decision_note,
    measured: r.measured === null ? null : JSON.parse(r.measured),
  };
}

export async function getExperiment(db: Store, id: string): Promise<Experiment> {
  const r = await db.one<Row>(sql`${SELECT} WHERE id = ${id}`);
  if (!r)
    throw new TouchpointError(
      'not_found',
      `experiment: no experiment ${JSON.stringify(id)} (experiments list)`,
      {
        details: [{ field: 'experiment', message: 'unknown experiment' }],
      },
    );
  return fromRow(r);
}

export async function listExperiments(db: Store): Promise<readonly Experiment[]> {
  return (await db.all<Row>(sql`${SELECT} ORDER BY start_at DESC, id`)).map(fromRow);
}

/** Running before the end (or without one), finished after it; `decided` once a decision is recorded. */
export function experimentState(e: Experiment, now: Date): 'planned' | 'running' | 'finished' | 'decided' {
  if (e.decision) return 'decided';
  if (new Date(e.start) > now) return 'planned';
  return e.end !== null && new Date(e.end) <= now ? 'finished' : 'running';
}

export async function createExperiment(
  db: Store,
  params: CreateExperimentParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<Experiment> {
  const p = CreateExperimentParams.parse(params);
  const variants = parseVariants(p.variants);
  const pin = async (id: string, field: string): Promise<MetricRef> => {
    try {
      const m = await getMetric(db, id);
      return { id: m.id, version: m.version };
    } catch (e) {
      if (e instanceof TouchpointError)
        throw new TouchpointError(e.code, e.message.replace(/^metric:/, `${field}:`), { cause: e });
      throw e;
    }
  };
  const primary = await pin(p.primary, 'primary');
  const guardrails: MetricRef[] = [];
  for (const g of p.guardrails) guardrails.push(await pin(g, 'guardrails'));
  const start = (await resolveInstant(db, p.start, 'start'))!;
  const end = await resolveInstant(db, p.end, 'end');
  if (end && end <= start)
    throw new TouchpointError('invalid_input', 'end: must be after start', {
      details: [{ field: 'end', message: 'not after start' }],
    });
  const exists = await db.one<{ id: string }>(sql`SELECT id FROM experiments WHERE id = ${p.id}`);
  if (exists)
    throw new TouchpointError(
      'conflict',
      `id: experiment ${p.id} exists; choose another id (its assignment key)`,
      {
        details: [{ field: 'id', message: 'exists' }],
      },
    );
  const criteria: Criteria = { alpha: p.alpha, srmThreshold: 0.001 };
  const now = ctx.now ?? new Date();
  await db.exec(sql`INSERT INTO experiments (id, name, hypothesis, finding_id, theme, variants, start_at, end_at,
      primary_metric, guardrails, criteria, owner, created_at, created_by)
    VALUES (${p.id}, ${p.name}, ${p.hypothesis}, ${p.finding ?? null}, ${p.theme ?? null}, ${JSON.stringify(variants)}::JSON,
      ${start.toISOString()}::TIMESTAMP, ${end?.toISOString() ?? null}::TIMESTAMP, ${JSON.stringify(primary)}::JSON,
      ${JSON.stringify(guardrails)}::JSON, ${JSON.stringify(criteria)}::JSON, ${p.owner}, ${now.toISOString()}::TIMESTAMP,
      ${ctx.actor ?? null})`);
  return getExperiment(db, p.id);
}
