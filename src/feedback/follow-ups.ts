import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { SCORE_SCALES } from '../core/score-scales.js';
import { isSmallSample, wilson } from '../stats/index.js';
import { readMeta, type Store, sql, writeMeta } from '../store/index.js';
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
  /** Hours from the answer (when the customer spoke) to closing (closed) or to now (open). */
  readonly ageHours: number;
  /**
   * How bad the answer is, 0…1: (bad threshold − score + 1) / (bad threshold − scale minimum + 1), so
   * an NPS 0 is 1, an NPS 6 is 1/7, a CSAT 1 is 1 and a CSAT 2 is 1/2 (thresholds: score-scales.ts).
   */
  readonly severity: number;
  /** severity × age in hours: the default order of the queue, most urgent first. */
  readonly priority: number;
  /** Assignments, notes and the closing, oldest first; kept after the item is closed. */
  readonly history: readonly FollowUpNote[];
}

export interface FollowUpNote {
  readonly ts: string;
  readonly author: string | null;
  readonly kind: string;
  readonly note: string | null;
}

/** `meta` key of the team that owns follow-ups no touchpoint owner or case claims. */
export const DEFAULT_TEAM_KEY = 'follow_up_default_team';

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
  WHERE (f.kind = 'nps' AND f.score <= ${SCORE_SCALES.nps.badAtMost})
    OR (f.kind = 'csat' AND f.score <= ${SCORE_SCALES.csat.badAtMost})
)`;

/**
 * The team a follow-up is routed to, for feedback row `f`: the touchpoint's owner (an exact channel
 * row first), else the team of the case the answer is about (`case_id`), else the team of the
 * customer's latest case opened in the 30 days up to the answer, else the configured default team.
 */
const routeOf = (defaultTeam: string | null) => sql`coalesce(
  ${ownerOf},
  (SELECT k.owner_team FROM cases k WHERE k.id = f.case_id),
  (SELECT arg_max(k.owner_team, k.opened_at) FROM cases k
    WHERE f.customer_id IS NOT NULL AND k.customer_id = f.customer_id AND k.owner_team IS NOT NULL
      AND k.opened_at <= f.ts AND k.opened_at > f.ts - INTERVAL 30 DAY),
  ${defaultTeam}::VARCHAR)`;

/**
 * Creates a follow-up for every detractor (NPS 0–6) or dissatisfied (CSAT 1–2) answer with a
 * comment — its own or the text answer of the same survey submission — that has none yet;
 * idempotent per feedback id, so re-imports and re-runs never duplicate one. Items carry customer,
 * touchpoint, channel, owning team (touchpoint_owners) and the comment's primary theme when the
 * text analysis has run; open items without a theme get it when it has.
 */
export async function createFollowUps(
  db: Store,
  opts: Opts & { readonly defaultTeam?: string } = {},
): Promise<{ created: number; total: number; routed: number; defaultTeam: string | null }> {
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    if (opts.defaultTeam !== undefined) await writeMeta(tx, DEFAULT_TEAM_KEY, opts.defaultTeam || null, now);
    const stored = await readMeta(tx, DEFAULT_TEAM_KEY);
    const defaultTeam = typeof stored === 'string' && stored !== '' ? stored : null;
    const before = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM follow_ups`);
    await tx.exec(sql`
      INSERT INTO follow_ups (id, feedback_id, customer_id, touchpoint, channel, kind, score, comment, theme,
        owner_team, assignee, status, answered_at, created_at, closed_at, resolution)
      SELECT 'fu-' || f.id, f.id, f.customer_id, f.touchpoint, f.channel, f.kind, f.score, f.fu_comment,
        (SELECT t.primary_theme FROM feedback_text t WHERE t.feedback_id = f.text_id), ${routeOf(defaultTeam)}, NULL, 'open',
        f.ts, ${now}, NULL, NULL
      FROM ${unhappy} f
      WHERE f.fu_comment IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM follow_ups u WHERE u.feedback_id = f.id)`);
    await tx.exec(sql`
      UPDATE follow_ups SET theme = t.primary_theme FROM ${unhappy} f, feedback_text t
      WHERE follow_ups.feedback_id = f.id AND t.feedback_id = f.text_id AND follow_ups.theme IS NULL
        AND t.primary_theme IS NOT NULL AND follow_ups.status = 'open'`);
    // open items nobody owns yet are routed again (owners, cases or the default may have arrived)
    const unowned = sql`(SELECT count(*) FROM follow_ups WHERE owner_team IS NULL AND status = 'open')`;
    const was = await tx.one<{ n: number }>(sql`SELECT ${unowned} AS n`);
    await tx.exec(sql`
      UPDATE follow_ups SET owner_team = ${routeOf(defaultTeam)} FROM feedback f
      WHERE follow_ups.feedback_id = f.id AND follow_ups.owner_team IS NULL AND follow_ups.status = 'open'`);
    const still = await tx.one<{ n: number }>(sql`SELECT ${unowned} AS n`);
    const after = await tx.one<{ n: number }>(sql`SELECT count(*) AS n FROM follow_ups`);
    return {
      created: (after?.n ?? 0) - (before?.n ?? 0),
      total: after?.n ?? 0,
      routed: (was?.n ?? 0) - (still?.n ?? 0),
      defaultTeam,
    };
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

