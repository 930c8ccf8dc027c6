/**
 * Automations (docs/automations.md): rules when → then that call the owning capabilities — a
 * follow-up for a detractor (feedback), a reminder and a customer update for an overdue case
 * (cases' update promise, notify), an inflow alert for a contact-reason spike, the audit report on a
 * schedule — each run logged, and a dry run that replays the last N days before a rule is switched on.
 */
export {
  type Automation,
  type AutomationRun,
  CreateAutomationParams,
  createAutomation,
  DryRunParams,
  type DryRunResult,
  dryRun,
  getAutomation,
  type LiveResult,
  listAutomations,
  listRuns,
  runEnabled,
  runLive,
  setEnabled,
} from './automations.js';
export { operations } from './operations.js';
export { type Action, type Moment, RULE_KINDS, RULES, type RuleKind } from './rules.js';
