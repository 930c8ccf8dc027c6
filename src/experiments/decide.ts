import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { type Store, sql } from '../store/index.js';
import { getMetric } from './metrics.js';
import { latestRemeasures, type Remeasure, remeasureDue } from './remeasure.js';
import { experimentResults } from './results.js';
import { type Experiment, experimentState, getExperiment, listExperiments } from './stored.js';

/**
 * The learning log (docs/experiments.md, "Decisions and the learning log"): each decided experiment
 * records its decision (ship, stop, iterate), who took it and why, and the primary metric's measured
 * effect at that moment (lift with its interval and p per treatment), beside the finding it addressed.
 */
export const DecideParams = z.object({
  id: z.string().min(1).describe('the experiment id'),
  decision: z.enum(['ship', 'stop', 'iterate']).describe('ship the treatment, stop it, or iterate on it'),
  note: z.string().max(2000).optional().describe('why'),
});
export type DecideParams = z.input<typeof DecideParams>;

export async function decideExperiment(
  db: Store,
  params: DecideParams,
  ctx: { now?: Date; actor?: string } = {},
): Promise<Experiment> {
  const p = DecideParams.parse(params);
  const e = await getExperiment(db, p.id);
  if (e.decision)
    throw new TouchpointError(
      'conflict',
      `experiment ${e.id} was decided already (${e.decision} on ${e.decidedAt})`,
      {
        details: [{ field: 'id', message: 'decided' }],
      },
    );
  const now = ctx.now ?? new Date();
  const r = await experimentResults(db, { id: e.id }, { now });
  const primary = r.metrics.find((m) => m.role === 'primary')!;
  const measured = {
    metric: primary.metric,
    version: primary.version,
    format: primary.format,
    pBasis: r.pBasis,
    exposures: r.exposures,
    srmP: r.srm.p,
    arms: primary.arms,
    lifts: primary.lifts.map((l) => ({
      arm: l.arm,
      absolute: l.absolute,
      relative: l.relative,
      p: l.pAdjusted,
    })),
    recommendation: r.recommendations,
  };
  await db.exec(sql`UPDATE experiments SET decision = ${p.decision}, decided_at = ${now.toISOString()}::TIMESTAMP,
    decided_by = ${ctx.actor ?? null}, decision_note = ${p.note ?? null}, measured = ${JSON.stringify(measured)}::JSON
    WHERE id = ${e.id}`);
  return getExperiment(db, e.id);
}

/** With several filters an entry matches when any does (a finding's id, its touchpoint or its theme). */
export const LearningLogParams = z.object({
  finding: z
    .string()
    .optional()
    .describe('experiments that addressed this finding (its id, or the theme named)'),
  touchpoint: z.string().optional().describe('experiments whose primary metric is sliced to this touchpoint'),
  theme: z.string().optional().describe('experiments that addressed this theme'),
});

export interface LearningEntry {
  readonly id: string;
  readonly name: string;
  readonly hypothesis: string;
  readonly finding: string | null;
  readonly theme: string | null;
  readonly start: string;
  readonly end: string | null;
  readonly decision: Experiment['decision'];
  readonly decidedAt: string | null;
  readonly note: string | null;
  readonly measured: Experiment['measured'];
  /** The primary metric's touchpoint slice (where on the journey the change was tried), if any. */
  readonly touchpoint: string | null;
  readonly metric: string;
  /** Shipped: when the post-rollout re-measure becomes possible (28 days after the decision). */
  readonly remeasureDue: string | null;
  /** The latest re-measure ("did the fix work"), if taken. */
  readonly remeasure: Remeasure | null;
}

export async function learningLog(
  db: Store,
  params: z.input<typeof LearningLogParams> = {},
): Promise<{ entries: readonly LearningEntry[] }> {
  const p = LearningLogParams.parse(params);
  const all = await listExperiments(db);
  const re = await latestRemeasures(db);
  const entries: LearningEntry[] = [];
  for (const e of all) {
    if (e.decision === null) continue;
    const metric = await getMetric(db, e.primary.id, e.primary.version);
    const touchpoint = metric.slice.touchpoint ?? null;
    const filtered = p.finding !== undefined || p.touchpoint !== undefined || p.theme !== undefined;
    const matches =
      (p.finding !== undefined && (e.finding === p.finding || e.theme === p.finding)) ||
      (p.touchpoint !== undefined && touchpoint === p.touchpoint) ||
      (p.theme !== undefined && e.theme === p.theme);
    if (filtered && !matches) continue;
    entries.push({
      id: e.id,
      name: e.name,
      hypothesis: e.hypothesis,
      finding: e.finding,
      theme: e.theme,
      start: e.start,
      end: e.end,
      decision: e.decision,
      decidedAt: e.decidedAt,
      note: e.decisionNote,
      measured: e.measured,
      touchpoint,
      metric: metric.id,
      remeasureDue: remeasureDue(e),
      remeasure: re.get(e.id) ?? null,
    });
  }
  return { entries };
}

export { experimentState };
