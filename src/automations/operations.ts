import { z } from 'zod';
import { defineOperation } from '../core/operation.js';
import {
  CreateAutomationParams,
  createAutomation,
  DryRunParams,
  dryRun,
  listAutomations,
  listRuns,
  RunsParams,
  runEnabled,
  setEnabled,
} from './automations.js';
import { RULE_KINDS, RULES } from './rules.js';

const nowOf = (ctx: { now?: () => Date }) => ctx.now?.() ?? new Date();
const short = (s: string | null) => (s ? s.replace(/\.000Z$/, 'Z').replace('T', ' ') : '');

export const listOperation = defineOperation({
  area: 'automations',
  verb: 'list',
  summary: 'Automation rules (when → then), on or off, and the rules there are',
  params: z.object({}),
  mode: 'read',
  run: async (db) => ({
    automations: await listAutomations(db),
    rules: RULE_KINDS.map((k) => ({ rule: k, summary: RULES[k].summary })),
  }),
  present: (r) => [
    {
      rows: r.automations.map((a) => ({
        id: a.id,
        name: a.name,
        rule: a.rule,
        on: a.enabled ? 'on' : 'off',
        params: JSON.stringify(a.params),
        'acts after': short(a.lastRunAt),
      })),
    },
    { title: 'Rules', rows: r.rules },
  ],
});

export const createOperation = defineOperation({
  area: 'automations',
  verb: 'create',
  summary: 'Create a rule (off by default: dry-run it, then enable it)',
  params: CreateAutomationParams,
  mode: 'write',
  positional: ['name'],
  run: (db, p, ctx) => createAutomation(db, p, nowOf(ctx)),
  present: (a) => [{ text: `automation ${a.name} (${a.id}): ${a.summary} — ${a.enabled ? 'on' : 'off'}` }],
});

const toggle = (verb: 'enable' | 'disable') =>
  defineOperation({
    area: 'automations',
    verb,
    summary:
      verb === 'enable'
        ? 'Switch a rule on: it acts on what happens from now on'
        : 'Switch a rule off (its log and what it did stay)',
    params: z.object({ automation: z.string().min(1).describe('id or name') }),
    mode: 'write',
    positional: ['automation'],
    run: (db, p, ctx) => setEnabled(db, p.automation, verb === 'enable', nowOf(ctx)),
    present: (a) => [{ text: `automation ${a.name}: ${a.enabled ? 'on' : 'off'}` }],
  });

export const dryRunOperation = defineOperation({
  area: 'automations',
  verb: 'dry-run',
  summary: 'What a rule would have done over the last N days, before it is switched on (nothing is kept)',
  params: DryRunParams,
  // a write turn: the rule's own actions run in a transaction that is rolled back
  mode: 'write',
  positional: ['automation'],
  listField: 'actions',
  run: (db, p, ctx) => dryRun(db, p, nowOf(ctx)),
  present: (r) => [
    {
      title: `${r.automation ?? r.rule}: ${r.actions.length} actions from ${short(r.from)} to ${short(r.to)} (${
        Object.entries(r.byDid)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      })`,
      rows: r.actions.map((a) => ({
        at: short(a.at),
        did: a.did,
        target: a.target ?? '',
        what: a.summary,
        done: a.alreadyDone ? 'already done' : '',
      })),
    },
    { title: 'By target', rows: r.byTarget },
  ],
});

export const runOperation = defineOperation({
  area: 'automations',
  verb: 'run',
  summary:
    'Run every enabled rule now over what happened since its last run (for cron; serve runs them itself)',
  params: z.object({}),
  mode: 'write',
  run: async (db, _p, ctx) => ({ runs: await runEnabled(db, nowOf(ctx)) }),
  present: (r) => [
    {
      rows: r.runs.map((x) => ({
        automation: x.automation,
        from: short(x.from),
        to: short(x.to),
        actions: x.actions.length,
      })),
    },
  ],
});

export const runsOperation = defineOperation({
  area: 'automations',
  verb: 'runs',
  summary: 'The run log: each live or dry run with what it did',
  params: RunsParams,
  mode: 'read',
  run: async (db, p) => ({ runs: await listRuns(db, p) }),
  present: (r) => [
    {
      rows: r.runs.map((x) => ({
        id: x.id,
        automation: x.automation ?? x.automationId,
        mode: x.mode,
        at: short(x.startedAt),
        window: `${short(x.from)} → ${short(x.to)}`,
        actions: x.actions,
        first: x.detail[0]?.summary ?? '',
        error: x.error ?? '',
      })),
    },
  ],
});

export const operations = [
  listOperation,
  createOperation,
  toggle('enable'),
  toggle('disable'),
  dryRunOperation,
  runOperation,
  runsOperation,
] as const;
