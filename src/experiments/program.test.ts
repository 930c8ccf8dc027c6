import { describe, expect, it } from 'vitest';
import { raw, type Store, sql, withTestDb } from '../store/index.js';
import { importExposures } from './assign.js';
import { decideExperiment, learningLog } from './decide.js';
import { sequentialLooks } from './looks.js';
import { defineMetric } from './metrics.js';
import { programView } from './program.js';
import { remeasureExperiment } from './remeasure.js';
import { experimentResults } from './results.js';
import { createExperiment } from './stored.js';

/**
 * A shipped fix, hand-computed. CSAT at delivery (share of answers ≥ 4, one answer per customer):
 * - before the experiment (February): b1…b40 answer, 16 satisfied (40 %);
 * - the experiment (1–29 March): x1…x40 control, 16 satisfied (40 %); x41…x80 treatment, 26 of 40 (65 %);
 * - decided "ship" on 30 March; after the rollout (30 March – 27 April): a1…a40, 28 satisfied (70 %).
 */
async function fixture(db: Store): Promise<void> {
  const fb: string[] = [];
  const add = (id: string, ts: string, ok: boolean) =>
    fb.push(`('${id}', '${id}', TIMESTAMP '${ts}', 'csat', ${ok ? 5 : 2}, 'delivery')`);
  for (let i = 1; i <= 40; i++) add(`b${i}`, '2026-02-10 10:00', i <= 16);
  for (let i = 1; i <= 80; i++) add(`x${i}`, '2026-03-05 10:00', i <= 40 ? i <= 16 : i - 40 <= 26);
  for (let i = 1; i <= 40; i++) add(`a${i}`, '2026-04-10 10:00', i <= 28);
  await db.exec(
    sql`INSERT INTO feedback (id, customer_id, ts, kind, score, touchpoint) VALUES ${raw(fb.join(', '))}`,
  );
  await defineMetric(db, {
    id: 'delivery_csat',
    name: 'CSAT at delivery',
    definition: { type: 'score', kind: 'csat' },
    touchpoint: 'delivery',
  });
  await createExperiment(db, {
    id: 'fix1',
    name: 'Delivery SMS',
    hypothesis: 'an SMS raises CSAT at delivery',
    theme: 'delivery problem',
    finding: 'f-delivery',
    variants: ['control=50', 'treat=50'],
    start: '2026-03-01',
    end: '2026-03-29',
    primary: 'delivery_csat',
    owner: 'Delivery ops',
  });
  const rows = ['customer_id,arm,exposed_at'];
  for (let i = 1; i <= 80; i++) rows.push(`x${i},${i <= 40 ? 'control' : 'treat'},2026-03-02T09:00:00Z`);
  await importExposures(db, { experiment: 'fix1', csv: rows.join('\n') });
}

describe('the sequential boundary over time', () => {
  it('draws z per daily look against the always-valid boundary; the last look is the results figure', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      const now = new Date('2026-05-01T00:00:00Z');
      const r = await sequentialLooks(db, { id: 'fix1' }, { now });
      // 28 daily looks (1–28 March); the answers arrive on 5 March, so 24 looks have data
      expect(r.looks.map((l) => l.day)[0]).toBe('2026-03-05');
      expect(r.looks).toHaveLength(24);
      expect(r.looks.at(-1)!.day).toBe('2026-03-28');
      const last = r.looks.at(-1)!;
      // Δ = .65 − .4; Var = .4·.6/40 + .65·.35/40 = .0116875 → z = .25/√.0116875 = 2.3125
      expect(last.z).toBeCloseTo(0.25 / Math.sqrt(0.0116875), 6);
      // tuned for 80 units: ρ² = (−2 ln .05 + ln(−2 ln .05 + 1))/80 = .0992025; at n = 80, nρ² = 7.9362 and
      // b = √(2(nρ² + 1)/(nρ²) · ln(√(nρ² + 1)/.05)) = 3.0352 (hand-computed)
      expect(r.tuning).toBe(80);
      expect(r.looks.every((l) => !l.smallSample)).toBe(true);
      expect(last.boundary).toBeCloseTo(3.0352, 3);
      expect(last.crossed).toBe(false);
      // a daily peeker at 1.96 would have stopped on the first look; the boundary never crossed
      expect(r.firstFixedCrossing).toBe('2026-03-05');
      expect(r.firstCrossing).toBeNull();
      const res = await experimentResults(db, { id: 'fix1' }, { now });
      expect(last.p).toBeCloseTo(res.metrics[0]!.lifts[0]!.sequential.p, 12);
    });
  });
});

