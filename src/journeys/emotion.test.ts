import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getEmotion, sentimentOf } from './emotion.js';
import { addEvents, addJourney } from './fixtures.test-helpers.js';

let seq = 0;
async function answer(
  db: Parameters<Parameters<typeof withTestDb>[0]>[0],
  touchpoint: string,
  kind: string,
  score: number | null,
  comment: string | null = null,
  label: 'positive' | 'neutral' | 'negative' | null = null,
) {
  const id = `f${++seq}`;
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, touchpoint, comment)
    VALUES (${id}, 'c1', ${'2026-03-01T10:00:00Z'}::TIMESTAMP + to_seconds(${seq}::BIGINT), ${kind}, ${score}, ${touchpoint}, ${comment})`);
  if (label)
    await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, analyzed_at)
      VALUES (${id}, ${label}, 0, 'test', [], now()::TIMESTAMP)`);
}

describe('journey emotion', () => {
  it('net sentiment is % positive − % negative with the trinomial interval', () => {
    // 6 positive, 2 neutral, 2 negative of 10: 60 % − 20 % = 40 points
    const s = sentimentOf(6, 2, 2);
    expect(s.value).toBeCloseTo(40, 6);
    // se = sqrt((0.6 + 0.2 − 0.4²) / 10) = sqrt(0.064) = 0.25298; ±1.96 se = ±49.58 points
    expect(s.low).toBeCloseTo(40 - 49.585, 1);
    expect(s.high).toBeCloseTo(89.585, 1);
    expect(s.smallSample).toBe(true);
    expect(sentimentOf(0, 0, 0).value).toBeNull();
  });

  it('pools a stage’s touchpoints, orders stages as the journey does and quotes a real comment', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await addEvents(db, [{ customer: 'c1', touchpoint: 'ad', at: '2026-03-02T00:00:00Z' }]);
      // stage a: ad NPS 10, 9 (2 promoters) · site NPS 3 (1 detractor) → 3 answers, NPS (2 − 1)/3 = 33.3
      await answer(db, 'ad', 'nps', 10, 'Lovely adverts, exactly what I was looking for', 'positive');
      await answer(db, 'ad', 'nps', 9);
      await answer(db, 'site', 'nps', 3, 'The site kept logging me out during checkout', 'negative');
      await answer(db, 'site', 'nps', null, 'Hated it, slow and the search was useless', 'negative');
      // stage c: cart CSAT 5, 4, 1 → 2 of 3 satisfied = 66.7 %; CES 7 and 4 → mean 5.5
      await answer(db, 'cart', 'csat', 5);
      await answer(db, 'cart', 'csat', 4);
      await answer(db, 'pay', 'csat', 1);
      await answer(db, 'pay', 'ces', 7);
      await answer(db, 'pay', 'ces', 4);
      const r = await getEmotion(db, {});
      expect(r.stages.map((s) => s.stage)).toEqual(['a', 'b', 'c']);
      const [a, b, c] = r.stages;
      expect(a!.scores.nps.value).toBeCloseTo(100 / 3, 3);
      expect(a!.scores.nps.n).toBe(3);
      // 1 positive, 2 negative comments at stage a: (1 − 2) / 3 = −33.3
      expect(a!.sentiment.value).toBeCloseTo(-100 / 3, 3);
      expect(a!.sentiment.n).toBe(3);
      expect(b!.scores.nps.n).toBe(0);
      expect(b!.sentiment.value).toBeNull();
      expect(c!.scores.csat.value).toBeCloseTo(200 / 3, 3);
      expect(c!.scores.ces.value).toBeCloseTo(5.5, 6);
      // site's comments are negative: its quote is the latest negative one; ad's is its positive one
      const site = a!.touchpoints.find((t) => t.touchpoint === 'site')!;
      expect(site.quote).toMatchObject({
        text: 'Hated it, slow and the search was useless',
        sentiment: 'negative',
      });
      expect(a!.touchpoints.find((t) => t.touchpoint === 'ad')!.quote?.sentiment).toBe('positive');
      expect(r.analysedComments).toBe(3);
    });
  });

  it('places an answer without a touchpoint at the respondent’s last own event within 14 days', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      await addEvents(db, [
        { customer: 'c1', touchpoint: 'ad', at: '2026-02-20T00:00:00Z' },
        { customer: 'c1', touchpoint: 'search', at: '2026-02-25T00:00:00Z' },
        // an outbound message is not the customer's own step
        { customer: 'c1', touchpoint: 'cart', at: '2026-02-28T00:00:00Z', direction: 'outbound' },
        { customer: 'c2', touchpoint: 'cart', at: '2026-01-01T00:00:00Z' },
        // the latest event sets the as-of time (journeys' rule): after every answer
        { customer: 'c3', touchpoint: 'ad', at: '2026-03-05T00:00:00Z' },
      ]);
      // answer() writes c1 answers on 2026-03-01: c1's last inbound step is search (stage b), 4 days before
      await answer(db, '', 'nps', 10);
      await db.exec(sql`UPDATE feedback SET touchpoint = NULL WHERE touchpoint = ''`);
      // c2 answered two months after their last step: not placed
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score)
        VALUES ('late', 'c2', TIMESTAMP '2026-03-01 00:00:00', 'nps', 0)`);
      const r = await getEmotion(db, {});
      const [a, b, c] = r.stages;
      expect(b!.scores.nps).toMatchObject({ value: 100, n: 1 });
      expect(a!.scores.nps.n + c!.scores.nps.n).toBe(0);
    });
  });
});
