import { z } from 'zod';
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
      if (r === null) return { current: null, history: [] as SentimentVersion[] };
      const { model: _w, history, ...current } = r;
      return { current: current as SentimentVersion, history };
    },
    present: (r) => [
      {
        title: r.current
          ? `sentiment model ${versionLabel(r.current)} (scores change only when retrained: feedback sentiment-train)`
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
      const answers = await db.all<{ id: string; comment: string; kind: string; score: number | null }>(sql`
        SELECT id, comment, kind, score FROM feedback
        WHERE comment IS NOT NULL AND trim(comment) <> '' ORDER BY id`);
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
] as const;
