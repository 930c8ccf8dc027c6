import { z } from 'zod';
import { defineOperation, type Section } from '../core/operation.js';
import type { Store } from '../store/index.js';
import { loadCustomerTable } from './customer-table.js';
import type { FeatureSpec } from './features.js';
import { type EngineResult, iv, qualityRows, r3, runEngine } from './model.js';

export const ChurnModelParams = z.object({
  label: z
    .string()
    .min(1)
    .describe('the churn label: churned, churned_at, or an attribute with yes/no, true/false or 1/0 values'),
  cv: z.number().int().min(2).max(20).default(5).describe('folds of the cross-validation'),
  exclude: z.array(z.string()).default([]).describe('features to leave out'),
  seed: z.number().int().default(1).describe('seed of the fold assignment'),
  top: z
    .number()
    .int()
    .min(0)
    .max(500)
    .default(10)
    .describe('at-risk customers listed (label 0, highest risk)'),
});
export type ChurnModelParams = z.input<typeof ChurnModelParams>;

/** A published figure shown beside ours, on the data set it was published for. */
export interface Reference {
  readonly figure: string;
  readonly value: number;
  readonly source: string;
}

export interface ChurnModelResult extends Omit<EngineResult, 'fit'> {
  readonly label: string;
  readonly cv: number;
  readonly unlabelled: number;
  readonly features: readonly FeatureSpec[];
  readonly dropped: readonly { feature: string; reason: string }[];
  readonly references: readonly Reference[];
}

/**
 * The IBM Telco customer-churn sample (7,043 customers with `tenure` and `TotalCharges`): figures
 * published for it, shown beside ours (issue 20; docs/health.md §References).
 */
function references(features: readonly FeatureSpec[], rows: number): Reference[] {
  const names = new Set(features.map((f) => f.name));
  if (!(names.has('tenure') && names.has('TotalCharges') && rows === 7043)) return [];
  const src = 'IBM Telco churn sample, as measured in issue 20 with reference packages';
  return [
    { figure: 'logistic regression, 5-fold AUC (published ≈ 0.84)', value: 0.845, source: src },
    { figure: 'top-decile precision', value: 0.76, source: src },
    { figure: 'contract alone, AUC', value: 0.739, source: src },
    { figure: 'tenure alone, AUC', value: 0.74, source: src },
    { figure: 'an intuitive points score, AUC', value: 0.782, source: src },
  ];
}

/**
 * Cross-validated churn model on one row per customer (a CRM export imported as customers): every
 * typed column and attribute is a feature except the label, ids and the churn columns.
 */
export async function churnModel(db: Store, params: ChurnModelParams): Promise<ChurnModelResult> {
  const p = ChurnModelParams.parse(params);
  const table = await loadCustomerTable(db, p.label);
  const excluded = new Set(p.exclude);
  const features = table.features.filter((f) => !excluded.has(f.name));
  const { fit: _fit, ...engine } = runEngine(
    { ids: table.ids, records: table.records, y: table.y, features },
    { k: p.cv, seed: p.seed, atRisk: p.top },
  );
  return {
    label: p.label,
    cv: p.cv,
    unlabelled: table.unlabelled,
    features,
    dropped: [...table.dropped, ...p.exclude.map((f) => ({ feature: f, reason: 'excluded' }))],
    ...engine,
    references: references(features, engine.rows),
  };
}

export function presentChurnModel(r: ChurnModelResult): Section[] {
  return [
    {
      title: `Churn model: label ${r.label}, ${r.rows} customers (${r.positives} churned), ${r.cv}-fold cross-validation`,
      rows: qualityRows(r.models),
    },
    ...(r.references.length
      ? [
          {
            title: 'Published references for this data set',
            rows: r.references.map((x) => ({ figure: x.figure, value: x.value })),
          },
        ]
      : []),
    { title: 'Baselines (same folds)', rows: r.baselines.map((b) => ({ baseline: b.name, auc: iv(b.auc) })) },
    {
      title: 'Calibration of the logistic model (deciles of predicted risk)',
      rows: (r.models[0]?.reliability ?? []).map((b) => ({
        decile: b.bin,
        n: b.n,
        predicted: r3(b.meanPredicted),
        observed: iv({ value: b.observed, low: b.low, high: b.high }),
      })),
    },
    {
      title: 'Highest-risk customers not (yet) churned, with their top reasons',
      rows: r.atRisk.map((c) => ({
        customer: c.customer,
        risk: r3(c.risk),
        reasons: c.reasons
          .slice(0, 3)
          .map((x) => `${x.feature} +${r3(x.contribution)}`)
          .join(', '),
      })),
    },
  ];
}

export const churnModelOperation = defineOperation({
  area: 'health',
  verb: 'churn-model',
  summary:
    'Cross-validated churn model on customers and their attributes: AUC, top decile, calibration, at-risk list',
  params: ChurnModelParams,
  mode: 'read',
  run: (db, params) => churnModel(db, params),
  present: (r) => presentChurnModel(r),
});
