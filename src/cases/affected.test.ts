import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { affectedCases } from './affected.js';
import { getPingPong, PingPongParams } from './ping-pong.js';
import { loadCases, TEAM_TIERS, walk } from './test-fixtures.js';

/**
 * Billing: b1 A→B→A (returns), b2 A→B→A→B (returns), b3 A→B (transferred only), b4 A (single team),
 * b1 and b2 from the same customer; delivery: d1 A→B→A (returns), d2..d5 A only.
 * By hand: billing ping-pong = 2 cases of 4 (1 customer), other reasons 1 of 5.
 */
const FIXTURE = [
  walk('b1', 'billing', 'A B A', { customer: 'x' }),
  walk('b2', 'billing', 'A B A B', { customer: 'x', day: '2026-01-02' }),
  walk('b3', 'billing', 'A B', { customer: 'y' }),
  walk('b4', 'billing', 'A', { customer: 'z' }),
  walk('d1', 'delivery', 'A B A', { customer: 'd' }),
  ...[2, 3, 4, 5].map((i) => walk(`d${i}`, 'delivery', 'A', { customer: `d${i}` })),
];

describe('cases behind a cases finding', () => {
  it("ping-pong: the reason's cases that returned; their customers are the finding's customers affected", async () => {
    await withTestDb(async (db) => {
      await loadCases(db, FIXTURE, TEAM_TIERS);
      const r = await getPingPong(db, PingPongParams.parse({ write: true }));
      const f = r.findings.find((x) => x.kind === 'ping-pong' && x.slice.reason === 'billing')!;
      expect(f.customersAffected).toBe(1);
      const a = await affectedCases(db, 'ping-pong', f.slice, f.evidence.params);
      expect(a.cases.map((c) => c.caseId)).toEqual(['b2', 'b1']); // newest first
      expect(new Set(a.cases.map((c) => c.customerId)).size).toBe(f.customersAffected);
      expect(a.cases[0]).toMatchObject({
        teams: 'A > B > A > B',
        shows: true,
        detail: '3 handoffs · 2 back to a team it had left',
      });
      expect(a.rule).toBe('cases of billing that went back to a team they had left');
    });
  });

  it('handoff: transferred cases only; a lever lists every case of the reason, its pattern first', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, FIXTURE, TEAM_TIERS);
      const h = await affectedCases(db, 'handoff', { reason: 'billing' }, {});
      expect(h.cases.map((c) => c.caseId).sort()).toEqual(['b1', 'b2', 'b3']);
      const t = await affectedCases(db, 'train', { reason: 'billing', lever: 'train' }, {});
      expect(t.cases.map((c) => [c.caseId, c.shows])).toEqual([
        ['b2', true],
        ['b1', true],
        ['b3', false], // same opening instant as b4: by case id
        ['b4', false],
      ]);
    });
  });

  it("keeps to the finding's time frame", async () => {
    await withTestDb(async (db) => {
      await loadCases(db, FIXTURE, TEAM_TIERS);
      const a = await affectedCases(db, 'ping-pong', { reason: 'billing' }, { from: '2026-01-02' });
      expect(a.cases.map((c) => c.caseId)).toEqual(['b2']);
    });
  });
});
