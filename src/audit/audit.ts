import { createHash } from 'node:crypto';
import { z } from 'zod';
import { getLevers, getPingPong, LeversParams, PingPongParams } from '../cases/index.js';
import { TouchpointError } from '../core/errors.js';
import { defineOperation, type OperationContext, type Section } from '../core/operation.js';
import { TimeFrameParams, toInstant, workspaceZone } from '../core/time.js';
import { listFindings, type P, P_VALUES, type StoredFinding } from '../findings/index.js';
import { getPainPoints, PainPointsParams } from '../journeys/index.js';
import { getLink, LinkParams } from '../people/index.js';
import { getImpact, ImpactParams } from '../policies/index.js';
import { type Store, sql } from '../store/index.js';

/** How a finding moved since the previous audit. */
export type Trend = 'new' | 'worse' | 'better' | 'unchanged' | 'resolved';

/** One finding as the audit stored it: its figures at the time, so later audits compare exactly. */
export interface AuditItem {
  readonly findingId: string;
  readonly analysis: string;
  readonly kind: string;
  readonly p: P;
  readonly title: string;
  readonly slice: Record<string, string>;
  readonly metric: string;
  readonly value: number | null;
  readonly baseline: number | null;
  readonly ciLow: number | null;
  readonly ciHigh: number | null;
  readonly n: number | null;
  readonly smallSample: boolean;
  readonly customersAffected: number | null;
  /** null until the business case fills it; never invented */
  readonly revenueAtRisk: number | null;
  readonly ownerTeam: string | null;
  /** examples (comments, cases) and the drill-down pointer */
  readonly evidence: {
    readonly analysis: string;
    readonly examples: readonly { kind: string; id: string; text?: string }[];
  };
  readonly trend: Trend;
  /** the previous audit's value, when the finding was in it */
  readonly previousValue: number | null;
}

export interface AuditSummary {
  readonly findings: number;
  readonly byP: Readonly<Record<P, number>>;
  readonly customersAffected: number;
  /** sum of the findings whose revenue at risk is known; null when none is */
  readonly revenueAtRisk: number | null;
  readonly trends: Readonly<Record<Trend, number>>;
}

export interface Audit {
  readonly id: string;
  readonly createdAt: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly previousId: string | null;
  readonly summary: AuditSummary;
  readonly items: readonly AuditItem[];
  /** findings of the previous audit that are gone now */
  readonly resolved: readonly AuditItem[];
}

export const AuditRunParams = z.object({
  refresh: z
    .boolean()
    .default(false)
    .describe(
      're-run the ranking analyses first (journey pain points, ping-pong, levers, people link, policies impact)',
    ),
  // the audited period, recorded with the audit
  from: TimeFrameParams.from,
  to: TimeFrameParams.to,
});
export type AuditRunParams = z.output<typeof AuditRunParams>;

/**
 * Worse means further from where it should be: a finding's value relative to its baseline grew by
 * more than the half-width of its interval (or, without an interval, by more than 5% of the
 * baseline). Direction-free: the gap |value − baseline| is what a finding is about.
 */
export function trendOf(now: AuditItem | StoredFinding, before: AuditItem | undefined): Trend {
  if (!before) return 'new';
  if (now.value === null || before.value === null || now.baseline === null || before.baseline === null) {
    return 'unchanged';
  }
  const gapNow = Math.abs(now.value - now.baseline);
  const gapBefore = Math.abs(before.value - before.baseline);
  const half =
    now.ciLow !== null && now.ciHigh !== null ? (now.ciHigh - now.ciLow) / 2 : Math.abs(now.baseline) * 0.05;
  if (gapNow - gapBefore > half) return 'worse';
  if (gapBefore - gapNow > half) return 'better';
  return 'unchanged';
}

