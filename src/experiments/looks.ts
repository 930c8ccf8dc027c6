import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { resolveInstant, TimeFrameParams } from '../core/time.js';
import { sequentialInterval } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { computeMetric } from './compute-metric.js';
import { getMetric } from './metrics.js';
import { compareArms } from './results.js';
import { getExperiment } from './stored.js';

/**
 * The sequential boundary over time (docs/experiments.md, "The sequential boundary"): the primary
 * metric's test statistic z = Δ̂/se at each daily look — computed exactly as `experiments results`
 * computes it, on the exposures and records before the end of that day — against the boundary of the
 * always-valid confidence sequence the results use (`stats/sequential.ts`, Howard et al. 2021), put on
 * the z scale: b(n) = half-width(n)/se(n) = √(2(nρ² + 1)/(nρ²) · ln(√(nρ² + 1)/α)).
 *
 * One mixing ρ for every look, tuned for the units at the last look, so the last point is exactly the
 * figure `experiments results` shows and the earlier ones lie on the same boundary. The fixed-horizon
 * boundary (|z| = 1.96 at α = 0.05) is drawn beside it: crossing that one early is what peeking abuses.
 * At most 60 looks: a longer experiment is looked at on evenly spaced days. A look with fewer than 30
 * units in an arm is drawn but never counted as a crossing (the normal approximation does not hold).
 */
export const LooksParams = z.object({
  id: z.string().min(1).describe('the experiment id'),
  to: TimeFrameParams.to,
});

export interface Look {
  readonly day: string;
  readonly units: number;
  readonly estimate: number;
  readonly se: number;
  readonly z: number;
  /** Always-valid boundary on the z scale (±). */
  readonly boundary: number;
  /** Fixed-horizon boundary on the z scale (±), for comparison. */
  readonly fixed: number;
  readonly low: number;
  readonly high: number;
  /** Always-valid p at this look. */
  readonly p: number;
  /** Fewer than 30 units in an arm (DESIGN.md §6): drawn, but never counted as a crossing. */
  readonly smallSample: boolean;
  readonly crossed: boolean;
}

export interface LooksResult {
  readonly experiment: string;
  readonly metric: string;
  readonly metricName: string;
  readonly arm: string;
  readonly alpha: number;
  readonly tuning: number;
  readonly looks: readonly Look[];
  /** First look whose statistic crossed the always-valid boundary, or null. */
  readonly firstCrossing: string | null;
  /** First look whose statistic crossed the fixed-horizon boundary (a peeker would have stopped here). */
  readonly firstFixedCrossing: string | null;
}

const DAY = 86_400_000;
export const MAX_LOOKS = 60;
/** Units per arm below which a look is a small sample (DESIGN.md §6). */
const MIN_UNITS = 30;

export async function sequentialLooks(
  db: Store,
  params: z.input<typeof LooksParams>,
  ctx: { now?: Date } = {},
): Promise<LooksResult> {
  const p = LooksParams.parse(params);
  const e = await getExperiment(db, p.id);
  const metric = await getMetric(db, e.primary.id, e.primary.version);
  if (metric.definition.type === 'quantile')
    throw new TouchpointError(
      'invalid_input',
      `id: ${e.id}'s primary metric is a quantile; its interval has no sequential form`,
      {
        details: [{ field: 'id', message: 'quantile primary metric' }],
      },
    );
  const last = await db.one<{ t: string | null }>(
    sql`SELECT strftime(max(exposed_at), '%Y-%m-%dT%H:%M:%SZ') AS t FROM experiment_exposures WHERE experiment_id = ${e.id}`,
  );
  if (!last?.t) throw new TouchpointError('unavailable', `experiment ${e.id}: no exposures yet`);
  const now = ctx.now ?? new Date();
  const asked = (await resolveInstant(db, p.to, 'to')) ?? null;
  const endMs = Math.min(
    asked?.getTime() ?? Number.POSITIVE_INFINITY,
    e.end ? new Date(e.end).getTime() : Number.POSITIVE_INFINITY,
    now.getTime(),
  );
  const startDay = Math.floor(new Date(e.start).getTime() / DAY) * DAY;
  const days = Math.max(1, Math.ceil((endMs - startDay) / DAY));
  const step = Math.max(1, Math.ceil(days / MAX_LOOKS));
  const cuts: number[] = [];
  for (let d = step; d < days; d += step) cuts.push(startDay + d * DAY);
  cuts.push(Number.isFinite(endMs) ? endMs : startDay + days * DAY);
  const [control, ...treatments] = e.variants.map((v) => v.name);
  const arm = treatments[0]!;
  const raw: { day: string; units: number; small: boolean; estimate: number; varEstimate: number }[] = [];
  for (const [i, cut] of cuts.entries()) {
    // the last look is the results' own figure: the same `to` (none = all records so far)
    const to = i === cuts.length - 1 ? (p.to ?? undefined) : new Date(cut).toISOString();
    const v = await computeMetric(db, metric, { experiment: e.id, to });
    const c = v.groups.find((g) => g.group === control);
    const t = v.groups.find((g) => g.group === arm);
    if (!c || !t || c.stats.units < 2 || t.stats.units < 2 || c.n === 0 || t.n === 0) continue;
    const cmp = compareArms(metric.format, c, t);
    raw.push({
      day: new Date(cut - 1).toISOString().slice(0, 10),
      units: c.stats.units + t.stats.units,
      small: Math.min(c.stats.units, t.stats.units) < MIN_UNITS,
      estimate: cmp.absolute.value,
      varEstimate: cmp.control.varMean + cmp.treatment.varMean,
    });
  }
  const tuning = raw.at(-1)?.units ?? 0;
  const alpha = 0.05;
  const scale = metric.format === 'points' ? 100 : 1;
  const looks: Look[] = raw
    .filter((r) => r.varEstimate > 0)
    .map((r) => {
      const se = Math.sqrt(r.varEstimate);
      const s = sequentialInterval(r.estimate, r.varEstimate, r.units, { tuning, alpha });
      const z = r.estimate / se;
      const boundary = s.halfWidth / se;
      return {
        day: r.day,
        units: r.units,
        estimate: scale * r.estimate,
        se: scale * se,
        z,
        boundary,
        fixed: 1.959963984540054,
        low: scale * s.low,
        high: scale * s.high,
        p: s.p,
        smallSample: r.small,
        crossed: !r.small && Math.abs(z) > boundary,
      };
    });
  return {
    experiment: e.id,
    metric: metric.id,
    metricName: metric.name,
    arm,
    alpha,
    tuning,
    looks,
    firstCrossing: looks.find((l) => l.crossed)?.day ?? null,
    firstFixedCrossing: looks.find((l) => !l.smallSample && Math.abs(l.z) > l.fixed)?.day ?? null,
  };
}
