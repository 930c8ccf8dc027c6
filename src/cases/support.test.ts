import { describe, expect, it } from 'vitest';
import { sql, withTestDb } from '../store/index.js';
import { getSupport, MIN_CSAT_ANSWERS, SupportParams, supportOperation } from './support.js';
import { DEFINITION_CASES, loadCases, TEAM_TIERS, walk } from './test-fixtures.js';

const asOf = '2026-01-03T00:00:00Z'; // 48 h after every definition case opened

/*
 * The definition cases by hand (opened 2026-01-01 00:00; first news = first update or first closure):
 *   k1 A→B→A→B, closed 8 h, no update          first reply 8 (A)   resolution 8  (B)
 *   k2 A, update 2 h, closed 3 h               first reply 2 (A)   resolution 3  (A)
 *   k3 A agents, closed 5 h                    first reply 5 (A)   resolution 5  (A)
 *   k4 A closed 1 h, reopened 24 h, B, 30 h    first reply 1 (A)   resolution 30 (B), reopened
 *   k5 A→B, open, no news after 48 h           first reply: breach (A, 48 > 24); resolution pending (48 ≤ 72)
 *   k6 no events, closed_at 2 h                first reply 2 (no team) resolution 2 (no team)
 *   k7 A closed 1 h, reopened 5 h, open        first reply 1 (A)   resolution pending (A), reopened
 */
describe('cases support (support leads basics)', () => {
  it('first reply and resolution against the SLA, medians, reopen rate, as computed by hand', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getSupport(db, SupportParams.parse({ asOf, interval: 'day' }));
      expect(r.sla).toEqual({ firstReplyHours: 24, resolutionHours: 72 });
      const t = r.totals;
      // first reply: 6 answered (1, 1, 2, 2, 5, 8) + k5 past the SLA = 7 measured, 6 within
      expect(t.firstReply).toMatchObject({ n: 7, pending: 0, completed: 6, medianHours: 2, p90Hours: 8 });
      expect(t.firstReply.withinSla).toMatchObject({ k: 6, n: 7 });
      // resolution: 5 closed (2, 3, 5, 8, 30), k5 and k7 pending
      expect(t.resolution).toMatchObject({ n: 5, pending: 2, completed: 5, medianHours: 5, p90Hours: 30 });
      expect(t.resolution.withinSla).toMatchObject({ k: 5, n: 5 });
      expect(t.reopen).toMatchObject({ k: 2, n: 6 }); // k4, k7 of the 6 resolved at least once
      const g = new Map(r.groups.map((x) => [x.key, x]));
      // first reply for the team that received the case, resolution for the team that held it last
      expect(g.get('A')!.firstReply.withinSla).toMatchObject({ k: 5, n: 6 });
      expect(g.get('A')!.resolution).toMatchObject({ n: 2, pending: 1 }); // k2, k3; k7 pending
      expect(g.get('A')!.reopen).toMatchObject({ k: 1, n: 3 }); // k7 of k2, k3, k7
      expect(g.get('B')!.firstReply.n).toBe(0);
      expect(g.get('B')!.resolution).toMatchObject({ n: 2, pending: 1, medianHours: 8 }); // k1 8, k4 30; k5
      expect(g.get('B')!.reopen).toMatchObject({ k: 1, n: 2 });
      expect(g.get('(no team)')!.resolution.medianHours).toBe(2);
    });
  });

  it('a tighter SLA turns answers into breaches', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getSupport(db, SupportParams.parse({ asOf, firstReplyHours: 2, resolutionHours: 5 }));
      expect(r.totals.firstReply.withinSla).toMatchObject({ k: 4, n: 7 }); // 1, 1, 2, 2
      // 2, 3, 5 within; 8, 30 over; k5 and k7 open for 48 h are past 5 h: breaches so far
      expect(r.totals.resolution.withinSla).toMatchObject({ k: 3, n: 7 });
    });
  });

  it('backlog: open cases at the end of each day, closure by events (closed_at when a case has none)', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getSupport(db, SupportParams.parse({ asOf, interval: 'day' }));
      expect(r.backlog).toEqual([
        // 7 opened; closed k1 k2 k3 k4 k7 by events and k6 by closed_at; k7 reopened: open k5, k7
        { period: '2026-01-01', opened: 7, closed: 6, reopened: 1, open: 2 },
        // k4 reopened at 24 h and closed again at 30 h
        { period: '2026-01-02', opened: 0, closed: 1, reopened: 1, open: 2 },
        { period: '2026-01-03', opened: 0, closed: 0, reopened: 0, open: 2 },
      ]);
    });
  });

  it(`CSAT per team and per agent: no figure for fewer than ${MIN_CSAT_ANSWERS} answers`, async () => {
    await withTestDb(async (db) => {
      const cases = [1, 2, 3, 4, 5, 6]
        .map((i) => walk(`s${i}`, 'billing', 'A'))
        .concat(walk('t1', 'billing', 'B'));
      await loadCases(db, cases, TEAM_TIERS);
      const scores = { s1: 5, s2: 4, s3: 4, s4: 2, s5: 5, t1: 1 };
      for (const [id, score] of Object.entries(scores))
        await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, case_id)
          VALUES (${`f-${id}`}, ${`cust-${id}`}, '2026-01-02', 'csat', ${score}, ${id})`);
      const r = await getSupport(db, SupportParams.parse({ asOf }));
      const a = r.groups.find((g) => g.key === 'A')!.csat;
      // n 5, sum 20, sum of squares 86: variance (86 − 80)/4 = 1.5; t(4) 2.776 × √(1.5/5) = 1.52
      expect(a).toMatchObject({ answers: 5, suppressed: false, mean: 4, low: 2.48, high: 5.52 });
      expect(a.satisfied).toMatchObject({ k: 4, n: 5 });
      expect(r.groups.find((g) => g.key === 'B')!.csat).toEqual({
        answers: 1,
        suppressed: true,
        mean: null,
        low: null,
        high: null,
        satisfied: null,
      });
      expect(r.agents.map((x) => [x.agent, x.team, x.answers, x.suppressed, x.mean])).toEqual([
        ['a1', 'A', 5, false, 4],
        ['b1', 'B', 1, true, null],
      ]);
      expect(r.notes).toEqual(['CSAT is not shown for 1 teams and 1 agents with fewer than 5 answers.']);
      const text = supportOperation.present!(r, SupportParams.parse({ asOf }));
      expect(JSON.stringify(text)).toContain('fewer than 5');
    });
  });

  it('by channel groups every figure by the case channel', async () => {
    await withTestDb(async (db) => {
      await loadCases(db, DEFINITION_CASES, TEAM_TIERS);
      const r = await getSupport(db, SupportParams.parse({ asOf, by: 'channel' }));
      expect(r.groups.map((g) => g.key)).toEqual(['phone']); // the fixtures' channel
      expect(r.groups[0]!.firstReply.withinSla).toEqual(r.totals.firstReply.withinSla);
    });
  });
});
