import { describe, expect, it } from 'vitest';
import { openDemoCopy } from '../demo/test-fixture.js';
import { writeFindings } from '../findings/index.js';
import { addEvents, addJourney } from '../journeys/fixtures.test-helpers.js';
import { getMoments, getPainPoints } from '../journeys/index.js';
import { sql, withTestDb } from '../store/index.js';
import { AffectedParams, getAffected } from './affected.js';

type Db = Parameters<typeof getAffected>[0];

/** Three comments on the returns-fee theme (two negative, from c1 and c2; one positive from c3), one elsewhere. */
async function comments(db: Db) {
  await db.exec(sql`INSERT INTO feedback (id, customer_id, ts, kind, score, comment, case_id) VALUES
    ('f1', 'c1', '2026-02-01', 'nps', 3, 'a fee to send it back?', NULL),
    ('f2', 'c2', '2026-02-03', 'csat', 1, 'the return fee is a joke', 'k9'),
    ('f3', 'c3', '2026-02-05', 'nps', 10, 'returns were easy, fee is fair', NULL),
    ('f4', 'c4', '2026-02-06', 'nps', 2, 'late parcel', NULL)`);
  await db.exec(sql`INSERT INTO feedback_text (feedback_id, label, score, scorer, themes, primary_theme, analyzed_at) VALUES
    ('f1', 'negative', -0.6, 'test', ['policy.return-fee'], 'policy.return-fee', now()),
    ('f2', 'negative', -0.9, 'test', ['policy.return-fee', 'process.refund'], 'policy.return-fee', now()),
    ('f3', 'positive', 0.7, 'test', ['policy.return-fee'], 'policy.return-fee', now()),
    ('f4', 'negative', -0.5, 'test', ['process.delivery-delay'], 'process.delivery-delay', now())`);
  const [f] = await writeFindings(db, 'feedback.themes', {}, [
    {
      kind: 'theme',
      p: 'policy',
      title: 'Return fee: 2 of 3 comments negative',
      slice: { theme: 'policy.return-fee' },
      metric: 'negative share',
      value: 2 / 3,
      baseline: 0.5,
      ciLow: null,
      ciHigh: null,
      n: 3,
      smallSample: true,
      score: 1,
      customersAffected: 2,
      evidence: { analysis: 'feedback.themes', params: { theme: 'policy.return-fee' } },
      ownerTeam: null,
    },
  ]);
  return f!;
}

describe('customers affected by a finding', () => {
  it("a theme finding lists the negative comments mentioning it: as many customers as the finding's count", async () => {
    await withTestDb(async (db) => {
      const f = await comments(db);
      const r = await getAffected(db, AffectedParams.parse({ finding: f.id }));
      expect(r.rows.map((x) => [x.customerId, x.caseId, x.what, x.detail])).toEqual([
        ['c2', 'k9', 'CSAT 1', 'the return fee is a joke'],
        ['c1', null, 'NPS 3', 'a fee to send it back?'],
      ]);
      expect(r).toMatchObject({
        total: 2,
        customers: { showing: 2, all: 2 },
        cases: 1,
        agrees: true,
        rule: 'negative comments mentioning policy.return-fee',
      });
    });
  });

  it('pages: offset and limit cut the rows, the totals stay', async () => {
    await withTestDb(async (db) => {
      const f = await comments(db);
      const p2 = await getAffected(db, AffectedParams.parse({ finding: f.id, offset: 1, limit: 1 }));
      expect(p2.rows.map((x) => x.customerId)).toEqual(['c1']);
      expect(p2.total).toBe(2);
    });
  });

  it('an unknown finding is not_found, naming the field', async () => {
    await withTestDb(async (db) => {
      await expect(getAffected(db, AffectedParams.parse({ finding: 'theme:nope' }))).rejects.toMatchObject({
        code: 'not_found',
        details: [{ field: 'finding' }],
      });
    });
  });

  it('a journey finding lists the people its analysis counted: exactly its customers affected, anonymous visitors too', async () => {
    await withTestDb(async (db) => {
      await addJourney(db);
      // search (stage b) on the app: 2 customers and 1 anonymous visitor stop there, 1 goes on to the cart;
      // on the web 4 of 4 go on. The drop-off of the app search: 3 people of 4.
      const evs = [
        ...['u1', 'u2', 'u3'].map((c) => ({
          customer: c,
          touchpoint: 'search',
          channel: 'app',
          at: '2026-01-01T10:00:00Z',
        })),
        { anon: 'v1', touchpoint: 'search', channel: 'app', at: '2026-01-02T10:00:00Z' },
        { customer: 'u3', touchpoint: 'cart', channel: 'app', at: '2026-01-01T11:00:00Z' },
        ...['w1', 'w2', 'w3', 'w4'].flatMap((c) => [
          { customer: c, touchpoint: 'search', channel: 'web', at: '2026-01-01T10:00:00Z' },
          { customer: c, touchpoint: 'cart', channel: 'web', at: '2026-01-01T11:00:00Z' },
        ]),
      ];
      await addEvents(db, evs);
      const r = await getPainPoints(db, { minEvents: 1, asOf: '2026-03-01' });
      const drop = r.findings.find((f) => f.kind === 'drop-off' && f.slice.channel === 'app')!;
      expect([drop.n, drop.customersAffected]).toEqual([4, 3]);
      const a = await getAffected(db, AffectedParams.parse({ finding: drop.id }));
      expect(a.rows.map((x) => [x.customerId, x.at])).toEqual([
        ['u1', '2026-01-01T10:00:00Z'],
        ['u2', '2026-01-01T10:00:00Z'],
        [null, '2026-01-02T10:00:00Z'],
      ]);
      expect(a).toMatchObject({ total: 3, customers: { showing: 3, all: 3 }, agrees: true });
      expect(a.rule).toContain('1 of them anonymous');
    });
  });

  it('on the demo company, every journey finding lists exactly its customers affected', async () => {
    const db = await openDemoCopy();
    try {
      const pp = await getPainPoints(db, {});
      const mo = await getMoments(db, {});
      const findings = [...pp.findings, ...mo.findings];
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        const a = await getAffected(db, AffectedParams.parse({ finding: f.id, limit: 1 }));
        expect([f.id, a.total, a.customers.showing, a.agrees]).toEqual([
          f.id,
          f.customersAffected,
          f.customersAffected,
          true,
        ]);
      }
    } finally {
      await db.close();
    }
  });
});
