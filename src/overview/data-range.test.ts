import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getDataRange } from './data-range.js';

describe('data range', () => {
  it('is null on an empty workspace', async () => {
    await withTestDb(async (db) => {
      expect(await getDataRange(db)).toEqual({ first: null, latest: null, personas: 0 });
    });
  });

  it('spans events, answers and case openings', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, touchpoint, channel) VALUES
        ('e1', 'c1', ${'2025-06-01T10:00:00Z'}::TIMESTAMP, 'ad', 'web'), ('e2', 'c1', ${'2025-07-01T10:00:00Z'}::TIMESTAMP, 'ad', 'web')`);
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES
        ('f1', 'c1', ${'2025-07-15T08:30:00Z'}::TIMESTAMP, 'nps', 9)`);
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at) VALUES
        ('k1', 'c1', ${'2025-05-20T00:00:00Z'}::TIMESTAMP)`);
      expect(await getDataRange(db)).toEqual({
        first: '2025-05-20T00:00:00.000Z',
        latest: '2025-07-15T08:30:00.000Z',
        personas: 0,
      });
    });
  });

  it('counts the customers with a persona in the newest run only', async () => {
    await withTestDb(async (db) => {
      for (const run of ['r1', 'r2'])
        await db.exec(sql`INSERT INTO persona_runs VALUES (${run}, now()::TIMESTAMP, 'discover', 1, 2, 3, 0,
          '[]', '{}', '[]', NULL, '{}', '[]')`);
      await db.exec(sql`INSERT INTO personas VALUES ('r2', 'p1', 'Bargain hunters', 'vocabulary', NULL, 'new',
        NULL, 2, '[]', NULL, 'unknown', '[]')`);
      // r1 (older) has three customers, r2 (newest) two: the newest run counts
      await db.exec(sql`INSERT INTO customer_personas VALUES ('r1', 'c1', 'p1', 0), ('r1', 'c2', 'p1', 0),
        ('r1', 'c3', 'p1', 0), ('r2', 'c1', 'p1', 0), ('r2', 'c2', 'p1', 0)`);
      expect((await getDataRange(db)).personas).toBe(2);
    });
  });

  it('ignores empty tables', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES
        ('f1', 'c1', ${'2025-07-15T08:30:00Z'}::TIMESTAMP, 'nps', 9)`);
      expect(await getDataRange(db)).toEqual({
        first: '2025-07-15T08:30:00.000Z',
        latest: '2025-07-15T08:30:00.000Z',
        personas: 0,
      });
    });
  });
});
