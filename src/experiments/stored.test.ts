import { describe, expect, it } from 'vitest';
import { raw, type Store, sql, withTestDb } from '../store/index.js';
import { armFor, assign, bucketOf, fnv1a32, importExposures } from './assign.js';
import { decideExperiment, learningLog } from './decide.js';
import { defineMetric } from './metrics.js';
import { experimentResults } from './results.js';
import { createExperiment, getExperiment } from './stored.js';

describe('deterministic assignment', () => {
  it('matches the documented test vector (FNV-1a 32 of UTF-8 "id:customer")', () => {
    // computed independently in Python: h = 0x811c9dc5; for b in s.encode('utf-8'): h = ((h ^ b) * 0x01000193) % 2**32
    expect(fnv1a32('delivery-sms:c1')).toBe(1340793873);
    expect(fnv1a32('delivery-sms:cust-000042')).toBe(2991634243);
    expect(fnv1a32('exp:Zoë')).toBe(3442869063); // ë is two UTF-8 bytes
    expect(bucketOf('delivery-sms', 'c1')).toBeCloseTo(0.31217790045775473, 15);
    const arms = [
      { name: 'control', weight: 50 },
      { name: 'sms', weight: 50 },
    ];
    expect(armFor('delivery-sms', 'c1', arms)).toBe('control');
    expect(armFor('delivery-sms', 'cust-000042', arms)).toBe('sms');
    // 0.3122 is above a 30 % control share
    expect(
      armFor('delivery-sms', 'c1', [
        { name: 'control', weight: 30 },
        { name: 'sms', weight: 70 },
      ]),
    ).toBe('sms');
  });

  it('splits 20,000 customers by the weights (χ² check on 1/3 vs 2/3)', () => {
    const arms = [
      { name: 'a', weight: 1 },
      { name: 'b', weight: 2 },
    ];
    let a = 0;
    for (let i = 0; i < 20_000; i++) if (armFor('split-test', `c${i}`, arms) === 'a') a++;
    // expected 6,667 ± 3 sd (sd = √(20000·1/3·2/3) = 66.7)
    expect(Math.abs(a - 20_000 / 3)).toBeLessThan(200);
  });
});

/**
 * 200 customers, exposed on 2026-01-10: u1…u100 control, u101…u200 treatment. Within 7 days, 20 of the
 * control and 35 of the treatment check out; each arm opens 10 cases.
 */
async function fixture(db: Store, end = '2026-02-01'): Promise<void> {
  const ev: string[] = [];
  const cases: string[] = [];
  for (let i = 1; i <= 200; i++) {
    const treat = i > 100;
    const k = treat ? i - 100 : i;
    ev.push(`('v${i}', 'u${i}', TIMESTAMP '2026-01-10 09:00', 'web', 'product page', 'view')`);
    if (k <= (treat ? 35 : 20))
      ev.push(`('k${i}', 'u${i}', TIMESTAMP '2026-01-12 09:00', 'web', 'checkout', 'checkout')`);
    if (k <= 10) cases.push(`('case${i}', 'u${i}', TIMESTAMP '2026-01-15 09:00', 'phone')`);
  }
  ev.push(`('late', 'u1', TIMESTAMP '2026-03-01 09:00', 'web', 'account', 'visit')`);
  await db.exec(
    sql`INSERT INTO events (id, customer_id, ts, channel, touchpoint, name) VALUES ${raw(ev.join(', '))}`,
  );
  await db.exec(sql`INSERT INTO cases (id, customer_id, opened_at, channel) VALUES ${raw(cases.join(', '))}`);
  await defineMetric(db, {
    id: 'checkout_7d',
    name: 'Checkout within 7 days',
    definition: { type: 'conversion', reach: { touchpoint: 'checkout' }, withinDays: 7 },
  });
  await createExperiment(db, {
    id: 'exp1',
    name: 'One-click checkout',
    hypothesis: 'a one-click checkout raises 7-day checkout',
    finding: 'f-checkout-drop',
    variants: ['control=50', 'treat=50'],
    start: '2026-01-01',
    end,
    primary: 'checkout_7d',
    guardrails: ['contact_rate'],
    owner: 'Checkout squad',
  });
  const csv = ['customer_id,arm,exposed_at'];
  for (let i = 1; i <= 200; i++) csv.push(`u${i},${i > 100 ? 'treat' : 'control'},2026-01-10T08:00:00Z`);
  await importExposures(db, { experiment: 'exp1', file: 'exposures.csv', csv: csv.join('\n') });
}

