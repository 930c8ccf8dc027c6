/**
 * Personas: features + discovery + assignment for N demo customers (goal: 1M customers in < 60 s on
 * this machine) and the time to place 10k new customers in pinned personas. PERSONAS_BENCH_CUSTOMERS
 * sets N (default 1,000,000; the demo company is generated first, which is not timed).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/index.js';
import {
  assignNewCustomers,
  computeFeatures,
  DiscoverParams,
  discoverPersonas,
} from '../src/personas/index.js';
import { openStore, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const N = Number(process.env.PERSONAS_BENCH_CUSTOMERS ?? 1_000_000);
const NEW = 10_000;

export default async function bench({ report, outDir }: BenchContext): Promise<void> {
  const path = join(outDir, `personas-${N}.duckdb`);
  if (!existsSync(path)) {
    const db = await openStore(path);
    await generateDemo(db, { seed: 7, customers: N });
    await db.close();
  }
  const db = await openStore(path);
  try {
    let t = performance.now();
    const f = await computeFeatures(db);
    report(
      'features',
      (performance.now() - t) / 1000,
      's',
      `${f.rows.length.toLocaleString('en-US')} customers`,
    );
    t = performance.now();
    const r = await discoverPersonas(db, DiscoverParams.parse({}));
    report(
      'discover (features, k 3–8, restarts, bootstrap, assign, write)',
      (performance.now() - t) / 1000,
      's',
      `goal < 60 s at 1M; k=${r.k}, ${r.customers.toLocaleString('en-US')} customers`,
    );
    // pinned: NEW customers the run has not seen (their rows moved aside, then assigned)
    await db.exec(sql`DELETE FROM customer_personas WHERE customer_id IN
      (SELECT id FROM customers ORDER BY id DESC LIMIT ${NEW})`);
    t = performance.now();
    const a = await assignNewCustomers(db);
    report(
      'assign new customers to pinned personas',
      (performance.now() - t) / 1000,
      's',
      `${a.assigned} customers`,
    );
  } finally {
    await db.close();
    rmSync(`${path}.wal`, { force: true });
  }
}
