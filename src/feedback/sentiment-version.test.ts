import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { listComments } from './comments.js';
import { insertFeedback } from './fixtures.js';
import { sentimentOperations } from './sentiment-ops.js';
import { loadSentimentRecord, shippedVersion } from './sentiment-version.js';
import { getThemes } from './themes.js';

/**
 * Issue #17.6: importing unrelated rows moved a theme's negative share on the same comments, because
 * every analysis retrained the company model on whatever the workspace held. 400 self-labelled
 * answers put the company model in play (locker = promoters, van = detractors: words with no general
 * sentiment, so only the company model can learn them).
 */
const PLACES = ['on monday', 'near work', 'after lunch', 'at the station', 'downtown', 'at night', 'early'];
const answers = (n: number, from = 0) =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    const promoter = i % 2 === 0;
    return {
      id: `a${String(i).padStart(4, '0')}`,
      kind: 'nps' as const,
      score: promoter ? 9 + (i % 2) : i % 6,
      comment: promoter
        ? `picked it up from the parcel locker ${PLACES[i % 7]}`
        : `the van driver brought it ${PLACES[i % 7]}, return fee is a rip-off`,
    };
  });

const params = { examples: 1 } as Parameters<typeof getThemes>[1];
const scores = async (db: Parameters<typeof getThemes>[0]) =>
  new Map(
    (
      await db.all<{ id: string; label: string; score: number; scorer: string }>(
        sql`SELECT feedback_id AS id, label, score, scorer FROM feedback_text ORDER BY 1`,
      )
    ).map((r) => [r.id, r]),
  );

describe('stable, versioned sentiment', () => {
  it('a comment’s score does not move when unrelated rows are imported', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(db, answers(400));
      const first = await getThemes(db, params);
      const before = await scores(db);
      expect(before.size).toBe(400);
      // three unrelated rows (another survey's praise) arrive
      await insertFeedback(
        db,
        [0, 1, 2].map((i) => ({
          id: `z${i}`,
          kind: 'nps' as const,
          score: 10,
          comment: 'lovely cake at the cafe',
        })),
      );
      const second = await getThemes(db, params);
      const after = await scores(db);
      expect(after.size).toBe(403);
      for (const [id, s] of before) expect(after.get(id), id).toEqual(s);
      expect(second.scorer).toBe(first.scorer);
      expect(second.sentimentModel.version).toBe(1);
    });
  });

  it('is versioned: the version is on every figure, and only a deliberate retrain changes it, with a note', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(db, answers(400));
      const r = await getThemes(db, params);
      expect(r.sentimentModel.version).toBe(1);
      expect(r.sentimentModel.base).toBe(shippedVersion());
      expect(r.sentimentModel.company).toBe(true); // the company model beats the shipped scorer here
      expect(r.scorer).toBe(`v1 company+${shippedVersion()}`);
      expect(shippedVersion()).toMatch(/@[0-9a-f]{8}$/);
      // on each comment and in each theme finding's evidence
      const c = await listComments(db, { limit: 5, offset: 0 } as Parameters<typeof listComments>[1]);
      expect(c.items.every((i) => i.sentimentModel === r.scorer)).toBe(true);
      const f = await db.all<{ m: string }>(
        sql`SELECT evidence->>'sentimentModel' AS m FROM findings WHERE analysis = 'feedback.themes'`,
      );
      expect(f.length).toBeGreaterThan(0);
      for (const x of f) expect(x.m).toBe(r.scorer);

      // 200 more answers where the van is now praised: a retrain learns it, and says what changed
      await insertFeedback(
        db,
        answers(400, 400).map((a, k) => ({
          ...a,
          score: k % 2 === 0 ? 2 : 10,
        })),
      );
      expect((await getThemes(db, params)).sentimentModel.version).toBe(1);
      const train = sentimentOperations.find((o) => o.verb === 'sentiment-train')!;
      const res = (await train.run(db, {} as never, {})) as {
        current: { version: number; note: string };
        previous: { version: number };
        changed: { total: number; comments: number };
      };
      expect(res.previous.version).toBe(1);
      expect(res.current.version).toBe(2);
      expect(res.changed.comments).toBe(800);
      expect(res.current.note).toContain(`${res.changed.total} of 800 comments change label`);
      const stored = await loadSentimentRecord(db);
      expect(stored?.version).toBe(2);
      expect(stored?.history.map((h) => h.version)).toEqual([1]);
      const again = await getThemes(db, params);
      expect(again.sentimentModel.version).toBe(2);
      expect(again.scorer.startsWith('v2 ')).toBe(true);
    });
  });
});

