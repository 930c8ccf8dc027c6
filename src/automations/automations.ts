import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { resolveInstant, TimeFrameParams } from '../core/time.js';
import { type Store, sql } from '../store/index.js';
import { type Action, RULE_KINDS, RULES, type RuleKind } from './rules.js';

export interface Automation {
  readonly id: string;
  readonly name: string;
  readonly rule: RuleKind;
  readonly params: Record<string, unknown>;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** A live rule acts on what happened after this instant (set when it is switched on). */
  readonly lastRunAt: string | null;
  readonly summary: string;
}

export interface AutomationRun {
  readonly id: string;
  readonly automationId: string;
  readonly automation: string | null;
  readonly mode: 'live' | 'dry-run';
  readonly startedAt: string;
  readonly from: string | null;
  readonly to: string;
  readonly actions: number;
  readonly detail: readonly Action[];
  readonly error: string | null;
}

interface Row {
  id: string;
  name: string;
  rule: RuleKind;
  params: string;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  last_run_at: string | null;
}

const toAutomation = (r: Row): Automation => ({
  id: r.id,
  name: r.name,
  rule: r.rule,
  params: JSON.parse(r.params) as Record<string, unknown>,
  enabled: r.enabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastRunAt: r.last_run_at,
  summary: RULES[r.rule]?.summary ?? r.rule,
});
const select = sql`SELECT id, name, rule, params::VARCHAR AS params, enabled, created_at, updated_at, last_run_at FROM automations`;

/** A rule's parameters, validated by its own schema; errors name the field. */
export function ruleParams(rule: RuleKind, params: Record<string, unknown>): Record<string, unknown> {
  const r = RULES[rule].params.safeParse(params);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const field = i.path.join('.') || 'params';
    throw new TouchpointError('invalid_input', `${field}: ${i.message}`, {
      details: [{ field, message: i.message }],
    });
  }
  return r.data as Record<string, unknown>;
}

export const CreateAutomationParams = z.object({
  name: z.string().min(1).max(80).describe('a name for the rule (unique)'),
  rule: z.enum(RULE_KINDS as [RuleKind, ...RuleKind[]]).describe(`what it does: ${RULE_KINDS.join(', ')}`),
  params: z
    .string()
    .default('{}')
    .describe('the rule’s settings as JSON, e.g. {"promiseHours":24,"destinations":"ops-hook"}'),
  enabled: z.boolean().default(false).describe('switch it on now (default off: dry-run it first)'),
});
export type CreateAutomationParams = z.input<typeof CreateAutomationParams>;

function parseJson(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TouchpointError('invalid_input', 'params: a JSON object, e.g. {"promiseHours":24}', {
    details: [{ field: 'params', message: 'a JSON object' }],
  });
}

/** Creates a rule, off unless `enabled` (a rule switched on acts on what happens from then on). */
export async function createAutomation(
  db: Store,
  input: CreateAutomationParams,
  now: Date = new Date(),
): Promise<Automation> {
  const p = CreateAutomationParams.parse(input);
  const params = ruleParams(p.rule, parseJson(p.params));
  const id = `auto-${randomUUID().slice(0, 8)}`;
  try {
    await db.exec(sql`INSERT INTO automations VALUES (${id}, ${p.name}, ${p.rule}, ${JSON.stringify(params)}::JSON,
      ${p.enabled}, ${now}, ${now}, ${p.enabled ? now : null})`);
  } catch (e) {
    if (/duplicate key|unique/i.test(String(e)))
      throw new TouchpointError('conflict', `an automation named "${p.name}" exists`);
    throw e;
  }
  return getAutomation(db, id);
}

export async function getAutomation(db: Store, idOrName: string): Promise<Automation> {
  const r = await db.one<Row>(sql`${select} WHERE id = ${idOrName} OR name = ${idOrName}`);
  if (!r) throw new TouchpointError('not_found', `no automation "${idOrName}" (see automations list)`);
  return toAutomation(r);
}

export async function listAutomations(db: Store): Promise<readonly Automation[]> {
  return (await db.all<Row>(sql`${select} ORDER BY created_at, name`)).map(toAutomation);
}

/**
 * Switches a rule on or off. Switching on starts its clock now: it acts on what happens from now on,
 * never on the history before (a dry run shows what that history would have set off).
 */
export async function setEnabled(
  db: Store,
  idOrName: string,
  enabled: boolean,
  now: Date = new Date(),
): Promise<Automation> {
  const a = await getAutomation(db, idOrName);
  if (a.enabled !== enabled)
    await db.exec(sql`UPDATE automations SET enabled = ${enabled}, updated_at = ${now},
      last_run_at = CASE WHEN ${enabled} THEN ${now}::TIMESTAMP ELSE last_run_at END WHERE id = ${a.id}`);
  return getAutomation(db, a.id);
}

