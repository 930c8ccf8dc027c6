import { describe, expect, it } from 'vitest';
import { csvCell } from '../core/csv.js';
import { sql, withTestDb } from '../store/index.js';
import { ExportParams, exportCases, toCsv } from './export.js';
import { DEFINITION_CASES, loadCases, TEAM_TIERS } from './test-fixtures.js';

describe('cases export', () => {
  it('writes one row per case with chains, times and CSAT as computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, case_id)
        VALUES ('f1', 'cust-k2', '2026-01-02', 'csat', 5, 'k2')`);
      const rows = await exportCases(db, ExportParams.parse({ asOf: '2026-01-03T00:00:00Z' }));
      expect(rows.map((r) => r.case_id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7']);
      const k1 = rows[0]!;
      expect(k1).toMatchObject({
        status: 'closed',
        teams: 'A > B > A > B',
        agents: 'a1 > b1 > a2 > b1',
        team_handoffs: 3,
        returns: 2,
        time_in_teams: 'A 1.0; B 2.0; A 1.0; B 4.0', // stints 0–1, 1–3, 3–4, 4–8 (closed)
        first_response_hours: null,
        resolution_hours: 8,
        csat: null,
      });
      expect(rows[1]).toMatchObject({ agents: 'a1', first_response_hours: 2, updates_sent: 1, csat: 5 });
      expect(rows[2]).toMatchObject({ agents: 'a1 > a2 > a3', agent_reassignments: 2 });
      // reopened: one case, two resolutions; resolution time to the last closure
      expect(rows[3]).toMatchObject({ resolutions: 2, reopens: 1, resolution_hours: 30 });
      // open: the last stint runs to the as-of instant (2 h → 48 h)
      expect(rows[4]).toMatchObject({
        status: 'open',
        time_in_teams: 'A 2.0; B 46.0',
        resolution_hours: null,
      });
      const csv = toCsv(rows).split('\r\n');
      expect(csv[0]).toBe(
        'case_id,customer_id,reason,channel,product,opened_at,closed_at,status,teams,agents,team_handoffs,agent_reassignments,returns,reopens,resolutions,contacts,time_in_teams,first_response_hours,resolution_hours,updates_sent,csat',
      );
      expect(csv).toHaveLength(9); // header, 7 cases, final newline
    });
  });

  it.each([
    ['plain', 'plain'],
    ['a, b', '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    [null, ''],
    [2.5, '2.5'],
  ])('csv cell %j → %s', (v, expected) => {
    expect(csvCell(v)).toBe(expected);
  });
});