/** How bad an answer is, 0…1 (see FollowUp.severity); 0 for kinds that are never followed up. */
export function severity(kind: string, score: number | null): number {
  if ((kind !== 'nps' && kind !== 'csat') || score === null) return 0;
  const s = SCORE_SCALES[kind];
  const v = (s.badAtMost - score + 1) / (s.badAtMost - s.min + 1);
  return Math.round(Math.min(1, Math.max(0, v)) * 1e4) / 1e4;
}

/** Hours from the answer to the closing, or to now while open. */
const ageOf = (r: Row, now: Date) =>
  Math.round(((r.closed_at ? Date.parse(r.closed_at) : now.getTime()) - Date.parse(r.answered_at)) / 36e3) /
  100;

const toItem = (r: Row, now: Date, history: readonly FollowUpNote[] = []): FollowUp => ({
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
  ageHours: ageOf(r, now),
  severity: severity(r.kind, r.score),
  priority: Math.round(severity(r.kind, r.score) * ageOf(r, now) * 100) / 100,
  history,
});

/** The notes of these follow-ups, oldest first, by item. */
async function historyOf(db: Store, ids: readonly string[]): Promise<Map<string, FollowUpNote[]>> {
  const out = new Map<string, FollowUpNote[]>();
  if (ids.length === 0) return out;
  const rows = await db.all<FollowUpNote & { follow_up_id: string; id: string }>(sql`
    SELECT follow_up_id, id, strftime(ts, '%Y-%m-%dT%H:%M:%S.%gZ') AS ts, author, kind, note
    FROM follow_up_notes WHERE list_contains(${[...ids]}::VARCHAR[], follow_up_id)
    ORDER BY follow_up_id, ts, length(id), id`);
  for (const r of rows)
    out.set(r.follow_up_id, [
      ...(out.get(r.follow_up_id) ?? []),
      { ts: r.ts, author: r.author, kind: r.kind, note: r.note },
    ]);
  return out;
}

export async function getFollowUp(db: Store, id: string, now: Date = new Date()): Promise<FollowUp> {
  const r = await db.one<Row>(sql`SELECT * FROM follow_ups WHERE id = ${id}`);
  if (!r) throw new TouchpointError('not_found', `no follow-up ${id}`);
  return toItem(r, now, (await historyOf(db, [id])).get(id) ?? []);
}

export const FollowUpsParams = z.object({
  status: z.enum(['open', 'closed', 'all']).default('open'),
  team: z.string().optional().describe('only items owned by this team ("none": nobody owns them)'),
  theme: z.string().optional().describe('only items on this theme'),
  touchpoint: z.string().optional().describe('only items answered about this touchpoint'),
  assignee: z.string().optional().describe('only items assigned to this person ("none": unassigned)'),
  minAgeHours: z.number().min(0).optional().describe('only items at least this many hours since the answer'),
  maxAgeHours: z.number().min(0).optional().describe('only items at most this many hours since the answer'),
  sort: z
    .enum(['priority', 'oldest', 'newest'])
    .default('priority')
    .describe('priority = severity × age (most urgent first); oldest / newest answer first'),
  limit: z.number().int().min(1).max(10_000).default(100),
});
export type FollowUpsParams = z.input<typeof FollowUpsParams>;

