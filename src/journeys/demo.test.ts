import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoManifest, plantsFor, readManifest, sliceMatches } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import type { Finding } from '../findings/index.js';
import type { Store } from '../store/index.js';
import { checkJourney } from './check.js';
import { getJourneyMap } from './map.js';
import { getMoments } from './moments.js';
import { getPainPoints } from './pain-points.js';

// The demo company's journey plants must be found (top 3) and its decoys missed (not in the top 5),
// read from the manifest, never from names written here (DESIGN.md §4).
let db: Store;
let manifest: DemoManifest;

beforeAll(async () => {
  db = await openDemoCopy();
  const m = await readManifest(db);
  if (!m) throw new Error('the test demo has no manifest');
  manifest = m;
});
afterAll(async () => {
  await db?.close();
});

const rankOf = (
  findings: readonly Finding[],
  plant: { kind: string; slice: Finding['slice'] },
  anyKind = false,
) => findings.findIndex((f) => (anyKind || f.kind === plant.kind) && sliceMatches(plant, f.slice));

describe.each([
  ['journey.pain-points', () => getPainPoints(db, {})],
  ['journey.moments', () => getMoments(db, {})],
])('%s on the demo company', (analysis, run) => {
  it('ranks every plant in the top 3 and no decoy in the top 5', async () => {
    const { plants, decoys } = plantsFor(manifest, analysis);
    expect(plants.length).toBeGreaterThan(0);
    const { findings } = await run();
    for (const plant of plants) {
      const rank = rankOf(findings, plant);
      expect({ plant: plant.id, found: rank >= 0, top3: rank >= 0 && rank < 3 }).toEqual({
        plant: plant.id,
        found: true,
        top3: true,
      });
    }
    for (const decoy of decoys) {
      const rank = rankOf(findings, decoy, true);
      expect({ decoy: decoy.id, inTop5: rank >= 0 && rank < 5 }).toEqual({ decoy: decoy.id, inTop5: false });
    }
  });
});

describe('journey.moments on the demo company: the worst moment is a planted one', () => {
  it('ranks a planted moment of truth first (an abandoned checkout is a conversion outcome, not a bad experience)', async () => {
    const { plants } = plantsFor(manifest, 'journey.moments');
    const { findings } = await getMoments(db, {});
    expect(findings.length).toBeGreaterThan(0);
    const first = findings[0]!;
    expect(plants.some((p) => sliceMatches(p, first.slice))).toBe(true);
  });
});

describe('people per touchpoint: one counting rule across panels (issue 18.4)', () => {
  it('the map and the assumed-vs-observed check give every touchpoint the same people', async () => {
    const map = await getJourneyMap(db, { from: '2026-01-01' });
    // an outbound-only touchpoint (the order confirmation e-mail) is on the map too
    expect(map.touchpoints.some((t) => t.inbound === 0 && t.outbound > 0)).toBe(true);
    // a drawing of one touchpoint per stage: every other touchpoint is "used but not drawn", with its people
    const drawn = map.stages.map((stage) => map.touchpoints.find((t) => t.stage === stage)!);
    const check = await checkJourney(db, {
      from: '2026-01-01',
      drawing: JSON.stringify({
        journey: map.journey,
        stages: drawn.map((t) => ({ name: t.stage, touchpoints: [t.touchpoint] })),
      }),
    });
    const fromCheck = new Map<string, number>([
      ...check.stages.flatMap((s) => s.usage.map((u) => [u.touchpoint, u.people] as const)),
      ...check.missingFromDrawing.map((u) => [u.touchpoint, u.people] as const),
    ]);
    const compared = map.touchpoints.filter((t) => fromCheck.has(t.touchpoint));
    expect(compared.length).toBe(map.touchpoints.length);
    for (const t of compared)
      expect({ tp: t.touchpoint, people: t.people }).toEqual({
        tp: t.touchpoint,
        people: fromCheck.get(t.touchpoint),
      });
  });
});
