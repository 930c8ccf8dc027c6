import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { CaseTimelineParams, getCaseTimeline, getCaseTimelines } from './case-timeline.js';
import { DEFINITION_CASES, h, loadCases, TEAM_TIERS } from './test-fixtures.js';

const asOf = '2026-01-03T00:00:00Z'; // 48 h after the fixtures open
const iso = (hours: number) => `${h(hours).replace(' ', 'T')}Z`;
const timeline = (db: Parameters<typeof getCaseTimeline>[0], id: string) =>
  getCaseTimeline(db, CaseTimelineParams.parse({ case: id, asOf }));

describe('cases timeline', () => {
  it('A→B→A→B: four stints, three handoffs (two returns) timed to the next event, one closure after 8 h', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const t = await timeline(db, 'k1');
      expect(t.case).toMatchObject({ id: 'k1', customerId: 'cust-k1', status: 'closed', closedAt: iso(8) });
      expect(t.stints.map((s) => [s.team, s.agents, s.hours, s.current])).toEqual([
        ['A', ['a1'], 1, false],
        ['B', ['b1'], 2, false],
        ['A', ['a2'], 1, false],
        ['B', ['b1'], 4, false], // 4 h → closure at 8 h
      ]);
      expect(t.stints[0]!.teamName).toBe('Team A');
      expect(t.handoffs).toEqual([
        {
          at: iso(1),
          from: 'A',
          to: 'B',
          agent: 'b1',
          transferReason: 'no permission in the billing system',
          isReturn: false,
          hoursToNextEvent: 2,
        },
        {
          at: iso(3),
          from: 'B',
          to: 'A',
          agent: 'a2',
          transferReason: null,
          isReturn: true,
          hoursToNextEvent: 1,
        },
        // the next event is the note at 6 h
        {
          at: iso(4),
          from: 'A',
          to: 'B',
          agent: 'b1',
          transferReason: null,
          isReturn: true,
          hoursToNextEvent: 2,
        },
      ]);
      // no update was sent: the closure is the first news, 8 h after opening (within the 24 h promise)
      expect(t.updates).toEqual([
        { at: iso(8), kind: 'closed', channel: null, gapHours: 8, overPromise: false },
      ]);
      expect(t.waiting).toBeNull();
      expect(t.metrics).toEqual({
        teamHandoffs: 3,
        returns: 2,
        agentReassignments: 0,
        reopens: 0,
        contacts: 1,
        firstReplyHours: 8, // no update: the closure is the first news
        resolutionHours: 8,
        fcr: false,
      });
      expect(t.events.map((e) => e.type)).toEqual([
        'opened',
        'assigned',
        'assigned',
        'assigned',
        'note',
        'closed',
      ]);
    });
  });

  it('self-transfer is no handoff; the update gaps and the CSAT linked by case id', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, comment, case_id)
        VALUES ('f1', 'cust-k2', '2026-01-02', 'csat', 5, 'quick and kind', 'k2')`);
      const t = await timeline(db, 'k2');
      expect(t.stints).toHaveLength(1);
      expect(t.handoffs).toEqual([]);
      expect(t.updates.map((u) => [u.kind, u.gapHours])).toEqual([
        ['update_sent', 2],
        ['closed', 1],
      ]);
      expect(t.metrics).toMatchObject({ firstReplyHours: 2, resolutionHours: 3, fcr: true });
      expect(t.csat).toEqual({
        score: 5,
        at: '2026-01-02T00:00:00.000Z',
        comment: 'quick and kind',
        source: 'case_id',
      });
    });
  });

  it('an open case waiting in a queue: the last stint runs to the as-of instant and the wait is past the promise', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const t = await timeline(db, 'k5');
      expect(t.case.status).toBe('open');
      expect(t.stints.map((s) => [s.team, s.agents, s.hours, s.current])).toEqual([
        ['A', ['a1'], 2, false],
        ['B', [], 46, true],
      ]);
      expect(t.handoffs[0]).toMatchObject({ from: 'A', to: 'B', hoursToNextEvent: null });
      expect(t.updates).toEqual([]);
      expect(t.waiting).toEqual({ since: iso(0), hours: 48, overPromise: true });
      expect(t.metrics.fcr).toBeNull();
      expect(t.metrics.resolutionHours).toBeNull();
    });
  });

  it('promises: kept by an update before the date, broken when the date passed without one, pending when ahead', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, [
        {
          id: 'p1',
          opened: h(0),
          events: [
            { at: h(0), type: 'opened', team: 'A', agent: 'a1' },
            { at: h(1), type: 'update_sent', promised: h(10) },
            { at: h(9), type: 'update_sent', promised: h(20) },
            { at: h(40), type: 'update_sent', promised: h(100) },
          ],
        },
      ]);
      const t = await timeline(db, 'p1');
      expect(t.promises).toEqual([
        { madeAt: iso(1), promisedAt: iso(10), keptAt: iso(9), status: 'kept' },
        { madeAt: iso(9), promisedAt: iso(20), keptAt: null, status: 'broken' }, // next news at 40 h
        { madeAt: iso(40), promisedAt: iso(100), keptAt: null, status: 'pending' },
      ]);
      // gaps 1, 8, 31 (over 24), then waiting 8 h since the last update
      expect(t.updates.map((u) => [u.gapHours, u.overPromise])).toEqual([
        [1, false],
        [8, false],
        [31, true],
      ]);
      expect(t.waiting).toEqual({ since: iso(40), hours: 8, overPromise: false });
    });
  });

  it('a case that does not exist is not_found, naming the field', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      await expect(timeline(db, 'nope')).rejects.toMatchObject({
        code: 'not_found',
        details: [{ field: 'case' }],
      });
    });
  });
  it('several cases at once give what each gives alone, in the order asked, unknown ids left out', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const ids = ['k5', 'nope', 'k1', 'k4', 'k6'];
      const many = await getCaseTimelines(db, ids, CaseTimelineParams.omit({ case: true }).parse({ asOf }));
      expect(many.map((t) => t.case.id)).toEqual(['k5', 'k1', 'k4', 'k6']);
      for (const t of many) expect(t).toEqual(await timeline(db, t.case.id));
    });
  });
});
