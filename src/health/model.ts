import { TouchpointError } from '../core/errors.js';
import { type Auc, aucDeLong, brier, type ReliabilityBin, reliability, topFraction } from '../stats/auc.js';
import {
  contributions,
  fitLogistic,
  type LogisticFit,
  predictLogistic,
  stratifiedFolds,
} from '../stats/logistic.js';
import {
  type Encoder,
  type EncoderOptions,
  type FeatureSpec,
  fitEncoder,
  type RawValue,
  univariateAuc,
} from './features.js';

/**
 * The churn model engine (docs/health.md §Churn model): given one record per customer and a 0/1
 * label, it cross-validates two regularised logistic regressions — linear, and binned numerics with
 * pairwise interactions — choosing the L2 penalty by out-of-fold log loss, and scores the out-of-fold
 * predictions (AUC with DeLong interval, top-decile precision and recall, Brier, reliability). The
 * encoding (levels, means, bin edges, interaction picks) is fitted inside each training fold.
 */

/** The L2 penalties tried, largest first (each fit warm-starts the next). */
export const LAMBDAS = [100, 10, 1, 0.1] as const;

/** A feature that alone ranks churners this well is taken for the outcome in disguise. */
export const LEAKAGE_AUC = 0.95;

export interface ModelQuality {
  readonly model: 'logistic' | 'binned + interactions';
  readonly lambda: number;
  readonly auc: Auc;
  readonly topDecile: ReturnType<typeof topFraction>;
  readonly brier: number;
  readonly reliability: readonly ReliabilityBin[];
  /** Interactions used (picked per fold; those of the last fold shown). */
  readonly interactions: readonly string[];
}

export interface Baseline {
  readonly name: string;
  readonly auc: Auc;
}

export interface Reason {
  readonly feature: string;
  /** Contribution to the log-odds, from the average customer. */
  readonly contribution: number;
}

export interface CustomerRisk {
  readonly customer: string;
  readonly risk: number;
  /** b₀ + Σ b x̄: the log-odds of an average customer. */
  readonly baseline: number;
  /** Per feature; baseline + Σ contributions = the customer's log-odds. */
  readonly reasons: readonly Reason[];
}

export interface EngineInput {
  readonly ids: readonly string[];
  readonly records: readonly ReadonlyMap<string, RawValue>[];
  readonly y: Uint8Array;
  readonly features: readonly FeatureSpec[];
}

export interface EngineOptions {
  readonly k: number;
  readonly seed?: number;
  readonly baselines?: boolean;
  readonly atRisk?: number;
}

export interface EngineResult {
  readonly rows: number;
  readonly positives: number;
  readonly models: readonly ModelQuality[];
  readonly baselines: readonly Baseline[];
  readonly coefficients: readonly { column: string; coefficient: number }[];
  readonly atRisk: readonly CustomerRisk[];
  readonly fit: { readonly encoder: Encoder; readonly fit: LogisticFit };
}

type Kind = ModelQuality['model'];

function encoderOptions(
  kind: Kind,
  features: readonly FeatureSpec[],
  train: readonly ReadonlyMap<string, RawValue>[],
  y: Uint8Array,
): EncoderOptions {
  if (kind === 'logistic') return {};
  const ranked = features
    .map((f) => ({ f, auc: univariateAuc(f, train, y) }))
    .sort((a, b) => b.auc - a.auc)
    .slice(0, 3)
    .map((r) => r.f.name);
  const interactions: [string, string][] = [];
  for (let i = 0; i < ranked.length; i++)
    for (let j = i + 1; j < ranked.length; j++) interactions.push([ranked[i] as string, ranked[j] as string]);
  return { bins: 5, interactions };
}

function logLoss(p: readonly number[], y: Uint8Array): number {
  let s = 0;
  p.forEach((v, i) => {
    const q = Math.min(1 - 1e-12, Math.max(1e-12, v));
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  });
  return s / p.length;
}

/** Out-of-fold predictions of one model kind at each λ. */
function outOfFold(
  input: EngineInput,
  folds: Int32Array,
  k: number,
  kind: Kind,
  lambdas: readonly number[],
  features: readonly FeatureSpec[] = input.features,
): { byLambda: number[][]; interactions: string[] } {
  const n = input.records.length;
  const byLambda = lambdas.map(() => new Array<number>(n).fill(0));
  let interactions: string[] = [];
  for (let f = 0; f < k; f++) {
    const trainIdx: number[] = [];
    const testIdx: number[] = [];
    for (let i = 0; i < n; i++) (folds[i] === f ? testIdx : trainIdx).push(i);
    if (testIdx.length === 0 || trainIdx.length === 0) continue;
    const trainRecords = trainIdx.map((i) => input.records[i] as ReadonlyMap<string, RawValue>);
    const trainY = Uint8Array.from(trainIdx.map((i) => input.y[i] ?? 0));
    const opts = encoderOptions(kind, features, trainRecords, trainY);
    interactions = (opts.interactions ?? []).map(([a, b]) => `${a} × ${b}`);
    const enc = fitEncoder(features, trainRecords, opts);
    const xTrain = trainRecords.map((r) => enc.encode(r));
    const xTest = testIdx.map((i) => enc.encode(input.records[i] as ReadonlyMap<string, RawValue>));
    let start: readonly number[] | undefined;
    lambdas.forEach((lambda, li) => {
      const fit = fitLogistic(xTrain, trainY, { lambda, ...(start ? { start } : {}) });
      start = fit.standardised;
      const out = byLambda[li] as number[];
      testIdx.forEach((i, t) => {
        out[i] = predictLogistic(fit, xTest[t] as Float64Array);
      });
    });
  }
  return { byLambda, interactions };
}

