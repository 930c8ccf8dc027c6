/**
 * The cockpit on the demo company: per page, the time to first meaningful paint (heading drawn,
 * nothing loading, no API call in flight) and the slowest API call behind it, in headless Chromium
 * against the real server on loopback. Goal: every page under 1 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runDemoAnalyses } from '../src/cli/start.js';
import { operations } from '../src/operations.js';
import { startServer } from '../src/server/index.js';
import { openStore } from '../src/store/index.js';
import { ensureWebBuild, WEB_DIST } from '../src/web/build.js';
import {
  apiCalls,
  haveChromium,
  launchChromium,
  navPages,
  waitForContent,
  waitForPrimary,
} from '../src/web/testing/browser.js';
import type { BenchContext } from './run.js';

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
  const server = await startServer({
    db,
    dataDir: join(ctx.outDir, 'web-server'),
    host: '127.0.0.1',
    port: 0,
    localAdmin: true,
    staticDir: WEB_DIST,
    logLevel: 'warn',
    print: () => {},
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}/`);
    await waitForContent(page);
    const pages = await navPages(page);
    ctx.report('pages', pages.length, '', pages.join(', '));
    for (const id of pages) {
      // a fresh load per page: the cold path a shared link takes (warm HTTP cache for static assets)
      const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await p.goto(`${server.url}/#/${id}`);
      const paint = await waitForPrimary(p);
      // the calls that were done by the first meaningful paint, and the slowest of them
      const before = (await apiCalls(p)).filter((c) => c.end <= paint);
      const slowest = before[0];
      const complete = await waitForContent(p);
      const all = await apiCalls(p);
      ctx.report(
        `${id}: first meaningful paint`,
        Math.round(paint),
        'ms',
        slowest
          ? `slowest call behind it: ${Math.round(slowest.ms)} ms ${slowest.url.replace(/\?.*/, '')} (of ${before.length})`
          : 'no API call',
      );
      ctx.report(
        `${id}: everything drawn`,
        Math.round(complete),
        'ms',
        all[0]
          ? `slowest of ${all.length} calls: ${Math.round(all[0].ms)} ms ${all[0].url.replace(/\?.*/, '')}`
          : '',
      );
      await p.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