/** Thrown inside a dry run's transaction to roll back what `act` wrote, carrying what it did. */
class Rollback extends Error {
  constructor(readonly actions: Action[]) {
    super('dry run');
  }
}

async function logRun(
  db: Store,
  a: Automation,
  mode: 'live' | 'dry-run',
  started: Date,
  from: Date | null,
  to: Date,
  actions: readonly Action[],
  error: string | null,
): Promise<string> {
  const id = `run-${randomUUID().slice(0, 12)}`;
  await db.exec(sql`INSERT INTO automation_runs VALUES (${id}, ${a.id}, ${mode}, ${started}, ${from}, ${to},
    ${actions.length}, ${JSON.stringify(actions)}::JSON, ${error})`);
  return id;
}

export interface LiveResult {
  readonly automation: string;
  readonly from: string;
  readonly to: string;
  readonly actions: readonly Action[];
  readonly runId: string | null;
}

/**
 * One live run of an enabled rule: the moments in (last run, now], minus those it already acted on,
 * acted on and recorded in ONE transaction with the rule's clock moved to now (a crash repeats the
 * whole run, never half of it). A run that did something is logged; an idle one only moves the clock.
 */
export async function runLive(db: Store, a: Automation, now: Date): Promise<LiveResult | null> {
  if (!a.enabled || !a.lastRunAt) return null;
  const from = new Date(a.lastRunAt);
  if (now <= from) return null;
  const rule = RULES[a.rule];
  return db.transaction(async (tx) => {
    const ms = await rule.moments(tx, { from, to: now }, rule.params.parse(a.params) as never);
    const keys = ms.map((m) => m.key);
    const done = new Set(
      keys.length === 0
        ? []
        : (
            await tx.all<{ key: string }>(
              sql`SELECT key FROM automation_fired WHERE automation_id = ${a.id} AND list_contains(${keys}::VARCHAR[], key)`,
            )
          ).map((r) => r.key),
    );
    const fresh = ms.filter((m) => !done.has(m.key));
    const actions =
      fresh.length === 0
        ? []
        : await rule.act(tx, fresh, rule.params.parse(a.params) as never, {
            now,
            dry: false,
            automation: { id: a.id, name: a.name },
          });
    let runId: string | null = null;
    if (actions.length > 0) {
      runId = await logRun(tx, a, 'live', now, from, now, actions, null);
      for (const m of fresh)
        await tx.exec(sql`INSERT INTO automation_fired VALUES (${a.id}, ${m.key}, ${new Date(m.at)}, ${runId},
          ${JSON.stringify(actions.filter((x) => x.key === m.key || x.key.endsWith(m.key)))}::JSON)`);
    }
    await tx.exec(sql`UPDATE automations SET last_run_at = ${now} WHERE id = ${a.id}`);
    return { automation: a.name, from: from.toISOString(), to: now.toISOString(), actions, runId };
  });
}

/** Runs every enabled rule (the server's scheduler, `automations run` for cron). */
export async function runEnabled(db: Store, now: Date = new Date()): Promise<readonly LiveResult[]> {
  const out: LiveResult[] = [];
  for (const a of await listAutomations(db)) {
    if (!a.enabled) continue;
    const r = await runLive(db, a, now);
    if (r) out.push(r);
  }
  return out;
}

export const DryRunParams = z.object({
  automation: z.string().optional().describe('the rule to replay (id or name)'),
  rule: z
    .enum(RULE_KINDS as [RuleKind, ...RuleKind[]])
    .optional()
    .describe('or a rule not created yet: its kind (with --params)'),
  params: z.string().default('{}').describe('with --rule: its settings as JSON'),
  days: z.number().int().min(1).max(366).default(30).describe('replay the last N days'),
  // the end of the replay (default the earlier of now and the latest data: answers, cases)
  asOf: TimeFrameParams.asOf,
});
export type DryRunParams = z.input<typeof DryRunParams>;

export interface DryRunResult {
  readonly automation: string | null;
  readonly rule: RuleKind;
  readonly from: string;
  readonly to: string;
  /** What the rule would have done, in time order; `alreadyDone` when the live rule did it already. */
  readonly actions: readonly (Action & { readonly alreadyDone: boolean })[];
  readonly byDid: Readonly<Record<string, number>>;
  readonly byTarget: readonly { readonly target: string; readonly n: number }[];
}

