import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type ShrinkageResult, shrinkEffects, wilson, Z95 } from '../stats/index.js';
import type { Store } from '../store/index.js';
import { getMetric, type MetricFormat } from './metrics.js';
import { experimentResults } from './results.js';
import { type Experiment, experimentState, listExperiments } from './stored.js';

/**
 * The program view (docs/experiments.md, "The program"): across experiments, the win rate, the
 * distribution of effects on their primary metrics, each effect shrunk for the winner's curse
 * (empirical Bayes toward the program mean, `stats/shrinkage.ts`), and the cumulative impact of the
 * shipped ones on the KPI each targets.
 *
 * One effect per treatment arm: a decided experiment contributes the effect frozen at its decision
 * (the learning log), an undecided one its current result. Effects are relative lifts of the primary
 * metric **oriented so that positive is good** (a lower-is-better metric's lift is negated), so the
 * program mean means "how much does a typical change help". The shipped impact on a KPI is the shrunk
 * relative lift × the control's value, in the KPI's own unit, summed over the shipped experiments in
 * decision order (assumes the effects add and persist; the re-measure checks that they did).
 */
export const ProgramParams = z.object({});

export interface ProgramEffect {
  readonly experiment: string;
  readonly name: string;
  readonly arm: string;
  readonly state: ReturnType<typeof experimentState>;
  readonly decision: Experiment['decision'];
  readonly decidedAt: string | null;
  readonly finding: string | null;
  readonly metric: string;
  readonly metricName: string;
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  /** Control's value of the primary metric (its unit). */
  readonly control: number;
  /** Relative lift in the good direction, as measured, with its 95 % interval. */
  readonly raw: { readonly value: number; readonly low: number; readonly high: number; readonly se: number };
  /** The same after shrinkage. */
  readonly shrunk: {
    readonly value: number;
    readonly low: number;
    readonly high: number;
    readonly se: number;
  };
  readonly shrinkage: number;
  readonly units: number;
}

export interface KpiImpact {
  readonly metric: string;
  readonly metricName: string;
  readonly format: MetricFormat;
  readonly higherIsBetter: boolean;
  /** Running total in the KPI's unit (good direction positive), one step per shipped experiment. */
  readonly steps: readonly {
    readonly experiment: string;
    readonly decidedAt: string;
    readonly impact: number;
    readonly low: number;
    readonly high: number;
    readonly cumulative: number;
    readonly cumulativeLow: number;
    readonly cumulativeHigh: number;
  }[];
}

export interface ProgramView {
  readonly experiments: number;
  readonly decided: number;
  readonly shipped: number;
  /** Shipped ÷ decided, Wilson 95 % interval; null before any decision. */
  readonly winRate: {
    readonly value: number;
    readonly low: number;
    readonly high: number;
    readonly n: number;
  } | null;
  readonly shrinkage: Omit<ShrinkageResult, 'effects'> & { readonly reference: string };
  readonly effects: readonly ProgramEffect[];
  readonly impact: readonly KpiImpact[];
  /** Experiments left out, with the reason (no exposures yet, no finite lift). */
  readonly skipped: readonly { readonly experiment: string; readonly reason: string }[];
}

interface Measured {
  metric: string;
  version: number;
  arms: { arm: string; units: number; value: number | null }[];
  lifts: { arm: string; relative: { value: number; low: number; high: number } }[];
  recommendation?: { arm: string; decision: string }[];
}

interface RawEffect {
  e: Experiment;
  arm: string;
  metricId: string;
  version: number;
  control: number;
  units: number;
  rel: { value: number; low: number; high: number };
  shipArm: boolean;
}

