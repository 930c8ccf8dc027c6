import { describe, expect, it } from 'vitest';
import { experimentResults } from '../experiments/index.js';
import { seedDemoExperiments } from './experiments.js';
import { readManifest } from './manifest.js';
import { openDemoCopy, TEST_SEED } from './test-fixture.js';

describe('the demo experiments (read from the manifest)', () => {
  it('finds the planted effect and none in the A/A test', async () => {
    const db = await openDemoCopy();
    try {
      await seedDemoExperiments(db, TEST_SEED);
      const manifest = (await readManifest(db))!;
      const planted = manifest.experiments!;
      expect(planted.map((e) => e.kind).sort()).toEqual(['aa', 'effect']);
      const now = new Date('2026-11-01T00:00:00Z');
      for (const e of planted) {
        const r = await experimentResults(db, { id: e.id }, { now });
        expect(r.srm.mismatch).toBe(false);
        const primary = r.metrics.find((m) => m.role === 'primary')!;
        expect(primary.metric).toBe(e.metric);
        const lift = primary.lifts[0]!;
        if (e.kind === 'effect') {
          // planned +6 points (0.63 → 0.69): found, significant, its interval covering the planted size
          const planned = e.effect[e.arms[1]!]! - e.effect[e.arms[0]!]!;
          expect(lift.pAdjusted).toBeLessThan(0.01);
          expect(lift.absolute.low).toBeLessThan(planned);
          expect(lift.absolute.high).toBeGreaterThan(planned);
          expect(r.recommendations[0]!.decision).toBe('ship');
          // the guardrail did not move
          expect(r.metrics.find((m) => m.role === 'guardrail')!.lifts[0]!.verdict).toBe(0);
        } else {
          expect(lift.pAdjusted).toBeGreaterThan(0.05);
          expect(lift.absolute.low).toBeLessThan(0);
          expect(lift.absolute.high).toBeGreaterThan(0);
          expect(r.recommendations[0]!.decision).toBe('keep testing');
        }
      }
    } finally {
      await db.close();
    }
  }, 120_000);
});