export interface FollowUpsResult {
  readonly items: readonly FollowUp[];
  readonly open: number;
  readonly closed: number;
  /**
   * Share closed within 48 h of the answer, among items that are closed or whose answer is at least
   * 48 h old (younger open items cannot have missed it yet), with a Wilson interval.
   */
  readonly closedWithin48h: {
    readonly value: number | null;
    readonly low: number | null;
    readonly high: number | null;
    readonly n: number;
    readonly smallSample: boolean;
  };
}

/**
 * Follow-up items, open first, most urgent first (severity × hours since the answer; `sort` changes
 * it), with their history, and the loop-closing KPI for the same filters.
 */
export async function listFollowUps(
  db: Store,
  params: FollowUpsParams,
  now: Date = new Date(),
): Promise<FollowUpsResult> {
  const p = FollowUpsParams.parse(params);
  const none = (v: string | undefined, col: ReturnType<typeof sql>) =>
    v === undefined ? sql`true` : v === 'none' ? sql`${col} IS NULL` : sql`${col} = ${v}`;
  // age counts from the answer: to the closing when closed, to now while open
  const age = sql`(epoch(coalesce(closed_at, ${now}::TIMESTAMP)) - epoch(answered_at)) / 3600.0`;
  const filter = sql`${none(p.team, sql`owner_team`)} AND ${none(p.assignee, sql`assignee`)}
    AND (${p.theme ?? null}::VARCHAR IS NULL OR theme = ${p.theme ?? null})
    AND (${p.touchpoint ?? null}::VARCHAR IS NULL OR touchpoint = ${p.touchpoint ?? null})
    AND (${p.minAgeHours ?? null}::DOUBLE IS NULL OR ${age} >= ${p.minAgeHours ?? null})
    AND (${p.maxAgeHours ?? null}::DOUBLE IS NULL OR ${age} <= ${p.maxAgeHours ?? null})`;
  const sev = (k: string) => {
    const s = SCORE_SCALES[k as 'nps' | 'csat'];
    return sql`greatest(0, least(1, (${s.badAtMost} - score + 1) / ${s.badAtMost - s.min + 1}))`;
  };
  const order =
    p.sort === 'oldest'
      ? sql`answered_at, id`
      : p.sort === 'newest'
        ? sql`answered_at DESC, id`
        : sql`CASE kind WHEN 'nps' THEN ${sev('nps')} WHEN 'csat' THEN ${sev('csat')} ELSE 0 END * ${age} DESC, answered_at, id`;
  const rows = await db.all<Row>(sql`SELECT * FROM follow_ups
    WHERE ${filter} AND (${p.status} = 'all' OR status = ${p.status})
    ORDER BY status DESC, ${order} LIMIT ${p.limit}`);
  const history = await historyOf(
    db,
    rows.map((r) => r.id),
  );
  const k = await db.one<{ open: number; closed: number; eligible: number; in_time: number }>(sql`
    SELECT count(*) FILTER (WHERE status = 'open') AS open, count(*) FILTER (WHERE status = 'closed') AS closed,
      count(*) FILTER (WHERE status = 'closed' OR answered_at <= ${now}::TIMESTAMP - to_hours(CAST(${CLOSE_WITHIN_HOURS} AS BIGINT))) AS eligible,
      count(*) FILTER (WHERE status = 'closed' AND closed_at <= answered_at + to_hours(CAST(${CLOSE_WITHIN_HOURS} AS BIGINT))) AS in_time
    FROM follow_ups WHERE ${filter}`);
  const iv = wilson(k?.in_time ?? 0, k?.eligible ?? 0);
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    items: rows.map((r) => toItem(r, now, history.get(r.id) ?? [])),
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
          priority: i.priority,
        })),
      },
    ],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'follow-ups-sync',
    summary:
      'Create follow-ups for every detractor or low-CSAT answer with a comment (idempotent), routed to the touchpoint owner, else the case’s team, else the default team',
    params: z.object({
      defaultTeam: z
        .string()
        .optional()
        .describe(
          'store this team as the owner of follow-ups no touchpoint owner or case claims ("" clears it)',
        ),
    }),
    mode: 'write',
    run: (db, p, ctx) =>
      createFollowUps(db, {
        now: nowOf(ctx),
        actor: ctx.actor,
        ...(p.defaultTeam !== undefined ? { defaultTeam: p.defaultTeam } : {}),
      }),
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