function quality(
  kind: Kind,
  lambda: number,
  p: number[],
  y: Uint8Array,
  interactions: string[],
): ModelQuality {
  return {
    model: kind,
    lambda,
    auc: aucDeLong(p, y),
    topDecile: topFraction(p, y, 0.1),
    brier: brier(p, y),
    reliability: reliability(p, y, 10),
    interactions,
  };
}

/** Refuses a feature that alone separates churners almost perfectly (the label under another name). */
export function guardLeakage(input: EngineInput): void {
  for (const f of input.features) {
    const auc = univariateAuc(f, input.records, input.y);
    if (auc > LEAKAGE_AUC)
      throw new TouchpointError(
        'invalid_input',
        `feature "${f.name}" alone ranks churners with AUC ${auc.toFixed(3)} (> ${LEAKAGE_AUC}): it looks like the outcome recorded another way (leakage); leave it out with --exclude ${f.name}`,
        { details: [{ field: f.name, message: 'suspected leakage' }] },
      );
  }
}

/** The unit-weight "red flag" score: one point per feature on its riskier side (training fold rates). */
function pointsScore(input: EngineInput, folds: Int32Array, k: number): number[] {
  const n = input.records.length;
  const score = new Array<number>(n).fill(0);
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    for (let i = 0; i < n; i++) if (folds[i] !== f) train.push(i);
    const base = train.reduce((s, i) => s + (input.y[i] ?? 0), 0) / Math.max(1, train.length);
    for (const spec of input.features) {
      let flag: (v: RawValue) => boolean;
      if (spec.kind === 'numeric') {
        const vals = train
          .map((i) => input.records[i]?.get(spec.name))
          .filter((v): v is number => typeof v === 'number')
          .sort((a, b) => a - b);
        const median = vals[Math.floor(vals.length / 2)] ?? 0;
        let hiK = 0;
        let hiN = 0;
        for (const i of train) {
          const v = input.records[i]?.get(spec.name);
          if (typeof v === 'number' && v > median) {
            hiN++;
            hiK += input.y[i] ?? 0;
          }
        }
        const highIsRisky = hiN > 0 && hiK / hiN > base;
        flag = (v) => typeof v === 'number' && (highIsRisky ? v > median : v <= median);
      } else {
        const rates = new Map<string, { k: number; n: number }>();
        for (const i of train) {
          const key = String(input.records[i]?.get(spec.name) ?? null);
          const r = rates.get(key) ?? { k: 0, n: 0 };
          r.n++;
          r.k += input.y[i] ?? 0;
          rates.set(key, r);
        }
        flag = (v) => {
          const r = rates.get(String(v ?? null));
          return r !== undefined && r.k / r.n > base;
        };
      }
      for (let i = 0; i < n; i++)
        if (folds[i] === f && flag(input.records[i]?.get(spec.name) ?? null)) score[i] = (score[i] ?? 0) + 1;
    }
  }
  return score;
}

