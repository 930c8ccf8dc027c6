/**
 * Test and learn (docs/experiments.md): analyse an experiment run elsewhere and plan one before
 * launch. The statistics live in src/stats; this capability reads the data and presents the result.
 */
export {
  type AnalyzeParams,
  type AnalyzeResult,
  analyzeExperiment,
  type Decision,
  type MetricResult,
  type TreatmentResult,
} from './analyze.js';
export {
  AssignParams,
  armFor,
  assign,
  bucketOf,
  fnv1a32,
  ImportExposuresParams,
  importExposures,
} from './assign.js';
export {
  type ComputeMetricOptions,
  computeMetric,
  type MetricFigure,
  type MetricStats,
  type MetricValue,
} from './compute-metric.js';
export {
  DecideParams,
  decideExperiment,
  type LearningEntry,
  LearningLogParams,
  learningLog,
} from './decide.js';
export { type Look, type LooksResult, sequentialLooks } from './looks.js';
export {
  BUILT_IN_METRICS,
  DefineMetricParams,
  defineMetric,
  getMetric,
  listMetrics,
  type Metric,
  MetricDefinition,
  type MetricFormat,
  MetricSlice,
  metricVersions,
} from './metrics.js';
export { operations } from './operations.js';
export { type PowerParams, type PowerResult, planExperiment } from './power.js';
export { type KpiImpact, type ProgramEffect, type ProgramView, programView } from './program.js';
export {
  latestRemeasures,
  type Remeasure,
  RemeasureParams,
  remeasureDue,
  remeasureExperiment,
} from './remeasure.js';
export {
  type ArmResult,
  type ExperimentResults,
  experimentResults,
  type LiftResult,
  type MetricComparison,
  type Recommendation,
  ResultsParams,
} from './results.js';
export {
  CreateExperimentParams,
  createExperiment,
  type Experiment,
  experimentState,
  getExperiment,
  listExperiments,
  type MetricRef,
  type Variant,
} from './stored.js';
