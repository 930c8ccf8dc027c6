export { type DataRangeResult, dataRangeOperation, getDataRange } from './data-range.js';
export {
  getSummary,
  presentSummary,
  type Score,
  SummaryParams,
  type SummaryResult,
  summaryOperation,
} from './summary.js';

import { dataRangeOperation } from './data-range.js';
import { summaryOperation } from './summary.js';
export const operations = [summaryOperation, dataRangeOperation] as const;
