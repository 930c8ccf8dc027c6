/**
 * Monitors (docs/monitors.md): know within hours that an experience broke. The detector
 * (src/stats/change-detection.ts), `monitors backtest` over a series exported from elsewhere, stored
 * monitors and their runs, alerts (state, grouping, quiet hours, the message delivery sends).
 */
export {
  type ActResult,
  type Alert,
  type AlertGroup,
  type AlertMessage,
  type AlertState,
  actOnAlerts,
  alertGroups,
  alertMessage,
  deliverableAt,
  listAlerts,
  type QuietHours,
  quietHours,
  TRANSITIONS,
} from './alerts.js';
export { type BacktestParams, type BacktestResult, backtestSeries, inferCadence } from './backtest.js';
export { monitorHistory, simulateMonitor } from './history.js';
export { operations } from './operations.js';
export { anyDue, isDue, type RunMonitorsResult, runMonitors } from './run.js';
export { acceptProposals, createMonitor, listMonitors, type Monitor, proposeMonitors } from './stored.js';
