import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import { listFindings, type StoredFinding } from '../findings/index.js';
import { ari } from '../stats/index.js';
import { type Store, sql } from '../store/index.js';
import { getDrivers } from './drivers.js';
import { getScores } from './scores.js';
import { starterTaxonomy } from './starter-taxonomy.js';
import { getThemes } from './themes.js';
import { discoverThemes, themeAssigner } from './themes-model.js';

/**
 * The voice-of-the-customer analyses on the demo company, judged by its manifest and by the
 * generator's true comment labels (`demo_truth_comments`, read here only). Theme ids are ours; a
 * finding's theme is matched to a plant's theme name by the true label most of its comments carry.
 */
let db: Store;
let truthOf: Map<string, string>;

beforeAll(async () => {
  db = await openDemoCopy();
  await getThemes(db, { examples: 3 }, { now: () => new Date('2026-10-31T00:00:00Z') });
  await getDrivers(db, { kind: 'nps', minMentions: 10 }, { now: () => new Date('2026-10-31T00:00:00Z') });
  const rows = await db.all<{ id: string; truth: string }>(sql`
    WITH x AS (
      SELECT t.primary_theme AS id, d.theme AS truth, count(*) AS n
      FROM feedback_text t JOIN demo_truth_comments d ON d.feedback_id = t.feedback_id
      WHERE t.primary_theme IS NOT NULL GROUP BY ALL
    )
    SELECT id, arg_max(truth, n) AS truth FROM x GROUP BY id`);
  truthOf = new Map(rows.map((r) => [r.id, r.truth]));
}, 120_000);

afterAll(async () => {
  await db?.close();
});

const matches = (f: StoredFinding, slice: Record<string, string | undefined>) =>
  Object.entries(slice).every(([k, v]) =>
    k === 'theme' ? truthOf.get(f.slice.theme ?? '') === v : f.slice[k as 'theme'] === v,
  );

describe('feedback on the demo company', () => {
  it('recovers themes of held-out paraphrase templates (adjusted Rand index ≥ 0.7)', async () => {
    const rows = await db.all<{ id: string; comment: string; theme: string; held: boolean; k: number }>(sql`
      SELECT f.id, f.comment, min(t.theme) AS theme, bool_or(t.held_out) AS held, count(*) AS k
      FROM feedback f JOIN demo_truth_comments t ON t.feedback_id = f.id GROUP BY f.id, f.comment ORDER BY f.id`);
    // set-up sees only comments from templates that are not held out
    const setUp = rows.filter((r) => !r.held);
    const { taxonomy } = discoverThemes(
      setUp.map((r) => ({ id: r.id, text: r.comment })),
      starterTaxonomy(),
    );
    const assigner = themeAssigner(taxonomy, 'active');
    const held = rows.filter((r) => r.held && r.k === 1);
    const score = ari(
      held.map((r) => assigner.assign(r.comment)[0] ?? '(none)'),
      held.map((r) => r.theme),
    );
    console.log(
      `theme recovery on ${held.length} held-out comments: adjusted Rand index ${score.toFixed(3)}`,
    );
    expect(held.length).toBeGreaterThan(500);
    expect(score).toBeGreaterThanOrEqual(0.7);
  });

  it('ranks the planted policy first among negative policy themes and in the top 3, the decoy outside the top 5', async () => {
    const manifest = await readManifest(db);
    const themes = await listFindings(db, { analysis: 'feedback.themes', limit: 100 });
    for (const plant of manifest!.plants.filter((p) => p.analysis === 'feedback.themes')) {
      // the plant is a policy (DESIGN.md §4: a return fee): the top negative policy theme is it
      const policy = themes.filter((f) => f.p === 'policy');
      expect(policy.length).toBeGreaterThan(0);
      expect(matches(policy[0]!, plant.slice)).toBe(true);
      expect(themes.findIndex((f) => matches(f, plant.slice))).toBeLessThan(3);
    }
    for (const decoy of manifest!.decoys.filter((p) => p.analysis === 'feedback.themes')) {
      const rank = themes.findIndex((f) => matches(f, decoy.slice));
      expect(rank === -1 || rank >= 5).toBe(true);
    }
  });

  it('puts the planted policy in the top 3 NPS drivers and the decoy outside the top 5', async () => {
    const manifest = await readManifest(db);
    const drivers = await listFindings(db, { analysis: 'feedback.drivers', limit: 100 });
    for (const plant of manifest!.plants.filter((p) => p.analysis === 'feedback.drivers')) {
      const rank = drivers.findIndex((f) => matches(f, plant.slice));
      expect(rank).toBeGreaterThanOrEqual(0);
      expect(rank).toBeLessThan(3);
    }
    for (const decoy of manifest!.decoys.filter((p) => p.analysis === 'feedback.drivers')) {
      const rank = drivers.findIndex((f) => matches(f, decoy.slice));
      expect(rank === -1 || rank >= 5).toBe(true);
    }
  });

  it('computes NPS, CSAT and CES by touchpoint on the demo with intervals', async () => {
    const nps = await getScores(db, { kind: 'nps', by: 'month' });
    expect(nps.rows.length).toBeGreaterThanOrEqual(12);
    for (const r of nps.rows) {
      expect(r.low!).toBeLessThanOrEqual(r.value!);
      expect(r.high!).toBeGreaterThanOrEqual(r.value!);
    }
    const csat = await getScores(db, { kind: 'csat', by: 'touchpoint' });
    expect(csat.rows.map((r) => r.group)).toContain('delivery');
  });
});