describe('stored experiments', () => {
  it('computes the declared metrics per arm through the registry and recommends from the declared criteria', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const r = await experimentResults(db, { id: 'exp1' }, { now: new Date('2026-03-01T00:00:00Z') });
      expect([r.state, r.pBasis, r.exposures, r.srm.p]).toEqual(['finished', 'fixed', 200, 1]);
      const primary = r.metrics[0]!;
      expect(primary.arms.map((a) => [a.arm, a.units, a.value])).toEqual([
        ['control', 100, 0.2],
        ['treat', 100, 0.35],
      ]);
      // two-proportion z: pooled 0.275, se = √(0.275·0.725·(2/100)) = 0.0631466, z = 0.15/se = 2.375423,
      // p = 2(1 − Φ(z)) = 0.017530 (scipy chi2_contingency([[35, 65], [20, 80]], correction=False) → p = 0.0175289)
      const lift = primary.lifts[0]!;
      expect(lift.absolute.value).toBeCloseTo(0.15, 12);
      expect(lift.p).toBeCloseTo(0.01753, 4);
      expect(lift.relative.value).toBeCloseTo(0.75, 12);
      expect(lift.verdict).toBe(1);
      // guardrail: 10 cases per 100 customers in each arm → no difference
      expect(r.metrics[1]!.arms.map((a) => a.value)).toEqual([0.1, 0.1]);
      expect(r.metrics[1]!.lifts[0]!.verdict).toBe(0);
      expect(r.recommendations).toEqual([
        {
          arm: 'treat',
          decision: 'ship',
          why: 'Checkout within 7 days is significantly better; no guardrail harmed',
        },
      ]);
    });
  });

  it('judges a running experiment on the always-valid p, and decides into the learning log', async () => {
    await withTestDb(async (db) => {
      await fixture(db, '2026-06-01');
      const now = new Date('2026-03-01T00:00:00Z');
      const r = await experimentResults(db, { id: 'exp1' }, { now });
      expect([r.state, r.pBasis]).toEqual(['running', 'sequential']);
      const lift = r.metrics[0]!.lifts[0]!;
      // the confidence sequence is wider than the fixed-horizon interval: p = 0.0175 is not enough yet
      expect(lift.sequential.p).toBeGreaterThan(0.05);
      expect(r.recommendations[0]!.decision).toBe('keep testing');
      const d = await decideExperiment(
        db,
        { id: 'exp1', decision: 'iterate', note: 'promising' },
        { now, actor: 'ana' },
      );
      expect([d.decision, d.decidedBy, d.decisionNote]).toEqual(['iterate', 'ana', 'promising']);
      const log = await learningLog(db, { finding: 'f-checkout-drop' });
      expect(log.entries.map((e) => [e.id, e.decision])).toEqual([['exp1', 'iterate']]);
      const m = log.entries[0]!.measured as {
        metric: string;
        lifts: { arm: string; absolute: { value: number } }[];
      };
      expect([m.metric, m.lifts[0]!.arm, m.lifts[0]!.absolute.value]).toEqual([
        'checkout_7d',
        'treat',
        expect.closeTo(0.15, 12),
      ]);
      await expect(decideExperiment(db, { id: 'exp1', decision: 'ship' }, { now })).rejects.toThrow(
        /decided already/,
      );
    });
  });

  it('assigns and records exposures once; refuses bad exposure files with file, line and field', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const a = await assign(db, { experiment: 'exp1', customer: ['n1', 'n2', 'u1'], at: '2026-01-20' });
      expect(a.assignments.map((x) => x.arm)).toEqual(
        ['n1', 'n2', 'u1'].map((c) =>
          armFor('exp1', c, [
            { name: 'control', weight: 50 },
            { name: 'treat', weight: 50 },
          ]),
        ),
      );
      expect(a.recorded).toBe(2); // u1 was exposed already
      const bad = (csv: string) => importExposures(db, { experiment: 'exp1', file: 'x.csv', csv });
      await expect(
        bad('customer_id,arm,exposed_at\nz1,control,2026-01-10\nz2,nope,2026-01-10'),
      ).rejects.toThrow(/^x\.csv:3: arm: "nope" is not an arm of exp1 \(control, treat\)$/);
      await expect(bad('customer_id,arm,exposed_at\nz1,control,2026-02-30')).rejects.toThrow(
        /^x\.csv:2: exposed_at: "2026-02-30": 2026-02 has no day 30/,
      );
      await expect(bad('customer_id,arm,exposed_at\nu1,treat,2026-01-10')).rejects.toThrow(
        /^x\.csv:2: arm: customer u1 is already exposed in control$/,
      );
      await expect(bad('customer,when\nz1,2026-01-10')).rejects.toThrow(
        /^x\.csv:1: arm: no arm \/ variant column/,
      );
      await expect(
        createExperiment(db, {
          id: 'exp2',
          name: 'x',
          hypothesis: 'x',
          variants: ['a', 'a'],
          start: '2026-01-01',
          primary: 'nps',
          owner: 'x',
        }),
      ).rejects.toThrow(/^variants: two arms share a name/);
      await expect(
        createExperiment(db, {
          id: 'exp2',
          name: 'x',
          hypothesis: 'x',
          variants: ['a', 'b'],
          start: '2026-01-01',
          primary: 'nope',
          owner: 'x',
        }),
      ).rejects.toThrow(/^primary: no metric "nope"/);
      expect((await getExperiment(db, 'exp1')).primary).toEqual({ id: 'checkout_7d', version: 1 });
    });
  });
});
