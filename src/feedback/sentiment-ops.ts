import { z } from 'zod';
import { TouchpointError } from '../core/errors.js';
import { defineOperation } from '../core/operation.js';
import { sql } from '../store/index.js';
import { analyzeWorkspace } from './analyze.js';
import {
  loadSentimentRecord,
  retrainSentiment,
  type SentimentVersion,
  versionLabel,
} from './sentiment-version.js';

const versionRow = (v: SentimentVersion) => ({
  version: versionLabel(v),
  'trained at': v.trainedAt.slice(0, 16).replace('T', ' '),
  'company model': v.company ? 'yes' : 'no',
  note: v.note,
});

export const sentimentOperations = [
  defineOperation({
    area: 'feedback',
    verb: 'sentiment-model',
    summary: 'The sentiment model every score is made with: its version, what it was trained on, its history',
    params: z.object({}),
    mode: 'read',
    cache: {},
    listField: 'history',
    run: async (db) => {
      const r = await loadSentimentRecord(db);
      // analysts' label corrections, and how many came after this version was trained (the next
      // sentiment-train would learn from them)
      const trained = r ? Date.parse(r.trainedAt) : -1;
      const c = await db.one<{ total: number; since: number }>(sql`
        SELECT count(*)::INTEGER AS total,
          count(*) FILTER (WHERE epoch_ms(labelled_at) > ${trained})::INTEGER AS since
        FROM feedback_labels`);
      const corrections = { total: c?.total ?? 0, sinceTraining: c?.since ?? 0 };
      if (r === null) return { current: null, history: [] as SentimentVersion[], corrections };
      const { model: _w, adapted: _a, history, ...current } = r;
      return { current: current as SentimentVersion, history, corrections };
    },
    present: (r) => [
      {
        title: r.current
          ? `sentiment model ${versionLabel(r.current)} (scores change only when retrained: feedback sentiment-train); ${r.corrections.sinceTraining} label corrections since it was trained`
          : 'no sentiment model yet: the first analysis (feedback themes) writes version 1',
        rows: r.current ? [r.current, ...r.history].map(versionRow) : [],
      },
    ],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'sentiment-train',
    summary:
      'Retrain the sentiment model on the comments there now (a new version; says how many comments change label) and re-score',
    params: z.object({}),
    mode: 'write',
    run: async (db, _p, ctx) => {
      const now = ctx.now?.() ?? new Date();
      const answers = await db.all<{
        id: string;
        comment: string;
        kind: string;
        score: number | null;
        corrected: string | null;
      }>(sql`
        SELECT f.id, f.comment, f.kind, f.score, l.label AS corrected
        FROM feedback f LEFT JOIN feedback_labels l ON l.feedback_id = f.id
        WHERE f.comment IS NOT NULL AND trim(f.comment) <> '' ORDER BY f.id`);
      const r = await retrainSentiment(db, answers, now);
      await analyzeWorkspace(db, { discover: false, now }, ctx);
      return r;
    },
    present: (r) => [
      {
        title: `sentiment model ${versionLabel(r.current)}${r.previous ? ` replaces ${versionLabel(r.previous)}` : ''}: ${r.changed.total} of ${r.changed.comments} comments change label`,
        rows: [r.current, ...(r.previous ? [r.previous] : [])].map(versionRow),
      },
    ],
  }),
  defineOperation({
    area: 'feedback',
    verb: 'label-comment',
    summary:
      "Correct a comment's sentiment label; scores stay as they are until the next feedback sentiment-train, which learns from the corrections",
    params: z.object({
      id: z.string().min(1).describe('the feedback id of the comment'),
      label: z.enum(['negative', 'neutral', 'positive']).describe('negative | neutral | positive'),
    }),
    mode: 'write',
    positional: ['id'],
    run: async (db, p, ctx) => {
      const now = ctx.now?.() ?? new Date();
      const row = await db.one<{ id: string; label: string | null }>(sql`
        SELECT f.id, t.label FROM feedback f LEFT JOIN feedback_text t ON t.feedback_id = f.id
        WHERE f.id = ${p.id} AND f.comment IS NOT NULL AND trim(f.comment) <> ''`);
      if (!row) throw new TouchpointError('not_found', `no comment with feedback id ${p.id}`);
      await db.transaction(async (tx) => {
        await tx.exec(sql`DELETE FROM feedback_labels WHERE feedback_id = ${p.id}`);
        await tx.exec(
          sql`INSERT INTO feedback_labels VALUES (${p.id}, ${p.label}, ${ctx.actor ?? null}, ${now})`,
        );
      });
      const n = await db.one<{ n: number }>(sql`SELECT count(*)::INTEGER AS n FROM feedback_labels`);
      return { id: p.id, label: p.label, scoredAs: row.label, corrections: n?.n ?? 0 };
    },
    present: (r) => [
      {
        text: `comment ${r.id}: labelled ${r.label}${r.scoredAs ? ` (scored ${r.scoredAs})` : ''}; ${r.corrections} corrections in this workspace, used by the next feedback sentiment-train`,
      },
    ],
  }),
] as const;
