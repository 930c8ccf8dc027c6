import { describe, expect, it } from 'vitest';
import { withTestDb } from '../store/index.js';
import { caseMetrics } from './case-metrics.js';
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
