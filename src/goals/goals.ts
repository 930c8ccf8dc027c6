import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { instant, resolveInstant } from '../core/time.js';
import { computeMetric, getMetric, type Metric, MetricSlice } from '../experiments/index.js';
import { type Store, sql } from '../store/index.js';

/**
 * Program goals (docs/goals.md): a target over one registry metric in a slice — "CSAT at delivery from
 * 69 % to 80 % by June", "handoffs per case below 0.4" — with its owner, its due date, the baseline it
 * starts from and the experiments and findings linked to it. Stored in `goals` (migration 82).
 */
export interface Goal {
  readonly id: string;
  readonly name: string;
  /** The registry metric id (src/experiments). */
  readonly metric: string;
  readonly slice: MetricSlice;
  /** The metric's value over the 90 days before `start` (computed when the goal was set), or given. */
  readonly baseline: number | null;
  readonly target: number;
  readonly start: string;
  readonly due: string;
  readonly owner: string;
  readonly links: { readonly experiments: readonly string[]; readonly findings: readonly string[] };
  readonly note: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The days a "current" figure and a baseline cover. */
export const WINDOW_DAYS = 90;
const DAY = 86_400_000;

const GoalId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a goal id: lower-case letters, digits, _ and -');

export const SetGoalParams = z.object({
  id: GoalId.optional().describe(
    'the goal id (default: from the metric and slice); an existing id is updated',
  ),
  name: z.string().min(1).max(200).optional().describe('what people read (default: the metric and slice)'),
  metric: z.string().min(1).describe('a registry metric id (touchpoint experiments metrics)'),
  target: z
    .number()
    .describe('the value to reach: a share as 0–1 (0.9 = 90 %), NPS in points, other metrics in their unit'),
  due: instant.describe('the date the target should be reached by'),
  owner: z.string().min(1).max(200).describe('who answers for it (a person or a team)'),
  baseline: z
    .number()
    .optional()
    .describe(`the starting value (default: the metric over the ${WINDOW_DAYS} days before start)`),
  start: instant
    .optional()
    .describe('when the goal starts (default: now, or the end of the data if earlier)'),
  experiments: z.array(z.string().min(1)).default([]).describe('experiment ids linked to it'),
  findings: z.array(z.string().min(1)).default([]).describe('finding ids linked to it'),
  note: z.string().max(2000).optional(),
  ...MetricSlice.shape,
});
export type SetGoalParams = z.input<typeof SetGoalParams>;

interface GoalRow {
  id: string;
  name: string;
  metric: string;
  slice: string;
  baseline: number | null;
  target: number;
  start_at: string;
  due: string;
  owner: string;
  links: string;
  note: string | null;
  created_at: string;
  updated_at: string;
}

function fromRow(r: GoalRow): Goal {
  return {
    id: r.id,
    name: r.name,
    metric: r.metric,
    slice: MetricSlice.parse(JSON.parse(r.slice)),
    baseline: r.baseline === null ? null : Number(r.baseline),
    target: Number(r.target),
    start: r.start_at,
    due: r.due,
    owner: r.owner,
    links: JSON.parse(r.links),
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const SELECT = sql`SELECT id, name, metric, slice::VARCHAR AS slice, baseline, target,
    strftime(start_at, '%Y-%m-%dT%H:%M:%SZ') AS start_at, strftime(due, '%Y-%m-%dT%H:%M:%SZ') AS due, owner,
    links::VARCHAR AS links, note, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
    strftime(updated_at, '%Y-%m-%dT%H:%M:%SZ') AS updated_at
  FROM goals`;

export async function listGoals(db: Store): Promise<readonly Goal[]> {
  return (await db.all<GoalRow>(sql`${SELECT} ORDER BY due, id`)).map(fromRow);
}

export async function getGoal(db: Store, id: string): Promise<Goal> {
  const row = await db.one<GoalRow>(sql`${SELECT} WHERE id = ${id}`);
  if (!row)
    throw new TouchpointError('not_found', `goal: no goal ${JSON.stringify(id)} (touchpoint goals list)`, {
      details: [{ field: 'id', message: 'unknown goal' }],
    });
  return fromRow(row);
}

/**
 * The instant figures are read at: now, or the end of the data when it ends earlier (a demo or an
 * import of last year's data) — the newest event, answer, case or follow-up.
 */
export async function dataAsOf(db: Store, now: Date): Promise<Date> {
  const r = await db.one<{ t: string | null }>(sql`SELECT strftime(greatest(
      (SELECT max(ts) FROM events), (SELECT max(ts) FROM feedback), (SELECT max(opened_at) FROM cases),
      (SELECT max(answered_at) FROM follow_ups)), '%Y-%m-%dT%H:%M:%S.%gZ') AS t`);
  const end = r?.t ? new Date(r.t) : null;
  return end && end < now ? end : now;
}

function checkTarget(m: Metric, target: number): void {
  const bad =
    m.format === 'proportion'
      ? target < 0 || target > 1
      : m.format === 'points'
        ? target < -100 || target > 100
        : false;
  if (bad)
    throw new TouchpointError(
      'invalid_input',
      m.format === 'proportion'
        ? `target: ${m.id} is a share between 0 and 1 (90 % is 0.9)`
        : `target: ${m.id} is in NPS points, between −100 and 100`,
      { details: [{ field: 'target', message: 'outside the metric scale' }] },
    );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

/** Creates a goal, or updates the one with this id. The metric and its slice are checked by computing the baseline. */
export async function setGoal(db: Store, params: SetGoalParams, ctx: { now?: Date } = {}): Promise<Goal> {
  const p = SetGoalParams.parse(params);
  const now = ctx.now ?? new Date();
  const metric = await getMetric(db, p.metric);
  checkTarget(metric, p.target);
  const slice = MetricSlice.parse(
    Object.fromEntries(
      Object.entries({
        touchpoint: p.touchpoint,
        channel: p.channel,
        segment: p.segment,
        persona: p.persona,
      }).filter(([, v]) => v !== undefined),
    ),
  );
  const due = (await resolveInstant(db, p.due, 'due'))!;
  const start = (await resolveInstant(db, p.start, 'start')) ?? (await dataAsOf(db, now));
  if (due <= start)
    throw new TouchpointError(
      'invalid_input',
      `due: must be after the start (${start.toISOString().slice(0, 10)})`,
      {
        details: [{ field: 'due', message: 'not after the start' }],
      },
    );
  const base =
    p.baseline ??
    (
      await computeMetric(db, metric, {
        from: new Date(start.getTime() - WINDOW_DAYS * DAY).toISOString(),
        to: new Date(start.getTime() + 1).toISOString(), // through the start instant, as `current` is
        slice,
        now,
      })
    ).overall.value;
  const sliceText = Object.values(slice).join(' ');
  const id = p.id ?? slug(`${metric.id}${sliceText ? `-${sliceText}` : ''}`);
  const name = p.name ?? `${metric.name}${sliceText ? ` at ${sliceText}` : ''}`;
  const links = JSON.stringify({ experiments: p.experiments, findings: p.findings });
  await db.transaction(async (tx) => {
    const existing = await tx.one<{ created_at: string }>(
      sql`SELECT created_at::VARCHAR AS created_at FROM goals WHERE id = ${id}`,
    );
    await tx.exec(sql`DELETE FROM goals WHERE id = ${id}`);
    await tx.exec(sql`INSERT INTO goals VALUES (${id}, ${name}, ${metric.id}, ${JSON.stringify(slice)}::JSON, ${base ?? null},
      ${p.target}, ${start.toISOString()}::TIMESTAMP, ${due.toISOString()}::TIMESTAMP, ${p.owner}, ${links}::JSON,
      ${p.note ?? null}, coalesce(${existing?.created_at ?? null}::TIMESTAMP, ${now.toISOString()}::TIMESTAMP),
      ${now.toISOString()}::TIMESTAMP)`);
  });
  return getGoal(db, id);
}

export async function removeGoal(db: Store, id: string): Promise<{ removed: string }> {
  await getGoal(db, id);
  await db.exec(sql`DELETE FROM goals WHERE id = ${id}`);
  return { removed: id };
}
