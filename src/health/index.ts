export {
  BusinessCaseParams,
  type BusinessCaseResult,
  businessCaseOperation,
  DEFAULT_COST_PER_CONTACT,
  getBusinessCase,
} from './business-case.js';
export {
  ChurnBacktestParams,
  type ChurnBacktestResult,
  churnBacktest,
  churnBacktestOperation,
} from './churn-backtest.js';
export { ChurnModelParams, type ChurnModelResult, churnModel, churnModelOperation } from './churn-model.js';
export { EngagementParams, type EngagementResult, engagementOperation, getEngagement } from './engagement.js';
export {
  DEFAULT_RULES_YAML,
  getLifecycle,
  LifecycleParams,
  type LifecycleResult,
  LifecycleRules,
  lifecycleOperation,
  STAGES,
} from './lifecycle.js';
export { getRetention, RetentionParams, type RetentionResult, retentionOperation } from './retention.js';
export {
  DEFAULT_WEIGHTS,
  getRisk,
  getScore,
  RiskParams,
  riskOperation,
  ScoreParams,
  type ScoreResult,
  scoreOperation,
} from './score.js';
export {
  ScoreHistoryParams,
  type ScoreHistoryPoint,
  SnapshotParams,
  type SnapshotResult,
  scoreHistory,
  takeSnapshot,
} from './snapshots.js';
export { getSurvival, SurvivalParams, type SurvivalResult, survivalOperation } from './survival.js';
export { getWhatIf, WhatIfParams, type WhatIfResult, whatIfOperation } from './what-if.js';

import { businessCaseOperation } from './business-case.js';
import { churnBacktestOperation } from './churn-backtest.js';
import { churnModelOperation } from './churn-model.js';
import { engagementOperation } from './engagement.js';
import { lifecycleOperation } from './lifecycle.js';
import { retentionOperation } from './retention.js';
import { riskOperation, scoreOperation } from './score.js';
import { scoreHistoryOperation, snapshotOperation } from './snapshots.js';
import { survivalOperation } from './survival.js';
import { whatIfOperation } from './what-if.js';

export const operations = [
  survivalOperation,
  retentionOperation,
  churnModelOperation,
  churnBacktestOperation,
  businessCaseOperation,
  lifecycleOperation,
  whatIfOperation,
  engagementOperation,
  scoreOperation,
  riskOperation,
  snapshotOperation,
  scoreHistoryOperation,
] as const;
