import { z } from 'zod';
import { FilterParams } from '../core/filters.js';
import { defineOperation } from '../core/operation.js';
import { TimeFrameParams } from '../core/time.js';
import { type SqlFragment, type Store, sql } from '../store/index.js';
import { answersIn } from './base.js';
import { effectsText, explainScore, type WordEffect } from './explain.js';
import { loadSentimentRecord, scorerOf } from './sentiment-version.js';

export const CommentsParams = z.object({
  q: z
    .string()
    .optional()
    .describe('full-text search: comments containing every word (case-insensitive, literal)'),
  theme: z.string().optional().describe('only comments raising this theme (after `feedback themes`)'),
  touchpoint: z.string().optional().describe('only answers about this touchpoint'),
  kind: z.enum(['nps', 'csat', 'ces', 'text']).optional().describe('only answers of this kind'),
  ...TimeFrameParams,
  ...FilterParams,
  limit: z.number().int().min(1).max(10_000).default(50),
  offset: z.number().int().min(0).default(0),
});
export type CommentsParams = z.output<typeof CommentsParams>;

export interface CommentItem {
  readonly id: string;
  readonly ts: string;
  readonly kind: string;
  readonly score: number | null;
  readonly comment: string;
  readonly touchpoint: string | null;
  readonly channel: string | null;
  readonly customerId: string | null;
  /** theme ids of the latest text analysis (empty before one ran) */
  readonly themes: readonly string[];
  readonly sentiment: 'negative' | 'neutral' | 'positive' | null;
  /** the sentiment model version that scored it (`v2 company+…@hash`), null before an analysis */
  readonly sentimentModel: string | null;
  /** the words that drove its sentiment score most (explain.ts), empty before an analysis */
  readonly sentimentWhy: readonly WordEffect[];
  /** an analyst's correction of its label (`feedback label-comment`), used by the next retrain */
  readonly corrected: 'negative' | 'neutral' | 'positive' | null;
}

export interface CommentsResult {
  /** comments matching the search and filters (all pages) */
  readonly total: number;
  readonly items: readonly CommentItem[];
}

interface Row {
  id: string;
  ts: string;
  kind: string;
  score: number | null;
  comment: string;
  touchpoint: string | null;
  channel: string | null;
  customer_id: string | null;
  themes: string[];
  sentiment: 'negative' | 'neutral' | 'positive' | null;
  scorer: string | null;
  corrected: 'negative' | 'neutral' | 'positive' | null;
}

/**
 * The comment explorer: every answer with a comment, newest first, searched in the database. Each
 * word of `q` must occur in the comment (case-insensitive substring, so `%`, `_` and quotes are
 * plain characters); theme and sentiment come from the latest text analysis (`feedback_text`).
 */
export async function listComments(db: Store, params: CommentsParams): Promise<CommentsResult> {
  const words = (params.q ?? '').split(/\s+/).filter(Boolean);
  let where: SqlFragment = sql`f.comment IS NOT NULL AND trim(f.comment) <> '' AND ${await answersIn(db, params)}
    AND (${params.touchpoint ?? null}::VARCHAR IS NULL OR f.touchpoint = ${params.touchpoint ?? null})
    AND (${params.kind ?? null}::VARCHAR IS NULL OR f.kind = ${params.kind ?? null})
    AND (${params.theme ?? null}::VARCHAR IS NULL OR list_contains(t.themes, ${params.theme ?? null}))`;
  for (const w of words) where = sql`${where} AND contains(lower(f.comment), lower(${w}))`;
  const from = sql`feedback f LEFT JOIN feedback_text t ON t.feedback_id = f.id
    LEFT JOIN feedback_labels l ON l.feedback_id = f.id WHERE ${where}`;
  const count = await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM ${from}`);
  const rows = await db.all<Row>(sql`
    SELECT f.id, f.ts, f.kind, f.score, f.comment, f.touchpoint, f.channel, f.customer_id,
      coalesce(t.themes, []::VARCHAR[]) AS themes, t.label AS sentiment, t.scorer,
      l.label AS corrected
    FROM ${from}
    ORDER BY f.ts DESC, f.id DESC LIMIT ${params.limit} OFFSET ${params.offset}`);
  const record = rows.some((r) => r.sentiment !== null) ? await loadSentimentRecord(db) : null;
  const scorer = record ? scorerOf(record) : null;
  return {
    total: count?.n ?? 0,
    items: rows.map((r) => ({
      id: r.id,
      ts: r.ts,
      kind: r.kind,
      score: r.score,
      comment: r.comment,
      touchpoint: r.touchpoint,
      channel: r.channel,
      customerId: r.customer_id,
      themes: r.themes,
      sentiment: r.sentiment,
      sentimentModel: r.scorer,
      sentimentWhy: scorer && r.sentiment !== null ? explainScore(scorer, r.comment) : [],
      corrected: r.corrected,
    })),
  };
}

export const commentsOperation = defineOperation({
  area: 'feedback',
  verb: 'comments',
  summary: 'Comment explorer: full-text search over every comment, by theme, touchpoint, kind and period',
  params: CommentsParams,
  mode: 'read',
  cache: {},
  listField: 'items',
  run: (db, params) => listComments(db, params),
  present: (r, p) => [
    {
      title: `${r.total} comments match${r.items.length > 0 && r.total > r.items.length ? ` (showing ${p.offset + 1}–${p.offset + r.items.length})` : ''}${r.items[0]?.sentimentModel ? `; sentiment model ${r.items[0].sentimentModel}` : ''}`,
      rows: r.items.map((i) => ({
        when: i.ts.slice(0, 16).replace('T', ' '),
        kind: i.kind,
        score: i.score ?? '',
        touchpoint: i.touchpoint ?? '',
        sentiment: i.sentiment ?? '',
        corrected: i.corrected ?? '',
        why: effectsText(i.sentimentWhy),
        themes: i.themes.join(', '),
        comment: i.comment,
      })),
    },
  ],
});
