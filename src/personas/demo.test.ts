import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../demo/index.js';
import { openDemoCopy } from '../demo/test-fixture.js';
import { ari } from '../stats/index.js';
import { trainSparseLogistic } from '../stats/sparse-logistic.js';
import { type Store, sql } from '../store/index.js';
import { buildSpace, DiscoverParams, type DiscoverResult, discoverPersonas } from './discover.js';
import { fitScaling, nearest, type Points, scaleAll } from './model.js';
import { assignNewCustomers, renamePersona } from './runs.js';

/**
 * The demo company draws customers from overlapping behavioural archetypes (manifest `personas`).
 * Discovery must recover them (adjusted Rand index, customers with enough history) and must not turn
 * the decoy segment into a persona. The ceiling: a supervised classifier on the same scaled features,
 * fitted on half the customers and scored on the other half — a multinomial logistic regression (the
 * one trainer, stats/sparse-logistic.ts) and, printed beside it, the nearest class mean (the rule
 * k-means applies with the true centres).
 */
let db: Store;
let result: DiscoverResult;
beforeAll(async () => {
  db = await openDemoCopy();
  result = await discoverPersonas(db, DiscoverParams.parse({}));
}, 600_000);
afterAll(async () => {
  await db?.close();
});

interface Recovery {
  readonly recovered: number;
  readonly ceiling: number;
  readonly nearestMean: number;
}
let measured: Recovery | null = null;

async function recovery(): Promise<Recovery> {
  if (measured) return measured;
  {
    const m = (await readManifest(db))!;
    const truth = m.personas!;
    const labels = new Map(
      (
        await db.all<{ id: string; label: string }>(
          sql`SELECT customer_id AS id, persona AS label FROM demo_truth_customers`,
        )
      ).map((r) => [r.id, r.label]),
    );
    expect(truth.truthTable).toBe('demo_truth_customers');
    const space = await buildSpace(db, 'behaviour');
    const rich = space.ids.map((_, i) => i).filter((i) => !space.thin[i]);
    const found = new Map(
      (
        await db.all<{ id: string; p: string }>(
          sql`SELECT customer_id AS id, persona_id AS p FROM customer_personas`,
        )
      ).map((r) => [r.id, r.p]),
    );
    const recovered = ari(
      rich.map((i) => found.get(space.ids[i]!)!),
      rich.map((i) => labels.get(space.ids[i]!)!),
    );
    // ceiling: nearest class mean, trained on even rows, scored on odd rows
    const scaling = fitScaling(space.columns, space.raw, rich);
    const pts = scaleAll(scaling, space.raw);
    const names = truth.archetypes.map((a) => a.name);
    const sums = names.map(() => new Float64Array(pts.d));
    const counts = names.map(() => 0);
    const train = rich.filter((_, j) => j % 2 === 0);
    const test = rich.filter((_, j) => j % 2 === 1);
    for (const i of train) {
      const c = names.indexOf(labels.get(space.ids[i]!)!);
      counts[c]!++;
      for (let j = 0; j < pts.d; j++) sums[c]![j]! += pts.data[i * pts.d + j]!;
    }
    const means = sums.map((s, c) => Array.from(s, (x) => x / Math.max(1, counts[c]!)));
    const testPts: Points = {
      n: test.length,
      d: pts.d,
      data: Float64Array.from(test.flatMap((i) => Array.from(pts.data.subarray(i * pts.d, (i + 1) * pts.d)))),
    };
    const predicted = nearest(testPts, means).labels;
    const truthOfTest = test.map((i) => labels.get(space.ids[i]!)!);
    const nearestMean = ari(
      Array.from(predicted, (c) => names[c]!),
      truthOfTest,
    );
    const columns = Int32Array.from({ length: pts.d }, (_, j) => j);
    const rowOf = (i: number) => ({
      indices: columns,
      values: pts.data.subarray(i * pts.d, (i + 1) * pts.d),
    });
    const fit = trainSparseLogistic(
      train.map(rowOf),
      train.map((i) => names.indexOf(labels.get(space.ids[i]!)!)),
      { classes: names.length, features: pts.d, epochs: 10, l2: 1e-4, rate: 0.3, balanced: false },
    );
    const logit = test.map((i) => {
      const x = pts.data.subarray(i * pts.d, (i + 1) * pts.d);
      let best = 0;
      let top = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < names.length; c++) {
        let z = fit.bias[c]!;
        for (let j = 0; j < pts.d; j++) z += fit.weights[j * names.length + c]! * x[j]!;
        if (z > top) {
          top = z;
          best = c;
        }
      }
      return names[best]!;
    });
    const ceiling = ari(logit, truthOfTest);
    console.log(
      `demo personas: k=${result.k} (silhouette ${result.silhouette.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}), ` +
        `ARI vs archetypes ${recovered.toFixed(3)} on ${rich.length} customers with enough history, ` +
        `supervised ceiling ${ceiling.toFixed(3)} (logistic; nearest class mean ${nearestMean.toFixed(3)}), bootstrap ARI ${result.stabilityAri?.toFixed(3)}, ` +
        `Jaccard ${result.personas.map((p) => `${p.id}:${p.jaccard?.toFixed(2)}`).join(' ')}`,
    );
    measured = { recovered, ceiling, nearestMean };
    return measured;
  }
}

