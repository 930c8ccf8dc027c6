import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { isSmallSample, wilson } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { ownerOf } from './base.js';

/** Hours within which a follow-up should be closed (the loop-closing KPI). */
export const CLOSE_WITHIN_HOURS = 48;

export interface FollowUp {
  readonly id: string;
  readonly feedbackId: string;
  readonly customerId: string | null;
  readonly touchpoint: string | null;
  readonly channel: string | null;
  readonly kind: string;
  readonly score: number | null;
  readonly comment: string | null;
  readonly theme: string | null;
  readonly ownerTeam: string | null;
  readonly assignee: string | null;
  readonly status: 'open' | 'closed';
  readonly answeredAt: string;
  readonly createdAt: string;
  readonly closedAt: string | null;
  readonly resolution: string | null;
  /** hours from creation to closing (closed) or to now (open) */
  readonly ageHours: number;
}

interface Opts {
  readonly now?: Date;
  readonly actor?: string;
}

/**
 * Detractor (NPS 0–6) and dissatisfied (CSAT 1–2) answers with the comment their follow-up carries:
 * their own comment, or else the text answers of the same survey submission (same `survey_id` and
 * `properties.submission`, which the server's survey endpoint stores), joined by a blank line.
 * `text_id` is the answer whose text analysis gives the theme.
 */
const unhappy = sql`(
  SELECT f.*, CASE WHEN trim(f.comment) <> '' THEN f.comment ELSE s.comment END AS fu_comment,
    CASE WHEN trim(f.comment) <> '' THEN f.id ELSE s.text_id END AS text_id
  FROM feedback f LEFT JOIN (
    SELECT json_extract_string(properties, '$.submission') AS submission, survey_id,
      string_agg(comment, chr(10) || chr(10) ORDER BY question, id) AS comment,
      arg_min(id, question || chr(0) || id) AS text_id
    FROM feedback
    WHERE kind = 'text' AND trim(comment) <> '' AND survey_id IS NOT NULL
      AND json_extract_string(properties, '$.submission') IS NOT NULL
    GROUP BY ALL
  ) s ON s.survey_id = f.survey_id AND s.submission = json_extract_string(f.properties, '$.submission')
  WHERE (f.kind = 'nps' AND f.score <= 6) OR (f.kind = 'csat' AND f.score <= 2)
)`;

/**
 * Creates a follow-up for every detractor (NPS 0–6) or dissatisfied (CSAT 1–2) answer with a
 * comment — its own or the text answer of the same survey submission — that has none yet;
 * idempotent per feedback id, so re-imports and re-runs never duplicate one. Items carry customer,
 * touchpoint, channel, owning team (touchpoint_owners) and the comment's primary theme when the
 * text analysis has run; open items without a theme get it when it has.
 */
export async function createFollowUps(
  db: Store,
  opts: Opts = {},
): Promise<{ created: number; total: number }> {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    const before = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM follow_ups`);
    await tx.exec(sql`
      INSERT INTO follow_ups (id, feedback_id, customer_id, touchpoint, channel, kind, score, comment, theme,
        owner_team, assignee, status, answered_at, created_at, closed_at, resolution)
      SELECT 'fu-' || f.id, f.id, f.customer_id, f.touchpoint, f.channel, f.kind, f.score, f.fu_comment,
        (SELECT t.primary_theme FROM feedback_text t WHERE t.feedback_id = f.text_id), ${ownerOf}, NULL, 'open',
        f.ts, ${now}, NULL, NULL
      FROM ${unhappy} f
      WHERE f.fu_comment IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM follow_ups u WHERE u.feedback_id = f.id)`);
    await tx.exec(sql`
      UPDATE follow_ups SET theme = t.primary_theme FROM ${unhappy} f, feedback_text t
      WHERE follow_ups.feedback_id = f.id AND t.feedback_id = f.text_id AND follow_ups.theme IS NULL
        AND t.primary_theme IS NOT NULL AND follow_ups.status = 'open'`);
    const after = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM follow_ups`);
    return { created: (after?.n ?? 0) - (before?.n ?? 0), total: after?.n ?? 0 };
  });
}

async function mustGet(db: Store, id: string): Promise<{ status: string }> {
  const row = await db.one<{ status: string }>(sql`SELECT status FROM follow_ups WHERE id = ${id}`);
  if (!row) throw new TouchpointError('not_found', `no follow-up ${id}`);
  return row;
}

