/**
 * Journey analytics at scale (issue 6): each analysis on the demo company of 1M customers (≈10M+
 * events) beside the best single hand-written DuckDB query for the same figure (bench/reference/*.sql,
 * committed before the analysis code), in the same run, and the ratio.
 * Goals: funnel and paths within 1.5× of their reference; every analysis under 3 s.
 * The database is bench/out/demo-1m.duckdb, generated once (seed 42, 1M customers) when missing and
 * shared with other benches. Each query runs twice; the faster run is reported (the first warms the
 * file cache for both sides alike). The reference queries read `events`; the analyses read the person
 * index (src/journeys/person-index.ts), whose build is reported separately: it is paid once per
 * change of the data, like an index, not per question.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../src/demo/generate.js';
import { importRecords } from '../src/ingest/import-records.js';
import { undoImport } from '../src/ingest/undo.js';
import { checkJourney } from '../src/journeys/check.js';
import { getFunnel } from '../src/journeys/funnel.js';
import { loadJourney } from '../src/journeys/journey.js';
import { refreshJourneyLayer } from '../src/journeys/journey-layer.js';
import { getJourneyMap } from '../src/journeys/map.js';
import { getMoments } from '../src/journeys/moments.js';
import { getPainPoints } from '../src/journeys/pain-points.js';
import { getPaths } from '../src/journeys/paths.js';
import { refreshPersonIndex } from '../src/journeys/person-index.js';
import { openStore, raw, type Store, sql } from '../src/store/index.js';
import type { BenchContext } from './run.js';

const REFERENCE = join(import.meta.dirname, 'reference');

async function best(f: () => Promise<unknown>, runs = 2): Promise<number> {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    min = Math.min(min, (performance.now() - t0) / 1000);
  }
  return min;
}

const reference = (db: Store, name: string) => () =>
  db.all(raw(readFileSync(join(REFERENCE, `${name}.sql`), 'utf8')));

const DRAWING = {
  stages: [
    { name: 'discovery', touchpoints: ['search result', 'product page'], maxDays: 1 },
    { name: 'purchase', touchpoints: ['cart', 'checkout', 'payment'], channels: ['web', 'app'], maxDays: 1 },
    { name: 'delivery', touchpoints: ['delivery tracking', 'delivery'], maxDays: 4 },
  ],
};

export default async function (ctx: BenchContext): Promise<void> {
  const path = join(ctx.outDir, 'demo-1m.duckdb');
  if (!existsSync(path)) {
    const gen = await openStore(path);
    try {
      const t0 = performance.now();
      await generateDemo(gen, { seed: 42, customers: 1_000_000 });
      ctx.report('generated demo-1m.duckdb', (performance.now() - t0) / 1000, 's');
    } finally {
      await gen.close();
    }
  }
  const db = await openStore(path);
  try {
    const size = await db.one<{ events: number; people: number }>(
      sql`SELECT count(*) AS events, count(DISTINCT coalesce(customer_id, 'anon:' || anonymous_id)) AS people FROM events`,
    );
    ctx.report('events', size?.events ?? 0);
    ctx.report('people (customers and anonymous visitors)', size?.people ?? 0);
    // the person index and the default journey's layer are derived from events once per change of
    // the data (an import, a stitch, an undo), not once per analysis: their full builds, and their
    // refresh after a small import (only the people whose events changed are redone), are reported
    // on their own; every analysis then reads them
    const journey = await loadJourney(db);
    const built = await refreshPersonIndex(db, { full: true });
    ctx.report(
      'person index: full build',
      built.ms / 1000,
      's',
      `${built.rows} events, ${built.people} people`,
    );
    const layer = await refreshJourneyLayer(db, journey, { full: true });
    ctx.report('journey layer (default journey): full build', layer.ms / 1000, 's', `${layer.people} people`);
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      id: `bench-${i}`,
      customer_id: `bench-c${i % 100}`,
      ts: new Date(Date.UTC(2026, 9, 1, 0, i)).toISOString(),
      touchpoint: 'product page',
      channel: 'web',
    }));
    /** Refreshes the index, then the layer (only the people whose events changed), and reports both. */
    const refreshAfter = async (change: string) => {
      const index = await refreshPersonIndex(db);
      const layer = await refreshJourneyLayer(db, journey);
      ctx.report(
        `refresh after ${change}: index + layer`,
        (index.ms + layer.ms) / 1000,
        's',
        `index ${(index.ms / 1000).toFixed(2)} s (${index.people} people), layer ${(layer.ms / 1000).toFixed(2)} s (${layer.people} people)`,
      );
    };
    const imported = await importRecords(db, 'events', batch, { source: 'bench' });
    await refreshAfter('importing 1,000 events of 100 people');
    await undoImport(db, imported.importId);
    await refreshAfter('undoing that import');
    const pair = async (
      name: string,
      ours: () => Promise<unknown>,
      refs: readonly string[],
      goal: string,
    ) => {
      let refTime = 0;
      for (const r of refs) refTime += await best(reference(db, r));
      const t = await best(ours);
      ctx.report(`${name}: reference`, refTime, 's', refs.join(' + '));
      ctx.report(`${name}: analysis`, t, 's', `ratio ${(t / refTime).toFixed(2)}× (${goal})`);
    };
    const steps = ['awareness', 'discovery', 'purchase', 'delivery'];
    await pair(
      'funnel, 4 ordered steps',
      () => getFunnel(db, { steps, windowDays: 30 }),
      ['funnel-4-step'],
      'goal ≤ 1.5×, < 3 s',
    );
    await pair(
      'paths (graph + variants + switches)',
      () => getPaths(db, { includeOutbound: true, top: 10 }),
      ['directly-follows', 'path-variants'],
      'goal ≤ 1.5×, < 3 s',
    );
    await pair('journey map grid', () => getJourneyMap(db, {}), ['journey-map'], 'goal < 3 s');
    ctx.report('pain points', await best(() => getPainPoints(db, { write: false })), 's', 'goal < 3 s');
    ctx.report('moments of truth', await best(() => getMoments(db, { write: false })), 's', 'goal < 3 s');
    ctx.report(
      'assumed vs observed (3 stages)',
      await best(() => checkJourney(db, {}, DRAWING)),
      's',
      'goal < 3 s',
    );
    // last, as it rebuilds everything: the first question after a whole reload
    const cold = await best(async () => {
      await refreshPersonIndex(db, { full: true });
      await getJourneyMap(db, {});
    }, 1);
    ctx.report(
      'journey map, cold (index and layer full builds + analysis)',
      cold,
      's',
      'the first question after a bulk load or a new demo',
    );
  } finally {
    await db.close();
  }
}
