export {
  getSummary,
  presentSummary,
  type Score,
  SummaryParams,
  type SummaryResult,
  summaryOperation,
} from './summary.js';

import { summaryOperation } from './summary.js';
export const operations = [summaryOperation] as const;
