import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import type { Store } from '../store/index.js';
import { listPolicies } from './catalogue.js';
import { getImpact, ImpactParams } from './impact.js';

/** The demo's dated return-fee change is catalogued and its before/after is detected (issue 22.3). */
let db: Store;
beforeAll(async () => {
  db = await openDemoCopy();
});
afterAll(async () => {
  await db?.close();
});

describe('policies on the demo company', () => {
  it('detects the return fee: its linked theme appears after the date, goes with a lower NPS, and the policy is flagged as a finding', async () => {
    const m = (await readManifest(db))!;
    const plant = m.plants.find((p) => p.id === 'feedback-return-fee-theme')!;
    const from = new Date(plant.effect.policyFrom!).toISOString();
    const policy = (await listPolicies(db)).find(
      (p) => p.effectiveAt === from && p.themes.includes(plant.slice.theme!),
    );
    expect(policy, 'the demo catalogues the planted policy').toBeDefined();
    const r = await getImpact(db, ImpactParams.parse({ policy: policy!.id }));
    const pi = r.policies[0]!;
    const theme = pi.changes.find((c) => c.measure.includes(plant.slice.theme!))!;
    expect(theme.before).toBe(0);
    expect(theme.verdict).toBe('worse');
    expect(theme.low).toBeGreaterThan(0);
    expect(pi.negativeThemes.map((t) => t.theme)).toEqual([plant.slice.theme]);
    expect(pi.flagged).toBe(true);
    expect(r.findings[0]).toMatchObject({ kind: 'policy', p: 'policy', slice: { policy: policy!.id } });
    expect(pi.changes.every((c) => c.verdict === 'not measurable' || c.low !== null)).toBe(true);
  });

  it('does not flag the catalogued policy that has no planted effect', async () => {
    const r = await getImpact(db, ImpactParams.parse({}));
    const flagged = r.policies.filter((p) => p.flagged).map((p) => p.policy.id);
    expect(flagged).toEqual(['return-fee']);
    expect(r.findings.map((f) => f.slice.policy)).toEqual(['return-fee']);
  });
});