/**
 * Issue #25.2: an analyst corrects labels; the correction changes no score by itself, and the next
 * retrain learns a three-class company model from the corrections beside the self-labels. The
 * "depot slip" comments (passives, NPS 7–8: no self-label) are what the analyst marks neutral.
 */
describe('analyst corrections feed a three-class company model', () => {
  const passives = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      id: `p${String(i).padStart(4, '0')}`,
      kind: 'nps' as const,
      score: 7 + (i % 2),
      comment: `the parcel locker code is on the depot slip ${PLACES[i % 7]}`,
    }));
  it('label-comment stores a correction without moving scores; sentiment-train then learns three classes', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(db, [...answers(400), ...passives(120)]);
      await getThemes(db, params);
      const before = await scores(db);
      const label = sentimentOperations.find((o) => o.verb === 'label-comment')!;
      await expect(label.run(db, { id: 'nope', label: 'neutral' } as never, {})).rejects.toThrow(
        /no comment with feedback id nope/,
      );
      // the base scorer and the binary company model call the locker comments positive
      expect(before.get('p0000')!.label).not.toBe('neutral');
      for (let i = 0; i < 100; i++) {
        const r = (await label.run(db, { id: `p${String(i).padStart(4, '0')}`, label: 'neutral' } as never, {
          actor: 'user:ana',
        })) as { corrections: number };
        expect(r.corrections).toBe(i + 1);
      }
      // corrected twice: the latest correction wins, still one row
      await label.run(db, { id: 'p0000', label: 'neutral' } as never, {});
      expect((await db.one<{ n: number }>(sql`SELECT count(*)::INTEGER AS n FROM feedback_labels`))?.n).toBe(
        100,
      );
      await getThemes(db, params);
      expect(await scores(db)).toEqual(before); // a correction alone moves nothing
      const model = sentimentOperations.find((o) => o.verb === 'sentiment-model')!;
      const pending = async () =>
        ((await model.run(db, {} as never, {})) as { corrections: { total: number; sinceTraining: number } })
          .corrections;
      expect(await pending()).toEqual({ total: 100, sinceTraining: 100 });
      const train = sentimentOperations.find((o) => o.verb === 'sentiment-train')!;
      const res = (await train.run(db, {} as never, {})) as { current: { note: string } };
      expect(await pending()).toEqual({ total: 100, sinceTraining: 0 });
      const stored = await loadSentimentRecord(db);
      expect(stored?.classes).toBe(3);
      expect(stored?.corrected).toBe(100);
      expect(stored?.trainedOn).toBe(500); // 400 self-labelled + 100 corrected (20 passives unlabelled)
      expect(stored?.company).toBe(true);
      expect(stored?.cvAccuracy).toBeGreaterThan(stored!.baselineAccuracy!);
      expect(res.current.note).toContain('three-class company model on 500 labelled comments (100 corrected');
      const after = await scores(db);
      // the 20 passives nobody labelled are now neutral too (learnt, not copied)
      for (let i = 100; i < 120; i++)
        expect(after.get(`p${String(i).padStart(4, '0')}`)!.label).toBe('neutral');
      expect(after.get('a0000')!.label).toBe('positive');
      expect(after.get('a0001')!.label).toBe('negative');
    });
  });
});
