import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { insertFeedback } from './fixtures.js';
import { getScores } from './scores.js';

const nps = (scores: number[], extra: Partial<{ touchpoint: string; ts: string }> = {}) =>
  scores.map((score) => ({ score, kind: 'nps' as const, ...extra }));

describe('getScores', () => {
  it('computes NPS with the trinomial interval by hand', async () => {
    await withTestDb(async (db) => {
      // 4 promoters, 2 passives, 4 detractors: NPS 0; var = (0.4 + 0.4 − 0²)/10 = 0.08; half = 1.96·√0.08
      await insertFeedback(db, nps([10, 10, 9, 9, 8, 7, 6, 0, 3, 5]));
      const r = await getScores(db, { kind: 'nps', by: 'none' });
      expect(r.rows).toHaveLength(1);
      const row = r.rows[0]!;
      expect(row.n).toBe(10);
      expect(row.value).toBeCloseTo(0, 10);
      expect(row.high).toBeCloseTo(100 * 1.959964 * Math.sqrt(0.08), 3);
      expect(row.low).toBeCloseTo(-100 * 1.959964 * Math.sqrt(0.08), 3);
      expect(row.counts).toEqual({ n: 10, top: 4, middle: 2, bottom: 4, sum: 67, sumSq: 545 });
      expect(row.smallSample).toBe(true);
    });
  });

  it.each([
    ['all promoters', [10, 9, 10], 100, 100, 100],
    ['single detractor', [6], -100, -100, -100],
    ['single passive', [7], 0, 0, 0],
  ])('%s', async (_name, scores, value, low, high) => {
    await withTestDb(async (db) => {
      await insertFeedback(db, nps(scores));
      const row = (await getScores(db, { kind: 'nps', by: 'none' })).rows[0]!;
      expect([row.value, row.low, row.high, row.n, row.smallSample]).toEqual([
        value,
        low,
        high,
        scores.length,
        true,
      ]);
    });
  });

  it('no answers gives n = 0 and no figure', async () => {
    await withTestDb(async (db) => {
      const r = await getScores(db, { kind: 'nps', by: 'none' });
      expect(r.rows).toEqual([
        expect.objectContaining({
          group: 'all',
          n: 0,
          value: null,
          low: null,
          high: null,
          smallSample: true,
        }),
      ]);
      expect((await getScores(db, { kind: 'csat', by: 'touchpoint' })).rows).toEqual([]);
    });
  });

  it('computes CSAT as share of 4–5 (Wilson) with the mean, and CES as mean with share easy', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(
        db,
        [5, 4, 3, 2, 1].map((score) => ({ kind: 'csat' as const, score })),
      );
      await insertFeedback(
        db,
        [7, 5, 3].map((score, i) => ({ id: `ces${i}`, kind: 'ces' as const, score })),
      );
      const csat = (await getScores(db, { kind: 'csat', by: 'none' })).rows[0]!;
      expect(csat.value).toBeCloseTo(40, 10);
      // Wilson 2/5: centre (0.4 + 1.92/5)/(1 + 3.8415/5) …
      const z = 1.959963984540054;
      const centre = (0.4 + (z * z) / 10) / (1 + (z * z) / 5);
      const half = (z * Math.sqrt(0.24 / 5 + (z * z) / 100)) / (1 + (z * z) / 5);
      expect(csat.low).toBeCloseTo(100 * (centre - half), 8);
      expect(csat.high).toBeCloseTo(100 * (centre + half), 8);
      expect(csat.secondary.value).toBeCloseTo(3, 10);
      const ces = (await getScores(db, { kind: 'ces', by: 'none' })).rows[0]!;
      expect(ces.value).toBeCloseTo(5, 10);
      // s² = ((7−5)² + 0 + (3−5)²)/2 = 4; t(0.975, 2) = 4.302653
      expect(ces.high! - ces.value!).toBeCloseTo(4.302653 * Math.sqrt(4 / 3), 4);
      expect(ces.secondary.value).toBeCloseTo(200 / 3, 8);
    });
  });

  it('breaks down by owning team (exact channel over "*") and by month', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('checkout', '*', 'web-team'), ('checkout', 'app', 'app-team')`,
      );
      await insertFeedback(db, [
        { score: 10, channel: 'web', ts: '2026-01-05T00:00:00Z' },
        { score: 0, channel: 'app', ts: '2026-01-06T00:00:00Z' },
        { score: 9, channel: 'app', ts: '2026-02-06T00:00:00Z' },
        { score: 5, touchpoint: 'delivery', ts: '2026-02-07T00:00:00Z' },
      ]);
      const team = await getScores(db, { kind: 'nps', by: 'team' });
      expect(team.rows.map((r) => [r.group, r.n, r.value])).toEqual([
        ['app-team', 2, 0],
        ['(unowned)', 1, -100],
        ['web-team', 1, 100],
      ]);
      const month = await getScores(db, { kind: 'nps', by: 'month' });
      expect(month.rows.map((r) => [r.group, r.n, r.value])).toEqual([
        ['2026-01', 2, 0],
        ['2026-02', 2, 0],
      ]);
    });
  });

  it('breaks down by customer segment and channel', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO customers (id, segment) VALUES ('c1', 'smb'), ('c2', 'smb'), ('c3', 'enterprise')`,
      );
      await insertFeedback(db, [
        { customer: 'c1', score: 10, channel: 'email' },
        { customer: 'c2', score: 9, channel: 'app' },
        { customer: 'c3', score: 2, channel: 'email' },
        { customer: null, score: 8, channel: null },
      ]);
      const seg = await getScores(db, { kind: 'nps', by: 'segment' });
      expect(seg.rows.map((r) => [r.group, r.n, r.value])).toEqual([
        ['smb', 2, 100],
        ['(none)', 1, 0],
        ['enterprise', 1, -100],
      ]);
      const ch = await getScores(db, { kind: 'nps', by: 'channel' });
      expect(ch.rows.map((r) => [r.group, r.n, r.value])).toEqual([
        ['email', 2, 0],
        ['(none)', 1, 0],
        ['app', 1, 100],
      ]);
    });
  });

  it('tests the change between two periods', async () => {
    await withTestDb(async (db) => {
      const cur = Array.from({ length: 100 }, (_, i) => ({
        score: i < 60 ? 10 : 3,
        ts: '2026-03-10T00:00:00Z',
      }));
      const prev = Array.from({ length: 100 }, (_, i) => ({
        score: i < 40 ? 10 : 3,
        ts: '2026-02-10T00:00:00Z',
      }));
      await insertFeedback(
        db,
        [...cur, ...prev].map((r, i) => ({ ...r, id: `x${i}` })),
      );
      const r = await getScores(db, {
        kind: 'nps',
        by: 'none',
        from: '2026-03-01',
        to: '2026-04-01',
        compareFrom: '2026-02-01',
        compareTo: '2026-03-01',
      });
      const row = r.rows[0]!;
      // 20 − (−20) = 40 points; var = (1 − 0.04)/100 each, se = √0.0192
      expect(row.value).toBeCloseTo(20, 10);
      expect(row.change!.previous.value).toBeCloseTo(-20, 10);
      expect(row.change!.difference).toBeCloseTo(40, 8);
      expect(row.change!.high! - 40).toBeCloseTo(100 * 1.959964 * Math.sqrt(0.0192), 3);
      expect(row.change!.significant).toBe(true);
      await expect(getScores(db, { kind: 'nps', by: 'none', compareFrom: '2026-01-01' })).rejects.toThrow(
        /compare-to/,
      );
    });
  });
});

describe('out-of-range scores', () => {
  it.each([
    ['nps', 11],
    ['csat', 0],
    ['ces', 8],
  ])(
    'a %s score of %d is rejected at import, naming line and field, and stores nothing',
    async (kind, score) => {
      const { importRecords } = await import('../ingest/index.js');
      await withTestDb(async (db) => {
        const records = [
          { id: 'a1', ts: '2026-03-01T10:00:00Z', kind, score: kind === 'nps' ? 9 : 3 },
          { id: 'a2', ts: '2026-03-01T11:00:00Z', kind, score },
        ];
        const err = await importRecords(db, 'feedback', records, {
          source: 'answers.csv',
          lineOf: (i) => i + 2,
        }).then(
          () => undefined,
          (e: unknown) => e as { details?: { line?: number; field?: string }[] },
        );
        expect(err?.details?.[0]).toEqual(expect.objectContaining({ line: 3, field: 'score' }));
        const r = await getScores(db, { kind: kind as 'nps', by: 'none' });
        expect(r.rows[0]!.n).toBe(0);
      });
    },
  );
});
