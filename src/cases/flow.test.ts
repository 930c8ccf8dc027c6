import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { FlowParams, getFlow } from './flow.js';
import { DEFINITION_CASES, loadCases, TEAM_TIERS } from './test-fixtures.js';

describe('cases flow', () => {
  it('builds the transfer graph and paths of the definition fixtures', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getFlow(db, FlowParams.parse({}));
      expect(r.cases).toBe(7);
      // A→B: k1 twice (1 h → 3 h = 2, 4 h → 6 h = 2), k4 (5 h), k5 (open, untimed); B→A: k1 once (1 h)
      expect(r.links).toEqual([
        { source: 'A', target: 'B', transfers: 4, cases: 3, returns: 1, medianHours: 2 },
        { source: 'B', target: 'A', transfers: 1, cases: 1, returns: 1, medianHours: 1 },
      ]);
      expect(r.nodes).toEqual([
        { id: 'A', name: 'Team A', tier: 1, cases: 6, transfersIn: 1, transfersOut: 4 },
        { id: 'B', name: 'Team B', tier: 2, cases: 3, transfersIn: 4, transfersOut: 1 },
      ]);
      // paths: [A] k2 k3 k7 · [A,B] k4 k5 · [A,B,A,B] k1; k6 has no team
      expect(r.paths.map((p) => [p.path, p.cases, p.medianResolutionHours, p.reopenRate])).toEqual([
        [['A'], 3, 4, 0.3333], // k2 3 h, k3 5 h; k7 open but reopened
        [['A', 'B'], 2, 30, 1], // k4 closed at 30 h after a reopen; k5 never resolved
        [['A', 'B', 'A', 'B'], 1, 8, 0],
      ]);
    });
  });
});
