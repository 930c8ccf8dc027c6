import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type Estimate, relativeLift } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { computeMetric, type MetricFigure } from './compute-metric.js';
import { getMetric, type MetricFormat } from './metrics.js';
import { compareArms } from './results.js';
import { type Experiment, getExperiment } from './stored.js';

/**
 * Re-measure after a fix ships (docs/experiments.md, "Re-measure after a fix ships"): "did the fix
 * work" once it reached everyone. The experiment's primary metric — the same registry definition,
 * version and slice, over every customer rather than the exposed ones — in the `days` before the
 * experiment started (the state before anyone saw the change) against the `days` after the ship
 * decision (the rollout), compared as two independent groups by the comparison `experiments results`
 * uses (two-proportion z for a customer-level share, Welch on delta-method variances otherwise).
 *
 * Not a randomised comparison: anything else that changed between the two windows (season, mix,
 * another fix) is in the difference; the result says so, and sets it beside the experiment's own
 * randomised effect so a reader sees whether the rollout kept what the test promised. A customer
 * present in both windows counts in both (the groups are treated as independent, which understates the
 * variance a little when many customers repeat).
 */
export const RemeasureParams = z.object({
  id: z.string().min(1).describe('the shipped experiment'),
  days: z.number().int().min(7).max(365).default(28).describe('length of the before and after windows'),
});
export type RemeasureParams = z.input<typeof RemeasureParams>;

export interface RemeasureSide {
  readonly from: string;
  readonly to: string;
  readonly value: number | null;
  readonly lo: number | null;
  readonly hi: number | null;
  readonly n: number;
  readonly units: number;
}

export interface Remeasure {
  readonly experiment: string;
  readonly metric: string;
  readonly version: number;
  readonly metricName: string;
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  readonly days: number;
  readonly measuredAt: string;
  readonly before: RemeasureSide;
  readonly after: RemeasureSide;
  /** After − before in the metric's unit (NPS points for points), with its 95 % interval. */
  readonly change: Estimate;
  readonly relative: Estimate;
  readonly p: number;
  /** `improved` / `worse` when p < 0.05 in the good / bad direction, else `no detectable change`. */
  readonly verdict: 'improved' | 'worse' | 'no detectable change';
  /** The experiment's randomised relative lift of the shipped arm, when the decision recorded one. */
  readonly experimentLift: Estimate | null;
  readonly caveat: string;
}

const DAY = 86_400_000;

/** The date a shipped experiment's re-measure becomes possible: decision + days. Null when not shipped. */
export function remeasureDue(e: Experiment, days = 28): string | null {
  if (e.decision !== 'ship' || !e.decidedAt) return null;
  return new Date(new Date(e.decidedAt).getTime() + days * DAY).toISOString();
}

const side = (f: MetricFigure, from: Date, to: Date): RemeasureSide => ({
  from: from.toISOString(),
  to: to.toISOString(),
  value: f.value,
  lo: f.lo,
  hi: f.hi,
  n: f.n,
  units: f.units,
});

export async function remeasureExperiment(
  db: Store,
  params: RemeasureParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<Remeasure> {
  const p = RemeasureParams.parse(params);
  const e = await getExperiment(db, p.id);
  if (e.decision !== 'ship' || !e.decidedAt)
    throw new TouchpointError(
      'invalid_input',
      `id: ${e.id} was not shipped (${e.decision ?? 'no decision yet'}); only a shipped fix is re-measured`,
      { details: [{ field: 'id', message: 'not shipped' }] },
    );
  const now = ctx.now ?? new Date();
  const due = new Date(remeasureDue(e, p.days)!);
  if (due > now)
    throw new TouchpointError(
      'unavailable',
      `${e.id}: the ${p.days}-day window after the rollout ends on ${due.toISOString().slice(0, 10)}; re-measure then`,
    );
  const metric = await getMetric(db, e.primary.id, e.primary.version);
  if (metric.definition.type === 'quantile')
    throw new TouchpointError(
      'invalid_input',
      `id: ${e.id}'s primary metric is a quantile; not re-measured`,
      {
        details: [{ field: 'id', message: 'quantile primary metric' }],
      },
    );
  const start = new Date(e.start);
  const shipped = new Date(e.decidedAt);
  const bFrom = new Date(start.getTime() - p.days * DAY);
  const before = await computeMetric(db, metric, { from: bFrom.toISOString(), to: start.toISOString(), now });
  const after = await computeMetric(db, metric, {
    from: shipped.toISOString(),
    to: due.toISOString(),
    now,
  });
  const b = before.overall;
  const a = after.overall;
  if (b.n === 0 || a.n === 0 || b.stats.units < 2 || a.stats.units < 2)
    throw new TouchpointError(
      'unavailable',
      `${e.id}: ${metric.id} has ${b.n} observation(s) before the experiment and ${a.n} after the rollout; nothing to compare`,
    );
  const cmp = compareArms(metric.format, b, a);
  const scale = metric.format === 'points' ? 100 : 1;
  const good = metric.higherIsBetter ? cmp.absolute.value > 0 : cmp.absolute.value < 0;
  const verdict = cmp.p < 0.05 ? (good ? 'improved' : 'worse') : 'no detectable change';
  const m = e.measured as {
    lifts?: { arm: string; relative: Estimate }[];
    recommendation?: { arm: string; decision: string }[];
  } | null;
  const shipArm = m?.recommendation?.find((r) => r.decision === 'ship')?.arm;
  const lifts = m?.lifts ?? [];
  const lift =
    lifts.find((l) => l.arm === shipArm) ??
    [...lifts].sort((x, y) => y.relative.value - x.relative.value)[0] ??
    null;
  const rel = relativeLift(cmp.control, cmp.treatment);
  const out: Remeasure = {
    experiment: e.id,
    metric: metric.id,
    version: metric.version,
    metricName: metric.name,
    format: metric.format,
    higherIsBetter: metric.higherIsBetter,
    days: p.days,
    measuredAt: now.toISOString(),
    before: side(b, bFrom, start),
    after: side(a, shipped, due),
    change: {
      value: scale * cmp.absolute.value,
      low: scale * cmp.absolute.low,
      high: scale * cmp.absolute.high,
    },
    relative: { value: rel.value, low: rel.low, high: rel.high },
    p: cmp.p,
    verdict,
    experimentLift: lift ? lift.relative : null,
    caveat:
      'before/after, not randomised: anything else that changed between the two windows is in the difference',
  };
  await db.exec(sql`INSERT OR REPLACE INTO experiment_remeasures (experiment_id, measured_at, measured_by, days, result)
    VALUES (${e.id}, ${now.toISOString()}::TIMESTAMP, ${ctx.actor ?? null}, ${p.days}, ${JSON.stringify(out)}::JSON)`);
  return out;
}

/** The latest re-measure of each experiment. */
export async function latestRemeasures(db: Store): Promise<Map<string, Remeasure>> {
  const rows = await db.all<{ experiment_id: string; result: string }>(sql`
    SELECT experiment_id, result::VARCHAR AS result FROM experiment_remeasures
    QUALIFY row_number() OVER (PARTITION BY experiment_id ORDER BY measured_at DESC) = 1`);
  return new Map(rows.map((r) => [r.experiment_id, JSON.parse(r.result) as Remeasure]));
}
