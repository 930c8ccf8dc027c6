import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getHandoffs, getTeamHandoffsPerCase, HandoffsParams, handoffsOperation } from './handoffs.js';
import { DEFINITION_CASES, loadCases, TEAM_TIERS } from './test-fixtures.js';

describe('cases handoffs', () => {
  it('aggregates the definition fixtures as computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getHandoffs(db, HandoffsParams.parse({}));
      expect(r.totals).toMatchObject({
        cases: 7,
        openCases: 2, // k5, k7
        teamHandoffs: 5, // 3 + 1 + 1
        agentReassignments: 2, // k3
        returns: 2,
        hoursLost: 10, // k1 2+1+2, k4 5
        hoursLostPerTransfer: 2.5, // 4 timed transfers
        resolutions: 7, // k1 k2 k3 k6 k7 once, k4 twice
      });
      expect(r.totals.transferred).toMatchObject({ k: 3, n: 7 });
      expect(r.totals.pingPong).toMatchObject({ k: 1, n: 7 });
      expect(r.totals.fcr).toMatchObject({ k: 2, n: 5 }); // k2, k6 of 5 closed
      expect(r.totals.reopen).toMatchObject({ k: 2, n: 6 }); // k4, k7 of 6 resolved at least once
      // 2 of 5 closed billing cases closed at tier 1 without transfer (k2, k3; k6 had no team)
      expect(r.totals.pushToFront.k).toBe(0);
      expect(r.groups.map((g) => g.key)).toEqual(['billing']);
      expect(r.totals.teamsKnown).toBe(6); // k6 names no team
      expect(r.notes).toEqual([
        '1 of 7 cases have no event naming a team; they count as cases without handoff.',
      ]);
    });
  });

  it('says handoffs cannot be seen on cases without events, instead of FCR 100 % (a flat export with closed_at)', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO cases (id, opened_at, closed_at, reason) VALUES
        ('k1', '2026-01-01 10:00', '2026-01-02 10:00', 'billing'),
        ('k2', '2026-01-01 11:00', '2026-01-01 12:00', 'billing'),
        ('k3', '2026-01-03 11:00', NULL, 'delivery')`);
      const r = await getHandoffs(db, HandoffsParams.parse({}));
      expect(r.totals).toMatchObject({ cases: 3, openCases: 1, teamsKnown: 0, teamHandoffsPerCase: null });
      expect(r.totals.fcr.value).toBeNull();
      expect(r.totals.transferred.value).toBeNull();
      expect(r.totals.pingPong.value).toBeNull();
      expect(r.notes).toHaveLength(1);
      expect(r.notes[0]).toMatch(/^none of the 3 cases has an opened or assigned event naming a team/);
      expect((await getTeamHandoffsPerCase(db)).perCase).toBeNull();
      const text = handoffsOperation.present!(r, HandoffsParams.parse({}));
      expect(text.at(-1)).toEqual({ text: r.notes[0] });
    });
  });

  it.each([
    [0.4, 3], // share 0.4 ≥ 0.4: the A→B escalations of k1, k4 and (open) k5 push work away from the front
    [0.41, 0],
  ])('push-to-front with share %s → %s cases', async (share, expected) => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getHandoffs(db, HandoffsParams.parse({ pushToFrontShare: share }));
      expect(r.totals.pushToFront.k).toBe(expected);
    });
  });

  it('counts a case in every team it touched', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getHandoffs(db, HandoffsParams.parse({ by: 'team' }));
      expect(r.groups.map((g) => [g.key, g.cases])).toEqual([
        ['A', 6],
        ['B', 3],
        ['(unassigned)', 1],
      ]);
    });
  });

  it('returns zero totals on an empty workspace', async () => {
    await withTestDb(async (db) => {
      const r = await getHandoffs(db, HandoffsParams.parse({ by: 'month' }));
      expect(r.totals.cases).toBe(0);
      expect(r.groups).toEqual([]);
    });
  });
});