function toItem(f: StoredFinding, before: AuditItem | undefined): AuditItem {
  const ev = f.evidence as { analysis: string; examples?: { kind: string; id: string; text?: string }[] };
  return {
    findingId: f.id,
    analysis: f.analysis,
    kind: f.kind,
    p: f.p,
    title: f.title,
    slice: f.slice as Record<string, string>,
    metric: f.metric,
    value: f.value,
    baseline: f.baseline,
    ciLow: f.ciLow,
    ciHigh: f.ciHigh,
    n: f.n,
    smallSample: f.smallSample,
    customersAffected: f.customersAffected,
    revenueAtRisk: f.revenueAtRisk ?? null,
    ownerTeam: f.ownerTeam,
    evidence: { analysis: ev.analysis, examples: (ev.examples ?? []).slice(0, 3) },
    trend: trendOf(f, before),
    previousValue: before?.value ?? null,
  };
}

interface AuditRow {
  id: string;
  created_at: string;
  period_from: string | null;
  period_to: string | null;
  previous_id: string | null;
  summary: string;
  items: string;
}

const fromRow = (r: AuditRow): Audit => {
  const items = JSON.parse(r.items) as { current: AuditItem[]; resolved: AuditItem[] };
  return {
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    from: r.period_from ? new Date(r.period_from).toISOString() : null,
    to: r.period_to ? new Date(r.period_to).toISOString() : null,
    previousId: r.previous_id,
    summary: JSON.parse(r.summary),
    items: items.current,
    resolved: items.resolved,
  };
};

export async function latestAudit(db: Store): Promise<Audit | null> {
  const r = await db.one<AuditRow>(sql`SELECT id, created_at, period_from, period_to, previous_id,
    summary::VARCHAR AS summary, items::VARCHAR AS items FROM audits ORDER BY created_at DESC, id DESC LIMIT 1`);
  return r ? fromRow(r) : null;
}

export async function getAudit(db: Store, id: string): Promise<Audit> {
  const r = await db.one<AuditRow>(sql`SELECT id, created_at, period_from, period_to, previous_id,
    summary::VARCHAR AS summary, items::VARCHAR AS items FROM audits WHERE id = ${id}`);
  if (!r) throw new TouchpointError('not_found', `no audit ${id}: see touchpoint audit list`);
  return fromRow(r);
}

/** Re-runs the ranking analyses whose findings the audit gathers (default parameters). */
async function refreshAnalyses(db: Store, ctx: OperationContext, now: Date): Promise<void> {
  const steps: [string, () => Promise<unknown>][] = [
    ['journey pain points', () => getPainPoints(db, PainPointsParams.parse({}))],
    ['case ping-pong', () => getPingPong(db, PingPongParams.parse({}))],
    ['handoff levers', () => getLevers(db, LeversParams.parse({}), now)],
    ['people link', () => getLink(db, LinkParams.parse({}), now)],
    ['policies impact', () => getImpact(db, ImpactParams.parse({}), now, ctx)],
  ];
  for (const [i, [name, run]] of steps.entries()) {
    ctx.onProgress?.({ phase: `refreshing ${name}`, done: i, total: steps.length, unit: 'analyses' });
    try {
      await run();
    } catch (e) {
      // an analysis without its data (no journey, no cases) leaves its stored findings as they are
      ctx.log?.(`${name}: not refreshed (${(e as Error).message.split('\n')[0]})`);
    }
  }
}

/** The latest findings of every analysis as audit items, with their trend against `previous`. */
export async function gatherItems(
  db: Store,
  previous: Audit | null,
): Promise<{ items: AuditItem[]; resolved: AuditItem[] }> {
  const before = new Map((previous?.items ?? []).map((i) => [i.findingId, i]));
  const findings = await listFindings(db, { limit: 10_000 });
  const items = findings.map((f) => toItem(f, before.get(f.id)));
  const seen = new Set(items.map((i) => i.findingId));
  const resolved = (previous?.items ?? [])
    .filter((i) => !seen.has(i.findingId))
    .map((i) => ({ ...i, trend: 'resolved' as const, previousValue: i.value }));
  return { items, resolved };
}

