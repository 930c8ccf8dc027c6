import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { getHandoffs, HandoffsParams } from './handoffs.js';
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