describe('personas on the demo company', () => {
  it('recover more of the archetypes than chance, and print the figures', async () => {
    const r = await recovery();
    expect(r.recovered).toBeGreaterThan(0.1);
  });

  // issue 19's goal: the archetypes show in enough behaviour per customer (src/demo/habits.ts) that a
  // supervised classifier reaches ARI ≥ 0.85 on the same features, and discovery ≥ 0.7 of it
  it('recover the archetypes at ARI ≥ 0.7 with a supervised ceiling ≥ 0.85', async () => {
    const r = await recovery();
    expect(r.ceiling).toBeGreaterThanOrEqual(0.85);
    expect(r.recovered).toBeGreaterThanOrEqual(0.7);
    // k-means cannot beat the supervised classifier by more than noise
    expect(r.recovered).toBeLessThanOrEqual(r.ceiling + 0.02);
  });

  it('choose k = the number of archetypes by silhouette, every persona stable', async () => {
    const archetypes = (await readManifest(db))!.personas!.archetypes.length;
    expect(result.k).toBe(archetypes);
    const best = result.silhouette.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
    expect(best.k).toBe(archetypes);
    for (const p of result.personas) expect(p.stability).toBe('stable');
    // overall: the refits agree well (ARI ≥ 0.80 is "good" recovery in Steinley 2004's bands; 0.87 on
    // the seed-42 40k demo with every module's plants, 0.93 on the archetypes' own draws alone)
    expect(result.stabilityAri).toBeGreaterThan(0.8);
  });

  it('does not make the decoy segment a persona', async () => {
    const m = (await readManifest(db))!;
    const decoy = m.personas!.decoySegment;
    const rows = await db.all<{ persona_id: string; n: number; decoy: number }>(sql`SELECT cp.persona_id,
        count(*) AS n, count(*) FILTER (WHERE c.segment = ${decoy}) AS decoy
      FROM customer_personas cp JOIN customers c ON c.id = cp.customer_id GROUP BY ALL ORDER BY cp.persona_id`);
    const total = rows.reduce((a, r) => a + r.n, 0);
    const share = rows.reduce((a, r) => a + r.decoy, 0) / total;
    // no persona is made of the segment: in each, its share stays within 1.5× its share overall
    for (const r of rows) expect(r.decoy / r.n).toBeLessThan(1.5 * share);
  });

  it('pinned: customers the run has not seen are placed where the run itself put them', async () => {
    const sampled = await db.all<{ id: string; p: string; d: number }>(sql`SELECT customer_id AS id,
        persona_id AS p, distance AS d FROM customer_personas WHERE hash(customer_id) % 20 = 0 ORDER BY id`);
    expect(sampled.length).toBeGreaterThan(1000);
    const ids = sampled.map((r) => r.id);
    await db.exec(sql`DELETE FROM customer_personas WHERE customer_id IN (SELECT unnest(${ids}::VARCHAR[]))`);
    const a = await assignNewCustomers(db);
    expect(a.assigned).toBe(ids.length);
    const after = new Map(
      (
        await db.all<{ id: string; p: string; d: number }>(sql`SELECT customer_id AS id, persona_id AS p,
          distance AS d FROM customer_personas WHERE customer_id IN (SELECT unnest(${ids}::VARCHAR[]))`)
      ).map((r) => [r.id, r]),
    );
    // same features, same stored scaling and centroids: the same persona at the same distance
    for (const r of sampled) {
      expect(after.get(r.id)?.p).toBe(r.p);
      expect(after.get(r.id)!.d).toBeCloseTo(r.d, 9);
    }
    // nothing left to place
    expect((await assignNewCustomers(db)).assigned).toBe(0);
  });

  it('a re-run with another seed keeps every persona: ids, a user name and a note survive', async () => {
    const first = result.personas;
    const renamed = first[1]!;
    await renamePersona(db, { id: renamed.id, name: 'Our web bargain crowd', note: 'from the workshop' });
    const again = await discoverPersonas(db, DiscoverParams.parse({ seed: 7 }));
    expect(again.k).toBe(first.length);
    expect(again.retired).toEqual([]);
    for (const p of again.personas) {
      expect(p.status).toBe('matched');
      expect(p.matchedJaccard!).toBeGreaterThan(0.9);
    }
    expect(new Set(again.personas.map((p) => p.id))).toEqual(new Set(first.map((p) => p.id)));
    const kept = again.personas.find((p) => p.id === renamed.id)!;
    expect(kept.name).toBe('Our web bargain crowd');
    const note = await db.one<{ note: string | null }>(sql`SELECT note FROM personas
      WHERE run_id = ${again.runId} AND id = ${renamed.id}`);
    expect(note?.note).toBe('from the workshop');
  }, 600_000);
});