export async function programView(db: Store, ctx: { now?: Date } = {}): Promise<ProgramView> {
  const now = ctx.now ?? new Date();
  const all = await listExperiments(db);
  const raw: RawEffect[] = [];
  const skipped: { experiment: string; reason: string }[] = [];
  for (const e of all) {
    let m: Measured;
    if (e.measured) m = e.measured as Measured;
    else {
      try {
        const r = await experimentResults(db, { id: e.id }, { now });
        const p = r.metrics.find((x) => x.role === 'primary')!;
        m = {
          metric: p.metric,
          version: p.version,
          arms: p.arms.map((a) => ({ arm: a.arm, units: a.units, value: a.value })),
          lifts: p.lifts.map((l) => ({ arm: l.arm, relative: l.relative })),
          recommendation: r.recommendations.map((x) => ({ arm: x.arm, decision: x.decision })),
        };
      } catch (err) {
        if (err instanceof TouchpointError) {
          skipped.push({ experiment: e.id, reason: err.message });
          continue;
        }
        throw err;
      }
    }
    const control = m.arms[0]?.value;
    const lifts = m.lifts.filter(
      (l) =>
        Number.isFinite(l.relative.value) &&
        Number.isFinite(l.relative.low) &&
        l.relative.high > l.relative.low,
    );
    if (control === null || control === undefined || lifts.length === 0) {
      skipped.push({ experiment: e.id, reason: 'no finite lift on the primary metric yet' });
      continue;
    }
    // the arm a ship decision shipped: the one recommended for shipping, else the best one
    const recommended = m.recommendation?.find((x) => x.decision === 'ship')?.arm;
    const best = [...lifts].sort((a, b) => b.relative.value - a.relative.value)[0]!.arm;
    for (const l of lifts)
      raw.push({
        e,
        arm: l.arm,
        metricId: m.metric,
        version: m.version,
        control,
        units: (m.arms[0]?.units ?? 0) + (m.arms.find((a) => a.arm === l.arm)?.units ?? 0),
        rel: l.relative,
        shipArm: e.decision === 'ship' && l.arm === (recommended ?? best),
      });
  }
  const metricInfo = new Map<string, Awaited<ReturnType<typeof getMetric>>>();
  for (const r of raw) {
    const key = `${r.metricId}@${r.version}`;
    if (!metricInfo.has(key)) metricInfo.set(key, await getMetric(db, r.metricId, r.version));
  }
  const oriented = raw.map((r) => {
    const info = metricInfo.get(`${r.metricId}@${r.version}`)!;
    const sign = info.higherIsBetter ? 1 : -1;
    const se = (r.rel.high - r.rel.low) / (2 * Z95);
    const value = sign * r.rel.value;
    return { r, info, raw: { value, low: value - Z95 * se, high: value + Z95 * se, se } };
  });
  const s = shrinkEffects(oriented.map((o) => ({ value: o.raw.value, se: o.raw.se })));
  const effects: ProgramEffect[] = oriented.map((o, i) => {
    const x = s.effects[i]!;
    return {
      experiment: o.r.e.id,
      name: o.r.e.name,
      arm: o.r.arm,
      state: experimentState(o.r.e, now),
      decision: o.r.e.decision,
      decidedAt: o.r.e.decidedAt,
      finding: o.r.e.finding ?? o.r.e.theme,
      metric: o.info.id,
      metricName: o.info.name,
      format: o.info.format,
      higherIsBetter: o.info.higherIsBetter,
      control: o.r.control,
      raw: o.raw,
      shrunk: { value: x.value, low: x.low, high: x.high, se: x.se },
      shrinkage: x.shrinkage,
      units: o.r.units,
    };
  });
  // cumulative shipped impact per KPI, in decision order, in the KPI's unit
  const byKpi = new Map<string, ProgramEffect[]>();
  const shippedEffects = effects
    .filter((_ef, i) => oriented[i]!.r.shipArm)
    .sort((a, b) => (a.decidedAt ?? '').localeCompare(b.decidedAt ?? ''));
  for (const ef of shippedEffects) byKpi.set(ef.metric, [...(byKpi.get(ef.metric) ?? []), ef]);
  const impact: KpiImpact[] = [...byKpi.values()].map((list) => {
    let sum = 0;
    let v = 0;
    const steps = list.map((ef) => {
      const scale = Math.abs(ef.control);
      const d = ef.shrunk.value * scale;
      const se = ef.shrunk.se * scale;
      sum += d;
      v += se * se;
      return {
        experiment: ef.experiment,
        decidedAt: ef.decidedAt!,
        impact: d,
        low: d - Z95 * se,
        high: d + Z95 * se,
        cumulative: sum,
        cumulativeLow: sum - Z95 * Math.sqrt(v),
        cumulativeHigh: sum + Z95 * Math.sqrt(v),
      };
    });
    const f = list[0]!;
    return {
      metric: f.metric,
      metricName: f.metricName,
      format: f.format,
      higherIsBetter: f.higherIsBetter,
      steps,
    };
  });
  const decided = all.filter((e) => e.decision !== null).length;
  const shipped = all.filter((e) => e.decision === 'ship').length;
  const w = decided > 0 ? wilson(shipped, decided) : null;
  return {
    experiments: all.length,
    decided,
    shipped,
    winRate: w,
    shrinkage: {
      method: s.method,
      k: s.k,
      mean: s.mean,
      tau: s.tau,
      reference:
        s.method === 'empirical-bayes'
          ? 'empirical Bayes toward the program mean: DerSimonian & Laird 1986 τ², Morris 1983 shrinkage (James–Stein with equal variances)'
          : `fewer than 4 effects: each shrunk toward zero by the proper prior N(0, 0.3²) on relative lift`,
    },
    effects,
    impact,
    skipped,
  };
}
