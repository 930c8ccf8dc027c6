import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { type FeedbackFixture, insertFeedback } from './fixtures.js';
import { addNote, assign, close, createFollowUps, listFollowUps } from './follow-ups.js';

const t0 = new Date('2026-03-10T12:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3600_000);

describe('follow-ups', () => {
  it('creates one item per detractor / low-CSAT answer with a comment, idempotently', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('returns', '*', 'returns-team')`,
      );
      await insertFeedback(db, [
        { id: 'd1', score: 3, comment: 'return fee!', touchpoint: 'returns', customer: 'c1' },
        { id: 'd2', score: 6, comment: '   ' }, // blank comment: nothing to follow up
        { id: 'd3', score: 0, comment: null },
        { id: 'p1', score: 7, comment: 'ok' },
        { id: 's1', kind: 'csat', score: 2, comment: 'slow' },
        { id: 's2', kind: 'csat', score: 3, comment: 'meh' },
        { id: 'e1', kind: 'ces', score: 1, comment: 'hard' },
      ]);
      expect(await createFollowUps(db, { now: t0 })).toEqual({ created: 2, total: 2 });
      expect(await createFollowUps(db, { now: hours(1) })).toEqual({ created: 0, total: 2 });
      const list = await listFollowUps(db, { status: 'open', limit: 10 }, hours(5));
      expect(list.items.map((i) => [i.id, i.customerId, i.touchpoint, i.ownerTeam, i.ageHours])).toEqual([
        ['fu-d1', 'c1', 'returns', 'returns-team', 5],
        ['fu-s1', 'c5', 'checkout', null, 5],
      ]);
    });
  });

  it('assigns, notes and closes, and measures the share closed within 48 h', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(
        db,
        [1, 2, 3, 4].map((s, i) => ({ id: `d${i}`, score: s, comment: `bad ${i}` })),
      );
      await createFollowUps(db, { now: t0 });
      const a = await assign(db, 'fu-d0', 'ana', { now: hours(1), actor: 'lead' });
      expect(a.assignee).toBe('ana');
      await addNote(db, 'fu-d0', 'called the customer', { now: hours(2), actor: 'ana' });
      const c = await close(db, 'fu-d0', 'refunded the fee', { now: hours(10) });
      expect([c.status, c.ageHours, c.resolution]).toEqual(['closed', 10, 'refunded the fee']);
      await close(db, 'fu-d1', undefined, { now: hours(60) });
      await expect(close(db, 'fu-d1', undefined, { now: hours(61) })).rejects.toThrow(/already closed/);
      await expect(assign(db, 'nope', 'x')).rejects.toThrow(/no follow-up nope/);
      const notes = await db.all<{ kind: string; author: string | null }>(
        sql`SELECT kind, author FROM follow_up_notes WHERE follow_up_id = 'fu-d0' ORDER BY ts`,
      );
      expect(notes).toEqual([
        { kind: 'assigned', author: 'lead' },
        { kind: 'note', author: 'ana' },
        { kind: 'closed', author: null },
      ]);
      // at 72 h: all 4 eligible, 1 closed in time → 25%
      const k72 = await listFollowUps(db, { status: 'all', limit: 10 }, hours(72));
      expect(k72.closedWithin48h).toEqual(expect.objectContaining({ value: 0.25, n: 4, smallSample: true }));
      // at 20 h: only the 2 closed items are eligible yet, 1 in time
      const k20 = await listFollowUps(db, { status: 'all', limit: 10 }, hours(20));
      expect([k20.closedWithin48h.value, k20.closedWithin48h.n, k20.open, k20.closed]).toEqual([
        0.5, 2, 2, 2,
      ]);
    });
  });
  it('gives a score answer without a comment the text answer of the same survey submission', async () => {
    await withTestDb(async (db) => {
      // one survey submission = one row per question, sharing survey_id and properties.submission
      const sub = (submission: string, ts: string, rows: FeedbackFixture[]): FeedbackFixture[] =>
        rows.map((r) => ({
          survey: 'csat-case',
          ts,
          customer: submission,
          properties: { submission },
          ...r,
        }));
      await insertFeedback(db, [
        ...sub('s1', '2026-03-01T10:00:00Z', [
          { id: 's1-handling', kind: 'csat', score: 1, question: 'handling' },
          { id: 's1-comment', kind: 'text', comment: 'Nobody called me back', question: 'comment' },
        ]),
        ...sub('s2', '2026-03-03T10:00:00Z', [
          { id: 's2-handling', kind: 'csat', score: 2, comment: 'own words', question: 'handling' },
          { id: 's2-comment', kind: 'text', comment: 'other words', question: 'comment' },
        ]),
        // no text answer in its submission: s1's text is another submission's
        ...sub('s3', '2026-03-01T10:00:00Z', [
          { id: 's3-handling', kind: 'csat', score: 1, question: 'handling' },
        ]),
        // satisfied: no follow-up whatever the text says
        ...sub('s4', '2026-03-04T10:00:00Z', [
          { id: 's4-handling', kind: 'csat', score: 4, question: 'handling' },
          { id: 's4-comment', kind: 'text', comment: 'fine', question: 'comment' },
        ]),
        // two text answers, joined in question order; a blank score comment does not count
        ...sub('s5', '2026-03-02T10:00:00Z', [
          { id: 's5-nps', kind: 'nps', score: 5, comment: ' ', question: 'recommend' },
          { id: 's5-why', kind: 'text', comment: 'too slow', question: 'why' },
          { id: 's5-else', kind: 'text', comment: 'and rude', question: 'else' },
        ]),
        // same survey, customer and time but no submission id (an import): never paired
        {
          id: 'imp-score',
          kind: 'csat',
          score: 1,
          survey: 'csat-case',
          customer: 'x',
          ts: '2026-03-05T10:00:00Z',
        },
        {
          id: 'imp-text',
          kind: 'text',
          comment: 'hm',
          survey: 'csat-case',
          customer: 'x',
          ts: '2026-03-05T10:00:00Z',
        },
      ]);
      expect(await createFollowUps(db, { now: t0 })).toEqual({ created: 3, total: 3 });
      const list = await listFollowUps(db, { status: 'open', limit: 10 }, t0);
      // newest answer first
      expect(
        list.items.map((i) => [i.feedbackId, i.kind, i.score, i.comment, i.customerId, i.theme]),
      ).toEqual([
        ['s2-handling', 'csat', 2, 'own words', 's2', null],
        ['s5-nps', 'nps', 5, 'and rude\n\ntoo slow', 's5', null],
        ['s1-handling', 'csat', 1, 'Nobody called me back', 's1', null],
      ]);
      // the theme of the text answer reaches the follow-up once the analysis has run; re-runs add nothing
      await db.exec(sql`INSERT INTO feedback_text VALUES
        ('s1-comment', 'negative', -0.6, 'test', ['callback'], 'callback', '2026-03-10'::TIMESTAMP)`);
      expect(await createFollowUps(db, { now: hours(1) })).toEqual({ created: 0, total: 3 });
      expect(
        (await listFollowUps(db, { status: 'all', theme: 'callback', limit: 10 }, t0)).items.map((i) => i.id),
      ).toEqual(['fu-s1-handling']);
    });
  });
});