/** The earlier of now and the latest answer, case or case event. */
async function latestData(db: Store, now: Date): Promise<Date> {
  const r = await db.one<{ t: string | null }>(sql`SELECT greatest((SELECT max(ts) FROM feedback),
    (SELECT max(opened_at) FROM cases), (SELECT max(ts) FROM case_events)) AS t`);
  const t = r?.t ? new Date(r.t) : now;
  return t < now ? t : now;
}

/**
 * What a rule would have done over the last N days: its moments in (asOf − N days, asOf], acted on
 * by the same code as a live run inside a transaction that is then rolled back, so nothing is kept
 * (no follow-up, no message). Logged as a dry run when the rule exists.
 */
export async function dryRun(db: Store, input: DryRunParams, now: Date = new Date()): Promise<DryRunResult> {
  const p = DryRunParams.parse(input);
  const a = p.automation ? await getAutomation(db, p.automation) : null;
  if (!a && !p.rule)
    throw new TouchpointError(
      'invalid_input',
      'automation: name an automation, or give --rule (and --params)',
      {
        details: [{ field: 'automation', message: 'name an automation or give --rule' }],
      },
    );
  const kind = a?.rule ?? p.rule!;
  const rule = RULES[kind];
  const params = a ? a.params : ruleParams(kind, parseJson(p.params));
  const to = (await resolveInstant(db, p.asOf, 'asOf')) ?? (await latestData(db, now));
  const from = new Date(to.getTime() - p.days * 86_400_000);
  const self = { id: a?.id ?? 'dry-run', name: a?.name ?? kind };
  let actions: Action[] = [];
  try {
    await db.transaction(async (tx) => {
      const ms = await rule.moments(tx, { from, to }, rule.params.parse(params) as never);
      const acted =
        ms.length === 0
          ? []
          : await rule.act(tx, ms, rule.params.parse(params) as never, {
              now: to,
              dry: true,
              automation: self,
            });
      throw new Rollback(acted);
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
    actions = [...e.actions].sort((x, y) => x.at.localeCompare(y.at) || x.key.localeCompare(y.key));
  }
  const fired = a
    ? new Set(
        (
          await db.all<{ key: string }>(sql`SELECT key FROM automation_fired WHERE automation_id = ${a.id}`)
        ).map((r) => r.key),
      )
    : new Set<string>();
  if (a) await logRun(db, a, 'dry-run', now, from, to, actions, null);
  const byDid: Record<string, number> = {};
  const byTarget = new Map<string, number>();
  for (const x of actions) {
    byDid[x.did] = (byDid[x.did] ?? 0) + 1;
    const t = x.target ?? '(none)';
    byTarget.set(t, (byTarget.get(t) ?? 0) + 1);
  }
  return {
    automation: a?.name ?? null,
    rule: kind,
    from: from.toISOString(),
    to: to.toISOString(),
    actions: actions.map((x) => ({ ...x, alreadyDone: fired.has(x.key.replace(/^customer:/, '')) })),
    byDid,
    byTarget: [...byTarget]
      .map(([target, n]) => ({ target, n }))
      .sort((x, y) => y.n - x.n || x.target.localeCompare(y.target)),
  };
}

export const RunsParams = z.object({
  automation: z.string().optional().describe('only this rule (id or name)'),
  mode: z.enum(['all', 'live', 'dry-run']).default('all'),
  limit: z.number().int().min(1).max(1000).default(50),
});
export type RunsParams = z.input<typeof RunsParams>;

/** The run log, newest first: each run with what it did. */
export async function listRuns(db: Store, input: RunsParams = {}): Promise<readonly AutomationRun[]> {
  const p = RunsParams.parse(input);
  const a = p.automation ? await getAutomation(db, p.automation) : null;
  const rows = await db.all<{
    id: string;
    automation_id: string;
    name: string | null;
    mode: 'live' | 'dry-run';
    started_at: string;
    from_ts: string | null;
    to_ts: string;
    actions: number;
    detail: string;
    error: string | null;
  }>(sql`SELECT r.id, r.automation_id, a.name, r.mode, r.started_at, r.from_ts, r.to_ts, r.actions,
      r.detail::VARCHAR AS detail, r.error
    FROM automation_runs r LEFT JOIN automations a ON a.id = r.automation_id
    WHERE (${a?.id ?? null}::VARCHAR IS NULL OR r.automation_id = ${a?.id ?? null})
      AND (${p.mode} = 'all' OR r.mode = ${p.mode})
    ORDER BY r.started_at DESC, r.id LIMIT ${p.limit}`);
  return rows.map((r) => ({
    id: r.id,
    automationId: r.automation_id,
    automation: r.name,
    mode: r.mode,
    startedAt: r.started_at,
    from: r.from_ts,
    to: r.to_ts,
    actions: r.actions,
    detail: JSON.parse(r.detail) as Action[],
    error: r.error,
  }));
}
