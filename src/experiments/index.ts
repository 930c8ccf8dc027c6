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
export { operations } from './operations.js';
export { type PowerParams, type PowerResult, planExperiment } from './power.js';
