/**
 * Customers (issue 18, drill-down): one customer's history across channels, and the customers and
 * cases behind a finding. Reads the journey, voice and case tables; the cases capability gives each
 * case's transfers by the one definition (docs/cases.md).
 */
import { affectedOperation } from './affected.js';
import { customerTimelineOperation } from './timeline.js';

export {
  AffectedParams,
  type AffectedResult,
  type AffectedRow,
  affectedOperation,
  getAffected,
} from './affected.js';
export {
  type CustomerCase,
  CustomerTimelineParams,
  type CustomerTimelineResult,
  customerTimelineOperation,
  getCustomerTimeline,
  RISK_ATTRIBUTES,
  type TimelineItem,
} from './timeline.js';

export const operations = [customerTimelineOperation, affectedOperation] as const;
