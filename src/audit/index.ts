import { diffOperation, listOperation, runOperation, showOperation } from './audit.js';

export {
  type Audit,
  type AuditDiff,
  type AuditItem,
  AuditRunParams,
  type AuditSummary,
  diffAudits,
  getAudit,
  latestAudit,
  listAudits,
  runAudit,
  type Trend,
  trendOf,
} from './audit.js';

export {
  buildReport,
  htmlToPdf,
  type Kpi,
  operationSource,
  type ReportData,
  ReportParams,
  type ReportSource,
  reportOperations,
} from './report.js';
export { renderReportHtml } from './report-html.js';

export const operations = [runOperation, listOperation, showOperation, diffOperation] as const;
