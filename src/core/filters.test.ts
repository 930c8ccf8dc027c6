import { describe, expect, it } from 'vitest';
import { ExportParams, exportCases } from '../cases/export.js';
import { getHandoffs, HandoffsParams } from '../cases/handoffs.js';
import { loadCases } from '../cases/test-fixtures.js';
import { CommentsParams, listComments } from '../feedback/comments.js';
import { operations } from '../operations.js';
import { sql, withTestDb } from '../store/index.js';
import { FilterParams } from './filters.js';

describe('the Filters fragment', () => {
  it('every cases and feedback analysis spreads it', () => {
    const ops = operations.filter(
      (op) => (op.area === 'cases' || op.area === 'feedback') && 'from' in op.params.shape,
    );
    expect(ops.length).toBeGreaterThanOrEqual(12); // 8 cases verbs, 4 feedback verbs
    for (const op of ops) {
      const shape = op.params.shape as Record<string, unknown>;
      for (const k of ['segment', 'channel', 'persona'] as const)
        expect(shape[k], `${op.area} ${op.verb} ${k}`).toBe(FilterParams[k]);
    }
  });

  it('segment and channel narrow cases and answers; a persona before personas exist is "unavailable"', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO customers (id, segment) VALUES ('a', 'smb'), ('b', 'enterprise')`);
      await loadCases(db, [
        { id: 'k1', customer: 'a', channel: 'phone', opened: '2026-03-01T10:00:00', events: [] },
        { id: 'k2', customer: 'b', channel: 'phone', opened: '2026-03-01T11:00:00', events: [] },
        { id: 'k3', customer: 'a', channel: 'chat', opened: '2026-03-01T12:00:00', events: [] },
      ]);
      await db.exec(sql`INSERT INTO feedback (id, customer_id, channel, ts, kind, comment) VALUES
        ('f1', 'a', 'web', '2026-03-01', 'text', 'one'), ('f2', 'b', 'web', '2026-03-01', 'text', 'two'),
        ('f3', 'a', 'app', '2026-03-01', 'text', 'three')`);
      const ids = async (p: Record<string, string>) =>
        (await exportCases(db, ExportParams.parse(p))).map((c) => c.case_id);
      expect(await ids({})).toEqual(['k1', 'k2', 'k3']);
      expect(await ids({ segment: 'smb' })).toEqual(['k1', 'k3']);
      expect(await ids({ channel: 'phone' })).toEqual(['k1', 'k2']);
      expect(await ids({ segment: 'smb', channel: 'chat' })).toEqual(['k3']);
      // the stored per-case metrics (no as-of) take the same filters
      expect((await getHandoffs(db, HandoffsParams.parse({ segment: 'enterprise' }))).totals).toMatchObject({
        cases: 1,
      });
      const comments = async (p: Record<string, string>) =>
        (await listComments(db, CommentsParams.parse(p))).items.map((c) => c.id).sort();
      expect(await comments({ segment: 'smb' })).toEqual(['f1', 'f3']);
      expect(await comments({ channel: 'web' })).toEqual(['f1', 'f2']);
      await expect(ids({ persona: 'bargain hunter' })).rejects.toMatchObject({
        code: 'unavailable',
        details: [{ field: 'persona', message: 'no personas yet' }],
      });
      // the tables the personas capability publishes: the newest run decides (r2 over r1)
      await db.exec(sql`INSERT INTO persona_runs (id, created_at, mode, seed, k, customers, thin_history, features,
          scaling, silhouette, params, notes)
        SELECT id, TIMESTAMP '2026-01-01', 'behaviour', 1, 1, 1, 0, '[]', '{}', '{}', '{}', '[]'
        FROM (VALUES ('r1'), ('r2')) t(id)`);
      await db.exec(sql`INSERT INTO personas (run_id, id, name, named_by, status, size, centroid, stability, distinguishing)
        SELECT run_id, id, 'bargain hunter', 'user', 'new', 1, '[]', 'unknown', '[]'
        FROM (VALUES ('r1', 'p1'), ('r2', 'p7')) t(run_id, id)`);
      await db.exec(sql`INSERT INTO customer_personas VALUES ('r1', 'a', 'p1', 0.5), ('r2', 'b', 'p7', 0.5)`);
      expect(await ids({ persona: 'bargain hunter' })).toEqual(['k2']);
      expect(await ids({ persona: 'p7' })).toEqual(['k2']);
    });
  });
});
