import { caseTimelineOperation } from './case-timeline.js';
import { communicationOperation } from './communication.js';
import { exportOperation } from './export.js';
import { flowOperation } from './flow.js';
import { handoffsOperation } from './handoffs.js';
import { helpdeskEventsOperation } from './helpdesk.js';
import { inflowOperation } from './inflow.js';
import { leversOperation } from './levers.js';
import { overdueUpdatesOperation } from './overdue-updates.js';
import { pingPongOperation } from './ping-pong.js';
import { supportOperation } from './support.js';

export { type AffectedCase, type AffectedCases, affectedCases, CASE_FINDING_KINDS } from './affected.js';
export type { CaseLog, CaseLogOptions } from './case-log.js';
export {
  CASES,
  type CaseMetricsOptions,
  type CaseMetricsRow,
  caseMetrics,
  caseMetricsCtes,
} from './case-metrics.js';
export {
  type CaseHandoff,
  type CaseStint,
  CaseTimelineParams,
  type CaseTimelineResult,
  getCaseTimeline,
  getCaseTimelines,
} from './case-timeline.js';
export {
  CommunicationParams,
  type CommunicationResult,
  getCommunication,
  PROMISE_HOURS,
} from './communication.js';
export { type CaseExportRow, EXPORT_COLUMNS, ExportParams, exportCases, toCsv } from './export.js';
export { FlowParams, type FlowResult, getFlow } from './flow.js';
export {
  GROUP_BY,
  getHandoffs,
  getTeamHandoffsPerCase,
  type HandoffGroup,
  HandoffsParams,
  type HandoffsResult,
} from './handoffs.js';
export { helpdeskRecords, importHelpdeskChanges, isClosedState } from './helpdesk.js';
export {
  CASE_LOG_FORMATS,
  type CaseLogFormat,
  type CaseLogImportReport,
  caseLogFileFormats,
  caseLogFormatOf,
  importCaseEventsFile,
  readCaseEventsFile,
} from './import-case-log.js';
export { getInflow, InflowParams, type InflowResult } from './inflow.js';
export { getLevers, LEVERS, type LeverFigure, LeversParams, type LeversResult } from './levers.js';
export {
  getOverdueUpdates,
  type OverdueCase,
  OverdueUpdatesParams,
  type OverdueUpdatesResult,
} from './overdue-updates.js';
export { getPingPong, PingPongParams, type PingPongResult } from './ping-pong.js';
export {
  type CsatFigure,
  getSupport,
  MIN_CSAT_ANSWERS,
  type SlaFigure,
  type SupportGroup,
  SupportParams,
  type SupportResult,
} from './support.js';
export { readTicketAudit } from './ticket-audit.js';
export { readXes, XES_DEFAULT_MAP } from './xes.js';

export const operations = [
  handoffsOperation,
  pingPongOperation,
  leversOperation,
  overdueUpdatesOperation,
  communicationOperation,
  inflowOperation,
  flowOperation,
  exportOperation,
  helpdeskEventsOperation,
  caseTimelineOperation,
  supportOperation,
] as const;
