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
const TIERS = { A: 1, B: 2, C: 2 };

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
  it('ranks the levers computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, CASES, TIERS);
      const r = await getLevers(db, LeversParams.parse({}));
      // empower: refund is closed at tier 1 without transfer in 2/4 ≥ 50%, so r1 r2's escalations
      // count: 2/4 vs login's 1/4 + address 0/2 = 1/6. train: refund 2/4 bounced vs 1/6 (l4 reopened).
      // access: login 1/4 vs 0/6. automate: [A] is the common short path everywhere (no excess).
      // own it: no reopen among multi-owner cases: not above single-owner cases.
      expect(r.recommendations.map((f) => [f.lever, f.reason, f.k, f.n, f.baseline])).toEqual([
        ['empower', 'refund', 2, 4, 0.1667],
        ['train', 'refund', 2, 4, 0.1667],
        ['access', 'login', 1, 4, 0],
      ]);
      expect(r.recommendations.map((f) => f.owner)).toEqual(['A', 'B', 'A']);
      expect(r.transferReasonsRecorded).toBe(true);
      expect(r.findings.map((f) => f.kind)).toEqual(['empower', 'train', 'access']);
      expect(r.findings[0]!.slice).toEqual({ reason: 'refund', lever: 'empower' });
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