async function note(db: Store, id: string, kind: string, text: string | null, opts: Opts): Promise<void> {
  const now = opts.now ?? new Date();
  const n = await db.one<{ n: number }>(
    sql`SELECT count(*) AS n FROM follow_up_notes WHERE follow_up_id = ${id}`,
  );
  await db.exec(
    sql`INSERT INTO follow_up_notes VALUES (${`${id}#${(n?.n ?? 0) + 1}`}, ${id}, ${now}, ${opts.actor ?? null}, ${kind}, ${text})`,
  );
}

/** Assigns a follow-up to a person (re-assigning is allowed; each change is noted). */
export async function assign(db: Store, id: string, assignee: string, opts: Opts = {}): Promise<FollowUp> {
  await mustGet(db, id);
  await db.exec(sql`UPDATE follow_ups SET assignee = ${assignee} WHERE id = ${id}`);
  await note(db, id, 'assigned', assignee, opts);
  return getFollowUp(db, id, opts.now);
}

/** Adds a note to a follow-up. */
export async function addNote(db: Store, id: string, text: string, opts: Opts = {}): Promise<FollowUp> {
  if (text.trim() === '') throw new TouchpointError('invalid_input', 'a note needs text');
  await mustGet(db, id);
  await note(db, id, 'note', text, opts);
  return getFollowUp(db, id, opts.now);
}

/** Closes a follow-up; closing a closed one is refused (its closing time is the KPI's evidence). */
export async function close(
  db: Store,
  id: string,
  resolution: string | undefined,
  opts: Opts = {},
): Promise<FollowUp> {
  const row = await mustGet(db, id);
  if (row.status === 'closed') throw new TouchpointError('conflict', `follow-up ${id} is already closed`);
  const now = opts.now ?? new Date();
  await db.exec(
    sql`UPDATE follow_ups SET status = 'closed', closed_at = ${now}, resolution = ${resolution ?? null} WHERE id = ${id}`,
  );
  await note(db, id, 'closed', resolution ?? null, opts);
  return getFollowUp(db, id, now);
}

interface Row {
  id: string;
  feedback_id: string;
  customer_id: string | null;
  touchpoint: string | null;
  channel: string | null;
  kind: string;
  score: number | null;
  comment: string | null;
  theme: string | null;
  owner_team: string | null;
  assignee: string | null;
  status: 'open' | 'closed';
  answered_at: string;
  created_at: string;
  closed_at: string | null;
  resolution: string | null;
}

const toItem = (r: Row, now: Date): FollowUp => ({
  id: r.id,
  feedbackId: r.feedback_id,
  customerId: r.customer_id,
  touchpoint: r.touchpoint,
  channel: r.channel,
  kind: r.kind,
  score: r.score,
  comment: r.comment,
  theme: r.theme,
  ownerTeam: r.owner_team,
  assignee: r.assignee,
  status: r.status,
  answeredAt: r.answered_at,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  resolution: r.resolution,
  ageHours:
    Math.round(((r.closed_at ? Date.parse(r.closed_at) : now.getTime()) - Date.parse(r.created_at)) / 36e3) /
    100,
});

export async function getFollowUp(db: Store, id: string, now: Date = new Date()): Promise<FollowUp> {
  const r = await db.one<Row>(sql`SELECT * FROM follow_ups WHERE id = ${id}`);
  if (!r) throw new TouchpointError('not_found', `no follow-up ${id}`);
  return toItem(r, now);
}

export const FollowUpsParams = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  team: z.string().optional().describe('only items owned by this team'),
  theme: z.string().optional().describe('only items on this theme'),
  limit: z.number().int().min(1).max(10_000).default(100),
});
export type FollowUpsParams = z.output<typeof FollowUpsParams>;

export interface FollowUpsResult {
  readonly items: readonly FollowUp[];
  readonly open: number;
  readonly closed: number;
  /**
   * Share closed within 48 h of creation, among items that are closed or at least 48 h old
   * (younger open items cannot have missed it yet), with a Wilson interval.
   */
  readonly closedWithin48h: {
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly n: number;
    readonly smallSample: boolean;
  };
}

