import { describe, expect, it } from 'vitest';
import { TouchpointError } from '../core/errors.js';
import { sql, withTestDb } from '../store/index.js';
import { DEFAULT_RULES_YAML, getLifecycle, LifecycleRules, lifecycleRulesFromYaml } from './lifecycle.js';

describe('life-cycle rules', () => {
  it('the documented default YAML is the default rules', () => {
    expect(lifecycleRulesFromYaml(DEFAULT_RULES_YAML)).toEqual(LifecycleRules.parse({}));
  });

  it.each([
    [
      'version: 1\nactiveDays: 120\n',
      'rules.yaml:2: activeDays: activeDays must be shorter than dormantDays',
    ],
    ['version: 1\nonboardingDays: 30\ndormantDays: -3\n', 'rules.yaml:3: dormantDays: Too small'],
    [
      'version: 1\natRisk:\n  lowScoreDays: many\n',
      'rules.yaml:3: atRisk.lowScoreDays: Invalid input: expected number',
    ],
    // the parser reports an unclosed list where it notices it: the next line
    ['version: 1\nactiveDays: [30\n', 'rules.yaml:3: Flow sequence'],
  ])('refuses %j with the line and the field', (text, message) => {
    let error: unknown;
    try {
      lifecycleRulesFromYaml(text, 'rules.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TouchpointError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });
});

describe('health lifecycle', () => {
  it('stages, monthly moves and time in stage, by hand', async () => {
    await withTestDb(async (db) => {
      await db.exec(sql`INSERT INTO customers (id, created_at, churned_at) VALUES
        ('c1', '2026-01-01', '2026-06-15'), ('c2', '2026-06-21', NULL), ('c3', '2026-01-01', NULL),
        ('c4', '2025-12-01', NULL), ('c5', '2026-01-01', NULL), ('c6', '2026-01-01', NULL),
        ('c7', '2026-01-01', NULL)`);
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint) VALUES
        ('e1', 'c1', '2026-05-25', 'web', 'home'),
        ('e3', 'c3', '2026-03-23', 'web', 'home'),
        ('e4a', 'c4', '2025-12-13', 'web', 'home'), ('e4b', 'c4', '2026-06-11', 'web', 'home'),
        ('e5', 'c5', '2026-05-17', 'web', 'home'),
        ('e6a', 'c6', '2026-05-20', 'web', 'home'), ('e6b', 'c6', '2026-06-26', 'web', 'home'),
        ('e7a', 'c7', '2026-05-25', 'web', 'home'), ('e7b', 'c7', '2026-06-26', 'web', 'home')`);
      // an outbound message is not the customer's activity
      await db.exec(sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, direction) VALUES
        ('n3', 'c3', '2026-06-28', 'email', 'newsletter', 'outbound')`);
      await db.exec(
        sql`INSERT INTO feedback (id, customer_id, ts, kind, score) VALUES ('f6', 'c6', '2026-06-11', 'nps', 3)`,
      );
      const r = await getLifecycle(db, { asOf: '2026-07-01T00:00:00Z', months: 2 });
      expect(r.snapshots.map((s) => s.at.slice(0, 10))).toEqual(['2026-06-01', '2026-07-01']);
      // 1 June: c1 active (7 d), c3 at risk (70 d), c4 dormant (170 d), c5 active, c6 active, c7 active
      expect(r.snapshots[0]!.counts).toEqual({
        onboarding: 0,
        active: 4,
        'at risk': 1,
        dormant: 1,
        'won back': 0,
        churned: 0,
      });
      // 1 July: c1 churned, c2 onboarding, c3 dormant (100 d), c4 won back (back after 180 d, 20 d ago),
      // c5 at risk (45 d), c6 at risk (NPS 3 20 days ago), c7 active
      expect(Object.fromEntries(r.stages.map((s) => [s.stage, s.customers]))).toEqual({
        onboarding: 1,
        active: 1,
        'at risk': 2,
        dormant: 1,
        'won back': 1,
        churned: 1,
      });
      expect(r.transitions.map((t) => [t.from, t.to, t.customers])).toEqual([
        ['active', 'at risk', 2],
        ['active', 'churned', 1],
        ['at risk', 'dormant', 1],
        ['dormant', 'won back', 1],
        ['new', 'onboarding', 1],
      ]);
      // c7 active at both snapshots: 30 days at least (its run began at the first snapshot)
      const active = r.timeInStage.find((t) => t.stage === 'active')!;
      expect([active.customers, active.medianDays, active.censored]).toEqual([1, 30, 1]);
      const dormant = r.timeInStage.find((t) => t.stage === 'dormant')!;
      expect([dormant.customers, dormant.medianDays, dormant.censored]).toEqual([1, 0, 0]);
    });
  });
});
