import { describe, expect, it } from 'vitest';
import { type Store, sql, withTestDb } from '../store/index.js';
import { CommentsParams, listComments } from './comments.js';
import { insertFeedback } from './fixtures.js';

const INJECTION = "I typed '; DROP TABLE feedback; -- and got 100% off_sale";

async function fixture(db: Store): Promise<void> {
  await insertFeedback(db, [
    {
      id: 'a',
      ts: '2026-03-01T09:00:00Z',
      score: 3,
      comment: 'Delivery was LATE and the courier was rude',
      touchpoint: 'delivery',
    },
    {
      id: 'b',
      ts: '2026-03-02T09:00:00Z',
      kind: 'csat',
      score: 5,
      comment: 'Fast delivery, great',
      touchpoint: 'delivery',
    },
    { id: 'c', ts: '2026-03-03T09:00:00Z', score: 9, comment: INJECTION },
    { id: 'd', ts: '2026-03-04T09:00:00Z', kind: 'text', comment: '100 percent of my orders arrive late' },
    { id: 'e', ts: '2026-03-05T09:00:00Z', score: 2, comment: null },
    { id: 'f', ts: '2026-03-06T09:00:00Z', score: 4, comment: '   ' },
    { id: 'g', ts: '2026-03-07T09:00:00Z', kind: 'text', comment: 'offXsale was 100X better', channel: null },
  ]);
  await db.exec(sql`INSERT INTO feedback_text VALUES
    ('a', 'negative', -0.8, 'test', ['late-delivery', 'rude-agent'], 'late-delivery', '2026-03-08'::TIMESTAMP),
    ('b', 'positive', 0.7, 'test', ['delivery-speed'], 'delivery-speed', '2026-03-08'::TIMESTAMP)`);
}

const ids = async (db: Store, p: Partial<CommentsParams>) =>
  (await listComments(db, CommentsParams.parse(p))).items.map((i) => i.id);

describe('feedback comments', () => {
  it('lists only answers with a comment, newest first, with themes and sentiment', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await listComments(db, CommentsParams.parse({}));
      expect(r.total).toBe(5);
      expect(r.items.map((i) => i.id)).toEqual(['g', 'd', 'c', 'b', 'a']);
      expect(r.items.at(-1)).toEqual({
        id: 'a',
        ts: '2026-03-01T09:00:00.000Z',
        kind: 'nps',
        score: 3,
        comment: 'Delivery was LATE and the courier was rude',
        touchpoint: 'delivery',
        channel: 'web',
        customerId: 'c1',
        themes: ['late-delivery', 'rude-agent'],
        sentiment: 'negative',
        sentimentModel: 'test',
        sentimentWhy: [],
        corrected: null,
      });
      expect(r.items[2]).toEqual(
        expect.objectContaining({ id: 'c', themes: [], sentiment: null, sentimentModel: null }),
      );
      expect(r.items[0]!.channel).toBeNull();
    });
  });

  it.each([
    ['late delivery', ['a']], // every word, any case, any order
    ['LATE', ['d', 'a']],
    ['delivery', ['b', 'a']],
    ['100%', ['c']], // % is a character, not a wildcard (d and g hold "100" too)
    ['off_sale', ['c']], // _ is a character (g holds "offXsale")
    ["'; DROP TABLE feedback; --", ['c']],
    ['  ', ['g', 'd', 'c', 'b', 'a']],
    ['nowhere', []],
  ])('q %j finds %j', async (q, expected) => {
    await withTestDb(async (db) => {
      await fixture(db);
      expect(await ids(db, { q })).toEqual(expected);
      expect((await db.one<{ n: number }>(sql`SELECT count(*) AS n FROM feedback`))?.n).toBe(7);
    });
  });

  it('filters by theme, touchpoint, kind and period, and pages with the total of all pages', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      expect(await ids(db, { theme: 'rude-agent' })).toEqual(['a']);
      expect(await ids(db, { theme: 'late-delivery', q: 'fast' })).toEqual([]);
      expect(await ids(db, { touchpoint: 'checkout', kind: 'text' })).toEqual(['g', 'd']);
      expect(await ids(db, { kind: 'nps' })).toEqual(['c', 'a']);
      expect(await ids(db, { from: '2026-03-02', to: '2026-03-04' })).toEqual(['c', 'b']);
      const page = await listComments(db, CommentsParams.parse({ limit: 2, offset: 1 }));
      expect([page.total, page.items.map((i) => i.id)]).toEqual([5, ['d', 'c']]);
      const past = await listComments(db, CommentsParams.parse({ q: 'delivery', offset: 10 }));
      expect([past.total, past.items]).toEqual([2, []]);
      expect(CommentsParams.parse({}).limit).toBe(50);
    });
  });
});