/** Follow-up items, open first, newest answer first, and the loop-closing KPI (for the same team/theme filter). */
export async function listFollowUps(
  db: Store,
  params: FollowUpsParams,
  now: Date = new Date(),
): Promise<FollowUpsResult> {
  const filter = sql`(${params.team ?? null}::VARCHAR IS NULL OR owner_team = ${params.team ?? null})
    AND (${params.theme ?? null}::VARCHAR IS NULL OR theme = ${params.theme ?? null})`;
  const items = await db.all<Row>(sql`SELECT * FROM follow_ups
    WHERE ${filter} AND (${params.status} = 'all' OR status = ${params.status})
    ORDER BY status DESC, answered_at DESC, id LIMIT ${params.limit}`);
  const k = await db.one<{ open: number; closed: number; eligible: number; in_time: number }>(sql`
    SELECT count(*) FILTER (WHERE status = 'open') AS open, count(*) FILTER (WHERE status = 'closed') AS closed,
      count(*) FILTER (WHERE status = 'closed' OR created_at <= ${now}::TIMESTAMP - to_hours(CAST(${CLOSE_WITHIN_HOURS} AS BIGINT))) AS eligible,
      count(*) FILTER (WHERE status = 'closed' AND closed_at <= created_at + to_hours(CAST(${CLOSE_WITHIN_HOURS} AS BIGINT))) AS in_time
    FROM follow_ups WHERE ${filter}`);
  const iv = wilson(k?.in_time ?? 0, k?.eligible ?? 0);
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    items: items.map((r) => toItem(r, now)),
    open: k?.open ?? 0,
    closed: k?.closed ?? 0,
    closedWithin48h: {
      value: fin(iv.value),
      low: fin(iv.low),
      high: fin(iv.high),
      n: iv.n,
      smallSample: iv.n === 0 || isSmallSample(iv),
    },
  };
}

const nowOf = (ctx: { now?: () => Date }) => ctx.now?.() ?? new Date();

export const followUpOperations = [
  defineOperation({
    area: 'feedback',
    verb: 'follow-ups',
    summary: 'Follow-up items for detractors and unhappy answers, and the share closed within 48 h',
    params: FollowUpsParams,
    mode: 'read',
    listField: 'items',
    run: (db, params, ctx) => listFollowUps(db, params, nowOf(ctx)),
    present: (r) => [
      {
        title: `${r.open} open, ${r.closed} closed; closed within 48 h: ${r.closedWithin48h.value === null ? '—' : `${Math.round(100 * r.closedWithin48h.value)}% of ${r.closedWithin48h.n}`}${r.closedWithin48h.smallSample ? ' (small sample)' : ''}`,
        rows: r.items.map((i) => ({
          id: i.id,
          status: i.status,
          customer: i.customerId ?? '',
          touchpoint: i.touchpoint ?? '',
          score: i.score,
          theme: i.theme ?? '',
          team: i.ownerTeam ?? '',
          assignee: i.assignee ?? '',
          'age (h)': i.ageHours,
        })),
      },
    ],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'follow-ups-sync',
    summary: 'Create follow-ups for every detractor or low-CSAT answer with a comment (idempotent)',
    params: z.object({}),
    mode: 'write',
    run: (db, _p, ctx) => createFollowUps(db, { now: nowOf(ctx), actor: ctx.actor }),
  }),
  defineOperation({
    area: 'feedback',
    verb: 'follow-up-assign',
    summary: 'Assign a follow-up to a person',
    params: z.object({ id: z.string().min(1), assignee: z.string().min(1) }),
    mode: 'write',
    permission: 'act',
    positional: ['id'],
    run: (db, p, ctx) => assign(db, p.id, p.assignee, { now: nowOf(ctx), actor: ctx.actor }),
  }),
  defineOperation({
    area: 'feedback',
    verb: 'follow-up-note',
    summary: 'Add a note to a follow-up',
    params: z.object({ id: z.string().min(1), note: z.string().min(1) }),
    mode: 'write',
    permission: 'act',
    positional: ['id'],
    run: (db, p, ctx) => addNote(db, p.id, p.note, { now: nowOf(ctx), actor: ctx.actor }),
  }),
  defineOperation({
    area: 'feedback',
    verb: 'follow-up-close',
    summary: 'Close a follow-up, with how it was resolved',
    params: z.object({ id: z.string().min(1), resolution: z.string().optional() }),
    mode: 'write',
    permission: 'act',
    positional: ['id'],
    run: (db, p, ctx) => close(db, p.id, p.resolution, { now: nowOf(ctx), actor: ctx.actor }),
  }),
] as const;
