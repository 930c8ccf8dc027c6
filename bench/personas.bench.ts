/**
 * Personas: features + discovery + assignment for N demo customers (goal: 1M customers in < 60 s on
 * this machine) and the time to place 10k new customers in pinned personas. PERSONAS_BENCH_CUSTOMERS
 * sets N (default 1,000,000; the demo company is generated first, which is not timed).
 *
 * References in the same run, so a loaded machine shows as a ratio rather than a wrong verdict:
 * - features: one scan-and-group of the same inbound events (`count(*)`, first and last event per
 *   customer) — the least any per-customer feature query must do;
 * - clustering: one `ml-kmeans` run (k-means++, no restarts) at the chosen k on the same sample.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { kmeans } from 'ml-kmeans';
import { generateDemo } from '../src/demo/index.js';
import {
  assignNewCustomers,
  buildSpace,
  computeFeatures,
  DiscoverParams,
  discoverPersonas,
} from '../src/personas/index.js';
import { fitScaling, sampleOf, scaleAll } from '../src/personas/model.js';
import { seeded } from '../src/stats/random.js';
import { openStore, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const N = Number(process.env.PERSONAS_BENCH_CUSTOMERS ?? 1_000_000);
const NEW = 10_000;
const s = (t0: number) => (performance.now() - t0) / 1000;

export default async function bench({ report, outDir }: BenchContext): Promise<void> {
  const path = join(outDir, `personas-${N}.duckdb`);
  if (!existsSync(path)) {
    const db = await openStore(path);
    const g = await generateDemo(db, { seed: 7, customers: N });
    report(
      'demo generated (not timed in the goal)',
      g.seconds.total,
      's',
      `${g.events.toLocaleString('en-US')} events`,
    );
    await db.close();
  }
  const db = await openStore(path);
  try {
    const size = await db.one<{ c: number; e: number }>(sql`SELECT (SELECT count(*) FROM customers) AS c,
      (SELECT count(*) FROM events WHERE customer_id IS NOT NULL AND direction = 'inbound') AS e`);
    const data = `${size!.c.toLocaleString('en-US')} customers, ${size!.e.toLocaleString('en-US')} inbound events`;
    let t = performance.now();
    await db.all(sql`SELECT count(*) AS n FROM (SELECT customer_id, count(*), min(ts), max(ts) FROM events
      WHERE customer_id IS NOT NULL AND direction = 'inbound' GROUP BY customer_id)`);
    const ref = s(t);
    report('reference: one scan-and-group of the inbound events', ref, 's', data);
    t = performance.now();
    // the table is let go before discovery builds its own (two at once do not fit a 4 GB heap at 1M)
    const rows = (await computeFeatures(db)).rows.length;
    const feat = s(t);
    report(
      'features',
      feat,
      's',
      `${rows.toLocaleString('en-US')} customers; ${(feat / ref).toFixed(1)}× the reference`,
    );

    t = performance.now();
    const r = await discoverPersonas(db, DiscoverParams.parse({}));
    const disc = s(t);
    report(
      'discover (features, k 3–8 with restarts, silhouette, 10 bootstraps, assign all, write)',
      disc,
      's',
      `goal < 60 s at 1M; ${data}; k=${r.k}, bootstrap ARI ${r.stabilityAri?.toFixed(3)}`,
    );

    // the clustering alone against one ml-kmeans run on the same 20k sample at the chosen k
    const space = await buildSpace(db, 'behaviour');
    const pool = space.ids.map((_, i) => i).filter((i) => !space.thin[i]);
    const pts = scaleAll(fitScaling(space.columns, space.raw, pool), space.raw);
    const sample = sampleOf(pool, 20_000, seeded(42)).map((i) =>
      Array.from(pts.data.subarray(i * pts.d, (i + 1) * pts.d)),
    );
    t = performance.now();
    kmeans(sample, r.k, { initialization: 'kmeans++', seed: 42 });
    report('reference: one ml-kmeans fit at that k on the 20k sample', s(t), 's', 'no restarts, no k search');

    // pinned: NEW customers the run has not seen (their rows moved aside, then assigned)
    await db.exec(sql`DELETE FROM customer_personas WHERE customer_id IN
      (SELECT id FROM customers ORDER BY id DESC LIMIT ${NEW})`);
    t = performance.now();
    const a = await assignNewCustomers(db);
    const assign = s(t);
    t = performance.now();
    const ids = (
      await db.all<{ id: string }>(sql`SELECT id FROM customers ORDER BY id DESC LIMIT ${NEW}`)
    ).map((x) => x.id);
    await computeFeatures(db, { customerIds: ids });
    const featNew = s(t);
    report(
      'assign new customers to pinned personas',
      assign,
      's',
      `${a.assigned.toLocaleString('en-US')} customers; their features alone ${featNew.toFixed(2)} s (${(assign / featNew).toFixed(1)}× that)`,
    );
  } finally {
    await db.close();
    rmSync(`${path}.wal`, { force: true });
  }
}
