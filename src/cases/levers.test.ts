import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getLevers, LeversParams } from './levers.js';
import { getPingPong, PingPongParams } from './ping-pong.js';
import { loadCases, walk } from './test-fixtures.js';

// refund bounces A→B→A in half its cases; login has one transfer for a missing permission and one
// reopen; address is always closed by A.
const CASES = [
  walk('r1', 'refund', 'A B A'),
  walk('r2', 'refund', 'A B A'),
  walk('r3', 'refund', 'A'),
  walk('r4', 'refund', 'A'),
  walk('l1', 'login', 'A C', { transferReason: 'no access to the identity system' }),
  walk('l2', 'login', 'A'),
  walk('l3', 'login', 'A'),
  walk('l4', 'login', 'A', { reopen: true }),
  walk('d1', 'address', 'A'),
  walk('d2', 'address', 'A'),
];
const TIERS = { A: 1, F: 1, B: 2, C: 2 };

describe('cases ping-pong', () => {
  it('rates each reason against the other reasons and writes findings above baseline', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, TIERS);
      const r = await getPingPong(db, PingPongParams.parse({}));
      // refund 2/4 vs 0/6; the others have no ping-pong
      expect(r.pingPong[0]).toMatchObject({ reason: 'refund', k: 2, cases: 4, value: 0.5, baseline: 0 });
      expect(r.pingPong[0]!.pair).toEqual({ from: 'B', to: 'A', returns: 2 });
      expect(r.pingPong[0]!.examples).toEqual(['r1', 'r2']);
      // transfers: refund 2/4 vs (1 + 0)/6; login 1/4 is below (2 + 0)/6
      expect(r.handoff.find((x) => x.reason === 'login')).toMatchObject({ k: 1, value: 0.25 });
      expect(r.findings.map((f) => [f.analysis, f.kind, f.slice.reason, f.ownerTeam])).toEqual([
        ['cases.ping-pong', 'ping-pong', 'refund', 'B'],
        ['cases.handoffs', 'handoff', 'refund', 'A'],
      ]);
      const stored = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM findings`);
      expect(stored[0]!.n).toBe(2);
    });
  });
});

describe('cases levers', () => {
  it('ranks the levers computed by hand (small reasons)', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, TIERS);
      const r = await getLevers(db, LeversParams.parse({}));
      // train: refund 2/4 bounced vs 1/6 elsewhere (l4 reopened); access: login 1/4 vs 0/6.
      // empower: one tier-1 team only, no benchmark. automate: no reason is closed on one path ≥ 90%.
      // own it: multi-owner cases 0/3 reopened vs single-owner 1/7: not above.
      expect(r.recommendations.map((f) => [f.lever, f.reason, f.k, f.n, f.baseline, f.owner])).toEqual([
        ['train', 'refund', 2, 4, 0.1667, 'B'],
        ['access', 'login', 1, 4, 0, 'A'],
      ]);
      expect(r.transferReasonsRecorded).toBe(true);
      expect(r.findings.map((f) => [f.kind, f.slice])).toEqual([
        ['train', { reason: 'refund', lever: 'train' }],
        ['access', { reason: 'login', lever: 'access' }],
      ]);
      expect(r.ownIt.byReason.find((x) => x.reason === 'login')).toEqual({
        reason: 'login',
        singleOwner: { reopened: 1, cases: 3 },
        severalOwners: { reopened: 0, cases: 1 },
      });
    });
  });

  it('finds empower, automate and own it on larger reasons', async () => {
    await withTestDb(async (db) => {
      const cases = [
        // 'simple': 40 cases, always closed by A alone
        ...Array.from({ length: 40 }, (_, i) => walk(`s${i}`, 'simple', 'A')),
        // 'fix': F (tier 1) closes its 20 alone; A passes 10 of its 20 on to B, 5 of which reopen
        ...Array.from({ length: 20 }, (_, i) => walk(`f${i}`, 'fix', 'F')),
        ...Array.from({ length: 10 }, (_, i) => walk(`a${i}`, 'fix', 'A')),
        ...Array.from({ length: 10 }, (_, i) => walk(`b${i}`, 'fix', 'A B', { reopen: i < 5 })),
      ];
      await loadCases(db, cases, TIERS);
      const r = await getLevers(db, LeversParams.parse({ minTeamCases: 20 }));
      // automate 'simple': 40/40 on [A] vs 'fix' 20/40 on [F]. own it: 5/10 vs 0/30 reopened (small n).
      // train 'fix': 5/40 reopened vs 0/40 (small n). empower 'fix': tier 1 passes on 10/40 vs F's 0/20,
      // above F's upper bound 0.1611 (small n).
      expect(r.recommendations.map((f) => [f.lever, f.reason, f.k, f.n, f.baseline, f.smallSample])).toEqual([
        ['automate', 'simple', 40, 40, 0.5, false],
        ['own-it', '(all)', 5, 10, 0, true],
        ['train', 'fix', 5, 40, 0, true],
        ['empower', 'fix', 10, 40, 0, true],
      ]);
      expect(r.recommendations[3]!.owner).toBe('A');
      expect(r.ownIt).toMatchObject({ difference: 0.5, strata: 1 });
      expect(r.findings[1]!.slice).toEqual({ lever: 'own-it' });
    });
  });

  it('omits the access lever when no transfer records a reason', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, [walk('x1', 'refund', 'A B'), walk('x2', 'login', 'A')], TIERS);
      const r = await getLevers(db, LeversParams.parse({}));
      expect(r.transferReasonsRecorded).toBe(false);
      expect(r.recommendations.some((f) => f.lever === 'access')).toBe(false);
    });
  });
});
