import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { type FeedbackFixture, insertFeedback } from './fixtures.js';
import { addNote, assign, close, createFollowUps, listFollowUps } from './follow-ups.js';

const t0 = new Date('2026-03-10T12:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3600_000);
/** Answers given at t0 (the sync runs at the same instant unless a test says otherwise). */
const at = t0.toISOString();

describe('follow-ups', () => {
  it('creates one item per detractor / low-CSAT answer with a comment, idempotently', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('returns', '*', 'returns-team')`,
      );
      await insertFeedback(db, [
        { id: 'd1', score: 3, comment: 'return fee!', touchpoint: 'returns', customer: 'c1', ts: at },
        { id: 'd2', score: 6, comment: '   ', ts: at }, // blank comment: nothing to follow up
        { id: 'd3', score: 0, comment: null, ts: at },
        { id: 'p1', score: 7, comment: 'ok', ts: at },
        { id: 's1', kind: 'csat', score: 2, comment: 'slow', ts: at },
        { id: 's2', kind: 'csat', score: 3, comment: 'meh', ts: at },
        { id: 'e1', kind: 'ces', score: 1, comment: 'hard', ts: at },
      ]);
      const synced = { routed: 0, defaultTeam: null };
      expect(await createFollowUps(db, { now: t0 })).toEqual({ created: 2, total: 2, ...synced });
      expect(await createFollowUps(db, { now: hours(1) })).toEqual({ created: 0, total: 2, ...synced });
      const list = await listFollowUps(db, { status: 'open', limit: 10 }, hours(5));
      // priority = severity × age: NPS 3 → (6 − 3 + 1) / 7 = 4/7, CSAT 2 → 1/2; both 5 h old
      expect(list.items.map((i) => [i.id, i.customerId, i.touchpoint, i.ownerTeam, i.ageHours])).toEqual([
        ['fu-d1', 'c1', 'returns', 'returns-team', 5],
        ['fu-s1', 'c5', 'checkout', null, 5],
      ]);
      expect(list.items.map((i) => [i.severity, i.priority])).toEqual([
        [0.5714, 2.86],
        [0.5, 2.5],
      ]);
    });
  });

  it('assigns, notes and closes, and measures the share closed within 48 h', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(
        db,
        [1, 2, 3, 4].map((s, i) => ({ id: `d${i}`, score: s, comment: `bad ${i}`, ts: at })),
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
      expect(await createFollowUps(db, { now: t0 })).toMatchObject({ created: 3, total: 3 });
      const list = await listFollowUps(db, { status: 'open', limit: 10, sort: 'newest' }, t0);
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
      expect(await createFollowUps(db, { now: hours(1) })).toMatchObject({ created: 0, total: 3 });
      expect(
        (await listFollowUps(db, { status: 'all', theme: 'callback', limit: 10 }, t0)).items.map((i) => i.id),
      ).toEqual(['fu-s1-handling']);
    });
  });

  it('counts age and the 48 h KPI from the answer, not from the sync (issue 18.2)', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(db, [
        // answered a year before the first sync (an import of history), and 10 h before it
        { id: 'old', score: 2, comment: 'never heard back', ts: '2025-03-10T12:00:00Z' },
        { id: 'new', score: 2, comment: 'slow', ts: hours(-10).toISOString() },
      ]);
      await createFollowUps(db, { now: t0 });
      const list = await listFollowUps(db, { status: 'open' }, hours(2));
      // 2025-03-10 12:00 → 2026-03-10 14:00: 365 days and 2 h = 8,762 h
      expect(list.items.map((i) => [i.id, i.ageHours])).toEqual([
        ['fu-old', 8762],
        ['fu-new', 12],
      ]);
      // the year-old one has missed its 48 h already; the 12 h one cannot have yet
      expect([list.closedWithin48h.value, list.closedWithin48h.n]).toEqual([0, 1]);
      // closing the new one 30 h after its answer is in time; the old one closed now is not
      await close(db, 'fu-new', 'called', { now: hours(20) });
      await close(db, 'fu-old', 'called', { now: hours(20) });
      const k = await listFollowUps(db, { status: 'all' }, hours(21));
      expect([k.closedWithin48h.value, k.closedWithin48h.n]).toEqual([0.5, 2]);
      expect(k.items.find((i) => i.id === 'fu-new')?.ageHours).toBe(30);
    });
  });

  it('sorts by severity × age and filters by team, theme, touchpoint, age and assignee', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('returns', '*', 'returns-team')`,
      );
      await insertFeedback(db, [
        // severity 1 (NPS 0), 10 h old → 10
        { id: 'a', score: 0, comment: 'x', touchpoint: 'returns', ts: hours(-10).toISOString() },
        // severity 1/7 (NPS 6), 100 h old → 14.29
        { id: 'b', score: 6, comment: 'x', ts: hours(-100).toISOString() },
        // severity 1/2 (CSAT 2), 30 h old → 15
        { id: 'c', kind: 'csat', score: 2, comment: 'x', ts: hours(-30).toISOString() },
      ]);
      await createFollowUps(db, { now: t0 });
      await assign(db, 'fu-a', 'ana', { now: t0 });
      const ids = async (p: Parameters<typeof listFollowUps>[1]) =>
        (await listFollowUps(db, p, t0)).items.map((i) => i.id);
      expect(await ids({})).toEqual(['fu-c', 'fu-b', 'fu-a']);
      expect((await listFollowUps(db, {}, t0)).items.map((i) => i.priority)).toEqual([15, 14.29, 10]);
      expect(await ids({ sort: 'oldest' })).toEqual(['fu-b', 'fu-c', 'fu-a']);
      expect(await ids({ sort: 'newest' })).toEqual(['fu-a', 'fu-c', 'fu-b']);
      expect(await ids({ team: 'returns-team' })).toEqual(['fu-a']);
      expect(await ids({ team: 'none' })).toEqual(['fu-c', 'fu-b']);
      expect(await ids({ touchpoint: 'checkout' })).toEqual(['fu-c', 'fu-b']);
      expect(await ids({ assignee: 'ana' })).toEqual(['fu-a']);
      expect(await ids({ assignee: 'none' })).toEqual(['fu-c', 'fu-b']);
      expect(await ids({ minAgeHours: 30 })).toEqual(['fu-c', 'fu-b']);
      expect(await ids({ maxAgeHours: 30 })).toEqual(['fu-c', 'fu-a']);
      expect(await ids({ theme: 'nothing' })).toEqual([]);
    });
  });

  it('keeps the history after closing', async () => {
    await withTestDb(async (db) => {
      await insertFeedback(db, [{ id: 'a', score: 1, comment: 'x', ts: at }]);
      await createFollowUps(db, { now: t0 });
      await assign(db, 'fu-a', 'ana', { now: hours(1), actor: 'lead' });
      await addNote(db, 'fu-a', 'left a voicemail', { now: hours(2), actor: 'ana' });
      await close(db, 'fu-a', 'refunded', { now: hours(3), actor: 'ana' });
      await createFollowUps(db, { now: hours(4) });
      const [item] = (await listFollowUps(db, { status: 'closed' }, hours(5))).items;
      expect(item?.history).toEqual([
        { ts: '2026-03-10T13:00:00.000Z', author: 'lead', kind: 'assigned', note: 'ana' },
        { ts: '2026-03-10T14:00:00.000Z', author: 'ana', kind: 'note', note: 'left a voicemail' },
        { ts: '2026-03-10T15:00:00.000Z', author: 'ana', kind: 'closed', note: 'refunded' },
      ]);
      expect([item?.status, item?.ageHours, item?.resolution]).toEqual(['closed', 3, 'refunded']);
    });
  });

  it('routes to the touchpoint owner, else the case’s team, else the customer’s recent case, else the default team', async () => {
    await withTestDb(async (db) => {
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('returns', '*', 'returns-team')`,
      );
      await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, owner_team) VALUES
        ('k1', 'c2', ${'2026-03-01T10:00:00Z'}::TIMESTAMP, 'billing'),
        ('k2', 'c3', ${'2026-03-05T10:00:00Z'}::TIMESTAMP, 'support-t1'),
        ('k3', 'c4', ${'2026-01-01T10:00:00Z'}::TIMESTAMP, 'too-old')`);
      await insertFeedback(db, [
        { id: 'own', score: 1, comment: 'x', touchpoint: 'returns', customer: 'c1', ts: at },
        { id: 'case', score: 1, comment: 'x', customer: 'c2', ts: at },
        { id: 'recent', score: 1, comment: 'x', customer: 'c3', ts: at },
        { id: 'none', score: 1, comment: 'x', customer: 'c4', ts: at },
      ]);
      await db.exec(sql`UPDATE feedback SET case_id = 'k1' WHERE id = 'case'`);
      const first = await createFollowUps(db, { now: t0 });
      expect(first).toEqual({ created: 4, total: 4, routed: 0, defaultTeam: null });
      const owners = async () =>
        Object.fromEntries(
          (await listFollowUps(db, { status: 'all' }, t0)).items.map((i) => [i.feedbackId, i.ownerTeam]),
        );
      expect(await owners()).toEqual({
        own: 'returns-team',
        case: 'billing',
        recent: 'support-t1',
        none: null,
      });
      // a default team configured later routes the open item nobody owned, and is remembered
      expect(await createFollowUps(db, { now: hours(1), defaultTeam: 'cx-desk' })).toEqual({
        created: 0,
        total: 4,
        routed: 1,
        defaultTeam: 'cx-desk',
      });
      expect((await owners()).none).toBe('cx-desk');
      expect((await createFollowUps(db, { now: hours(2) })).defaultTeam).toBe('cx-desk');
    });
  });
});
