import { describe, expect, it } from 'vitest';
import { type Finding, writeFindings } from '../findings/index.js';
import { withTestDb } from '../store/index.js';
import { AuditRunParams, diffAudits, listAudits, runAudit } from './audit.js';

const finding = (over: Partial<Finding> & Pick<Finding, 'kind' | 'p' | 'slice'>): Finding => ({
  title: `${over.kind} ${JSON.stringify(over.slice)}`,
  metric: 'rate',
  value: 0.3,
  baseline: 0.2,
  ciLow: 0.28,
  ciHigh: 0.32,
  n: 1000,
  smallSample: false,
  score: 1,
  customersAffected: 100,
  evidence: { analysis: 'x', params: {}, examples: [{ kind: 'case', id: 'c1' }] },
  ownerTeam: 'ops',
  ...over,
});

const at = (d: string) => ({ now: () => new Date(d) });

describe('the 4 P’s audit', () => {
  it('stores each audit and gives every finding its trend since the previous one', async () => {
    await withTestDb(async (db) => {
      await writeFindings(
        db,
        'a.one',
        {},
        [
          finding({ kind: 'k', p: 'process', slice: { stage: 's1' } }),
          finding({ kind: 'k', p: 'people', slice: { team: 't1' }, revenueAtRisk: 5000 }),
          finding({ kind: 'k', p: 'policy', slice: { policy: 'fee' } }),
        ],
        new Date('2026-06-01T00:00:00Z'),
      );
      const first = await runAudit(db, AuditRunParams.parse({}), at('2026-06-02T00:00:00Z'));
      expect(first.previousId).toBeNull();
      expect(first.summary).toEqual({
        findings: 3,
        byP: { product: 0, process: 1, policy: 1, people: 1 },
        customersAffected: 300,
        revenueAtRisk: 5000,
        trends: { new: 3, worse: 0, better: 0, unchanged: 0, resolved: 0 },
      });

      // a month later: s1's gap grew from 0.10 to 0.20 (more than the ±0.02 half-width): worse;
      // t1 unchanged; the policy finding is gone (resolved); a product finding is new
      await writeFindings(
        db,
        'a.one',
        {},
        [
          finding({ kind: 'k', p: 'process', slice: { stage: 's1' }, value: 0.4 }),
          finding({ kind: 'k', p: 'people', slice: { team: 't1' }, value: 0.31 }),
          finding({ kind: 'k', p: 'product', slice: { touchpoint: 'app' } }),
        ],
        new Date('2026-07-01T00:00:00Z'),
      );
      const second = await runAudit(db, AuditRunParams.parse({}), at('2026-07-02T00:00:00Z'));
      expect(second.previousId).toBe(first.id);
      const trend = Object.fromEntries(second.items.map((i) => [JSON.stringify(i.slice), i.trend]));
      expect(trend).toEqual({
        '{"stage":"s1"}': 'worse',
        '{"team":"t1"}': 'unchanged',
        '{"touchpoint":"app"}': 'new',
      });
      expect(second.resolved.map((i) => i.slice)).toEqual([{ policy: 'fee' }]);
      expect(second.items.find((i) => i.slice.stage === 's1')!.previousValue).toBe(0.3);
      expect(second.summary.revenueAtRisk).toBeNull(); // t1's revenue was not filled this time

      const list = await listAudits(db);
      expect(list.map((a) => a.id)).toEqual([second.id, first.id]);
      const d = await diffAudits(db);
      expect({ from: d.from, to: d.to }).toEqual({ from: first.id, to: second.id });
      expect(d.new.map((i) => i.slice)).toEqual([{ touchpoint: 'app' }]);
      expect(d.worse.map((i) => i.slice)).toEqual([{ stage: 's1' }]);
      expect(d.resolved.map((i) => i.slice)).toEqual([{ policy: 'fee' }]);
      expect(d.unchanged).toBe(1);
    });
  });

  it('diff needs two audits and says so', async () => {
    await withTestDb(async (db) => {
      await expect(diffAudits(db)).rejects.toThrow('no audit yet: run touchpoint audit run');
      await runAudit(db, AuditRunParams.parse({}), at('2026-06-02T00:00:00Z'));
      await expect(diffAudits(db)).rejects.toThrow(/only one audit/);
    });
  });
});