describe('the program view, the re-measure and the learning log', () => {
  it('ships, re-measures after the rollout, and shows both in the learning log and the program', async () => {
    await withTestDb(async (db) => {
      await fixture(db);
      // not shipped yet: refused with the reason
      await expect(remeasureExperiment(db, { id: 'fix1' })).rejects.toThrow(/not shipped/);
      const decidedAt = new Date('2026-03-30T00:00:00Z');
      await decideExperiment(db, { id: 'fix1', decision: 'ship', note: 'clear win' }, { now: decidedAt });
      // the 28-day window after the rollout has not ended: the date is given
      await expect(
        remeasureExperiment(db, { id: 'fix1' }, { now: new Date('2026-04-20T00:00:00Z') }),
      ).rejects.toThrow(/ends on 2026-04-27/);

      const now = new Date('2026-05-01T00:00:00Z');
      const m = await remeasureExperiment(db, { id: 'fix1' }, { now, actor: 'ana' });
      expect([m.before.value, m.before.n, m.after.value, m.after.n]).toEqual([0.4, 40, 0.7, 40]);
      expect(m.before.from.slice(0, 10)).toBe('2026-02-01');
      expect(m.after.to.slice(0, 10)).toBe('2026-04-27');
      // two-proportion z: pooled p̄ = .55, se = √(.55·.45·(2/40)) = .111243, z = 2.69680, p = .00700;
      // the difference's interval unpooled: .3 ± 1.96·√(.4·.6/40 + .7·.3/40) = [.0921, .5079]
      expect(m.change.value).toBeCloseTo(0.3, 12);
      expect(m.p).toBeCloseTo(0.007, 4);
      expect(m.change.low).toBeCloseTo(0.3 - 1.959964 * Math.sqrt(0.01125), 5);
      expect(m.verdict).toBe('improved');
      // the experiment's randomised lift beside it: .65/.4 − 1 = +62.5 %
      expect(m.experimentLift!.value).toBeCloseTo(0.625, 12);

      const log = await learningLog(db, { touchpoint: 'delivery' });
      expect(log.entries).toHaveLength(1);
      const e = log.entries[0]!;
      expect([e.id, e.decision, e.touchpoint, e.remeasure?.verdict]).toEqual([
        'fix1',
        'ship',
        'delivery',
        'improved',
      ]);
      expect(e.remeasureDue!.slice(0, 10)).toBe('2026-04-27');
      expect((await learningLog(db, { finding: 'f-delivery' })).entries).toHaveLength(1);
      expect((await learningLog(db, { touchpoint: 'checkout' })).entries).toHaveLength(0);

      const p = await programView(db, { now });
      expect([p.experiments, p.decided, p.shipped]).toEqual([1, 1, 1]);
      // Wilson for 1 of 1: [.2065, 1]
      expect(p.winRate!.value).toBe(1);
      expect(p.winRate!.low).toBeCloseTo(0.2065, 4);
      // one effect: shrunk toward 0 by N(0, .3²). Relative lift .625 with delta-method variance
      // Var(t)/c² + t²·Var(c)/c⁴ = (.65·.35/40)/.16 + .65²·(.4·.6/40)/.4⁴ = .0355469 + .0990234 = .1345703
      // → posterior mean .625·.09/(.09 + .1345703) = .250478
      const v = 0.0056875 / 0.16 + (0.4225 * 0.006) / 0.0256;
      expect(v).toBeCloseTo(0.1345703, 7);
      expect(p.shrinkage.method).toBe('prior');
      const ef = p.effects[0]!;
      expect(ef.raw.value).toBeCloseTo(0.625, 12);
      expect(ef.raw.se).toBeCloseTo(Math.sqrt(v), 6);
      expect(ef.shrunk.value).toBeCloseTo((0.625 * 0.09) / (0.09 + v), 6);
      // cumulative shipped impact on the KPI: the shrunk lift × the control's 40 % = +10.0 points of CSAT
      expect(p.impact).toHaveLength(1);
      expect(p.impact[0]!.metric).toBe('delivery_csat');
      expect(p.impact[0]!.steps[0]!.cumulative).toBeCloseTo((0.4 * 0.625 * 0.09) / (0.09 + v), 6);
    });
  });
});
