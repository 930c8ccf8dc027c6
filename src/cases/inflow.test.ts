import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getInflow, InflowParams } from './inflow.js';
import { loadCases, walk } from './test-fixtures.js';

describe('cases inflow', () => {
  it('ranks reasons, counts repeats and finds the preventing touchpoint as computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, [
        walk('a1', 'delivery', 'A', { customer: 'u1', day: '2026-01-10' }),
        walk('a2', 'delivery', 'A', { customer: 'u2', day: '2026-01-10' }),
        walk('a3', 'delivery', 'A', { customer: 'u1', day: '2026-01-12' }), // repeat of a1 within 7 days
        walk('a4', 'billing', 'A', { customer: 'u3', day: '2026-01-10' }),
        walk('a5', 'billing', 'A', { customer: 'u4', day: '2026-01-10' }),
        walk('a6', 'billing', 'A', { customer: 'u5', day: '2026-01-10' }),
        walk('a7', 'billing', 'A', { customer: 'u6', day: '2026-02-10' }), // no journey at all
      ]);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, stage) VALUES
        ('e1', 'u1', '2026-01-09', 'web', 'tracking', 'delivery'), ('e2', 'u2', '2026-01-08', 'app', 'tracking', 'delivery'),
        ('e3', 'u3', '2026-01-09', 'web', 'invoice', 'billing'), ('e4', 'u4', '2026-01-01', 'web', 'tracking', 'delivery'),
        ('e5', 'u5', '2026-01-09', 'web', 'tracking', 'delivery'), ('e6', 'u2', '2026-01-10 05:00', 'web', 'invoice', 'billing')`);
      await db.exec(
        sql`INSERT INTO touchpoint_owners (touchpoint, channel, team_id) VALUES ('tracking', '*', 'logistics')`,
      );
      const r = await getInflow(db, InflowParams.parse({}));
      expect(r.totalCases).toBe(7);
      expect(r.reasons.map((x) => [x.reason, x.cases, x.repeats.k, x.withJourney])).toEqual([
        ['billing', 4, 0, 2], // a5's event is 9 days before: outside the window
        ['delivery', 3, 1, 3], // e6 comes after a2 opened: not a cause
      ]);
      // delivery: tracking 3/3 vs other reasons (4 − 3)/2 → (1 − 0.5) × 3 cases × 1 contact = 1.5 → 2
      expect(r.reasons[1]!.precededBy).toMatchObject({
        touchpoint: 'tracking',
        stage: 'delivery',
        cases: 3,
        baseline: 0.5,
        contactsPreventable: 3,
        excessContacts: 2,
      });
      // billing: invoice 1/2 vs 0/3 → 1 excess contact; tracking 1/2 is below 3/3
      expect(r.reasons[0]!.precededBy).toMatchObject({ touchpoint: 'invoice', excessContacts: 1 });
      expect(r.findings.map((f) => [f.kind, f.slice, f.score, f.ownerTeam])).toEqual([
        ['inflow', { reason: 'delivery', touchpoint: 'tracking', stage: 'delivery' }, 2, 'logistics'],
        ['inflow', { reason: 'billing', touchpoint: 'invoice', stage: 'billing' }, 1, null],
      ]);
    });
  });
});
