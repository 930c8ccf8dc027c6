import { describe, expect, it } from 'vitest';
import { importRecords, undoImport } from '../ingest/index.js';
import { type Store, sql, withTestDb } from '../store/index.js';
import { type CaseMetricsOptions, caseMetrics, caseMetricsCtes } from './case-metrics.js';
import { caseMetricsFor, rebuildCaseMetrics } from './metrics-store.js';
import { DEFINITION_CASES, h, loadCases, TEAM_TIERS } from './test-fixtures.js';

describe('case metrics definitions', () => {
  it.each([
    [
      'k1',
      {
        team_handoffs: 3,
        agent_reassignments: 0,
        distinct_teams: 2,
        returns: 2,
        ping_pong: true,
        escalations: 2,
        transfer_hours: 5,
        transfers_timed: 3,
        is_closed: true,
        resolutions: 1,
        reopens: 0,
        fcr: false,
        single_owner: false,
        team_chain: ['A', 'B', 'A', 'B'],
      },
    ],
    [
      'k2',
      {
        team_handoffs: 0,
        agent_reassignments: 0,
        distinct_teams: 1,
        returns: 0,
        ping_pong: false,
        escalations: 0,
        is_closed: true,
        resolutions: 1,
        fcr: true,
        single_owner: true,
        updates_sent: 1,
        team_chain: ['A'],
      },
    ],
    [
      'k3',
      {
        team_handoffs: 0,
        agent_reassignments: 2,
        distinct_teams: 1,
        returns: 0,
        is_closed: true,
        fcr: false,
        single_owner: false,
        team_chain: ['A'],
      },
    ],
    [
      'k4',
      {
        team_handoffs: 1,
        returns: 0,
        escalations: 1,
        transfer_hours: 5,
        transfers_timed: 1,
        is_closed: true,
        resolutions: 2,
        reopens: 1,
        fcr: false,
        team_chain: ['A', 'B'],
      },
    ],
    [
      'k5',
      {
        team_handoffs: 1,
        transfers_timed: 0,
        transfer_hours: 0,
        is_closed: false,
        resolutions: 0,
        fcr: null,
        closed_at: null,
      },
    ],
    [
      'k6',
      {
        team_handoffs: 0,
        distinct_teams: 0,
        is_closed: true,
        resolutions: 1,
        fcr: true,
        closed_at: '2026-01-01T02:00:00.000Z',
        team_chain: [],
      },
    ],
    ['k7', { is_closed: false, resolutions: 1, reopens: 1, fcr: null }],
  ])('%s', async (id, expected) => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const [row] = await caseMetrics(db, [id]);
      expect(row).toMatchObject(expected);
    });
  });

  it('ignores events after the as-of instant', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const [row] = await caseMetrics(db, ['k1'], { asOf: h(3.5) });
      // the transfer at 03:00 has no later event by 03:30: not timed yet
      expect(row).toMatchObject({
        team_handoffs: 2,
        returns: 1,
        is_closed: false,
        transfers_timed: 1,
        transfer_hours: 2,
      });
    });
  });
});

describe('stored case metrics', () => {
  const all = (db: Store, o: CaseMetricsOptions) =>
    db.all(sql`WITH ${caseMetricsCtes(o)} SELECT * FROM case_metrics2 ORDER BY case_id`);

  it('hold exactly what the definitions compute, and serve date windows but not as-of instants', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const o = await caseMetricsFor(db, {});
      expect(o.stored).toBe(true);
      const stored = await all(db, o);
      expect(stored.length).toBe(DEFINITION_CASES.length);
      expect(stored).toEqual(await all(db, {}));
      const window = { from: h(0), to: h(0.5) };
      expect(await all(db, await caseMetricsFor(db, window))).toEqual(await all(db, window));
      expect((await caseMetricsFor(db, { asOf: h(3.5) })).stored).toBe(false);
      expect((await caseMetricsFor(db, { accessPattern: 'approval' })).stored).toBe(false);
    });
  });

  it('are rebuilt after an import changes a case, a team tier or takes rows back out', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const reasonOf = async (id: string) =>
        ((await all(db, await caseMetricsFor(db, {}))) as { case_id: string; reason: string }[]).find(
          (r) => r.case_id === id,
        )?.reason;
      const escalations = async () =>
        ((await all(db, await caseMetricsFor(db, {}))) as { escalations: number }[]).reduce(
          (s, r) => s + r.escalations,
          0,
        );
      expect(await reasonOf('k1')).toBe('billing');
      const before = await escalations();
      // same row counts, new content: only the data version tells
      const k1 = DEFINITION_CASES.find((c) => c.id === 'k1')!;
      await importRecords(db, 'cases', [{ id: 'k1', opened_at: `${k1.opened}Z`, reason: 'returns' }], {
        source: 'test',
      });
      expect(await reasonOf('k1')).toBe('returns');
      // B becomes tier 1: transfers A → B are no longer escalations
      await importRecords(db, 'teams', [{ id: 'B', name: 'Team B', tier: 1 }], { source: 'test' });
      expect(await escalations()).toBeLessThan(before);
      const added = await importRecords(
        db,
        'cases',
        [{ id: 'k-new', opened_at: '2026-01-02T00:00:00Z', reason: 'billing' }],
        { source: 'test' },
      );
      expect(await reasonOf('k-new')).toBe('billing');
      await undoImport(db, added.importId);
      expect(await reasonOf('k-new')).toBeUndefined();
      // each refresh above redid only the cases that moved, except after the teams changed
      await importRecords(
        db,
        'case-events',
        [{ id: 'k2-late', case_id: 'k2', ts: '2026-01-01T09:00:00Z', type: 'assigned', team: 'C' }],
        { source: 'test' },
      );
      expect(await rebuildCaseMetrics(db)).toMatchObject({ cases: 1, full: false });
      expect(await all(db, await caseMetricsFor(db, {}))).toEqual(await all(db, {}));
    });
  });

  it('two reads at once on a stale store: one refreshes, the other computes in its own snapshot (no write conflict)', async () => {
    // the server runs each GET in its own read transaction; two pages asking at once after an
    // import both found the stored metrics stale and both rewrote them: "Conflict on update!" (500)
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      await rebuildCaseMetrics(db);
      await importRecords(
        db,
        'case-events',
        [{ id: 'k2-late', case_id: 'k2', ts: '2026-01-01T09:00:00Z', type: 'assigned', team: 'C' }],
        { source: 'test' },
      );
      const read = () =>
        db.transaction(async (tx) => {
          const o = await caseMetricsFor(tx, {});
          return { stored: o.stored, rows: await all(tx, o) };
        });
      const [a, b] = await Promise.all([read(), read()]);
      expect([a.stored, b.stored].sort()).toEqual([false, true]);
      expect(a.rows).toEqual(b.rows);
      expect(a.rows).toEqual(await all(db, {}));
    });
  });
});