/**
 * `audit run`: the 4 P's audit — the latest findings of every analysis (DESIGN.md §1: read, never
 * re-derived) grouped under product, process, policy and people, each with its evidence, affected
 * customers, revenue at risk when the business case filled it, owner, and its trend since the
 * previous stored audit. The audit is stored whole, so "since the last audit" compares stored figures.
 */
export async function runAudit(
  db: Store,
  params: AuditRunParams,
  ctx: OperationContext = {},
): Promise<Audit> {
  const now = ctx.now?.() ?? new Date();
  if (params.refresh) await refreshAnalyses(db, ctx, now);
  const zone = await workspaceZone(db);
  const from = params.from ? toInstant(params.from, 'from', zone) : null;
  const to = params.to ? toInstant(params.to, 'to', zone) : null;
  const previous = await latestAudit(db);
  const { items, resolved } = await gatherItems(db, previous);
  const byP = Object.fromEntries(P_VALUES.map((p) => [p, items.filter((i) => i.p === p).length])) as Record<
    P,
    number
  >;
  const trends = { new: 0, worse: 0, better: 0, unchanged: 0, resolved: resolved.length } as Record<
    Trend,
    number
  >;
  for (const i of items) trends[i.trend]++;
  const money = items.filter((i) => i.revenueAtRisk !== null);
  const summary: AuditSummary = {
    findings: items.length,
    byP,
    customersAffected: items.reduce((s, i) => s + (i.customersAffected ?? 0), 0),
    revenueAtRisk: money.length ? money.reduce((s, i) => s + i.revenueAtRisk!, 0) : null,
    trends,
  };
  const id = `audit-${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}-${createHash('sha256')
    .update(JSON.stringify(items.map((i) => [i.findingId, i.value])))
    .digest('hex')
    .slice(0, 6)}`;
  await db.transaction(async (tx) => {
    await tx.exec(sql`INSERT OR REPLACE INTO audits (id, created_at, period_from, period_to, previous_id, summary, items)
      VALUES (${id}, ${now}, ${from}, ${to}, ${previous?.id ?? null}, ${JSON.stringify(summary)}::JSON,
        ${JSON.stringify({ current: items, resolved })}::JSON)`);
  });
  return {
    id,
    createdAt: now.toISOString(),
    from: from?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    previousId: previous?.id ?? null,
    summary,
    items,
    resolved,
  };
}

export async function listAudits(
  db: Store,
): Promise<{ id: string; createdAt: string; summary: AuditSummary }[]> {
  const rows = await db.all<{ id: string; created_at: string; summary: string }>(sql`
    SELECT id, created_at, summary::VARCHAR AS summary FROM audits ORDER BY created_at DESC, id DESC`);
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at).toISOString(),
    summary: JSON.parse(r.summary),
  }));
}

export interface AuditDiff {
  readonly from: string;
  readonly to: string;
  readonly new: readonly AuditItem[];
  readonly resolved: readonly AuditItem[];
  readonly worse: readonly AuditItem[];
  readonly better: readonly AuditItem[];
  readonly unchanged: number;
}

/** Two stored audits compared finding by finding (default: the latest against the one before it). */
export async function diffAudits(db: Store, fromId?: string, toId?: string): Promise<AuditDiff> {
  const list = await listAudits(db);
  const toA = toId ? await getAudit(db, toId) : list[0] ? await getAudit(db, list[0].id) : null;
  if (!toA) throw new TouchpointError('not_found', 'no audit yet: run touchpoint audit run');
  const fromKey = fromId ?? toA.previousId ?? list.find((a) => a.createdAt < toA.createdAt)?.id;
  if (!fromKey)
    throw new TouchpointError('not_found', 'only one audit: run touchpoint audit run again later to compare');
  const fromA = await getAudit(db, fromKey);
  const before = new Map(fromA.items.map((i) => [i.findingId, i]));
  const now = toA.items.map((i) => ({
    ...i,
    trend: trendOf(i, before.get(i.findingId)),
    previousValue: before.get(i.findingId)?.value ?? null,
  }));
  const ids = new Set(toA.items.map((i) => i.findingId));
  return {
    from: fromA.id,
    to: toA.id,
    new: now.filter((i) => i.trend === 'new'),
    resolved: fromA.items
      .filter((i) => !ids.has(i.findingId))
      .map((i) => ({ ...i, trend: 'resolved' as const })),
    worse: now.filter((i) => i.trend === 'worse'),
    better: now.filter((i) => i.trend === 'better'),
    unchanged: now.filter((i) => i.trend === 'unchanged').length,
  };
}

