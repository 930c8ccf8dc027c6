import { handoffsOperation } from './handoffs.js';
import { leversOperation } from './levers.js';
import { pingPongOperation } from './ping-pong.js';

export {
  CASES,
  type CaseMetricsOptions,
  type CaseMetricsRow,
  caseMetrics,
  caseMetricsCtes,
} from './case-metrics.js';
export { GROUP_BY, getHandoffs, type HandoffGroup, HandoffsParams, type HandoffsResult } from './handoffs.js';
export { getLevers, LEVERS, type LeverFigure, LeversParams, type LeversResult } from './levers.js';
export { getPingPong, PingPongParams, type PingPongResult } from './ping-pong.js';

export const operations = [handoffsOperation, pingPongOperation, leversOperation] as const;
