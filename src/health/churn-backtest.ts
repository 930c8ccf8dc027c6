import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type Section } from '../core/operation.js';
import type { Store } from '../store/index.js';
import { type Baseline, iv, type ModelQuality, qualityRows, trainAndTest } from './model.js';
import { asOfParam, resolveAsOf } from './population.js';
import { DEFAULT_FEATURES, datasetAt, type FeatureDefinition, touchpointFeatures } from './time-split.js';

export const ChurnBacktestParams = z.object({
  horizon: z
    .number()
    .int()
    .min(7)
    .max(365)
    .default(60)
    .describe('days after the cut-off in which churn is the label'),
  cutoff: asOfParam.describe('the test cut-off T, ISO time (default: the data’s end minus the horizon)'),
  cv: z
    .number()
    .int()
    .min(2)
    .max(20)
    .default(5)
    .describe('folds used to choose the penalty on the training cut-off'),
  touchpoints: z
    .number()
    .int()
    .min(0)
    .max(50)
    .default(12)
    .describe('per-touchpoint activity features: the busiest N touchpoints before the training cut-off'),
});
export type ChurnBacktestParams = z.input<typeof ChurnBacktestParams>;

export interface ChurnBacktestResult {
  /** Features as of `trainCutoff`, label = churn in [trainCutoff, testCutoff). */
  readonly trainCutoff: string;
  /** Features as of `testCutoff`, label = churn in [testCutoff, testCutoff + horizon). */
  readonly testCutoff: string;
  readonly horizonDays: number;
  readonly train: { readonly customers: number; readonly churned: number };
  readonly test: { readonly customers: number; readonly churned: number };
  readonly features: readonly string[];
  readonly models: readonly ModelQuality[];
  readonly baselines: readonly Baseline[];
}

/**
 * Time-based holdout of the churn model on event data (docs/health.md §Time split): trained on what
 * was known at T − h with churn in [T − h, T), tested on what was known at T with churn in [T, T + h).
 */
export async function churnBacktest(
  db: Store,
  params: ChurnBacktestParams,
  base: readonly FeatureDefinition[] = DEFAULT_FEATURES,
): Promise<ChurnBacktestResult> {
  const p = ChurnBacktestParams.parse(params);
  const h = p.horizon * 86_400_000;
  const test = p.cutoff
    ? await resolveAsOf(db, p.cutoff, 'cutoff')
    : new Date((await resolveAsOf(db, undefined)).getTime() - h);
  const end = await resolveAsOf(db, undefined);
  if (test.getTime() + h > end.getTime())
    throw new TouchpointError(
      'invalid_input',
      `cutoff: ${test.toISOString()} + ${p.horizon} days is after the data’s end ${end.toISOString()}; the label would be incomplete`,
      { details: [{ field: 'cutoff', message: 'too late for the horizon' }] },
    );
  const train = new Date(test.getTime() - h);
  const features = [...base, ...(await touchpointFeatures(db, train, p.touchpoints))];
  const trainSet = await datasetAt(db, train, p.horizon, features);
  const testSet = await datasetAt(db, test, p.horizon, features);
  const { models, baselines } = trainAndTest(trainSet, testSet, p.cv);
  const count = (y: Uint8Array) => y.reduce((s, v) => s + v, 0);
  return {
    trainCutoff: train.toISOString(),
    testCutoff: test.toISOString(),
    horizonDays: p.horizon,
    train: { customers: trainSet.y.length, churned: count(trainSet.y) },
    test: { customers: testSet.y.length, churned: count(testSet.y) },
    features: trainSet.features.map((f) => f.name),
    models,
    baselines,
  };
}

export function presentChurnBacktest(r: ChurnBacktestResult): Section[] {
  return [
    {
      title: `Churn model, time-based holdout: trained at ${r.trainCutoff} (${r.train.customers} customers, ${r.train.churned} churned in ${r.horizonDays} days), tested at ${r.testCutoff} (${r.test.customers}, ${r.test.churned} churned)`,
      rows: qualityRows(r.models),
    },
    {
      title: 'Each feature alone (same holdout)',
      rows: r.baselines.map((b) => ({ feature: b.name, auc: iv(b.auc) })),
    },
  ];
}

export const churnBacktestOperation = defineOperation({
  area: 'health',
  verb: 'churn-backtest',
  summary:
    'Churn model on event data with a time-based holdout: features as known at the cut-off, churn after it',
  params: ChurnBacktestParams,
  mode: 'read',
  run: (db, params) => churnBacktest(db, params),
  present: (r) => presentChurnBacktest(r),
});