const itemRows = (items: readonly AuditItem[]) =>
  items.map((i) => ({
    P: i.p,
    finding: i.title,
    value: i.value ?? '',
    baseline: i.baseline ?? '',
    customers: i.customersAffected ?? '',
    'revenue at risk': i.revenueAtRisk ?? '',
    owner: i.ownerTeam ?? '',
    trend: i.trend,
  }));

export function presentAudit(a: Audit): Section[] {
  return [
    {
      text: `Audit ${a.id} (${a.createdAt.slice(0, 10)}): ${a.summary.findings} findings — ${P_VALUES.map((p) => `${p} ${a.summary.byP[p]}`).join(', ')}; ${a.summary.trends.new} new, ${a.summary.trends.worse} worse, ${a.summary.trends.better} better, ${a.summary.trends.resolved} resolved since ${a.previousId ?? 'no earlier audit'}.`,
    },
    ...P_VALUES.map((p) => ({ title: p, rows: itemRows(a.items.filter((i) => i.p === p)) })),
  ];
}

export const runOperation = defineOperation({
  area: 'audit',
  verb: 'run',
  summary: 'Run and store the 4 P’s audit: every analysis’s findings with evidence, owner and trend',
  params: AuditRunParams,
  mode: 'write',
  listField: 'items',
  run: (db, params, ctx) => runAudit(db, params, ctx),
  present: presentAudit,
});

export const listOperation = defineOperation({
  area: 'audit',
  verb: 'list',
  summary: 'Stored audits, newest first, with their counts',
  params: z.object({}),
  mode: 'read',
  listField: 'audits',
  run: async (db) => ({ audits: await listAudits(db) }),
  present: (r) => [
    {
      rows: r.audits.map((a) => ({
        audit: a.id,
        date: a.createdAt.slice(0, 16).replace('T', ' '),
        findings: a.summary.findings,
        ...a.summary.byP,
        new: a.summary.trends.new,
        worse: a.summary.trends.worse,
        resolved: a.summary.trends.resolved,
      })),
    },
  ],
});

export const showOperation = defineOperation({
  area: 'audit',
  verb: 'show',
  summary: 'One stored audit with its findings (default: the latest)',
  params: z.object({ id: z.string().optional().describe('the audit id (default: the latest)') }),
  mode: 'read',
  listField: 'items',
  run: async (db, p) => {
    const a = p.id ? await getAudit(db, p.id) : await latestAudit(db);
    if (!a) throw new TouchpointError('not_found', 'no audit yet: run touchpoint audit run');
    return a;
  },
  present: presentAudit,
});

export const DiffParams = z.object({
  // audit ids, not times: `--from`/`--to` always name instants (one time vocabulary)
  older: z.string().optional().describe('the earlier audit id (default: the one before `newer`)'),
  newer: z.string().optional().describe('the later audit id (default: the latest)'),
});

export const diffOperation = defineOperation({
  area: 'audit',
  verb: 'diff',
  summary: 'What changed between two stored audits: new, resolved, worse and better findings',
  params: DiffParams,
  mode: 'read',
  run: (db, p) => diffAudits(db, p.older, p.newer),
  present: (d) => [
    {
      text: `${d.from} → ${d.to}: ${d.new.length} new, ${d.resolved.length} resolved, ${d.worse.length} worse, ${d.better.length} better, ${d.unchanged} unchanged.`,
    },
    { title: 'New', rows: itemRows(d.new) },
    { title: 'Worse', rows: itemRows(d.worse) },
    { title: 'Better', rows: itemRows(d.better) },
    { title: 'Resolved', rows: itemRows(d.resolved) },
  ],
});