export function runEngine(input: EngineInput, o: EngineOptions): EngineResult {
  const n = input.records.length;
  const positives = input.y.reduce((s, v) => s + v, 0);
  if (positives < o.k || n - positives < o.k)
    throw new TouchpointError(
      'invalid_input',
      `the label has ${positives} churned and ${n - positives} retained customers: too few for ${o.k}-fold cross-validation`,
    );
  guardLeakage(input);
  const folds = stratifiedFolds(input.y, o.k, o.seed ?? 1);
  const models: ModelQuality[] = [];
  let chosen = LAMBDAS[0] as number;
  for (const kind of ['logistic', 'binned + interactions'] as const) {
    const { byLambda, interactions } = outOfFold(input, folds, o.k, kind, LAMBDAS);
    let best = 0;
    byLambda.forEach((p, i) => {
      if (logLoss(p, input.y) < logLoss(byLambda[best] as number[], input.y)) best = i;
    });
    const lambda = LAMBDAS[best] as number;
    if (kind === 'logistic') chosen = lambda;
    models.push(quality(kind, lambda, byLambda[best] as number[], input.y, interactions));
  }
  const baselines: Baseline[] = [];
  if (o.baselines !== false) {
    for (const f of input.features) {
      const { byLambda } = outOfFold(input, folds, o.k, 'logistic', [1], [f]);
      baselines.push({ name: `${f.name} alone`, auc: aucDeLong(byLambda[0] as number[], input.y) });
    }
    baselines.sort((a, b) => b.auc.value - a.auc.value);
    baselines.push({
      name: 'unit-weight points score (1 point per feature on its riskier side)',
      auc: aucDeLong(pointsScore(input, folds, o.k), input.y),
    });
  }
  // the model a user applies: linear, fitted on every row at the chosen penalty
  const encoder = fitEncoder(input.features, input.records);
  const x = input.records.map((r) => encoder.encode(r));
  const fit = fitLogistic(x, input.y, { lambda: chosen });
  const coefficients = encoder.columns.map((c, j) => ({
    column: c.label,
    coefficient: fit.coefficients[j + 1] ?? 0,
  }));
  const atRisk = input.ids
    .map((id, i) => ({ id, i, risk: predictLogistic(fit, x[i] as Float64Array) }))
    .filter((r) => input.y[r.i] === 0)
    .sort((a, b) => b.risk - a.risk || (a.id < b.id ? -1 : 1))
    .slice(0, o.atRisk ?? 10)
    .map((r) => explain(encoder, fit, r.id, x[r.i] as Float64Array));
  return { rows: n, positives, models, baselines, coefficients, atRisk, fit: { encoder, fit } };
}

/** A customer's risk and the features behind it, contributions summed per feature, largest first. */
export function explain(
  encoder: Encoder,
  fit: LogisticFit,
  customer: string,
  row: Float64Array,
): CustomerRisk {
  const c = contributions(fit, row);
  const byFeature = new Map<string, number>();
  encoder.columns.forEach((col, j) => {
    byFeature.set(col.feature, (byFeature.get(col.feature) ?? 0) + (c.contributions[j] ?? 0));
  });
  const reasons = [...byFeature.entries()]
    .map(([feature, contribution]) => ({ feature, contribution }))
    .sort((a, b) => b.contribution - a.contribution);
  return { customer, risk: predictLogistic(fit, row), baseline: c.baseline, reasons };
}

/**
 * Time-based holdout: each model kind picks λ by k-fold CV on `train` (the earlier cut-off), is fitted
 * on all of `train` (encoder included) and scored on `test` (the later cut-off), which it never saw.
 */
export function trainAndTest(
  train: EngineInput,
  test: EngineInput,
  k: number,
  seed = 1,
): { models: ModelQuality[]; baselines: Baseline[] } {
  guardLeakage(train);
  const folds = stratifiedFolds(train.y, k, seed);
  const models: ModelQuality[] = [];
  for (const kind of ['logistic', 'binned + interactions'] as const) {
    const { byLambda } = outOfFold(train, folds, k, kind, LAMBDAS);
    let best = 0;
    byLambda.forEach((p, i) => {
      if (logLoss(p, train.y) < logLoss(byLambda[best] as number[], train.y)) best = i;
    });
    const lambda = LAMBDAS[best] as number;
    const opts = encoderOptions(kind, train.features, train.records, train.y);
    const enc = fitEncoder(train.features, train.records, opts);
    const fit = fitLogistic(
      train.records.map((r) => enc.encode(r)),
      train.y,
      { lambda },
    );
    const p = test.records.map((r) => predictLogistic(fit, enc.encode(r)));
    models.push(
      quality(
        kind,
        lambda,
        p,
        test.y,
        (opts.interactions ?? []).map(([a, b]) => `${a} × ${b}`),
      ),
    );
  }
  const baselines: Baseline[] = train.features.map((f) => {
    const enc = fitEncoder([f], train.records);
    const fit = fitLogistic(
      train.records.map((r) => enc.encode(r)),
      train.y,
      { lambda: 1 },
    );
    return {
      name: `${f.name} alone`,
      auc: aucDeLong(
        test.records.map((r) => predictLogistic(fit, enc.encode(r))),
        test.y,
      ),
    };
  });
  baselines.sort((a, b) => b.auc.value - a.auc.value);
  return { models, baselines };
}

/** Three decimals, for the terminal. */
export const r3 = (v: number): number => Number(v.toFixed(3));
/** A figure with its interval, for the terminal: `0.845 [0.836, 0.855]`. */
export const iv = (a: { value: number; low: number; high: number }): string =>
  `${r3(a.value)} [${r3(a.low)}, ${r3(a.high)}]`;

/** One row per model: AUC, top-decile precision and recall with intervals, Brier (both churn verbs). */
export function qualityRows(models: readonly ModelQuality[]): Record<string, unknown>[] {
  return models.map((m) => ({
    model: m.model,
    lambda: m.lambda,
    auc: iv(m.auc),
    'top-decile precision': iv(m.topDecile.precision),
    'top-decile recall': iv(m.topDecile.recall),
    brier: r3(m.brier),
  }));
}
