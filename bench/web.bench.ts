/**
 * The cockpit on the demo company: per page, the time to first meaningful paint (the page's primary
 * panel drawn with nothing loading in it, or everything loaded on a page without one) and the slowest
 * API call behind it, in headless Chromium against the real server on loopback, started as
 * `touchpoint start` starts it. Goal: every page under 1 s.
 *
 * Two passes in the same run, so their difference is not the machine's load:
 * - **cold**: a server without the background computation (`warm` off); each page is opened once,
 *   fresh, right after start: its own analyses run on request (calls shared with an earlier page —
 *   data range, findings — come from the result cache);
 * - **warm**: the server as `touchpoint start` runs it (`warm` on), after its start-up computation of
 *   the cached analyses finished (reported): what a person opening the cockpit sees.
 * Every figure is also given as a ratio to a reference measured in the same run (a fixed DuckDB and
 * JavaScript workload), so runs on a loaded machine can be compared.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { runDemoAnalyses } from '../src/cli/start.js';
import { operations } from '../src/operations.js';
import { openStore, sql } from '../src/store/index.js';
import { ensureWebBuild } from '../src/web/build.js';
import {
  apiCalls,
  haveChromium,
  launchChromium,
  navPages,
  startCockpitServer,
  waitForContent,
  waitForPrimary,
} from '../src/web/testing/browser.js';
import type { BenchContext } from './run.js';

/** A fixed workload: a DuckDB aggregate over 20 M rows and a JavaScript loop; the median of 3, in ms. */
async function reference(): Promise<number> {
  const store = await openStore(':memory:');
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await store.all(sql`SELECT sum(hash(i) % 1000) AS s FROM range(20000000) t(i)`);
      let x = 0;
      for (let k = 0; k < 30_000_000; k++) x = (x + k * 7) % 1_000_003;
      if (x < 0) throw new Error('never');
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[1]!;
  } finally {
    await store.close();
  }
}

async function pass(
  ctx: BenchContext,
  browser: Browser,
  label: string,
  url: string,
  ref: number,
): Promise<number[]> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/#/settings`);
  await waitForContent(page);
  const pages = await navPages(page);
  await page.close();
  const paints: number[] = [];
  for (const id of pages) {
    // a fresh load per page: the path a shared link takes (warm HTTP cache for static assets)
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await p.goto(`${url}/#/${id}`);
    const paint = await waitForPrimary(p);
    paints.push(paint);
    // the calls that were done by the first meaningful paint, and the slowest of them
    const before = (await apiCalls(p)).filter((c) => c.end <= paint);
    const slowest = before[0];
    const complete = await waitForContent(p);
    ctx.report(
      `${label} ${id}: first meaningful paint`,
      Math.round(paint),
      'ms',
      `${(paint / ref).toFixed(2)} × reference; ${
        slowest
          ? `slowest call behind it ${Math.round(slowest.ms)} ms ${slowest.url.replace(/\?.*/, '')} (of ${before.length})`
          : 'no API call'
      }; everything drawn ${Math.round(complete)} ms`,
    );
    await p.close();
  }
  return paints;
}

export default async function (ctx: BenchContext): Promise<void> {
  if (!haveChromium()) {
    ctx.report('skipped', 'no /usr/bin/chromium (apt-get install -y chromium)');
    return;
  }
  const t0 = performance.now();
  const built = await ensureWebBuild();
  if (built) ctx.report('cockpit build', (performance.now() - t0) / 1000, 's');

  const db = join(ctx.outDir, 'web-demo.duckdb');
  if (!existsSync(db)) {
    const demo = operations.find((o) => o.area === 'demo' && o.mode === 'write');
    const store = await openStore(db);
    try {
      if (demo) {
        await demo.run(store, demo.params.parse({}), {});
        await runDemoAnalyses(store, () => {});
      }
    } finally {
      await store.close();
    }
  }
  {
    const store = await openStore(db);
    try {
      const n = await store.one<{ c: number; e: number; f: number }>(
        sql`SELECT (SELECT count(*) FROM customers) AS c, (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM feedback) AS f`,
      );
      ctx.report(
        'data',
        `${Number(n?.c ?? 0).toLocaleString('en-US')} customers, ${Number(n?.e ?? 0).toLocaleString('en-US')} events, ${Number(n?.f ?? 0).toLocaleString('en-US')} answers`,
        '',
        'the default demo company',
      );
    } finally {
      await store.close();
    }
  }
  const ref = await reference();
  ctx.report('reference workload', Math.round(ref), 'ms', 'DuckDB 20 M-row aggregate + JS loop, median of 3');

  const browser = await launchChromium();
  try {
    const dir = join(ctx.outDir, 'web-server');
    const cold = await startCockpitServer(db, dir, { warm: false });
    let coldPaints: number[];
    try {
      coldPaints = await pass(ctx, browser, 'cold', cold.url, ref);
    } finally {
      await cold.close();
    }
    const tw = performance.now();
    const warm = await startCockpitServer(db, dir, { warm: true });
    try {
      await warm.warmed();
      ctx.report(
        'warm: start-up computation of the cached analyses',
        Math.round(performance.now() - tw),
        'ms',
      );
      const warmPaints = await pass(ctx, browser, 'warm', warm.url, ref);
      const worst = (xs: number[]) => Math.max(...xs);
      ctx.report('cold: slowest first meaningful paint', Math.round(worst(coldPaints)), 'ms');
      ctx.report(
        'warm: slowest first meaningful paint',
        Math.round(worst(warmPaints)),
        'ms',
        `goal < 1000 ms; ${(worst(warmPaints) / ref).toFixed(2)} × reference`,
      );
    } finally {
      await warm.close();
    }
  } finally {
    await browser.close();
  }
  const ref2 = await reference();
  ctx.report(
    'reference workload again',
    Math.round(ref2),
    'ms',
    'the load moved by this much during the run',
  );
}
