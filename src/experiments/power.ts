import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { durationDays, sampleSizeMean, sampleSizeProportion } from '../stats/index.js';

export const PowerParams = z.object({
  baseline: z
    .number()
    .positive()
    .describe('the control figure: a rate between 0 and 1 (conversion, retention), or a mean with --sd'),
  mde: z.number().positive().describe('minimum detectable effect, relative: 0.05 = a 5 % change'),
  traffic: z.number().positive().describe('units entering the experiment per day (all arms)'),
  sd: z.number().positive().optional().describe('standard deviation of a mean metric (omit for a rate)'),
  alpha: z.number().gt(0).lt(0.5).default(0.05).describe('two-sided significance level'),
  power: z.number().gt(0.5).lt(1).default(0.8).describe('chance of detecting an effect of size MDE'),
  arms: z.number().int().min(2).max(20).default(2).describe('arms including the control'),
  share: z.number().gt(0).max(1).default(1).describe('share of the traffic in the experiment'),
});
export type PowerParams = z.output<typeof PowerParams>;

export interface PowerResult {
  readonly metric: 'proportion' | 'mean';
  readonly baseline: number;
  /** the figure the treatment must reach: baseline × (1 + mde) */
  readonly target: number;
  readonly alpha: number;
  readonly power: number;
  readonly perArm: number;
  readonly total: number;
  readonly days: number;
}

/**
 * Sample size and duration before launch (docs/experiments.md): units per arm for a two-sided test
 * of each treatment against the control (R `power.prop.test` for rates, `power.t.test` for means),
 * and the days needed to enrol them from the daily traffic.
 */
export function planExperiment(p: PowerParams): PowerResult {
  const target = p.baseline * (1 + p.mde);
  if (p.sd === undefined && target >= 1)
    throw new TouchpointError(
      'invalid_input',
      `--mde: baseline × (1 + mde) = ${target} is not a rate below 1 (a mean metric needs --sd)`,
    );
  const n =
    p.sd === undefined
      ? sampleSizeProportion(p.baseline, p.mde, p.alpha, p.power)
      : sampleSizeMean(p.sd, p.baseline * p.mde, p.alpha, p.power);
  const perArm = Math.ceil(n);
  return {
    metric: p.sd === undefined ? 'proportion' : 'mean',
    baseline: p.baseline,
    target,
    alpha: p.alpha,
    power: p.power,
    perArm,
    total: perArm * p.arms,
    days: durationDays(perArm, p.arms, p.traffic, p.share),
  };
}
